# foreign_db.sh — run --db refuses a file that is neither empty nor a
# ringmon database (someone else's SQLite database, a text file) and an
# empty name: exit 2, one line, the file byte for byte as it was, no -wal or
# -shm left; an empty file (mktemp) or an empty SQLite database is taken.
. tests/lib.sh

# refuse NAME WANT FILE: run --db FILE is refused with WANT, FILE unchanged
refuse() {
	name=$1
	want=$2
	cp "$3" "$TMP/before"
	"$RINGMON" run --accel tcg --db "$3" "$TBK" > /dev/null 2> "$TMP/err"
	check "$name: exit status" 2 "$?"
	check "$name: message lines" 1 "$(wc -l < "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" && echo "  ok: $name: $(cat "$TMP/err")" ||
		fail "$name: the message says '$(cat "$TMP/err")', not '$want'"
	cmp -s "$TMP/before" "$3" && echo "  ok: $name: the file is unchanged" ||
		fail "$name: the file was changed"
	check "$name: no -wal or -shm left" "" "$(ls "$3-wal" "$3-shm" 2> /dev/null)"
}

sqlite3 "$TMP/theirs.db" "CREATE TABLE runs (id INTEGER PRIMARY KEY, who TEXT);
	INSERT INTO runs (who) VALUES ('someone else')"
refuse "foreign runs table" "not a ringmon database" "$TMP/theirs.db"
check "their runs table as it was" "1|someone else" "$(sqlite3 "$TMP/theirs.db" "SELECT * FROM runs")"
check "no ringmon schema added" "runs" "$(sqlite3 "$TMP/theirs.db" "SELECT group_concat(name) FROM sqlite_master")"
sqlite3 "$TMP/notes.db" "CREATE TABLE notes (t TEXT); CREATE VIEW v AS SELECT t FROM notes"
refuse "foreign tables" "not a ringmon database" "$TMP/notes.db"
sqlite3 "$TMP/meta.db" "CREATE TABLE meta (k, v); INSERT INTO meta VALUES ('schema_version', 3)"
refuse "a meta table of its own" "not a ringmon database" "$TMP/meta.db"
sqlite3 "$TMP/wal.db" "PRAGMA journal_mode = delete; CREATE TABLE t (x)" > /dev/null
refuse "a foreign database keeps its journal mode" "not a ringmon database" "$TMP/wal.db"
check "journal mode still delete" delete "$(sqlite3 "$TMP/wal.db" "PRAGMA journal_mode")"
echo "not a database" > "$TMP/text.db"
refuse "text file" "file is not a database" "$TMP/text.db"

"$RINGMON" run --accel tcg --db '' "$TBK" > /dev/null 2> "$TMP/err"
check "empty name: exit status" 2 "$?"
check "empty name: message" "ringmon: an empty database file name" "$(cat "$TMP/err")"

# What may be used: an empty file, an empty SQLite database, ringmon's own.
: > "$TMP/empty.db"
sqlite3 "$TMP/blank.db" "PRAGMA user_version = 7"
for f in empty blank; do
	DB="$TMP/$f.db"
	"$RINGMON" run --accel tcg --db "$DB" "$TBK" > /dev/null 2> "$TMP/err" || fail "$f: $(cat "$TMP/err")"
	check "$f: rows == records" "$(sql "SELECT records FROM runs WHERE id = 1")" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id = 1")"
	check "$f: integrity_check" ok "$(sql "PRAGMA integrity_check")"
done
"$RINGMON" run --accel tcg --db "$DB" "$TBK" > /dev/null 2>&1 || fail "a second run into ringmon's own"
check "second run appended" 2 "$(last_run)"
finish
