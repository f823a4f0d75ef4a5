#!/bin/sh
# p2pbench.sh BUILD_DIR [MB] - goodput of a peer-to-peer file send on
# loopback (real server, two real plain clients), lossless and with 1 %
# and 5 % of datagrams dropped (the clients' FS_TEST_LOSS hook, applied to
# every datagram both send: data and acknowledgements), next to
#   (a) a plain UDP blast of the same datagram size, one sendto() per
#       datagram (the ceiling the targets are set against),
#   (a') the same blast with GSO/GRO (a second reference: what the
#       kernel moves when system calls carry 52 datagrams each),
#   (b) atftp/atftpd with windowsize 32 on the same file, with blocks
#       giving the same datagram size (blksize 1232) and with TFTP's
#       default blksize of 512,
# and the ratios, with the load average before and after (the figures
# mean little on a busy machine).  Installs atftp and atftpd with apt-get
# when missing.
# P2P_ONLY=LOSS runs only the p2p send with that loss percentage.
set -eu
B=${1:-build}
MB=${2:-200}
DGRAM=1244			# 28-byte header + 1200 data + 16-byte tag
W=$(mktemp -d /tmp/p2pbench.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + $$ % 20000)); }
waitfor() {		# file pattern seconds
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt $(($3 * 100)) ] && { echo "timeout: $2" >&2; cat "$1" >&2; return 1; }
		sleep 0.01
	done
}

mkdir -p "$W/srv" "$W/a" "$W/b" "$W/tftp"
printf 'alice alice123\nbob bob123\n' > "$W/srv/credentials.txt"
head -c $((MB * 1000000)) /dev/urandom > "$W/a/big.bin"
BYTES=$((MB * 1000000))

# One send with loss percent $1; prints the goodput in MB/s.
p2p_run() {
	P=$(port)
	"$B/firmware-server" -d "$W/srv" -p "$P" > "$W/srv.log" 2>&1 &
	SP=$!; PIDS="$PIDS $SP"
	sleep 0.3
	rm -f "$W/b/"* "$W/a.in" "$W/b.in"
	mkfifo "$W/a.in" "$W/b.in"
	(cd "$W/a" && FS_TEST_LOSS=$1 "$OLDPWD/$B/tui-client" --plain 127.0.0.1 "$P" < "$W/a.in" > "$W/a.out" 2>&1) &
	AP=$!; PIDS="$PIDS $AP"
	(cd "$W/b" && FS_TEST_LOSS=$1 "$OLDPWD/$B/tui-client" --plain 127.0.0.1 "$P" < "$W/b.in" > "$W/b.out" 2>&1) &
	BP=$!; PIDS="$PIDS $BP"
	exec 3> "$W/a.in" 4> "$W/b.in"
	printf 'alice\nalice123\n' >&3; printf 'bob\nbob123\n' >&4
	waitfor "$W/a.out" "Welcome alice" 10; waitfor "$W/b.out" "Welcome bob" 10
	T0=$(now)
	echo "UPD bob big.bin" >&3
	waitfor "$W/a.out" "sent to bob" 600
	T1=$(now)
	cmp -s "$W/a/big.bin" "$W/b/alice_big.bin" || { echo "p2p: files differ!" >&2; exit 1; }
	echo logout >&3; echo logout >&4
	exec 3>&- 4>&-
	wait $AP $BP 2>/dev/null || true
	kill $SP; wait $SP 2>/dev/null || true
	echo "$BYTES $T0 $T1" | awk '{ printf "%.1f", $1 / 1e6 / ($3 - $2) }'
}

if [ -n "${P2P_ONLY:-}" ]; then	# P2P_ONLY=LOSS: that p2p run alone
	echo "p2p send, $P2P_ONLY % loss: $(p2p_run "$P2P_ONLY") MB/s"
	exit 0
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
G0=$(p2p_run 0); G1=$(p2p_run 1); G5=$(p2p_run 5)

if [ ! -x "$B/udpblast" ]; then
	${CC:-cc} -O2 -o "$B/udpblast" bench/udpblast.c
fi
BLAST=$("$B/udpblast" "$BYTES" "$DGRAM" | sed 's/blast: \([0-9.]*\).*/\1/')
BLASTGSO=$("$B/udpblast" "$BYTES" "$DGRAM" gso 2>/dev/null |
    sed 's/blast: \([0-9.]*\).*/\1/')
[ -n "$BLASTGSO" ] || BLASTGSO=n/a

if ! command -v atftp > /dev/null || ! command -v atftpd > /dev/null; then
	apt-get install -y --no-install-recommends atftp atftpd > /dev/null 2>&1 || true
fi
# atftp with blksize $1 and windowsize 32; prints MB/s or n/a.
tftp_run() {
	T0=$(now)
	atftp --option "blksize $1" --option "windowsize 32" \
	    -g -r big.bin -l "$W/tftp.out" 127.0.0.1 "$TP" > "$W/atftp.log" 2>&1 || true
	T1=$(now)
	if cmp -s "$W/tftp/big.bin" "$W/tftp.out"; then
		echo "$BYTES $T0 $T1" | awk '{ printf "%.1f", $1 / 1e6 / ($3 - $2) }'
	else
		echo "atftp failed:" >&2; cat "$W/atftp.log" >&2; echo n/a
	fi
	rm -f "$W/tftp.out"
}
TFTP=n/a TFTP512=n/a
if command -v atftp > /dev/null && command -v atftpd > /dev/null; then
	cp "$W/a/big.bin" "$W/tftp/big.bin"
	TP=$(port)
	atftpd --daemon --no-fork --port "$TP" --bind-address 127.0.0.1 \
	    --user "$(id -un)" --group "$(id -gn)" "$W/tftp" > "$W/atftpd.log" 2>&1 &
	TD=$!; PIDS="$PIDS $TD"
	sleep 0.3
	# The same 1236-byte datagrams (1232 data + 4 header), then TFTP's
	# default block of 512 bytes.
	TFTP=$(tftp_run $((DGRAM - 4)))
	TFTP512=$(tftp_run 512)
fi

echo "file: $MB MB, datagrams of $DGRAM bytes, loopback, $(nproc) CPUs"
echo "load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s\n' "what" "MB/s"
printf '%-34s %10s\n' "p2p send, lossless" "$G0"
printf '%-34s %10s\n' "p2p send, 1 % loss" "$G1"
printf '%-34s %10s\n' "p2p send, 5 % loss" "$G5"
printf '%-34s %10s\n' "UDP blast (ceiling)" "$BLAST"
printf '%-34s %10s\n' "UDP blast, GSO/GRO (reference)" "$BLASTGSO"
printf '%-34s %10s\n' "atftp, blksize 1232, windowsize 32" "$TFTP"
printf '%-34s %10s\n' "atftp, blksize 512, windowsize 32" "$TFTP512"
awk -v g0="$G0" -v g1="$G1" -v g5="$G5" -v b="$BLAST" -v bg="$BLASTGSO" \
    -v t="$TFTP" -v t5="$TFTP512" 'BEGIN {
	printf "p2p / blast          %.2f  (target >= 0.5)\n", g0 / b
	if (bg != "n/a") printf "p2p / GSO blast      %.2f\n", g0 / bg
	if (t != "n/a") printf "p2p / atftp(1232)    %.2f  (target >= 2)\n", g0 / t
	if (t5 != "n/a") printf "p2p / atftp(512)     %.2f\n", g0 / t5
	printf "1 %% loss / lossless  %.2f  (target >= 0.7)\n", g1 / g0
	printf "5 %% loss / lossless  %.2f  (target >= 0.4)\n", g5 / g0
}'
