# killed_run.sh — SIGKILL ringmon in the middle of a run: QEMU must die with
# it (PR_SET_PDEATHSIG), no guest RAM file may be left behind (it is a memfd),
# and the database must pass PRAGMA integrity_check with the run's rows
# committed so far, gap-free, and its runs row marked unfinished.
. tests/lib.sh
DB="$TMP/k.db"

flood_guest "$TMP/flood.elf"

"$RINGMON" run --db "$DB" --timeout 120 "$TMP/flood.elf" > /dev/null 2> "$TMP/err.txt" &
pid=$!
# Kill once a few batches are committed.
rows=$(wait_rows "$pid" 10000)
[ "${rows:-0}" -ge 10000 ] || fail "only ${rows:-0} rows after 30 s: $(cat "$TMP/err.txt")"
qemu=$(pgrep -P "$pid" qemu-system)
[ -n "$qemu" ] || fail "no QEMU child of ringmon $pid"
kill -KILL "$pid"
wait "$pid"
check "ringmon's end" 137 $?

# QEMU follows its parent; a zombie waiting for init to reap it is dead too.
state=gone
for _ in $(seq 50); do
	state=$(ps -o stat= -p "$qemu" 2> /dev/null | cut -c1)
	case $state in "" | Z) break ;; esac
	sleep 0.1
done
case $state in
"" | Z) echo "  ok: QEMU ($qemu) is gone" ;;
*) fail "QEMU ($qemu) outlived ringmon: state $state"; kill -KILL "$qemu" ;;
esac
check "guest RAM files left in /dev/shm" "" "$(ls /dev/shm | grep "^ringmon-$pid-")"

check "integrity_check" ok "$(sql "PRAGMA integrity_check")"
run=$(last_run)
check "killed run is unfinished" "0||" \
	"$(sql "SELECT finished || '|' || ifnull(end_time, '') || '|' || ifnull(monitor_state, '') FROM runs WHERE id=$run")"
rows=$(sql "SELECT count(*) FROM traps WHERE run_id=$run")
[ "$rows" -ge 10000 ] && echo "  ok: $rows rows kept" || fail "$rows rows kept"
check "kept rows have no gap" "$((rows - 1))" "$(sql "SELECT max(seq) FROM traps WHERE run_id=$run")"
"$RINGMON" report "$DB" --run "$run" > "$TMP/report.md" 2>&1 || fail "report: $(cat "$TMP/report.md")"
grep -q "not finished" "$TMP/report.md" || fail "the report does not say the run is unfinished"

# The file stays usable: the next run recovers the journal and appends.
[ -f "$TBK" ] || for TBK in build/tbk/hot.elf build/tbk/tbk.elf; do [ -f "$TBK" ] && break; done
"$RINGMON" run --db "$DB" "$TBK" > /dev/null 2> "$TMP/err.txt" || fail "next run: $(cat "$TMP/err.txt")"
check "next run finished" 1 "$(sql "SELECT finished FROM runs WHERE id=$(last_run)")"
check "killed run still unfinished" 0 "$(sql "SELECT finished FROM runs WHERE id=$run")"
check "integrity_check after" ok "$(sql "PRAGMA integrity_check")"
finish
