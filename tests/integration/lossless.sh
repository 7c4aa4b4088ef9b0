# lossless.sh — oracle 3: the rows in the database are exactly the records
# the monitor says it wrote, kind by kind, with no gap in the sequence.
. tests/lib.sh
DB="$TMP/l.db"
for emulate in decode step; do
	"$RINGMON" run --db "$DB" --mode rw --emulate "$emulate" "$TBK" > /dev/null 2>&1 ||
		fail "run failed"
	run=$(last_run)
	rows=$(sql "SELECT count(*) FROM traps WHERE run_id=$run")
	check "$emulate: rows == monitor's record count" "$(sql "SELECT records FROM runs WHERE id=$run")" "$rows"
	check "$emulate: seq has no gap" "$((rows - 1))" "$(sql "SELECT max(seq) FROM traps WHERE run_id=$run")"
	check "$emulate: dropped" 0 "$(sql "SELECT dropped FROM runs WHERE id=$run")"
	for k in protected privileged exception; do
		check "$emulate: $k rows == monitor's $k count" \
			"$(sql "SELECT n_$k FROM runs WHERE id=$run")" \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='$k'")"
	done
	check "$emulate: run finished" 1 "$(sql "SELECT finished FROM runs WHERE id=$run")"
done
# A deliberately tiny ring: the monitor must stall, never drop.
"$RINGMON" run --db "$DB" --ring 4 "$TBK" > /dev/null 2>&1 || fail "tiny-ring run failed"
run=$(last_run)
check "tiny ring: rows == records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
stalls=$(sql "SELECT stalls FROM runs WHERE id=$run")
[ "${stalls:-0}" -gt 0 ] && echo "  ok: tiny ring stalled $stalls times" || fail "tiny ring never stalled"
finish
