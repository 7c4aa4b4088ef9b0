# qemu_stopped.sh — QEMU stopped from outside ringmon (SIGTERM or SIGINT to
# the QEMU process itself, as a batch system or a stray kill would): the run
# must say so, by name, on stderr and in its runs row — not "guest reset or
# triple-faulted" — exit 125, and leave a consistent database.
. tests/lib.sh
DB="$TMP/q.db"

flood_guest "$TMP/flood.elf"

# new_run_traps BEFORE: how many records runs after run BEFORE have stored
new_run_traps() {
	sqlite3 -readonly "$DB" "SELECT count(*) FROM trap_rows WHERE id >= ($1 + 1) << 40" \
		2> /dev/null || echo 0
}

for sig in TERM INT; do
	before=$(sqlite3 "$DB" "SELECT coalesce(max(id), 0) FROM runs" 2> /dev/null || echo 0)
	"$RINGMON" run --db "$DB" --timeout 120 "$TMP/flood.elf" > /dev/null 2> "$TMP/err.txt" &
	pid=$!
	# Only once this run's records arrive is ringmon's QEMU child the
	# guest's: before, it may be a short-lived `qemu-system-i386 --version`.
	qemu=
	for _ in $(seq 300); do
		[ "$(new_run_traps "$before")" -gt 0 ] && qemu=$(pgrep -P "$pid" qemu-system) && break
		sleep 0.1
	done
	[ -n "$qemu" ] || { fail "SIG$sig: no QEMU child of ringmon $pid"; kill "$pid"; continue; }
	kill -"$sig" "$qemu"
	wait "$pid"
	check "SIG$sig to QEMU: ringmon's status" 125 $?
	grep -q "^ringmon: QEMU was stopped by SIG$sig from outside ringmon (terminating on signal" \
		"$TMP/err.txt" && echo "  ok: SIG$sig: the message names the signal" ||
		fail "SIG$sig: message: $(head -n 1 "$TMP/err.txt")"
	check "SIG$sig: runs row" "crashed|QEMU was stopped by SIG$sig from outside ringmon" \
		"$(sql "SELECT monitor_state, substr(kill_reason, 1, instr(kill_reason, ' (') - 1)
			FROM runs WHERE id = (SELECT max(id) FROM runs)")"
	check "SIG$sig: integrity" ok "$(sql "PRAGMA integrity_check")"
done
finish
