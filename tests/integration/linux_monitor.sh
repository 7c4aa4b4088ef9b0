# linux_monitor.sh — Linux 6.1, unmodified, under the monitor: the busybox
# workload prints what it prints natively and ends the run from user space
# (ioperm, port 0xf4, status 0); the kernel's TLS writes to its GDT through
# the direct map trap on the protected frame and are named gdt_page, from
# the variant's System.map.  Skips when no Linux guest has been built
# (`make linux`; docs/linux.md).
. tests/lib.sh
L=build/linux
K=$L/default/bzImage
INITRD=$L/initramfs.cpio.gz
if [ ! -f "$K" ] || [ ! -f "$INITRD" ]; then
	echo "skip: no Linux guest built (make linux)"
	exit 0
fi
DB="$TMP/l.db"
timeout 120 qemu-system-i386 -accel tcg -cpu max -m 256 -nodefaults -kernel "$K" \
	-initrd "$INITRD" -append "console=ttyS0 reservetop=4M" -serial stdio \
	-display none -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
	</dev/null | tr -d '\r' | grep '^ringmon-linux: ' > "$TMP/native"
"$RINGMON" run --db "$DB" --mode w --timeout 600 --symbols "$L/default/System.map" \
	--initrd "$INITRD" "$K" 2> "$TMP/err" | tr -d '\r' | grep '^ringmon-linux: ' > "$TMP/mon"
check "exit status (the workload's)" 0 "$(sql "SELECT exit_status FROM runs")"
check "workload lines" "$(wc -l < "$TMP/native")" "$(wc -l < "$TMP/mon")"
if cmp -s "$TMP/native" "$TMP/mon"; then
	echo "  ok: the workload transcript is the native one"
else
	fail "the workload transcript differs:"
	diff "$TMP/native" "$TMP/mon" | head
fi
n=$(sql "SELECT count(*) FROM traps WHERE kind='protected' AND data_sym='gdt_page'
         AND region='gdt' AND access='w'")
[ "$n" -gt 0 ] && echo "  ok: $n GDT writes named gdt_page" || fail "no GDT write named gdt_page"
check "records == the monitor's count" "$(sql "SELECT records FROM runs")" \
	"$(sql "SELECT count(*) FROM traps")"
finish
