# merge_twice.sh — merge refuses runs the output already has (the same
# guest_sha256, start_time and host: the same run, whatever its id): the same
# input twice, again, or a copy of it, on one line, exit 2, OUT unchanged;
# and an empty OUT name.  New runs in an input still merge.
. tests/lib.sh
A="$TMP/a.db"
OUT="$TMP/out.db"
DB="$OUT"
"$RINGMON" run --accel tcg --db "$A" "$TBK" > /dev/null 2>&1 || fail "run 1"
"$RINGMON" run --accel tcg --db "$A" "$TBK" > /dev/null 2>&1 || fail "run 2"
"$RINGMON" merge "$OUT" "$A" 2> /dev/null
check "first merge" 0 "$?"
sum=$(cksum < "$OUT")

# refuse NAME WANT ARGS...
refuse() {
	name=$1
	want=$2
	shift 2
	"$RINGMON" merge "$@" 2> "$TMP/err"
	check "$name: exit status" 2 "$?"
	check "$name: message lines" 1 "$(wc -l < "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" && echo "  ok: $name: $(cat "$TMP/err")" ||
		fail "$name: the message says '$(cat "$TMP/err")', not '$want'"
}
refuse "again" "$A: 2 of its 2 runs are already in $OUT" "$OUT" "$A"
check "again: OUT unchanged" "$sum" "$(cksum < "$OUT")"
cp "$A" "$TMP/copy.db"
refuse "a copy" "$TMP/copy.db: 2 of its 2 runs are already in $OUT" "$OUT" "$TMP/copy.db"
check "a copy: OUT unchanged" "$sum" "$(cksum < "$OUT")"
refuse "twice in one merge" "$A: given twice" "$TMP/new.db" "$A" "$A"
refuse "a copy in one merge" "$TMP/copy.db: 2 of its 2 runs are already in $A" \
	"$TMP/new.db" "$A" "$TMP/copy.db"
[ -e "$TMP/new.db" ] && fail "a refused merge created OUT" || echo "  ok: no OUT created"
refuse "empty OUT name" "an empty file name for OUT" "" "$A"
check "runs in OUT" 2 "$(sql "SELECT count(*) FROM runs")"

# A run added to A since: A now has one new run and two merged ones.
"$RINGMON" run --accel tcg --db "$A" "$TBK" > /dev/null 2>&1 || fail "run 3"
refuse "partly merged" "$A: 2 of its 3 runs are already in $OUT" "$OUT" "$A"
"$RINGMON" run --accel tcg --db "$TMP/b.db" "$TBK" > /dev/null 2>&1 || fail "run b"
"$RINGMON" merge "$OUT" "$TMP/b.db" 2> /dev/null
check "a new input merges" 0 "$?"
check "runs in OUT" 3 "$(sql "SELECT count(*) FROM runs")"
check "integrity_check" ok "$(sql "PRAGMA integrity_check")"
check "every run: rows == monitor's records" "" "$(sql "SELECT id FROM runs r WHERE records !=
	(SELECT count(*) FROM traps t WHERE t.run_id = r.id)")"
finish
