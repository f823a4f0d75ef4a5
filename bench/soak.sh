#!/bin/bash
# bench/soak.sh BUILD_DIR - one server, SOAK_MINUTES minutes of traffic.
#
# Starts the real server once (bench/firmware-server.ini, default
# durability) and, every minute, runs BUILD_DIR/loadgen against it: 1,000
# clients log in (joins), stay for the minute and leave at its end; one
# of them sends direct messages (MSGTO, stored) at SOAK_RATE a second to
# another or, every other minute, BROADCASTs to all of them at
# SOAK_BC_RATE a second (each one 1,000 deliveries).  After each minute it
# prints the server's RSS, open descriptors, CPU seconds used in the
# minute, the minute's p99 latency, and whether every message sent was
# delivered with no error.  At the end: RSS and descriptors against the
# first minute (target: within 5 %), and the log's warnings and errors.
#
# Not covered yet: board posts, groups, edge uploads and P2P files (the
# generator speaks only MSGTO and BROADCAST).
#
#   SOAK_MINUTES=30 SOAK_CLIENTS=1000 SOAK_RATE=200 bash bench/soak.sh build
set -u
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
MINUTES=${SOAK_MINUTES:-30}
CLIENTS=${SOAK_CLIENTS:-1000}
RATE=${SOAK_RATE:-200}
BC_RATE=${SOAK_BC_RATE:-5}
T=$(mktemp -d /tmp/fs-soak-XXXXXX)
PID=

stop() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
}
trap 'stop; exit 1' INT TERM
trap stop EXIT

ulimit -n "$(ulimit -Hn)" 2>/dev/null
mkdir -p "$T/data"
seq 0 $((CLIENTS + 1)) | sed 's/.*/u& p&/' >"$T/data/credentials.txt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s/^port = .*/port = $port/" -e "s|^data_dir = .*|data_dir = $T/data|" \
    "$HERE/firmware-server.ini" >"$T/ours.ini"
"$BUILD/firmware-server" -c "$T/ours.ini" 2>"$T/server.log" &
PID=$!
for _ in $(seq 200); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.05
done

fds() { ls "/proc/$PID/fd" | wc -l; }
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$PID/status"; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' \
    "/proc/$PID/stat"; }
val() { grep -m1 "^$1=" "$T/res" | cut -d= -f2; }

echo "soak: $(date -u '+%Y-%m-%d %H:%M UTC'), $MINUTES min, $CLIENTS clients a minute, $RATE MSGTO/s or $BC_RATE BROADCAST/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %-9s %9s %5s %7s %10s %8s %9s %s\n' minute kind rss_kB fds cpu_s \
    p99_us sent delivered check
base_fds=$(fds)
fail=0
first_rss= first_fds=
for m in $(seq 1 "$MINUTES"); do
	kind=MSGTO; flag=; rate=$RATE
	[ $((m % 2)) -eq 0 ] && { kind=BROADCAST; flag=-B; rate=$BC_RATE; }
	c0=$(cpu)
	# 1 s + 9 s idle after the logins, then 45 s of traffic: a minute.
	timeout 120 "$BUILD/loadgen" -P ours -p "$port" -x "$PID" -s idle \
	    -n "$CLIENTS" -r "$rate" -d 45 $flag >"$T/res" 2>>"$T/loadgen.log"
	rc=$?
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
		ok=FAIL; fail=1
	fi
	r=$(rss); f=$(fds)
	[ -n "$first_rss" ] || { first_rss=$r; first_fds=$f; }
	printf '%6d %-9s %9s %5s %7s %10s %8s %9s %s\n' "$m" "$kind" "$r" "$f" \
	    "$(awk -v a="$(cpu)" -v b="$c0" 'BEGIN { printf "%.2f", a - b }')" \
	    "$(val p99_us)" "$sent" "$got" "$ok"
done
r=$(rss); f=$(fds)
flat() { awk -v a="$1" -v b="$2" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d;
    print (d <= 0.05) ? "met" : "MISSED" }'; }
echo "RSS $first_rss -> $r kB (within 5 %: $(flat "$r" "$first_rss")); descriptors $first_fds -> $f ($(flat "$f" "$first_fds"))"
n=$(grep -c -E ' (warn|error): ' "$T/server.log")
echo "server log: $n warnings and errors"
grep -m5 -E ' (warn|error): ' "$T/server.log"
echo "soak: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
[ $fail -eq 0 ] && [ "$n" -eq 0 ]
