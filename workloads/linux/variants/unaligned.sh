#!/bin/sh
# unaligned.sh — the link that puts unrelated, hot kernel data on the IDT's
# page: rewrites Kbuild's arch/x86/kernel/vmlinux.lds (stdin to stdout).
# expect-shared: idt_table
#
# What a link can and cannot change here (6.1, i386, UP; found by building
# and booting, see docs/linux.md):
# - gdt_page: DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, ...) and the
#   struct itself is aligned(PAGE_SIZE), so sizeof(struct gdt_page) is 4096:
#   the object fills its page and no link can put anything beside it.  The
#   kernel also needs it at a page start: load_fixmap_gdt() loads the GDTR
#   with the read-only fixmap alias, which maps the page's frame only.
# - idt_table: `__page_aligned_bss`, 256 gates x 8 bytes = 2 KiB; the other
#   half of its page is padding in the default link.  It must stay at its page
#   start (idt_map_in_cea() maps the frame read-only into the cpu_entry_area
#   and loads the IDTR with the page address), and after boot the kernel makes
#   its page read-only in the direct map too (set_memory_ro(&idt_table, 1) in
#   idt_setup_apic_and_irq_gates()).  Ordinary .bss/.data beside it is
#   written later and the kernel oopses (tried: open_softirq() writing
#   softirq_vec in start_kernel()).  Only data that is never written can share
#   the page.
# - No script can move either table off its page start (SUBALIGN could, but the
#   read-only aliases would then show the wrong bytes).
#
# So this variant moves idt.o's .bss..page_aligned (idt_table alone) from
# .bss to the start of .rodata (a NOBITS input in a PROGBITS output section
# becomes zero bytes in the file: the same all-zero start) and puts right
# after it, in the same page, two named objects the kernel reads and never
# writes after boot:
# - protection_map (arch/x86/mm/pgprot.o, .data..ro_after_init, 64 bytes):
#   vm_get_page_prot() reads it on every mmap, mprotect and exec;
# - _ctype (lib/ctype.o, .rodata, 256 bytes): the ctype table, read by every
#   isdigit()/isspace() of vsnprintf() -- every printk and seq_printf.
# Each is the only symbol of its input section, and the rest of .rodata starts
# on the next page, so every byte of the IDT's page outside idt_table belongs
# to a named neighbour or is padding.  (The .rodata
# of arch/x86/entry/syscall_32.o was here before: read by every int $0x80,
# but its first 0x720 bytes are the anonymous jump table of ia32_sys_call(),
# which no symbol source can name.)  .rodata is writable until
# mark_rodata_ro(), long after the IDT is set up, so the kernel runs
# unchanged; the only difference is what else lives on the IDT's frame.
# Object files are named as members of Kbuild's thin archives (vmlinux.a,
# lib/lib.a): the paths are the object tree's.
set -eu
old='.rodata : AT(ADDR(.rodata) - 0xC0000000) { __start_rodata = .;'
new="$old /* ringmon unaligned: */ *arch/x86/kernel/idt.o(.bss..page_aligned) *arch/x86/mm/pgprot.o(.data..ro_after_init) *lib/ctype.o(.rodata) . = ALIGN(0x1000);"
lds=$(cat)
n=$(printf '%s\n' "$lds" | grep -cF "$old" || true)
if [ "$n" -ne 1 ]; then
	echo "unaligned.sh: expected one '$old' in vmlinux.lds, found $n" >&2
	exit 1
fi
printf '%s\n' "$lds" | awk -v old="$old" -v new="$new" '
	{ i = index($0, old); if (i) $0 = substr($0, 1, i - 1) new substr($0, i + length(old)) }
	{ print }'
