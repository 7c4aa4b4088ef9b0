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
#   BENCH_N_FLOOD   protected accesses per end-to-end pipeline run (1000000)
#   BENCH_N_PIPELINE records per consumer-only pipeline run (1000000)
#   BENCH_PIPELINE_CPU the one CPU the pipeline program runs on (the last)
#   BENCH_N_REPORT  records of the run whose `ringmon report` is timed (16000000)
#   BENCH_QUICK=1   every figure at tiny sizes into build/bench-quick/, for
#                   tests/integration/bench_json.sh: the script end to end
#                   in about a minute, the numbers meaningless
set -eu

B=build
OUT=$B/bench
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	OUT=$B/bench-quick
	: "${BENCH_N_TRAP:=200}" "${BENCH_N_FLOOR:=1000}" "${BENCH_N_COMPUTE:=20}"
	: "${BENCH_N_FLOOD:=2000}" "${BENCH_N_PIPELINE:=20000}" "${BENCH_N_REPORT:=20000}"
fi
RINGMON=$B/ringmon
REPS=${BENCH_REPS:-5}
N_TRAP=${BENCH_N_TRAP:-20000}
N_FLOOR=${BENCH_N_FLOOR:-100000}
N_COMPUTE=${BENCH_N_COMPUTE:-5000}
N_FLOOD=${BENCH_N_FLOOD:-1000000}
N_PIPE=${BENCH_N_PIPELINE:-1000000}
N_REPORT=${BENCH_N_REPORT:-16000000}
DB=$OUT/bench.db
FLOOD_DB=$OUT/flood.db       # the end-to-end run's own file, one run
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
	rm -f "$DB" "$DB-wal" "$DB-shm" "$SAMPLES" "$LOG" "$FLOOD_DB" "$FLOOD_DB-wal" "$FLOOD_DB-shm"
fi

# The accelerator and CPU model: the ones `ringmon run --accel auto` picks
# (`ringmon accel`: KVM only where its probe guest runs), named in the
# results; monitored and native runs alike get them from ringmon.
"$RINGMON" accel > "$OUT/accel.txt" || { echo "bench: ringmon accel failed" >&2; exit 1; }
ACCEL=$(sed -n 's/^accel //p' "$OUT/accel.txt")
CPU=$(sed -n 's/^cpu //p' "$OUT/accel.txt")
ACCEL_WHY=$(sed -n 's/^why //p' "$OUT/accel.txt")
HOST=$(hostname)
NPROC=$(nproc)
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
QEMU_VERSION=$(qemu-system-i386 --version | head -n 1)

# native K CMDLINE [icount]: boot K in QEMU at ring 0, in the machine ringmon
# gives a monitored run (`ringmon run --native`); icount: deterministic TCG
native() {
	_ic=--accel=$ACCEL
	[ "${3:-}" = icount ] && _ic=--deterministic
	_t=$("$RINGMON" run --native "$_ic" --timeout 600 --cmdline "$2" "$1" \
		2>>"$LOG") && _rc=0 || _rc=$?
	printf '%s\n' "--- native $* (status $_rc)" "$_t" >> "$LOG"
	[ "$_rc" = 0 ] || { echo "bench: native $1 failed (status $_rc), see $LOG" >&2; exit 1; }
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
# file_bytes DB: a database's size on disk, its WAL included
file_bytes() { cat "$1" "$1-wal" 2>/dev/null | wc -c; }

# --- the pipeline, consumer only (bench/pipeline.c) ------------------------
# ringmon's own consumer objects (vmm/ring.c, symbols, sinks, SQLite) fed by
# a host thread at full speed, both threads pinned to PIPE_CPU; then the
# same with the LTTng sink in an active session of a private lttng-sessiond,
# started as tests/integration/lttng.sh starts one (as nobody when root:
# root's daemon would be the system's).  Program, symbols, temporary
# databases and traces live in PIPE_DIR, readable by that user.
PIPE_DIR=$(pwd)/$OUT/pipeline-run   # absolute: LTTNG_HOME must be
PIPE_CPU=${BENCH_PIPELINE_CPU:-$((NPROC - 1))}
PIPE_LTTNG=0
[ "${BENCH_SUMMARY_ONLY:-0}" = 1 ] || rm -rf "$PIPE_DIR"
mkdir -p "$PIPE_DIR/bin" "$PIPE_DIR/home"
cp "$B/bench/pipeline" "$B/bench/ringmon_tp.so" "$B/bench/trap.elf" "$PIPE_DIR/bin/"
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$PIPE_DIR" "$PIPE_DIR/bin"
	chown 65534:65534 "$PIPE_DIR/home"
	pipe_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	pipe_user() { "$@"; }
fi
pipe_user test -x "$PIPE_DIR/bin/pipeline" ||
	{ echo "bench: $PIPE_DIR/bin/pipeline: not reachable as $(pipe_user id -un)" >&2; exit 1; }
pipe_lttng() {
	LTTNG_HOME=$PIPE_DIR/home pipe_user lttng "$@" >> "$LOG" 2>&1 ||
		{ echo "bench: lttng $*: failed, see $LOG" >&2; exit 1; }
}
pipe_stop_sessiond() {
	_p=$(cat "$PIPE_DIR/home/.lttng/lttng-sessiond.pid" 2>/dev/null) || return 0
	kill "$_p" 2>/dev/null || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$_p" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -9 "$_p" 2>/dev/null || :
}
if [ "${BENCH_SUMMARY_ONLY:-0}" != 1 ] && command -v lttng-sessiond > /dev/null &&
   command -v lttng > /dev/null; then
	trap pipe_stop_sessiond EXIT
	trap 'exit 130' INT TERM
	LTTNG_HOME=$PIPE_DIR/home pipe_user lttng-sessiond --daemonize --no-kernel >> "$LOG" 2>&1 &&
		PIPE_LTTNG=1 || echo "bench: lttng-sessiond did not start: no LTTng pipeline figure" >&2
elif [ "${BENCH_SUMMARY_ONLY:-0}" != 1 ]; then
	echo "bench: no lttng-sessiond (make deps installs it): no LTTng pipeline figure" >&2
fi

# pipe SINKS: one run of the pipeline program; prints its key=value line
pipe() {
	_t=$(LTTNG_HOME=$PIPE_DIR/home pipe_user env LTTNG_UST_REGISTER_TIMEOUT=10000 \
		LTTNG_UST_ALLOW_BLOCKING=1 "$PIPE_DIR/bin/pipeline" -n "$N_PIPE" \
		--cpu "$PIPE_CPU" --sink "$1" --symbols "$PIPE_DIR/bin/trap.elf" \
		--tmpdir "$PIPE_DIR/home" 2>>"$LOG") && _rc=0 || _rc=$?
	printf '%s\n' "--- pipeline --sink $1 (status $_rc)" "$_t" >> "$LOG"
	[ "$_rc" = 0 ] || { echo "bench: pipeline --sink $1 failed (status $_rc), see $LOG" >&2; exit 1; }
	printf '%s\n' "$_t"
}
# field KEY LINE: the value of KEY=VALUE in the pipeline program's line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# one LTTng session around one run: a blocking channel (nothing discarded,
# docs/tracing.md); prints the run's line and then the events LTTng lost
pipe_with_lttng() {
	pipe_lttng create ringmon-bench --output="$PIPE_DIR/home/trace"
	pipe_lttng enable-channel -u --subbuf-size=1M --num-subbuf=4 --blocking-timeout=inf chan
	pipe_lttng enable-event -u -c chan 'ringmon:*'
	pipe_lttng start
	_l=$(pipe sqlite,lttng)
	pipe_lttng stop
	# the events reached the session: its trace has data
	[ -n "$(find "$PIPE_DIR/home/trace" -type f -name 'chan_*' -size +0 2>/dev/null)" ] ||
		{ echo "bench: the LTTng session recorded nothing, see $LOG" >&2; exit 1; }
	_d=$(LTTNG_HOME=$PIPE_DIR/home pipe_user lttng list ringmon-bench 2>>"$LOG" |
		awk '/Discarded events:|Lost packets:/ { n += $NF } END { print n + 0 }')
	pipe_lttng destroy
	rm -rf "$PIPE_DIR/home/trace"
	printf '%s\n%s\n' "$_l" "$_d"
}
# --- a real kernel (item 8), when `make linux` has built it ----------------
LK=$B/linux/upstream
LINUX_INITRD=$B/linux/initramfs.cpio.gz
LINUX_BENCH=0
if [ "${BENCH_QUICK:-0}" != 1 ]; then
	if [ -f "$LK/bzImage" ] && [ -f "$LINUX_INITRD" ]; then
		LINUX_BENCH=1
	else
		echo "bench: no Linux guest built: no linux_* figures (make linux first)" >&2
	fi
fi
now() { date +%s.%N; }

linux_figures() {
	t0=$(now)
	"$RINGMON" run --native --accel "$ACCEL" --timeout 1200 --initrd "$LINUX_INITRD" \
		"$LK/bzImage" </dev/null >> "$LOG" 2>&1 && rc=0 || rc=$?
	t1=$(now)
	[ "$rc" = 0 ] || { echo "bench: native Linux boot failed (status $rc), see $LOG" >&2; exit 1; }
	ldb=$OUT/linux.db
	rm -f "$ldb" "$ldb-wal" "$ldb-shm"
	"$RINGMON" run --db "$ldb" --accel "$ACCEL" --mode w --timeout 1200 \
		--variant bench-linux --symbols "$LK/System.map" \
		--initrd "$LINUX_INITRD" "$LK/bzImage" >> "$LOG" 2>&1 && rc=0 || rc=$?
	t2=$(now)
	[ "$rc" = 0 ] || { echo "bench: Linux under the monitor failed (status $rc), see $LOG" >&2; exit 1; }
	nat=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	mon=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
	sample linux_native_s s "$nat"
	sample linux_monitor_s s "$mon"
	sample linux_slowdown ratio "$(div "$mon" "$nat")"
	sqlite3 -separator ' ' "$ldb" "SELECT kind, count(*) FROM traps GROUP BY kind" |
	while read -r kind n; do
		sample "linux_traps_per_s_$kind" traps/s "$(div "$n" "$mon")"
	done
	rm -f "$ldb" "$ldb-wal" "$ldb-shm"
}

# ---------------------------------------------------------------------------

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
	#    (pipeline_e2e_*; pipeline_* alone is the consumer, 7 below)
	# 6. ... and the host side's peak RSS in the same run
	#    It writes a file of its own, so that its size over its records is
	#    db_bytes_per_record (the file with everything ringmon built in it)
	tm=$OUT/time.txt
	rm -f "$FLOOD_DB" "$FLOOD_DB-wal" "$FLOOD_DB-shm"
	/usr/bin/time -f '%e %M' -o "$tm" "$RINGMON" run --db "$FLOOD_DB" --accel "$ACCEL" \
		--timeout 600 --variant bench-flood --cmdline "n=$N_FLOOD" \
		"$B/bench/trap.elf" >> "$LOG" 2>&1 ||
		{ echo "bench: flood run failed, see $LOG" >&2; exit 1; }
	wall=$(awk 'END { print $1 }' "$tm")
	rss=$(awk 'END { print $2 }' "$tm")
	rec=$(sqlite3 "$FLOOD_DB" "SELECT records FROM runs WHERE id = 1")
	rows=$(sqlite3 "$FLOOD_DB" "SELECT count(*) FROM traps WHERE run_id = 1")
	drop=$(sqlite3 "$FLOOD_DB" "SELECT dropped FROM runs WHERE id = 1")
	stalls=$(sqlite3 "$FLOOD_DB" "SELECT stalls FROM runs WHERE id = 1")
	sample db_bytes_per_record bytes/record "$(div "$(file_bytes "$FLOOD_DB")" "$rows")"
	sample pipeline_e2e_records_per_s records/s "$(div "$rec" "$wall")"
	sample pipeline_e2e_lost records "$(awk -v r="$rec" -v n="$rows" -v d="$drop" 'BEGIN { print r - n + d }')"
	sample pipeline_e2e_stalls stalls "$stalls"
	sample pipeline_e2e_records records "$rec"
	sample host_peak_rss_kib KiB "$rss"

	# 7. the pipeline, consumer only, on one CPU: SQLite, then SQLite and
	#    LTTng in an active session; lost = produced - rows (+ LTTng's)
	l=$(pipe sqlite)
	sample pipeline_records_per_s records/s "$(field records_per_s "$l")"
	sample pipeline_records_per_cpu_s records/CPU-s "$(field records_per_cpu_s "$l")"
	sample pipeline_lost records "$(field lost "$l")"
	sample pipeline_stalls stalls "$(field stalls "$l")"
	sample pipeline_db_bytes_per_record bytes/record "$(field db_bytes_per_record "$l")"
	if [ "$PIPE_LTTNG" = 1 ]; then
		l=$(pipe_with_lttng)
		d=$(printf '%s\n' "$l" | sed -n 2p)
		l=$(printf '%s\n' "$l" | sed -n 1p)
		sample pipeline_lttng_records_per_s records/s "$(field records_per_s "$l")"
		sample pipeline_lttng_records_per_cpu_s records/CPU-s "$(field records_per_cpu_s "$l")"
		sample pipeline_lttng_lost records $(($(field lost "$l") + d))
	fi

	# 8. a real kernel: Linux 6.1 (upstream) booting and running the busybox
	#    workload (docs/linux.md), natively and under the monitor with
	#    --mode w; wall seconds of each whole QEMU run, and the monitor run's
	#    traps per second by kind (its database is dropped after counting)
	if [ "$LINUX_BENCH" = 1 ]; then linux_figures; fi
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
ring_recs=$(sqlite3 "$FLOOD_DB" "SELECT ring FROM runs WHERE variant = 'bench-flood' LIMIT 1")
sample ring_bytes bytes $((4096 + ring_recs * rec_size))
sample ring_max_bytes bytes $(($ring_max + 4096))

# 9. `ringmon report` of a large run: N_REPORT records written by the
#    pipeline program (as many traps as a Linux experiment's largest runs),
#    the whole report with its charts, in wall seconds; once, it takes long
if [ "${BENCH_SUMMARY_ONLY:-0}" != 1 ]; then
	RDIR=$OUT/report-run
	rm -rf "$RDIR"
	mkdir -p "$RDIR"
	"$B/bench/pipeline" -n "$N_REPORT" --symbols "$B/bench/trap.elf" --tmpdir "$RDIR" --keep \
		> "$RDIR/pipeline.txt" 2> "$RDIR/pipeline.err" ||
		{ echo "bench: pipeline -n $N_REPORT failed, see $RDIR/pipeline.err" >&2; exit 1; }
	RDB=$(sed -n 's/^pipeline: database kept in //p' "$RDIR/pipeline.err")
	t0=$(date +%s.%N)
	"$RINGMON" report "$RDB" -o "$RDIR/report" >> "$LOG" 2>&1 ||
		{ echo "bench: ringmon report of $N_REPORT records failed, see $LOG" >&2; exit 1; }
	t1=$(date +%s.%N)
	sample report_largest_s s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')"
	sample report_largest_records records "$(sqlite3 "$RDB" 'SELECT count(*) FROM trap_rows')"
	sample report_largest_db_bytes_per_record bytes/record "$(field db_bytes_per_record "$(cat "$RDIR/pipeline.txt")")"
	rm -rf "$RDIR"
fi

# --- aggregate: median, min, max per key -----------------------------------
sort -k1,1 -s "$SAMPLES" | awk -v accel="$ACCEL" -v qcpu="$CPU" -v why="$ACCEL_WHY" \
	-v host="$HOST" -v model="$MODEL" \
	-v nproc="$NPROC" -v reps="$REPS" -v qemu="$QEMU_VERSION" -v outdir="$OUT" \
	-v nt="$N_TRAP" -v nf="$N_FLOOR" -v nc="$N_COMPUTE" -v nfl="$N_FLOOD" \
	-v np="$N_PIPE" -v pcpu="$PIPE_CPU" -v quick="${BENCH_QUICK:-0}" '
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
	gsub(/["\\]/, "\\\\&", why)
	printf "{\n  \"accel\": \"%s\",\n  \"qemu_cpu\": \"%s\",\n  \"accel_why\": \"%s\",\n", accel, qcpu, why > js
	printf "  \"host\": \"%s\",\n", host > js
	printf "  \"cpu\": \"%s\",\n  \"nproc\": %d,\n  \"qemu\": \"%s\",\n", model, nproc, qemu > js
	printf "  \"repetitions\": %d,\n  \"quick\": %s,\n", reps, quick == 1 ? "true" : "false" > js
	printf "  \"n\": {\"trap\": %d, \"floor\": %d, \"compute_passes\": %d, \"flood\": %d, \"pipeline\": %d},\n", nt, nf, nc, nfl, np > js
	printf "  \"pipeline_cpu\": %d,\n", pcpu > js
	printf "  \"pipeline_note\": \"pipeline_*: bench/pipeline, the real consumer (vmm/ring.c, symbols, sinks, SQLite) fed by a host thread writing records at full speed, both pinned to CPU pipeline_cpu; records / seconds from the producer start to the last row committed (*_per_cpu_s: / CPU seconds of the process in that interval); lost = produced - rows; pipeline_lttng_*: the same with the LTTng sink in an active session (lost adds LTTng discarded events); pipeline_e2e_*: end to end, records of a flood guest / wall seconds of the whole ringmon run (boot, guest under QEMU, consumer, SQLite)\",\n" > js
	printf "  \"linux_note\": \"linux_*: Linux 6.1 (build/linux/upstream) booting and running the busybox workload to its exit through port 0xf4; wall seconds of the whole QEMU run natively and under ringmon run --mode w (same accelerator); linux_slowdown = monitor / native; linux_traps_per_s_KIND = records of KIND in that run / its wall seconds; absent when Linux is not built\",\n" > js
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
	echo "Accelerator: **$ACCEL**, \`-cpu $CPU\` ($QEMU_VERSION; chosen by \`ringmon accel\`: $ACCEL_WHY); host \`$HOST\`, $MODEL, $NPROC cores."
	echo "Every figure: median of $REPS repetitions, all from one \`make bench\` at $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "Keys ending in \`_insns\` ran under \`--deterministic\` (\`-icount shift=0,sleep=off\`): guest instructions."
	echo "\`pipeline_records_per_s\` is the consumer alone: bench/pipeline, ringmon's consumer, symbols and SQLite sink fed by a host thread at full speed, both on CPU $PIPE_CPU ($N_PIPE records, lost = produced − rows); \`pipeline_lttng_*\` adds the LTTng sink in an active session; \`pipeline_e2e_*\` is end to end (records of a flood guest / wall seconds of the whole \`ringmon run\`)."
	echo "\`linux_slowdown\` is Linux 6.1 (upstream) booting and running the busybox workload under \`ringmon run --mode w\` over the same natively, wall seconds of each whole QEMU run; \`linux_traps_per_s_KIND\` are that run's traps per second by kind."
	[ "${BENCH_QUICK:-0}" = 1 ] && echo "**Quick mode** (\`BENCH_QUICK=1\`): tiny sizes, a test of the script, not measurements."
	echo
	echo "![trap cost](trap_cycles.svg)"
	echo
	cat "$OUT/table.md"
} > "$OUT/results.md"

cat "$OUT/table.md"
echo "bench: wrote $OUT/results.json, $OUT/results.md"
