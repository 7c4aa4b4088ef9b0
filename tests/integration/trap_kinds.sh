# trap_kinds.sh — every kind of trap record is produced by a test kernel and
# carries what it should: the instruction, address and detail that the
# kernel's source says caused it.
. tests/lib.sh
DB="$TMP/k.db"

run() { # KERNEL [ARGS]: run it, print the run id
	k=$1
	shift
	"$RINGMON" run --db "$DB" "$@" "build/tbk/$k.elf" > /dev/null 2> "$TMP/err.txt" ||
		fail "$k: $(head -1 "$TMP/err.txt")"
	last_run
}

nonzero() { # WHAT SQL
	n=$(sql "$2")
	[ "${n:-0}" -gt 0 ] && echo "  ok: $1 ($n)" || fail "$1: none"
}

conform=$(run conform)
sym_conform() { nm build/tbk/conform.elf | awk -v s="$1" '$3 == s { print $1 }'; }

# privileged: the port I/O of the console, with the port in detail.
nonzero "privileged: out to COM1 (port in detail)" \
	"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='privileged'
	 AND insn LIKE 'ee%' AND detail=1016"
# sbe: a patched pushf, sgdt and cpuid, emulated.
for op in 9c 0f01 0fa2; do
	nonzero "sbe: patched instruction $op" \
		"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='sbe' AND insn LIKE '$op%'"
done
# guest_pf: the read of the unmapped page, with its address.
check "guest_pf: the read at 0x7fff0000" 1 \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$conform AND kind='guest_pf'
	        AND addr=$((0x7fff0000)) AND access IS NULL")"
# exception: ud2 (#UD, vector 6 reflected) and int3 (reflected as vector 3).
for v in 3 6; do
	nonzero "exception: vector $v reflected" \
		"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='exception' AND detail=$v"
done
# irq: the PIT, delivered on the guest's vector 0x20.
nonzero "irq: PIT on guest vector 0x20" \
	"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='irq' AND detail=32"
# shadow_pf: fills with guest paging on, at guest-physical addresses.
nonzero "shadow_pf: shadow fills" \
	"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='shadow_pf' AND gpa<>0"
# scan: code pages, scanned when code first runs there with paging on (the
# fetch fault's address is the code's own).
nonzero "scan: fetches from code, each at the EIP that faulted" \
	"SELECT count(*) FROM traps WHERE run_id=$conform AND kind='scan' AND addr=eip
	 AND code_sym IS NOT NULL"
nonzero "scan: patches found" \
	"SELECT sum(detail) FROM traps WHERE run_id=$conform AND kind='scan'"

# smc: the smc kernel rewrites code that has run.
smc=$(run smc)
nonzero "smc: writes to scanned code" \
	"SELECT count(*) FROM traps WHERE run_id=$smc AND kind='smc' AND access='w'"
nonzero "smc: the patched code is scanned again" \
	"SELECT count(*) FROM traps WHERE run_id=$smc AND kind='scan'"

# protected: oracle 2 counts them exactly (exact_counts.sh); here, that
# they name the table region, and that --mode off gives none.
hot=$(run hot)
nonzero "protected: GDT reads in region gdt" \
	"SELECT count(*) FROM traps WHERE run_id=$hot AND kind='protected' AND region='gdt'"
off=$(run hot --mode off)
check "protected: none with --mode off" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE run_id=$off AND kind='protected'")"
check "all nine kinds seen" \
	"exception guest_pf irq privileged protected sbe scan shadow_pf smc" \
	"$(sql "SELECT group_concat(kind, ' ') FROM (SELECT DISTINCT kind FROM traps
	        WHERE run_id IN ($conform, $smc, $hot) ORDER BY kind)")"
finish
