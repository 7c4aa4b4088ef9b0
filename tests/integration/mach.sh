#!/bin/sh
# mach.sh — a second kernel family: Debian's GNU Mach 1.8 (docs/mach.md),
# and the Multiboot loader it needs (module/guest.c).
#
# 1. Multiboot as GRUB does it, with two tiny a.out-kludge kernels made
#    here (flag 16: no ELF at all, loaded by the header's address fields):
#    one prints "H" and halts with interrupts off.  Natively `--until`
#    ends it (status 0); under the monitor the halt ends the run as
#    `halted` with its reason, losslessly.  The other asks for a video mode
#    (flag 2): refused in one line, status 2, before QEMU starts.
# 2. GNU Mach natively and under the monitor boots to its bootstrap panic
#    (`--until '^panic '`, status 0, runs.monitor_state `until`), with the
#    same transcript up to the panic under every knob, but for the RTC line:
#    the memory map and the vm_page sizes too, since the monitor shows the
#    guest the PC of a native run (module/firmware.c).  --placement inplace
#    cannot put the real GDT where Mach's boot GDT is: Mach's boot code runs
#    on that page, and the run stops with that reason.  Both Debian images: the -dbg one is a
#    kernel of its own (with the kernel debugger), not the symbols of the
#    other, so it is the one run with symbols (and --symbols -dbg for the
#    stripped one is refused).  With a Multiboot module (--module), the
#    stripped kernel lists it and stops at the bootstrap server it cannot
#    load, with the native transcript.
# 3. Lossless: every run's rows == its records, per kind too.
# 4. Attribution: the protected traps on the page of Mach's GDT, IDT and
#    ktss (c1121000) are named gdt, idt, ktss and save.3 and nothing else,
#    and `ringmon report`'s hotspot rows give exactly the counts SQL gives;
#    `ringmon layout` on the -dbg ELF names the same sharers.
. tests/lib.sh

# --- 1. a.out-kludge kernels ------------------------------------------------
# kludge FLAGS CHECKSUM FILE: header at 0 (magic, flags, checksum,
# header_addr = load_addr = 0x100000, load_end_addr = bss_end_addr = 0: the
# whole file, entry_addr 0x100020), then: mov $0x3f8,%dx; mov $'H',%al;
# out; mov $'\n',%al; out; cli; hlt
kludge() {
	{
		printf '\002\260\255\033'
		printf "$1"
		printf "$2"
		printf '\000\000\020\000\000\000\020\000\000\000\000\000\000\000\000\000\040\000\020\000'
		printf '\146\272\370\003\260\110\356\260\012\356\372\364'
	} > "$3"
}
kludge '\000\000\001\000' '\376\117\121\344' "$TMP/halt.bin"   # flags 0x00010000
kludge '\004\000\001\000' '\372\117\121\344' "$TMP/video.bin"  # flags 0x00010004
DB=$TMP/kludge.db
native_transcript --until '^H$' "$TMP/halt.bin" > "$TMP/halt.native" 2> "$TMP/err"
check "a.out kludge natively: status" 0 "$?"
check "a.out kludge natively: console" H "$(tr -d '\r' < "$TMP/halt.native")"
"$RINGMON" run --db "$DB" --timeout 60 "$TMP/halt.bin" > "$TMP/halt.txt" 2> "$TMP/err"
check "a.out kludge, halting: status" 125 "$?"
check "a.out kludge under the monitor: console" H "$(tr -d '\r' < "$TMP/halt.txt")"
check "halted: state and reason" "halted|guest halted with interrupts off" \
	"$(sql "SELECT monitor_state || '|' || kill_reason FROM runs")"
check "halted: lossless" "$(sql "SELECT records FROM runs")" "$(sql "SELECT count(*) FROM traps")"
"$RINGMON" run --db "$TMP/video.db" "$TMP/video.bin" > /dev/null 2> "$TMP/err"
check "video mode: status" 2 "$?"
check "video mode: one line" 1 "$(wc -l < "$TMP/err")"
grep -q 'asks for a video mode (flag 2)' "$TMP/err" && echo "  ok: video mode refused: $(cat "$TMP/err")" ||
	fail "video mode: $(cat "$TMP/err")"
[ ! -e "$TMP/video.db" ] && echo "  ok: video mode: no database made" || fail "video mode: a database was made"

# --- 2. GNU Mach --------------------------------------------------------------
DIR=$(sh tools/debian-guests.sh machdir)
MACH=$DIR/gnumach-1.8-486
DBG=$DIR/gnumach-1.8-486-dbg
for f in "$MACH" "$DBG"; do
	[ -f "$f" ] && continue
	if [ "${RINGMON_NEED_LINUX:-0}" = 1 ]; then
		echo "  FAIL: $f missing (make debian-guests)"
		exit 1
	fi
	skip "GNU Mach not fetched ($f; make debian-guests)"
done
PANIC='panic ../kern/bootstrap.c:181: bootstrap_create: No bootstrap code loaded with the kernel!'
# upto_panic FILE: the transcript up to the panic, without carriage returns
upto_panic() { tr -d '\r' < "$1" | sed '/^panic /q'; }
# comparable FILE: what must equal the native transcript: all but the RTC line
comparable() { upto_panic "$1" | grep -v -e '^RTC time is '; }

mach_run() { # NAME IMAGE ARGS...: a monitored run into $DB, console in $TMP/NAME.txt
	n=$1 img=$2
	shift 2
	"$RINGMON" run --db "$DB" --until '^panic ' --timeout 600 --cmdline console=com0 "$@" \
		"$img" > "$TMP/$n.txt" 2> "$TMP/$n.err"
}

# lossless RUN WHAT
lossless() {
	check "$2: lossless (rows = records)" "$(sql "SELECT records FROM runs WHERE id = $1")" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id = $1")"
	for k in protected privileged sbe shadow_pf irq scan; do
		check "$2: $k rows = n_$k" "$(sql "SELECT coalesce(n_$k, -1) FROM runs WHERE id = $1")" \
			"$(sql "SELECT count(*) FROM traps WHERE run_id = $1 AND kind = '$k'")"
	done
}

DB=$TMP/mach.db
for img in "$MACH" "$DBG"; do
	b=$(basename "$img")
	native_transcript --timeout 600 --until '^panic ' --cmdline console=com0 "$img" \
		> "$TMP/$b.native" 2> "$TMP/err"
	check "$b natively: status (--until)" 0 "$?"
	check "$b natively: the bootstrap panic" "$PANIC" "$(upto_panic "$TMP/$b.native" | tail -1)"
	comparable "$TMP/$b.native" > "$TMP/$b.want"
done

# every knob value; Mach's own symbols (the -dbg ELF is the guest itself)
i=0
for knobs in "" "--mode w" "--mode off" "--emulate step" "--mode w --emulate step"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	mach_run "dbg$i" "$DBG" $knobs
	what="gnumach-1.8-486-dbg ${knobs:-rw/decode/shadow}"
	check "$what: status" 0 "$?"
	check "$what: state" until "$(sql "SELECT monitor_state FROM runs WHERE id = $i")"
	if comparable "$TMP/dbg$i.txt" | cmp -s "$TMP/gnumach-1.8-486-dbg.want" -; then
		echo "  ok: $what: transcript as natively ($(wc -l < "$TMP/gnumach-1.8-486-dbg.want") lines)"
	else
		fail "$what: transcript differs: $(comparable "$TMP/dbg$i.txt" | diff "$TMP/gnumach-1.8-486-dbg.want" - | head -5)"
	fi
	lossless "$i" "$what"
done
mach_run plain "$MACH"
check "gnumach-1.8-486: status" 0 "$?"
if comparable "$TMP/plain.txt" | cmp -s "$TMP/gnumach-1.8-486.want" -; then
	echo "  ok: gnumach-1.8-486: transcript as natively"
else
	fail "gnumach-1.8-486: transcript differs: $(comparable "$TMP/plain.txt" | diff "$TMP/gnumach-1.8-486.want" - | head -5)"
fi
lossless "$((i + 1))" gnumach-1.8-486
"$RINGMON" run --db "$TMP/wrong.db" --symbols "$DBG" "$MACH" > /dev/null 2> "$TMP/err"
check "the -dbg kernel's symbols for the other: refused (status)" 2 "$?"
grep -q 'is not .*gnumach-1.8-486.s' "$TMP/err" && echo "  ok: refused: $(cat "$TMP/err")" ||
	fail "the -dbg symbols for the stripped kernel: $(cat "$TMP/err")"
mach_run inplace "$DBG" --placement inplace
check "--placement inplace: status" 125 "$?"
check "--placement inplace: the reason" \
	"killed|placement inplace: the guest runs code at 01000017, on a page the real GDT takes" \
	"$(sql "SELECT monitor_state || '|' || kill_reason FROM runs WHERE id = $((i + 2))")"

# A Multiboot module with a boot-script line: Mach lists it, its line and
# all, and stops where it cannot load it as its bootstrap server, natively
# and under the monitor alike (module/guest.c lays it out as QEMU does).
printf 'not a server\n' > "$TMP/boot1"
MOD="$TMP/boot1 root=device:hd0 \$(task-create) \$(task-resume)"
MODPANIC='panic ../kern/bootstrap.c:810: user_bootstrap: Cannot load user executable module (error code -1): /proc/self/fd/5'
native_transcript --timeout 600 --until '^panic ' --cmdline console=com0 --module "$MOD" "$MACH" \
	> "$TMP/mod.native" 2> "$TMP/err"
check "gnumach-1.8-486 with a module natively: the panic" "$MODPANIC" \
	"$(upto_panic "$TMP/mod.native" | tail -1)"
mach_run mod "$MACH" --mode w --module "$MOD"
check "gnumach-1.8-486 with a module: status" 0 "$?"
comparable "$TMP/mod.native" > "$TMP/mod.want"
if comparable "$TMP/mod.txt" | cmp -s "$TMP/mod.want" -; then
	echo "  ok: gnumach-1.8-486 with a module: transcript as natively"
else
	fail "gnumach-1.8-486 with a module: transcript differs: $(comparable "$TMP/mod.txt" | diff "$TMP/mod.want" - | head -5)"
fi
lossless "$((i + 3))" "gnumach-1.8-486 with a module"

# --- 4. attribution on the descriptor-table page ------------------------------
PAGE=$(((0x011211c0) / 4096))   # gdt's guest-physical page (linked at c11211c0)
on_page="run_id = 1 AND kind = 'protected' AND gpa / 4096 = $PAGE"
check "descriptor page: the symbols hit" "gdt idt ktss save.3" \
	"$(sql "SELECT DISTINCT coalesce(data_sym, '?') FROM traps WHERE $on_page ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
for s in gdt idt ktss save.3; do
	n=$(sql "SELECT count(*) FROM traps WHERE $on_page AND data_sym = '$s'")
	[ "$n" -gt 0 ] && echo "  ok: $s: $n protected traps" || fail "$s: no protected trap"
done
check "ktss and save.3 are unrelated data" "0" \
	"$(sql "SELECT count(*) FROM traps WHERE $on_page AND data_sym IN ('ktss', 'save.3') AND region <> 'data'")"
"$RINGMON" report "$DB" --run 1 -o "$TMP/rep" > /dev/null 2> "$TMP/err" || fail "report: $(cat "$TMP/err")"
md_rows "Hotspots: what the protected-page traps hit" "$TMP/rep/report.md" > "$TMP/hot"
for s in gdt idt ktss save.3; do
	for region in gdt idt data; do
		want=$(sql "SELECT count(*) FROM traps WHERE $on_page AND data_sym = '$s' AND region = '$region'")
		[ "$want" = 0 ] && continue
		got=$(awk -F'|' -v s="$s" -v r="$region" '$1 == s && $2 == r { print $5 }' "$TMP/hot")
		check "report: $s in region $region" "$want" "$got"
	done
done
"$RINGMON" layout "$DBG" > "$TMP/layout" 2> "$TMP/err" || fail "layout: $(cat "$TMP/err")"
check "layout: the shared page" "page c1121000 (GDT gdt, IDT idt): shared with 2 symbols, 1 hot-looking" \
	"$(grep '^page ' "$TMP/layout")"
check "layout: its sharers" "save.3 gdt idt ktss" \
	"$(awk '/^page c1121000/ { on = 1; next } on && /^$/ { exit } on { print $3 }' "$TMP/layout" | tr '\n' ' ' | sed 's/ $//')"
finish
