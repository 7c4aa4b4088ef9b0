# lib.sh — shared by the integration tests (POSIX sh, run from the repo root).
RINGMON=build/ringmon
TBK=build/tbk/hot.elf
# Every test kernel (workloads/tbk/NAME.c, built as build/tbk/NAME.elf).
TBK_KERNELS="hot mt mt-pae conform smc adversarial"
TMP=$(mktemp -d /tmp/ringmon-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() {
	echo "  FAIL: $*"
	failures=$((failures + 1))
}

# check WHAT EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		echo "  ok: $1 = $3"
	else
		fail "$1: expected $2, got $3"
	fi
}

finish() {
	[ "$failures" -eq 0 ]
	exit $?
}

# The guest's transcript when it runs natively at ring 0 in the same QEMU
# machine `ringmon run` starts (vmm/qemu.c): TCG, -cpu max, 256 MiB, no
# default devices.  Its status is QEMU's: 1 when the guest wrote 0 to 0xf4.
native_transcript() {
	timeout 60 qemu-system-i386 -accel tcg -cpu max -m 256 -nodefaults \
		-kernel "$1" -display none -serial stdio -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null
}

# The expected count NAME from a count header (default hot.h; mt.h for mt),
# evaluated from source.
expect() {
	v=$(printf '%s\n' "$1" | cpp -P -include "workloads/tbk/${2:-hot.h}" | tr -d ' \n')
	echo $(($v))
}

sql() {
	sqlite3 -batch -noheader "$DB" "$1"
}

last_run() {
	sql "SELECT max(id) FROM runs"
}

# The link-order variants of mt (MT_VARIANTS in the Makefile; docs/experiments.md).
MT_VARIANTS="mt-shared mt-aligned mt-bss mt-shuf1 mt-shuf2 mt-shuf3"

# md_rows HEADING FILE: the data rows of the first table under "## HEADING"
# in a Markdown report, cells separated by '|' without the outer bars and
# with the spaces around each cell trimmed.
md_rows() {
	awk -v h="## $1" '$0 == h { on = 1; next } on && /^## / { exit }
		on && /^\|/ { if (++n > 2) print }' "$2" |
		sed -e 's/^| //' -e 's/ |$//' -e 's/ | /|/g'
}

# near WHAT EXPECTED ACTUAL TOLERANCE: numbers equal within TOLERANCE.
near() {
	if awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; then
		echo "  ok: $1 = $3"
	else
		fail "$1: expected $2, got $3"
	fi
}
