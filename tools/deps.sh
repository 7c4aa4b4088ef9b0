#!/bin/sh
# Install what ringmon needs from Debian's packages, only what is missing.
set -e
# The compression libraries read a bzImage's payload whatever its compression
# (vmm/sym_kallsyms.c); their command-line tools make the test's payloads.
PKGS="make gcc gcc-multilib binutils qemu-system-x86 libelf-dev libdw-dev
      elfutils libsqlite3-dev sqlite3 libzydis-dev zlib1g-dev libssl-dev
      liblttng-ust-dev lttng-tools babeltrace2 procps
      gnuplot-nox chromium libxml2-utils file time
      liblzma-dev libbz2-dev libzstd-dev liblz4-dev liblzo2-dev
      xz-utils bzip2 zstd lz4 lzop"
# `sh tools/deps.sh linux` (make linux) installs the Linux guests' list
# instead: the kernel source and its build tools, and busybox-static from the
# i386 architecture, which it adds (docs/linux.md); `make check` asks for both.
LINUX_PKGS="linux-source-6.1 flex bison bc cpio xz-utils gzip file gcc
            gcc-multilib make binutils qemu-system-x86"
if [ "${1:-}" = linux ]; then
	PKGS=$LINUX_PKGS
	if ! apt-cache policy busybox-static:i386 2>/dev/null | grep -q 'Candidate: [0-9]'; then
		echo "deps: adding the i386 architecture (busybox-static:i386)"
		S=""
		[ "$(id -u)" -eq 0 ] || S=sudo
		dpkg --print-foreign-architectures | grep -qx i386 || $S dpkg --add-architecture i386
		$S apt-get update -qq || echo "deps: apt-get update failed in part; going on"
	fi
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# A mirror caught mid-sync fails one index; what the others hold still installs.
$SUDO apt-get update -qq || echo "deps: apt-get update failed in part; going on"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
