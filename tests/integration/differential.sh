# differential.sh — oracle 1: each test kernel prints the same transcript
# natively (QEMU, ring 0) and under the monitor (ring 3), for every
# combination of --mode, --emulate and --placement.
. tests/lib.sh
for k in hot mt mt-pae conform adversarial; do
	native_transcript "build/tbk/$k.elf" > "$TMP/native.txt"
	grep -q "^$k: done\$" "$TMP/native.txt" || fail "$k: native run did not finish"
	for placement in shadow inplace; do
		for mode in rw w off; do
			for emulate in decode step; do
				knobs="$placement/$mode/$emulate"
				"$RINGMON" run --db "$TMP/d.db" --mode "$mode" --emulate "$emulate" \
					--placement "$placement" "build/tbk/$k.elf" \
					> "$TMP/mon.txt" 2> "$TMP/err.txt"
				rc=$?
				[ "$rc" -eq 0 ] || fail "$k $knobs: exit status $rc: $(head -1 "$TMP/err.txt")"
				if cmp -s "$TMP/native.txt" "$TMP/mon.txt"; then
					echo "  ok: $k $knobs: transcript identical ($(wc -l < "$TMP/mon.txt") lines)"
				else
					fail "$k $knobs: transcript differs:"
					diff "$TMP/native.txt" "$TMP/mon.txt" | head -10
				fi
			done
		done
	done
done
finish
