#!/bin/sh
# install-deps.sh - install the Debian packages the build and the tests
# need, only those that are missing.  Runs apt-get as root, or via sudo.
set -eu

# systemd: systemd-analyze scores the unit (make check-board).
# A static server (SERVER_STATIC=1): libc.a and rcrt1.o come with
# libc6-dev (build-essential), libinih.a with libinih-dev, libcrypt.a with
# libcrypt-dev.  iproute2 and nftables: the peer-to-peer test that drops
# datagrams with nftables in a network namespace of its own.  libssl-dev:
# TLS, AEAD and SHA-256 (libssl.a for a static server); openssl: the
# tests make certificates and talk to the TLS port with s_client.
# libmosquitto-dev: federation (the server links it when present);
# mosquitto and mosquitto-clients: the federation tests start their own
# broker on a free loopback port and read topics with mosquitto_sub.
PKGS="build-essential pkgconf libinih-dev check libncurses-dev libcrypt-dev libssl-dev openssl tmux systemd man-db clang libclang-rt-14-dev valgrind iproute2 nftables libmosquitto-dev mosquitto mosquitto-clients"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

# The tests reach the server as "localhost" (a certificate's name is
# checked against it).  Every Debian install has it in /etc/hosts; a
# minimal root made by debootstrap has no /etc/hosts at all.
if ! getent hosts localhost >/dev/null 2>&1; then
	echo "install-deps: localhost does not resolve; adding it to /etc/hosts"
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' |
	    $SUDO tee -a /etc/hosts >/dev/null ||
	    echo "install-deps: could not write /etc/hosts; the tests that connect to localhost will fail" >&2
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all build packages are installed"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: this is not a Debian system; install them by hand" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A failed index (a foreign architecture's list caught mid-sync on the
# mirror, added by the cross builds) must not stop the native install:
# warn and go on; apt-get install fails clearly if a package is missing.
$SUDO apt-get update -qq || echo "install-deps: apt-get update reported errors; going on"
# Installing mosquitto would start its system broker on port 1883: the
# tests never use one, and a board should not get a listening broker by
# surprise.  A policy-rc.d that refuses every start (exit 101) is put in
# place for the install when there is none, then removed; the unit that
# was enabled is stopped and disabled in case something started it.
policy=/usr/sbin/policy-rc.d
own_policy=no
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	own_policy=yes
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing || st=$?
if [ "$own_policy" = yes ]; then
	$SUDO rm -f "$policy"
fi
case " $missing " in
*" mosquitto "*)
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now mosquitto.service >/dev/null 2>&1 || true
	fi ;;
esac
exit "${st:-0}"
