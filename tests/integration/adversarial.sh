# adversarial.sh — containment: the adversarial kernel tries to reach ring 0,
# the monitor's memory and its tables (descriptors with DPL 0, call gates,
# an LDT over all memory, page tables over the monitor's frames, lgdt/lidt
# into the monitor's hole, forged iret frames, IOPL games).  Under the
# monitor every attempt must end exactly as on a real CPU at the guest's
# privilege (the native transcript), the run must end by the guest's own
# exit and not by a monitor panic, and no record may come from anything but
# the guest's virtual ring 0 or 3.
. tests/lib.sh
K=build/tbk/adversarial.elf
DB="$TMP/a.db"
native_transcript "$K" > "$TMP/native.txt"
attempts=$(grep -c '^attempt ' "$TMP/native.txt")
[ "$attempts" -ge 20 ] && echo "  ok: $attempts attempts natively" || fail "only $attempts attempts"
for placement in shadow inplace; do
	"$RINGMON" run --db "$DB" --placement "$placement" "$K" > "$TMP/mon.txt" 2> "$TMP/err.txt"
	check "$placement: exit status" 0 $?
	grep '^attempt ' "$TMP/native.txt" > "$TMP/want"
	grep '^attempt ' "$TMP/mon.txt" > "$TMP/got"
	while IFS= read -r line; do
		grep -qxF -- "$line" "$TMP/got" || fail "$placement: '$line' missing"
	done < "$TMP/want"
	check "$placement: attempt lines" "$attempts" "$(wc -l < "$TMP/got")"
	run=$(last_run)
	check "$placement: ended by the guest" "exited" \
		"$(sql "SELECT monitor_state FROM runs WHERE id=$run")"
	check "$placement: records only from virtual CPL 0 or 3" 0 \
		"$(sql "SELECT count(*) FROM traps WHERE run_id=$run AND cpl NOT IN (0, 3)")"
done
finish
