# symbols_alias.sh — attribution through an alias (docs/database.md,
# Symbolization): mt increments hot_getids through a second linear address
# of its frame (MT_ALIAS_OFFSET above it), and every one of those traps is
# named hot_getids at offset 0, exactly as often as mt.h says, whatever the
# symbols come from: the ELF, an `nm -n` System.map (whose last symbol lies
# far below the alias), or a map of the kernel's symbols alone (the user
# ones left out, so the last symbol is the kernel's).  No trap is named
# with an offset past the image.
. tests/lib.sh
DB="$TMP/a.db"
alias=$(expect MT_ALIAS_OFFSET mt.h)

for k in mt mt-pae; do
	elf=build/tbk/$k.elf
	nm -n "$elf" > "$TMP/$k.map"
	grep -v '^4000' "$TMP/$k.map" > "$TMP/$k-kernel.map"   # user code is at 0x4000xxxx
	sym=$(nm "$elf" | awk '$3 == "hot_getids" { print $1 }')
	gpa=$((0x$sym))
	# the largest loadable segment: no offset into a symbol can reach past it
	image=0
	for s in $(readelf -lW "$elf" | awk '$1 == "LOAD" { print $6 }'); do
		[ $((s)) -gt "$image" ] && image=$((s))
	done
	user=$(($(readelf -lW "$elf" | awk '$1 == "LOAD" && $3 == "0x40000000" { print $4 }')))
	for src in elf map kernel-map; do
		case $src in
		elf) opts= ;;
		map) opts="--symbols $TMP/$k.map" ;;
		kernel-map) opts="--symbols $TMP/$k-kernel.map --symbols-mismatch-ok" ;;
		esac
		# shellcheck disable=SC2086
		"$RINGMON" run --db "$DB" $opts "$elf" > /dev/null 2> "$TMP/err.txt" ||
			fail "$k $src: $(cat "$TMP/err.txt")"
		run=$(last_run)
		for a in r w; do
			check "$k $src: alias traps ($a) named hot_getids+0" \
				"$(expect "EXPECT_alias_hot_getids_$a" mt.h)" \
				"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='protected'
				        AND addr=$((gpa + alias)) AND gpa=$gpa AND access='$a'
				        AND data_sym='hot_getids' AND data_off=0 AND data_pad=0")"
		done
		check "$k $src: every hot_getids trap, direct or through the alias" \
			"$(expect "EXPECT_hot_getids_r + EXPECT_hot_getids_w + EXPECT_alias_hot_getids_r + EXPECT_alias_hot_getids_w" mt.h)" \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='protected'
			        AND data_sym='hot_getids'")"
		check "$k $src: nothing else at its frame" 0 \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND gpa=$gpa
			        AND data_sym IS NOT 'hot_getids'")"
		check "$k $src: no data offset past the image" 0 \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND data_sym IS NOT NULL
			        AND (data_off < 0 OR data_off >= $image)")"
		check "$k $src: no code offset past the image" 0 \
			"$(sql "SELECT count(*) FROM sites WHERE run_id=$run AND code_sym IS NOT NULL
			        AND code_off >= $image")"
		check "$k $src: hot_getids lives where it is linked" "$gpa" \
			"$(sql "SELECT paddr FROM symbols WHERE run_id=$run AND name='hot_getids'")"
		[ "$src" = kernel-map ] && continue
		check "$k $src: user_main lives where .user is loaded" "$user" \
			"$(sql "SELECT paddr FROM symbols WHERE run_id=$run AND name='user_main'")"
	done
done
finish
