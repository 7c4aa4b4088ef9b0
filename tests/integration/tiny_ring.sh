# tiny_ring.sh — a ring of 2 or 4 records stalls the monitor on nearly every
# trap, and the stalls must cost the guest nothing it can see: no timer tick
# may fall due in the monitor's wait (module/pic.c).  Before that was so,
# mt with --ring 2 took timer ticks back to back until --timeout (some
# 275,000 records for its usual 3,000-8,000), with --ring 4 about 30 times
# its records.  mt is timer driven, so its counts vary from run to run: its
# tiny-ring runs must end with the guest's own status, losslessly, with the
# exact counts of mt.h and within a few times the records of a run with the
# default ring.  hot takes no timer ticks: with --ring 2 it must write
# exactly the records of a default run.
. tests/lib.sh
DB="$TMP/r.db"
MT=build/tbk/mt.elf

kinds="protected privileged sbe shadow_pf guest_pf exception scan smc"
# by_kind RUN: "kind=rows" for every kind but irq (hot may take one tick)
by_kind() {
	for k in $kinds; do
		printf '%s=%s ' "$k" "$(sql "SELECT count(*) FROM traps WHERE run_id=$1 AND kind='$k'")"
	done
}

# run_guest RING GUEST: runs it, fails unless the guest's status 0 came back
run_guest() {
	"$RINGMON" run --db "$DB" --ring "$1" --timeout 60 "$2" > /dev/null 2> "$TMP/err.txt"
	rc=$?
	check "--ring $1 $(basename "$2"): the guest's status (124 is the timeout)" 0 "$rc"
	[ "$rc" -eq 0 ] || sed 's/^/    /' "$TMP/err.txt"
}

# lossless RUN: rows == the monitor's records, kind by kind, no gap
lossless() {
	check "run $1: rows == records" "$(sql "SELECT records FROM runs WHERE id=$1")" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id=$1")"
	check "run $1: seq has no gap" "$(sql "SELECT records - 1 FROM runs WHERE id=$1")" \
		"$(sql "SELECT max(seq) FROM traps WHERE run_id=$1")"
	for k in $kinds irq; do
		check "run $1: $k rows == n_$k" "$(sql "SELECT n_$k FROM runs WHERE id=$1")" \
			"$(sql "SELECT count(*) FROM traps WHERE run_id=$1 AND kind='$k'")"
	done
}

# protected SYM ACCESS RUN
protected() {
	sql "SELECT count(*) FROM traps WHERE run_id=$3 AND kind='protected'
	     AND data_sym='$1' AND access='$2'"
}

run_guest 65536 "$MT"
base=$(last_run)
base_records=$(sql "SELECT records FROM runs WHERE id=$base")
for ring in 2 4; do
	run_guest $ring "$MT"
	run=$(last_run)
	lossless "$run"
	stalls=$(sql "SELECT stalls FROM runs WHERE id=$run")
	[ "${stalls:-0}" -gt 0 ] && echo "  ok: --ring $ring stalled $stalls times" ||
		fail "--ring $ring never stalled"
	records=$(sql "SELECT records FROM runs WHERE id=$run")
	[ "$records" -le $((5 * base_records)) ] &&
		echo "  ok: --ring $ring: $records records, the default ring $base_records" ||
		fail "--ring $ring: $records records, more than 5 times the default ring's $base_records"
	for s in hot_sys_lock hot_sys_calls hot_io_lock hot_io_bytes hot_io_writes; do
		check "--ring $ring mt $s writes" "$(expect "EXPECT_${s}_w" mt.h)" \
			"$(protected "$s" w "$run")"
	done
done

run_guest 65536 "$TBK"
base=$(last_run)
run_guest 2 "$TBK"
run=$(last_run)
lossless "$run"
check "--ring 2 hot: records of each kind as with the default ring" \
	"$(by_kind "$base")" "$(by_kind "$run")"
for s in hot_ticks hot_lock hot_jiffies; do
	check "--ring 2 hot $s reads" "$(expect "EXPECT_${s}_r")" "$(protected "$s" r "$run")"
	check "--ring 2 hot $s writes" "$(expect "EXPECT_${s}_w")" "$(protected "$s" w "$run")"
done
finish
