# native_kernels.sh — every test kernel, booted natively (QEMU, ring 0)
# twice: it must exit with status 0, open with "<name>: up", close with
# "<name>: done", and print byte-identical transcripts (what the monitor's
# differential runs compare against must not depend on timing).  A few
# kernels' lines are checked as well: what they print is what the CPU does,
# and a line that is wrong here is a bug in the kernel, not in a monitor.
. tests/lib.sh

# lines_present KERNEL FILE: every line on stdin must be in FILE.
lines_present() {
	missing=0
	while IFS= read -r line; do
		grep -qxF -- "$line" "$2" || { fail "$1: no line '$line'"; missing=1; }
	done
	[ "$missing" -eq 0 ] && echo "  ok: $1 prints every expected line"
}

sym() { # KERNEL SYMBOL: its address, 8 hex digits
	nm "build/tbk/$1.elf" | awk -v s="$2" '$3 == s { print $1 }'
}

for k in $TBK_KERNELS; do
	elf=build/tbk/$k.elf
	for run in 1 2; do
		native_transcript "$elf" > "$TMP/$k.$run" 2> "$TMP/$k.$run.err"
		check "$k run $run: status" 0 $?
	done
	check "$k: first line" "$k: up" "$(head -n 1 "$TMP/$k.1")"
	check "$k: last line" "$k: done" "$(tail -n 1 "$TMP/$k.1")"
	if cmp -s "$TMP/$k.1" "$TMP/$k.2"; then
		echo "  ok: $k: both transcripts identical ($(wc -l < "$TMP/$k.1") lines)"
	else
		fail "$k: transcripts differ between two native runs:"
		diff "$TMP/$k.1" "$TMP/$k.2" | head -10
	fi
done

for k in mt mt-pae; do
	calls=$(expect MT_TASK_SYSCALLS mt.h)
	id=0
	while [ "$id" -lt "$(expect MT_TASKS mt.h)" ]; do
		grep -q "^task $id: exit [0-9a-f]\{8\}, $calls system calls, wrote: hello from task $id, tls ok\$" \
			"$TMP/$k.1" || fail "$k: task $id did not finish as it should"
		id=$((id + 1))
	done
	lines_present "$k" "$TMP/$k.1" <<EOF
system calls: $(expect MT_SYSCALLS mt.h)
get-task-id calls counted through the gdt alias: $(expect "MT_TASKS * MT_GETIDS" mt.h)
ticks > 0: 1
EOF
done
grep '^task' "$TMP/mt.1" > "$TMP/mt.tasks"
grep '^task' "$TMP/mt-pae.1" > "$TMP/mt-pae.tasks"
if cmp -s "$TMP/mt.tasks" "$TMP/mt-pae.tasks"; then
	echo "  ok: mt and mt-pae tasks compute the same"
else
	fail "mt and mt-pae tasks differ"
fi

lines_present smc "$TMP/smc.1" <<EOF
patched immediate: 11111111 then 22222222
pushf put in: 00000000 then 00000046
mov from cs taken out: 00000008 then 00000000
jump retargeted: 00000001 then 00000002
store to the next instruction: 33333333
data on a code page, 100 increments: 100
generated code: 12345678, 00000046, 00000010
patched through an alias: 44444444 then 55555555; run through it after a patch: 66666666
EOF

# The adversarial kernel: each attempt as a ring-0 kernel's CPU answers it.
secret=$(sym adversarial secret)
gdt_ucode=$(printf '%08x' $((0x$(sym adversarial gdt_table) + 3 * 8)))
lines_present adversarial "$TMP/adversarial.1" <<EOF
attempt 1 far jump to a new DPL-0 code segment: 00000038
attempt 2 read through an LDT data segment: 5ec2e75a
attempt 3 map the monitor's linear region: 00000001
attempt 4 map the frames above guest RAM: 00000001
attempt 5 lgdt at the top of guest linear memory: ffbff000
attempt 6 lidt in the monitor's linear region, int 0x82: 0e001000 trap 82 err 0000
attempt 7 ltr of a busy TSS: 00000000 trap 0d err 0028
attempt 8 iret to user code with RPL 0: 00000000 trap 0d err 0018
attempt 9 iret to ring 3 with an RPL-0 SS: 00000000 trap 0d err 0020
attempt 10 user reads kernel memory: deadbeef trap 0e err 0005 cr2 $secret
attempt 11 user writes the GDT: deadbeef trap 0e err 0007 cr2 $gdt_ucode
attempt 12 user reads kernel memory through the flat LDT segment: deadbeef trap 0e err 0005 cr2 $secret
attempt 13 user loads the LDT's kernel data segment: 00000023 trap 0d err 000c
attempt 14 user far jump to DPL-0 code: deadbeef trap 0d err 0038
attempt 15 user lcall through a DPL-3 gate to ring 0: 00000008
attempt 16 user lcall through a DPL-0 gate: deadbeef trap 0d err 0048
attempt 17 user far jump to the TSS: deadbeef trap 0d err 0028
attempt 18 user int 0x0d (DPL 0): deadbeef trap 0d err 006a
attempt 19 user iret to a ring-0 CS: 00000000 trap 0d err 0008
attempt 20 user iret with IOPL 3 and IF clear: IF and IOPL: 00000200
attempt 21 user popf IOPL 3, then cli: IF and IOPL: 00000200 trap 0d err 0000
attempt 22 user out to the debug-exit port: deadbeef trap 0d err 0000
attempt 23 user hlt: deadbeef trap 0d err 0000
attempt 24 user mov from cr3: deadbeef trap 0d err 0000
attempt 25 user lgdt: deadbeef trap 0d err 0000
attempt 26 user sysenter: deadbeef trap 0d err 0000
attempt 27 lgdt in the middle of a page, data beside it: 61000808
EOF
check "adversarial: attempt lines" 27 "$(grep -c '^attempt ' "$TMP/adversarial.1")"

# mt's link-order variants (docs/experiments.md): the same objects linked by
# other scripts must print exactly mt's transcript.
for k in $MT_VARIANTS; do
	native_transcript "build/tbk/$k.elf" > "$TMP/$k.1" 2> /dev/null
	check "$k: status" 0 $?
	if cmp -s "$TMP/mt.1" "$TMP/$k.1"; then
		echo "  ok: $k prints mt's transcript"
	else
		fail "$k: transcript differs from mt's:"
		diff "$TMP/mt.1" "$TMP/$k.1" | head -10
	fi
done
finish
