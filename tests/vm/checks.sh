# checks.sh - the checks of "make test-vm", sourced by vm.sh once the
# guest has booted (guest, guest_ready, ok, fail, die, PORT are vm.sh's).
# Clients talk the wire protocol (docs/PROTOCOL.md) from this machine
# through the forwarded port with bash's /dev/tcp, and the real
# tui-client runs in --plain mode for the edge upload.

UNIT=firmware-server
INI=/etc/firmware-server/firmware-server.ini
STATE=/var/lib/private/firmware-server
CLIENT=build/tui-client
. tests/vm/client.sh
# What a fallback would log if the sandbox refused the AIO fsync, the
# hasher's fork, the notify socket or a file: none may appear.
BAD_LOG='asynchronous fsync unavailable|password hasher|cannot start the password hasher|cannot notify|Operation not permitted|Permission denied|Bad system call'

# The service's property $1 (systemctl show).
prop() {
	guest "systemctl show -p $1 --value $UNIT" 30 || true
	printf '%s' "${GOUT%$'\n'}"
}

# Wait (at most $1 s) until the service is active (running) with a main
# PID other than $2.
wait_running() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		if [ "$(prop ActiveState)/$(prop SubState)" = active/running ] &&
		    [ "$(prop MainPID)" != "${2:-}" ] && [ "$(prop MainPID)" != 0 ]; then
			return 0
		fi
		sleep 1
	done
	return 1
}

# Wait (at most 60 s) until the forwarded port answers with the greeting.
wait_port() {
	local end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt "$end" ]; do
		if cl_open probe 2>/dev/null; then
			cl_close probe
			return 0
		fi
		cl_close probe 2>/dev/null || true
		sleep 1
	done
	return 1
}

# --- Install ----------------------------------------------------------
if guest 'mkdir -p /mnt/debs && mount -o ro /dev/vdb /mnt/debs && dpkg -i /mnt/debs/*.deb' 600; then
	printf '%s\n' "$GOUT" > "$RUN/dpkg-i.txt"
	ok "dpkg -i $(echo $DEBS | xargs -n1 basename | tr '\n' ' ')"
else
	echo "$GOUT" | tail -n 20
	die "dpkg -i failed"
fi
if wait_running 60; then
	ok "the postinst started $UNIT: $(prop Type) service, active (running), status \"$(prop StatusText)\""
else
	guest "ls -l /usr/sbin/policy-rc.d /run/systemd/system 2>&1; systemctl is-enabled $UNIT; systemctl status $UNIT --no-pager 2>&1 | head -n 20" 60 || true
	printf '%s\n' "$GOUT" > "$RUN/not-started.txt"
	fail "the postinst did not start $UNIT: $(prop ActiveState)/$(prop SubState) (see $RUN/dpkg-i.txt, $RUN/not-started.txt); starting it"
	guest "systemctl start $UNIT" 120 || true
	wait_running 60 || die "$UNIT does not start: $(prop ActiveState)/$(prop SubState) $GOUT"
	ok "systemctl start $UNIT: $(prop Type) service, active (running), status \"$(prop StatusText)\""
fi
guest "journalctl -b -u $UNIT -o cat --no-pager | grep -c '^Started '" 30 || true
[ "${GOUT%$'\n'}" -ge 1 ] 2>/dev/null &&
    ok "READY=1 seen: systemd logged \"Started\" (for Type=notify only after READY)" ||
    fail "no \"Started\" line for $UNIT in the journal"
# The unit is the one in board/, with no drop-in.
want=$(sha256sum < board/firmware-server.service)
guest "sha256sum < /lib/systemd/system/$UNIT.service; systemctl show -p DropInPaths --value $UNIT" 30 || true
if [ "$GOUT" = "$want"$'\n\n' ]; then
	ok "the shipped unit runs, unchanged and without drop-ins"
else
	fail "the unit in the guest is not board/firmware-server.service: $GOUT"
fi

# The packaged settings may keep the plaintext port on 127.0.0.1 (TLS
# turned on beside it): the forwarded port reaches the guest's network
# address, so the test listens on every address, with registration on.
# Only in [server] and [accounts]: [tls] has keys of the same names.
guest "sed -i -e '/^\\[server\\]/,/^\\[/{s/^listen = .*/listen = 0.0.0.0/;s/^port = .*/port = 4000/}' -e '/^\\[accounts\\]/,/^\\[/s/^registration = .*/registration = yes/' $INI && systemctl restart $UNIT" 120 ||
    die "cannot adjust $INI and restart: $GOUT"
wait_running 60 || die "$UNIT did not come back after the restart"
wait_port || die "nothing answers on 127.0.0.1:$PORT (forwarded to the guest's port 4000)"
ok "the server answers through the forwarded port 127.0.0.1:$PORT"

# --- e2e subset ------------------------------------------------------
for u in alice bob carol; do
	cl_login "$u" "${u}-pw-1" register && cl_logout "$u" ||
	    fail "$u cannot register: $RLINE"
done
if cl_login alice alice-pw-1 && cl_login bob bob-pw-1; then
	ok "login with registered accounts (alice, bob; yescrypt in the hasher child)"
else
	die "login of a registered account failed: $RLINE"
fi
cl_req alice "MSGTO bob hello from alice" && [[ "$RLINE" == "OK Message sent to bob"* ]] &&
    cl_event bob '^\* MSG alice .* hello from alice$' &&
    ok "direct message alice -> bob delivered" ||
    fail "direct message: $RLINE"
cl_logout bob
cl_req alice "MSGTO bob waiting 1" && [[ "$RLINE" == "OK bob is offline"* ]] &&
    ok "offline message stored: $RLINE" || fail "offline message: $RLINE"
cl_req alice "POST first post on the board" && [[ "$RLINE" == "OK Message #1 posted"* ]] &&
    ok "board post: $RLINE" || fail "board post: $RLINE"

# The real client, plain mode: generate, upload, compute (EDG UED SCS).
mkdir -p "$RUN/carol"
printf 'carol\ncarol-pw-1\nEDG 7 500\nUED 7\nSCS 7 SUM\nSCS 7 MAX\nOUT\n' |
    (cd "$RUN/carol" && timeout 120 "$OLDPWD/$CLIENT" --plain 127.0.0.1 "$PORT") \
    > "$RUN/carol/out.txt" 2>&1 || true
sum=0
while read -r v; do sum=$((sum + v)); done < "$RUN/carol/carol-7.txt" || sum=none
max=$(sort -n "$RUN/carol/carol-7.txt" 2>/dev/null | tail -n 1)
if grep -q "SUM of file 7 = $sum (500 integers)" "$RUN/carol/out.txt" &&
    grep -q "MAX of file 7 = $max " "$RUN/carol/out.txt"; then
	ok "edge: tui-client --plain EDG/UED/SCS, SUM $sum and MAX $max as computed here"
else
	fail "edge upload and SCS: $(tail -n 5 "$RUN/carol/out.txt" | tr '\n' '|') (expected SUM $sum)"
fi

# --- Reload: sessions kept, a changed setting applied -----------------
pid=$(prop MainPID)
guest "sed -i -e 's/^registration = .*/registration = no/' -e 's/^level = .*/level = debug/' $INI && systemctl reload $UNIT" 60 ||
    fail "systemctl reload: $GOUT"
wait_running 30 || fail "not running after the reload"
if [ "$(prop MainPID)" = "$pid" ] && cl_req alice PING && [ "$RLINE" = "OK pong" ] &&
    cl_req alice "MSGTO carol after the reload" && [[ "$RLINE" == "OK carol is offline"* ]]; then
	ok "systemctl reload: same process ($pid), alice's session kept"
else
	fail "systemctl reload lost the session or the process: $RLINE"
fi
cl_open dave && cl_req dave "HELLO 1" && cl_req dave "LOGIN dave" &&
    [[ "$RLINE" == "OK password"* ]] &&
    ok "reload applied registration = no: an unknown name is asked for a password" ||
    fail "registration = no not applied by the reload: $RLINE"
cl_close dave
cl_logout alice
# The debug level shows the heap trim, which reads /proc/self/statm
# (ProcSubset=pid) around malloc_trim().
if guest "for i in \$(seq 30); do journalctl -u $UNIT -o cat --no-pager | grep -q 'freed heap given back: resident [0-9]* kB' && exit 0; sleep 1; done; exit 1" 60; then
	ok "reload applied level = debug; malloc_trim and /proc/self/statm work in the sandbox"
else
	fail "no debug line of the heap trim after the reload"
fi

# --- Restart and reboot keep what was acknowledged --------------------
pid=$(prop MainPID)
guest "systemctl restart $UNIT" 60 || fail "systemctl restart: $GOUT"
wait_running 60 "$pid" && wait_port || die "$UNIT did not come back after systemctl restart"
if cl_login bob bob-pw-1 && cl_event bob '^\* MSG alice .* waiting 1$' &&
    cl_req bob "READPOSTS 01 Jan 2000 00:00:00" && [[ "$RDATA" == *"first post on the board"* ]]; then
	ok "systemctl restart: bob's offline message and the board post kept"
else
	fail "after systemctl restart: $RLINE / $RDATA / ${EV[bob]}"
fi
cl_logout bob
cl_login alice alice-pw-1 && cl_req alice "MSGTO bob waiting 2" &&
    cl_req alice "POST second post before the reboot" && cl_logout alice ||
    fail "messages before the reboot: $RLINE"
old_boot=$BOOT_ID
printf '%s systemctl reboot\n' reboot >&7
if guest_ready 900 "$old_boot"; then
	ok "the guest rebooted (boot id $BOOT_ID)"
else
	die "the guest did not come back from the reboot"
fi
wait_running 120 && wait_port || die "$UNIT is not running after the reboot"
# Idle: started at boot, no client yet (the port probe came and went).
pid=$(prop MainPID)
guest "awk '/^(Rss|Pss|Private_Clean|Private_Dirty):/ { v[\$1] = \$2 } END { print v[\"Rss:\"], v[\"Pss:\"], v[\"Private_Clean:\"] + v[\"Private_Dirty:\"] }' /proc/$pid/smaps_rollup; c=\$(cut -d' ' -f1 /proc/$pid/task/$pid/children); [ -z \"\$c\" ] || awk '/^(Rss|Pss|Private_Clean|Private_Dirty):/ { v[\$1] = \$2 } END { print v[\"Rss:\"], v[\"Pss:\"], v[\"Private_Clean:\"] + v[\"Private_Dirty:\"] }' /proc/\$c/smaps_rollup" 30 || true
read -r F_RSS F_PSS F_USS <<< "$(printf '%s' "$GOUT" | sed -n 1p)"
read -r H_RSS H_PSS H_USS <<< "$(printf '%s' "$GOUT" | sed -n 2p)"
if cl_login bob bob-pw-1 && cl_event bob '^\* MSG alice .* waiting 2$' &&
    cl_req bob "READPOSTS 01 Jan 2000 00:00:00" && [[ "$RDATA" == *"first post"* ]] &&
    [[ "$RDATA" == *"second post before the reboot"* ]] &&
    cl_req bob "WHO"; then
	ok "reboot: the offline message and both posts kept"
else
	fail "after the reboot: $RLINE / $RDATA"
fi
cl_logout bob
printf 'carol\ncarol-pw-1\nSCS 7 SUM\nOUT\n' |
    timeout 60 "$CLIENT" --plain 127.0.0.1 "$PORT" > "$RUN/carol/out2.txt" 2>&1 || true
grep -q "SUM of file 7 = $sum (500 integers)" "$RUN/carol/out2.txt" &&
    ok "reboot: carol's uploaded file kept (SUM $sum)" ||
    fail "reboot: carol's file: $(tail -n 3 "$RUN/carol/out2.txt" | tr '\n' '|')"

# --- Figures: boot to READY, idle memory, the security score ----------
ready_us=$(prop ActiveEnterTimestampMonotonic)
guest "systemd-analyze time" 60 || true
F_ANALYZE=$(printf '%s' "$GOUT" | head -n 1)
if guest "systemd-analyze security $UNIT --no-pager" 120; then
	F_SCORE=$(printf '%s' "$GOUT" | sed -n 's/.*Overall exposure level for [^:]*: *\([0-9.]* [A-Z]*\).*/\1/p')
	ok "systemd-analyze security $UNIT (online): $F_SCORE"
else
	F_SCORE="(failed)"
	fail "systemd-analyze security $UNIT: $(printf '%s' "$GOUT" | tail -n 3)"
fi
printf '%s\n' "$GOUT" > "$RUN/security.txt"

# --- Watchdog and Restart=on-failure ----------------------------------
n0=$(prop NRestarts)
pid=$(prop MainPID)
guest "kill -STOP $pid" 30 || true
t=$(date +%s)
if wait_running 180 "$pid"; then
	guest "journalctl -u $UNIT -o cat --no-pager | grep -c -i 'watchdog timeout'" 30 || true
	ok "watchdog: the stopped server ($pid) was replaced after $(($(date +%s) - t)) s (NRestarts $n0 -> $(prop NRestarts); \"Watchdog timeout\" lines: ${GOUT%$'\n'})"
else
	fail "watchdog: the stopped server $pid was not restarted"
fi
n0=$(prop NRestarts)
pid=$(prop MainPID)
guest "kill -SEGV $pid" 30 || true
if wait_running 60 "$pid" && [ "$(prop NRestarts)" -gt "$n0" ]; then
	guest "journalctl -u $UNIT -o cat --no-pager | grep -E 'status=11/SEGV' | tail -n 1" 30 || true
	ok "SIGSEGV: restarted by Restart=on-failure (${GOUT%$'\n'})"
else
	fail "SIGSEGV: $UNIT was not restarted"
fi
wait_port && cl_login alice alice-pw-1 && cl_logout alice &&
    ok "logins work after both restarts" || fail "no login after the restarts: $RLINE"

# --- The journal ------------------------------------------------------
guest "journalctl -u $UNIT -o cat --no-pager" 60 || true
printf '%s\n' "$GOUT" > "$RUN/journal.txt"
# (After the reboot; the lines of the first boot stay too when the
# journal is persistent, /var/log/journal, as on Debian 12.)
if grep -q 'bob READPOSTS 01 Jan 2000 00:00:00 -> ok' "$RUN/journal.txt" &&
    grep -q 'alice logged in from' "$RUN/journal.txt"; then
	if grep -q 'alice MSGTO bob hello from alice -> ok' "$RUN/journal.txt" &&
	    grep -q 'reload: settings' "$RUN/journal.txt"; then
		ok "journalctl -u $UNIT holds the command lines of both boots and the reload's ($(wc -l < "$RUN/journal.txt") lines)"
	else
		ok "journalctl -u $UNIT holds the command lines of this boot (the journal is not persistent)"
	fi
else
	fail "journalctl -u $UNIT lacks the log lines (see $RUN/journal.txt)"
fi
if grep -E -i "$BAD_LOG" "$RUN/journal.txt"; then
	fail "the journal shows a feature refused by the sandbox (above)"
else
	ok "no fallback or refusal in the journal (AIO fsync, hasher, notify socket)"
fi

# --- Purge -------------------------------------------------------------
if guest "dpkg --purge firmware-server tui-client" 300; then
	ok "dpkg --purge firmware-server tui-client"
else
	fail "dpkg --purge: $GOUT"
fi
guest "ls -d $STATE /var/lib/firmware-server /etc/firmware-server /lib/systemd/system/$UNIT.service /usr/sbin/firmware-server /etc/systemd/system/multi-user.target.wants/$UNIT.service 2>/dev/null; systemctl is-active $UNIT; grep -l firmware-server /proc/[0-9]*/comm 2>/dev/null; dpkg -l firmware-server 2>/dev/null | grep '^[a-z][a-z] '" 60 || true
left=$(printf '%s' "$GOUT" | grep -v -x -e inactive -e 'un *firmware-server.*' | grep -v '^$' || true)
if [ -z "$left" ]; then
	ok "purged: no state, settings, unit, program or process left"
else
	fail "left after the purge: $(echo "$left" | tr '\n' ' ')"
fi

# --- Figures ----------------------------------------------------------
echo
echo "vm: figures ($ARCH guest, $(cat "$IMG/kernel-version"), QEMU TCG, 2 vCPUs, 1 GiB)"
echo "vm:   boot: QEMU start to the control channel $T_BOOT s; $F_ANALYZE"
echo "vm:   boot to READY (kernel start to READY=1 after the reboot): $((ready_us / 1000)) ms"
echo "vm:   server idle after the reboot: RSS $F_RSS kB, PSS $F_PSS kB, USS $F_USS kB; hasher child: RSS ${H_RSS:--} kB, PSS ${H_PSS:--} kB, USS ${H_USS:--} kB"
echo "vm:   systemd-analyze security $UNIT (online, in the guest): $F_SCORE"
echo "vm:   image: $IMG (built in $(cat "$IMG/build-seconds") s)"
