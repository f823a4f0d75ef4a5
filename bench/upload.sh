#!/bin/sh
# bench/upload.sh - upload throughput on loopback and the server's peak RSS.
#
#   sh bench/upload.sh [MB] [DIR]
#
# Starts build/firmware-server on a free port with its data in DIR (default:
# a new directory under /tmp), has a plain tui-client write about MB
# megabytes of random integers with EDG (default 1000), uploads them with
# UED and prints the upload time (client start, login, upload, the final
# fdatasync and logout), MB/s, the server's VmHWM (peak resident memory)
# before and after, and the server's CPU time.  Everything it made is
# removed.  Needs build/ (make) and about 2*MB megabytes free in DIR.
set -eu

MB=${1:-1000}
BIN=$(cd "$(dirname "$0")/.." && pwd)/build
DIR=${2:-$(mktemp -d /tmp/fs-bench.XXXXXX)}
PORT=$(( 20000 + $$ % 20000 ))
# About 10.98 bytes per random 32-bit integer line.
N=$(( MB * 100000000 / 1098 ))

mkdir -p "$DIR/client"
printf 'alice alice123\n' > "$DIR/credentials.txt"
"$BIN/firmware-server" -d "$DIR" -p "$PORT" > "$DIR/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$DIR"' EXIT
sleep 0.3

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$SRV/status"; }
cpu() { awk '{ print ($14 + $15) * 10 }' "/proc/$SRV/stat"; }	# ms at 100 Hz

cd "$DIR/client"
printf 'alice\nalice123\nEDG 1 %s\nlogout\n' "$N" |
    "$BIN/tui-client" --plain 127.0.0.1 "$PORT" > gen.out
SIZE=$(stat -c %s alice-1.txt)
BEFORE=$(hwm)
C0=$(cpu)
T0=$(date +%s%N)
printf 'alice\nalice123\nUED 1\nlogout\n' |
    "$BIN/tui-client" --plain 127.0.0.1 "$PORT" > up.out
T1=$(date +%s%N)
AFTER=$(hwm)
C1=$(cpu)
grep -E 'Uploaded|Error' up.out || true
MS=$(( (T1 - T0) / 1000000 ))
echo "bytes: $SIZE  time: ${MS} ms  rate: $(( SIZE / 1000 / (MS > 0 ? MS : 1) )) MB/s"
echo "server VmHWM: ${BEFORE} kB before, ${AFTER} kB after; server CPU: $(( C1 - C0 )) ms"
