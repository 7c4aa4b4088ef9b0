# report_numbers.sh — every number in a generated report (ringmon report -o)
# and comparison (ringmon compare -o), read back from report.md and checked
# against a direct SQL query on the same database (docs/analysis.md gives
# the definitions these queries spell out).
. tests/lib.sh
DB="$TMP/r.db"
OUT="$TMP/out"

"$RINGMON" run --db "$DB" --variant shared build/tbk/mt-shared.elf > /dev/null 2> "$TMP/err" ||
	fail "run mt-shared: $(cat "$TMP/err")"
"$RINGMON" run --db "$DB" --variant bss --mode w build/tbk/mt-bss.elf > /dev/null 2> "$TMP/err" ||
	fail "run mt-bss: $(cat "$TMP/err")"

pct() { # PART WHOLE: the percentage, as SQLite computes it
	sql "SELECT CASE WHEN $2 = 0 THEN 0 ELSE 100.0 * ($1) / ($2) END"
}

# The rows of one kind's costs, nearest-rank percentile P (0.5, 0.99).
rank_value() { # RUN KIND N RANK_EXPR
	sql "SELECT d FROM (SELECT tsc_out - tsc_in AS d FROM traps WHERE run_id = $1
	     AND kind = '$2' ORDER BY d) LIMIT 1 OFFSET ($4) - 1"
}

check_report() { # RUN
	run=$1
	md="$OUT/run-$run/report.md"
	P="run $run"
	W="run_id = $run"
	"$RINGMON" report "$DB" --run "$run" -o "$OUT/run-$run" > /dev/null 2> "$TMP/err" ||
		{ fail "$P: report: $(cat "$TMP/err")"; return; }

	# --- summary ---
	md_rows Summary "$md" > "$TMP/summary"
	val() { awk -F'|' -v k="$1" '$1 == k { print $2 }' "$TMP/summary"; }
	span=$(sql "SELECT max(tsc_out) - min(tsc_in) FROM traps WHERE $W")
	mon=$(sql "SELECT sum(tsc_out - tsc_in) FROM traps WHERE $W")
	prot=$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected'")
	data=$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected' AND region = 'data'")
	check "$P summary span" "$span" "$(val 'span (cycles)')"
	check "$P summary in the monitor" "$mon" "$(val 'in the monitor (cycles)')"
	near "$P summary monitor share" "$(pct "$mon" "$span")" "$(val 'in the monitor, share of the span' | tr -d %)" 0.051
	check "$P summary traps" "$(sql "SELECT count(*) FROM traps WHERE $W")" "$(val traps)"
	check "$P summary protected" "$prot" "$(val 'protected-page traps')"
	check "$P summary on data" "$data" "$(val 'on unrelated data')"
	near "$P summary data share" "$(pct "$data" "$prot")" "$(val 'on unrelated data, share' | tr -d %)" 0.051
	check "$P summary on structures" "$((prot - data))" "$(val 'on the protected structures')"
	check "$P summary monitor counters" \
		"$(sql "SELECT records || ', ' || stalls || ', ' || dropped FROM runs WHERE id = $run")" \
		"$(val 'monitor: records, ring stalls, dropped')"
	set -- $(sed -n 's/^Of \([0-9]*\) protected-page traps, \([0-9]*\) (\([0-9.]*\)%) hit .*, and \([0-9]*\) (\([0-9.]*\)%) the .*/\1 \2 \3 \4 \5/p' "$md")
	check "$P summary sentence: protected" "$prot" "$1"
	check "$P summary sentence: data" "$data" "$2"
	near "$P summary sentence: data share" "$(pct "$data" "$prot")" "$3" 0.051
	check "$P summary sentence: structures" "$((prot - data))" "$4"
	near "$P summary sentence: structures share" "$(pct "$((prot - data))" "$prot")" "$5" 0.051

	# --- traps by kind, and the Markdown on stdout says the same ---
	md_rows "Traps by kind" "$md" > "$TMP/kinds"
	"$RINGMON" report "$DB" --run "$run" > "$TMP/stdout.md"
	md_rows "Traps by kind" "$TMP/stdout.md" | cmp -s - "$TMP/kinds" ||
		fail "$P: stdout and report.md differ in traps by kind"
	total=$(sql "SELECT count(*) FROM traps WHERE $W")
	while IFS='|' read -r kind n share monitor; do
		if [ "$kind" = total ]; then
			check "$P kinds total" "$total" "$n"
			check "$P kinds monitor total" "$(sql "SELECT n_protected + n_privileged + n_sbe +
				n_shadow_pf + n_guest_pf + n_exception + n_irq + n_scan + n_smc FROM runs WHERE id = $run")" "$monitor"
			continue
		fi
		check "$P kind $kind" "$(sql "SELECT count(*) FROM traps WHERE $W AND kind = '$kind'")" "$n"
		near "$P kind $kind share" "$(pct "$n" "$total")" "${share%\%}" 0.051
		check "$P kind $kind monitor" "$(sql "SELECT n_$kind FROM runs WHERE id = $run")" "$monitor"
	done < "$TMP/kinds"

	# --- regions ---
	md_rows "Protected-page traps by region" "$md" | while IFS='|' read -r region n share; do
		check "$P region $region" "$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected' AND region = '$region'")" "$n"
		near "$P region $region share" "$(pct "$n" "$prot")" "${share%\%}" 0.051
	done

	# --- hotspots ---
	md_rows "Hotspots: what the protected-page traps hit" "$md" > "$TMP/hot"
	[ -s "$TMP/hot" ] || fail "$P: no hotspot rows"
	while IFS='|' read -r sym region reads writes n pages codes; do
		case $sym in
		'(padding)') F="data_sym IS NULL AND data_pad = 1" ;;
		'(no symbol)') F="data_sym IS NULL AND data_pad = 0" ;;
		*) F="data_sym = '$sym'" ;;
		esac
		F="$W AND kind = 'protected' AND region = '$region' AND $F"
		check "$P hotspot $sym reads" "$(sql "SELECT count(*) FROM traps WHERE $F AND access = 'r'")" "$reads"
		check "$P hotspot $sym writes" "$(sql "SELECT count(*) FROM traps WHERE $F AND access = 'w'")" "$writes"
		check "$P hotspot $sym traps" "$(sql "SELECT count(*) FROM traps WHERE $F")" "$n"
		check "$P hotspot $sym pages" "$(sql "SELECT group_concat(p, ', ') FROM (SELECT DISTINCT
			printf('%08x', addr - addr % 4096) AS p FROM traps WHERE $F ORDER BY p)")" "$pages"
		sum=0
		echo "$codes" | tr ';' '\n' | sed 's/^ //' > "$TMP/codes"
		while read -r item; do
			cnt=${item##* }
			code=${item%% *}
			line=$(echo "$item" | sed -n 's/.*:\([0-9]*\)) [0-9]*$/\1/p')
			check "$P hotspot $sym: $code line ${line:--}" \
				"$(sql "SELECT count(*) FROM traps WHERE $F AND code_sym = '$code' AND code_line IS ${line:-NULL}")" "$cnt"
			sum=$((sum + cnt))
		done < "$TMP/codes"
		check "$P hotspot $sym: code counts add up" "$n" "$sum"
	done < "$TMP/hot"

	# --- page map: each page's sentence and each listing line ---
	awk '/^## Page map/ { on = 1; next } on && /^## / { exit } on' "$md" > "$TMP/pages"
	grep -c '^Page `' "$TMP/pages" > /dev/null || fail "$P: no pages in the page map"
	page='' gpa='' sympage=''
	while IFS= read -r l; do
		case $l in
		'Page `'*'(guest-physical'*)
			page=$(echo "$l" | sed 's/^Page `\([0-9a-f]*\)`.*/\1/')
			gpa=$(echo "$l" | sed 's/.*guest-physical `\([0-9a-f]*\)`.*/\1/')
			sympage=$(echo "$l" | sed -n 's/.*symbols of page `\([0-9a-f]*\)`.*/\1/p')
			sympage=${sympage:-$page}
			PF="$W AND kind = 'protected' AND addr - addr % 4096 = 0x$page AND gpa - gpa % 4096 = 0x$gpa"
			set -- $(echo "$l" | sed 's/.*): \([0-9]*\) protected traps, \([0-9]*\) on unrelated.*/\1 \2/')
			check "$P page $page traps" "$(sql "SELECT count(*) FROM traps WHERE $PF")" "$1"
			check "$P page $page on data" "$(sql "SELECT count(*) FROM traps WHERE $PF AND region = 'data'")" "$2"
			;;
		'Page `'*) page='' ;;   # a table's page without traps: every count is 0
		[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' '*)
			set -- $l
			r=${5#r=} w=${6#w=} x=${7#x=}
			if [ -z "$page" ]; then
				check "$P untouched page: $3" "0 0 0" "$r $w $x"
				continue
			fi
			if [ "$3" = "(padding)" ]; then
				continue   # checked below, as what no symbol line took
			fi
			lo=$(( 0x$1 > 0x$sympage ? 0x$1 : 0x$sympage ))
			hi=$(( 0x$1 + $4 ))
			A="$PF AND addr - 0x$page + 0x$sympage >= $lo AND addr - 0x$page + 0x$sympage < $hi"
			check "$P page $page $3 r/w/x" \
				"$(sql "SELECT count(*) FILTER (WHERE access = 'r') || ' ' || count(*) FILTER (WHERE access = 'w')
				     || ' ' || count(*) FILTER (WHERE access = 'x') FROM traps WHERE $A")" \
				"$r $w $x"
			;;
		esac
	done < "$TMP/pages"
	# the page lines' counts add up to each page's traps (padding included)
	awk '/^Page `.*guest-physical/ { if (p != "") print p, t; p = $2; t = 0; n = $0;
			sub(/.*\): /, "", n); sub(/ protected.*/, "", n); want[$2] = n }
	     length($1) == 8 && $1 ~ /^[0-9a-f]+$/ { for (i = 5; i <= 7; i++) { v = $i; sub(/.*=/, "", v); t += v } }
	     END { if (p != "") print p, t; for (k in want) print "want", k, want[k] }' \
		"$TMP/pages" > "$TMP/sums"
	grep -v '^want' "$TMP/sums" | while read -r p t; do
		check "$P page $p: symbol lines add up" "$(awk -v p="$p" '$1 == "want" && $2 == p { print $3 }' "$TMP/sums")" "$t"
	done

	# --- trap rate: the bin width, and the rates times the width give the counts ---
	width=$(sed -n 's/^Traps per million cycles, in 100 bins of \([0-9]*\) cycles.*/\1/p' "$md")
	near "$P rate bin width" "$(sql "SELECT ($span + 1) / 100.0")" "$width" 0.5
	for k in $(head -n 1 "$OUT/run-$run/rate.dat" | cut -f 2-); do
		col=$(head -n 1 "$OUT/run-$run/rate.dat" | tr '\t' '\n' | grep -nx "$k" | cut -d: -f1)
		n=$(sql "SELECT count(*) FROM traps WHERE $W AND kind = '$k'")
		near "$P rate.dat $k adds up to its traps" "$n" \
			"$(awk -F'\t' -v c="$col" -v w="$(sql "SELECT ($span + 1) / 100.0")" \
				'NR > 1 && $c != "NaN" { s += $c * w / 1e6 } END { printf "%.1f", s }' \
				"$OUT/run-$run/rate.dat")" "$((n / 500 + 1))"
	done

	# --- cost per kind ---
	md_rows "Time in the monitor by kind" "$md" | while IFS='|' read -r kind n mean median p99 min max tot share; do
		K="$W AND kind = '$kind'"
		check "$P cost $kind traps" "$(sql "SELECT count(*) FROM traps WHERE $K")" "$n"
		near "$P cost $kind mean" "$(sql "SELECT avg(tsc_out - tsc_in) FROM traps WHERE $K")" "$mean" 0.51
		check "$P cost $kind median" "$(rank_value "$run" "$kind" "$n" "($n + 1) / 2")" "$median"
		check "$P cost $kind p99" "$(rank_value "$run" "$kind" "$n" "(99 * $n + 99) / 100")" "$p99"
		check "$P cost $kind min/max/total" \
			"$(sql "SELECT min(tsc_out - tsc_in) || ' ' || max(tsc_out - tsc_in) || ' ' || sum(tsc_out - tsc_in) FROM traps WHERE $K")" \
			"$min $max $tot"
		near "$P cost $kind share" "$(pct "$tot" "$span")" "${share%\%}" 0.0051
	done
}

check_report 1
check_report 2

# --- the comparison ---
"$RINGMON" compare "$DB" -o "$OUT" > /dev/null 2> "$TMP/err" || fail "compare: $(cat "$TMP/err")"
md="$OUT/report.md"
grep -q '\[1\](run-1/index.html)' "$md" || fail "compare: no link to run 1's report"
md_rows Measures "$md" > "$TMP/measures"
check "compare: a row per run" 2 "$(wc -l < "$TMP/measures")"
first=''
while IFS='|' read -r run kernel variant mode ended traps prot data tables share span mon monshare pmean; do
	W="run_id = $run"
	check "compare run $run variant, mode" "$(sql "SELECT coalesce(variant, '-') || ' ' || mode FROM runs WHERE id = $run")" "$variant $mode"
	check "compare run $run kernel" "$(sql "SELECT kernel FROM runs WHERE id = $run")" "${kernel##*/}"
	check "compare run $run ended" exit "$ended"
	check "compare run $run traps" "$(sql "SELECT count(*) FROM traps WHERE $W")" "$traps"
	check "compare run $run protected" "$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected'")" "$prot"
	check "compare run $run on data" "$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected' AND region = 'data'")" "$data"
	check "compare run $run on tables" "$(sql "SELECT count(*) FROM traps WHERE $W AND kind = 'protected' AND region <> 'data'")" "$tables"
	near "compare run $run data share" "$(pct "$data" "$prot")" "${share%\%}" 0.051
	check "compare run $run span" "$(sql "SELECT max(tsc_out) - min(tsc_in) FROM traps WHERE $W")" "$span"
	check "compare run $run in the monitor" "$(sql "SELECT sum(tsc_out - tsc_in) FROM traps WHERE $W")" "$mon"
	near "compare run $run monitor share" "$(pct "$mon" "$span")" "${monshare%\%}" 0.051
	near "compare run $run protected mean" "$(sql "SELECT avg(tsc_out - tsc_in) FROM traps WHERE $W AND kind = 'protected'")" "$pmean" 0.51
	[ -z "$first" ] && first="$traps $prot $data $tables $span $mon $pmean"
done < "$TMP/measures"
md_rows "Ratios to run 1" "$md" > "$TMP/ratios"
paste -d'|' "$TMP/measures" "$TMP/ratios" | while IFS='|' read -r run _ _ _ _ traps prot data tables _ span mon _ pmean _ _ _ _ rtraps rprot rdata rtables rspan rmon rpmean; do
	set -- $first
	for pair in "$traps:$1:$rtraps" "$prot:$2:$rprot" "$data:$3:$rdata" "$tables:$4:$rtables" \
		    "$span:$5:$rspan" "$mon:$6:$rmon" "$pmean:$7:$rpmean"; do
		v=${pair%%:*} rest=${pair#*:} f=${rest%%:*} got=${rest#*:}
		if [ "$f" = 0 ]; then
			[ "$v" = 0 ] && want='=' || want=new
			check "compare ratio run $run ($v over $f)" "$want" "$got"
		else
			near "compare ratio run $run ($v over $f)" "$(awk -v a="$v" -v b="$f" 'BEGIN { print a / b }')" "${got%x}" 0.0051
		fi
	done
done
for table in "Traps by kind" "Mean time in the monitor per trap, by kind"; do
	kinds=$(awk -v h="## $table" '$0 == h { on = 1; next } on && /^\| run/ { print; exit }' "$md" |
		sed -e 's/^| run | kernel | //' -e 's/ |$//' -e 's/ | / /g')
	md_rows "$table" "$md" | while IFS='|' read -r run _kernel rest; do
		i=0
		for k in $kinds; do
			i=$((i + 1))
			got=$(echo "$rest" | cut -d'|' -f$i)
			if [ "$table" = "Traps by kind" ]; then
				check "compare run $run kind $k" "$(sql "SELECT count(*) FROM traps WHERE run_id = $run AND kind = '$k'")" "$got"
			else
				near "compare run $run mean $k" "$(sql "SELECT coalesce(avg(tsc_out - tsc_in), 0) FROM traps WHERE run_id = $run AND kind = '$k'")" "$got" 0.51
			fi
		done
	done
done
md_rows "Unrelated data hit, by symbol" "$md" > "$TMP/syms"
[ -s "$TMP/syms" ] || fail "compare: no unrelated data symbols"
while IFS='|' read -r sym r1 r2; do
	check "compare $sym in run 1, run 2" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id = 1 AND kind = 'protected' AND region = 'data' AND coalesce(data_sym, '(padding)') = '$sym'") $(sql "SELECT count(*) FROM traps WHERE run_id = 2 AND kind = 'protected' AND region = 'data' AND coalesce(data_sym, '(padding)') = '$sym'")" \
		"$r1 $r2"
done < "$TMP/syms"
finish
