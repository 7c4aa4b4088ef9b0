# symbols.sh — the symbolizer against independent tools, on the hot test
# kernel: every data address and EIP in the traps must get the symbol that
# `nm -n -S` says holds it (computed here in awk, padding included); every
# EIP the source line `addr2line` gives; and a System.map-only run the same
# symbol names as the ELF run.  (Padding and ties at one address are also
# covered by tests/unit/test_symbols.c on a fixture built for them.)
. tests/lib.sh
[ -f "$TBK" ] || for TBK in build/tbk/hot.elf build/tbk/tbk.elf; do [ -f "$TBK" ] && break; done
DB="$TMP/s.db"

# Two deterministic runs, so that their trap sequences are the same.
"$RINGMON" run --db "$DB" --deterministic "$TBK" > /dev/null 2> "$TMP/err.txt" ||
	fail "ELF run: $(cat "$TMP/err.txt")"
elf=$(last_run)
nm -n "$TBK" > "$TMP/k.map"
"$RINGMON" run --db "$DB" --deterministic --symbols "$TMP/k.map" "$TBK" > /dev/null 2> "$TMP/err.txt" ||
	fail "System.map run: $(cat "$TMP/err.txt")"
map=$(last_run)
check "ELF run's symbol source" "elf+dwarf" "$(sql "SELECT sym_format FROM runs WHERE id=$elf")"
check "map run's symbol source" "system.map" "$(sql "SELECT sym_format FROM runs WHERE id=$map")"

# nm's symbols as "address size bind name", decimal, size 0 if unsized, bind
# 0 global, 1 weak, 2 local; without what the symbolizer skips (absolute,
# undefined and debugging symbols, names starting with '.' or '$').
nm -n -S "$TBK" | while read -r a b c d; do
	[ -n "$c" ] || continue                  # "U name": no address
	[ -n "$d" ] || { d=$c; c=$b; b=0; }      # no size column: unsized
	case $c in [aANU]) continue ;; esac
	case $d in .* | \$*) continue ;; esac
	case $c in [vVwW]) bind=1 ;; [a-z]) bind=2 ;; *) bind=0 ;; esac
	echo "$((0x$a)) $((0x$b)) $bind $d"
done > "$TMP/nm.txt"

# For each query address on stdin: "address name offset pad" as the
# symbolizer must answer it: the symbol nearest at or below (at one address:
# sized first, then fewer leading underscores, global, weak, local, name);
# past the end of a sized one: "- - 1"; nothing below: "- - 0".
lookup() {
	awk 'function us(s) { match(s, /^_*/); return RLENGTH }
	     function better(i, j) {   # is nm symbol i preferred to j?
		if ((size[i] > 0) != (size[j] > 0)) return size[i] > 0
		if (us(name[i]) != us(name[j])) return us(name[i]) < us(name[j])
		if (bind[i] != bind[j]) return bind[i] < bind[j]
		return name[i] < name[j]
	     }
	     BEGIN { n = 0 }
	     NR == FNR { addr[n] = $1; size[n] = $2; bind[n] = $3; name[n++] = $4; next }
	     {
		q = $1; best = -1
		for (i = 0; i < n; i++)
			if (addr[i] <= q && (best < 0 || addr[i] > addr[best] ||
			    (addr[i] == addr[best] && better(i, best))))
				best = i
		if (best < 0) print q, "-", "-", 0
		else if (size[best] > 0 && q - addr[best] >= size[best]) print q, "-", "-", 1
		else print q, name[best], q - addr[best], 0
	     }' "$TMP/nm.txt" -
}

# The database's answers for every distinct data address and EIP.
sql "SELECT DISTINCT addr, ifnull(data_sym, '-'), ifnull(data_off, '-'), data_pad
     FROM traps WHERE run_id=$elf AND data_pad IS NOT NULL ORDER BY addr" |
	tr '|' ' ' > "$TMP/data.db"
sql "SELECT DISTINCT eip, ifnull(code_sym, '-'), ifnull(code_off, '-'), code_pad
     FROM traps WHERE run_id=$elf ORDER BY eip" | tr '|' ' ' > "$TMP/code.db"
for what in data code; do
	cut -d' ' -f1 "$TMP/$what.db" | lookup > "$TMP/$what.nm"
	if [ -s "$TMP/$what.db" ] && cmp -s "$TMP/$what.db" "$TMP/$what.nm"; then
		echo "  ok: $(wc -l < "$TMP/$what.db") distinct $what addresses named as nm says"
	else
		fail "$what symbols differ from nm's (db, then nm):"
		diff "$TMP/$what.db" "$TMP/$what.nm" | head -10
	fi
done
# The boot stack has no symbol of its own (only the label stack_top above
# it): the kernel's stack accesses land past the end of the sized object
# below it, in what the symbolizer calls padding.
pad=$(awk '$4 == 1' "$TMP/data.db" "$TMP/code.db" | wc -l)
[ "$pad" -gt 0 ] && echo "  ok: $pad of them in padding after a sized symbol (*_sym NULL, *_pad 1)" ||
	fail "no address in padding after a sized symbol"
check "the hot data is named" 1 \
	"$(sql "SELECT count(DISTINCT data_sym) > 0 FROM traps WHERE run_id=$elf AND data_sym = 'hot_ticks'")"

# DWARF: every EIP's source line is the one addr2line gives (its paths are
# absolute, ours as DWARF records them: compare the end of the path).
sql "SELECT DISTINCT printf('0x%x', eip), code_file, code_line FROM traps
     WHERE run_id=$elf AND code_file IS NOT NULL ORDER BY eip" | tr '|' ' ' > "$TMP/lines.db"
cut -d' ' -f1 "$TMP/lines.db" | addr2line -e "$TBK" | sed 's/ (discriminator [0-9]*)//' > "$TMP/lines.a2l"
bad=$(paste -d' ' "$TMP/lines.db" "$TMP/lines.a2l" | awk '{
	n = split($4, a, ":"); want = a[1] ":" a[n]
	if (length(want) < length($2 ":" $3) || substr(want, length(want) - length($2 ":" $3) + 1) != $2 ":" $3)
		print
}')
if [ -s "$TMP/lines.db" ] && [ -z "$bad" ]; then
	echo "  ok: $(wc -l < "$TMP/lines.db") EIPs have addr2line's file and line"
else
	fail "source lines differ from addr2line (eip file line addr2line):"
	echo "$bad" | head -5
fi
# A known instruction: the load of hot_ticks in the scheduler-like loop.
hot=$(sql "SELECT printf('0x%x', eip), code_file, code_line FROM traps WHERE run_id=$elf
           AND data_sym='hot_ticks' AND access='r' ORDER BY seq LIMIT 1")
case $hot in
*/hot.c\|* | */tbk.c\|*) echo "  ok: the first load of hot_ticks is at $hot" ;;
*) fail "the first load of hot_ticks is not in hot.c/tbk.c: $hot" ;;
esac

# System.map: no sizes, so padding goes to the symbol below; everywhere else
# the names must be the ELF run's.
check "both runs have the same traps" "$(sql "SELECT count(*) FROM traps WHERE run_id=$elf")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$map")"
check "map run: the same data and code symbols" 0 \
	"$(sql "SELECT count(*) FROM traps e JOIN traps m ON m.run_id=$map AND m.seq=e.seq
	        WHERE e.run_id=$elf AND ((e.data_pad = 0 AND e.data_sym IS NOT m.data_sym)
	           OR (e.code_pad = 0 AND e.code_sym IS NOT m.code_sym))")"
check "map run: symbols stored unsized, without sections" 0 \
	"$(sql "SELECT count(*) FROM symbols WHERE run_id=$map AND (size <> 0 OR section IS NOT NULL)")"
check "map run: no source lines" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$map AND code_file IS NOT NULL")"
finish
