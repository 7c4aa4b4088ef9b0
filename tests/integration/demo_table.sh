# demo_table.sh — `make demo` runs its guests under --deterministic
# (-icount), so whoever runs it gets the table docs/experiments.md shows:
# the demo's comparison table, row for row and digit for digit, is the one
# under "What `make demo` measured", and each row's counts are the run's
# own counters.  A change to the monitor's trap path moves the timer's
# ticks (the monitor's instructions are guest time too) and with them the
# table: then the docs must show the new one.
. tests/lib.sh
DB=$TMP/demo.db
DEMO_DIR=$TMP MT_VARIANTS="$MT_VARIANTS" sh tools/demo.sh tbk > "$TMP/demo.out" 2> "$TMP/demo.err" ||
	fail "demo.sh failed: $(tail -n 1 "$TMP/demo.err")"
grep '^| [0-9]' "$TMP/demo.out" > "$TMP/got"
awk '/^## What `make demo` measured/ { on = 1; next } on && /^## / { exit } on && /^\| [0-9]/' \
	docs/experiments.md > "$TMP/want"
check "runs in the demo's table" "$(($(echo "$MT_VARIANTS" | wc -w) * 2))" "$(wc -l < "$TMP/got")"
cmp -s "$TMP/want" "$TMP/got" && echo "  ok: the demo's table is docs/experiments.md's" ||
	fail "the demo's table differs from docs/experiments.md's: $(diff "$TMP/want" "$TMP/got" | head -4)"
# run | kernel | variant | mode | ended | traps | protected | ...
while IFS='|' read -r _ id _ _ _ _ traps prot _; do
	check "run $id: traps and protected are its counters" \
		"$(sql "SELECT records || ' ' || n_protected FROM runs WHERE id = $id")" "$(echo $traps $prot)"
done < "$TMP/got"
finish
