#!/bin/sh
# default.sh — the link as Debian's linux-source-6.1 does it: Kbuild's own
# arch/x86/kernel/vmlinux.lds, unchanged (stdin to stdout).
exec cat
