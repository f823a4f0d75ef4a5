#!/bin/sh
# image.sh ARCH - the test machine's disk for tests/vm/vm.sh: a minimal
# Debian 12 for ARCH (arm64 or amd64) with systemd, made from Debian's
# packages, with Debian's kernel and an initrd made here.
# Prints the directory that holds base.img, vmlinuz and initrd.img.
#
# This machine cannot run the target's programs (no binfmt_misc) and may
# refuse loop mounts, so:
#   1. debootstrap --foreign downloads and unpacks the packages;
#   2. mke2fs -d turns that tree into an ext4 image, without mounting;
#   3. a first boot under QEMU, with a small initrd made here from the
#      target's busybox-static and kernel modules, runs debootstrap's
#      second stage (every maintainer script) and powers off.
# Debian's kernel package is unpacked here rather than installed in the
# guest: its postinst makes Debian's initrd with initramfs-tools, which
# under emulation took more than 15 minutes with MODULES=most and failed
# with MODULES=dep (no sysfs during the second stage).  Every boot uses
# the small initrd; the kernel's modules are in the image for udev.
# The result is cached in build/vm/ARCH-KEY, KEY a hash of everything
# that went into it (package list, these scripts, the guest's files), so
# a second run only boots.  The packages under test are not in it: vm.sh
# brings them on a disk of their own at each run.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 arm64|amd64" >&2; exit 2; }
ARCH=$1
cd "$(dirname "$0")/../.."
HERE=tests/vm
. $HERE/lib.sh
vm_arch "$ARCH"

SUITE=bookworm
# systemd as init, udev (modules, /dev/virtio-ports), dbus (systemctl
# and systemd-analyze security talk to systemd over it), iproute2, the
# libraries the packages under test depend on; the kernel and
# busybox-static are only downloaded (see NOT_IN_GUEST).
PKGS="systemd-sysv,udev,kmod,dbus,iproute2,libinih1,libcrypt1,libssl3,libmosquitto1,libncursesw6,libtinfo6,$KPKG,busybox-static"
# Downloaded with the rest but kept out of the guest's second stage.
NOT_IN_GUEST="linux-image-[a-z0-9.-]* linux-base initramfs-tools initramfs-tools-core klibc-utils libklibc busybox-static cpio"
# The initrd: the disk (virtio PCI) and ext4, in load order.
MODS="crc16 mbcache jbd2 crc32c_generic ext4 virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"

key=$({
	echo "$ARCH $SUITE $PKGS $NOT_IN_GUEST $MODS"
	cat $HERE/image.sh $HERE/lib.sh
	find $HERE/guest -type f | LC_ALL=C sort | xargs cat
} | sha256sum | cut -c1-16)
DIR=build/vm/$ARCH-$key
if [ -f "$DIR/.complete" ]; then
	echo "$DIR"
	exit 0
fi
say() { echo "image.sh($ARCH): $*" >&2; }

MIRROR=$(vm_mirror)
[ -n "$MIRROR" ] || { say "no Debian $SUITE archive in apt's sources (set VM_MIRROR)"; exit 1; }
# Images made from other inputs, and builds that did not finish, are of
# no more use.
rm -rf build/vm/"$ARCH"-*
W=$DIR.tmp
mkdir -p "$W"
t0=$(date +%s)

say "1. debootstrap --foreign ($SUITE, $MIRROR)"
debootstrap --foreign --arch="$ARCH" --variant=minbase --include="$PKGS" \
    "$SUITE" "$W/root" "$MIRROR" > "$W/debootstrap.log" 2>&1 ||
    { tail -n 20 "$W/debootstrap.log" >&2; exit 1; }
R=$W/root
# The first stage leaves /proc a link to itself; the guest mounts on it.
rm -f "$R/proc"
mkdir -p "$R/proc" "$R/vm"
cp -a $HERE/guest/overlay "$R/vm/overlay"
cp $HERE/guest/firstboot "$R/vm/firstboot"

say "2. the kernel and the initrd"
archives=$R/var/cache/apt/archives
kdeb=$(ls "$archives"/linux-image-[0-9]*_"$ARCH".deb)
dpkg-deb -x "$kdeb" "$W/kernel"
KVER=$(ls "$W/kernel/lib/modules")
mkdir -p "$R/usr/lib/modules"
cp -a "$W/kernel/lib/modules/$KVER" "$R/usr/lib/modules/"
base=" $(cat "$R/debootstrap/base") "
for p in $NOT_IN_GUEST; do
	base=$(echo "$base" | sed "s/ $p / /g")
done
echo $base > "$R/debootstrap/base"
I=$W/initrd
mkdir -p "$I/bin" "$I/lib/modules" "$W/busybox"
dpkg-deb -x "$(ls "$archives"/busybox-static_*.deb)" "$W/busybox"
cp "$W/busybox/bin/busybox" "$I/bin/busybox"
: > "$I/modules"
for m in $MODS; do
	f=$(find "$W/kernel/lib/modules/$KVER/kernel" -name "$m.ko")
	if [ -z "$f" ]; then
		grep -q "/$m.ko\$" "$W/kernel/lib/modules/$KVER/modules.builtin" ||
		    { say "module $m: not in $KVER"; exit 1; }
		continue
	fi
	cp "$f" "$I/lib/modules/"
	echo "$m.ko" >> "$I/modules"
done
cp $HERE/guest/initrd-init "$I/init"
(cd "$I" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$W/initrd-first"

say "3. the disk image (mke2fs -d, no mount)"
truncate -s 3G "$W/base.img"
mke2fs -q -t ext4 -L vmroot -d "$R" "$W/base.img"
rm -rf "$R" "$W/busybox" "$I"

say "4. first boot: debootstrap --second-stage in the guest (TCG: minutes)"
timeout "${VM_FIRSTBOOT_TIMEOUT:-3600}" sh -c '
	. tests/vm/lib.sh
	vm_arch "$1"
	VM_CACHE=unsafe vm_qemu "$2/base.img" "$2/kernel/boot/vmlinuz-$3" "$2/initrd-first" \
	    "console=$4 root=/dev/vda rw panic=-1 vm.init=/vm/firstboot" -no-reboot \
	    -serial "file:$2/firstboot.log" -nic none
' sh "$ARCH" "$W" "$KVER" "$CONSOLE" || true
if ! grep -q "vm-firstboot: ok" "$W/firstboot.log"; then
	say "the first boot failed; the end of its console ($W/firstboot.log):"
	tail -n 40 "$W/firstboot.log" >&2
	exit 1
fi
grep "second stage done" "$W/firstboot.log" | tr -d '\r' >&2 || true

cp "$W/kernel/boot/vmlinuz-$KVER" "$W/vmlinuz"
mv "$W/initrd-first" "$W/initrd.img"
echo "$KVER" > "$W/kernel-version"
rm -rf "$W/kernel" "$W/initrd-first"
echo "$(($(date +%s) - t0))" > "$W/build-seconds"
touch "$W/.complete"
rm -rf "$DIR"
mv "$W" "$DIR"
say "ready in $(cat "$DIR/build-seconds") s: $DIR"
echo "$DIR"
