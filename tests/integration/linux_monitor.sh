# linux_monitor.sh — Linux 6.1, unmodified, under the monitor: every link
# variant with every --mode prints the workload transcript it prints natively
# (the one linux_native.sh holds native boots to) and exits with the guest's
# status (0, from user space through ioperm and port 0xf4); ringmon-peek gets
# SIGSEGV for reading kernel text.  Of each run's database:
#  - lossless: one row per record the monitor counted;
#  - symbolized: every trap whose EIP lies in the kernel's text has a code_sym;
#  - attribution: protected traps on the frames of gdt_page and idt_table are
#    named after them in the page-aligned links (upstream, shuf1, shuf2: no
#    unrelated data); in `unaligned`, reads of the data beside idt_table trap
#    under --mode rw and are named after the neighbours that
#    `ringmon layout build/linux/unaligned/vmlinux` lists.
# Two runs at a time; each run's database is reduced to a few facts and
# removed (an rw run's holds some 15 million rows, docs/linux.md).
. tests/lib.sh
MODES="rw w off"

# `sh linux_monitor.sh run DIR VARIANT MODE`: one run, into DIR/VARIANT.MODE.*
if [ "${1:-}" = run ]; then
	d=$2 v=$3 m=$4
	DB=$d/$v.$m.db
	"$RINGMON" run --db "$DB" --mode "$m" --timeout 1200 --variant "$v" \
		--symbols "$LINUX/$v/System.map" --initrd "$LINUX_INITRD" \
		"$LINUX/$v/bzImage" > "$d/$v.$m.out" 2> "$d/$v.$m.err"
	echo $? > "$d/$v.$m.status"
	text0=$(linux_sym "$v" _text) text1=$(linux_sym "$v" _etext)
	gdt=$(($(linux_sym "$v" gdt_page) - 0xC0000000))
	idt=$(($(linux_sym "$v" idt_table) - 0xC0000000))
	sql "SELECT 'records', records FROM runs;
	     SELECT 'rows', count(*) FROM traps;
	     SELECT 'text_traps', count(*) FROM traps WHERE eip >= $text0 AND eip < $text1;
	     SELECT 'text_nosym', count(*) FROM traps
	       WHERE eip >= $text0 AND eip < $text1 AND code_sym IS NULL;
	     SELECT 'protected', count(*) FROM traps WHERE kind = 'protected';
	     SELECT 'sym', coalesce(data_sym, '-'), count(*) FROM traps
	       WHERE kind = 'protected' AND gpa / 4096 IN ($gdt / 4096, $idt / 4096)
	       GROUP BY 2 ORDER BY 2;" 2>&1 | tr '|' ' ' > "$d/$v.$m.facts"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	exit 0
fi
need_linux

for v in $LINUX_VARIANTS; do for m in $MODES; do echo "$v $m"; done; done |
	xargs -P 2 -L 1 sh "$0" run "$TMP"

# the unrelated data on the tables' frames: every name but the tables'
unrelated() { awk '$1 == "sym" && $2 != "gdt_page" && $2 != "idt_table" { print $2, $3 }' "$TMP/$1.facts"; }

for v in $LINUX_VARIANTS; do
	for m in $MODES; do
		r=$v.$m
		linux_run_checks "$r" || continue
		grep -q '^ringmon-peek\[[0-9]*\]: segfault at c1000000 ' "$TMP/$r.out" &&
			echo "  ok: $r: ringmon-peek got SIGSEGV" || fail "$r: no segfault for ringmon-peek"
		if [ "$m" = off ]; then
			check "$r: protected traps" 0 "$(fact protected "$r")"
			continue
		fi
		n=$(awk '$1 == "sym" && $2 == "gdt_page" { print $3 }' "$TMP/$r.facts")
		[ "${n:-0}" -gt 0 ] && echo "  ok: $r: $n traps on the GDT frame named gdt_page" ||
			fail "$r: no trap named gdt_page"
		if [ "$v" != unaligned ]; then
			check "$r: unrelated-data traps on the tables' frames" "" "$(unrelated "$r" | tr '\n' ' ')"
		fi
	done
done

# unaligned: what shares idt_table's page, by `ringmon layout`, and what the
# rw run found there
if printf '%s\n' $LINUX_VARIANTS | grep -qx unaligned; then
	"$RINGMON" layout "$LINUX/unaligned/vmlinux" > "$TMP/layout" ||
		fail "ringmon layout $LINUX/unaligned/vmlinux failed"
	awk '/^page .*\(IDT idt_table\)/ { on = 1; next } /^page / { on = 0 }
		on && NF >= 3 && $3 != "idt_table" { print $3 }' "$TMP/layout" > "$TMP/neighbours"
	unrelated unaligned.rw > "$TMP/hit"
	[ -s "$TMP/hit" ] && echo "  ok: unaligned.rw: unrelated data on the IDT frame: $(tr '\n' ' ' < "$TMP/hit")" ||
		fail "unaligned.rw: no unrelated-data trap on the IDT frame"
	while read -r s n; do
		grep -qxF "$s" "$TMP/neighbours" &&
			echo "  ok: unaligned.rw: $s ($n traps) is a neighbour ringmon layout lists" ||
			fail "unaligned.rw: $s ($n traps) is not among layout's neighbours: $(tr '\n' ' ' < "$TMP/neighbours")"
	done < "$TMP/hit"
fi
finish
