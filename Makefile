# firmware-server and tui-client: one Makefile for everything.
#
#   make               build both programs in build/
#   make check         every test: unit + end-to-end, then again under ASan+UBSan
#   make deps          install the Debian packages the build needs (when missing)
#   make run           start the server on the sample settings (etc/)
#   make install       install under $(DESTDIR)$(PREFIX)
#   make options       print the flags in use
#
#   make check-graph   fail on a circle between the files of either program
#   make check-all     what CI runs: check, cross builds and their unit
#                      tests under qemu, the unit's security score, the .deb
#   make test-vm       the .deb on a booted Debian 12 arm64 machine under
#                      QEMU with systemd as PID 1 (ARCH=amd64 too); long
#
# Cross builds (board/README.md): make cross-arm64, make cross-armhf build
# into build/arm64 and build/armhf; make test-arm64, make test-armhf run the
# unit suites there under qemu-user; make deb ARCH=amd64|arm64|armhf.
# Any other toolchain: make CROSS_COMPILE=aarch64-linux-gnu- (or CC=...).

# Only the rules below: make's built-in ones would try to remake a
# dependency file X.d from X.d.o.
MAKEFLAGS	+= --no-builtin-rules
.SUFFIXES:

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= /etc
DATADIR		?= $(PREFIX)/share
MANDIR		?= $(DATADIR)/man
UNITDIR		?= $(PREFIX)/lib/systemd/system

# TARGET=arm64 or TARGET=armhf: a cross build for Raspberry Pi OS (Debian
# 12), objects in build/$(TARGET); the target's libraries come from
# multiarch packages or from the sysroot that scripts/install-cross-deps.sh
# unpacks into build/sysroot/$(TARGET) when multiarch cannot be installed.
TARGET		?=
ifeq ($(TARGET),arm64)
TRIPLET		:= aarch64-linux-gnu
QEMU		?= qemu-aarch64
else ifeq ($(TARGET),armhf)
TRIPLET		:= arm-linux-gnueabihf
QEMU		?= qemu-arm
else ifneq ($(TARGET),)
$(error TARGET=$(TARGET): use arm64 or armhf)
endif
SYSROOT_FLAGS	:=
ifneq ($(TRIPLET),)
CROSS_COMPILE	?= $(TRIPLET)-
SYSROOT		?= build/sysroot/$(TARGET)
ifneq ($(wildcard $(SYSROOT)/.complete),)
SR		:= $(abspath $(SYSROOT))
ifeq ($(origin PKG_CONFIG),undefined)
PKG_CONFIG	:= PKG_CONFIG_SYSROOT_DIR=$(SR) \
		   PKG_CONFIG_LIBDIR=$(SR)/usr/lib/$(TRIPLET)/pkgconfig:$(SR)/usr/share/pkgconfig \
		   pkg-config
endif
SYSROOT_FLAGS	:= -I$(SR)/usr/include -I$(SR)/usr/include/$(TRIPLET) \
		   -L$(SR)/usr/lib/$(TRIPLET) \
		   -L$(SR)/lib/$(TRIPLET) -Wl,-rpath-link,$(SR)/usr/lib/$(TRIPLET) \
		   -Wl,-rpath-link,$(SR)/lib/$(TRIPLET)
endif
endif

# Debian's cross compilers are TRIPLET-gcc (there is no TRIPLET-cc).
ifeq ($(origin CC),default)
CC		:= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
PKG_CONFIG	?= $(CROSS_COMPILE)pkg-config
INSTALL		?= install

CFLAGS		?= -O2 -g
LDFLAGS		?=

# SAN=1 builds everything under AddressSanitizer and UBSan in build/asan.
ifeq ($(SAN),1)
B		:= build/asan
SANFLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifneq ($(TARGET),)
B		:= build/$(TARGET)
SANFLAGS	:=
else
B		:= build
SANFLAGS	:=
endif

# The project's own flags stay out of CFLAGS, which a packager may replace.
# _FILE_OFFSET_BITS=64: 64-bit off_t and readdir on 32-bit targets (armhf),
# for files over 2 GB and directories whose entries carry 64-bit offsets.
PROJ_CFLAGS	:= -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra \
		   -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter -Icommon $(SANFLAGS) \
		   $(filter -I%,$(SYSROOT_FLAGS))
PROJ_LDFLAGS	:= $(SANFLAGS) $(filter-out -I%,$(SYSROOT_FLAGS))

INIH_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
INIH_LIBS	:= $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
CRYPT_LIBS	:= $(shell $(PKG_CONFIG) --libs libxcrypt 2>/dev/null || echo -lcrypt)
CURSES_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS	:= $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
CHECK_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS	:= $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)
SSL_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags openssl 2>/dev/null)
SSL_LIBS	:= $(shell $(PKG_CONFIG) --libs openssl 2>/dev/null || echo -lssl -lcrypto)

# The server is linked dynamically, like any program of a distribution:
# libc security updates reach it, and glibc's pages are shared with the
# board's other programs (idle, its PSS is about 1.05 MB against 1.8 MB
# for a static build; bench/README.md, "Logins and idle memory").
# SERVER_STATIC=1 links it as a static PIE (its addresses stay random)
# for images without a shared libc, where the toolchain can: not under
# SAN=1 (ASan needs the dynamic link), not with toolchains without static
# PIE (Debian's armhf: no rcrt1.o), and not when the static link fails (no
# libinih.a, say): those fall back to the dynamic link, with a note.
# In a static link libcrypto.a draws glibc's notes on dlopen and
# getaddrinfo; the server loads no module and resolves no name, so they
# are left out of the output.
SERVER_STATIC	?= 0
ifeq ($(SAN),1)
SERVER_STATIC	:= 0
endif

# Federation through an MQTT broker (docs/FEDERATION.md) needs
# libmosquitto.  FED=auto (the default) builds it in when pkg-config finds
# libmosquitto, FED=1 insists, FED=0 leaves it out (fed_nolink.c: a
# configured broker is then refused at start-up with the reason).
# Debian ships libmosquitto as a shared library only, so a server with
# federation is linked dynamically; FED=0 keeps the static server.
FED		?= auto
MOSQ_LIBS	:= $(shell $(PKG_CONFIG) --libs libmosquitto 2>/dev/null)
ifeq ($(FED),auto)
FED		:= $(if $(MOSQ_LIBS),1,0)
endif
ifeq ($(FED),1)
ifeq ($(MOSQ_LIBS),)
MOSQ_LIBS	:= -lmosquitto
endif
SERVER_STATIC	:= 0
FED_LINK_SRC	:= firmware-server/fed_link.c
else
MOSQ_LIBS	:=
FED_LINK_SRC	:= firmware-server/fed_nolink.c
endif
SERVER_LINK	:=
ifeq ($(SERVER_STATIC),1)
SERVER_LINK	:= $(if $(wildcard $(shell $(CC) -print-file-name=rcrt1.o)),-static-pie)
endif
SERVER_LIBS	:= $(INIH_LIBS) $(CRYPT_LIBS) $(SSL_LIBS) $(MOSQ_LIBS)
SERVER_STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs inih 2>/dev/null || echo -linih) \
		   $(shell $(PKG_CONFIG) --static --libs libxcrypt 2>/dev/null || echo -lcrypt) \
		   $(shell $(PKG_CONFIG) --static --libs openssl 2>/dev/null || echo -lssl -lcrypto)

# ---- What each program is made of ------------------------------------------
# One list per program (main.c apart, so that the test runners can link the
# modules); a feature adds its files to each list in its own block below,
# with its test suites.
COMMON_SRCS	:= common/proto.c common/proto_ev.c common/timefmt.c \
		   common/buf.c common/log.c common/mono.c common/loop.c \
		   common/fdio.c common/sslerr.c common/size.c common/sig.c
SERVER_MAIN	:= firmware-server/main.c
CLIENT_MAIN	:= tui-client/main.c

# ---- Test suites: the one place a suite is registered -----------------------
# Three runners: build/run-tests-server (unit suites of the server's modules
# and of common/), build/run-tests-client (unit suites of the client's
# modules) and build/run-tests-e2e (the real programs on loopback).  Suite
# NAME is the function suite_NAME() in tests/unit/check_NAME.c (for the
# e2e runner tests/e2e/check_NAME.c); a runner's main (tests/check_main.c)
# adds the suites of its list, in this order, from a header written from
# these lists.  *_TEST_SRCS: more files of a runner (helpers, and test
# cases that a suite of another file adds).
SERVER_SUITES	:= proto timefmt buf common
CLIENT_SUITES	:=
E2E_SUITES	:=
SERVER_TEST_SRCS := tests/unit/check_proto_ev.c
CLIENT_TEST_SRCS :=
E2E_TEST_SRCS	:= tests/e2e/harness.c tests/e2e/harness_stream.c \
		   tests/e2e/harness_server.c tests/e2e/harness_plain.c \
		   tests/e2e/harness_raw.c tests/e2e/tmux.c tests/e2e/steps.c

# The server's core: settings, start-up and the loop, connections, the
# command table, sessions and logins, the password hasher, lasting state.
SERVER_SRCS	:= firmware-server/config.c firmware-server/server.c \
		   firmware-server/conn.c firmware-server/cmd.c \
		   firmware-server/cmd_table.c firmware-server/heap.c \
		   firmware-server/userlog.c \
		   firmware-server/cmd_session.c firmware-server/cmd_who.c \
		   firmware-server/session.c firmware-server/accounts.c \
		   firmware-server/lockout.c firmware-server/history.c \
		   firmware-server/store.c firmware-server/syncq.c \
		   firmware-server/hasher.c firmware-server/state.c
SERVER_SUITES	+= config lockout history store
E2E_SUITES	+= e2e_session e2e_hostile e2e_abuse
E2E_TEST_SRCS	+= tests/e2e/check_e2e_online.c tests/e2e/check_e2e_startup.c

# The client's core: the connection, the model, the command table, the
# login state machine, the plain frontend, its settings and questions.
CLIENT_SRCS	:= tui-client/net.c tui-client/model.c tui-client/cmds.c \
		   tui-client/plain.c tui-client/app.c tui-client/conf.c \
		   tui-client/ask.c tui-client/sanitize.c \
		   tui-client/progress.c tui-client/features.c \
		   tui-client/app_feature.c
CLIENT_SUITES	+= client

# Messaging: direct messages, broadcast, blocks, the offline queue, the
# board, groups, the user list (issue 2).
SERVER_SRCS	+= firmware-server/board.c firmware-server/groups.c \
		   firmware-server/blocks.c firmware-server/offline.c \
		   firmware-server/cmd_msg.c firmware-server/cmd_board.c \
		   firmware-server/cmd_group.c
CLIENT_SRCS	+= tui-client/msgs.c tui-client/who.c tui-client/msgid.c
CLIENT_SUITES	+= msgid
SERVER_SUITES	+= msgrules
E2E_SUITES	+= e2e_msg e2e_msgid

# Transport security: the TLS listener, the client's trust on first use.
SERVER_SRCS	+= firmware-server/tls.c firmware-server/tlsrec.c \
		   firmware-server/tlskey.c
CLIENT_SRCS	+= tui-client/net_tls.c tui-client/trust.c
SERVER_SUITES	+= tlsrec
SERVER_TEST_SRCS += tests/unit/check_tls_stream.c
CLIENT_SUITES	+= trust
E2E_SUITES	+= e2e_tls e2e_tlsrec
E2E_TEST_SRCS	+= tests/e2e/check_e2e_tls_ca.c

# Staying on when the connection goes: backoff, the queue of typed lines.
CLIENT_SRCS	+= tui-client/reconn.c tui-client/app_reconn.c

# The screen (only ui*.c include curses): its curses-free parts tested as
# units, the real client driven in tmux.
CLIENT_SRCS	+= tui-client/input.c tui-client/pane.c tui-client/ui.c \
		   tui-client/ui_draw.c tui-client/win.c tui-client/ui_win.c \
		   tui-client/ui_alt.c tui-client/split.c tui-client/ui_paste.c
CLIENT_SUITES	+= tui daily
E2E_SUITES	+= e2e_tui e2e_daily

# Federation (issue 18): the link, boards and presence, DMs and
# broadcasts across boards, the pure topic and payload codec.
SERVER_SRCS	+= firmware-server/fed.c firmware-server/fed_msg.c \
		   firmware-server/fed_outbox.c \
		   firmware-server/fed_codec.c firmware-server/fed_edge.c \
		   $(FED_LINK_SRC)
SERVER_SUITES	+= fed_codec
E2E_SUITES	+= e2e_fed

# systemd's notify protocol and the SIGHUP reload.
SERVER_SRCS	+= firmware-server/notify.c firmware-server/reload.c
SERVER_SUITES	+= accounts_reload
E2E_SUITES	+= e2e_notify

# Edge data: EDG UED SCS DTE (generate, upload, statistics, delete).
SERVER_SRCS	+= firmware-server/edge_data.c firmware-server/cmd_edge.c
CLIENT_SRCS	+= tui-client/edge.c
SERVER_SUITES	+= edge
CLIENT_SUITES	+= edge_client
E2E_SUITES	+= e2e_edge

# Peer to peer: reliable UDP file send, private chats (issue 5); the
# server only introduces the two clients.
SERVER_SRCS	+= firmware-server/cmd_p2p.c
CLIENT_SRCS	+= tui-client/p2p.c tui-client/p2p_send.c tui-client/p2p_recv.c \
		   tui-client/p2p_wire.c tui-client/p2p_io.c tui-client/sha256.c \
		   tui-client/p2p_aead.c tui-client/privwire.c \
		   tui-client/privchat.c tui-client/privchat_io.c
CLIENT_SUITES	+= p2p privwire
CLIENT_TEST_SRCS += tests/unit/check_p2p_io.c
E2E_SUITES	+= e2e_p2p e2e_p2pcrypt
E2E_TEST_SRCS	+= tests/e2e/check_e2e_files.c tests/e2e/check_e2e_private.c

# TEST_SRCS was the one list of test files before the runners were split:
# a branch that still adds to it would have its suite silently left out.
ifneq ($(TEST_SRCS),)
$(error TEST_SRCS is gone: name a suite in SERVER_SUITES, CLIENT_SUITES or E2E_SUITES, other test files in SERVER_TEST_SRCS, CLIENT_TEST_SRCS or E2E_TEST_SRCS)
endif

obj		= $(patsubst %.c,$(B)/obj/%.o,$(1))
COMMON_OBJS	:= $(call obj,$(COMMON_SRCS))
SERVER_OBJS	:= $(call obj,$(SERVER_SRCS))
CLIENT_OBJS	:= $(call obj,$(CLIENT_SRCS))
TESTS_server	:= $(patsubst %,tests/unit/check_%.c,$(SERVER_SUITES)) \
		   $(SERVER_TEST_SRCS)
TESTS_client	:= $(patsubst %,tests/unit/check_%.c,$(CLIENT_SUITES)) \
		   $(CLIENT_TEST_SRCS)
TESTS_e2e	:= $(patsubst %,tests/e2e/check_%.c,$(E2E_SUITES)) \
		   $(E2E_TEST_SRCS)
TEST_OBJS	:= $(call obj,$(TESTS_server) $(TESTS_client) $(TESTS_e2e)) \
		   $(B)/obj/tests/check_main_server.o \
		   $(B)/obj/tests/check_main_client.o \
		   $(B)/obj/tests/check_main_e2e.o

SERVER_BIN	:= $(B)/firmware-server
CLIENT_BIN	:= $(B)/tui-client
RUNNERS		:= $(B)/run-tests-server $(B)/run-tests-client $(B)/run-tests-e2e
UNIT_RUNNERS	:= $(B)/run-tests-server $(B)/run-tests-client
TEST_BIN	:= $(B)/run-tests

.PHONY: all check test test-asan deps run install uninstall options clean \
	bench-msg bench-p2p bench-fed bench soak fuzz fuzz-short test-valgrind \
	test-unit cross-arm64 cross-armhf test-arm64 test-armhf test-qemu deb \
	check-board check-all test-vm check-graph

all: $(SERVER_BIN) $(CLIENT_BIN)

$(SERVER_BIN): $(call obj,$(SERVER_MAIN)) $(SERVER_OBJS) $(COMMON_OBJS)
ifneq ($(SERVER_LINK),)
	@if $(CC) $(PROJ_LDFLAGS) $(LDFLAGS) $(SERVER_LINK) -o $@ $^ \
	    $(SERVER_STATIC_LIBS) 2>$@.link; then \
		echo "$(CC) ... $(SERVER_LINK) -o $@ ... $(SERVER_STATIC_LIBS)"; \
		grep -v -E "statically linked applications requires at runtime|libcrypto\.a\(.*\): in function" \
		    $@.link >&2 || true; \
	else \
		echo "note: no static link of the server ($$(grep -m1 -v '^collect2' $@.link)); linking it dynamically"; \
		echo "$(CC) ... -o $@ ... $(SERVER_LIBS)"; \
		$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS); \
	fi; st=$$?; rm -f $@.link; exit $$st
else
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)
endif

# valgrind cannot check a static glibc program (it replaces malloc and the
# string functions in shared libraries only): test-valgrind runs the same
# objects linked dynamically, whatever SERVER_STATIC says.
SERVER_DYN_BIN	:= $(B)/firmware-server-dynamic
$(SERVER_DYN_BIN): $(call obj,$(SERVER_MAIN)) $(SERVER_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)

$(CLIENT_BIN): $(call obj,$(CLIENT_MAIN)) $(CLIENT_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CURSES_LIBS) $(INIH_LIBS) \
	    $(SSL_LIBS)

# The programs' modules as archives, for the test runners: the linker takes
# from an archive only the modules a runner's tests need, with what those
# need in turn.  So a unit runner holds the modules it tests and no more,
# and no list here follows the modules' dependencies.
ifeq ($(origin AR),default)
AR		:= $(CROSS_COMPILE)ar
endif
# The runners of a cross build have no broker (the stand-in link), so a
# static link needs no static libmosquitto (Debian has none).
ifneq ($(TARGET),)
TEST_SERVER_OBJS := $(sort $(filter-out $(B)/obj/firmware-server/fed_link.o,\
		   $(SERVER_OBJS)) $(B)/obj/firmware-server/fed_nolink.o)
else
TEST_SERVER_OBJS := $(SERVER_OBJS)
endif
$(B)/lib/libcommon.a: $(COMMON_OBJS)
$(B)/lib/libserver.a: $(TEST_SERVER_OBJS)
$(B)/lib/libclient.a: $(CLIENT_OBJS)
$(B)/lib/%.a:
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# The unit runners of a cross build are linked -static, which keeps qemu
# away from the target's shared libraries: running with "qemu -L SYSROOT"
# beside the multiarch libc mixes two glibc builds, and every fork() then
# hangs.  (Linking net.c statically draws glibc's getaddrinfo warning; the
# unit suites resolve no host names.)
UNIT_STATIC	:= $(if $(TARGET),-static)
UNIT_SSL_LIBS	:= $(if $(UNIT_STATIC),$(shell $(PKG_CONFIG) --static --libs openssl 2>/dev/null || echo -lssl -lcrypto),$(SSL_LIBS))

$(B)/run-tests-server: $(call obj,$(TESTS_server)) \
		   $(B)/obj/tests/check_main_server.o $(B)/lib/libserver.a \
		   $(B)/lib/libcommon.a
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) $(UNIT_STATIC) -o $@ $^ $(CHECK_LIBS) \
	    $(INIH_LIBS) $(CRYPT_LIBS) $(UNIT_SSL_LIBS) \
	    $(if $(UNIT_STATIC),,$(MOSQ_LIBS))

$(B)/run-tests-client: $(call obj,$(TESTS_client)) \
		   $(B)/obj/tests/check_main_client.o $(B)/lib/libclient.a \
		   $(B)/lib/libcommon.a
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) $(UNIT_STATIC) -o $@ $^ $(CHECK_LIBS) \
	    $(INIH_LIBS) $(CURSES_LIBS) $(UNIT_SSL_LIBS)

# The e2e runner drives the real programs; a few of its checks compute
# what a peer or the server would (a password hash, a sealed frame), and
# take that module from the program's archive.
$(B)/run-tests-e2e: $(call obj,$(TESTS_e2e)) \
		   $(B)/obj/tests/check_main_e2e.o $(B)/lib/libserver.a \
		   $(B)/lib/libclient.a $(B)/lib/libcommon.a
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(INIH_LIBS) \
	    $(CRYPT_LIBS) $(CURSES_LIBS) $(SSL_LIBS) $(MOSQ_LIBS)

# build/run-tests: every runner of the build in turn; CK_RUN_SUITE=NAME
# runs only the runner that has suite NAME.
$(TEST_BIN): $(RUNNERS) Makefile
	@{ echo '#!/bin/sh'; \
	   echo '# Written by the Makefile: every test runner of this build.'; \
	   echo 'dir=$$(dirname "$$0") st=0 ran=0'; \
	   echo 'run() {'; \
	   echo '	if [ -n "$${CK_RUN_SUITE:-}" ]; then'; \
	   echo '		case " $$2 " in *" $$CK_RUN_SUITE "*) ;; *) return ;; esac'; \
	   echo '	fi'; \
	   echo '	ran=1; "$$dir/run-tests-$$1" || st=1'; \
	   echo '}'; \
	   echo 'run server "$(SERVER_SUITES)"'; \
	   echo 'run client "$(CLIENT_SUITES)"'; \
	   echo 'run e2e "$(E2E_SUITES)"'; \
	   echo '[ $$ran = 1 ] || { echo "run-tests: no suite $$CK_RUN_SUITE" >&2; exit 1; }'; \
	   echo 'exit $$st'; } > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@

# The header that registers the suites: SUITES_server, SUITES_client and
# SUITES_e2e, each a list of SUITE(NAME), written from the lists above
# (and rewritten only when they change, so nothing rebuilds for nothing).
SUITE_LIST	:= $(B)/gen/suite_list.h
$(SUITE_LIST): FORCE
	@mkdir -p $(@D)
	@{ echo '/* Written by the Makefile from its suite lists. */'; \
	   echo '#define SUITES_server $(foreach s,$(SERVER_SUITES),SUITE($(s)))'; \
	   echo '#define SUITES_client $(foreach s,$(CLIENT_SUITES),SUITE($(s)))'; \
	   echo '#define SUITES_e2e $(foreach s,$(E2E_SUITES),SUITE($(s)))'; \
	   } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

$(TEST_OBJS): | $(SUITE_LIST)
$(B)/obj/tests/check_main_%.o: tests/check_main.c
	@mkdir -p $(@D)
	$(CC) $(PROJ_CFLAGS) $(PKG_CFLAGS) -DRUNNER_SUITES=SUITES_$* \
	    $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/firmware-server/%.o: PKG_CFLAGS = $(INIH_CFLAGS) $(SSL_CFLAGS)
$(B)/obj/tui-client/%.o: PKG_CFLAGS = $(CURSES_CFLAGS) $(INIH_CFLAGS) $(SSL_CFLAGS)
$(B)/obj/tests/%.o: PKG_CFLAGS = $(CHECK_CFLAGS) $(INIH_CFLAGS) $(SSL_CFLAGS) \
	-Itests -I$(B)/gen $(TEST_INC) -DTEST_BUILD_DIR='"$(B)"'
# A unit test sees the headers of the program it tests only.
$(call obj,$(TESTS_server)): TEST_INC = -Ifirmware-server
$(call obj,$(TESTS_client)): TEST_INC = -Itui-client
$(call obj,$(TESTS_e2e)): TEST_INC = -Itests/e2e -Ifirmware-server -Itui-client

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PROJ_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# Run every suite in this build: the three runners, each ending with
# Check's summary line.
test: $(SERVER_BIN) $(CLIENT_BIN) $(TEST_BIN)
	$(TEST_BIN)

# The same suite built and run under AddressSanitizer and UBSan.
test-asan:
	$(MAKE) SAN=1 test

# What CI and the README run: both of the above.
check: test test-asan

# The unit suites alone, natively.
test-unit: $(UNIT_RUNNERS)
	@st=0; for r in $(UNIT_RUNNERS); do echo "$$r"; $$r || st=1; done; exit $$st

# Cross builds and their unit suites under qemu-user; each first installs
# (or explains) the Debian packages it needs.
cross-arm64 cross-armhf: cross-%:
	sh scripts/install-cross-deps.sh $*
	$(MAKE) TARGET=$* all

test-arm64 test-armhf: test-%:
	sh scripts/install-cross-deps.sh $*
	$(MAKE) TARGET=$* test-qemu

# (internal) run the static unit runners of $(TARGET) under qemu-user.
test-qemu: $(UNIT_RUNNERS)
	@test -n "$(TARGET)" || { echo "test-qemu needs TARGET=arm64|armhf"; exit 1; }
	@st=0; for r in $(UNIT_RUNNERS); do \
		echo "CK_TIMEOUT_MULTIPLIER=10 $(QEMU) $$r"; \
		CK_TIMEOUT_MULTIPLIER=10 $(QEMU) $$r || st=1; \
	done; exit $$st

# Debian packages (firmware-server and tui-client) in build/deb/.
ARCH		?= $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
deb:
	sh board/debian/mkdeb.sh $(ARCH)

# The board checks: the unit's security score, man pages against --help,
# the amd64 packages' contents.
check-board: $(SERVER_BIN) $(CLIENT_BIN)
	sh board/check-board.sh $(B)

# The packages on a booted machine (tests/vm/vm.sh, board/README.md): a
# Debian 12 image for VM_ARCH made with debootstrap and cached in
# build/vm/, booted under QEMU (TCG) with Debian's kernel; the service
# checked under a real systemd through a forwarded port.  ARCH=amd64 runs
# the amd64 machine; without ARCH on the command line it is arm64.
VM_ARCH		:= $(if $(filter command line environment,$(origin ARCH)),$(ARCH),arm64)
test-vm: $(CLIENT_BIN)
	sh scripts/install-vm-deps.sh $(VM_ARCH)
	bash tests/vm/vm.sh $(VM_ARCH)

# No circle between the files of a program: the file-level call graph of
# DIR (scripts/callgraph.sh: which object uses a symbol another defines)
# must sort, for firmware-server/ and for tui-client/.
check-graph: $(SERVER_OBJS) $(call obj,$(SERVER_MAIN)) $(CLIENT_OBJS) \
	    $(call obj,$(CLIENT_MAIN))
	NM=$(CROSS_COMPILE)nm sh scripts/callgraph.sh firmware-server \
	    $(filter $(B)/obj/firmware-server/%,$^)
	NM=$(CROSS_COMPILE)nm sh scripts/callgraph.sh tui-client \
	    $(filter $(B)/obj/tui-client/%,$^)

# Everything CI runs.
check-all: check check-graph fuzz-short test-valgrind cross-arm64 test-arm64 cross-armhf test-armhf check-board

# Fuzzing: a libFuzzer harness per decoder (tests/fuzz/fuzz_NAME.c),
# built with clang; each runs FUZZ_SECONDS with its seeds from
# tests/fuzz/seeds/NAME.  New inputs and crash reproducers go to
# build/fuzz/.  A harness links the archive of its program's modules (and
# common/'s) compiled for fuzzing: the linker takes the modules the
# harness calls and what they call, so no list here follows a module's
# dependencies.  A new fuzzer is one word in FUZZ_SERVER or FUZZ_CLIENT.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_FLAGS	:= -g -O1 -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
		   -Wall -Wextra -Wno-unused-parameter \
		   -fsanitize=fuzzer,address,undefined -Icommon
FUZZ_SERVER	:= proto proto_ev config timefmt accounts state journal edge fed tls \
		   tlsrec
FUZZ_CLIENT	:= p2p sanitize trust privwire
FUZZERS		:= $(FUZZ_SERVER) $(FUZZ_CLIENT)
FZ		:= build/fuzz
fuzz_obj	= $(patsubst %.c,$(FZ)/obj/%.o,$(1))

$(FZ)/libserver.a: $(call fuzz_obj,$(SERVER_SRCS) $(COMMON_SRCS))
$(FZ)/libclient.a: $(call fuzz_obj,$(CLIENT_SRCS) $(COMMON_SRCS))
$(FZ)/%.a:
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(FZ)/obj/firmware-server/%.o: PKG_CFLAGS = $(INIH_CFLAGS) $(SSL_CFLAGS)
$(FZ)/obj/tui-client/%.o: PKG_CFLAGS = $(CURSES_CFLAGS) $(INIH_CFLAGS) $(SSL_CFLAGS)
$(FZ)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(addprefix $(FZ)/fuzz_,$(FUZZ_SERVER)): $(FZ)/fuzz_%: tests/fuzz/fuzz_%.c \
		   $(FZ)/libserver.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ifirmware-server -o $@ $^ $(SERVER_LIBS)
$(addprefix $(FZ)/fuzz_,$(FUZZ_CLIENT)): $(FZ)/fuzz_%: tests/fuzz/fuzz_%.c \
		   $(FZ)/libclient.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -Itui-client -o $@ $^ $(CURSES_LIBS) \
	    $(INIH_LIBS) $(SSL_LIBS)

-include $(shell find $(FZ)/obj -name '*.d' 2>/dev/null)

fuzz: $(addprefix build/fuzz/fuzz_,$(FUZZERS))
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$f; \
		echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
		    -artifact_prefix=build/fuzz/crash-$$f- -print_final_stats=1 \
		    build/fuzz/corpus/$$f tests/fuzz/seeds/$$f 2>&1 | \
		    grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done|==.*ERROR|SUMMARY)" \
		    || exit 1; \
		test -z "$$(ls build/fuzz/crash-$$f-* 2>/dev/null)" || exit 1; \
	done

# The end-to-end suites of sessions and messaging with the server and
# every plain client under valgrind memcheck: an invalid access or a
# definite leak makes a process exit 99, which fails the test.
VALGRIND_SUITES	?= e2e_session e2e_msg e2e_tls e2e_tlsrec
test-valgrind: $(SERVER_DYN_BIN) $(CLIENT_BIN) $(B)/run-tests-e2e
	@for s in $(VALGRIND_SUITES); do \
		echo "valgrind: $$s"; \
		E2E_VALGRIND=1 E2E_SERVER_BIN=$(SERVER_DYN_BIN) \
		    CK_TIMEOUT_MULTIPLIER=5 CK_RUN_SUITE=$$s \
		    $(B)/run-tests-e2e || exit 1; \
	done

# A short run of every fuzzer, for CI.
fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=10

# Figures for the messaging milestone (see bench/README.md).
bench-msg: $(SERVER_BIN) $(B)/msgbench
	$(B)/msgbench $(B)

$(B)/msgbench: bench/msgbench.c bench/benchlib.c bench/benchlib.h
	$(CC) $(PROJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ \
	    bench/msgbench.c bench/benchlib.c

# Figures for federation (docs/FEDERATION.md): cross-board DMs through a
# real mosquitto against one board, and the outbox's drain after an outage.
bench-fed: $(SERVER_BIN) $(B)/fedbench
	$(B)/fedbench $(B)

$(B)/fedbench: bench/fedbench.c bench/benchlib.c bench/benchlib.h
	$(CC) $(PROJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ \
	    bench/fedbench.c bench/benchlib.c

# Side by side with ngIRCd and Mosquitto (bench/README.md); installs them
# when missing.  Not part of check: it prints figures, it judges nothing.
bench: $(SERVER_BIN) $(B)/loadgen
	bash bench/run.sh $(B)

$(B)/loadgen: bench/loadgen.c bench/lgtls.c bench/lgtls.h common/sslerr.c
	$(CC) $(PROJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ \
	    bench/loadgen.c bench/lgtls.c common/sslerr.c $(SSL_LIBS)

# Heap bytes the TLS layer keeps per idle connection (bench/memory.sh).
$(B)/tlsmem: bench/tlsmem.c firmware-server/tls.c firmware-server/tlsrec.c \
		   firmware-server/tlskey.c firmware-server/store.c \
		   firmware-server/syncq.c common/fdio.c \
		   common/sslerr.c common/log.c
	$(CC) $(PROJ_CFLAGS) -Ifirmware-server $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) \
	    $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

# A long run on one server (not in CI): SOAK_MINUTES (default 30), see
# bench/soak.sh.
soak: $(SERVER_BIN) $(CLIENT_BIN) $(B)/loadgen
	bash bench/soak.sh $(B)

# Figures for peer-to-peer file send (see bench/README.md).
bench-p2p: $(SERVER_BIN) $(CLIENT_BIN) $(B)/udpblast
	sh bench/p2pbench.sh $(B)

$(B)/udpblast: bench/udpblast.c
	$(CC) $(PROJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $<

deps:
	sh scripts/install-deps.sh

RUN_DIR		?= $(B)/run
RUN_PORT	?= 4000
run: $(SERVER_BIN) $(CLIENT_BIN)
	@mkdir -p $(RUN_DIR)
	@[ -f $(RUN_DIR)/credentials.txt ] || cp etc/credentials.txt $(RUN_DIR)/
	@echo "Server on port $(RUN_PORT), data in $(RUN_DIR)."
	@echo "Open a client in another terminal:  $(CLIENT_BIN) 127.0.0.1 $(RUN_PORT)"
	@echo "  or over TLS (port 4001 in the sample settings):  $(CLIENT_BIN) --tls 127.0.0.1 4001"
	@echo "Demo accounts are in etc/credentials.txt (e.g. alice / alice123). Ctrl-C stops the server."
	$(SERVER_BIN) -c etc/firmware-server.ini -d $(RUN_DIR) -p $(RUN_PORT)

# The installed INI is the sample with data_dir left unset, so that under
# systemd the server keeps its files in $STATE_DIRECTORY.
INI_SYSTEM_SED	:= -e 's|^data_dir = .*|; unset: under systemd the server uses $$STATE_DIRECTORY\n; (/var/lib/firmware-server), else the current directory\n;data_dir = /var/lib/firmware-server|'
UNIT_SED	:= -e 's|/usr/sbin/firmware-server|$(SBINDIR)/firmware-server|' \
		   -e 's|/etc/firmware-server/|$(SYSCONFDIR)/firmware-server/|g'

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/firmware-server \
	    $(DESTDIR)$(DATADIR)/firmware-server $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 755 $(SERVER_BIN) $(DESTDIR)$(SBINDIR)/firmware-server
	$(INSTALL) -m 755 $(CLIENT_BIN) $(DESTDIR)$(BINDIR)/tui-client
	sed $(INI_SYSTEM_SED) etc/firmware-server.ini > $(DESTDIR)$(SYSCONFDIR)/firmware-server/firmware-server.ini
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/firmware-server/firmware-server.ini
	$(INSTALL) -m 644 etc/firmware-server.ini etc/credentials.txt \
	    $(DESTDIR)$(DATADIR)/firmware-server/
	$(INSTALL) -m 644 docs/man/firmware-server.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 644 docs/man/tui-client.1 $(DESTDIR)$(MANDIR)/man1/
	sed $(UNIT_SED) board/firmware-server.service > $(DESTDIR)$(UNITDIR)/firmware-server.service
	chmod 644 $(DESTDIR)$(UNITDIR)/firmware-server.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/firmware-server $(DESTDIR)$(BINDIR)/tui-client \
	    $(DESTDIR)$(SYSCONFDIR)/firmware-server/firmware-server.ini \
	    $(DESTDIR)$(DATADIR)/firmware-server/firmware-server.ini \
	    $(DESTDIR)$(DATADIR)/firmware-server/credentials.txt \
	    $(DESTDIR)$(MANDIR)/man8/firmware-server.8 \
	    $(DESTDIR)$(MANDIR)/man1/tui-client.1 \
	    $(DESTDIR)$(UNITDIR)/firmware-server.service
	-rmdir $(DESTDIR)$(SYSCONFDIR)/firmware-server \
	    $(DESTDIR)$(DATADIR)/firmware-server 2>/dev/null

options:
	@echo "CC       = $(CC)"
	@echo "AR       = $(AR)"
	@echo "CFLAGS   = $(CFLAGS)"
	@echo "LDFLAGS  = $(LDFLAGS)"
	@echo "project  = $(PROJ_CFLAGS)"
	@echo "inih     = $(INIH_CFLAGS) $(INIH_LIBS)"
	@echo "curses   = $(CURSES_CFLAGS) $(CURSES_LIBS)"
	@echo "check    = $(CHECK_CFLAGS) $(CHECK_LIBS)"
	@echo "crypt    = $(CRYPT_LIBS)"
	@echo "openssl  = $(SSL_CFLAGS) $(SSL_LIBS)"
	@echo "fed      = FED=$(FED) $(MOSQ_LIBS) ($(FED_LINK_SRC))"
	@echo "server   = $(if $(SERVER_LINK),$(SERVER_LINK) $(SERVER_STATIC_LIBS),dynamic) (SERVER_STATIC=$(SERVER_STATIC))"
	@echo "PREFIX   = $(PREFIX)"
	@echo "TARGET   = $(TARGET) (objects in $(B))"
	@echo "sysroot  = $(SYSROOT_FLAGS)"

clean:
	rm -rf build
