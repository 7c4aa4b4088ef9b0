# devices_refused.sh — what the monitor will not let a guest ask of the
# PC's devices (module/lapic.c, module/mmio.c, module/pcdev.c) stops the run
# with its reason: status 125, runs.monitor_state 'killed', runs.kill_reason naming
# the request, every record still in the database.  The apic test kernel
# makes one such request with "refuse=WHAT" on its command line.
. tests/lib.sh
DB="$TMP/a.db"
K=build/tbk/apic.elf

# refused WHAT REASON: the run of refuse=WHAT is killed with REASON
refused() {
	"$RINGMON" run --db "$DB" --cmdline "refuse=$1" "$K" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	run=$(last_run)
	check "$1: status" 125 "$rc"
	check "$1: reached the request" "refuse: $1" "$(sed -n 2p "$TMP/out")"
	grep -q "not refused" "$TMP/out" && fail "$1: the guest went on past the request"
	check "$1: state" killed "$(sql "SELECT monitor_state FROM runs WHERE id=$run")"
	check "$1: reason" "$2" "$(sql "SELECT kill_reason FROM runs WHERE id=$run")"
	check "$1: rows == records" "$(sql "SELECT records FROM runs WHERE id=$run")" \
		"$(sql "SELECT count(*) FROM traps WHERE run_id=$run")"
}

refused init "guest writes 00040500 to local APIC register 300: delivery mode 5 is not virtualized"
refused nmi "guest routes I/O APIC pin 9 with delivery mode 4: not virtualized"
refused vector "guest writes 0000000e to local APIC register 320: vectors below 32 are not virtualized"
refused fsb "guest makes HPET timer 0 deliver by FSB message: not virtualized"
refused smi "guest sends SMI command 42 to port b2: not virtualized"
refused sleep "guest puts the machine to sleep (sleep type 5) through ACPI: not virtualized"
check "integrity_check" ok "$(sql "PRAGMA integrity_check")"
finish
