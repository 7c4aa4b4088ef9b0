# disk_full.sh — a database on a filesystem that fills up (docs/database.md,
# "What each fault can cost").  For good, at the end of a run or in its
# middle: the run ends after a bounded hold (10 s) with status 125, "disk
# full after N records" with N the rows stored, its runs row saying so, and
# a consistent file.  For a while: the consumer holds the monitor (the ring
# is lossless) and the run completes with every record once space is back.
. tests/lib.sh
. tests/tmpfs.sh
MNT="$TMP/small"
mount_tmpfs "$MNT" 200k
DB="$MNT/f.db"

# loop_guest N FILE: a guest of N privileged traps (a cli at one address),
# about 26 bytes of rows each; it ends as soon as the host has them all.
loop_guest() {
	printf '%s\n' '.text' '.align 4' '.long 0x1BADB002, 0, -0x1BADB002' '.globl _start' \
		"_start: mov \$$1, %ecx" '1: cli' 'loop 1b' 'mov $0, %al' 'out %al, $0xf4' \
		'2: jmp 2b' > "$TMP/loop.S"
	gcc -m32 -nostdlib -static -o "$2" "$TMP/loop.S" ||
		{ fail "cannot build the loop guest (gcc-multilib?)"; finish; }
}
# Hot's ~1,200 rows fit in 200 KB since schema version 5: 12,000 do not,
# and they are fewer than a batch (DB_BATCH_ROWS), so the guest ends with
# them all taken from the ring, waiting in memory for space.
loop_guest 12000 "$TMP/short.elf"
loop_guest 40000 "$TMP/loop.elf"

# 1. Too small for its rows, for good.
"$RINGMON" run --accel tcg --db "$DB" "$TMP/short.elf" > /dev/null 2> "$TMP/err"
rc=$?
check "full: exit status" 125 "$rc"
summary=$(grep '^ringmon: run 1: ' "$TMP/err")
stored=$(sql "SELECT count(*) FROM traps WHERE run_id = 1")
check "full: summary" "ringmon: run 1: disk full after $stored records -> $DB" "$summary"
grep -q "^ringmon: $DB: no space for [0-9]* s, $stored records stored: " "$TMP/err" &&
	echo "  ok: $(grep 'no space' "$TMP/err")" || fail "no reason line: $(cat "$TMP/err")"
check "full: integrity_check" ok "$(sql "PRAGMA integrity_check")"
check "full: runs row" "1|crashed|no space for" \
	"$(sql "SELECT finished || '|' || monitor_state || '|' || substr(kill_reason, 1, 12) FROM runs WHERE id = 1")"
[ "$stored" -lt "$(sql "SELECT records FROM runs WHERE id = 1")" ] &&
	echo "  ok: $stored rows stored of the monitor's $(sql "SELECT records FROM runs WHERE id = 1")" ||
	fail "$stored rows stored: the disk was not full?"
umount "$MNT"

# 2. Full while a run traces its 40,000 records through a small ring, then space
# comes back: nothing may be lost, the monitor waits (stalls) meanwhile.
mount -t tmpfs -o size=16m tmpfs "$MNT" || { fail "cannot mount again"; finish; }
"$RINGMON" run --accel tcg --db "$DB" "$TBK" > /dev/null 2>&1 || fail "first run on 16 MB"
avail=$(df -k --output=avail "$MNT" | tail -1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - 100)) 2> /dev/null
"$RINGMON" run --accel tcg --ring 1024 --db "$DB" "$TMP/loop.elf" > /dev/null 2> "$TMP/err" &
pid=$!
sleep 3
kill -0 "$pid" 2> /dev/null && echo "  ok: still running after 3 s on a full disk" ||
	fail "the run ended on a full disk: $(cat "$TMP/err")"
rm "$MNT/filler"
wait "$pid"
check "space again: exit status" 0 "$?"
run=$(last_run)
check "space again: rows == monitor's records" "$(sql "SELECT records FROM runs WHERE id = $run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id = $run")"
check "space again: seq has no gap" "$(sql "SELECT records - 1 FROM runs WHERE id = $run")" \
	"$(sql "SELECT max(seq) FROM traps WHERE run_id = $run")"
stalls=$(sql "SELECT stalls FROM runs WHERE id = $run")
[ "${stalls:-0}" -gt 0 ] && echo "  ok: the monitor was held ($stalls stalls)" ||
	fail "the monitor never waited: records were not held"
check "space again: integrity_check" ok "$(sql "PRAGMA integrity_check")"

# 3. Full for good in the middle of that run: after the bounded hold the run
# is stopped, with the rows that fitted.
avail=$(df -k --output=avail "$MNT" | tail -1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - 100)) 2> /dev/null
t0=$(date +%s)
"$RINGMON" run --accel tcg --ring 1024 --db "$DB" "$TMP/loop.elf" > /dev/null 2> "$TMP/err"
check "held, then stopped: exit status" 125 "$?"
took=$(($(date +%s) - t0))
[ "$took" -ge 10 ] && [ "$took" -lt 50 ] && echo "  ok: held for $took s" ||
	fail "the run ended after $took s, not after a hold of 10 s"
run=$(last_run)
stored=$(sql "SELECT count(*) FROM traps WHERE run_id = $run")
check "held, then stopped: summary" "ringmon: run $run: disk full after $stored records -> $DB" \
	"$(grep "^ringmon: run $run: " "$TMP/err")"
check "held, then stopped: runs row" "1|crashed|$DB: no space for 10 s, $stored records stored" \
	"$(sql "SELECT finished || '|' || monitor_state || '|' || substr(kill_reason, 1, instr(kill_reason, 'stored') + 5) FROM runs WHERE id = $run")"
check "held, then stopped: seq has no gap" "$((stored - 1))" "$(sql "SELECT max(seq) FROM traps WHERE run_id = $run")"
check "held, then stopped: integrity_check" ok "$(sql "PRAGMA integrity_check")"
finish
