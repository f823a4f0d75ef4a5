#!/bin/sh
# memory.sh BUILD... - idle memory of the server builds given (each a
# firmware-server binary): RSS, PSS and USS (private pages: what the
# process alone holds) of the server and of its password-hasher child,
# from /proc/PID/smaps_rollup, with the sample INI and ACCOUNTS accounts
# (default 3, the demo ones; the bench uses 6100), RUNS runs each,
# interleaved.  Prints a Markdown table, figures in kB.  Then, when
# TLSMEM (default: tlsmem beside the first binary, `make build/tlsmem`)
# exists, a TLS row: the heap bytes the TLS layer keeps per idle logged-in
# connection, i.e. what a TLS client costs over a plain one (target: at
# most 8 KB).
#
#   make all && make B=build/static SERVER_STATIC=1 build/static/firmware-server
#   sh bench/memory.sh build/firmware-server build/static/firmware-server
set -eu
[ $# -ge 1 ] || { echo "usage: $0 FIRMWARE-SERVER..." >&2; exit 2; }
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
ACCOUNTS=${ACCOUNTS:-3}
tmp=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

if [ "$ACCOUNTS" -le 3 ]; then
	cp etc/credentials.txt "$tmp/credentials.txt"
else
	seq 1 "$ACCOUNTS" | sed 's/.*/u& p&/' > "$tmp/credentials.txt"
fi

# kB of field $2 (Rss, Pss, Private_Clean+Private_Dirty) of process $1.
field() {
	awk -v f="$2" '
	    f == "Uss" && ($1 == "Private_Clean:" || $1 == "Private_Dirty:") { n += $2 }
	    $1 == f ":" { n += $2 }
	    END { print n + 0 }' "/proc/$1/smaps_rollup"
}

echo "| build | run | server RSS | server PSS | server USS | hasher RSS | hasher PSS | hasher USS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
port=47600
run=1
while [ "$run" -le "$RUNS" ]; do
	for bin in "$@"; do
		port=$((port + 1))
		rm -rf "$tmp/d"
		mkdir "$tmp/d"
		cp "$tmp/credentials.txt" "$tmp/d/"
		"$bin" -c etc/firmware-server.ini -d "$tmp/d" -p "$port" -l error &
		pid=$!
		# Wait (at most 10 s) for it to listen, then for the start-up to settle.
		i=0
		until ss -ltn "sport = :$port" | grep -q LISTEN; do
			i=$((i + 1))
			[ "$i" -lt 100 ] || { echo "$bin did not listen" >&2; exit 1; }
			sleep 0.1
		done
		sleep 2
		child=$(cat "/proc/$pid/task/$pid/children" | cut -d' ' -f1)
		line="| $bin | $run"
		for f in Rss Pss Uss; do line="$line | $(field "$pid" $f)"; done
		for f in Rss Pss Uss; do
			line="$line | $([ -n "$child" ] && field "$child" $f || echo -)"
		done
		echo "$line |"
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=""
	done
	run=$((run + 1))
done

# The TLS row: bytes of TLS state per idle connection, against 8 KB.
tlsmem=${TLSMEM:-$(dirname "$1")/tlsmem}
if [ -x "$tlsmem" ]; then
	"$tlsmem" 1000 > "$tmp/tlsmem"
	per=$(awk '$1 == "tls_bytes_per_conn" { print $2 }' "$tmp/tlsmem")
	new=$(awk '$1 == "ssl_new_bytes" { print $2 }' "$tmp/tlsmem")
	verdict=missed
	[ "$per" -gt 8192 ] || verdict=met
	echo
	echo "| TLS, 1,000 idle connections | bytes per connection over plain | SSL_new() in the handshake (freed after) | target |"
	echo "| --- | --- | --- | --- |"
	echo "| $tlsmem | $per | $new | <= 8192: $verdict |"
fi
