# lttng_optional.sh — LTTng-UST is loaded only for --sink lttng.  Linked into
# ringmon, its threads mapped pages of /dev/shm in every command and died of
# SIGBUS when it was full, `ringmon --help` included.  In a mount namespace
# of its own, with a 4 KiB tmpfs on /dev/shm filled to the last byte: --help
# and a default (SQLite) run must work, since guest RAM is a memfd and no
# sink but LTTng's needs /dev/shm; --sink lttng must fail with one line,
# non-zero, before anything is written; and ringmon must not need
# liblttng-ust at all.
. tests/lib.sh
DB="$TMP/o.db"
command -v unshare > /dev/null || skip "unshare missing"
unshare -m true 2> /dev/null || skip "no mount namespace for this user (unshare -m)"

lttng_needed=$(readelf -d "$RINGMON" | grep -c 'NEEDED.*liblttng-ust')
check "ringmon's NEEDED entries for liblttng-ust" 0 "$lttng_needed"
[ -f build/ringmon_tp.so ] || fail "build/ringmon_tp.so missing (make all builds it)"

# In the namespace: one line per command, "NAME STATUS", and each
# command's stderr in $TMP/NAME.err.
unshare -m sh -c '
	mount -t tmpfs -o size=4k tmpfs /dev/shm || exit 1
	dd if=/dev/zero of=/dev/shm/fill bs=4k 2> /dev/null
	[ "$(df --output=avail /dev/shm | tail -1)" -eq 0 ] || { echo "fill not-full"; exit 1; }
	try() { name=$1; shift; "$@" > /dev/null 2> "$0/$name.err"; echo "$name $?"; }
	try help "$1" --help
	try lttng "$1" run --accel tcg --db "$2" --sink sqlite,lttng "$3"
	if [ -e "$2" ]; then echo "lttng-db left"; else echo "lttng-db none"; fi
	try sqlite "$1" run --accel tcg --db "$2" "$3"
' "$TMP" "$RINGMON" "$DB" "$TBK" > "$TMP/ns.out" 2>&1 || fail "namespace: $(cat "$TMP/ns.out")"
status() { sed -n "s/^$1 //p" "$TMP/ns.out"; }

check "full /dev/shm: --help status" 0 "$(status help)"
check "full /dev/shm: --help stderr lines" 0 "$(wc -l < "$TMP/help.err")"
lttng=$(status lttng)
[ -n "$lttng" ] && [ "$lttng" -ne 0 ] && [ "$lttng" -lt 128 ] &&
	echo "  ok: full /dev/shm: --sink sqlite,lttng fails, status $lttng" ||
	fail "full /dev/shm: --sink sqlite,lttng: status '$lttng' (a signal from 128 on)"
check "full /dev/shm: --sink sqlite,lttng says one line" 1 "$(wc -l < "$TMP/lttng.err")"
grep -q '^ringmon: lttng sink: /dev/shm is full' "$TMP/lttng.err" ||
	fail "full /dev/shm: --sink lttng said: $(cat "$TMP/lttng.err")"
check "full /dev/shm: --sink sqlite,lttng left a database" none "$(status lttng-db)"
check "full /dev/shm: the default sink's run status" 0 "$(status sqlite)"
[ -f "$DB" ] && run=$(last_run) && [ -n "$run" ] || { fail "no run in $DB"; finish; }
check "full /dev/shm: rows == the monitor's records" \
	"$(sql "SELECT records FROM runs WHERE id=$run")" \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
check "full /dev/shm: the run finished" 1 "$(sql "SELECT finished FROM runs WHERE id=$run")"
finish
