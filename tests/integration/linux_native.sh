# linux_native.sh — the Linux 6.1 guests (build/linux/VARIANT/bzImage, made
# by `make linux`) booted natively at ring 0 by QEMU (`ringmon run --native`:
# the machine and command line a monitored run gets) with the busybox
# initramfs: every workload line must be there with the expected answer
# (tests/fixtures/linux-workload.txt, which linux_monitor.sh holds the
# monitor's runs to as well), the run must end through ringmon-exit (status
# 0: the guest wrote 0 to port 0xf4), the kernel must have taken
# reservetop=4M, ringmon-peek must get SIGSEGV, and a second boot of one
# variant must print the same workload transcript.  Two boots at a time.
. tests/lib.sh

# `sh linux_native.sh boot DIR VARIANT N`: one native boot, into DIR/VARIANT.N
if [ "${1:-}" = boot ]; then
	d=$2 v=$3 n=$4
	"$RINGMON" run --native --timeout 300 --initrd "$LINUX_INITRD" \
		"$LINUX/$v/bzImage" </dev/null > "$d/$v.$n.raw" 2> "$d/$v.$n.err"
	echo $? > "$d/$v.$n.status"
	tr -d '\r' < "$d/$v.$n.raw" > "$d/$v.$n"
	exit 0
fi
need_linux

{ for v in $LINUX_VARIANTS; do echo "$v 1"; done; echo "upstream 2"; } |
	xargs -P 2 -L 1 sh "$0" boot "$TMP"

for v in $LINUX_VARIANTS; do
	check "$v: status" 0 "$(cat "$TMP/$v.1.status")"
	linux_workload "$TMP/$v.1" > "$TMP/$v.lines"
	if cmp -s "$LINUX_EXPECTED" "$TMP/$v.lines"; then
		echo "  ok: $v: the workload transcript ($(wc -l < "$TMP/$v.lines") lines)"
	else
		fail "$v: workload transcript differs from $LINUX_EXPECTED:"
		diff "$LINUX_EXPECTED" "$TMP/$v.lines" | head -20
		tail -n 20 "$TMP/$v.1"
	fi
	# the kernel's own word that the top 4 MiB are left alone, and that user
	# space really faulted on the kernel address
	grep -qxF "Reserving virtual address space above 0xffc00000 (rounded to 0xffc00000)" "$TMP/$v.1" &&
		echo "  ok: $v: the kernel reserved the top 4 MiB" ||
		fail "$v: no reservetop message on the console"
	grep -q '^ringmon-peek\[[0-9]*\]: segfault at c1000000 ' "$TMP/$v.1" &&
		echo "  ok: $v: ringmon-peek got SIGSEGV at c1000000" ||
		fail "$v: no segfault report for ringmon-peek"
	# this is the build we think it is: the running kernel's version banner
	# names the same build as the vmlinux beside it
	banner=$(head -n 1 "$TMP/$v.1")
	strings "$LINUX/$v/vmlinux" | grep -qxF "$banner" &&
		echo "  ok: $v: the console banner is this vmlinux's" ||
		fail "$v: the banner '$banner' is not in $LINUX/$v/vmlinux"
done
linux_workload "$TMP/upstream.2" > "$TMP/upstream.lines2"
if cmp -s "$TMP/upstream.lines" "$TMP/upstream.lines2"; then
	echo "  ok: upstream: a second boot prints the same workload transcript"
else
	fail "upstream: workload transcripts differ between two native boots"
	diff "$TMP/upstream.lines" "$TMP/upstream.lines2" | head -10
fi
finish
