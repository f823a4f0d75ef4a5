#!/bin/sh
# image.sh ARCH - the test machine's disk for tests/vm/vm.sh: a minimal
# Debian 12 for ARCH (arm64 or amd64) with systemd, made from Debian's
# packages, with Debian's kernel and Debian's own initrd.
# Prints the directory that holds base.img, vmlinuz and initrd.img.
#
#   1. debootstrap --foreign downloads and unpacks the packages, with
#      linux-image-ARCH and initramfs-tools among them;
#   2. the second stage runs every maintainer script, the kernel's
#      included, whose initramfs-tools hook makes Debian's initrd.  A
#      board's own settings for it (guest/initramfs/) keep it small and
#      quick to make: MODULES=list with the few modules a QEMU virt or
#      q35 machine needs to mount its root (virtio PCI, virtio-blk, ext4);
#   3. mke2fs -d turns the tree into an ext4 image, without mounting
#      (this machine may refuse loop mounts).
# For amd64 on an amd64 machine the second stage runs here in a chroot
# (seconds).  For a foreign ARCH this machine cannot run the target's
# programs (no binfmt_misc), so the image is made first and a first boot
# under QEMU runs the second stage in the guest, with a small initrd made
# here from the target's busybox-static and the kernel's modules (only
# for that boot); debugfs then copies Debian's initrd out of the image.
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
# libraries the packages under test depend on, Debian's kernel (its
# package pulls in initramfs-tools); busybox-static is only downloaded,
# for the first boot's initrd of a foreign ARCH (see NOT_IN_GUEST).
PKGS="systemd-sysv,udev,kmod,dbus,iproute2,libinih1,libcrypt1,libssl3,libmosquitto1,libncursesw6,libtinfo6,$KPKG,initramfs-tools,busybox-static"
# Downloaded with the rest but kept out of the guest's second stage.
NOT_IN_GUEST="busybox-static"
# The first boot's initrd (foreign ARCH): the disk (virtio PCI) and
# ext4, in load order.
MODS="crc16 mbcache jbd2 crc32c_generic ext4 virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"
NATIVE=no
[ "$ARCH" != "$(dpkg --print-architecture)" ] || NATIVE=yes

key=$({
	echo "$ARCH $NATIVE $SUITE $PKGS $NOT_IN_GUEST $MODS"
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
mkdir -p "$R/proc" "$R/vm" "$R/etc/initramfs-tools/conf.d" \
    "$R/usr/share/initramfs-tools/modules.d"
cp -a $HERE/guest/overlay "$R/vm/overlay"
cp $HERE/guest/firstboot "$R/vm/firstboot"
# Read by initramfs-tools when the kernel's postinst makes the initrd;
# files of our own, so no package's conffile is touched.
cp $HERE/guest/initramfs/vm-board.conf "$R/etc/initramfs-tools/conf.d/vm-board"
cp $HERE/guest/initramfs/vm-board.modules "$R/usr/share/initramfs-tools/modules.d/vm-board"
base=" $(cat "$R/debootstrap/base") "
for p in $NOT_IN_GUEST; do
	base=$(echo "$base" | sed "s/ $p / /g")
done
echo $base > "$R/debootstrap/base"
archives=$R/var/cache/apt/archives
kdeb=$(ls "$archives"/linux-image-[0-9]*_"$ARCH".deb)
dpkg-deb -x "$kdeb" "$W/kernel"
KVER=$(ls "$W/kernel/lib/modules")

# Unmount whatever the second stage left mounted in the tree.
unmount_tree() {
	findmnt -rn -o TARGET | grep "^$PWD/$R/" | sort -r |
	    while read -r m; do umount -l "$m"; done
}

if [ "$NATIVE" = yes ]; then
	say "2. the second stage in a chroot (every maintainer script, Debian's initrd)"
	trap unmount_tree EXIT
	if ! chroot "$R" /vm/firstboot > "$W/firstboot.log" 2>&1; then
		unmount_tree
		say "the second stage failed; the end of its log ($W/firstboot.log):"
		tail -n 40 "$W/firstboot.log" >&2
		exit 1
	fi
	unmount_tree
	trap - EXIT
	cp "$R/boot/initrd.img-$KVER" "$W/initrd.img"
	say "3. the disk image (mke2fs -d, no mount)"
	truncate -s 3G "$W/base.img"
	mke2fs -q -t ext4 -L vmroot -d "$R" "$W/base.img"
	rm -rf "$R"
else
	say "2. the first boot's initrd"
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
	# Debian's initrd, made in the guest, out of the image.  The guest
	# powered off without unmounting: replay the journal first (e2fsck
	# exits 1 when it corrected the file system), or debugfs sees stale
	# bitmaps and refuses to open it.
	rc=0
	e2fsck -fy "$W/base.img" > "$W/e2fsck.log" 2>&1 || rc=$?
	[ "$rc" -le 1 ] || { say "e2fsck of the image: exit $rc ($W/e2fsck.log)"; exit 1; }
	debugfs -R "dump /boot/initrd.img-$KVER $W/initrd.img" "$W/base.img" 2>/dev/null
	[ -s "$W/initrd.img" ] || { say "no /boot/initrd.img-$KVER in the image"; exit 1; }
	rm -f "$W/initrd-first"
fi
grep "vm-firstboot: second stage done in" "$W/firstboot.log" | tr -d '\r' >&2 || true

cp "$W/kernel/boot/vmlinuz-$KVER" "$W/vmlinuz"
echo "$KVER" > "$W/kernel-version"
rm -rf "$W/kernel"
echo "$(($(date +%s) - t0))" > "$W/build-seconds"
touch "$W/.complete"
rm -rf "$DIR"
mv "$W" "$DIR"
say "ready in $(cat "$DIR/build-seconds") s: $DIR"
echo "$DIR"
