# accel.sh — the accelerator decision (vmm/accel.c; docs/architecture.md,
# "The accelerator").  On every machine, through RINGMON_KVM_DEVICE pointed at
# nodes that cannot work: `auto` falls back to TCG with one line saying why,
# `--accel kvm` exits 2 with that line before anything is made, and the runs
# row records tcg, the CPU model and the reason.  With the machine's own
# /dev/kvm, when there is one: the real probe's verdict, its cache, and runs
# that follow it.
. tests/lib.sh
export XDG_CACHE_HOME="$TMP/cache"
DB=$TMP/a.db
: > "$TMP/notkvm"

# field FIELD OUTPUT-FILE: a line of `ringmon accel`'s output
field() { sed -n "s/^$1 //p" "$2"; }

# --- a node that is no KVM device: a regular file ------------------------
RINGMON_KVM_DEVICE=$TMP/notkvm "$RINGMON" accel > "$TMP/acc.txt"
check "accel on a regular file: status" 0 $?
check "accel on a regular file: accel" tcg "$(field accel "$TMP/acc.txt")"
check "accel on a regular file: cpu" max "$(field cpu "$TMP/acc.txt")"
why="$TMP/notkvm is not a KVM device (Inappropriate ioctl for device)"
check "accel on a regular file: why" "$why" "$(field why "$TMP/acc.txt")"

RINGMON_KVM_DEVICE=$TMP/notkvm "$RINGMON" run --db "$DB" "$TBK" > "$TMP/out.txt" 2> "$TMP/err.txt"
check "auto on a regular file: the guest's status" 0 $?
grep -q '^hot: done$' "$TMP/out.txt" || fail "auto on a regular file: hot did not finish"
check "auto on a regular file: the fallback line" "ringmon: $why; using tcg" "$(head -n 1 "$TMP/err.txt")"
check "auto on a regular file: fallback lines" 1 "$(grep -c 'using tcg' "$TMP/err.txt")"
check "auto on a regular file: runs row" "tcg|max|$why" "$(sql "SELECT accel, cpu, accel_why FROM runs")"
"$RINGMON" report "$DB" --run 1 > "$TMP/report.md"
grep -qxF "| accelerator | tcg, -cpu max ($why) |" "$TMP/report.md" &&
	echo "  ok: the report names the accelerator, its CPU model and why" ||
	fail "report: $(grep '^| accelerator' "$TMP/report.md")"

# --accel kvm: exit 2 with the line, no database made, no row added
for args in "run --db $TMP/k.db" "run --native" "sweep -o $TMP/k.db --workdir $TMP/kj"; do
	cmd=${args%% *}
	# shellcheck disable=SC2086
	RINGMON_KVM_DEVICE=$TMP/notkvm "$RINGMON" $args --accel kvm "$TBK" > /dev/null 2> "$TMP/err.txt"
	check "$cmd --accel kvm on a regular file: status" 2 $?
	check "$cmd --accel kvm: the line" "ringmon: $cmd: --accel kvm: $why" "$(cat "$TMP/err.txt")"
done
[ -e "$TMP/k.db" ] && fail "--accel kvm left a database behind" || echo "  ok: no database made"
RINGMON_KVM_DEVICE=$TMP/notkvm "$RINGMON" run --db "$DB" --accel kvm "$TBK" > /dev/null 2>&1
check "--accel kvm: rows in an existing database" 1 "$(sql "SELECT count(*) FROM runs")"

# --- no node at all (where one is named) ---------------------------------
RINGMON_KVM_DEVICE=$TMP/none "$RINGMON" accel > "$TMP/acc.txt"
check "accel without the node: why" "$TMP/none: No such file or directory" "$(field why "$TMP/acc.txt")"

# --- what needs no probe ---------------------------------------------------
RINGMON_KVM_DEVICE=$TMP/notkvm "$RINGMON" run --db "$DB" --deterministic "$TBK" > /dev/null 2> "$TMP/err.txt"
check "--deterministic: status" 0 $?
check "--deterministic: no fallback line" 0 "$(grep -c 'using tcg' "$TMP/err.txt")"
check "--deterministic: runs row" "tcg|max|--deterministic: TCG's -icount" \
	"$(sql "SELECT accel, cpu, accel_why FROM runs WHERE deterministic = 1")"
"$RINGMON" run --db "$DB" --accel tcg "$TBK" > /dev/null 2> "$TMP/err.txt"
check "--accel tcg: no fallback line" 0 "$(grep -c 'using tcg' "$TMP/err.txt")"

# --- the machine's own /dev/kvm --------------------------------------------
if [ ! -e /dev/kvm ]; then
	echo "  (no /dev/kvm here: the real probe is not exercised)"
	finish
fi
"$RINGMON" accel --reprobe > "$TMP/acc.txt"
check "accel --reprobe: status" 0 $?
accel=$(field accel "$TMP/acc.txt") cpu=$(field cpu "$TMP/acc.txt") why=$(field why "$TMP/acc.txt")
echo "  (/dev/kvm: $accel, -cpu $cpu: $why)"
cache=$(ls "$XDG_CACHE_HOME"/ringmon/accel-*)
grep -qF "$(uname -r)" "$cache" && grep -qF "$(qemu-system-i386 --version | head -n 1)" "$cache" &&
	echo "  ok: the verdict is cached for this QEMU and host kernel" ||
	fail "the cache $cache does not name this QEMU and host kernel"
"$RINGMON" run --db "$DB" "$TBK" > /dev/null 2> "$TMP/err.txt"
check "auto with /dev/kvm: status" 0 $?
check "auto with /dev/kvm: runs row" "$accel|$cpu|$why" \
	"$(sql "SELECT accel, cpu, accel_why FROM runs WHERE id = (SELECT max(id) FROM runs)")"
if [ "$accel" = tcg ]; then
	case $why in
	"/dev/kvm cannot run 32-bit protected-mode guests here ("*) echo "  ok: the probe failed and says why" ;;
	*) fail "the probe's reason: $why" ;;
	esac
	check "auto with an unusable /dev/kvm: the line" "ringmon: $why; using tcg" "$(head -n 1 "$TMP/err.txt")"
	"$RINGMON" run --db "$DB" --accel kvm "$TBK" > /dev/null 2> "$TMP/err.txt"
	check "--accel kvm with an unusable /dev/kvm: status" 2 $?
	check "--accel kvm with an unusable /dev/kvm: the line" "ringmon: run: --accel kvm: $why" "$(cat "$TMP/err.txt")"
else
	check "auto with a working KVM: no fallback line" 0 "$(grep -c 'using tcg' "$TMP/err.txt")"
fi
# the cache is what later runs go by: a verdict edited in it is believed,
# until --reprobe or a key that no longer fits
sed -i 's/^why .*/why edited in the cache/' "$cache"
check "a cached verdict is used" "edited in the cache" "$("$RINGMON" accel | sed -n 's/^why //p')"
"$RINGMON" accel --reprobe > /dev/null
check "--reprobe replaces it" "$why" "$("$RINGMON" accel | sed -n 's/^why //p')"
sed -i -e 's/^why .*/why edited in the cache/' -e 's/; kernel [^;]*;/; kernel another;/' "$cache"
check "a verdict for another host kernel is not used" "$why" "$("$RINGMON" accel | sed -n 's/^why //p')"
finish
