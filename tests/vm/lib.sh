# lib.sh - what image.sh and vm.sh share: the emulated machine of each
# architecture and the Debian mirror apt is configured with.  Sourced.

# Set QEMU, MACHINE, CONSOLE and KPKG for architecture $1.
vm_arch() {
	case "$1" in
	arm64)
		QEMU=qemu-system-aarch64
		MACHINE="-M virt -cpu cortex-a72"
		CONSOLE=ttyAMA0
		KPKG=linux-image-arm64
		;;
	amd64)
		QEMU=qemu-system-x86_64
		MACHINE="-M q35"
		CONSOLE=ttyS0
		KPKG=linux-image-amd64
		;;
	*)
		echo "tests/vm: ARCH=$1: use arm64 or amd64" >&2
		exit 2
		;;
	esac
}

# The Debian 12 archive apt is configured with (its URI for "bookworm"),
# or $VM_MIRROR; the project names no host of its own.
vm_mirror() {
	if [ -n "${VM_MIRROR:-}" ]; then
		echo "$VM_MIRROR"
		return
	fi
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
	    'Identifier: Packages' 2>/dev/null |
	    awk '$2 == "bookworm" { print $1; exit }'
}

# Run the machine: vm_qemu DISK KERNEL INITRD APPEND [QEMU ARGS...], in
# place of the calling (sub)shell, so that its PID is QEMU's.
# Two virtual CPUs, 1 GiB, TCG (there is no KVM here), the disk and the
# network on virtio PCI, the serial console where the caller says.  The
# disk's cache mode is $VM_CACHE (default writeback: the guest's flushes
# reach this machine's disk); image.sh uses unsafe, which ignores them,
# for the first boot, where dpkg's thousands of fsyncs would take minutes
# and a failed build is thrown away anyway.
vm_qemu() {
	disk=$1 kernel=$2 initrd=$3 append=$4
	shift 4
	# shellcheck disable=SC2086
	exec $QEMU $MACHINE -smp 2 -m 1024 -display none -monitor none \
	    -kernel "$kernel" -initrd "$initrd" -append "$append" \
	    -drive "file=$disk,if=none,id=hd0,format=$(vm_format "$disk"),cache=${VM_CACHE:-writeback}" \
	    -device virtio-blk-pci,drive=hd0 "$@"
}

# raw or qcow2, by the file's name.
vm_format() {
	case "$1" in
	*.qcow2) echo qcow2 ;;
	*) echo raw ;;
	esac
}
