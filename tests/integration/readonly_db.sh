# readonly_db.sh — a valid database on a read-only filesystem: report,
# compare and merge (its inputs) read it (read-only, immutable there, since
# no -shm file can be made); run --db and merge OUT, which must write, say
# "read-only" on one line, exit 2 and change nothing.
. tests/lib.sh
. tests/tmpfs.sh
MNT="$TMP/ro"
mount_tmpfs "$MNT" 16m
DB="$MNT/a.db"
"$RINGMON" run --accel tcg --db "$DB" "$TBK" > /dev/null 2>&1 || fail "run on the tmpfs"
records=$(sql "SELECT records FROM runs WHERE id = 1")
mount -o remount,ro "$MNT" || { fail "cannot remount read-only"; finish; }
sum=$(cksum < "$DB")

"$RINGMON" report "$DB" -o "$TMP/report" > /dev/null 2> "$TMP/err"
check "report exit status" 0 "$?"
grep -q "$records" "$TMP/report/report.md" && echo "  ok: the report has the run's $records records" ||
	fail "report: $(cat "$TMP/err")"
"$RINGMON" compare "$DB" -o "$TMP/compare" > /dev/null 2> "$TMP/err"
check "compare exit status" 0 "$?"
"$RINGMON" merge "$TMP/out.db" "$DB" 2> "$TMP/err"
check "merge from it: exit status" 0 "$?"
check "merge from it: rows" "$records" "$(sqlite3 "$TMP/out.db" "SELECT count(*) FROM traps")"
check "merge from it: integrity_check" ok "$(sqlite3 "$TMP/out.db" "PRAGMA integrity_check")"

# must_refuse NAME ARGS...: exit 2, one line saying read-only
must_refuse() {
	name=$1
	shift
	"$RINGMON" "$@" > /dev/null 2> "$TMP/err"
	check "$name: exit status" 2 "$?"
	check "$name: message lines" 1 "$(wc -l < "$TMP/err")"
	grep -q "^ringmon: .*[Rr]ead-only" "$TMP/err" && echo "  ok: $name: $(cat "$TMP/err")" ||
		fail "$name: $(cat "$TMP/err")"
}
must_refuse "run --db existing" run --accel tcg --db "$DB" "$TBK"
must_refuse "run --db new" run --accel tcg --db "$MNT/new.db" "$TBK"
must_refuse "merge into existing" merge "$DB" "$TMP/out.db"
must_refuse "merge into new" merge "$MNT/new.db" "$TMP/out.db"
check "the database is unchanged" "$sum" "$(cksum < "$DB")"
check "nothing created" "a.db" "$(ls "$MNT")"
finish
