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
# mbinfo is given a command line and Multiboot modules (kernel_args), so
# that the Multiboot information, modules and all, is held to QEMU's own.
#
# DIFF_ACCEL=kvm runs both sides under KVM (differential_kvm.sh); the default
# is what --accel auto picks here.
. tests/lib.sh
ACCEL=${DIFF_ACCEL:-auto}
KNOWN_LIMIT='^bytes of a sensitive function before and after it ran: '
# Three modules: text with commas in its line (QEMU's ",," escape, which
# moves the loader name), a page and a half of bytes, an empty file.
printf 'the first module\n' > "$TMP/mod1"
head -c 6000 /dev/urandom > "$TMP/mod2"
: > "$TMP/mod3"
for k in $TBK_KERNELS; do
	set --
	[ "$k" = mbinfo ] && set -- --cmdline 'one two,three' --module "$TMP/mod1 a=1,b=2,,c" \
		--module "$TMP/mod2" --module "$TMP/mod3  spaced  args "
	native_transcript --accel "$ACCEL" "$@" "build/tbk/$k.elf" | grep -v "$KNOWN_LIMIT" > "$TMP/native.txt"
	grep -q "^$k: done\$" "$TMP/native.txt" || fail "$k: native run did not finish"
	for placement in shadow inplace; do
		for mode in rw w off; do
			for emulate in decode step; do
				knobs="$placement/$mode/$emulate"
				"$RINGMON" run --db "$TMP/d.db" --accel "$ACCEL" --mode "$mode" --emulate "$emulate" \
					--placement "$placement" "$@" "build/tbk/$k.elf" \
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
