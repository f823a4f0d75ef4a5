#!/bin/sh
# mkdeb.sh ARCH - build the Debian packages firmware-server and tui-client
# for ARCH (amd64, arm64 or armhf) into build/deb/, with dpkg-deb only (no
# debhelper): the tree comes from "make install DESTDIR=...", the binaries
# are stripped here (install never strips), the maintainer scripts enable
# the unit the way dh_installsystemd does.  Run from anywhere; prints the
# paths of the two .deb files.
set -eu

usage() {
	echo "usage: $0 amd64|arm64|armhf" >&2
	exit 2
}
[ $# -eq 1 ] || usage
ARCH=$1
cd "$(dirname "$0")/../.."
HERE=board/debian
NATIVE=$(dpkg --print-architecture 2>/dev/null || echo amd64)

case "$ARCH" in
arm64)	STRIP=aarch64-linux-gnu-strip ;;
armhf)	STRIP=arm-linux-gnueabihf-strip ;;
amd64)	STRIP=strip ;;
*)	usage ;;
esac
if [ "$ARCH" = "$NATIVE" ]; then
	MK="make"
	STRIP=strip
else
	[ "$ARCH" != amd64 ] || { echo "mkdeb: amd64 only on amd64" >&2; exit 1; }
	sh scripts/install-cross-deps.sh "$ARCH"
	MK="make TARGET=$ARCH"
fi

VERSION=$(sed -n 's/^#define FS_VERSION[^"]*"\(.*\)"/\1/p' firmware-server/main.c)
[ -n "$VERSION" ] || { echo "mkdeb: no FS_VERSION in main.c" >&2; exit 1; }
OUT=build/deb
STAGE=$OUT/stage-$ARCH
rm -rf "$STAGE"
mkdir -p "$OUT"

# One tree with everything, as a Debian system lays it out.
$MK all
$MK install DESTDIR="$PWD/$STAGE/all" PREFIX=/usr SYSCONFDIR=/etc \
    UNITDIR=/lib/systemd/system >/dev/null

# Move path (relative to the full tree) into package pkg.
take() {
	mkdir -p "$STAGE/$1/$(dirname "$2")"
	mv "$STAGE/all/$2" "$STAGE/$1/$2"
}

# Write DEBIAN/control of pkg.
control() {
	pkg=$1 depends=$2 section=$3 summary=$4 long=$5
	size=$(du -sk --exclude=DEBIAN "$STAGE/$pkg" | cut -f1)
	cat > "$STAGE/$pkg/DEBIAN/control" <<CTRL
Package: $pkg
Version: $VERSION
Architecture: $ARCH
Maintainer: firmware-server developers <firmware-server@localhost>
Installed-Size: $size
${depends:+Depends: $depends
}Section: $section
Priority: optional
Description: $summary
$long
CTRL
}

# Documentation every package carries.
docs() {
	mkdir -p "$STAGE/$1/usr/share/doc/$1"
	install -m 644 "$HERE/copyright" "$STAGE/$1/usr/share/doc/$1/copyright"
	printf '%s (%s) bookworm; urgency=medium\n\n  * Built by board/debian/mkdeb.sh.\n\n -- %s  %s\n' \
	    "$1" "$VERSION" "firmware-server developers <firmware-server@localhost>" \
	    "$(date -R -d @0)" | gzip -9n > "$STAGE/$1/usr/share/doc/$1/changelog.Debian.gz"
}

for p in firmware-server tui-client; do
	mkdir -p "$STAGE/$p/DEBIAN"
	docs "$p"
done

take firmware-server usr/sbin/firmware-server
take firmware-server etc/firmware-server/firmware-server.ini
take firmware-server usr/share/firmware-server
take firmware-server usr/share/man/man8/firmware-server.8
take firmware-server lib/systemd/system/firmware-server.service
take tui-client usr/bin/tui-client
take tui-client usr/share/man/man1/tui-client.1

for p in firmware-server tui-client; do
	find "$STAGE/$p/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} \;
done
$STRIP --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$STAGE/firmware-server/usr/sbin/firmware-server" \
    "$STAGE/tui-client/usr/bin/tui-client"

echo /etc/firmware-server/firmware-server.ini > \
    "$STAGE/firmware-server/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 755 "$HERE/firmware-server.$s" "$STAGE/firmware-server/DEBIAN/$s"
done

# Library versions: what Debian 12 (and Raspberry Pi OS bookworm) ship;
# dpkg-shlibdeps is not used because it needs the target's libraries
# installed, which a cross build from a sysroot does not have.  The
# server's come from the libraries it is linked against: none when it is
# linked statically (the Makefile's default where the toolchain can).
srv_depends=""
for lib in $(readelf -d "$STAGE/firmware-server/usr/sbin/firmware-server" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	case "$lib" in
	libc.so.*)	d="libc6 (>= 2.34)" ;;
	ld-linux*)	continue ;;
	libinih.so.*)	d="libinih1 (>= 55)" ;;
	libcrypt.so.*)	d="libcrypt1 (>= 1:4.4.10-10~)" ;;
	libssl.so.3|libcrypto.so.3) d="libssl3 (>= 3.0.0)" ;;
	libmosquitto.so.*) d="libmosquitto1 (>= 2.0.11)" ;;
	*)	echo "mkdeb: no package known for $lib" >&2; exit 1 ;;
	esac
	case ", $srv_depends, " in *", $d, "*) continue ;; esac
	srv_depends="${srv_depends:+$srv_depends, }$d"
done
control firmware-server "$srv_depends" \
    net "messaging and file-sharing server for small Linux boards" \
" A single-threaded poll() server for messaging, a message board, groups,
 edge-device data uploads and peer-to-peer file sends on a local network.
 Runs as a hardened systemd service (DynamicUser, Type=notify, watchdog)
 with its files in /var/lib/firmware-server."
control tui-client "libc6 (>= 2.34), libncursesw6 (>= 6), libtinfo6 (>= 6), libssl3 (>= 3.0.0)" \
    net "terminal client of firmware-server" \
" An ncurses client with a message pane, an input prompt, a panel of
 active users and transfer progress bars, and a plain line mode for
 scripts."

for p in firmware-server tui-client; do
	deb="$OUT/${p}_${VERSION}_${ARCH}.deb"
	dpkg-deb --root-owner-group -Zxz --build "$STAGE/$p" "$deb" >/dev/null
	echo "$deb"
done
rm -rf "$STAGE"
