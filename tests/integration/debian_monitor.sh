# debian_monitor.sh — Debian bookworm's own i386 kernels, as shipped
# (tools/debian-guests.sh), under the monitor with this project's initramfs
# and the command line a user gives (console=ttyS0, nothing turned off):
# each flavour with each --mode, both placements and both emulate paths,
# prints the workload transcript it prints natively
# (tests/fixtures/linux-workload.txt, which linux_native.sh holds native
# boots to; here one native boot of each flavour is held to it too) and
# exits with the guest's status, 0.  Of each run's database, with the -dbg
# vmlinux as --symbols:
#  - lossless: one row per record the monitor counted;
#  - symbolized: every trap whose EIP lies in the kernel's text has a code_sym;
#  - relocated: the kernel runs where KASLR put it, and the symbols with it
#    (vmm/sym_slide.c), so the text range is the symbols table's;
#  - attribution: every protected trap of the kernel proper (linear address
#    in its direct map and above) has a data_sym, and those in the GDT and
#    IDT are named gdt_page (CPU 0's per-CPU copy, which the kernel loads)
#    and idt_table; the decompressor's, on its own boot GDT, are not the
#    vmlinux's to name (docs/linux.md).
# --placement inplace too: the decompressor's boot GDT and the kernel's
# early one are not page-aligned, and its stack and data share their pages
# (the real GDT takes two pages there).  Two runs at a time; each database
# is reduced to a few facts and removed.
. tests/lib.sh
DEB=$(sh tools/debian-guests.sh dir)
ABI=$(cat "$DEB/abi" 2>/dev/null)
# flavour mode placement emulate
RUNS="686 rw shadow decode
686 w shadow decode
686 off shadow decode
686 w shadow step
686-pae rw shadow decode
686-pae w shadow decode
686-pae off shadow decode
686-pae w shadow step
686 w inplace decode
686-pae rw inplace step"
PAGE_OFFSET=$((0xc0000000))

# _text's link address, read once per flavour into DIR/text.FLAVOUR (the
# vmlinux is some 300 MB)
link_text() { nm "$DEB/vmlinux-$ABI-$1" | awk '$3 == "_text" { print "0x" $1; exit }'; }

# `sh debian_monitor.sh run DIR FLAVOUR MODE PLACEMENT EMULATE`: one run
if [ "${1:-}" = run ]; then
	d=$2 f=$3 m=$4 p=$5 e=$6
	r=$d/$f.$m.$p.$e
	DB=$r.db
	"$RINGMON" run --db "$DB" --mode "$m" --placement "$p" --emulate "$e" --timeout 1500 \
		--symbols "$DEB/vmlinux-$ABI-$f" --initrd "$LINUX_INITRD" --cmdline console=ttyS0 \
		"$DEB/vmlinuz-$ABI-$f" > "$r.out" 2> "$r.err"
	echo $? > "$r.status"
	# the symbols table holds where the kernel ran (KASLR moves it)
	text="(SELECT addr FROM symbols WHERE name = '_text')"
	etext="(SELECT addr FROM symbols WHERE name = '_etext')"
	sql "SELECT 'records', records FROM runs;
	     SELECT 'rows', count(*) FROM traps;
	     SELECT 'slide', $text - $(cat "$d/text.$f");
	     SELECT 'text_traps', count(*) FROM traps WHERE eip >= $text AND eip < $etext;
	     SELECT 'text_nosym', count(*) FROM traps
	       WHERE eip >= $text AND eip < $etext AND code_sym IS NULL;
	     SELECT 'protected', count(*) FROM traps WHERE kind = 'protected';
	     SELECT 'kernel_protected', count(*) FROM traps
	       WHERE kind = 'protected' AND addr >= $PAGE_OFFSET;
	     SELECT 'kernel_nosym', count(*) FROM traps
	       WHERE kind = 'protected' AND addr >= $PAGE_OFFSET AND data_sym IS NULL;
	     SELECT 'sym', region, coalesce(data_sym, '-'), count(*) FROM traps
	       WHERE kind = 'protected' AND addr >= $PAGE_OFFSET AND region IN ('gdt', 'idt')
	       GROUP BY 2, 3 ORDER BY 2, 3;" 2>&1 | tr '|' ' ' > "$r.facts"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	exit 0
fi
need_files "make linux debian-guests" "$LINUX_INITRD" "$DEB/vmlinuz-$ABI-686" \
	"$DEB/vmlinux-$ABI-686" "$DEB/vmlinuz-$ABI-686-pae" "$DEB/vmlinux-$ABI-686-pae"

# natively, each flavour prints the fixture's workload
for f in 686 686-pae; do
	native_transcript --initrd "$LINUX_INITRD" --cmdline console=ttyS0 --timeout 600 \
		"$DEB/vmlinuz-$ABI-$f" > "$TMP/native.$f.out"
	linux_workload "$TMP/native.$f.out" > "$TMP/native.$f.lines"
	cmp -s "$LINUX_EXPECTED" "$TMP/native.$f.lines" &&
		echo "  ok: $f natively: the workload transcript" ||
		fail "$f natively: the workload transcript differs: $(diff "$LINUX_EXPECTED" "$TMP/native.$f.lines" | head -3)"
done

echo "$RUNS" > "$TMP/runs"
for f in 686 686-pae; do link_text "$f" > "$TMP/text.$f"; done
xargs -P 2 -L 1 sh "$0" run "$TMP" < "$TMP/runs"

while read -r f m p e; do
	r=$f.$m.$p.$e
	linux_run_checks "$r" || continue
	echo "  ok: $r: the kernel ran $(($(fact slide "$r") / 1048576)) MiB above its link address"
	if [ "$m" = off ]; then
		check "$r: protected traps" 0 "$(fact protected "$r")"
		continue
	fi
	n=$(fact kernel_protected "$r")
	[ "${n:-0}" -gt 0 ] && check "$r: the kernel's protected traps ($n) without data_sym" 0 \
		"$(fact kernel_nosym "$r")" || fail "$r: no protected trap of the kernel proper"
	for t in gdt:gdt_page idt:idt_table; do
		n=$(awk -v g="${t%%:*}" -v y="${t#*:}" '$1 == "sym" && $2 == g && $3 == y { print $4 }' "$TMP/$r.facts")
		[ "${n:-0}" -gt 0 ] && echo "  ok: $r: $n traps on the ${t%%:*} named ${t#*:}" ||
			fail "$r: no ${t%%:*} trap named ${t#*:}: $(grep '^sym' "$TMP/$r.facts" | tr '\n' ' ')"
	done
	check "$r: GDT and IDT traps named otherwise" "" \
		"$(awk '$1 == "sym" && !(($2 == "gdt" && $3 == "gdt_page") || ($2 == "idt" && $3 == "idt_table")) { printf "%s ", $0 }' "$TMP/$r.facts")"
done < "$TMP/runs"
finish
