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
# is reduced to a few facts and removed, but for 686's --mode
# w one: across kernels (docs/experiments.md), GNU Mach's -dbg kernel
# (--mode rw, to its panic) and our Linux 6.1 `upstream` (--mode w) are run
# into it too, and `ringmon compare` of the three must show
#  - one row per run in each table, the kernel in every row with its
#    version: Debian's package version (6.1.176-1, gnumach-1.8+git...) from
#    the path, a bzImage's release as file(1) reads it ("Linux 6.1.192");
#  - `ended` until for Mach and exit for the Linux runs, and the note naming
#    the Mach run (and nothing else) as not a full workload;
#  - the runs' own counters (records, n_protected, n_KIND) as its numbers;
#  - the split of protected traps into boot code (below the run's lowest
#    symbol) and the kernel proper, its unrelated data, tables and times,
#    equal to the traps view's: each kernel has boot traps (Mach's with a
#    code_sym, the decompressors' without), Linux's kernel proper none on
#    unrelated data, Mach's some (its tables share a page with ktss).
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
CROSS=686.w.shadow.decode   # the run whose database the other kernels join

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
	[ "$f.$m.$p.$e" = "$CROSS" ] || rm -f "$DB" "$DB-wal" "$DB-shm"
	exit 0
fi
MACH=$(sh tools/debian-guests.sh machdir)/gnumach-1.8-486-dbg
need_files "make linux debian-guests" "$LINUX_INITRD" "$DEB/vmlinuz-$ABI-686" \
	"$DEB/vmlinux-$ABI-686" "$DEB/vmlinuz-$ABI-686-pae" "$DEB/vmlinux-$ABI-686-pae" \
	"$MACH" "$LINUX/upstream/bzImage" "$LINUX/upstream/System.map"

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

# --- across kernels: GNU Mach and our Linux join 686's --mode w run --------
DB=$TMP/$CROSS.db
"$RINGMON" run --db "$DB" --mode rw --until '^panic ' --timeout 600 --cmdline console=com0 \
	"$MACH" > "$TMP/mach.out" 2> "$TMP/mach.err" &
mach=$!
"$RINGMON" run --db "$DB" --mode w --timeout 1500 --variant upstream \
	--symbols "$LINUX/upstream/System.map" --initrd "$LINUX_INITRD" "$LINUX/upstream/bzImage" \
	> "$TMP/upstream.out" 2> "$TMP/upstream.err"
check "across kernels: upstream's status" 0 "$?"
wait "$mach"
check "across kernels: Mach's status" 0 "$?"
check "across kernels: runs" "vmlinuz-$ABI-686 bzImage gnumach-1.8-486-dbg" \
	"$(sql "SELECT group_concat(kernel, ' ') FROM (SELECT kernel FROM runs ORDER BY kernel LIKE 'gnu%', kernel LIKE 'bz%', id)")"
"$RINGMON" compare "$DB" > "$TMP/cmp.md" 2> "$TMP/err" || fail "compare: $(cat "$TMP/err")"
md_rows Measures "$TMP/cmp.md" > "$TMP/measures"
md_rows "Before the kernel proper, and in it" "$TMP/cmp.md" > "$TMP/boot"
md_rows "Traps by kind" "$TMP/cmp.md" > "$TMP/kinds"
for t in measures boot kinds; do
	check "compare: $t rows" 3 "$(wc -l < "$TMP/$t")"
done
id_of() { sql "SELECT id FROM runs WHERE kernel = '$1'"; }
MACH_ID=$(id_of gnumach-1.8-486-dbg)
check "compare: the note on partial runs" "Not a full workload: run $MACH_ID (until)." \
	"$(grep -o '^Not a full workload: run [^.]*\.' "$TMP/cmp.md")"
# the kernel label: the guest's directory and file, a bzImage's release
label() {
	g=$(sql "SELECT guest FROM runs WHERE id = $1")
	v=$(file -b "$g" | sed -n 's/^Linux kernel x86 boot executable bzImage, version \([^ ]*\) .*/, Linux \1/p')
	echo "$(basename "$(dirname "$g")")/$(basename "$g")$v"
}
for id in $(sql "SELECT id FROM runs"); do
	want=$(label "$id")
	check "run $id: kernel in every table" "$want $want $want" \
		"$(for t in measures boot kinds; do awk -F'|' -v i="$id" '$1 == i { print $2 }' "$TMP/$t"; done | tr '\n' ' ' | sed 's/ $//')"
done
check "Debian's label: package version and release" "6.1.176-1/vmlinuz-$ABI-686, Linux $ABI-686" \
	"$(label "$(id_of "vmlinuz-$ABI-686")")"
case $(label "$MACH_ID") in
gnumach-1.8+git*/gnumach-1.8-486-dbg) echo "  ok: Mach's label: $(label "$MACH_ID")" ;;
*) fail "Mach's label: $(label "$MACH_ID")" ;;
esac
case $(label "$(id_of bzImage)") in
"upstream/bzImage, Linux 6.1."*) echo "  ok: upstream's label: $(label "$(id_of bzImage)")" ;;
*) fail "upstream's label: $(label "$(id_of bzImage)")" ;;
esac
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }'; }
while IFS='|' read -r id _ _ mode ended traps prot _; do
	check "run $id: mode" "$(sql "SELECT mode FROM runs WHERE id = $id")" "$mode"
	check "run $id: ended" "$([ "$id" = "$MACH_ID" ] && echo until || echo exit)" "$ended"
	check "run $id: traps = records" "$(sql "SELECT records FROM runs WHERE id = $id")" "$traps"
	check "run $id: protected = n_protected" "$(sql "SELECT n_protected FROM runs WHERE id = $id")" "$prot"
done < "$TMP/measures"
kinds=$(awk '/^## Traps by kind/ { on = 1; next } on && /^\| run/ { print; exit }' "$TMP/cmp.md" |
	sed -e 's/^| run | kernel | //' -e 's/ |$//' -e 's/ | / /g')
while IFS='|' read -r id _ rest; do
	i=0
	for k in $kinds; do
		i=$((i + 1))
		check "run $id: $k = n_$k" "$(sql "SELECT n_$k FROM runs WHERE id = $id")" \
			"$(echo "$rest" | cut -d'|' -f$i)"
	done
done < "$TMP/kinds"
# the split, from the traps view: boot (below the lowest symbol), the
# kernel proper's data and tables; count and time in the monitor
# got CATEGORY COLUMN: of $TMP/split (category, count, cycles, with a
# code_sym, on data), 0 if there is no such row
got() { awk -v k="$1" -v c="$2" '$1 == k { print $c; f = 1 } END { if (!f) print 0 }' "$TMP/split"; }
while IFS='|' read -r id _ _ _ _ prot boot bshare bcyc proper pdata ptables pshare pcyc; do
	sql "SELECT CASE WHEN addr < (SELECT min(addr) FROM symbols WHERE run_id = $id) THEN 'boot'
	            WHEN region = 'data' THEN 'data' ELSE 'tables' END,
	            count(*), sum(tsc_out - tsc_in), count(code_sym), sum(region = 'data')
	     FROM traps WHERE run_id = $id AND kind = 'protected' GROUP BY 1" | tr '|' ' ' > "$TMP/split"
	echo "$(got boot 5)" >> "$TMP/bootdata"
	check "run $id: protected" "$(sql "SELECT n_protected FROM runs WHERE id = $id")" "$prot"
	check "run $id: boot" "$(got boot 2)" "$boot"
	check "run $id: boot in the monitor" "$(got boot 3)" "$bcyc"
	check "run $id: kernel proper" "$(($(got data 2) + $(got tables 2)))" "$proper"
	check "run $id: kernel proper on unrelated data" "$(got data 2)" "$pdata"
	check "run $id: kernel proper on the tables" "$(got tables 2)" "$ptables"
	check "run $id: kernel proper in the monitor" "$(($(got data 3) + $(got tables 3)))" "$pcyc"
	check "run $id: boot share" "$(pct "$boot" "$prot")%" "$bshare"
	check "run $id: kernel proper's data share" "$(pct "$pdata" "$proper")%" "$pshare"
	[ "${boot:-0}" -gt 0 ] && echo "  ok: run $id: $boot protected traps before the kernel proper" ||
		fail "run $id: no boot traps"
	if [ "$id" = "$MACH_ID" ]; then
		# Mach's boot code is in its symbols, run before paging
		[ "$(got boot 4)" -gt 0 ] && echo "  ok: Mach: $(got boot 4) boot traps with a code_sym" ||
			fail "Mach: no boot trap with a code_sym"
		[ "${pdata:-0}" -gt 0 ] && echo "  ok: Mach's kernel proper: $pdata on unrelated data" ||
			fail "Mach's kernel proper: nothing on unrelated data"
	else
		check "run $id: the decompressor's traps with a code_sym" 0 "$(got boot 4)"
		check "run $id: the kernel proper's traps on unrelated data" 0 "$pdata"
	fi
done < "$TMP/boot"
md_rows "Unrelated data hit, by symbol" "$TMP/cmp.md" > "$TMP/syms"
check "compare: (boot code), the boot traps on data, by run" "$(tr '\n' '|' < "$TMP/bootdata" | sed 's/|$//')" \
	"$(awk -F'|' '$1 == "(boot code)" { sub(/^[^|]*\|/, ""); print }' "$TMP/syms")"
finish
