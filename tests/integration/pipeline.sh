# pipeline.sh — the consumer at full speed is lossless: bench/pipeline feeds
# 200000 records through ringmon's real consumer, symbolizer and SQLite sink
# from a host thread that follows the monitor's ring protocol; every record
# must be a row.  Once with both threads on one CPU, once on any CPU with a
# 64-slot ring, so that the producer waits on a full ring again and again
# while the two threads run in parallel.
. tests/lib.sh
PIPELINE=build/bench/pipeline

"$PIPELINE" --help > "$TMP/help.txt" 2>&1 || fail "--help"
grep -q '^usage: pipeline' "$TMP/help.txt" || fail "--help says no usage"
"$PIPELINE" --ring 3 > /dev/null 2> "$TMP/err.txt"
check "--ring 3 is bad input" 2 $?

# run NAME ARGS...: one run; its line's fields checked
run() {
	name=$1
	shift
	mkdir "$TMP/$name"
	if ! "$PIPELINE" -n 200000 --symbols build/bench/trap.elf --tmpdir "$TMP/$name" "$@" \
		> "$TMP/$name.out" 2> "$TMP/$name.err"; then
		fail "$name: $(cat "$TMP/$name.err")"
		return
	fi
	line=$(cat "$TMP/$name.out")
	f() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	check "$name: records" 200000 "$(f records)"
	check "$name: consumed" 200000 "$(f consumed)"
	check "$name: rows" 200000 "$(f rows)"
	check "$name: lost" 0 "$(f lost)"
	check "$name: temporary database removed" "" "$(ls -A "$TMP/$name")"
	stalls=$(f stalls)
}
run one-cpu --cpu 0
check "one-cpu: pinned" 0 "$(printf '%s\n' "$line" | sed -n 's/.* cpu=\([0-9-]*\) .*/\1/p')"
run tiny-ring --ring 64
[ "${stalls:-0}" -gt 0 ] && echo "  ok: tiny ring stalled $stalls times" ||
	fail "tiny ring never stalled"
finish
