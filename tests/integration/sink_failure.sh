# sink_failure.sh — a failing text sink (its reader gone, its disk full) is
# dropped and the run goes on: the database keeps every record, the run
# ends with the guest's status, and its runs row says which sink failed and
# from which record on.  Alone, the text sink's failure fails the run.
. tests/lib.sh
DB="$TMP/p.db"

# whole NAME: the last run kept every record, the file is sound
whole() {
	run=$(last_run)
	check "$1: integrity_check" ok "$(sql "PRAGMA integrity_check")"
	check "$1: monitor_state" exited "$(sql "SELECT monitor_state FROM runs WHERE id=$run")"
	check "$1: rows == the monitor's records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
}

# stderr into a pipe whose reader leaves after two lines
( "$RINGMON" run --db "$DB" --sink text,sqlite "$TBK" 2>&1 >/dev/null; echo $? > "$TMP/rc" ) |
	head -2 > /dev/null
check "closed pipe: status (the guest's)" 0 "$(cat "$TMP/rc")"
whole "closed pipe"
reason=$(sql "SELECT kill_reason FROM runs WHERE id=$(last_run)")
case $reason in
"text sink failed (Broken pipe): records from seq "[0-9]*" on are missing there")
	echo "  ok: closed pipe: kill_reason = $reason" ;;
*)	fail "closed pipe: kill_reason: '$reason'" ;;
esac

# stderr on a full device: the note is in the row (stderr cannot say it)
"$RINGMON" run --db "$DB" --sink text,sqlite "$TBK" > /dev/null 2> /dev/full
check "/dev/full: status (the guest's)" 0 $?
whole "/dev/full"
check "/dev/full: kill_reason" \
	"text sink failed (No space left on device): records from seq 0 on are missing there" \
	"$(sql "SELECT kill_reason FROM runs WHERE id=$(last_run)")"

# the text sink alone: nothing kept the records
"$RINGMON" run --sink text "$TBK" > /dev/null 2> /dev/full
check "text alone on /dev/full: status" 125 $?

# the guest console into head: still tolerated, every record kept
( "$RINGMON" run --db "$DB" "$TBK" 2>/dev/null; echo $? > "$TMP/rc" ) | head -1 > /dev/null
check "console into head: status" 0 "$(cat "$TMP/rc")"
whole "console into head"
check "console into head: kill_reason" "" "$(sql "SELECT kill_reason FROM runs WHERE id=$(last_run)")"
finish
