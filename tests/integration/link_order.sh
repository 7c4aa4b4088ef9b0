# link_order.sh — the link-order experiment (docs/experiments.md): every
# variant of mt runs under the monitor with the native transcript; the
# comparison shows no unrelated-data trap for the page-aligned layout and
# some for the layouts that share the tables' pages; and `ringmon layout`,
# which runs nothing, predicts which pages are shared: every page where a
# run measured unrelated-data traps is one layout lists as shared, with the
# symbols hit among the ones it lists there.
. tests/lib.sh
DB="$TMP/lo.db"
native_transcript build/tbk/mt.elf > "$TMP/native.txt" 2> /dev/null

for k in $MT_VARIANTS; do
	for mode in rw w; do
		[ "$mode" = w ] && [ "$k" != mt-aligned ] && continue
		"$RINGMON" run --db "$DB" --mode "$mode" --variant "${k#mt-}" "build/tbk/$k.elf" \
			> "$TMP/$k.txt" 2> "$TMP/err" || fail "$k $mode: $(tail -1 "$TMP/err")"
		cmp -s "$TMP/native.txt" "$TMP/$k.txt" && echo "  ok: $k $mode: the native transcript" ||
			fail "$k $mode: the transcript differs from mt's native one"
	done
done

"$RINGMON" compare "$DB" -o "$TMP/cmp" > /dev/null 2> "$TMP/err" || fail "compare: $(cat "$TMP/err")"
md_rows Measures "$TMP/cmp/report.md" > "$TMP/measures"
while IFS='|' read -r run _kernel variant mode _ended traps prot data rest; do
	check "run $run: variant recorded" "$variant" "$(sql "SELECT variant FROM runs WHERE id = $run")"
	case $variant in
	aligned) check "$variant $mode: unrelated-data traps" 0 "$data" ;;
	shared | bss)
		[ "$data" -gt 0 ] && echo "  ok: $variant $mode: $data unrelated-data traps" ||
			fail "$variant $mode: no unrelated-data traps" ;;
	*) echo "  ok: $variant $mode: $data unrelated-data traps (a shuffle: whatever it measures)" ;;
	esac
done < "$TMP/measures"

for k in $MT_VARIANTS; do
	v=${k#mt-}
	"$RINGMON" layout "build/tbk/$k.elf" > "$TMP/$v.layout" 2> "$TMP/err" ||
		fail "layout $k: $(cat "$TMP/err")"
	shared=$(sed -n 's/^page \([0-9a-f]*\) (.*): shared with .*/\1/p' "$TMP/$v.layout" | sort)
	case $v in
	aligned) check "layout $k: pages shared" "" "$shared" ;;
	shared | bss) [ -n "$shared" ] && echo "  ok: layout $k: shared pages $(echo $shared)" ||
		fail "layout $k predicts no shared page" ;;
	esac
	# measured, by guest-physical page (the kernel is identity-mapped, so an
	# alias's frame is the page layout names)
	for run in $(sql "SELECT id FROM runs WHERE variant = '$v'"); do
		hit=$(sql "SELECT DISTINCT printf('%08x', gpa - gpa % 4096) FROM traps WHERE run_id = $run
			   AND kind = 'protected' AND region = 'data' ORDER BY 1")
		for p in $hit; do
			echo "$shared" | grep -qx "$p" && echo "  ok: $k run $run: page $p measured and predicted shared" ||
				fail "$k run $run: unrelated-data traps on page $p, which layout did not call shared"
		done
		[ -z "$hit" ] && [ -n "$shared" ] && echo "  ok: $k run $run: nothing hit on the shared pages (predicted, not touched)"
		[ -z "$shared" ] && check "$k run $run: unrelated-data traps where layout predicts none" "" "$hit"
		# the symbols hit through their own address are listed on their page
		for s in $(sql "SELECT DISTINCT data_sym FROM traps WHERE run_id = $run AND kind = 'protected'
				AND region = 'data' AND addr = gpa AND data_sym IS NOT NULL"); do
			grep -q "^[0-9a-f]\{8\} . $s " "$TMP/$v.layout" && echo "  ok: $k: $s hit and listed by layout" ||
				fail "$k: $s was hit but layout does not list it"
		done
	done
done
grep -q '^warning: hot-looking data shares' "$TMP/bss.layout" && echo "  ok: layout warns about mt-bss's hot neighbours" ||
	fail "layout does not warn about mt-bss's timer variables"
grep -q 'ticks .*! hot-looking: tick' "$TMP/bss.layout" || fail "layout does not flag ticks"
finish
