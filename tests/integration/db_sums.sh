# db_sums.sh — schema version 5 (docs/database.md): the summary views read
# trap_sums, written by the host beside the rows; they must say exactly what
# the version 4 views said over every row of traps, for real runs, after a
# kill -9 in the middle of one, and after a merge; and a large run takes at
# most 48 bytes a record on disk.
. tests/lib.sh
DB="$TMP/s.db"

"$RINGMON" run --db "$DB" --mode rw --variant hot build/tbk/hot.elf > /dev/null 2> "$TMP/err" ||
	fail "run hot: $(tail -1 "$TMP/err")"
"$RINGMON" run --db "$DB" --mode w --variant mt-shared build/tbk/mt-shared.elf > /dev/null 2> "$TMP/err" ||
	fail "run mt-shared: $(tail -1 "$TMP/err")"

# The version 4 views' queries, over the rows (the traps view), and the
# version 5 views, each as one text per run, in one order.
V4_KIND="SELECT run_id, kind, count(*), sum(tsc_out - tsc_in), min(tsc_out - tsc_in),
	max(tsc_out - tsc_in) FROM traps GROUP BY 1, 2 ORDER BY 1, 2"
V5_KIND="SELECT t.run_id, t.kind, k.n, total_cycles, min_cycles, max_cycles
	FROM trap_cost t JOIN traps_by_kind k USING (run_id, kind) ORDER BY 1, 2"
V4_SYM="SELECT run_id, region, data_sym, data_pad, count(*), sum(access = 'r'), sum(access = 'w')
	FROM traps WHERE kind = 'protected' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
V5_SYM="SELECT run_id, region, data_sym, data_pad, n, reads, writes FROM protected_by_symbol
	ORDER BY 1, 2, 3, 4"
V4_PAGE="SELECT run_id, addr - addr % 4096, gpa - gpa % 4096, count(*), sum(access = 'r'),
	sum(access = 'w'), sum(region = 'data') FROM traps WHERE kind = 'protected'
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
V5_PAGE="SELECT run_id, page, gpa_page, n, reads, writes, data_hits FROM page_hits ORDER BY 1, 2, 3"
V4_HITS="SELECT run_id, data_sym, data_pad, access, count(*), count(DISTINCT code_sym)
	FROM traps WHERE kind = 'protected' AND region = 'data' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
V5_HITS="SELECT run_id, data_sym, data_pad, access, n,
	length(code_syms) - length(replace(code_syms, ',', '')) + (code_syms IS NOT NULL)
	FROM protected_data_hits ORDER BY 1, 2, 3, 4"
V4_SPAN="SELECT run_id, count(*), min(tsc_in), max(tsc_out) FROM traps GROUP BY 1 ORDER BY 1"
V5_SPAN="SELECT run_id, sum(n), min(first_tsc), max(last_tsc) FROM trap_sums GROUP BY 1 ORDER BY 1"

# same_views WHAT: every version 5 view as its version 4 query says
same_views() {
	for v in KIND SYM PAGE HITS SPAN; do
		eval "old=\$V4_$v new=\$V5_$v"
		a=$(sql "$old") b=$(sql "$new")
		[ -n "$a" ] && [ "$a" = "$b" ] && echo "  ok: $1: $v as over the rows ($(echo "$a" | wc -l) rows)" ||
			fail "$1: $v: rows say '$a', the view '$b'"
	done
}
same_views "two runs"
check "protected traps on data in mt-shared" 1 \
	"$(sql "SELECT sum(n) > 0 FROM protected_data_hits WHERE run_id = 2")"

# SIGKILL in the middle of a run: what was committed agrees with itself.
flood_guest "$TMP/flood.elf"
"$RINGMON" run --db "$DB" --timeout 120 "$TMP/flood.elf" > /dev/null 2> "$TMP/err" &
pid=$!
wait_rows "$pid" 30000 "WHERE run_id = 3" > /dev/null
kill -KILL "$pid"
wait "$pid"
check "killed: integrity_check" ok "$(sql "PRAGMA integrity_check")"
check "killed: unfinished" 0 "$(sql "SELECT finished FROM runs WHERE id = 3")"
[ "$(sql "SELECT count(*) FROM traps WHERE run_id = 3")" -ge 30000 ] &&
	echo "  ok: killed after $(sql "SELECT count(*) FROM traps WHERE run_id = 3") rows" ||
	fail "the flood run had fewer than 30000 rows: $(cat "$TMP/err")"
same_views "after kill -9"

# Merged into another file, under new run ids, the views stay what they were.
"$RINGMON" run --db "$TMP/first.db" build/tbk/hot.elf > /dev/null 2>&1 || fail "run into first.db"
"$RINGMON" merge "$TMP/first.db" "$DB" 2> /dev/null || fail "merge"
for v in KIND SYM PAGE HITS SPAN; do
	eval "q=\$V5_$v"
	a=$(sql "$q" | sed 's/^[0-9]*|//')
	b=$(DB="$TMP/first.db" sql "$q" | sed -n '/^[234]|/s/^[0-9]*|//p')
	[ "$a" = "$b" ] && echo "  ok: merged: $v as before" || fail "merged: $v: '$a' became '$b'"
done
DB="$TMP/first.db" same_views "merged"

# Size: a run of 200,000 records (bench/pipeline, the records of every kind
# at 32 instructions), its file with the WAL over its records.
line=$(build/bench/pipeline -n 200000 --symbols build/bench/trap.elf --tmpdir "$TMP") ||
	fail "pipeline failed"
bpr=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^db_bytes_per_record=//p')
awk -v b="$bpr" 'BEGIN { exit !(b > 0 && b <= 48) }' && echo "  ok: $bpr bytes a record" ||
	fail "$bpr bytes a record, more than 48"
finish
