# bench_json.sh — `make bench` end to end in its quick mode (BENCH_QUICK=1:
# every figure at tiny sizes, 5 repetitions, into build/bench-quick/), then
# its results.json checked for what issue 7 asks of it: `accel`, `host`, and
# per figure `median`, `min`, `max`, `unit`, for the figures below, with
# min <= median <= max, nothing lost, and positive what must be.  Not speed.
. tests/lib.sh
for t in qemu-system-i386 sqlite3 gnuplot size; do
	command -v $t > /dev/null || { fail "$t missing (make deps installs it)"; finish; }
done
[ -x /usr/bin/time ] || { fail "/usr/bin/time missing (make deps installs it)"; finish; }
for f in build/bench/trap.elf build/bench/floor.elf build/bench/compute.elf \
	 build/bench/pipeline build/tbk/mt.elf; do
	[ -f "$f" ] || { fail "$f missing (make all builds it)"; finish; }
done

JSON=build/bench-quick/results.json
rm -f "$JSON"
BENCH_QUICK=1 sh bench/run.sh > "$TMP/bench.out" 2>&1 ||
	{ fail "bench/run.sh failed: $(tail -n 5 "$TMP/bench.out")"; finish; }
[ -f "$JSON" ] || { fail "no $JSON"; finish; }

# q SQL: SQL over the document, bound as the table doc(j)
q() {
	sqlite3 -batch -noheader :memory: \
		"WITH doc(j) AS (SELECT CAST(readfile('$JSON') AS TEXT)) $1"
}
check "valid JSON" 1 "$(q "SELECT json_valid(j) FROM doc")"
check "quick mode recorded" 1 "$(q "SELECT json_extract(j, '\$.quick') FROM doc")"
# the accelerator and CPU model are the ones `ringmon run --accel auto` uses
# here, in the results and in every monitored run of the benchmark
check "accel is ringmon's" "$(accel_field accel)" "$(q "SELECT json_extract(j, '\$.accel') FROM doc")"
check "qemu_cpu is ringmon's" "$(accel_field cpu)" "$(q "SELECT json_extract(j, '\$.qemu_cpu') FROM doc")"
check "accel_why is ringmon's" "$(accel_field why)" "$(q "SELECT json_extract(j, '\$.accel_why') FROM doc")"
check "the monitored runs' accelerators" "$(accel_field accel) $(accel_field cpu)" \
	"$(sqlite3 -separator ' ' build/bench-quick/bench.db \
		"SELECT DISTINCT accel, cpu FROM runs WHERE deterministic = 0")"
[ -n "$(q "SELECT json_extract(j, '\$.host') FROM doc")" ] && echo "  ok: host given" ||
	fail "no host"
reps=$(q "SELECT json_extract(j, '\$.repetitions') FROM doc")
[ "${reps:-0}" -ge 5 ] && echo "  ok: $reps repetitions" || fail "repetitions '$reps'"

# Every figure: the four fields, numbers where numbers belong, in order.
bad=$(q "SELECT key FROM doc, json_each(doc.j)
	 WHERE type = 'object' AND (
	   json_type(value, '\$.median') NOT IN ('integer', 'real') OR
	   json_type(value, '\$.min') NOT IN ('integer', 'real') OR
	   json_type(value, '\$.max') NOT IN ('integer', 'real') OR
	   json_type(value, '\$.unit') IS NOT 'text' OR
	   json_extract(value, '\$.unit') = '' OR
	   NOT (json_extract(value, '\$.min') <= json_extract(value, '\$.median') AND
		json_extract(value, '\$.median') <= json_extract(value, '\$.max')))
	   AND key <> 'n'")
check "figures without median/min/max/unit in order" "" "$bad"

# The figures issue 7 names, each measured in every repetition; > 0 where a
# figure is a cost, a rate or a ratio (its min, or its median for TSC costs
# that a loaded machine may blur).
need="trap_cycles_floor trap_cycles_decode trap_cycles_step trapfree_slowdown
      pipeline_records_per_s pipeline_lost db_bytes_per_record"
[ -n "$(q "SELECT 1 FROM doc WHERE json_type(j, '\$.linux_slowdown') = 'object'")" ] &&
	need="$need linux_slowdown"
for k in $need; do
	check "$k measured in every repetition" "$reps" \
		"$(q "SELECT json_extract(j, '\$.$k.runs') FROM doc")"
done
for k in trap_cycles_floor trap_cycles_decode trap_cycles_step; do
	check "$k median > 0" 1 "$(q "SELECT json_extract(j, '\$.$k.median') > 0 FROM doc")"
done
for k in trap_cycles_floor_insns trap_cycles_decode_insns trap_cycles_step_insns \
	 trapfree_slowdown trapfree_slowdown_insns pipeline_records_per_s \
	 pipeline_e2e_records_per_s db_bytes_per_record pipeline_db_bytes_per_record \
	 report_largest_s $(echo "$need" | grep -o linux_slowdown); do
	check "$k min > 0" 1 "$(q "SELECT json_extract(j, '\$.$k.min') > 0 FROM doc")"
done
# The report was timed on a run of BENCH_N_REPORT records (the quick 20000).
check "report_largest_records" 20000 "$(q "SELECT json_extract(j, '\$.report_largest_records.median') FROM doc")"
# Lossless: every run of every pipeline lost nothing.
for k in pipeline_lost pipeline_e2e_lost; do
	check "$k max" 0 "$(q "SELECT json_extract(j, '\$.$k.max') FROM doc")"
done
if [ -n "$(q "SELECT 1 FROM doc WHERE json_type(j, '\$.pipeline_lttng_lost') = 'object'")" ]; then
	check "pipeline_lttng_lost max" 0 "$(q "SELECT json_extract(j, '\$.pipeline_lttng_lost.max') FROM doc")"
	check "pipeline_lttng_records_per_s min > 0" 1 \
		"$(q "SELECT json_extract(j, '\$.pipeline_lttng_records_per_s.min') > 0 FROM doc")"
else
	echo "  note: no LTTng pipeline figure (no lttng-sessiond)"
fi
grep -q '^| pipeline_records_per_s |' build/bench-quick/results.md ||
	fail "results.md has no pipeline_records_per_s row"
finish
