#!/bin/sh
# The test runner: every unit binary in build/tests/, then every script in
# tests/integration/.  A test passes when it exits 0 and is skipped when it
# exits 77 (SKIP in tests/lib.sh: it cannot run on this machine); a skip is
# never a pass.  With arguments (e.g. integration/mach unit/test_walk), only
# the tests so named run.  Ends with the line "N passed, N failed, N skipped"; exits
# non-zero when anything failed.
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
skipped=0
failed=""
selected="$*"
run() {
	name=$1
	shift
	[ -n "$selected" ] && case " $selected " in *" $name "*) ;; *) return ;; esac
	printf '== %s\n' "$name"
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		printf 'PASS %s\n' "$name"
	elif [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		printf 'SKIP %s\n' "$name"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf 'FAIL %s\n' "$name"
	fi
}
for t in build/tests/*; do
	[ -x "$t" ] && [ -f "$t" ] && run "unit/$(basename "$t")" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] && run "integration/$(basename "$t" .sh)" sh "$t"
done
[ -n "$selected" ] && [ $((pass + fail + skipped)) -eq 0 ] &&
	{ echo "tests/run.sh: no test named $selected" >&2; exit 2; }
[ -n "$failed" ] && printf 'failed:%s\n' "$failed"
printf '%d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skipped"
[ "$fail" -eq 0 ]
