# report_html.sh — the HTML report and comparison render: headless Chromium
# opens index.html, takes a screenshot, and its DOM after load has the page
# title, the summary table and every chart image loaded with a non-zero
# natural size; every gnuplot output is a valid PNG and a valid SVG that
# carries its chart's title.
. tests/lib.sh
DB="$TMP/h.db"
OUT="$TMP/out"

"$RINGMON" run --db "$DB" --variant shared build/tbk/mt-shared.elf > /dev/null 2> "$TMP/err" ||
	fail "run: $(cat "$TMP/err")"
"$RINGMON" report "$DB" --run 1 -o "$OUT/run-1" > /dev/null 2> "$TMP/err" || fail "report: $(cat "$TMP/err")"
"$RINGMON" compare "$DB" -o "$OUT" > /dev/null 2> "$TMP/err" || fail "compare: $(cat "$TMP/err")"

# The charts: each NAME.gp's title in NAME.svg; NAME.png a PNG.
charts() { # DIR EXPECTED-NAMES
	for name in $2; do
		png="$1/$name.png" svg="$1/$name.svg"
		check "$name.png magic" "89504e470d0a1a0a" "$(od -An -tx1 -N8 "$png" | tr -d ' \n')"
		case $(file -b "$png") in
		"PNG image data, "*) echo "  ok: $name.png is a PNG" ;;
		*) fail "$name.png: $(file -b "$png")" ;;
		esac
		xmllint --noout "$svg" 2> "$TMP/xml" && echo "  ok: $name.svg is well-formed XML" ||
			fail "$name.svg: $(head -3 "$TMP/xml")"
		grep -q '<svg' "$svg" || fail "$name.svg has no <svg"
		title=$(sed -n 's/^set title "\(.*\)" font.*/\1/p' "$1/$name.gp")
		[ -n "$title" ] && grep -qF ">$title<" "$svg" && echo "  ok: $name.svg has its title '$title'" ||
			fail "$name.svg lacks its title '$title'"
	done
}
charts "$OUT/run-1" "kinds hotspots pages rate cost"
charts "$OUT" "protected monitor"

# Chromium, as root in a container: no sandbox, no GPU, nothing from the network.
browse() { # ARGS...
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$TMP/chromium" "$@" 2> "$TMP/chromium.err"
}
command -v chromium > /dev/null || { fail "chromium is not installed (make deps)"; finish; }

# A copy of the page with a script that writes each image's natural size
# into the DOM once everything has loaded (the report itself has no script).
page() { # DIR TITLE
	script='window.addEventListener("load", function () { for (const i of document.images) i.setAttribute("data-size", i.naturalWidth + "x" + i.naturalHeight); document.body.setAttribute("data-loaded", "1"); });'
	sed "s|</body>|<script>$script</script></body>|" "$1/index.html" > "$1/check.html"
	browse --virtual-time-budget=10000 --dump-dom "file://$(realpath "$1")/check.html" > "$TMP/dom.html"
	check "$1: page title" "<title>$2</title>" "$(grep -o '<title>[^<]*</title>' "$TMP/dom.html")"
	grep -q 'data-loaded="1"' "$TMP/dom.html" || fail "$1: the load event never came"
	imgs=$(grep -o '<img ' "$TMP/dom.html" | wc -l)
	sized=$(grep -o 'data-size="[1-9][0-9]*x[1-9][0-9]*"' "$TMP/dom.html" | wc -l)
	[ "$imgs" -gt 0 ] || fail "$1: no images"
	check "$1: images loaded with a non-zero size" "$imgs" "$sized"
	browse --hide-scrollbars --window-size=1280,2000 --screenshot="$TMP/shot.png" \
		"file://$(realpath "$1")/index.html" > /dev/null
	case $(file -b "$TMP/shot.png" 2> /dev/null) in
	"PNG image data, 1280 x 2000"*) echo "  ok: $1: screenshot 1280 x 2000" ;;
	*) fail "$1: no screenshot: $(tail -2 "$TMP/chromium.err")" ;;
	esac
	# a blank page compresses to almost nothing
	[ "$(wc -c < "$TMP/shot.png")" -gt 50000 ] && echo "  ok: $1: the screenshot is not blank" ||
		fail "$1: the screenshot looks blank"
}
page "$OUT/run-1" "ringmon run 1: mt-shared.elf, variant shared"
tr -d '\n' < "$TMP/dom.html" | grep -q '<h2>Summary</h2><p>Of [0-9]* protected-page traps.*<table><thead><tr><th>measure</th><th>value</th></tr></thead><tbody><tr><td>kernel</td><td>mt-shared.elf</td>' &&
	echo "  ok: the summary table is there" || fail "no summary table in the DOM"
page "$OUT" "ringmon compare: 1 run"
grep -q '<a href="run-1/index.html">1</a>' "$TMP/dom.html" && echo "  ok: the comparison links run 1's report" ||
	fail "the comparison does not link run 1's report"
finish
