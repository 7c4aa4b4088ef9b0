# fastpath_equiv.sh — the fast path is a way of running the protected-access
# path cheaply, not a second copy of its rules: for every test kernel and
# every --mode, --emulate and --placement, a --deterministic run with
# --fastpath on and one with --fastpath off give the same trap records, all
# columns but tsc_in and tsc_out, row for row (seq included), the same
# counters and the same console.
#
# Under -icount the monitor's own instructions are guest time too, so a
# fast path that takes fewer of them moves every PIT tick.  Kernels whose
# records depend on where a tick lands (TIMED: mt and mt-pae preempt their
# tasks on it; smc leaves the BIOS's PIT tick unmasked, and where its irq
# record falls among its smc records moves with the monitor's instruction
# count, e.g. the local-APIC check of each PIC interrupt) are held to what
# does not depend on it: the two streams are
# the same up to the first record a tick moved (an irq), the fast path has
# carried out accesses before that point (records cheaper than any the full
# path made), and both runs made the same set of distinct protected records.
. tests/lib.sh
DB="$TMP/f.db"
TIMED=" mt mt-pae smc "
FAST_USERS=" hot mt mt-pae conform "
COLS="seq, kind, vector, err, eip, cs, cpl, addr, gpa, size, access, region, emul,
      insn, detail, data_sym, data_off, code_sym, code_off"
RUN_COLS="exit_status, monitor_state, kill_reason, records, n_protected, n_privileged,
          n_sbe, n_shadow_pf, n_guest_pf, n_exception, n_irq, n_scan, n_smc"
# rows of run $1 that run $2 lacks (columns $3)
missing() {
	sql "SELECT count(*) FROM (SELECT $3 FROM traps WHERE run_id=$1
	     EXCEPT SELECT $3 FROM traps WHERE run_id=$2)"
}
# the first seq at which runs $1 and $2 differ (empty: nowhere)
first_difference() {
	sql "SELECT min(seq) FROM (SELECT $COLS FROM traps WHERE run_id=$1
	     EXCEPT SELECT $COLS FROM traps WHERE run_id=$2)"
}
# a protected record's cost in guest instructions, summed, in run $1
protected_cost() {
	sql "SELECT coalesce(sum(tsc_out - tsc_in), 0) FROM traps WHERE run_id=$1 AND kind='protected'"
}

for k in $TBK_KERNELS; do
	for placement in shadow inplace; do
		for mode in rw w off; do
			for emulate in decode step; do
				knobs="$k $placement/$mode/$emulate"
				for fp in on off; do
					"$RINGMON" run --db "$DB" --deterministic --fastpath "$fp" --mode "$mode" \
						--emulate "$emulate" --placement "$placement" "build/tbk/$k.elf" \
						> "$TMP/out-$fp.txt" 2> "$TMP/err-$fp.txt"
					echo $? > "$TMP/rc-$fp"
				done
				on=$(($(last_run) - 1))
				off=$(last_run)
				check "$knobs: fastpath recorded" "on off" \
					"$(sql "SELECT group_concat(fastpath, ' ') FROM runs WHERE id IN ($on, $off)")"
				cmp -s "$TMP/rc-on" "$TMP/rc-off" ||
					fail "$knobs: exit status $(cat "$TMP/rc-on") on, $(cat "$TMP/rc-off") off:" \
						"$(tail -n 1 "$TMP/err-on.txt") / $(tail -n 1 "$TMP/err-off.txt")"
				cmp -s "$TMP/out-on.txt" "$TMP/out-off.txt" || fail "$knobs: the consoles differ"
				rows=$(sql "SELECT count(*) FROM traps WHERE run_id=$on")
				[ "$rows" -gt 0 ] || fail "$knobs: no trap rows"
				# The fast path runs only where it may (decoding) and where the
				# guest comes back to a page it has touched: these kernels read
				# data beside their tables again and again, so with --mode rw
				# it must have run, in either placement.
				fast=$([ "$emulate/$mode" = decode/rw ] && echo 1)
				case "$FAST_USERS" in *" $k "*) ;; *) fast= ;; esac
				if [ -n "$fast" ]; then
					[ "$(protected_cost "$on")" -lt "$(protected_cost "$off")" ] ||
						fail "$knobs: the fast path did not make protected traps cheaper"
				fi
				case "$TIMED" in
				*" $k "*)
					at=$(first_difference "$on" "$off")
					[ -z "$at" ] && at=$(first_difference "$off" "$on")
					if [ -n "$at" ]; then
						check "$knobs: the first record that differs is a tick's" irq \
							"$(sql "SELECT group_concat(DISTINCT kind) FROM traps
							        WHERE run_id IN ($on, $off) AND seq=$at AND kind='irq'")"
						# cheaper than any the full path carried out: the fast path's
						if [ -n "$fast" ]; then
							full=$(sql "SELECT min(tsc_out - tsc_in) FROM traps WHERE run_id=$off
							            AND kind='protected'")
							[ "$(sql "SELECT count(*) FROM traps WHERE run_id=$on AND seq < $at
							          AND kind='protected' AND tsc_out - tsc_in < $full")" -gt 0 ] ||
								fail "$knobs: no access carried out by the fast path before the first tick moved"
						fi
					fi
					P="kind, vector, err, eip, cs, cpl, addr, gpa, size, access, region, emul, insn, detail"
					check "$knobs: distinct protected records only with the fast path" 0 \
						"$(sql "SELECT count(*) FROM (SELECT $P FROM traps WHERE run_id=$on AND kind='protected'
						        EXCEPT SELECT $P FROM traps WHERE run_id=$off)")"
					check "$knobs: distinct protected records only without it" 0 \
						"$(sql "SELECT count(*) FROM (SELECT $P FROM traps WHERE run_id=$off AND kind='protected'
						        EXCEPT SELECT $P FROM traps WHERE run_id=$on)")"
					;;
				*)
					check "$knobs: records ($rows) only with the fast path" 0 "$(missing "$on" "$off" "$COLS")"
					check "$knobs: records only without it" 0 "$(missing "$off" "$on" "$COLS")"
					check "$knobs: counters" "$(sql "SELECT $RUN_COLS FROM runs WHERE id=$off")" \
						"$(sql "SELECT $RUN_COLS FROM runs WHERE id=$on")"
					;;
				esac
			done
		done
	done
done
finish
