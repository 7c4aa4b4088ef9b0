# qemu_stopped.sh — QEMU stopped from outside ringmon (SIGTERM or SIGINT to
# the QEMU process itself, as a batch system or a stray kill would): the run
# must say so, by name, on stderr and in its runs row — not "guest reset or
# triple-faulted" — exit 125, and leave a consistent database.
. tests/lib.sh
DB="$TMP/q.db"

flood_guest "$TMP/flood.elf"

for sig in TERM INT; do
	"$RINGMON" run --db "$DB" --timeout 120 "$TMP/flood.elf" > /dev/null 2> "$TMP/err.txt" &
	pid=$!
	qemu=
	for _ in $(seq 100); do
		qemu=$(pgrep -P "$pid" qemu-system) && [ "$(sqlite3 -readonly "$DB" \
			"SELECT count(*) FROM traps" 2> /dev/null || echo 0)" -gt 0 ] && break
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
