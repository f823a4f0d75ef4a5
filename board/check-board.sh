#!/bin/sh
# check-board.sh BUILD_DIR - the board checks of "make check-board":
#   1. the unit's exposure in "systemd-analyze security --offline=true"
#      is at most 1.5 (--threshold counts in tenths);
#   2. the man pages name every setting and option of "firmware-server
#      --help" and man(1) finds nothing to warn about;
#   3. the packages of this machine's architecture hold the binaries
#      (stripped), the man pages, the unit and the conffile.
# Prints one "ok" or "FAIL" line per check; exits 1 when any failed.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
UNIT=board/firmware-server.service
MAN8=docs/man/firmware-server.8
MAN1=docs/man/tui-client.1
failed=0

ok() { echo "check-board: ok: $*"; }
fail() { echo "check-board: FAIL: $*"; failed=1; }

# 1. Security score.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	fail "systemd-analyze missing (Debian package systemd; scripts/install-deps.sh installs it)"
else
	score=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if systemd-analyze security --offline=true --threshold=15 "$UNIT" \
	    >/dev/null 2>&1; then
		ok "$UNIT exposure $score (at most 1.5)"
	else
		fail "$UNIT exposure ${score:-?} is over 1.5"
	fi
fi

# 2. Man pages against --help.
help=$("$B/firmware-server" --help)
keys=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z_]*\)\.\([a-z_]*\) = .*/\1 \2/p')
[ -n "$keys" ] || fail "no settings in firmware-server --help"
missing=""
printf '%s\n' "$keys" | {
	while read -r section key; do
		grep -q "^\.SS \[$section\]" "$MAN8" || echo "[$section]"
		grep -q "^\.BR $key \"" "$MAN8" || echo "$section.$key"
	done
} > "$B/man-missing.txt"
plain=$(sed 's/\\-/-/g' "$MAN8")
for opt in $(printf '%s\n' "$help" | sed -n 's/^  -\([a-zA-Z]\), --\([a-z-]*\).*/\1:\2/p'); do
	short=${opt%%:*} long=${opt#*:}
	printf '%s\n' "$plain" | grep -q -- "^\.B[IR] -$short" ||
	    echo "-$short" >> "$B/man-missing.txt"
	printf '%s\n' "$plain" | grep -q -- "--$long" ||
	    echo "--$long" >> "$B/man-missing.txt"
done
missing=$(tr '\n' ' ' < "$B/man-missing.txt")
rm -f "$B/man-missing.txt"
if [ -z "$missing" ]; then
	ok "$MAN8 names every setting and option of --help"
else
	fail "$MAN8 lacks: $missing"
fi
# man comes with man-db (scripts/install-deps.sh); without it this check
# would pass without looking, so its absence is a failure.
for m in "$MAN8" "$MAN1"; do
	if ! command -v man >/dev/null 2>&1; then
		fail "man is not installed (package man-db): $m not checked"
		continue
	fi
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null || true)
	if [ -z "$w" ]; then ok "$m formats without warnings"; else fail "$m: $w"; fi
done

# 3. The packages.
arch=$(dpkg --print-architecture)
debs=$(sh board/debian/mkdeb.sh "$arch" | tail -2)
srv=$(printf '%s\n' "$debs" | grep firmware-server_)
cli=$(printf '%s\n' "$debs" | grep tui-client_)
list=$(dpkg-deb -c "$srv" | awk '{print $6}')
for f in ./usr/sbin/firmware-server ./etc/firmware-server/firmware-server.ini \
    ./lib/systemd/system/firmware-server.service \
    ./usr/share/man/man8/firmware-server.8.gz \
    ./usr/share/firmware-server/credentials.txt \
    ./usr/share/doc/firmware-server/copyright; do
	printf '%s\n' "$list" | grep -qx "$f" || fail "$srv lacks $f"
done
dpkg-deb --ctrl-tarfile "$srv" | tar -xO ./conffiles |
    grep -qx /etc/firmware-server/firmware-server.ini ||
    fail "$srv: the INI is not a conffile"
for s in postinst prerm postrm; do
	dpkg-deb --ctrl-tarfile "$srv" | tar -t | grep -qx "./$s" ||
	    fail "$srv has no $s"
done
dpkg-deb --fsys-tarfile "$srv" | tar -xO ./etc/firmware-server/firmware-server.ini |
    grep -q '^data_dir' && fail "$srv: the installed INI sets data_dir"
dpkg-deb --fsys-tarfile "$srv" | tar -xO ./lib/systemd/system/firmware-server.service |
    grep -qx 'ExecStart=/usr/sbin/firmware-server -c /etc/firmware-server/firmware-server.ini' ||
    fail "$srv: unexpected ExecStart in the unit"
list=$(dpkg-deb -c "$cli" | awk '{print $6}')
for f in ./usr/bin/tui-client ./usr/share/man/man1/tui-client.1.gz; do
	printf '%s\n' "$list" | grep -qx "$f" || fail "$cli lacks $f"
done
tmp=$(mktemp -d)
dpkg-deb -x "$srv" "$tmp"
readelf -S "$tmp/usr/sbin/firmware-server" | grep -q '\.debug_info' &&
    fail "$srv: the server is not stripped"
"$tmp/usr/sbin/firmware-server" --version >/dev/null ||
    fail "$srv: the packaged server does not run"
rm -rf "$tmp"
[ "$failed" -eq 0 ] && ok "$srv and $cli: binaries, man pages, unit, conffile"

[ "$failed" -eq 0 ] || exit 1
