#!/bin/sh
# The default experiment (docs/experiments.md): the multitasking test kernel
# in each of its link orders, under the monitor with --mode rw and --mode w,
# into results/demo.db; then one report per run in results/report/run-ID/
# and their comparison in results/report/.  Ends with the comparison table
# and the path of its index.html.  `make demo` passes MT_VARIANTS.
set -e
cd "$(dirname "$0")/.."
: "${MT_VARIANTS:?run through make demo (the variants come from the Makefile)}"
DB=results/demo.db
OUT=results/report
mkdir -p results
rm -rf "$DB" "$DB-wal" "$DB-shm" "$OUT"
for k in $MT_VARIANTS; do
	for mode in rw w; do
		echo "== ringmon run --mode $mode --variant ${k#mt-} build/tbk/$k.elf"
		build/ringmon run --db "$DB" --mode "$mode" --variant "${k#mt-}" \
			"build/tbk/$k.elf" > /dev/null
	done
done
for run in $(sqlite3 "$DB" "SELECT id FROM runs ORDER BY id"); do
	build/ringmon report "$DB" --run "$run" -o "$OUT/run-$run" > /dev/null
done
build/ringmon compare "$DB" -o "$OUT" > /dev/null
echo
awk '/^## Measures/ { on = 1; next } on && /^## / { exit } on && /^\|/' "$OUT/report.md"
echo
echo "database: $DB"
echo "report: $OUT/index.html"
