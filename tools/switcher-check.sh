#!/bin/sh
# switcher-check.sh MONITOR OBJ... — switcher code runs in the guest's
# address space too (the fast path, fastpath.c), where only the switcher is
# mapped of the monitor: so each OBJ, which monitor.ld places in the
# switcher, may refer only to symbols that MONITOR has in the switcher, and
# must itself be there.  A call to monitor code (memcpy, ring_commit, one
# the compiler makes up) or data outside (knobs) fails the build here
# instead of faulting in the guest's address space.
set -eu
elf=$1
shift
map=$(mktemp)
trap 'rm -f "$map"' EXIT
nm "$elf" > "$map"
bad=0
for obj; do
	nm "$obj" | awk -v obj="$obj" -v map="$map" '
		BEGIN {
			while ((getline line < map) > 0) {
				n = split(line, f, " ")
				if (n == 3) at[f[3]] = f[1]
			}
			lo = at["__switcher_start"]; hi = at["__switcher_end"]
		}
		$1 == "U" { sym = $2; what = "refers to" }
		NF == 3 && $2 ~ /^[TDBR]$/ { sym = $3; what = "defines" }
		sym != "" {
			if (!(sym in at) || at[sym] < lo || at[sym] >= hi) {
				printf "%s %s %s, which is not in the switcher\n", obj, what, sym
				bad = 1
			}
			sym = ""
		}
		END { exit bad }' || bad=1
done
exit $bad
