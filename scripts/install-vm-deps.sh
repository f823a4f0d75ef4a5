#!/bin/sh
# install-vm-deps.sh ARCH - what "make test-vm" needs on a Debian 12
# machine, only what is missing: QEMU for ARCH (arm64: qemu-system-arm,
# which holds qemu-system-aarch64; amd64: qemu-system-x86), qemu-utils
# (qemu-img), debootstrap, e2fsprogs (mke2fs -d, e2fsck, debugfs), cpio and gzip
# (the first boot's initrd), iproute2 (ss); for arm64 also the cross
# compiler and the target's libraries (scripts/install-cross-deps.sh)
# that "make deb ARCH=arm64" builds with.  Runs apt-get as root or via sudo.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 arm64|amd64" >&2; exit 2; }
cd "$(dirname "$0")/.."
case "$1" in
arm64)	PKGS="qemu-system-arm" ;;
amd64)	PKGS="qemu-system-x86" ;;
*)	echo "install-vm-deps: ARCH=$1: use arm64 or amd64" >&2; exit 2 ;;
esac
PKGS="$PKGS qemu-utils debootstrap e2fsprogs cpio gzip iproute2"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	command -v apt-get >/dev/null 2>&1 ||
	    { echo "install-vm-deps: not a Debian system; install:$missing" >&2; exit 1; }
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "install-vm-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq || echo "install-vm-deps: apt-get update reported errors; going on"
	# shellcheck disable=SC2086
	$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing
fi
[ "$1" = amd64 ] || sh scripts/install-cross-deps.sh "$1"
