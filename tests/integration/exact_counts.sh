# exact_counts.sh — oracle 2: every load and store the test kernel makes to
# a variable sharing its GDT or IDT page is exactly one protected trap with
# that variable's symbol and the right access type (numbers from hot.h).
. tests/lib.sh
DB="$TMP/x.db"
SYMS="hot_ticks hot_lock hot_jiffies gdt_table"

count() { # RUN SYM ACCESS
	sql "SELECT count(*) FROM traps WHERE run_id=$1 AND kind='protected'
	     AND data_sym='$2' AND access='$3'"
}

for emulate in decode step; do
	for mode in rw w off; do
		"$RINGMON" run --db "$DB" --mode "$mode" --emulate "$emulate" "$TBK" \
			> /dev/null 2> "$TMP/err.txt" || fail "run $mode/$emulate: $(cat "$TMP/err.txt")"
		run=$(last_run)
		total=0
		for s in $SYMS; do
			r=$(expect "EXPECT_${s}_r")
			w=$(expect "EXPECT_${s}_w")
			case $mode in
			rw) ;;
			w) r=0 ;;
			off) r=0 w=0 ;;
			esac
			check "$mode/$emulate $s reads" "$r" "$(count "$run" "$s" r)"
			check "$mode/$emulate $s writes" "$w" "$(count "$run" "$s" w)"
			total=$((total + r + w))
		done
		# Nothing else touches these pages, so nothing else may trap.
		check "$mode/$emulate all protected traps" "$total" \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='protected'")"
		check "$mode/$emulate hot data is region 'data'" 0 \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND data_sym LIKE 'hot_%' AND region<>'data'")"
		check "$mode/$emulate gdt_table is region 'gdt'" 0 \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND data_sym='gdt_table' AND region<>'gdt'")"
		check "$mode/$emulate emulation path" 0 \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='protected' AND emul<>'$emulate'")"
	done
done
finish
