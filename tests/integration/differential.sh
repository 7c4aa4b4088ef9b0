# differential.sh — oracle 1: the test kernel (hot) prints the same transcript
# natively (QEMU, ring 0) and under the monitor (ring 3), for every
# combination of --mode and --emulate.
. tests/lib.sh
native_transcript "$TBK" > "$TMP/native.txt"
grep -q '^hot: done$' "$TMP/native.txt" || fail "native run did not finish"
for mode in rw w off; do
	for emulate in decode step; do
		DB="$TMP/d.db"
		"$RINGMON" run --db "$DB" --mode "$mode" --emulate "$emulate" "$TBK" \
			> "$TMP/mon.txt" 2> "$TMP/err.txt"
		rc=$?
		check "exit status, $mode/$emulate" 0 "$rc"
		if cmp -s "$TMP/native.txt" "$TMP/mon.txt"; then
			echo "  ok: transcript $mode/$emulate identical ($(wc -l < "$TMP/mon.txt") lines)"
		else
			fail "transcript $mode/$emulate differs:"
			diff "$TMP/native.txt" "$TMP/mon.txt" | head -20
			head -5 "$TMP/err.txt"
		fi
	done
done
finish
