#!/bin/sh
# kallsyms_debian.sh — symbols from Debian's own i386 kernels, as shipped
# (tools/debian-guests.sh; docs/linux.md, "Debian's kernels"), and the
# kallsyms reader's decompressor for every payload format.
#
# 1. The oracle: each shipped bzImage (xz payload, built without
#    KALLSYMS_ALL) gives, through ringmon's kallsyms reader, exactly the
#    function symbols that the same build's vmlinux from its -dbg package
#    holds in its ELF symbol table (nm), by name and address, within the
#    ranges scripts/kallsyms.c keeps without KALLSYMS_ALL (symbol_valid()):
#    from _stext up to _etext and from _sinittext up to _einittext, and of the
#    symbols at an end address only the end marker itself.  The two
#    come from different files made by different tools (kallsyms' compressed
#    tables in .rodata, the linker's symtab), so agreement is not circular.
# 2. The other six formats: Debian ships xz only, and no Debian i386 kernel
#    uses the others.  So the shipped payload is decompressed with xz(1), and
#    the vmlinux.bin inside is compressed again with each format's real tool
#    and Kbuild's own options (scripts/Makefile.lib, arch/x86/boot/compressed/
#    Makefile: gzip -n -9; bzip2 -9, lzma -9, xz_wrap.sh's xz, lzop -9,
#    lz4 -l -9, zstd -22 --ultra, each with Kbuild's 4-byte size appended),
#    and spliced into a copy of the bzImage's setup code with the setup
#    header's payload_length set to the new length.  The images are not
#    bootable (the decompressor's code after the payload is left out); they
#    are what the symbol reader reads: the setup header and a real stream of
#    the format.  Each must give the very symbols the shipped image gives.
# 3. Bad images get one line saying what is wrong and a non-zero exit from
#    `ringmon layout`: a truncated file, a corrupt payload, a payload in no
#    compression Linux knows, and a payload without any kallsyms table (a
#    test kernel's ELF, xz-compressed the way Kbuild does: a kernel built
#    without CONFIG_KALLSYMS has none either).
# 4. `ringmon layout --symbols` reads the -dbg vmlinux (ELF + DWARF, ~300 MB)
#    and names gdt_page and idt_table, in seconds.
. tests/lib.sh
DUMP=build/tests/test_symbols
DEB=$(sh tools/debian-guests.sh dir)
ABI=$(cat "$DEB/abi" 2>/dev/null)
FLAVOURS="686 686-pae"

for f in $FLAVOURS; do
	need_files "make debian-guests" "$DEB/vmlinuz-$ABI-$f" "$DEB/vmlinux-$ABI-$f" \
		"$DEB/config-$ABI-$f"
done
[ -x "$DUMP" ] || { echo "  FAIL: $DUMP not built (make all)"; exit 1; }

# u8/u32 FILE OFFSET: a little-endian number from a file
u8() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
# le32 N: N as 4 little-endian bytes
le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
	$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
# payload_start IMAGE: the payload's file offset: the setup sectors (0 means
# 4), then the boot sector, then payload_offset (0x248) into the rest
payload_start() {
	s=$(u8 "$1" 497)
	[ "$s" -eq 0 ] && s=4
	echo $(((s + 1) * 512 + $(u32 "$1" 584)))
}

# --- 1. the shipped images against the -dbg vmlinux -------------------------
for f in $FLAVOURS; do
	k=$DEB/vmlinuz-$ABI-$f
	grep -qx 'CONFIG_KERNEL_XZ=y' "$DEB/config-$ABI-$f" &&
		grep -qx '# CONFIG_KALLSYMS_ALL is not set' "$DEB/config-$ABI-$f" &&
		echo "  ok: $f: built with an xz payload and without KALLSYMS_ALL" ||
		fail "$f: the config is not what this test is about (xz, no KALLSYMS_ALL)"
	magic=$(od -An -tx1 -j "$(payload_start "$k")" -N 6 "$k" | tr -d ' ')
	check "$f: the payload's magic" fd377a585a00 "$magic"
	if ! "$DUMP" --dump "$k" > "$TMP/ks-$f" 2> "$TMP/ks-$f.err"; then
		fail "$f: kallsyms not read: $(cat "$TMP/ks-$f.err")"
		continue
	fi
	grep -q '(kallsyms), data not named$' "$TMP/ks-$f.err" &&
		echo "  ok: $f: $(cut -d: -f2- "$TMP/ks-$f.err" | sed "s/^ //")" ||
		fail "$f: $(cat "$TMP/ks-$f.err")"
	# layout says plainly that these symbols cannot name data, and where
	# data symbols come from
	"$RINGMON" layout "$k" > "$TMP/layout-$f" 2>&1
	grep -qF "$k: names functions only (kallsyms without CONFIG_KALLSYMS_ALL)" "$TMP/layout-$f" &&
		grep -qF 'from linux-image-VERSION-dbg' "$TMP/layout-$f" &&
		echo "  ok: $f: layout says the symbols name no data, and where they come from" ||
		fail "$f: layout: $(head -n 1 "$TMP/layout-$f")"
	nm "$DEB/vmlinux-$ABI-$f" > "$TMP/nm-$f" || fail "$f: nm of the vmlinux failed"
	range() { awk -v s="$1" '$3 == s { print $1 }' "$TMP/nm-$f"; }
	awk -v a="$(range _stext)" -v b="$(range _etext)" -v c="$(range _sinittext)" \
	    -v d="$(range _einittext)" '$2 ~ /^[tTwW]$/ &&
		(($1 >= a && $1 < b) || ($1 >= c && $1 < d) || $3 == "_etext" || $3 == "_einittext") {
		print $1, $3 }' \
		"$TMP/nm-$f" | sort -u > "$TMP/oracle-$f"
	awk '$2 ~ /^[tT]$/ { print $1, $3 }' "$TMP/ks-$f" | sort -u > "$TMP/func-$f"
	n=$(wc -l < "$TMP/oracle-$f")
	[ "$n" -gt 20000 ] || fail "$f: only $n text symbols in the vmlinux"
	if cmp -s "$TMP/oracle-$f" "$TMP/func-$f"; then
		echo "  ok: $f: the $n function symbols equal the -dbg vmlinux's (name and address)"
	else
		fail "$f: kallsyms and the vmlinux's symtab differ (< kallsyms, > nm):"
		diff "$TMP/func-$f" "$TMP/oracle-$f" | head
	fi
	# whatever else kallsyms names (labels such as __init_begin) is in the symtab too
	awk '{ print $1, $3 }' "$TMP/nm-$f" | sort -u > "$TMP/all-$f"
	extra=$(awk '{ print $1, $3 }' "$TMP/ks-$f" | sort -u | comm -23 - "$TMP/all-$f" | wc -l)
	check "$f: kallsyms symbols not in the vmlinux" 0 "$extra"
done

# --- 2. every payload format, from the 686 kernel's vmlinux.bin --------------
k=$DEB/vmlinuz-$ABI-686
start=$(payload_start "$k")
len=$(u32 "$k" 588)
tail -c +$((start + 1)) "$k" | head -c "$len" > "$TMP/payload.xz"
size=$(u32 "$TMP/payload.xz" $((len - 4)))
# Kbuild's size_append is 4 bytes after the stream: one xz stream only
xz -dc --single-stream < "$TMP/payload.xz" > "$TMP/vmlinux.bin" || fail "xz -d of the payload failed"
check "vmlinux.bin's size against the payload's size field" "$size" "$(wc -c < "$TMP/vmlinux.bin")"
head -c "$start" "$k" > "$TMP/setup"

# synth NAME: a bzImage of the setup code and $TMP/NAME.payload
synth() {
	n=$(wc -c < "$TMP/$1.payload")
	{ head -c 588 "$TMP/setup"; le32 "$n"; tail -c +593 "$TMP/setup"; cat "$TMP/$1.payload"; } \
		> "$TMP/$1.bzImage"
}
compress() {
	case $1 in
	gzip) gzip -n -9 ;;
	bzip2) bzip2 -9 ;;
	lzma) xz --format=lzma -9 ;;
	xz) xz --check=crc32 --x86 --lzma2=dict=32MiB ;;
	lzo) lzop -9 ;;
	lz4) lz4 -l -9 - - ;;
	zstd) zstd -q -22 --ultra ;;
	esac < "$TMP/vmlinux.bin"
}
for z in gzip bzip2 lzma xz lzo lz4 zstd; do
	{ compress $z || echo "compress failed" >&2; [ $z = gzip ] || le32 "$size"; } > "$TMP/$z.payload"
	synth $z
	if "$DUMP" --dump "$TMP/$z.bzImage" > "$TMP/ks.$z" 2> "$TMP/ks.$z.err" &&
	   cmp -s "$TMP/ks.$z" "$TMP/ks-686"; then
		echo "  ok: $z payload ($(wc -c < "$TMP/$z.payload") bytes): the same $(wc -l < "$TMP/ks.$z") symbols"
	else
		fail "$z payload: $(cat "$TMP/ks.$z.err")"
	fi
done
# not asserted (it depends on the xz version): whether this is Debian's stream
cmp -s "$TMP/xz.payload" "$TMP/payload.xz" &&
	echo "  note: xz with xz_wrap.sh's options rebuilt Debian's payload byte for byte"

# --- 3. bad images: one line, non-zero exit -----------------------------------
# bad NAME WANT: `ringmon layout` of $TMP/NAME.bzImage fails with one line matching WANT
bad() {
	"$RINGMON" layout "$TMP/$1.bzImage" > "$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(wc -l < "$TMP/out")" -eq 1 ] && grep -q "$2" "$TMP/out"; then
		echo "  ok: $1: $(cut -d: -f4- "$TMP/out" | sed "s/^ //")"
	else
		fail "$1: exit $rc, want one line with '$2': $(head -3 "$TMP/out")"
	fi
}
head -c $((start + len / 2)) "$k" > "$TMP/truncated.bzImage"
bad truncated "a truncated bzImage"
cp "$k" "$TMP/corrupt.bzImage"
head -c 64 /dev/zero | dd of="$TMP/corrupt.bzImage" bs=1 seek=$((start + len / 2)) conv=notrunc 2>/dev/null
bad corrupt "xz payload is truncated or corrupt"
cp "$k" "$TMP/unknown.bzImage"
printf 'PK\003\004' | dd of="$TMP/unknown.bzImage" bs=1 seek="$start" conv=notrunc 2>/dev/null
bad unknown "in no compression Linux uses"
{ xz --check=crc32 --x86 --lzma2=dict=32MiB < "$TBK"; le32 "$(wc -c < "$TBK")"; } > "$TMP/nokallsyms.payload"
synth nokallsyms
bad nokallsyms "built without CONFIG_KALLSYMS"

# --- 4. the -dbg vmlinux as --symbols ----------------------------------------
for f in $FLAVOURS; do
	t0=$(date +%s)
	"$RINGMON" layout "$DEB/vmlinuz-$ABI-$f" --symbols "$DEB/vmlinux-$ABI-$f" > "$TMP/layout" 2>&1 ||
		fail "$f: layout --symbols vmlinux: $(head -1 "$TMP/layout")"
	t=$(($(date +%s) - t0))
	if grep -q '(elf+dwarf)' "$TMP/layout" && grep -q 'GDT gdt_page' "$TMP/layout" &&
	   grep -q 'IDT idt_table' "$TMP/layout" && [ "$t" -le 10 ]; then
		echo "  ok: $f: the -dbg vmlinux names gdt_page and idt_table (elf+dwarf, ${t} s)"
	else
		fail "$f: layout with the -dbg vmlinux (${t} s): $(head -3 "$TMP/layout")"
	fi
done
finish
