# sweep.sh — `ringmon sweep` (docs/sweeps.md): a 2 x 2 x 2 sweep run two
# jobs at a time gives one database whose runs have exactly the traps by
# kind and the protected traps by data symbol of the same eight runs done one
# by one with `ringmon run` (--deterministic: mt's counts are then
# reproducible; hot's protected counts are exact anyway), losslessly and
# with their symbols.  A broken guest is one failed job: reported on one
# line, the others merged, a non-zero exit.  --list prints runnable lines.
# --module reaches every job's guest: mbinfo prints the two modules, their
# bytes' checksums and their command lines (a comma in one) as natively;
# a matrix file's `module =` lines are passed in order, and the command
# line's --module replaces them; --until is passed as given, blank and all.
. tests/lib.sh
GUESTS="build/tbk/hot.elf build/tbk/mt-shared.elf"
OUT="$TMP/sweep.db"

"$RINGMON" sweep -o "$OUT" -j 2 --deterministic --mode rw,w --emulate decode,step $GUESTS \
	2> "$TMP/sweep.err"
check "sweep exit status" 0 "$?"
DB="$TMP/seq.db"
for g in $GUESTS; do
	for mode in rw w; do
		for emulate in decode step; do
			"$RINGMON" run --db "$DB" --deterministic --mode $mode --emulate $emulate "$g" \
				> "$TMP/seq-$(basename "$g" .elf)-$mode-$emulate.out" 2> "$TMP/err" ||
				fail "run $g $mode $emulate: $(tail -1 "$TMP/err")"
		done
	done
done

# One line per (guest, knobs) and trap kind, and per protected data symbol.
signature() {
	sqlite3 -batch -noheader "$1" "
	SELECT r.kernel || ' ' || r.mode || ' ' || r.emulate || ': ' || k.kind || ' ' || k.n
	FROM runs r JOIN traps_by_kind k ON k.run_id = r.id
	UNION ALL
	SELECT r.kernel || ' ' || r.mode || ' ' || r.emulate || ': protected ' || p.region || ' '
	       || coalesce(p.data_sym, '-') || ' ' || p.n
	FROM runs r JOIN protected_by_symbol p ON p.run_id = r.id
	UNION ALL
	SELECT r.kernel || ' ' || r.mode || ' ' || r.emulate || ': symbols '
	       || (SELECT count(*) FROM symbols s WHERE s.run_id = r.id)
	FROM runs r ORDER BY 1"
}
signature "$OUT" > "$TMP/sweep.sig"
signature "$DB" > "$TMP/seq.sig"
check "runs in the sweep's database" 8 "$(sqlite3 "$OUT" "SELECT count(*) FROM runs")"
check "run ids" "1 2 3 4 5 6 7 8" "$(sqlite3 "$OUT" "SELECT group_concat(id, ' ') FROM runs")"
[ "$(grep -c ': protected data hot_' "$TMP/sweep.sig")" -gt 0 ] ||
	fail "no protected traps on hot's data symbols in the sweep"
if cmp -s "$TMP/sweep.sig" "$TMP/seq.sig"; then
	echo "  ok: traps by kind, protected by symbol, symbols: the sweep's = one by one's ($(wc -l < "$TMP/sweep.sig") lines)"
else
	fail "the sweep's counts differ from one by one's:"
	diff "$TMP/seq.sig" "$TMP/sweep.sig" | head -20
fi
DB="$OUT"
check "lossless after the merge (runs whose records != their traps rows)" "" \
	"$(sql "SELECT group_concat(id) FROM runs r WHERE r.records IS NULL
	        OR r.records != (SELECT count(*) FROM traps t WHERE t.run_id = r.id)")"
check "every run finished, exited 0" "8" \
	"$(sql "SELECT count(*) FROM runs WHERE finished = 1 AND monitor_state = 'exited' AND exit_status = 0")"
check "protected data traps without a symbol" 0 \
	"$(sql "SELECT count(*) FROM traps WHERE kind = 'protected' AND region = 'data'
	        AND data_sym IS NULL AND data_pad = 0")"
check "variants name the jobs" "hot,mode=rw,emulate=decode mt-shared,mode=w,emulate=step" \
	"$(sql "SELECT variant FROM runs WHERE id IN (1, 8) ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
check "the last progress line" "ringmon: sweep: 8/8 done, 0 failed, 0 running" \
	"$(grep '^ringmon: sweep: [0-9]*/8 done' "$TMP/sweep.err" | tail -1)"
cmp -s "$OUT.d/job-001.out" "$TMP/seq-hot-rw-decode.out" &&
	echo "  ok: job-001.out is hot's console" || fail "job-001.out is not hot's console"

# A truncated ELF: its job fails, the two others are merged.
head -c 3000 build/tbk/hot.elf > "$TMP/trunc.elf"
OUT="$TMP/broken.db"
"$RINGMON" sweep -o "$OUT" -j 2 --deterministic build/tbk/hot.elf "$TMP/trunc.elf" \
	build/tbk/mt-shared.elf 2> "$TMP/broken.err"
rc=$?
[ "$rc" -ne 0 ] && echo "  ok: a sweep with a failed job exits $rc" || fail "the sweep exited 0"
grep '^ringmon: sweep: job .* failed: ' "$TMP/broken.err" > "$TMP/failed"
check "lines naming a failed job" 1 "$(wc -l < "$TMP/failed")"
grep -q '^ringmon: sweep: job 2 (trunc) failed: exit 2: .*trunc.elf: ' "$TMP/failed" &&
	echo "  ok: $(cat "$TMP/failed")" || fail "the failure line: $(cat "$TMP/failed")"
DB="$OUT"
check "runs merged" "hot.elf mt-shared.elf" "$(sql "SELECT group_concat(kernel, ' ') FROM runs")"
check "their trap counts" "$(sqlite3 "$TMP/seq.db" "SELECT group_concat(records, ' ') FROM runs
	WHERE mode = 'rw' AND emulate = 'decode'")" "$(sql "SELECT group_concat(records, ' ') FROM runs")"
check "lossless" 0 "$(sql "SELECT count(*) FROM runs r WHERE r.records != (SELECT count(*)
	FROM traps t WHERE t.run_id = r.id)")"

# --list: one `ringmon run` line per job; a line runs as it is (a Slurm
# task's), and `ringmon merge` takes the result.
"$RINGMON" sweep -o "$TMP/list.db" --list --mode rw,w $GUESTS > "$TMP/list" ||
	fail "sweep --list"
check "--list lines" 4 "$(wc -l < "$TMP/list")"
mkdir -p "$TMP/list.db.d"
sed -n 3p "$TMP/list" | sh > /dev/null 2>&1 || fail "--list line 3 did not run"
"$RINGMON" merge "$TMP/list.db" "$TMP/list.db.d/job-003.db" 2> /dev/null || fail "merge of job 3"
DB="$TMP/list.db"
check "--list line 3's run" "mt-shared.elf rw mt-shared,mode=rw" \
	"$(sql "SELECT kernel || ' ' || mode || ' ' || variant FROM runs")"

# --module: every job's guest gets the modules, in order, with their lines.
printf 'first module\n' > "$TMP/mod1"
head -c 5000 build/tbk/hot.elf > "$TMP/mod2"
native_transcript --module "$TMP/mod1 one, two" --module "$TMP/mod2" build/tbk/mbinfo.elf \
	> "$TMP/mb.native" 2> "$TMP/err" || fail "mbinfo natively: $(tail -1 "$TMP/err")"
# the module lines, without the /proc/self/fd/N names QEMU is given
modlines() { tr -d '\r' < "$1" | grep -e '^modules: ' -e '^module ' -e '^  first bytes' | sed 's|/proc/self/fd/[0-9]*||'; }
modlines "$TMP/mb.native" > "$TMP/mb.want"
check "mbinfo natively: modules and their lines" 5 "$(wc -l < "$TMP/mb.want")"
grep -q " one, two$" "$TMP/mb.want" || fail "mbinfo natively: module 0's line: $(cat "$TMP/mb.want")"
OUT="$TMP/mod.db"
"$RINGMON" sweep -o "$OUT" -j 2 --mode rw,w --module "$TMP/mod1 one, two" --module "$TMP/mod2" \
	build/tbk/mbinfo.elf 2> "$TMP/mod.err"
check "sweep with --module: exit status" 0 "$?"
for j in 1 2; do
	if modlines "$OUT.d/job-00$j.out" | cmp -s "$TMP/mb.want" -; then
		echo "  ok: job $j's guest got both modules, bytes and lines as natively"
	else
		fail "job $j's modules: $(modlines "$OUT.d/job-00$j.out" | diff "$TMP/mb.want" - | head -5)"
	fi
done
DB="$OUT"
check "sweep with --module: runs exited 0" "2" \
	"$(sql "SELECT count(*) FROM runs WHERE monitor_state = 'exited' AND exit_status = 0")"
printf 'guest = build/tbk/mbinfo.elf\nmodule = %s a\nmodule = %s b c\n' "$TMP/mod1" "$TMP/mod2" \
	> "$TMP/mod.matrix"
"$RINGMON" sweep -o "$TMP/ml.db" --list --matrix "$TMP/mod.matrix" > "$TMP/ml" 2> "$TMP/err" ||
	fail "sweep --list --matrix with modules: $(cat "$TMP/err")"
check "matrix modules, in order" "--module '$TMP/mod1 a' --module '$TMP/mod2 b c'" \
	"$(grep -o -- "--module '[^']*'" "$TMP/ml" | tr '\n' ' ' | sed 's/ $//')"
"$RINGMON" sweep -o "$TMP/ml.db" --list --matrix "$TMP/mod.matrix" --module "$TMP/mod2" \
	> "$TMP/ml" 2> "$TMP/err" || fail "sweep --list --matrix --module: $(cat "$TMP/err")"
check "the command line's --module replaces the matrix's" "--module $TMP/mod2" \
	"$(grep -o -- "--module [^ ]*" "$TMP/ml" | tr '\n' ' ' | sed 's/ $//')"
"$RINGMON" sweep -o "$TMP/ml.db" --list --until '^panic ' build/tbk/mbinfo.elf > "$TMP/ml" ||
	fail "sweep --list --until"
check "--until as given" "--until '^panic '" "$(grep -o -- "--until '[^']*'" "$TMP/ml")"
finish
