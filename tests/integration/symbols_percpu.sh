#!/bin/sh
# symbols_percpu.sh — a per-CPU variable's copy is named after its template
# (docs/database.md, Symbolization; docs/linux.md, "Debian's kernels").
# Debian's 686 kernel is SMP: the GDT it loads is CPU 0's copy of gdt_page,
# at gdt_page + __per_cpu_offset[0], an address no symbol table holds.  One
# short run (--mode w, until the kernel starts /init) with the -dbg vmlinux:
#  - every protected trap of the kernel proper (addr >= 0xc0000000) has a
#    data_sym;
#  - every trap on the kernel's GDT (region gdt, addr >= 0xc0000000) is named
#    gdt_page, data_off < 4096, and they are on CPU 0's copy (data_cpu 0),
#    whose symbols row lies in the direct map (paddr = addr - 0xc0000000),
#    not at the template's address;
#  - the kernel has one CPU: every copy named is CPU 0's, in the direct map
#    (none of other bytes read as offsets before the kernel set them);
#  - lossless: one row per record the monitor counted.
# The kernel runs where KASLR put it: the symbols follow (sym_slide.c), and
# the per-CPU offsets count from there.
. tests/lib.sh
DEB=$(sh tools/debian-guests.sh dir)
ABI=$(cat "$DEB/abi" 2>/dev/null)
KERNEL=$DEB/vmlinuz-$ABI-686
VMLINUX=$DEB/vmlinux-$ABI-686
DB=$TMP/p.db
PAGE_OFFSET=$((0xc0000000))

need_files "make linux debian-guests" "$LINUX_INITRD" "$KERNEL" "$VMLINUX"

"$RINGMON" run --db "$DB" --mode w --timeout 1200 --until 'Run /init' \
	--symbols "$VMLINUX" --initrd "$LINUX_INITRD" --cmdline console=ttyS0 \
	"$KERNEL" > "$TMP/out.txt" 2> "$TMP/err.txt" ||
	fail "the run: status $?: $(tail -2 "$TMP/err.txt")"
gdt_page=$(($(nm "$VMLINUX" | awk '$3 == "gdt_page" { print "0x" $1; exit }')))

check "lossless: rows = records" "$(sql "SELECT records FROM runs")" \
	"$(sql "SELECT count(*) FROM traps")"
check "protected traps of the kernel without a data_sym" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE kind = 'protected' AND addr >= $PAGE_OFFSET
	        AND data_sym IS NULL")"
# the kernel's GDT (the decompressor's, below, is not the vmlinux's to name)
gdt="kind = 'protected' AND region = 'gdt' AND addr >= $PAGE_OFFSET"
n=$(sql "SELECT count(*) FROM traps WHERE $gdt")
[ "$n" -gt 0 ] && echo "  ok: $n traps on the kernel's GDT" || fail "no trap on the kernel's GDT"
check "kernel GDT traps not gdt_page+0..4095" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE $gdt
	        AND (data_sym IS NOT 'gdt_page' OR data_off NOT BETWEEN 0 AND 4095)")"
n=$(sql "SELECT count(*) FROM traps WHERE $gdt AND data_cpu = 0")
[ "$n" -gt 0 ] && echo "  ok: $n of them on CPU 0's copy" || fail "none on CPU 0's copy"
check "CPU 0's gdt_page: size, not the template, in the direct map" "4096 1 1" \
	"$(sql "SELECT size, addr <> $gdt_page, paddr = addr - $PAGE_OFFSET FROM symbols
	        WHERE name = 'gdt_page' AND cpu = 0" | tr '|' ' ')"
check "copies not CPU 0's or outside the direct map" 0 \
	"$(sql "SELECT count(*) FROM symbols WHERE cpu IS NOT NULL
	        AND (cpu <> 0 OR addr < $PAGE_OFFSET OR paddr <> addr - $PAGE_OFFSET)")"
finish
