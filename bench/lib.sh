# bench/lib.sh - shell helpers of the bench scripts (bash; sourced).

# A TCP port on 127.0.0.1 that nothing listens on, below the kernel's
# ephemeral range (32768 and up) so that no client socket takes it
# meanwhile.
free_port() {
	local p

	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	echo "bench: no free port" >&2
	return 1
}

# Wait until something listens on port $1 (at most 10 s).
wait_port() {
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: nothing listens on port $1" >&2
	return 1
}

# Wait until process $1 is gone, $2 seconds at most; false if it is not.
wait_gone() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
