#!/bin/sh
# bench/run.sh — `make bench`: every figure of docs/performance.md, measured
# side by side in one invocation on one QEMU accelerator.  Each repetition
# runs every configuration once (interleaved, so drift hits all alike); each
# figure is the median of BENCH_REPS (>= 5) repetitions with min and max.
# Writes build/bench/results.json, results.md (+ chart) and prints the table.
#
#   BENCH_REPS      repetitions (5)
#   BENCH_N_TRAP    protected accesses per trap-cost run (20000)
#   BENCH_N_FLOOR   round trips per floor run (100000)
#   BENCH_N_COMPUTE checksum passes over 64 KiB per trap-free run (5000)
#   BENCH_N_FLOOD   protected accesses per pipeline run (1000000)
set -eu

B=build
OUT=$B/bench
RINGMON=$B/ringmon
REPS=${BENCH_REPS:-5}
N_TRAP=${BENCH_N_TRAP:-20000}
N_FLOOR=${BENCH_N_FLOOR:-100000}
N_COMPUTE=${BENCH_N_COMPUTE:-5000}
N_FLOOD=${BENCH_N_FLOOD:-1000000}
DB=$OUT/bench.db
SAMPLES=$OUT/samples.txt     # one line per measurement: key unit value
LOG=$OUT/log.txt             # every transcript, for when something fails

[ "$REPS" -ge 5 ] || { echo "bench: BENCH_REPS must be >= 5" >&2; exit 2; }
mkdir -p "$OUT"
# BENCH_SUMMARY_ONLY=1: no measurements, summarize the last ones again
if [ "${BENCH_SUMMARY_ONLY:-0}" = 1 ]; then
	[ -f "$SAMPLES" ] || { echo "bench: no $SAMPLES to summarize" >&2; exit 1; }
	grep -v -e '^kind_' -e '^monitor_' -e '^ring_' "$SAMPLES" > "$SAMPLES.tmp"
	mv "$SAMPLES.tmp" "$SAMPLES"
	REPS=$(grep -c '^trapfree_slowdown ' "$SAMPLES")
else
	rm -f "$DB" "$DB-wal" "$DB-shm" "$SAMPLES" "$LOG"
fi

# The accelerator: the one `ringmon run --accel auto` would pick, named in
# the results and used for the native runs as well.
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	ACCEL=kvm CPU=host
else
	ACCEL=tcg CPU=max
fi
HOST=$(hostname)
NPROC=$(nproc)
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
QEMU_VERSION=$(qemu-system-i386 --version | head -n 1)

# native K CMDLINE [icount]: boot K in QEMU at ring 0, as ringmon boots it
native() {
	_ic=
	[ "${3:-}" = icount ] && _ic="-icount shift=0,sleep=off"
	[ -n "$_ic" ] && _acc=tcg _cpu=max || { _acc=$ACCEL; _cpu=$CPU; }
	# shellcheck disable=SC2086
	_t=$(qemu-system-i386 -accel "$_acc" -cpu "$_cpu" -m 256 -nodefaults \
		-kernel "$1" -append "$2" -display none -serial stdio \
		-monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		$_ic 2>>"$LOG") && _rc=0 || _rc=$?
	printf '%s\n' "--- native $* (status $_rc)" "$_t" >> "$LOG"
	[ "$_rc" = 1 ] || { echo "bench: native $1 failed (status $_rc), see $LOG" >&2; exit 1; }
	printf '%s\n' "$_t"
}

# mon K CMDLINE [ringmon options]: run K under the monitor into $DB
mon() {
	_k=$1 _c=$2
	shift 2
	_t=$("$RINGMON" run --db "$DB" --accel "$ACCEL" --timeout 600 \
		--cmdline "$_c" "$@" "$_k" 2>>"$LOG") && _rc=0 || _rc=$?
	printf '%s\n' "--- ringmon $_k $_c $* (status $_rc)" "$_t" >> "$LOG"
	[ "$_rc" = 0 ] || { echo "bench: ringmon run $_k $* failed (status $_rc), see $LOG" >&2; exit 1; }
	printf '%s\n' "$_t"
}

# cycles WHAT: the count of the guest's "WHAT n N cycles: HI LO" line
cycles() {
	awk -v w="$1" '$1 == w && $4 == "cycles:" { printf "%.0f\n", $5 * 4294967296 + $6; f = 1 }
		END { if (!f) exit 1 }'
}

sample() { echo "$1 $2 $3" >> "$SAMPLES"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6g\n", a / b }'; }
# per(A, B, N) = (A - B) / N
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.6g\n", (a - b) / n }'; }
last_run() { sqlite3 "$DB" 'SELECT max(id) FROM runs'; }

echo "bench: $REPS repetitions on $ACCEL ($MODEL, $NPROC cores); log in $LOG"
[ "${BENCH_SUMMARY_ONLY:-0}" = 1 ] && MEASURE=0 || MEASURE=$REPS
for rep in $(seq 1 "$MEASURE"); do
	printf 'bench: repetition %s/%s\n' "$rep" "$REPS"

	# 1. the floor: bare ring 3 -> ring 0 -> ring 3, natively; the empty
	#    loop is subtracted, as the --mode off run is for the monitor
	for m in tsc icount; do
		t=$(native "$B/bench/floor.elf" "n=$N_FLOOR" "$m")
		gp=$(echo "$t" | cycles gp)
		in=$(echo "$t" | cycles int)
		lp=$(echo "$t" | cycles loop)
		sfx= unit=cycles
		[ "$m" = icount ] && sfx=_insns unit=instructions
		sample "trap_cycles_floor$sfx" $unit "$(per "$gp" "$lp" "$N_FLOOR")"
		sample "trap_cycles_floor_int$sfx" $unit "$(per "$in" "$lp" "$N_FLOOR")"
		[ "$m" = tsc ] && floor=$(per "$gp" "$lp" "$N_FLOOR")
	done

	# 2. one protected trap: (--mode rw - --mode off) / N, per emulation
	for d in "" --deterministic; do
		sfx= unit=cycles
		[ -n "$d" ] && sfx=_insns unit=instructions
		for e in decode step; do
			# shellcheck disable=SC2086
			rw=$(mon "$B/bench/trap.elf" "n=$N_TRAP" --mode rw --emulate $e $d | cycles trap)
			# shellcheck disable=SC2086
			off=$(mon "$B/bench/trap.elf" "n=$N_TRAP" --mode off --emulate $e $d | cycles trap)
			c=$(per "$rw" "$off" "$N_TRAP")
			sample "trap_cycles_$e$sfx" $unit "$c"
			eval "c_$e=\$c"
		done
		sample "ratio_step_decode$sfx" ratio "$(div "$c_step" "$c_decode")"
		[ -z "$d" ] && sample ratio_decode_floor ratio "$(div "$c_decode" "$floor")"
	done

	# 3. trap-free slowdown: the same checksum natively and under the monitor
	nat=$(native "$B/bench/compute.elf" "n=$N_COMPUTE" | cycles compute)
	mc=$(mon "$B/bench/compute.elf" "n=$N_COMPUTE" | cycles compute)
	sample trapfree_slowdown ratio "$(div "$mc" "$nat")"
	nat=$(native "$B/bench/compute.elf" "n=$N_COMPUTE" icount | cycles compute)
	mc=$(mon "$B/bench/compute.elf" "n=$N_COMPUTE" --deterministic | cycles compute)
	sample trapfree_slowdown_insns ratio "$(div "$mc" "$nat")"

	# 4. cost per trap kind: a run of mt (the records, evaluated at the end)
	mon "$B/tbk/mt.elf" "" --variant bench-kinds >/dev/null
	mon "$B/tbk/mt.elf" "" --variant bench-kinds-det --deterministic >/dev/null

	# 5. the pipeline, end to end: a guest that floods protected traps;
	#    records / wall seconds of the whole `ringmon run`, and the loss
	# 6. ... and the host side's peak RSS in the same run
	tm=$OUT/time.txt
	/usr/bin/time -f '%e %M' -o "$tm" "$RINGMON" run --db "$DB" --accel "$ACCEL" \
		--timeout 600 --variant bench-flood --cmdline "n=$N_FLOOD" \
		"$B/bench/trap.elf" >> "$LOG" 2>&1 ||
		{ echo "bench: flood run failed, see $LOG" >&2; exit 1; }
	id=$(last_run)
	wall=$(awk 'END { print $1 }' "$tm")
	rss=$(awk 'END { print $2 }' "$tm")
	rec=$(sqlite3 "$DB" "SELECT records FROM runs WHERE id = $id")
	rows=$(sqlite3 "$DB" "SELECT count(*) FROM traps WHERE run_id = $id")
	drop=$(sqlite3 "$DB" "SELECT dropped FROM runs WHERE id = $id")
	stalls=$(sqlite3 "$DB" "SELECT stalls FROM runs WHERE id = $id")
	sample pipeline_records_per_s records/s "$(div "$rec" "$wall")"
	sample pipeline_lost records "$(awk -v r="$rec" -v n="$rows" -v d="$drop" 'BEGIN { print r - n + d }')"
	sample pipeline_stalls stalls "$stalls"
	sample pipeline_records records "$rec"
	sample host_peak_rss_kib KiB "$rss"
done

# 4, evaluated: mean, median and p99 (nearest rank) of tsc_out - tsc_in per
# kind in each mt run; the figure is the median over the runs
for v in bench-kinds:cycles bench-kinds-det:instructions; do
	var=${v%%:*} unit=${v#*:}
	sfx=
	[ "$unit" = instructions ] && sfx=_insns
	sqlite3 -separator ' ' "$DB" "
		WITH c AS (
			SELECT t.run_id, t.kind, t.tsc_out - t.tsc_in AS d,
			       row_number() OVER (PARTITION BY t.run_id, t.kind
						  ORDER BY t.tsc_out - t.tsc_in) AS r,
			       count(*) OVER (PARTITION BY t.run_id, t.kind) AS n
			FROM traps t JOIN runs ON runs.id = t.run_id
			WHERE runs.variant = '$var')
		SELECT kind,
		       avg(d),
		       avg(CASE WHEN r = (n + 1) / 2 THEN d END),
		       avg(CASE WHEN r = (99 * n + 99) / 100 THEN d END)
		FROM c GROUP BY run_id, kind;" |
	while read -r kind mean med p99; do
		sample "kind_${kind}_mean$sfx" "$unit" "$mean"
		sample "kind_${kind}_median$sfx" "$unit" "$med"
		sample "kind_${kind}_p99$sfx" "$unit" "$p99"
	done
done

# 6. footprint: the monitor image, the trace ring (trace/trace.h) and the
#    host's peak RSS (measured above)
set -- $(size "$B/module/monitor.elf" | awk 'NR == 2 { print $1, $2, $3, $4 }')
sample monitor_text_bytes bytes "$1"
sample monitor_data_bytes bytes "$2"
sample monitor_bss_bytes bytes "$3"
sample monitor_image_bytes bytes "$4"
rec_size=$(sed -n 's/.*sizeof(struct trap_record) == \([0-9]*\).*/\1/p' trace/trace.h)
ring_max=$(sed -n 's/^#define RING_MAX_BYTES *(\(.*\)).*/\1/p' trace/trace.h | tr -d u)
ring_recs=$(sqlite3 "$DB" "SELECT ring FROM runs WHERE variant = 'bench-flood' LIMIT 1")
sample ring_bytes bytes $((4096 + ring_recs * rec_size))
sample ring_max_bytes bytes $(($ring_max + 4096))

# --- aggregate: median, min, max per key -----------------------------------
sort -k1,1 -s "$SAMPLES" | awk -v accel="$ACCEL" -v host="$HOST" -v model="$MODEL" \
	-v nproc="$NPROC" -v reps="$REPS" -v qemu="$QEMU_VERSION" -v outdir="$OUT" \
	-v nt="$N_TRAP" -v nf="$N_FLOOR" -v nc="$N_COMPUTE" -v nfl="$N_FLOOD" '
function flush(   i, j, t, med) {
	if (key == "")
		return
	for (i = 2; i <= cnt; i++)          # insertion sort, a handful of values
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	med = cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
	nk++
	keys[nk] = key; units[nk] = unit; meds[nk] = med; mins[nk] = v[1]
	maxs[nk] = v[cnt]; ns[nk] = cnt
}
$1 != key { flush(); key = $1; unit = $2; cnt = 0 }
{ v[++cnt] = $3 + 0 }
function num(x) { return sprintf("%.10g", x) }
END {
	flush()
	js = outdir "/results.json"
	printf "{\n  \"accel\": \"%s\",\n  \"host\": \"%s\",\n", accel, host > js
	printf "  \"cpu\": \"%s\",\n  \"nproc\": %d,\n  \"qemu\": \"%s\",\n", model, nproc, qemu > js
	printf "  \"repetitions\": %d,\n", reps > js
	printf "  \"n\": {\"trap\": %d, \"floor\": %d, \"compute_passes\": %d, \"flood\": %d},\n", nt, nf, nc, nfl > js
	printf "  \"pipeline_note\": \"end to end: records of a flood guest / wall seconds of the whole ringmon run (boot, guest, consumer, SQLite); not the consumer alone\",\n" > js
	printf "  \"instruction_note\": \"keys ending in _insns are under --deterministic (-icount shift=0,sleep=off, TCG): guest instructions, not cycles\"" > js
	for (i = 1; i <= nk; i++)
		printf ",\n  \"%s\": {\"median\": %s, \"min\": %s, \"max\": %s, \"unit\": \"%s\", \"runs\": %d}", keys[i], num(meds[i]), num(mins[i]), num(maxs[i]), units[i], ns[i] > js
	printf "\n}\n" > js
	tb = outdir "/table.md"
	printf "| figure | median | min | max | unit |\n|---|---:|---:|---:|---|\n" > tb
	for (i = 1; i <= nk; i++)
		printf "| %s | %s | %s | %s | %s |\n", keys[i], num(meds[i]), num(mins[i]), num(maxs[i]), units[i] > tb
	ch = outdir "/chart.dat"
	for (i = 1; i <= nk; i++)
		if (keys[i] ~ /^trap_cycles_(floor|floor_int|decode|step)$/)
			printf "%s %s %s %s\n", keys[i], meds[i], mins[i], maxs[i] > ch
}'

# --- the chart and results.md ---------------------------------------------
gnuplot <<EOF
set terminal svg size 720,420 font "sans,11"
set output "$OUT/trap_cycles.svg"
set title "Cost of one ring 3 -> ring 0 -> ring 3 trip ($ACCEL, median of $REPS, min-max bars)"
set ylabel "TSC cycles per trap"
set logscale y
set yrange [100:*]
set style fill solid 0.5
set boxwidth 0.6
set xtics noenhance
set key off
plot "$OUT/chart.dat" using 0:2:xtic(1) with boxes, \
     "" using 0:2:3:4 with yerrorbars pt 0 lc rgb "black"
EOF

{
	echo "# ringmon benchmarks"
	echo
	echo "Accelerator: **$ACCEL** ($QEMU_VERSION); host \`$HOST\`, $MODEL, $NPROC cores."
	echo "Every figure: median of $REPS repetitions, all from one \`make bench\` at $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "Keys ending in \`_insns\` ran under \`--deterministic\` (\`-icount shift=0,sleep=off\`): guest instructions."
	echo "\`pipeline_records_per_s\` is end to end (records of a flood guest / wall seconds of the whole \`ringmon run\`), not the consumer alone."
	echo
	echo "![trap cost](trap_cycles.svg)"
	echo
	cat "$OUT/table.md"
} > "$OUT/results.md"

cat "$OUT/table.md"
echo "bench: wrote $OUT/results.json, $OUT/results.md"
