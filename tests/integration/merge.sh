# merge.sh — `ringmon merge OUT IN...` (docs/sweeps.md): the union of the
# inputs' runs under new ids after OUT's own, every run with as many traps,
# symbols and rows in each view as it had; and an input that is not a
# ringmon database of this schema version fails on one line and leaves OUT
# as it was, byte for byte (or not created at all).
. tests/lib.sh
A="$TMP/a.db"
B="$TMP/b.db"
OUT="$TMP/out.db"

for mode in rw w; do
	"$RINGMON" run --db "$A" --mode $mode --variant a-$mode build/tbk/hot.elf > /dev/null 2> "$TMP/err" ||
		fail "run a-$mode: $(tail -1 "$TMP/err")"
done
"$RINGMON" run --db "$B" --variant b-rw build/tbk/mt-shared.elf > /dev/null 2> "$TMP/err" ||
	fail "run b-rw: $(tail -1 "$TMP/err")"

# Each run's rows, by its variant: traps, symbols and a view's rows.
rows() {
	sqlite3 -batch -noheader "$1" "SELECT r.variant || ' ' || r.records
	  || ' ' || (SELECT count(*) FROM traps t WHERE t.run_id = r.id)
	  || ' ' || (SELECT count(*) FROM symbols s WHERE s.run_id = r.id)
	  || ' ' || (SELECT count(*) FROM protected_data_hits p WHERE p.run_id = r.id)
	  || ' ' || (SELECT count(*) FROM traps t WHERE t.run_id = r.id AND data_sym IS NOT NULL)
	  FROM runs r ORDER BY r.id"
}

"$RINGMON" merge "$OUT" "$A" "$B" 2> "$TMP/err"
check "merge exit status" 0 "$?"
check "merge says what it did" 2 "$(grep -c '^ringmon: merge: .*/[ab].db: [0-9] runs\? from [0-9]' "$TMP/err")"
DB="$OUT"
check "runs renumbered" "1 a-rw,2 a-w,3 b-rw" "$(sql "SELECT group_concat(id || ' ' || variant) FROM runs")"
{ rows "$A"; rows "$B"; } > "$TMP/in.rows"
rows "$OUT" > "$TMP/out.rows"
cmp -s "$TMP/in.rows" "$TMP/out.rows" && echo "  ok: every run's traps, symbols and view rows kept" ||
	fail "rows differ: $(diff "$TMP/in.rows" "$TMP/out.rows" | tr '\n' ' ')"
check "the traps' data columns kept" \
	"$(sqlite3 "$B" "SELECT count(*), sum(addr), count(DISTINCT data_sym), sum(tsc_in) FROM traps")" \
	"$(sql "SELECT count(*), sum(addr), count(DISTINCT data_sym), sum(tsc_in) FROM traps WHERE run_id = 3")"
check "integrity" ok "$(sql "PRAGMA integrity_check")"

# Appending: the runs come after OUT's own (B again would be refused,
# merge_twice.sh: so a new run of the same guest).
C="$TMP/c.db"
"$RINGMON" run --db "$C" --variant c-rw build/tbk/mt-shared.elf > /dev/null 2> "$TMP/err" ||
	fail "run c-rw: $(tail -1 "$TMP/err")"
"$RINGMON" merge "$OUT" "$C" 2> /dev/null || fail "merge into an existing database"
check "appended as run 4" "4 c-rw" "$(sql "SELECT id || ' ' || variant FROM runs WHERE id = 4")"
sqlite3 "$C" "UPDATE runs SET start_time = '2000-01-01T00:00:00.000Z'"   # a run OUT lacks

# Wrong inputs: one line, non-zero, OUT unchanged or not created.
echo "not a database" > "$TMP/text.db"
sqlite3 "$TMP/other.db" "CREATE TABLE t (x)"
cp "$A" "$TMP/v1.db"
sqlite3 "$TMP/v1.db" "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
sum=$(cksum < "$OUT")
for bad in text other v1 missing; do
	"$RINGMON" merge "$OUT" "$C" "$TMP/$bad.db" 2> "$TMP/err"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "$bad: exit status $rc"
	case $bad in
	text | other) want="not a ringmon database" ;;
	v1) want="schema version '1'" ;;
	missing) want="no such database file" ;;
	esac
	check "$bad: message lines" 1 "$(wc -l < "$TMP/err")"
	grep -q "^ringmon: merge: $TMP/$bad.db: .*$want" "$TMP/err" && echo "  ok: $bad: $(cat "$TMP/err")" ||
		fail "$bad: the message says '$(cat "$TMP/err")', not '$want'"
	check "$bad: OUT unchanged" "$sum" "$(cksum < "$OUT")"
done
"$RINGMON" merge "$TMP/new.db" "$TMP/text.db" 2> /dev/null && fail "merge of a text file succeeded"
[ -e "$TMP/new.db" ] && fail "a failed merge created OUT" || echo "  ok: a failed merge creates no OUT"
cp "$TMP/text.db" "$TMP/text-out.db"
"$RINGMON" merge "$TMP/text-out.db" "$A" 2> /dev/null && fail "merge into a text file succeeded"
cmp -s "$TMP/text.db" "$TMP/text-out.db" && echo "  ok: a non-ringmon OUT is left alone" ||
	fail "a non-ringmon OUT was changed"
"$RINGMON" merge "$OUT" "$OUT" 2> /dev/null && fail "merging OUT into itself succeeded"
finish
