#!/bin/sh
# The default experiment: the built-in test kernel under the monitor with
# every protection mode, one database, and the hotspot report of each run.
set -e
cd "$(dirname "$0")/.."
mkdir -p results
DB=results/demo.db
rm -f "$DB" "$DB-wal" "$DB-shm"
for mode in rw w off; do
	echo "== ringmon run --mode $mode build/tbk/hot.elf"
	build/ringmon run --db "$DB" --mode "$mode" build/tbk/hot.elf
done
for run in $(sqlite3 "$DB" "SELECT id FROM runs ORDER BY id"); do
	echo
	build/ringmon report "$DB" --run "$run"
done
echo
echo "database: $DB"
