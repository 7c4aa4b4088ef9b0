#!/bin/sh
# The experiments of docs/experiments.md: each link-order variant of a guest
# under the monitor with --mode rw and --mode w, into one database; then one
# report per run in OUT/run-ID/ and their comparison in OUT/.  Ends with the
# comparison table and the path of its index.html.
#   demo.sh tbk     the multitasking test kernel (make demo; MT_VARIANTS)
#   demo.sh linux   Linux 6.1 with the busybox workload (make linux-demo;
#                   LINUX_VARIANTS)
# DEMO_DIR: where the database and the reports go (default results/).
set -e
cd "$(dirname "$0")/.."
DIR=${DEMO_DIR:-results}
case ${1:-} in
tbk)
	: "${MT_VARIANTS:?run through make demo (the variants come from the Makefile)}"
	DB=$DIR/demo.db OUT=$DIR/report VARIANTS=$MT_VARIANTS ;;
linux)
	: "${LINUX_VARIANTS:?run through make linux-demo (the variants come from the Makefile)}"
	DB=$DIR/linux.db OUT=$DIR/linux-report VARIANTS=$LINUX_VARIANTS ;;
*)
	echo "usage: demo.sh tbk|linux" >&2
	exit 2 ;;
esac

# run VARIANT MODE: one run into $DB, the guest's console thrown away
run() {
	if [ "$1" = tbk ]; then
		# under -icount: the timer's ticks land at the same instruction
		# on every host, so every count repeats
		set -- --deterministic --variant "${2#mt-}" --mode "$3" "build/tbk/$2.elf"
	else
		set -- --variant "$2" --mode "$3" --timeout 1200 \
			--symbols "build/linux/$2/System.map" \
			--initrd build/linux/initramfs.cpio.gz "build/linux/$2/bzImage"
	fi
	echo "== ringmon run $*"
	build/ringmon run --db "$DB" "$@" > /dev/null
}

mkdir -p "$DIR"
rm -rf "$DB" "$DB-wal" "$DB-shm" "$OUT"
for v in $VARIANTS; do
	for mode in rw w; do
		run "$1" "$v" "$mode"
	done
done
for id in $(sqlite3 "$DB" "SELECT id FROM runs ORDER BY id"); do
	echo "== ringmon report --run $id"
	build/ringmon report "$DB" --run "$id" -o "$OUT/run-$id" > /dev/null
done
build/ringmon compare "$DB" -o "$OUT" > /dev/null
echo
awk '/^## Measures/ { on = 1; next } on && /^## / { exit } on && /^\|/' "$OUT/report.md"
echo
echo "database: $DB"
echo "report: $OUT/index.html"
