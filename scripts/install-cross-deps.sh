#!/bin/sh
# install-cross-deps.sh ARCH - install what cross builds and their tests
# need for ARCH (arm64 or armhf), only what is missing, on Debian 12.
#
#   the cross compiler and C library    gcc-TRIPLET libc6-dev-ARCH-cross
#   the emulator for the tests          qemu-user (qemu-aarch64, qemu-arm)
#   the target's libraries              inih, check, ncurses, libcrypt, OpenSSL,
#                                       libmosquitto (federation) of ARCH,
#                                       in a sysroot
#
# The target's packages are downloaded with "apt-get download" and
# unpacked with "dpkg-deb -x" into build/sysroot/ARCH, which the Makefile
# then uses; nothing of ARCH is installed on the machine.  Runs apt-get as
# root, or via sudo.
set -eu

usage() {
	echo "usage: $0 arm64|armhf" >&2
	exit 2
}

[ $# -eq 1 ] || usage
ARCH=$1
case "$ARCH" in
arm64)	TRIPLET=aarch64-linux-gnu; QEMU=qemu-aarch64 ;;
armhf)	TRIPLET=arm-linux-gnueabihf; QEMU=qemu-arm ;;
*)	usage ;;
esac

cd "$(dirname "$0")/.."
SYSROOT=build/sysroot/$ARCH
NATIVE="gcc-$TRIPLET libc6-dev-$ARCH-cross qemu-user"
TARGET_DEV="libinih-dev check libncurses-dev libcrypt-dev libssl-dev libmosquitto-dev pkgconf"
# What the sysroot needs: the -dev packages and the libraries they link.
SYSROOT_PKGS="libinih-dev libinih1 check libsubunit-dev libsubunit0
libncurses-dev libncurses6 libncursesw6 libtinfo6 libcrypt-dev libcrypt1
libssl-dev libssl3 libmosquitto-dev libmosquitto1"

say() { echo "install-cross-deps($ARCH): $*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# Print the packages of "$@" that are not installed.
missing() {
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed"; then
			printf ' %s' "$p"
		fi
	done
}

updated=no
# apt-get update, once per run (a failed index is a warning, not fatal).
update_once() {
	if [ "$updated" = no ]; then
		$SUDO apt-get update -qq || say "apt-get update reported errors"
		updated=yes
	fi
}

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-cross-deps: not a Debian system; install by hand: $NATIVE" \
	    "and the $ARCH versions of: $TARGET_DEV" >&2
	exit 1
fi

# 1. The native tools.
need=$(missing $NATIVE)
if [ -n "$need" ]; then
	say "installing:$need"
	update_once
	# shellcheck disable=SC2086
	$SUDO apt-get install -y --no-install-recommends $need
fi

# 2. The target's libraries, in a sysroot.
# .complete lists the packages unpacked: a sysroot made before a package
# was added is made again.
if [ -f "$SYSROOT/.complete" ] &&
    [ "$(cat "$SYSROOT/.complete")" = "$(echo $SYSROOT_PKGS)" ]; then
	say "using the sysroot $SYSROOT"
	exit 0
fi
# The target's libraries go into a sysroot of our own, unpacked from the
# Debian packages, rather than through multiarch: that touches none of the
# machine's packages (a multiarch install may upgrade native ones and
# fails whenever the mirror's indexes for the two architectures are out of
# step), and it is the one way the cross targets are tested.  apt needs
# the architecture's package lists for "apt-get download", nothing more.
if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
	say "dpkg --add-architecture $ARCH (for its package lists)"
	$SUDO dpkg --add-architecture "$ARCH"
	updated=no
fi
update_once
say "unpacking the $ARCH packages into $SYSROOT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkgs=""
for p in $SYSROOT_PKGS; do
	pkgs="$pkgs $p:$ARCH"
done
# shellcheck disable=SC2086
(cd "$tmp" && apt-get download $pkgs)
rm -rf "$SYSROOT"
mkdir -p "$SYSROOT"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$SYSROOT"
done
# Absolute symlinks (libtinfo.so -> /lib/...) would point into the host:
# make them relative to the sysroot, or the link silently finds nothing
# (or a static copy).
find "$SYSROOT" -type l | while read -r link; do
	dest=$(readlink "$link")
	case "$dest" in
	/*)	ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" \
		    "$SYSROOT$dest")" "$link" ;;
	esac
done
echo $SYSROOT_PKGS > "$SYSROOT/.complete"
say "sysroot ready: $SYSROOT"
