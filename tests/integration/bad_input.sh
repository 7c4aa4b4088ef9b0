#!/bin/sh
# bad_input.sh — every kind of bad input makes ringmon fail fast and cleanly:
# exactly one "ringmon: ..." line on stderr that names the problem, a non-zero
# exit that is not a signal, no hang, and no database file created.
# Run from anywhere after `make`; exits 0 only if every case passes.
cd "$(dirname "$0")/../.." || exit 2
R=build/ringmon
if [ ! -x "$R" ]; then
	echo "bad_input: $R is not built (run make)"
	exit 1
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/out.db
pass=0
fail=0

# case NAME WANT ARGS...: run ringmon ARGS; its one stderr line must contain WANT.
case_() {
	name=$1
	want=$2
	shift 2
	timeout 10 "$R" "$@" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
	rc=$?
	lines=$(wc -l <"$tmp/stderr")
	why=
	if [ "$rc" -eq 124 ]; then
		why="hung: killed after 10 s"
	elif [ "$rc" -eq 0 ]; then
		why="exit status 0"
	elif [ "$rc" -ge 128 ]; then
		why="exit status $rc: killed by a signal or crashed"
	elif [ "$lines" -ne 1 ]; then
		why="$lines lines on stderr, want exactly 1"
	elif ! grep -q '^ringmon: ' "$tmp/stderr"; then
		why="stderr does not start with 'ringmon: '"
	elif ! grep -qF -- "$want" "$tmp/stderr"; then
		why="stderr does not mention '$want'"
	elif [ -e "$db" ] || [ -e "$tmp/missing.db" ]; then
		why="a database file was created"
	fi
	if [ -n "$why" ]; then
		fail=$((fail + 1))
		echo "FAIL $name: $why (exit $rc)"
		sed 's/^/     stderr: /' "$tmp/stderr"
	else
		pass=$((pass + 1))
		echo "ok   $name (exit $rc): $(cat "$tmp/stderr")"
	fi
	rm -f "$db" "$tmp/missing.db"
}

# Guests that are wrong in every way the loader can tell.
echo 'not an ELF' >"$tmp/text.txt"
printf 'void _start(void);\nvoid _start(void) { for (;;) ; }\n' >"$tmp/nomb.c"
# the same with a Multiboot header at the start of .text: a valid guest
{ printf '__asm__(".text; .align 4; .long 0x1BADB002, 0, -0x1BADB002");\n'
  cat "$tmp/nomb.c"; } >"$tmp/mb.c"
if ! gcc -m32 -nostdlib -static -o "$tmp/nomb.elf" "$tmp/nomb.c" ||
   ! gcc -m32 -c -o "$tmp/nomb.o" "$tmp/nomb.c" ||
   ! gcc -m32 -nostdlib -static -fno-toplevel-reorder -o "$tmp/mb.elf" "$tmp/mb.c"; then
	echo "FAIL: cannot build 32-bit test images (gcc-multilib missing? run make deps)"
	exit 1
fi
mkdir "$tmp/dir"
mkfifo "$tmp/fifo"
# ELFs whose program headers lie (issue 13): the host must see it before
# QEMU starts.  poke FILE OFFSET BYTES: overwrite bytes of a copy of hot.elf.
poke() {
	cp build/tbk/hot.elf "$tmp/$1"
	printf "$3" | dd of="$tmp/$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
head -c 4700 build/tbk/hot.elf >"$tmp/truncated.elf"
poke phoff-past-end.elf 28 '\377\377\0\0'        # e_phoff
poke phnum-xnum.elf 44 '\377\377'                 # e_phnum = PN_XNUM
poke segment-past-ram.elf 64 '\0\0\0\017'         # the first p_paddr = 0x0f000000
poke filesz-over-memsz.elf 68 '\0\0\1\0'          # the first p_filesz = 64 KiB

case_ missing-guest "$tmp/nope.elf" run --db "$db" "$tmp/nope.elf"
case_ text-file "not an ELF" run --db "$db" "$tmp/text.txt"
case_ x86-64-elf "x86-64 ELF, need a 32-bit i386 image" run --db "$db" /bin/true
case_ i386-no-multiboot "no Multiboot header" run --db "$db" "$tmp/nomb.elf"
case_ i386-object-file "not an executable" run --db "$db" "$tmp/nomb.o"
case_ directory "not a regular file" run --db "$db" "$tmp/dir"
case_ fifo "not a regular file" run --db "$db" "$tmp/fifo"
case_ mode-bogus "bogus" run --db "$db" --mode bogus /bin/true
case_ emulate-bogus "bogus" run --db "$db" --emulate bogus /bin/true
case_ protect-bogus "bogus" run --db "$db" --protect gdt,bogus /bin/true
case_ accel-bogus "bogus" run --db "$db" --accel bogus /bin/true
case_ ring-not-power-of-two "--ring" run --db "$db" --ring 1000 /bin/true
case_ timeout-not-a-number "--timeout" run --db "$db" --timeout soon /bin/true
case_ unknown-option "--bogus" run --db "$db" --bogus /bin/true
case_ option-without-value "--mode" run --db "$db" /bin/true --mode
case_ no-guest "no GUEST" run --db "$db"
case_ missing-monitor "$tmp/nope-monitor.elf" run --db "$db" \
	--monitor "$tmp/nope-monitor.elf" "$tmp/mb.elf"
case_ monitor-not-multiboot "no Multiboot header" run --db "$db" \
	--monitor "$tmp/nomb.elf" "$tmp/mb.elf"
case_ elf-truncated "a loadable segment lies past the end of the file" \
	run --db "$db" "$tmp/truncated.elf"
case_ elf-phoff-past-end "the program headers lie past the end of the file" \
	run --db "$db" "$tmp/phoff-past-end.elf"
case_ elf-phnum-0xffff "e_phnum 0xffff" run --db "$db" "$tmp/phnum-xnum.elf"
case_ elf-segment-outside-ram "outside 00100000..0e000000" \
	run --db "$db" "$tmp/segment-past-ram.elf"
case_ elf-filesz-over-memsz "p_filesz > p_memsz" run --db "$db" "$tmp/filesz-over-memsz.elf"
case_ native-elf-truncated "a loadable segment lies past the end" \
	run --native "$tmp/truncated.elf"
# Multiboot modules (--module 'FILE ARGS'): missing, not a file, one too
# many, more than the monitor's part of RAM or guest RAM holds (sparse files)
many=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do many="$many --module $tmp/text.txt"; done
truncate -s 20M "$tmp/20M.mod" && truncate -s 300M "$tmp/300M.mod"
case_ module-missing "$tmp/nope.mod" run --db "$db" --module "$tmp/nope.mod a,b" "$tmp/mb.elf"
case_ module-directory "not a regular file" run --db "$db" --module "$tmp/dir" "$tmp/mb.elf"
case_ module-no-file "no FILE" run --db "$db" --module " args" "$tmp/mb.elf"
# shellcheck disable=SC2086
case_ module-too-many "at most 15 modules" run --db "$db" $many "$tmp/mb.elf"
case_ module-past-monitor-ram "more than the monitor's part of QEMU's RAM holds" \
	run --db "$db" --module "$tmp/text.txt" --module "$tmp/20M.mod" "$tmp/mb.elf"
case_ module-past-guest-ram "do not fit in guest RAM" \
	run --native --module "$tmp/300M.mod" "$tmp/mb.elf"
case_ native-module-missing "$tmp/nope.mod" run --native --module "$tmp/nope.mod" "$tmp/mb.elf"
case_ unknown-command "bogus" bogus
case_ report-missing-db "$tmp/missing.db" report "$tmp/missing.db"
case_ report-unknown-option "--bogus" report --bogus "$tmp/missing.db"

echo "bad_input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
