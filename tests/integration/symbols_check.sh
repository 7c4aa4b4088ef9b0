# symbols_check.sh — a --symbols file that is not the guest's is refused
# before anything starts (status 2, one line, no database), unless the user
# insists with --symbols-mismatch-ok; runs.sym_check says how the file was
# found to be the guest's (build-id, segments, kallsyms, symbols) or that it
# was used anyway (mismatch-ok).  The files our tests use pass: each Linux
# variant's System.map and vmlinux for its bzImage, Debian's -dbg vmlinux
# for its vmlinuz (with --timeout 1: only the check matters here).
. tests/lib.sh
DB="$TMP/s.db"
MT=build/tbk/mt.elf

# refused NAME SYMBOLS GUEST [ARGS]: status 2, one line naming the mismatch
refused() {
	name=$1 sym=$2 guest=$3
	shift 3
	"$RINGMON" run --db "$TMP/refused.db" --symbols "$sym" "$@" "$guest" > /dev/null 2> "$TMP/err" < /dev/null
	rc=$?
	if [ $rc -eq 2 ] && [ "$(grep -vc 'using tcg$' "$TMP/err")" -eq 1 ] &&
	   grep -qF -- "--symbols $sym is not $guest's (" "$TMP/err" && [ ! -e "$TMP/refused.db" ]; then
		echo "  ok: $name: $(grep -v 'using tcg$' "$TMP/err")"
	else
		fail "$name: status $rc: $(cat "$TMP/err")"
	fi
}

# used NAME STATUS SYM_CHECK ARGS...: the run goes on; its row says SYM_CHECK
used() {
	name=$1 want=$2 method=$3
	shift 3
	"$RINGMON" run --db "$DB" "$@" > /dev/null 2> "$TMP/err" < /dev/null
	check "$name: status" "$want" $?
	check "$name: sym_check" "$method" "$(sql "SELECT coalesce(sym_check, 'NULL') FROM runs WHERE id=$(last_run)")"
}

refused "mt.elf for hot.elf" "$MT" "$TBK"
nm -n "$MT" > "$TMP/mt.map"
nm -n "$TBK" > "$TMP/hot.map"
refused "mt's System.map for hot.elf" "$TMP/mt.map" "$TBK"
used "mt.elf for hot.elf, insisted" 0 mismatch-ok --symbols "$MT" --symbols-mismatch-ok "$TBK"
run=$(last_run)
check "insisted: rows == records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
used "hot.elf for itself" 0 segments --symbols "$TBK" "$TBK"
used "hot's System.map" 0 symbols --symbols "$TMP/hot.map" "$TBK"
used "no --symbols" 0 NULL "$TBK"
check "integrity_check" ok "$(sql "PRAGMA integrity_check")"

if [ -f "$LINUX/upstream/bzImage" ] && [ -f "$LINUX/unaligned/vmlinux" ]; then
	for v in $LINUX_VARIANTS; do
		used "$v: its System.map" 124 kallsyms --timeout 1 --symbols "$LINUX/$v/System.map" \
			"$LINUX/$v/bzImage"
	done
	used "upstream: its vmlinux" 124 build-id --timeout 1 --symbols "$LINUX/upstream/vmlinux" \
		"$LINUX/upstream/bzImage"
	refused "unaligned's System.map for upstream" "$LINUX/unaligned/System.map" "$LINUX/upstream/bzImage"
	refused "unaligned's vmlinux for upstream" "$LINUX/unaligned/vmlinux" "$LINUX/upstream/bzImage"
else
	echo "  (no Linux guests built: their cases skipped)"
fi
DEB=$(ls -d build/debian/*/ 2>/dev/null | head -n 1)
if [ -n "$DEB" ] && ls "$DEB"vmlinuz-* > /dev/null 2>&1; then
	for k in "$DEB"vmlinuz-*; do
		used "$(basename "$k"): its -dbg vmlinux" 124 build-id --timeout 1 \
			--symbols "$(echo "$k" | sed 's/vmlinuz-/vmlinux-/')" "$k"
	done
	set -- "$DEB"vmlinuz-*
	[ $# -ge 2 ] && refused "$(basename "$1")'s vmlinux for $(basename "$2")" \
		"$(echo "$1" | sed 's/vmlinuz-/vmlinux-/')" "$2"
else
	echo "  (no Debian kernels: their cases skipped)"
fi
finish
