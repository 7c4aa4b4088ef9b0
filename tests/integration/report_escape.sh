# report_escape.sh — text from outside (a guest path with a newline, '|' or
# '\' in it) stays inside its table cell: in report.md every row of the run
# table is one line with its two cells, the path shown with \n and \|, and
# index.html shows the same text.
. tests/lib.sh
DB="$TMP/e.db"
nl='
'
guest="$TMP/a|b${nl}c\\d.elf"
cp "$TBK" "$guest" || fail "cannot copy the guest"
"$RINGMON" run --db "$DB" "$guest" > /dev/null 2>&1 || fail "run failed"
"$RINGMON" report "$DB" -o "$TMP/r" > /dev/null 2>&1 || fail "report failed"
md=$TMP/r/report.md
[ -f "$md" ] || fail "no report.md"
want="a\\|b\\\\nc\\\\d.elf"
grep -F "| guest | $TMP/$want (sha256 " "$md" > /dev/null &&
	echo "  ok: report.md: the guest row is one line, newline, bar and backslash escaped" ||
	fail "report.md: guest row: $(grep -n -A1 '^| guest' "$md" | head -3)"
# every line of every table has the bars of its header
bad=$(awk '/^\|/ { line = $0; gsub(/\\\\/, "", line); gsub(/\\\|/, "", line)
		n = gsub(/\|/, "|", line); if (!hdr) hdr = n; if (n != hdr) print NR ": " $0; next }
	{ hdr = 0 }' "$md")
check "report.md: table rows with another number of cells than their header" "" "$bad"
grep -F "<td>$TMP/a|b\\nc\\d.elf (sha256 " "$TMP/r/index.html" > /dev/null &&
	echo "  ok: index.html shows the same text" ||
	fail "index.html: $(grep -F 'a|b' "$TMP/r/index.html" | head -2)"
finish
