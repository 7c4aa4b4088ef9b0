#!/bin/sh
# upstream.sh — the link as Debian's linux-source-6.1 releases it: Kbuild's
# own arch/x86/kernel/vmlinux.lds, unchanged (stdin to stdout).  gdt_page and
# idt_table each start a page of their own (the seed thread's fix).
exec cat
