# exact_counts_paging.sh — oracle 2 with guest paging on (the mt kernel, in
# 2-level and PAE form): every access to data sharing a protected page is
# exactly one protected trap at its guest-physical address, whether it goes
# through the kernel's own mapping or through a second virtual alias of the
# page, and carries the symbol that lives there either way (the alias's
# offsets: symbols_alias.sh).  Numbers come from workloads/tbk/mt.h.
. tests/lib.sh
DB="$TMP/m.db"
SYMS="hot_sys_lock hot_sys_calls hot_getids hot_io_lock hot_io_bytes hot_io_writes idt_table"

# through the symbol's own address: the kernel is identity-mapped
count() { # RUN SYM ACCESS
	sql "SELECT count(*) FROM traps WHERE run_id=$1 AND kind='protected'
	     AND data_sym='$2' AND access='$3' AND addr=gpa"
}

for k in mt mt-pae; do
	elf=build/tbk/$k.elf
	for mode in rw w; do
		"$RINGMON" run --db "$DB" --mode "$mode" "$elf" > /dev/null 2> "$TMP/err.txt" ||
			fail "$k $mode: $(cat "$TMP/err.txt")"
		run=$(last_run)
		for s in $SYMS; do
			r=$(expect "EXPECT_${s}_r" mt.h)
			w=$(expect "EXPECT_${s}_w" mt.h)
			[ "$mode" = w ] && r=0
			check "$k $mode $s reads" "$r" "$(count "$run" "$s" r)"
			check "$k $mode $s writes" "$w" "$(count "$run" "$s" w)"
		done
		# The alias: hot_getids' guest-physical address, reached through
		# another linear address than the symbol's.
		addr=$(nm "$elf" | awk '$3 == "hot_getids" { print $1 }')
		gpa=$((0x$addr))
		for a in r w; do
			n=$(expect "EXPECT_alias_hot_getids_$a" mt.h)
			[ "$mode" = w ] && [ "$a" = r ] && n=0
			check "$k $mode alias hot_getids $a" "$n" \
				"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND kind='protected'
				        AND gpa=$gpa AND addr<>$gpa AND access='$a' AND data_sym='hot_getids'")"
		done
		floor=$(expect FLOOR_gdt_table_w mt.h)
		got=$(count "$run" gdt_table w)
		[ "$got" -ge "$floor" ] && echo "  ok: $k $mode gdt_table writes $got >= $floor" ||
			fail "$k $mode gdt_table writes $got < $floor"
	done
done
finish
