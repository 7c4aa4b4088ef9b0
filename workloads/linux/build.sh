#!/bin/sh
# build.sh — ringmon's Linux 6.1 (i386) guests, built from Debian's
# linux-source-6.1 into build/linux/ (never into the repository).
#
#   sh workloads/linux/build.sh kernel VARIANT...   build/linux/VARIANT/{bzImage,vmlinux,System.map,.config}
#   sh workloads/linux/build.sh initramfs           build/linux/initramfs.cpio.gz
#
# One object tree (build/linux/obj, Kbuild's O=) holds every compiled object;
# a variant is only a different linker script for the final link of the same
# objects (workloads/linux/variants/VARIANT.sh rewrites the script Kbuild
# generates).  Each output directory records a hash of its inputs in
# inputs.sha: while it matches, nothing is done; when only a variant's link
# changes, Kbuild finds every object up to date and only links again.
# FORCE=1 ignores the recorded hashes.  docs/linux.md explains the rest.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${LINUX_B:-$ROOT/build/linux}   # LINUX_B: another place, e.g. a clean test build
SRC=$B/src
OBJ=$B/obj
TARBALL=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
FRAGMENT=$HERE/ringmon.config
JOBS=${JOBS:-$(nproc)}
FORCE=${FORCE:-0}
# the date the initramfs claims for its files: a fixed one, so the same
# inputs give the same bytes
CPIO_MTIME=1700000000

say() { printf '  %-8s %s\n' "$1" "$2"; }
die() { echo "linux: $*" >&2; exit 1; }
sha() { sha256sum | cut -d' ' -f1; }
kmake() { make -s -C "$SRC" O="$OBJ" ARCH=i386 "$@"; }

# The version banner (uname -v) names the variant, and the rest of it says
# the same on every build: who and when are the source package's, not ours.
build_env() {
	KBUILD_BUILD_USER=ringmon
	KBUILD_BUILD_HOST=ringmon
	KBUILD_BUILD_TIMESTAMP=$(LC_ALL=C date -u -d "@$(stat -c %Y "$TARBALL")")
	KBUILD_BUILD_VERSION=$1
	export KBUILD_BUILD_USER KBUILD_BUILD_HOST KBUILD_BUILD_TIMESTAMP KBUILD_BUILD_VERSION
}

# --- inputs -----------------------------------------------------------------
tarball_id() {
	[ -r "$TARBALL" ] || die "$TARBALL missing: run 'sh tools/deps.sh linux' (package linux-source-6.1)"
	# the tarball's own hash, cached by size and date (hashing 130 MiB on
	# every `make linux` would cost a second for nothing)
	stamp="$(stat -c '%s %Y' "$TARBALL") $TARBALL"
	cache=$B/tarball.sha
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$stamp" ]; then
		sed -n 2p "$cache"
	else
		mkdir -p "$B"
		id="$(sha256sum < "$TARBALL" | cut -d' ' -f1) $(dpkg-query -W -f '${Package} ${Version}' linux-source-6.1 2>/dev/null || true)"
		printf '%s\n%s\n' "$stamp" "$id" > "$cache"
		echo "$id"
	fi
}

toolchain_id() {
	{ gcc --version | head -n 1; ld --version | head -n 1; make --version | head -n 1; } | tr '\n' ';'
}

# what every object depends on: the sources, our configuration, the compiler
objects_hash() {
	{ echo "tarball $(tarball_id)"; echo "toolchain $(toolchain_id)";
	  echo "fragment"; cat "$FRAGMENT"; } | sha
}

variant_script() { echo "$HERE/variants/$1.sh"; }

# a variant's outputs depend on the objects and on its link (its script and
# the shared pieces, *.inc, that scripts source)
variant_hash() {
	{ echo "objects $(objects_hash)"; echo "variant $1"; cat "$(variant_script "$1")" \
	  "$HERE"/variants/*.inc; } | sha
}

# --- the source tree: unpacked once -------------------------------------------
unpack() {
	id=$(tarball_id)
	if [ -f "$SRC/.ringmon-unpacked" ] && [ "$(cat "$SRC/.ringmon-unpacked")" = "$id" ]; then
		return 0
	fi
	say UNPACK "$TARBALL -> build/linux/src"
	rm -rf "$SRC" "$OBJ"
	mkdir -p "$SRC"
	tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
	echo "$id" > "$SRC/.ringmon-unpacked"
}

# --- the configuration: tinyconfig + ringmon.config, verified ----------------
# Every line of the fragment must hold in the final .config: CONFIG_X=v
# literally, "# CONFIG_X is not set" as the absence of any CONFIG_X=.
verify_config() {
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$1" || {
				echo "linux: config: requested $line, got: $(grep "^${line%%=*}=" "$1" || echo 'not set')" >&2
				bad=1
			} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			if grep -q "^$sym=" "$1"; then
				echo "linux: config: requested $sym off, got: $(grep "^$sym=" "$1")" >&2
				bad=1
			fi ;;
		esac
	done < "$FRAGMENT"
	[ "$bad" -eq 0 ] || die "config: $FRAGMENT does not hold in $1 (see above)"
}

configure() {
	ch=$(objects_hash)
	if [ "$FORCE" != 1 ] && [ -f "$OBJ/.config" ] && [ -f "$OBJ/ringmon-config.sha" ] &&
	   [ "$(cat "$OBJ/ringmon-config.sha")" = "$ch" ]; then
		return 0
	fi
	say CONFIG "tinyconfig + workloads/linux/ringmon.config"
	mkdir -p "$OBJ"
	rm -f "$OBJ/ringmon-config.sha"
	kmake tinyconfig >/dev/null
	# merge_config.sh runs `make alldefconfig` itself, from the source tree
	(cd "$SRC" && ARCH=i386 scripts/kconfig/merge_config.sh -O "$OBJ" \
		"$OBJ/.config" "$FRAGMENT") > "$OBJ/merge_config.log" 2>&1 ||
		{ cat "$OBJ/merge_config.log" >&2; die "merge_config.sh failed"; }
	verify_config "$OBJ/.config"
	echo "$ch" > "$OBJ/ringmon-config.sha"
}

# --- a variant: compile (if needed), then link with the variant's script ------
kernel() {
	v=$1
	script=$(variant_script "$v")
	[ -f "$script" ] || die "unknown variant '$v' (no $script)"
	out=$B/$v
	vh=$(variant_hash "$v")
	if [ "$FORCE" != 1 ] && [ -f "$out/inputs.sha" ] && [ "$(cat "$out/inputs.sha")" = "$vh" ] &&
	   [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] && [ -f "$out/System.map" ] && [ -f "$out/.config" ]; then
		say CACHED "build/linux/$v (inputs unchanged)"
		return 0
	fi
	start=$(date +%s)
	unpack
	configure
	rm -f "$out/inputs.sha"
	mkdir -p "$out"
	build_env "$v"
	say MAKE "objects (build/linux/obj, -j$JOBS)"
	kmake -j"$JOBS" vmlinux_o
	# The variant's linker script, from the one Kbuild generated; Kbuild's
	# KBUILD_LDS names the script its final link uses (a path relative to
	# the object tree: link-vmlinux.sh prefixes it with "./").
	LINUX_OBJ=$OBJ LINUX_ORDER=$out/link-order.txt \
		sh "$script" < "$OBJ/arch/x86/kernel/vmlinux.lds" > "$out/vmlinux.lds.new"
	[ -s "$out/vmlinux.lds.new" ] || die "$script produced an empty linker script"
	mv "$out/vmlinux.lds.new" "$out/vmlinux.lds"
	say LINK "build/linux/$v (KBUILD_LDS=../$v/vmlinux.lds)"
	# The link command does not name the script, so a script older than the
	# vmlinux of another variant would not relink: start the link afresh.
	rm -f "$OBJ/vmlinux" "$OBJ/System.map"
	kmake -j"$JOBS" KBUILD_LDS="../$v/vmlinux.lds" bzImage
	for f in vmlinux vmlinux.map System.map .config; do
		cp "$OBJ/$f" "$out/$f.new" && mv "$out/$f.new" "$out/$f"
	done
	cp "$OBJ/arch/x86/boot/bzImage" "$out/bzImage.new" && mv "$out/bzImage.new" "$out/bzImage"
	check_layout "$v"
	echo "$vh" > "$out/inputs.sha"
	say DONE "build/linux/$v in $(($(date +%s) - start)) s"
}

# What shares the descriptor tables' pages, into build/linux/VARIANT/layout.txt:
# every symbol of vmlinux (with its size) that overlaps the page of gdt_page
# or idt_table.  The kernel needs both tables at the start of their pages
# (its read-only aliases map the frame), in every variant; a variant script
# that says "# expect-shared: TABLE" must have put other data on that page.
check_layout() {
	out=$B/$1
	nm -n -S "$out/vmlinux" > "$out/vmlinux.nm"
	: > "$out/layout.txt"
	for t in gdt_page idt_table; do
		a=$(awk -v s="$t" '$NF == s { print $1; exit }' "$out/vmlinux.nm")
		[ -n "$a" ] || die "$1: no $t in vmlinux"
		[ $((0x$a % 4096)) -eq 0 ] || die "$1: $t at $a is not page-aligned"
		awk -v t="$t" -v page=$((0x$a)) '
			function hex(s,  i, n, c) { n = 0; s = tolower(s)
				for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c }
				return n }
			NF == 4 { a = hex($1); z = hex($2); if (a < page + 4096 && a + z > page && z > 0)
				printf "%s page %08x: %08x %6d %s %s\n", t, page, a, z, $3, $4 }
			NF == 3 { a = hex($1); if (a >= page && a < page + 4096)
				printf "%s page %08x: %08x      - %s %s\n", t, page, a, $2, $3 }
		' "$out/vmlinux.nm" >> "$out/layout.txt"
		# the input sections (object by object) that overlap the page
		awk -v t="$t" -v page=$((0x$a)) '
			function hex(s,  i, n, c) { n = 0; s = tolower(s); sub(/^0x/, "", s)
				for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c }
				return n }
			/^ \.[^ ]+$/ { pend = $1; next }
			pend != "" && /^ +0x/ { $0 = " " pend " " $0 }
			{ pend = "" }
			/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { a = hex($2); z = hex($3)
				if (z > 0 && a < page + 4096 && a + z > page)
					printf "%s page %08x: section %08x %6d %s %s\n", t, page, a, z, $1, $4 }
		' "$out/vmlinux.map" >> "$out/layout.txt"
	done
	for t in $(sed -n 's/^# expect-shared: *//p' "$(variant_script "$1")"); do
		n=$(awk -v t="$t" '$1 == t && $4 != "section" && $5 != "-" && $NF != t' "$out/layout.txt" | wc -l)
		[ "$n" -gt 0 ] || die "$1: nothing shares the page of $t (see $out/layout.txt)"
	done
}

# --- the initramfs: busybox-static (i386) + the workload --------------------
BUSYBOX_PKG=busybox-static:i386
APPLETS="sh echo cat mount umount seq wc md5sum cmp dd uname dmesg grep cut
         head tail tr sleep true false ls mkdir rm awk sed"

busybox_deb() {
	d=$B/debs
	mkdir -p "$d"
	deb=$(ls "$d"/busybox-static_*_i386.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		say FETCH "$BUSYBOX_PKG (apt-get download)" >&2
		# (as root apt warns that its _apt user cannot write here: harmless)
		(cd "$d" && apt-get download "$BUSYBOX_PKG" > "$d/download.log" 2>&1) ||
			{ cat "$d/download.log" >&2
			  die "apt-get download $BUSYBOX_PKG failed: run 'sh tools/deps.sh linux' (adds the i386 architecture)"; }
		deb=$(ls "$d"/busybox-static_*_i386.deb | head -n 1)
	fi
	echo "$deb"
}

initramfs() {
	out=$B/initramfs.cpio.gz
	deb=$(busybox_deb)
	h=$({ sha256sum < "$deb"; cat "$HERE/init" "$HERE/nolibc.h" "$HERE/exit.c" "$HERE/peek.c";
	      echo "$APPLETS $CPIO_MTIME"; toolchain_id; } | sha)
	if [ "$FORCE" != 1 ] && [ -f "$out" ] && [ -f "$B/initramfs.sha" ] &&
	   [ "$(cat "$B/initramfs.sha")" = "$h" ]; then
		say CACHED "build/linux/initramfs.cpio.gz (inputs unchanged)"
		return 0
	fi
	[ -f "$SRC/usr/gen_init_cpio.c" ] || unpack
	w=$B/initramfs
	rm -rf "$w" && mkdir -p "$w"
	dpkg-deb -x "$deb" "$w/deb"
	bb=$w/deb/bin/busybox
	file -b "$bb" | grep -q 'ELF 32-bit LSB.*Intel 80386.*statically linked' ||
		die "$bb is not a static i386 ELF: $(file -b "$bb")"
	# the two programs of our own: static, no libc, int $0x80 only
	for p in exit peek; do
		gcc -m32 -static -nostdlib -ffreestanding -fno-pic -fno-pie -no-pie \
		    -fno-stack-protector -fno-asynchronous-unwind-tables -O2 -Wall -Wextra -Werror \
		    -Wl,--build-id=none -o "$w/$p" "$HERE/$p.c"
	done
	# gen_init_cpio (the kernel's own tool) makes device nodes without root;
	# every entry gets one date: the archive is reproducible.
	gcc -O2 -o "$w/gen_init_cpio" "$SRC/usr/gen_init_cpio.c"
	# (6.1's gen_init_cpio takes a regular file's date from the file itself)
	cp "$HERE/init" "$w/init"
	touch -d "@$CPIO_MTIME" "$bb" "$w/exit" "$w/peek" "$w/init"
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "nod /dev/null 0666 0 0 c 1 3"
		for d in bin proc sys tmp; do echo "dir /$d 0755 0 0"; done
		echo "file /bin/busybox $bb 0755 0 0"
		for a in $APPLETS; do echo "slink /bin/$a busybox 0777 0 0"; done
		echo "file /bin/ringmon-exit $w/exit 0755 0 0"
		echo "file /bin/ringmon-peek $w/peek 0755 0 0"
		echo "file /init $w/init 0755 0 0"
	} > "$w/list"
	"$w/gen_init_cpio" -t "$CPIO_MTIME" "$w/list" | gzip -9 -n > "$out.new"
	mv "$out.new" "$out"
	echo "$h" > "$B/initramfs.sha"
	say DONE "build/linux/initramfs.cpio.gz ($(stat -c %s "$out") bytes)"
}

# --- main -----------------------------------------------------------------------
[ $# -ge 1 ] || die "usage: build.sh kernel VARIANT... | initramfs"
mkdir -p "$B"
# one object tree for every variant: one build at a time
exec 9> "$B/.lock"
flock 9
cmd=$1
shift
case $cmd in
kernel)
	[ $# -ge 1 ] || die "usage: build.sh kernel VARIANT..."
	for v in "$@"; do kernel "$v"; done ;;
initramfs)
	initramfs ;;
*)
	die "unknown command '$cmd'" ;;
esac
