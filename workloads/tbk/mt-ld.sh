#!/bin/sh
# mt-ld.sh — the linker scripts of mt's link-order variants (docs/experiments.md):
# tbk.ld with its data part, from `.data :` to `__bss_end = .;`, replaced by
# the variant's.  Every variant links the same objects; only where the data
# input sections land differs, and with it what shares the GDT and IDT pages.
#
#   sh workloads/tbk/mt-ld.sh VARIANT < workloads/tbk/tbk.ld > mt-VARIANT.ld
#
#   shared   tbk.ld as it is: each table shares its page with hot system-call
#            and I/O counters (mt.elf's layout)
#   aligned  each table page-aligned alone on its page (what Linux does now)
#   bss      the GDT alone; the IDT at the start of .bss followed by the timer
#            and scheduler variables and the TSS, as in the seed thread's listing
#   shufN    .data as in tbk.ld, right after .rodata, then in the same output
#            section the tables and the small .bss input sections in a
#            permutation drawn with seed N (N > 0); the stacks and the
#            page-table pool stay behind them, page-aligned, since a stack on
#            a protected page would make every push trap and measure nothing
#            about link order
set -e
case $1 in
shared | aligned | bss | shuf[1-9] | shuf[1-9][0-9]) ;;
*) echo "usage: mt-ld.sh shared|aligned|bss|shufN < tbk.ld" >&2; exit 2 ;;
esac
awk -v variant="$1" '
# The input sections that shufN permutes: the tables, the data beside them
# in tbk.ld, and the small .bss ones (mt.c is built with -fdata-sections, so
# each of its variables is one; each library object brings one .bss).
function items(a) {
	n = 0
	a[++n] = "*(.gdtpage.table)"
	a[++n] = "*(.gdtpage.hot)"
	a[++n] = "*(.bss.idt)"
	a[++n] = "*(.bss.idt_hot)"
	a[++n] = "*(.bss.ticks)"
	a[++n] = "*(.bss.kernel_root)"
	a[++n] = "*(.bss.live)"
	a[++n] = "*(.bss.idle_tf)"
	a[++n] = "*libtbk.a:cpu.c.o(.bss)"
	a[++n] = "*libtbk.a:trap.c.o(.bss)"
	return n
}
# Park and Miller'"'"'s minimal standard generator: exact in awk'"'"'s doubles
# (16807 * 2^31 < 2^53), so every awk draws the same permutation.
function draw() {
	x = (16807 * x) % 2147483647
	return x
}
function data_part(   a, n, i, j, t) {
	if (variant == "aligned" || variant == "bss") {
		# the GDT alone on its page; .bss starts with the IDT
		print "\t.data : { *(.data .data.*) *(.gdtpage.hot) }"
		print "\t. = ALIGN(4096);"
		print "\t.gdtpage : { *(.gdtpage.table) . = ALIGN(4096); }"
		print "\t__bss_start = .;"
		print "\t.bss : {"
		print "\t\t*(.bss.idt)"
		if (variant == "bss") {
			print "\t\t*(.bss.ticks) *(.bss.idle_tf) *(.bss.live) *(.bss.kernel_root)"
			print "\t\t*libtbk.a:cpu.c.o(.bss)"
		}
		print "\t\t. = ALIGN(4096);"
		print "\t\t*(.bss.idt_hot) *(.bss .bss.*) *(COMMON)"
		print "\t}"
	} else {
		n = items(a)
		x = substr(variant, 5) + 0
		for (i = 0; i < 8; i++)
			draw()
		for (i = n; i > 1; i--) {   # Fisher-Yates
			j = 1 + draw() % i
			t = a[i]; a[i] = a[j]; a[j] = t
		}
		print "\t/* " variant ": seed " substr(variant, 5) " */"
		print "\t.data : {"
		print "\t\t*(.data .data.*)"   # first: .data stays PROGBITS, no warning
		for (i = 1; i <= n; i++)
			print "\t\t" a[i]
		print "\t}"
		print "\t. = ALIGN(4096);"
		print "\t__bss_start = .;"
		print "\t.bss : { *(.bss.tasks) *(.bss .bss.*) *(COMMON) }"
	}
	print "\t__bss_end = .;"
}
NR == 1 && variant != "shared" {
	print "/* mt-" variant ".ld — made by workloads/tbk/mt-ld.sh " variant " from tbk.ld. */"
}
variant != "shared" && /^\t\.data :/ { data_part(); skip = 1; found = 1 }
skip && /^\t__bss_end = \.;/ { skip = 0; next }
!skip { print }
END {
	if (variant != "shared" && (!found || skip)) {
		print "mt-ld.sh: tbk.ld has no data part from \".data :\" to \"__bss_end = .;\"" > "/dev/stderr"
		exit 1
	}
}'
