#!/bin/sh
# measure.sh - the figures of board/README.md: the stripped size of both
# programs for amd64, arm64 and armhf, and the server's resident memory
# when idle (started, listening, no client) after 2 s, natively on amd64
# and under qemu-user for arm64 and armhf.  Under qemu the number is the
# VmRSS of the qemu process, emulator included, so the script also
# measures qemu running a static program that only sleeps, as a baseline.
# Needs "make all cross-arm64 cross-armhf" first.  Prints a Markdown table.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# VmRSS in KiB of pid after 2 s.
rss() {
	sleep 2
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

printf '#include <unistd.h>\nint main(void){pause();return 0;}\n' > "$tmp/idle.c"
port=47000
echo "| arch | firmware-server stripped | tui-client stripped | server idle VmRSS | qemu baseline (static pause()) |"
echo "| --- | --- | --- | --- | --- |"
for arch in amd64 arm64 armhf; do
	case $arch in
	amd64)	b=build; t=""; q=""; L="" ;;
	arm64)	b=build/arm64; t=aarch64-linux-gnu-; q=qemu-aarch64
		L=aarch64-linux-gnu ;;
	armhf)	b=build/armhf; t=arm-linux-gnueabihf-; q=qemu-arm
		L=arm-linux-gnueabihf ;;
	esac
	[ -x "$b/firmware-server" ] || { echo "| $arch | (not built) | | | |"; continue; }
	${t}strip -o "$tmp/s" "$b/firmware-server"
	${t}strip -o "$tmp/c" "$b/tui-client"
	ss=$(stat -c %s "$tmp/s")
	cs=$(stat -c %s "$tmp/c")
	mkdir -p "$tmp/d$arch"
	port=$((port + 1))
	if [ -z "$q" ]; then
		"$b/firmware-server" -c etc/firmware-server.ini -d "$tmp/d$arch" \
		    -p $port -l error &
		pid=$!
		base="-"
	else
		sr=$PWD/build/sysroot/$arch
		$q -L /usr/$L -E LD_LIBRARY_PATH="$sr/usr/lib/$L:$sr/lib/$L" \
		    "$b/firmware-server" -c etc/firmware-server.ini \
		    -d "$tmp/d$arch" -p $port -l error &
		pid=$!
		${t}gcc -static -O2 -o "$tmp/idle$arch" "$tmp/idle.c"
		$q "$tmp/idle$arch" &
		bpid=$!
		pids="$pids $bpid"
		base="$(rss $bpid) KiB"
		kill $bpid
	fi
	pids="$pids $pid"
	r=$(rss $pid)
	kill $pid
	echo "| $arch | $ss B | $cs B | $r KiB | $base |"
done
