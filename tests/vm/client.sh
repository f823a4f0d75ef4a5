# client.sh - a client of the wire protocol (docs/PROTOCOL.md) in bash,
# over /dev/tcp, for tests/vm/checks.sh: several named clients at once,
# each request waits for its final reply, events are kept per client.
# Needs PORT (the server's port on 127.0.0.1).  Sourced.

declare -A FD EV
TAG=0

# Connect client $1 and read the greeting.
cl_open() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || return 1
	FD[$1]=$fd
	EV[$1]=""
	cl_event "$1" '^\* HELLO ' 30
}

# Close client $1.
cl_close() {
	local fd=${FD[$1]:-}
	[ -z "$fd" ] || exec {fd}>&-
	unset "FD[$1]"
}

# Send request $2 from client $1 and wait (at most 60 s) for its final
# reply: RLINE holds it ("OK ..." or "ERR ..."), RDATA the data lines;
# events that come meanwhile are kept in EV[$1].  Fails on no reply.
cl_req() {
	local name=$1 tag line end=$(($(date +%s) + 60))
	TAG=$((TAG + 1))
	tag=t$TAG
	RLINE="" RDATA=""
	printf '%s %s\n' "$tag" "$2" >&"${FD[$name]}" || return 1
	while [ "$(date +%s)" -lt "$end" ]; do
		IFS= read -r -t 5 line <&"${FD[$name]}" || {
			[ $? -gt 128 ] && continue
			return 1
		}
		case "$line" in
		"$tag . "*) RDATA="$RDATA${line#"$tag . "}"$'\n' ;;
		"$tag OK"* | "$tag ERR"*) RLINE=${line#"$tag "}; return 0 ;;
		*) EV[$name]="${EV[$name]}$line"$'\n' ;;
		esac
	done
	return 1
}

# Wait (at most $3 s, default 30) until client $1 has a line matching the
# extended regular expression $2 among its events; it is taken out.
cl_event() {
	local name=$1 line end=$(($(date +%s) + ${3:-30}))
	while :; do
		if printf '%s' "${EV[$name]}" | grep -Eq -- "$2"; then
			EV[$name]=$(printf '%s' "${EV[$name]}" | grep -Ev -- "$2" || true)
			[ -z "${EV[$name]}" ] || EV[$name]="${EV[$name]}"$'\n'
			return 0
		fi
		[ "$(date +%s)" -lt "$end" ] || return 1
		IFS= read -r -t 5 line <&"${FD[$name]}" || {
			[ $? -gt 128 ] && continue
			return 1
		}
		EV[$name]="${EV[$name]}$line"$'\n'
	done
}

# Log client $1 in as user $1 with password $2, registering the name if
# the server offers it ($3 = register: it must).
cl_login() {
	cl_open "$1" && cl_req "$1" "HELLO 1" && cl_req "$1" "LOGIN $1" ||
	    return 1
	case "$RLINE" in
	"OK register"*) cl_req "$1" "REGISTER $2" ;;
	"OK password"*) [ "${3:-}" != register ] && cl_req "$1" "PASS $2" ;;
	*) return 1 ;;
	esac || return 1
	[[ "$RLINE" == "OK Welcome $1"* ]]
}

# Log client $1 out and close it.
cl_logout() {
	cl_req "$1" LOGOUT || true
	cl_close "$1"
}

