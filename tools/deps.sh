#!/bin/sh
# Install what ringmon needs from Debian's packages, only what is missing.
set -e
PKGS="make gcc gcc-multilib binutils qemu-system-x86 libelf-dev libdw-dev
      elfutils libsqlite3-dev sqlite3 libzydis-dev libssl-dev
      liblttng-ust-dev lttng-tools babeltrace2 procps"
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
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
