#!/bin/bash
# bench/soak.sh BUILD_DIR - one server, SOAK_MINUTES minutes of traffic.
#
# Starts the real server once (bench/firmware-server.ini, default
# durability) and, every minute, runs BUILD_DIR/loadgen against it: 1,000
# clients log in (joins), stay for the minute and leave at its end; one
# of them sends direct messages (MSGTO, stored) at SOAK_RATE a second to
# another or, every other minute, BROADCASTs to all of them at
# SOAK_BC_RATE a second (each one 1,000 deliveries).  Beside that stream
# SOAK_CHAT of the clients chat (loadgen -E): each posts to the board,
# one reads the board back and must find every post, and the authors
# delete them again; they talk in groups of at most 33 (each one GMSG,
# which every other member must get); one uploads 20,000 generated
# integers as edge data and checks the stored count and STATS SUM, MIN
# and MAX.  Meanwhile two real clients (BUILD_DIR/tui-client --plain,
# which takes offered files at once) log in, one sends the other a file of
# SOAK_P2P_KB KiB of random bytes peer to peer, the copy is compared byte
# for byte, and both log out.  After each minute it prints the server's
# RSS, open descriptors, CPU seconds used in the minute, the minute's p99
# latency of the stream, its messages sent and delivered, the posts read
# back, the group messages delivered, the edge and P2P results, and
# whether all of it was right with no error (any FAIL: exit status 1).  At
# the end: the range of RSS and of descriptors from minute 2 on (target:
# within 5 %), and the log's warnings and errors.
#
# The server runs with GLIBC_TUNABLES=glibc.malloc.tcache_count=0, as the
# packaged unit starts it: with glibc's per-thread cache of freed chunks
# its resident heap creeps up by pages the trim cannot give back (see
# bench/README.md, "Soak"); SOAK_GLIBC_TUNABLES= (empty) runs the default.
#
#   SOAK_MINUTES=30 SOAK_CLIENTS=1000 SOAK_RATE=200 SOAK_CHAT=200 \
#       SOAK_P2P_KB=4096 SOAK_GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
#       bash bench/soak.sh build
set -u
BUILD=${1:-build}
CLIENT=$(cd "$BUILD" && pwd)/tui-client	# run from other directories
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
MINUTES=${SOAK_MINUTES:-30}
CLIENTS=${SOAK_CLIENTS:-1000}
RATE=${SOAK_RATE:-200}
BC_RATE=${SOAK_BC_RATE:-5}
CHAT=${SOAK_CHAT:-200}
P2P_KB=${SOAK_P2P_KB:-4096}
# The allocator setting the packaged server runs with
# (board/firmware-server.service); SOAK_GLIBC_TUNABLES= runs glibc's default.
TUNABLES=${SOAK_GLIBC_TUNABLES-glibc.malloc.tcache_count=0}
T=$(mktemp -d /tmp/fs-soak-XXXXXX)
PID= LG= PA= PB=

# Stop what this script started (by PID), then remove its directory.
stop() {
	local p

	for p in $LG $PA $PB; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	LG= PA= PB=
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
	fi
	rm -rf "$T"
}
trap 'stop; exit 1' INT TERM
trap stop EXIT

for b in firmware-server loadgen tui-client; do
	[ -x "$BUILD/$b" ] || { echo "soak: no $BUILD/$b (make soak builds it)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null
mkdir -p "$T/data"
seq 0 $((CLIENTS + 1)) | sed 's/.*/u& p&/' >"$T/data/credentials.txt"
printf 'p2pa pa\np2pb pb\n' >>"$T/data/credentials.txt"
port=$(free_port) || exit 1
sed -e "s/^port = .*/port = $port/" -e "s|^data_dir = .*|data_dir = $T/data|" \
    "$HERE/firmware-server.ini" >"$T/ours.ini"
env ${TUNABLES:+GLIBC_TUNABLES="$TUNABLES"} "$BUILD/firmware-server" -c "$T/ours.ini" \
    2>"$T/server.log" &
PID=$!
wait_port "$port" || exit 1

fds() { ls "/proc/$PID/fd" | wc -l; }
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$PID/status"; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' \
    "/proc/$PID/stat"; }
val() { grep -m1 "^$1=" "$T/res" | cut -d= -f2; }

# Wait until file $1 has a line matching $2, for $3 seconds at most.
waitfor() {
	local i

	for i in $(seq $(($3 * 20))); do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# End client $1 (a PID) within 5 s: it logs out at the end of its input.
client_end() {
	wait_gone "$1" 5 || kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# One file peer to peer in minute $1, from p2pa to p2pb, two plain
# clients each in its own directory (where files are read and saved).
# Sets p2p to ok, or FAIL with the reason in $T/p2p.log.
p2p_once() {
	local d=$T/p2p f=m$1.bin why= fa fb

	rm -rf "$d"
	mkdir -p "$d/a" "$d/b"
	head -c $((P2P_KB * 1024)) /dev/urandom >"$d/a/$f"
	mkfifo "$d/a.in" "$d/b.in"
	(cd "$d/a" && exec "$CLIENT" --plain 127.0.0.1 "$port" \
	    <"$d/a.in" >"$d/a.out" 2>&1) &
	PA=$!
	(cd "$d/b" && exec "$CLIENT" --plain 127.0.0.1 "$port" \
	    <"$d/b.in" >"$d/b.out" 2>&1) &
	PB=$!
	exec {fa}>"$d/a.in" {fb}>"$d/b.in"
	# Each write in a subshell: a client gone makes it, not us, die of
	# SIGPIPE.
	(printf 'p2pa\npa\n' >&$fa) 2>/dev/null
	(printf 'p2pb\npb\n' >&$fb) 2>/dev/null
	if ! waitfor "$d/a.out" "Welcome p2pa" 10 ||
	    ! waitfor "$d/b.out" "Welcome p2pb" 10; then
		why="login"
	else
		(echo "UPD p2pb $f" >&$fa) 2>/dev/null
		if ! waitfor "$d/a.out" "sent to p2pb|Error" 60 ||
		    ! grep -q "sent to p2pb" "$d/a.out"; then
			why="send"
		elif ! waitfor "$d/b.out" "Received $f from p2pa" 5; then
			why="receive"
		elif ! cmp -s "$d/a/$f" "$d/b/p2pa_$f"; then
			why="the copy differs"
		fi
	fi
	exec {fa}>&- {fb}>&-
	client_end "$PA"
	client_end "$PB"
	PA= PB=
	p2p=ok
	if [ -n "$why" ]; then
		p2p=FAIL
		{ echo "minute $1: p2p $why"; tail -n 5 "$d/a.out" "$d/b.out"; } \
		    >>"$T/p2p.log"
	fi
	rm -rf "$d"
}

echo "soak: $(date -u '+%Y-%m-%d %H:%M UTC'), $MINUTES min, $CLIENTS clients a minute, $RATE MSGTO/s or $BC_RATE BROADCAST/s, $CHAT chatting, a P2P file of $P2P_KB KiB; server GLIBC_TUNABLES=${TUNABLES:-(unset)}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
row='%6s %-9s %9s %5s %7s %10s %8s %9s %6s %6s %4s %4s %s\n'
printf "$row" minute kind rss_kB fds cpu_s p99_us sent delivered posts gmsgs \
    edge p2p check
base_fds=$(fds)
fail=0
lo_rss=999999999 hi_rss=0 lo_fds=999999999 hi_fds=0
for m in $(seq 1 "$MINUTES"); do
	kind=MSGTO; flag=; rate=$RATE
	[ $((m % 2)) -eq 0 ] && { kind=BROADCAST; flag=-B; rate=$BC_RATE; }
	c0=$(cpu)
	# 1 s + 9 s idle after the logins, then 45 s of traffic: a minute.
	timeout 120 "$BUILD/loadgen" -P ours -p "$port" -x "$PID" -s idle \
	    -n "$CLIENTS" -r "$rate" -d 45 -E "$CHAT" $flag >"$T/res" \
	    2>>"$T/loadgen.log" &
	LG=$!
	# The file goes while the stream and the chat run.
	sleep 15
	p2p_once "$m"
	wait "$LG"
	rc=$?
	LG=
	# The clients left: wait (10 s at most) until the server closed them.
	for _ in $(seq 100); do
		[ "$(fds)" -le "$base_fds" ] && break
		sleep 0.1
	done
	sent=$(val sent); got=$(val delivered)
	# A broadcast reaches every other client logged in.
	want=$sent
	[ $kind = BROADCAST ] && want=$(( ${sent:-0} * ($(val held) - 1) ))
	ok=ok
	if [ $rc -ne 0 ] || [ "${sent:-0}" -eq 0 ] || [ "$want" != "$got" ] ||
	    [ "$(val errs)" != 0 ] || [ "$(val lost)" != 0 ]; then
		ok=FAIL
	fi
	# The chat: what landed, or FAIL.
	posts=- gmsgs=- edge=-
	if [ "$CHAT" -gt 0 ]; then
		posts=$(val posts_read) gmsgs=$(val gmsg_delivered) edge=ok
		[ "$(val posts_ok)" = 1 ] || { posts=FAIL; ok=FAIL; }
		[ "$(val group_ok)" = 1 ] || { gmsgs=FAIL; ok=FAIL; }
		[ "$(val edge_ok)" = 1 ] || { edge=FAIL; ok=FAIL; }
	fi
	[ "$p2p" = ok ] || ok=FAIL
	[ $ok = ok ] || fail=1
	r=$(rss); f=$(fds)
	# Flatness is judged after the first minute (the server opens the
	# files it appends to then): the lowest and highest from minute 2 on.
	if [ "$m" -ge 2 ] || [ "$MINUTES" -eq 1 ]; then
		[ "$r" -lt "$lo_rss" ] && lo_rss=$r; [ "$r" -gt "$hi_rss" ] && hi_rss=$r
		[ "$f" -lt "$lo_fds" ] && lo_fds=$f; [ "$f" -gt "$hi_fds" ] && hi_fds=$f
	fi
	printf "$row" "$m" "$kind" "$r" "$f" \
	    "$(awk -v a="$(cpu)" -v b="$c0" 'BEGIN { printf "%.2f", a - b }')" \
	    "$(val p99_us)" "$sent" "$got" "$posts" "$gmsgs" "$edge" "$p2p" \
	    "$ok"
done
flat() { awk -v lo="$1" -v hi="$2" 'BEGIN {
    print (hi - lo <= 0.05 * lo) ? "met" : "MISSED" }'; }
echo "after the first minute: RSS $lo_rss-$hi_rss kB (within 5 %: $(flat "$lo_rss" "$hi_rss")); descriptors $lo_fds-$hi_fds ($(flat "$lo_fds" "$hi_fds"))"
n=$(grep -c -E ' (warn|error): ' "$T/server.log")
echo "server log: $n warnings and errors"
grep -m5 -E ' (warn|error): ' "$T/server.log"
if [ $fail -ne 0 ]; then
	# The directory goes at exit: show why here.
	echo "what failed (loadgen, then p2p):"
	head -n 20 "$T/loadgen.log" "$T/p2p.log" 2>/dev/null
fi
echo "soak: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
[ $fail -eq 0 ] && [ "$n" -eq 0 ]
