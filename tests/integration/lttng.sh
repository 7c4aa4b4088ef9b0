# lttng.sh — the LTTng sink: a private lttng-sessiond (its own LTTNG_HOME in
# a temporary directory, no system service) records ringmon:* while the hot
# test kernel runs with --sink sqlite,lttng; babeltrace2 must then show one
# ringmon:trap per SQLite row of that run, with the same fields, in order.
#
# As root, the session daemon would be the system-wide one (/var/run/lttng),
# so the daemon, the lttng client and ringmon all run as nobody instead: a
# per-user session daemon is private to its LTTNG_HOME.  ringmon, its
# monitor, its LTTng provider and the guest are copied where nobody can
# read them.
. tests/lib.sh
[ -f "$TBK" ] || for TBK in build/tbk/hot.elf build/tbk/tbk.elf; do [ -f "$TBK" ] && break; done
for t in lttng-sessiond lttng babeltrace2; do
	command -v $t > /dev/null || { fail "$t missing (make deps installs it)"; finish; }
done

export LTTNG_HOME="$TMP/lttng"
mkdir "$LTTNG_HOME" "$TMP/bin" "$TMP/bin/module"
cp "$RINGMON" "$TMP/bin/ringmon"
cp build/ringmon_tp.so "$TMP/bin/"
cp build/module/monitor.elf "$TMP/bin/module/"
cp "$TBK" "$TMP/bin/"
RINGMON=$TMP/bin/ringmon
TBK=$TMP/bin/$(basename "$TBK")
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$TMP"
	chown 65534:65534 "$LTTNG_HOME"
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_user() { "$@"; }
fi
stop_sessiond() {
	pid=$(cat "$LTTNG_HOME/.lttng/lttng-sessiond.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -9 "$pid" 2>/dev/null
}
trap 'stop_sessiond; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

as_user lttng-sessiond --daemonize --no-kernel || { fail "lttng-sessiond did not start"; finish; }
lt() { as_user lttng "$@" > "$TMP/lttng.out" 2>&1 || { fail "lttng $*: $(cat "$TMP/lttng.out")"; finish; }; }
lt create ringmon-test --output="$LTTNG_HOME/trace"
# A blocking channel: the application waits for buffer space rather than
# discarding events (with LTTNG_UST_ALLOW_BLOCKING set for ringmon below).
lt enable-channel -u --subbuf-size=1M --num-subbuf=4 --blocking-timeout=inf chan
lt enable-event -u -c chan 'ringmon:*'
lt start

# liblttng-ust registers with the session daemon in ringmon's constructors
# and waits (LTTNG_UST_REGISTER_TIMEOUT, ms) until the daemon has enabled the
# events, so none of the first ones is lost.
DB="$LTTNG_HOME/l.db"
as_user env LTTNG_UST_REGISTER_TIMEOUT=10000 LTTNG_UST_ALLOW_BLOCKING=1 \
	"$RINGMON" run --db "$DB" --sink sqlite,lttng "$TBK" > /dev/null 2> "$TMP/err.txt" ||
	fail "run: $(cat "$TMP/err.txt")"
lt stop
lt destroy
babeltrace2 "$LTTNG_HOME/trace" > "$TMP/bt.txt" 2> "$TMP/bt.err" ||
	fail "babeltrace2: $(cat "$TMP/bt.err")"

run=$(last_run)
rows=$(sql "SELECT count(*) FROM traps WHERE run_id=$run")
[ "$rows" -gt 0 ] || fail "no trap rows in SQLite"
check "ringmon:trap events == SQLite rows" "$rows" "$(grep -c ' ringmon:trap: ' "$TMP/bt.txt")"
check "ringmon:run_begin events" 1 "$(grep -c ' ringmon:run_begin: ' "$TMP/bt.txt")"
check "ringmon:run_end events" 1 "$(grep -c ' ringmon:run_end: ' "$TMP/bt.txt")"
check "run_end's records == the monitor's count" \
	"$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sed -n 's/.* ringmon:run_end: .* records = \([0-9]*\),.*/\1/p' "$TMP/bt.txt")"
check "run_begin's run_id" "$run" \
	"$(sed -n 's/.* ringmon:run_begin: .*{ run_id = \([0-9]*\),.*/\1/p' "$TMP/bt.txt")"

# Row by row: run_id, seq, kind, eip, addr, data_sym, code_sym, tsc_in.
sed -n 's/.* ringmon:trap: .*{ run_id = \([0-9]*\), seq = \([0-9]*\), kind = ( "\([a-z_]*\)".*, eip = \(0x[0-9A-Fa-f]*\),.*, addr = \(0x[0-9A-Fa-f]*\),.*, data_sym = "\([^"]*\)",.*, code_sym = "\([^"]*\)",.*, tsc_in = \([0-9]*\),.*/\1 \2 \3 \4 \5 \6 \7 \8/p' \
	"$TMP/bt.txt" | tr 'A-F' 'a-f' > "$TMP/lttng.rows"
sql "SELECT run_id, seq, kind, printf('0x%x', eip), printf('0x%x', addr),
            ifnull(data_sym, '(null)'), ifnull(code_sym, '(null)'), tsc_in
     FROM traps WHERE run_id=$run ORDER BY seq" | tr '|' ' ' > "$TMP/sqlite.rows"
if cmp -s "$TMP/lttng.rows" "$TMP/sqlite.rows"; then
	echo "  ok: $rows events equal their rows (seq, kind, eip, addr, data_sym, code_sym, tsc_in)"
else
	fail "events and rows differ:"
	diff "$TMP/sqlite.rows" "$TMP/lttng.rows" | head -10
fi
# The events carry the symbols: the hot data must be there by name.
grep -q 'data_sym = "hot_ticks"' "$TMP/bt.txt" || fail "no event names hot_ticks"
finish
