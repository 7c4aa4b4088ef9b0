# layout_not_kernel.sh — `ringmon layout` of a file that is not a kernel (no
# symbols at all, or symbols without a GDT or IDT) fails with one line and
# status 2 instead of listing "0 pages shared"; a kernel is still listed.
. tests/lib.sh

# bad NAME WANT FILE: status 2, nothing on stdout, one stderr line with WANT
bad() {
	"$RINGMON" layout "$3" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] &&
	   grep -qF "ringmon: layout: $3: $2" "$TMP/err"; then
		echo "  ok: $1: $(cat "$TMP/err")"
	else
		fail "$1: status $rc, stdout $(wc -l < "$TMP/out") lines, stderr: $(cat "$TMP/err")"
	fi
}

bad "a stripped program" "no symbol table" /bin/true
obj=$(ls build/host/vmm/*.o | head -1)
bad "an object file" "no GDT or IDT among its" "$obj"
"$RINGMON" layout "$TBK" > "$TMP/out" 2>&1
check "hot.elf: status" 0 $?
grep -q "^GDT " "$TMP/out" && echo "  ok: hot.elf: its GDT listed" || fail "hot.elf: $(head -3 "$TMP/out")"
finish
