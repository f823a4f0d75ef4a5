################################################################################
#
# firmware-server
#
################################################################################

# A release tarball or a git tag; for a local tree use
# FIRMWARE_SERVER_OVERRIDE_SRCDIR in local.mk (see board/README.md).
FIRMWARE_SERVER_VERSION = 0.1.0
FIRMWARE_SERVER_SITE = $(call github,firmware-server,firmware-server,v$(FIRMWARE_SERVER_VERSION))
FIRMWARE_SERVER_DEPENDENCIES = host-pkgconf inih libxcrypt ncurses

# The Makefile takes CC, CFLAGS, LDFLAGS, PKG_CONFIG, DESTDIR and PREFIX
# from the command line and keeps its own flags apart.  SERVER_STATIC=0:
# in an image every program shares the one libc, so the server links
# against it like the rest (the Makefile's default is a static server).
FIRMWARE_SERVER_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	SERVER_STATIC=0 \
	PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/usr/lib/systemd/system

define FIRMWARE_SERVER_BUILD_CMDS
	$(MAKE) $(FIRMWARE_SERVER_MAKE_OPTS) -C $(@D) all
endef

# The unit file comes with "make install"; Buildroot strips the binaries.
define FIRMWARE_SERVER_INSTALL_TARGET_CMDS
	$(MAKE) $(FIRMWARE_SERVER_MAKE_OPTS) -C $(@D) \
		DESTDIR=$(TARGET_DIR) install
endef

# systemd: enable the unit.  DynamicUser= needs no user table entry.
define FIRMWARE_SERVER_INSTALL_INIT_SYSTEMD
	mkdir -p $(TARGET_DIR)/usr/lib/systemd/system/multi-user.target.wants
	ln -sf ../firmware-server.service \
		$(TARGET_DIR)/usr/lib/systemd/system/multi-user.target.wants/firmware-server.service
endef

$(eval $(generic-package))
