# linux_native.sh — the Linux 6.1 guests (build/linux/VARIANT/bzImage, made by
# `make linux`) booted natively at ring 0 by QEMU with the busybox initramfs:
# every workload line must be there with the expected answer, the run must end
# through ringmon-exit (QEMU status 1: the guest wrote 0 to port 0xf4), the
# kernel must have taken reservetop=4M, and two runs must print the same
# workload transcript.  Skips when no Linux guest has been built: `make check`
# does not build Linux (docs/linux.md).
. tests/lib.sh

L=build/linux
INITRD=$L/initramfs.cpio.gz
CMDLINE="console=ttyS0 reservetop=4M"
if [ ! -f "$L/default/bzImage" ] || [ ! -f "$INITRD" ]; then
	echo "skip: no Linux guest built (make linux)"
	exit 0
fi

# the QEMU machine of lib.sh's native_transcript, with the kernel's loader
linux_native() { # BZIMAGE
	timeout 120 qemu-system-i386 -accel tcg -cpu max -m 256 -nodefaults \
		-kernel "$1" -initrd "$INITRD" -append "$CMDLINE" \
		-serial stdio -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null
}

# the workload's own lines (the kernel's messages come between them)
workload_lines() { grep '^ringmon-linux: ' "$1"; }

for v in default unaligned; do
	k=$L/$v/bzImage
	if [ ! -f "$k" ]; then
		echo "  skip: $v not built"
		continue
	fi
	for run in 1 2; do
		linux_native "$k" > "$TMP/$v.$run.raw" 2> "$TMP/$v.$run.err"
		check "$v run $run: QEMU status (1: the guest wrote 0)" 1 $?
		tr -d '\r' < "$TMP/$v.$run.raw" > "$TMP/$v.$run"
	done
	workload_lines "$TMP/$v.1" > "$TMP/$v.lines"
	# every workload line as /init prints it when all is well
	cat > "$TMP/expected" <<'EOF'
ringmon-linux: up
ringmon-linux: mounts: proc sysfs devtmpfs tmpfs
ringmon-linux: kernel: Linux 6.1 i686
ringmon-linux: reservetop: Reserving virtual address space above 0xffc00000 (rounded to 0xffc00000)
ringmon-linux: command line: console=ttyS0 reservetop=4M
ringmon-linux: exec /bin/true: 50
ringmon-linux: exec and capture: hello from a child
ringmon-linux: pipe seq 1 1000 | wc -l: 1000
ringmon-linux: pipe of three: 500500
ringmon-linux: tmpfs file: 8893 bytes, same
ringmon-linux: tmpfs md5: ea4d0a24dabcaa11f9aa979b872d162b
ringmon-linux: tmpfs dd 256 KiB: 262144
ringmon-linux: tmpfs empty again: 
ringmon-linux: syscall loop: 1000
ringmon-linux: background jobs: 100 100 100 100
ringmon-linux: context switches happened: yes
ringmon-linux: user read of kernel text: 139
ringmon-linux: done, status 0
EOF
	if cmp -s "$TMP/expected" "$TMP/$v.lines"; then
		echo "  ok: $v: the workload transcript ($(wc -l < "$TMP/$v.lines") lines)"
	else
		fail "$v: workload transcript differs from the expected one:"
		diff "$TMP/expected" "$TMP/$v.lines" | head -20
		tail -n 20 "$TMP/$v.1"
	fi
	workload_lines "$TMP/$v.2" > "$TMP/$v.lines2"
	if cmp -s "$TMP/$v.lines" "$TMP/$v.lines2"; then
		echo "  ok: $v: both runs print the same workload transcript"
	else
		fail "$v: workload transcripts differ between two native runs"
		diff "$TMP/$v.lines" "$TMP/$v.lines2" | head -10
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
	strings "$L/$v/vmlinux" | grep -qxF "$banner" &&
		echo "  ok: $v: the console banner is this vmlinux's" ||
		fail "$v: the banner '$banner' is not in $L/$v/vmlinux"
done
finish
