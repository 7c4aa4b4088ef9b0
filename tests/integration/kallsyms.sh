# kallsyms.sh — symbols from the kallsyms table inside a Linux bzImage (when
# no vmlinux or System.map is given) name the same things as the kernel's
# System.map: what `ringmon layout` lists around gdt_page and idt_table is
# identical from both sources, in every link variant.
. tests/lib.sh
need_linux
for v in $LINUX_VARIANTS; do
	k=$LINUX/$v/bzImage
	"$RINGMON" layout "$k" > "$TMP/ks" 2>&1 || fail "$v: layout from kallsyms failed"
	grep -q "(kallsyms)" "$TMP/ks" && echo "  ok: $v: symbols read from the bzImage's kallsyms" ||
		fail "$v: not read from kallsyms: $(head -1 "$TMP/ks")"
	"$RINGMON" layout "$k" --symbols "$LINUX/$v/System.map" > "$TMP/map" 2>&1 ||
		fail "$v: layout from System.map failed"
	tail -n +2 "$TMP/ks" > "$TMP/ks.body"
	tail -n +2 "$TMP/map" > "$TMP/map.body"
	if cmp -s "$TMP/ks.body" "$TMP/map.body"; then
		echo "  ok: $v: the table pages list the same symbols ($(wc -l < "$TMP/ks.body") lines)"
	else
		fail "$v: kallsyms and System.map disagree:"
		diff "$TMP/ks.body" "$TMP/map.body" | head
	fi
	grep -q 'gdt_page' "$TMP/ks.body" || fail "$v: gdt_page not found"
done
finish
