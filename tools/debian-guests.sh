#!/bin/sh
# debian-guests.sh — Debian bookworm's own i386 kernels, as shipped, for the
# tests (docs/linux.md, "Debian's kernels"): fetched with `apt-get download`,
# never installed, unpacked into build/debian/VERSION/ and kept there; a
# second run finds them and downloads nothing.
#
#   sh tools/debian-guests.sh          the 686 and 686-pae vmlinuz, and each one's
#                                      vmlinux from its -dbg package, and GNU Mach
#                                      (make debian-guests)
#   sh tools/debian-guests.sh images   the vmlinuz alone (52 MB to download, not 1.5 GB)
#   sh tools/debian-guests.sh dir      print the directory, fetch nothing
#   sh tools/debian-guests.sh mach     GNU Mach alone: gnumach-1.8-486 and its
#                                      -dbg ELF, unpacked (docs/mach.md)
#   sh tools/debian-guests.sh machdir  print GNU Mach's directory, fetch nothing
#   DEBIAN_FOLLOW=1 sh tools/debian-guests.sh
#                                      the version linux-image-686:i386 points to today
#                                      instead of the pinned one
#
# Prints the directory it filled as its last line.
set -e

# The pinned kernel: ABI name and package version, both from bookworm's main
# pocket (the security pocket's versions are replaced, and dropped, often).
ABI=${DEBIAN_ABI:-6.1.0-50}
VERSION=${DEBIAN_VERSION:-6.1.176-1}
FLAVOURS="686 686-pae"
OUT=${DEBIAN_OUT:-build/debian}
# GNU Mach, the Hurd's microkernel (issue 15), pinned the same way; its
# package version has an epoch, which apt-get download writes as %3a.
MACH_VERSION=${DEBIAN_MACH_VERSION:-2:1.8+git20221224-2}

die() {
	echo "debian-guests: $*" >&2
	exit 1
}

# linux-image-686:i386 depends on linux-image-ABI-686 (= VERSION), the
# signed-template build of the same kernel; take ABI and VERSION from there.
follow_metapackage() {
	dep=$(apt-cache depends linux-image-686:i386 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9.-]*\)-686\(:i386\)\{0,1\}$/\1/p' | head -1)
	[ -n "$dep" ] || die "linux-image-686:i386 names no kernel (sh tools/deps.sh linux adds i386)"
	ABI=$dep
	VERSION=$(apt-cache policy "linux-image-$ABI-686-unsigned:i386" |
		sed -n 's/^ *Candidate: //p')
	case $VERSION in
	'' | '(none)') die "no candidate for linux-image-$ABI-686-unsigned:i386" ;;
	esac
}

# fetch PACKAGE: its .deb (version $PKGVERSION, else $VERSION) in
# $OUT/debs (once), named on stdout
fetch() {
	pkg=$1
	ver=${PKGVERSION:-$VERSION}
	deb=$OUT/debs/${pkg}_$(echo "$ver" | sed 's/:/%3a/')_i386.deb
	if [ ! -s "$deb" ]; then
		echo "debian-guests: apt-get download $pkg:i386=$ver" >&2
		start=$(date +%s)
		(cd "$OUT/debs" && apt-get download -q "$pkg:i386=$ver" >&2) ||
			die "apt-get download $pkg:i386=$ver failed"
		[ -s "$deb" ] || die "apt-get download left no $deb"
		echo "debian-guests: $(du -m "$deb" | cut -f1) MB in $(($(date +%s) - start)) s" >&2
	fi
	echo "$deb"
}

# take PACKAGE MEMBER...: the members (paths inside the package) into $DEST
# under their own names, unless all are there.  Only they are read out of the
# package: an image's modules are 180 MB, a -dbg package's other files 3.1 GB.
# tar stops once it has them (--occurrence), so dpkg-deb dies of the closed
# pipe: its complaint is dropped, and a broken package shows as a member not
# found; it is removed then, to be fetched again.  The files are the cache:
# the .deb goes once they are out.
take() {
	pkg=$1
	shift
	have=1
	for m; do [ -s "$DEST/${m##*/}" ] || have=0; done
	[ "$have" = 1 ] && return
	deb=$(fetch "$pkg")
	tmp=$DEST/.extract
	rm -rf "$tmp"
	mkdir -p "$tmp"
	members=""
	for m; do members="$members ./$m"; done
	# shellcheck disable=SC2086
	if ! { dpkg-deb --fsys-tarfile "$deb" 2>/dev/null; } |
		tar -x --occurrence=1 -C "$tmp" $members; then
		rm -f "$deb"
		die "${members# }: not all in $deb (removed; run again to fetch it again)"
	fi
	for m; do mv "$tmp/$m" "$DEST/${m##*/}"; done
	rm -rf "$tmp" "$deb"
}

# take_gunzip PACKAGE MEMBER.gz: MEMBER without .gz into $DEST, unpacked
# (the Mach images are gzip files in their packages; QEMU's -kernel and
# the monitor load the ELF itself)
take_gunzip() {
	gz=${2##*/}
	[ -s "$DEST/${gz%.gz}" ] && return
	take "$1" "$2"
	gzip -d -f "$DEST/$gz" || die "$DEST/$gz: not a gzip file"
}

# mach: GNU Mach 1.8's image and its -dbg ELF into $OUT/gnumach-VERSION
mach() {
	DEST=$OUT/gnumach-$(echo "$MACH_VERSION" | sed 's/^[0-9]*://')
	[ "${1:-}" = dir ] && { echo "$DEST"; return; }
	mkdir -p "$DEST" "$OUT/debs"
	PKGVERSION=$MACH_VERSION
	take_gunzip gnumach-image-1.8-486 boot/gnumach-1.8-486.gz
	take_gunzip gnumach-image-1.8-486-dbg boot/gnumach-1.8-486-dbg.gz
	PKGVERSION=
	echo "$DEST"
}

case ${1:-} in
'' | images | dir) ;;
mach) mach; exit 0 ;;
machdir) mach dir; exit 0 ;;
*) die "usage: debian-guests.sh [images|dir|mach|machdir]" ;;
esac
(mach) >/dev/null
[ "${DEBIAN_FOLLOW:-0}" = 1 ] && follow_metapackage
DEST=$OUT/$VERSION
if [ "${1:-}" = dir ]; then
	echo "$DEST"
	exit 0
fi
mkdir -p "$DEST" "$OUT/debs"
for f in $FLAVOURS; do
	take "linux-image-$ABI-$f-unsigned" "boot/vmlinuz-$ABI-$f" "boot/config-$ABI-$f"
	[ "${1:-}" = images ] ||
		take "linux-image-$ABI-$f-dbg" "usr/lib/debug/boot/vmlinux-$ABI-$f"
done
echo "$ABI" > "$DEST/abi"
echo "$DEST"
