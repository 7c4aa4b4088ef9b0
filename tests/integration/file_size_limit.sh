# file_size_limit.sh — past the file-size limit (ulimit -f) a write fails
# with EFBIG instead of SIGXFSZ killing ringmon: a run whose guest RAM cannot
# be sized says so on one line with a finished runs row, and a merge that
# cannot write its output fails cleanly like on a full disk, its output
# consistent and without the input's rows.
. tests/lib.sh
DB="$TMP/l.db"

# 100000 blocks (of 512 or 1024 bytes, by shell): less than the guest's RAM
( ulimit -f 100000 && exec "$RINGMON" run --accel tcg --db "$DB" "$TBK" ) > /dev/null 2> "$TMP/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && echo "  ok: run exit status $rc" ||
	fail "run: exit status $rc (128 + $((rc - 128)) is a signal)"
grep -q "^ringmon: .*File too large" "$TMP/err" && echo "  ok: $(grep 'File too large' "$TMP/err")" ||
	fail "run: no File too large line: $(cat "$TMP/err")"
check "run: integrity_check" ok "$(sql "PRAGMA integrity_check")"
check "run: runs row finished" "1|crashed" "$(sql "SELECT finished || '|' || monitor_state FROM runs WHERE id = 1")"

# An input of four mt runs into an output that may grow by 64 KiB only.
"$RINGMON" run --accel tcg --db "$TMP/big.db" build/tbk/mt.elf > /dev/null 2>&1 || fail "mt run"
for _ in 1 2 3; do
	"$RINGMON" run --accel tcg --db "$TMP/big.db" build/tbk/mt.elf > /dev/null 2>&1 || fail "mt run"
done
"$RINGMON" merge "$TMP/out.db" "$DB" 2> /dev/null || fail "merge of the small database"
# the limit: OUT (and its WAL) may grow by 64 KiB, far less than big.db's
# rows take in any schema; in 512-byte blocks (sh's ulimit -f)
limit=$((($(stat -c %s "$TMP/out.db") + 65536) / 512))
( ulimit -f "$limit" && exec "$RINGMON" merge "$TMP/out.db" "$TMP/big.db" ) 2> "$TMP/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && echo "  ok: merge exit status $rc" ||
	fail "merge: exit status $rc (128 + $((rc - 128)) is a signal)"
check "merge: message lines" 1 "$(wc -l < "$TMP/err")"
grep -q "^ringmon: merge: $TMP/big.db: .*\(full\|File too large\)" "$TMP/err" &&
	echo "  ok: $(cat "$TMP/err")" || fail "merge: $(cat "$TMP/err")"
DB="$TMP/out.db"
check "merge: integrity_check" ok "$(sql "PRAGMA integrity_check")"
check "merge: only the small database's run in OUT" 1 "$(sql "SELECT count(*) FROM runs")"
finish
