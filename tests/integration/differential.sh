# differential.sh — oracle 1: each test kernel prints the same transcript
# natively (QEMU, ring 0) and under the monitor (ring 3), for every
# combination of --mode, --emulate and --placement.
#
# One line is set aside: the smc kernel's checksum of the bytes of a function
# holding a sensitive instruction.  Under the monitor that code page is
# scanned and the instruction patched to int3 before the guest reads it, and
# x86 paging cannot make a page executable yet unreadable (docs/monitor.md,
# "Limits today").  Every other line of smc, the self-modifying code itself,
# must match.
#
# DIFF_ACCEL=kvm runs both sides under KVM (differential_kvm.sh); the default
# is what --accel auto picks here.
. tests/lib.sh
ACCEL=${DIFF_ACCEL:-auto}
KNOWN_LIMIT='^bytes of a sensitive function before and after it ran: '
for k in $TBK_KERNELS; do
	native_transcript --accel "$ACCEL" "build/tbk/$k.elf" | grep -v "$KNOWN_LIMIT" > "$TMP/native.txt"
	grep -q "^$k: done\$" "$TMP/native.txt" || fail "$k: native run did not finish"
	for placement in shadow inplace; do
		for mode in rw w off; do
			for emulate in decode step; do
				knobs="$placement/$mode/$emulate"
				"$RINGMON" run --db "$TMP/d.db" --accel "$ACCEL" --mode "$mode" --emulate "$emulate" \
					--placement "$placement" "build/tbk/$k.elf" \
					> "$TMP/mon.raw" 2> "$TMP/err.txt"
				rc=$?
				grep -v "$KNOWN_LIMIT" "$TMP/mon.raw" > "$TMP/mon.txt"
				[ "$rc" -eq 0 ] || fail "$k $knobs: exit status $rc: $(head -1 "$TMP/err.txt")"
				if cmp -s "$TMP/native.txt" "$TMP/mon.txt"; then
					echo "  ok: $k $knobs: transcript identical ($(wc -l < "$TMP/mon.txt") lines)"
				else
					fail "$k $knobs: transcript differs:"
					diff "$TMP/native.txt" "$TMP/mon.txt" | head -10
				fi
			done
		done
	done
done
finish
