# tmpfs.sh — for tests that need a filesystem of their own (full, read-only):
# sourced after tests/lib.sh.  mount_tmpfs DIR SIZE mounts a tmpfs of SIZE
# on DIR (created), unmounted again at exit; the test skips where it cannot
# (not root, or no mount here).
mount_tmpfs() {
	[ "$(id -u)" = 0 ] || skip "not root: cannot mount a tmpfs"
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2" tmpfs "$1" 2> /dev/null || skip "cannot mount a tmpfs here"
	trap "umount '$1' 2> /dev/null; rm -rf '$TMP'" EXIT   # $1 as it is now
}
