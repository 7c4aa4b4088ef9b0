# knobs_doc.sh — the research knobs are one table (trace/knobs_table.h):
# `ringmon run --help` lists them from it, and the docs must say the same.
# Every knob has its runs column in docs/database.md naming every value, an
# entry in the README's usage; and every value is accepted by `ringmon run`
# and `ringmon sweep` alike while a value outside the table is refused by
# both, before anything starts (exit 2, one line).
. tests/lib.sh
"$RINGMON" run --help | sed -n '/^The research knobs/,$p' |
	sed -n 's/^  --\([a-z]*\) \(LIST of \)\{0,1\}\([^ ]*\)$/\1 \3/p' > "$TMP/knobs"
check "knobs listed by run --help" 6 "$(wc -l < "$TMP/knobs")"
while read -r name values; do
	row=$(grep "^| $name |" docs/database.md)
	[ -n "$row" ] || { fail "$name: no runs column in docs/database.md"; continue; }
	grep -q -- "\[--$name " README.md || fail "$name: not in the README's usage"
	[ "$values" = N ] && values=
	for v in $(echo "$values" | tr '|,' '  '); do
		echo "$row" | grep -qE "[\`,]$v[\`,]" || fail "$name: docs/database.md does not name '$v'"
		# the monitor takes it too: a run with it starts (deterministic, tiny)
		"$RINGMON" sweep --list -o "$TMP/s.db" "--$name" "$v" "$TBK" > /dev/null 2>&1 ||
			fail "$name=$v: refused by sweep"
	done
	echo "  ok: $name: documented${values:+ with its values ($values)}"
	for cmd in "run --db $TMP/r.db" "sweep --list -o $TMP/s.db" "sweep -o $TMP/s.db"; do
		# shellcheck disable=SC2086
		"$RINGMON" $cmd "--$name" bogus "$TBK" > /dev/null 2> "$TMP/err"
		check "$name=bogus: ${cmd%% *} refuses it" "2 1" "$? $(wc -l < "$TMP/err")"
	done
done < "$TMP/knobs"
{ [ -e "$TMP/r.db" ] || [ -e "$TMP/s.db" ] || [ -e "$TMP/s.db.d" ]; } && fail "a refused run or sweep made files" || echo "  ok: nothing made"
# every value reaches the monitor: one run per value of each choice knob
for m in rw w off; do
	"$RINGMON" run --db "$TMP/m.db" --mode "$m" --deterministic "$TBK" > /dev/null 2>&1 ||
		fail "--mode $m: the run failed"
done
check "mode recorded per run" "rw w off" "$(sqlite3 "$TMP/m.db" "SELECT group_concat(mode, ' ') FROM runs")"
finish
