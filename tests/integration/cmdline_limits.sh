# cmdline_limits.sh — a guest gets its --cmdline whole or the run is refused
# before anything starts (status 2, one line, no database): a Multiboot guest
# up to GUEST_CMDLINE_MAX (trace/trace.h) bytes, recorded as given; a Linux
# guest up to its kernel's cmdline_size less what the monitor appends
# (" reservetop=4M"), which must survive: a line of exactly that length boots
# and the guest's /proc/cmdline still holds the reservation.
. tests/lib.sh
DB="$TMP/c.db"
max=$(printf '#include "trace/trace.h"\nGUEST_CMDLINE_MAX\n' | cpp -P | tail -n 1 | tr -d 'u \n')
# word N: N bytes of x
word() { head -c "$1" /dev/zero | tr '\0' x; }

# refused NAME WANT ARGS...: status 2, one stderr line with WANT, no database
refused() {
	name=$1 want=$2
	shift 2
	"$RINGMON" run --db "$DB" "$@" > /dev/null 2> "$TMP/err" < /dev/null
	rc=$?
	if [ $rc -eq 2 ] && [ "$(grep -vc 'using tcg$' "$TMP/err")" -eq 1 ] &&
	   grep -qF -- "$want" "$TMP/err" && [ ! -e "$DB" ]; then
		echo "  ok: $name: $(grep -v 'using tcg$' "$TMP/err")"
	else
		fail "$name: status $rc: $(cat "$TMP/err")"
	fi
}

refused "multiboot, $((max + 1)) bytes" "--cmdline: $((max + 1)) bytes, a guest gets at most $max" \
	--cmdline "$(word $((max + 1)))" "$TBK"
refused "multiboot, 100 KiB" "--cmdline: 102400 bytes" --cmdline "$(word 102400)" "$TBK"
"$RINGMON" run --db "$DB" --cmdline "$(word "$max")" "$TBK" > /dev/null 2>&1
check "multiboot, $max bytes: status" 0 $?
run=$(last_run)
check "multiboot: runs.cmdline as passed" "$max" "$(sql "SELECT length(cmdline) FROM runs WHERE id=$run")"
check "multiboot: rows == records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
check "integrity_check" ok "$(sql "PRAGMA integrity_check")"
rm -f "$DB" "$DB-wal" "$DB-shm"

k=$LINUX/upstream/bzImage
[ -f "$k" ] && [ -f "$LINUX_INITRD" ] || { echo "  (no Linux guest built: bzImage cases skipped)"; finish; }
size=$(od -An -tu4 -j $((0x238)) -N 4 "$k" | tr -d ' ')
room=$((size - 14))
pad="console=ttyS0 ringmon.pad="
long="$pad$(word $((room - ${#pad})))"
refused "linux, $((room + 1)) bytes" \
	"--cmdline: $((room + 1)) bytes, this kernel takes $room (its cmdline_size $size" \
	--cmdline "${long}x" --initrd "$LINUX_INITRD" "$k"
"$RINGMON" run --db "$DB" --mode off --timeout 900 --cmdline "$long" --initrd "$LINUX_INITRD" \
	"$k" > "$TMP/out" 2> "$TMP/err"
check "linux, $room bytes: status (the workload's)" 0 $?
linux_workload "$TMP/out" > "$TMP/lines"
check "linux: the monitor's reservation kept" 1 "$(grep -c '^ringmon-linux: command line: console=ttyS0 reservetop=4M$' "$TMP/lines")"
run=$(last_run)
check "linux: runs.cmdline as passed" "$room" "$(sql "SELECT length(cmdline) FROM runs WHERE id=$run")"
check "linux: rows == records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
check "linux: integrity_check" ok "$(sql "PRAGMA integrity_check")"
finish
