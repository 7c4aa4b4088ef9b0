# bad_bzimage.sh — a truncated or corrupt bzImage is refused by `ringmon run`
# before QEMU starts: one line saying what is wrong (its setup header against
# the file, its payload's place and integrity), status 2, no database file,
# with and without --symbols (which used to boot it into a triple fault);
# and a whole one given a Multiboot module (--module).
. tests/lib.sh
k=$LINUX/upstream/bzImage
map=$LINUX/upstream/System.map
[ -f "$k" ] && [ -f "$map" ] || skip "no Linux guest built ($k; make linux)"

le16() { od -An -tu2 -j "$1" -N 2 "$k" | tr -d ' '; }
le32() { od -An -tu4 -j "$1" -N 4 "$k" | tr -d ' '; }
setup_sects=$(od -An -tu1 -j $((0x1f1)) -N 1 "$k" | tr -d ' ')
start=$(( (setup_sects + 1) * 512 + $(le32 $((0x248))) ))   # the payload
len=$(le32 $((0x24c)))

# put NAME OFFSET BYTES...: a copy of the image with BYTES (octal escapes) at OFFSET
put() {
	cp "$k" "$TMP/$1.bzImage"
	name=$1 at=$2
	shift 2
	printf "$@" | dd of="$TMP/$name.bzImage" bs=1 seek="$at" conv=notrunc 2>/dev/null
}

# bad NAME WANT [RUN OPTIONS]: run refuses $TMP/NAME.bzImage in one line with WANT
bad() {
	name=$1 want=$2
	shift 2
	timeout 60 "$RINGMON" run --db "$TMP/$name.db" "$@" "$TMP/$name.bzImage" \
		> "$TMP/out" 2> "$TMP/err" < /dev/null
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -qF -- "$want" "$TMP/err" &&
	   [ ! -e "$TMP/$name.db" ] && [ ! -s "$TMP/out" ]; then
		echo "  ok: $name: $(cat "$TMP/err")"
	else
		fail "$name: status $rc, want 2 and one line with '$want'$( [ -e "$TMP/$name.db" ] &&
			echo ', a database was created'): $(head -3 "$TMP/err")"
	fi
}

head -c $((start + len / 2)) "$k" > "$TMP/truncated.bzImage"
bad truncated "a truncated bzImage (its setup header says $(wc -c < "$k") bytes, the file has"
cp "$TMP/truncated.bzImage" "$TMP/truncated-symbols.bzImage"
bad truncated-symbols "a truncated bzImage" --symbols "$map"
head -c 1024 "$k" > "$TMP/setup-only.bzImage"
bad setup-only "a truncated bzImage"
cp "$k" "$TMP/corrupt.bzImage"
head -c 64 /dev/zero | dd of="$TMP/corrupt.bzImage" bs=1 seek=$((start + len / 2)) conv=notrunc 2>/dev/null
bad corrupt "a bzImage whose gzip payload is truncated or corrupt" --symbols "$map"
put syssize-0 $((0x1f4)) '\000\000\000\000'
bad syssize-0 "syssize is 0"
put setup-sects $((0x1f1)) '\377'
bad setup-sects "setup_sects put the kernel past 32 KiB"
put payload-past-end $((0x24c)) '\377\377\377\000'
bad payload-past-end "its payload runs past the end of the file"
put no-codec "$start" 'PK\003\004'
bad no-codec "in no compression Linux uses"
# a whole bzImage, but given a Multiboot module: its boot protocol has none
cp "$k" "$TMP/module.bzImage"
bad module "--module is for a Multiboot guest (a bzImage takes --initrd)" --module "$k"
finish
