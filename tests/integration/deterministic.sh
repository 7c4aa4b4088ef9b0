# deterministic.sh — two --deterministic runs of the same guest with the same
# knobs give the same trap records, timestamps included (QEMU's -icount makes
# the TSC count guest instructions).  The guest is the multitasking kernel:
# paging, user tasks and PIT interrupts must all replay identically.
. tests/lib.sh
TBK=build/tbk/mt.elf
DB="$TMP/d.db"
COLS="seq, kind, vector, err, eip, cs, cpl, addr, gpa, size, access, region, emul,
      insn, detail, data_sym, data_off, code_sym, code_off, tsc_in, tsc_out"

for i in 1 2; do
	"$RINGMON" run --db "$DB" --deterministic "$TBK" > "$TMP/out$i.txt" 2> "$TMP/err.txt" ||
		fail "run $i: $(cat "$TMP/err.txt")"
done
a=$(($(last_run) - 1))
b=$(last_run)
check "runs marked deterministic" "1 1" \
	"$(sql "SELECT group_concat(deterministic, ' ') FROM runs WHERE id IN ($a, $b)")"
check "accelerator" "tcg" "$(sql "SELECT accel FROM runs WHERE id=$b")"
# A stall spins the monitor for as long as the host takes: the ring must not
# fill for the timestamps to be the guest's alone.
check "no ring stalls" "0 0" "$(sql "SELECT group_concat(stalls, ' ') FROM runs WHERE id IN ($a, $b)")"
rows=$(sql "SELECT count(*) FROM traps WHERE run_id=$a")
[ "$rows" -gt 0 ] || fail "no trap rows"
check "same number of records" "$rows" "$(sql "SELECT count(*) FROM traps WHERE run_id=$b")"
check "rows of run $a not in run $b" 0 \
	"$(sql "SELECT count(*) FROM (SELECT $COLS FROM traps WHERE run_id=$a
	        EXCEPT SELECT $COLS FROM traps WHERE run_id=$b)")"
check "rows of run $b not in run $a" 0 \
	"$(sql "SELECT count(*) FROM (SELECT $COLS FROM traps WHERE run_id=$b
	        EXCEPT SELECT $COLS FROM traps WHERE run_id=$a)")"
check "timestamps advance" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$a AND tsc_out < tsc_in")"
cmp -s "$TMP/out1.txt" "$TMP/out2.txt" || fail "the console transcripts differ"

# Without --deterministic the timestamps are host time: not comparable.
"$RINGMON" run --db "$DB" "$TBK" > /dev/null 2>&1 || fail "plain run"
check "a plain run is not marked deterministic" 0 \
	"$(sql "SELECT deterministic FROM runs WHERE id=$(last_run)")"
finish
