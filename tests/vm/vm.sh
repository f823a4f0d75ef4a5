#!/bin/bash
# vm.sh [ARCH] - "make test-vm": our .deb packages installed on a booted
# Debian 12 machine (arm64 by default, or amd64) under QEMU (TCG), the
# service run by a real systemd as PID 1 under the shipped unit, checked
# from this machine through a forwarded port and the machine's control
# channel; then the figures of the guest.
#
#   image.sh  the cached disk, Debian's kernel and initrd (build/vm/ARCH-KEY)
#   this      a copy-on-write overlay of that disk, the .debs on a second
#             disk, one boot, the checks (checks.sh), the figures
#
# Every check prints "vm: ok: ..." or "vm: FAIL: ..."; the exit status is
# 1 when any failed.  The guest's console is kept in build/vm/run-ARCH/.
set -euo pipefail
ARCH=${1:-arm64}
cd "$(dirname "$0")/../.."
HERE=tests/vm
. $HERE/lib.sh
vm_arch "$ARCH"
T0=$(date +%s)
failed=0

ok() { echo "vm: ok: $*"; }
fail() { echo "vm: FAIL: $*"; failed=1; }
say() { echo "vm: $*"; }
# Stop here: a check that the rest depends on failed.
die() { fail "$*"; say "stopping: the checks after this one need it"; exit 1; }

# 1. The packages, the image.
say "packages: make deb ARCH=$ARCH"
sh board/debian/mkdeb.sh "$ARCH" > /dev/null
DEBS=$(ls build/deb/firmware-server_*_"$ARCH".deb build/deb/tui-client_*_"$ARCH".deb)
say "image: $HERE/image.sh $ARCH (cached when its inputs did not change)"
# VM_IMAGE=DIR: an image directory made otherwise (base.img, vmlinuz,
# initrd.img, kernel-version), for work on the checks.
IMG=${VM_IMAGE:-$(sh $HERE/image.sh "$ARCH")}
T_IMAGE=$(date +%s)

RUN=build/vm/run-$ARCH
rm -rf "$RUN"
mkdir -p "$RUN/debs"
qemu-img create -q -f qcow2 -b "$PWD/$IMG/base.img" -F raw "$RUN/disk.qcow2"
cp $DEBS "$RUN/debs/"
truncate -s 64M "$RUN/debs.img"
mke2fs -q -t ext2 -L debs -d "$RUN/debs" "$RUN/debs.img"
mkfifo "$RUN/ctl.in" "$RUN/ctl.out"

# A free loopback port for the server's 4000 in the guest.
PORT=${VM_PORT:-}
if [ -z "$PORT" ]; then
	for PORT in $(shuf -i 20000-60000 -n 50); do
		ss -ltn "sport = :$PORT" | grep -q LISTEN || break
	done
fi

T_QEMU=$(date +%s)
# 2. Boot.  Console on the serial port (a file), the control channel on a
# virtio serial port (the guest's vm-agent), the network user-mode.
vm_qemu "$RUN/disk.qcow2" "$IMG/vmlinuz" "$IMG/initrd.img" \
    "root=/dev/vda rw console=$CONSOLE" \
    -drive "file=$RUN/debs.img,if=none,id=hd1,format=raw" \
    -device virtio-blk-pci,drive=hd1 \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:4000" \
    -device virtio-net-pci,netdev=n0 \
    -device virtio-serial-pci \
    -chardev "pipe,id=ctl,path=$RUN/ctl" \
    -device virtserialport,chardev=ctl,name=fsvm \
    -serial "file:$RUN/console.log" &
QPID=$!
cleanup() {
	kill "$QPID" 2>/dev/null || true
	wait "$QPID" 2>/dev/null || true
}
trap cleanup EXIT
# Read and write ends of the channel; opened read-write, so neither
# waits for QEMU.
exec 7<>"$RUN/ctl.in" 8<>"$RUN/ctl.out"

# Wait (at most $1 s) for the agent of a boot other than $2 to announce
# itself; sets BOOT_ID.
guest_ready() {
	local end=$(($(date +%s) + $1)) line
	while [ "$(date +%s)" -lt "$end" ]; do
		kill -0 "$QPID" 2>/dev/null || return 1
		IFS= read -r -t 5 line <&8 || continue
		line=${line%$'\r'}
		case "$line" in
		"@@@ READY "*)
			[ "${line#@@@ READY }" != "${2:-}" ] || continue
			BOOT_ID=${line#@@@ READY }
			return 0 ;;
		esac
	done
	return 1
}

# Run $1 in the guest (sh -c, as root), at most $2 s (default 120); the
# output in GOUT, the exit status returned.
GSEQ=0
guest() {
	local id end line
	GSEQ=$((GSEQ + 1))
	id=c$GSEQ
	end=$(($(date +%s) + ${2:-120}))
	GOUT=""
	printf '%s %s\n' "$id" "$1" >&7
	while [ "$(date +%s)" -lt "$end" ]; do
		IFS= read -r -t 5 line <&8 || continue
		line=${line%$'\r'}
		case "$line" in
		"@@@ $id "*)
			return "${line#@@@ $id }" ;;
		"@@@ "*) ;;
		*) GOUT="$GOUT$line"$'\n' ;;
		esac
	done
	GOUT="${GOUT}(no answer from the guest within ${2:-120} s)"
	return 124
}

say "boot: $QEMU, $(cat "$IMG/kernel-version"), port 127.0.0.1:$PORT -> guest 4000"
guest_ready 900 || die "the guest did not boot within 900 s (see $RUN/console.log)"
T_BOOT=$(($(date +%s) - T_QEMU))
ok "booted in $T_BOOT s (QEMU start to the control channel)"
guest 'systemctl is-system-running --wait' 300 || true
[ "$GOUT" = $'running\n' ] && ok "systemd: the system is running" ||
    fail "systemd: the system is ${GOUT%$'\n'} ($(guest 'systemctl --failed --no-legend' || true; echo "$GOUT" | tr '\n' ' '))"

. $HERE/checks.sh

# The serial console shows systemd starting the service at the second
# boot (at the first, dpkg -i started it after boot).  "Starting" too:
# on a slow boot (amd64 under TCG) READY=1 came after the login prompt,
# and the console showed only systemd's "Starting" line for it.
n=$(grep -a -c -E 'Start(ing|ed) .*firmware-server' "$RUN/console.log" || true)
[ "$n" -ge 1 ] && ok "the serial console shows systemd starting firmware-server.service at boot" ||
    fail "the serial console does not show firmware-server.service started at boot"

guest 'systemctl poweroff' 10 || true
for _ in $(seq 120); do
	kill -0 "$QPID" 2>/dev/null || break
	sleep 1
done
cleanup
say "whole run: $(($(date +%s) - T0)) s (image $((T_IMAGE - T0)) s)"
if [ "$failed" -ne 0 ]; then
	say "FAILED (console: $RUN/console.log)"
	exit 1
fi
say "all checks passed"
