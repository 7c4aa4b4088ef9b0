# lib.sh — shared by the integration tests (POSIX sh, run from the repo root).
RINGMON=build/ringmon
TBK=build/tbk/hot.elf
# Every test kernel (workloads/tbk/NAME.c, built as build/tbk/NAME.elf).
TBK_KERNELS="hot mt mt-pae conform smc adversarial probe fault firmware apic msr mbinfo"
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
# machine a monitored run gets (`ringmon run --native`: accelerator, CPU
# model, RAM, devices).  Its status is the guest's: 0 when it wrote 0 to 0xf4.
native_transcript() {
	"$RINGMON" run --native --timeout 60 "$@" </dev/null
}

# The accelerator and CPU model `ringmon run --accel auto` picks here.
accel_field() { # accel|cpu|why
	"$RINGMON" accel | sed -n "s/^$1 //p"
}

# The expected count NAME from a count header (default hot.h; mt.h for mt),
# evaluated from source (C's unsigned suffixes dropped for the shell).
expect() {
	v=$(printf '%s\n' "$1" | cpp -P -include "workloads/tbk/${2:-hot.h}" | tr -d ' \n' |
		sed 's/\([0-9a-fA-F]\)[uU]/\1/g')
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

# --- the Linux guests (workloads/linux, `make linux`; docs/linux.md) --------
# LINUX_VARIANTS comes from the Makefile under `make check`.
LINUX_VARIANTS=${LINUX_VARIANTS:-upstream unaligned shuf1 shuf2}
LINUX=build/linux
LINUX_INITRD=$LINUX/initramfs.cpio.gz
# what /init prints when all is well, natively and under the monitor
LINUX_EXPECTED=tests/fixtures/linux-workload.txt

# skip WHY: the test cannot run here; tests/run.sh counts it as skipped.
SKIP=77
skip() {
	echo "skip: $*"
	exit $SKIP
}

# need_files HOW FILE...: go on when every FILE exists.  Else the test
# skips -- unless RINGMON_NEED_LINUX=1 (`make check`, which builds and
# fetches the guests first), where a missing one is a failure.  HOW says
# what makes them.
need_files() {
	how=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] && continue
		if [ "${RINGMON_NEED_LINUX:-0}" = 1 ]; then
			echo "  FAIL: $f missing ($how)"
			exit 1
		fi
		skip "$f missing ($how)"
	done
}

# need_linux: go on when every variant and the initramfs are built.
need_linux() {
	need_files "make linux" $LINUX_INITRD $(for v in $LINUX_VARIANTS; do
		echo "$LINUX/$v/bzImage $LINUX/$v/System.map"; done)
}

# linux_workload FILE: the workload's own lines of a console transcript (the
# kernel's messages come between them)
linux_workload() {
	tr -d '\r' < "$1" | grep '^ringmon-linux: '
}

# Of a Linux run's facts, $TMP/R.facts ("key value..." lines): the first
# value of key K.
fact() { awk -v k="$1" '$1 == k { print $2; exit }' "$TMP/$2.facts"; }

# linux_run_checks R: what every monitored Linux run must show, from its
# $TMP/R.{status,out,err,facts}: exit status 0 (the workload's), the
# fixture's workload lines, rows == the monitor's records, a code_sym for
# every trap in the kernel's text (facts text_traps, text_nosym).  Returns
# 1 when the run left no facts to check.
linux_run_checks() {
	check "$1: exit status (the workload's)" 0 "$(cat "$TMP/$1.status")"
	if [ -z "$(fact records "$1")" ]; then
		fail "$1: no facts from its database: $(cat "$TMP/$1.facts") $(tail -n 2 "$TMP/$1.err")"
		return 1
	fi
	linux_workload "$TMP/$1.out" > "$TMP/$1.lines"
	if cmp -s "$LINUX_EXPECTED" "$TMP/$1.lines"; then
		echo "  ok: $1: the native workload transcript"
	else
		fail "$1: the workload transcript differs from the native one:"
		diff "$LINUX_EXPECTED" "$TMP/$1.lines" | head
		tail -n 5 "$TMP/$1.err"
	fi
	check "$1: rows == the monitor's records" "$(fact records "$1")" "$(fact rows "$1")"
	n=$(fact text_traps "$1")
	[ "${n:-0}" -gt 0 ] && check "$1: traps in kernel text ($n) without code_sym" 0 "$(fact text_nosym "$1")" ||
		fail "$1: no trap in kernel text: $(cat "$TMP/$1.facts")"
	return 0
}

# linux_sym VARIANT NAME: NAME's address in the variant's System.map, in decimal
linux_sym() {
	a=$(awk -v s="$2" '$3 == s { print $1; exit }' "$LINUX/$1/System.map")
	[ -n "$a" ] || { echo "  FAIL: $2 not in $LINUX/$1/System.map" >&2; echo -1; return; }
	echo $((0x$a))
}

# flood_guest FILE: a guest that never ends: cli at ring 3 traps forever
# (privileged); with interrupts off it needs no IDT.
flood_guest() {
	printf '%s\n' '.text' '.align 4' '.long 0x1BADB002, 0, -0x1BADB002' \
		'.globl _start' '_start: cli' 'jmp _start' > "$TMP/flood.S"
	gcc -m32 -nostdlib -static -o "$1" "$TMP/flood.S" ||
		{ fail "cannot build the flood guest (gcc-multilib?)"; finish; }
}

# wait_rows PID N [WHERE]: wait up to 30 s until $DB has N committed traps
# rows (readers see only committed ones), or PID ended; prints the count.
wait_rows() {
	_rows=0
	for _ in $(seq 300); do
		_rows=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM traps ${3:-}" 2> /dev/null || echo 0)
		[ "${_rows:-0}" -ge "$2" ] && break
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	echo "${_rows:-0}"
}
