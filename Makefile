# firmware-server and tui-client: one Makefile for everything.
#
#   make               build both programs in build/
#   make check         every test: unit + end-to-end, then again under ASan+UBSan
#   make deps          install the Debian packages the build needs (when missing)
#   make run           start the server on the sample settings (etc/)
#   make install       install under $(DESTDIR)$(PREFIX)
#   make options       print the flags in use
#
#   make check-all     what CI runs: check, cross builds and their unit
#                      tests under qemu, the unit's security score, the .deb
#   make test-vm       the .deb on a booted Debian 12 arm64 machine under
#                      QEMU with systemd as PID 1 (ARCH=amd64 too); long
#
# Cross builds (board/README.md): make cross-arm64, make cross-armhf build
# into build/arm64 and build/armhf; make test-arm64, make test-armhf run the
# unit suites there under qemu-user; make deb ARCH=amd64|arm64|armhf.
# Any other toolchain: make CROSS_COMPILE=aarch64-linux-gnu- (or CC=...).

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

COMMON_SRCS	:= common/proto.c common/proto_ev.c common/timefmt.c common/buf.c common/log.c \
		   common/mono.c \
		   common/loop.c common/fdio.c
# Everything of the server but main.c, so that tests can link the modules.
SERVER_SRCS	:= firmware-server/config.c firmware-server/server.c \
		   firmware-server/conn.c firmware-server/cmd.c \
		   firmware-server/cmd_session.c firmware-server/cmd_who.c \
		   firmware-server/session.c firmware-server/accounts.c \
		   firmware-server/lockout.c firmware-server/history.c \
		   firmware-server/store.c firmware-server/syncq.c \
		   firmware-server/hasher.c \
		   firmware-server/state.c \
		   firmware-server/board.c firmware-server/groups.c \
		   firmware-server/blocks.c firmware-server/offline.c \
		   firmware-server/cmd_msg.c firmware-server/cmd_board.c \
		   firmware-server/cmd_group.c firmware-server/cmd_p2p.c \
		   firmware-server/tls.c
SERVER_MAIN	:= firmware-server/main.c
# Everything of the client but main.c; only ui*.c may include curses.
CLIENT_SRCS	:= tui-client/net.c tui-client/model.c tui-client/cmds.c \
		   tui-client/plain.c tui-client/app.c \
		   tui-client/input.c tui-client/pane.c tui-client/progress.c \
		   tui-client/ui.c tui-client/ui_draw.c tui-client/msgs.c \
		   tui-client/who.c tui-client/sanitize.c tui-client/net_tls.c \
		   tui-client/trust.c tui-client/reconn.c tui-client/app_reconn.c \
		   tui-client/win.c tui-client/ui_win.c tui-client/ui_alt.c \
		   tui-client/split.c tui-client/ui_paste.c \
		   tui-client/features.c tui-client/app_feature.c
CLIENT_MAIN	:= tui-client/main.c
TEST_SRCS	:= tests/check_main.c tests/unit/check_proto.c \
		   tests/unit/check_proto_ev.c \
		   tests/unit/check_timefmt.c tests/unit/check_buf.c \
		   tests/unit/check_config.c tests/unit/check_lockout.c \
		   tests/unit/check_history.c tests/unit/check_client.c \
		   tests/e2e/harness.c tests/e2e/steps.c \
		   tests/unit/check_msgrules.c tests/unit/check_store.c \
		   tests/e2e/check_e2e_msg.c \
		   tests/e2e/check_e2e_hostile.c tests/e2e/check_e2e_abuse.c \
		   tests/e2e/check_e2e_session.c

# Federation (issue 18): the link, boards and presence, DMs and
# broadcasts across boards, the pure topic and payload codec.
SERVER_SRCS	+= firmware-server/fed.c firmware-server/fed_msg.c \
		   firmware-server/fed_codec.c firmware-server/fed_edge.c \
		   $(FED_LINK_SRC)
TEST_SRCS	+= tests/unit/check_fed_codec.c tests/e2e/check_e2e_fed.c

# systemd's notify protocol and the SIGHUP reload; the notify e2e suite.
SERVER_SRCS	+= firmware-server/notify.c firmware-server/reload.c
TEST_SRCS	+= tests/e2e/check_e2e_notify.c tests/unit/check_accounts_reload.c

# Edge data: EDG UED SCS DTE (generate, upload, statistics, delete).
SERVER_SRCS	+= firmware-server/edge.c firmware-server/cmd_edge.c
CLIENT_SRCS	+= tui-client/edge.c
TEST_SRCS	+= tests/unit/check_edge.c tests/e2e/check_e2e_edge.c

# Peer to peer: reliable UDP file send, private chats (issue 5).
CLIENT_SRCS	+= tui-client/p2p.c tui-client/p2p_send.c tui-client/p2p_recv.c \
		   tui-client/p2p_wire.c tui-client/p2p_io.c tui-client/sha256.c \
		   tui-client/p2p_aead.c tui-client/privwire.c \
		   tui-client/ask.c tui-client/conf.c tui-client/privchat.c \
		   tui-client/privchat_io.c
TEST_SRCS	+= tests/unit/check_p2p.c tests/unit/check_p2p_io.c \
		   tests/e2e/check_e2e_p2p.c tests/e2e/check_e2e_files.c \
		   tests/e2e/check_e2e_p2pcrypt.c tests/unit/check_privwire.c

# Transport security: the TLS listener, the client's trust on first use.
TEST_SRCS	+= tests/e2e/check_e2e_tls.c tests/unit/check_trust.c

# The screen: its curses-free parts, and the real client driven in tmux.
TEST_SRCS	+= tests/unit/check_tui.c tests/unit/check_daily.c tests/e2e/tmux.c \
		   tests/e2e/check_e2e_tui.c tests/e2e/check_e2e_daily.c

obj		= $(patsubst %.c,$(B)/obj/%.o,$(1))
COMMON_OBJS	:= $(call obj,$(COMMON_SRCS))
SERVER_OBJS	:= $(call obj,$(SERVER_SRCS))
CLIENT_OBJS	:= $(call obj,$(CLIENT_SRCS))
TEST_OBJS	:= $(call obj,$(TEST_SRCS))

SERVER_BIN	:= $(B)/firmware-server
CLIENT_BIN	:= $(B)/tui-client
TEST_BIN	:= $(B)/run-tests

.PHONY: all check test test-asan deps run install uninstall options clean \
	bench-msg bench-p2p bench-fed bench fuzz fuzz-short test-valgrind \
	test-unit cross-arm64 cross-armhf test-arm64 test-armhf test-qemu deb \
	check-board check-all test-vm

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

$(TEST_BIN): $(TEST_OBJS) $(SERVER_OBJS) $(CLIENT_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(INIH_LIBS) \
	    $(CRYPT_LIBS) $(CURSES_LIBS) $(SSL_LIBS) $(MOSQ_LIBS)

# The unit suites alone (no suite_e2e_*), for qemu: check_main.c built with
# UNIT_ONLY.  Cross builds link it -static, which keeps qemu away from the
# target's shared libraries: running with "qemu -L SYSROOT" beside the
# multiarch libc mixes two glibc builds, and every fork() then hangs.
UNIT_BIN	:= $(B)/run-unit-tests
UNIT_OBJS	:= $(filter-out $(B)/obj/tests/check_main.o,$(TEST_OBJS)) \
		   $(B)/obj/tests/check_main_unit.o
# (Linking net.c statically draws glibc's getaddrinfo warning; the unit
# suites resolve no host names.)
UNIT_STATIC	:= $(if $(TARGET),-static)

# No broker in the unit suites: the runner links the stand-in link, so a
# static cross build needs no static libmosquitto (Debian has none).
UNIT_SERVER_OBJS := $(sort $(filter-out $(B)/obj/firmware-server/fed_link.o,\
		   $(SERVER_OBJS)) $(B)/obj/firmware-server/fed_nolink.o)
$(UNIT_BIN): $(UNIT_OBJS) $(UNIT_SERVER_OBJS) $(CLIENT_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) $(UNIT_STATIC) -o $@ $^ $(CHECK_LIBS) \
	    $(INIH_LIBS) $(CRYPT_LIBS) $(CURSES_LIBS) \
	    $(if $(UNIT_STATIC),$(shell $(PKG_CONFIG) --static --libs openssl 2>/dev/null || echo -lssl -lcrypto),$(SSL_LIBS))

$(B)/obj/tests/check_main_unit.o: tests/check_main.c
	@mkdir -p $(@D)
	$(CC) $(PROJ_CFLAGS) $(PKG_CFLAGS) -DUNIT_ONLY $(CPPFLAGS) $(CFLAGS) \
	    -MMD -MP -c -o $@ $<

$(B)/obj/firmware-server/%.o: PKG_CFLAGS = $(INIH_CFLAGS) $(SSL_CFLAGS)
$(B)/obj/tui-client/%.o: PKG_CFLAGS = $(CURSES_CFLAGS) $(INIH_CFLAGS) $(SSL_CFLAGS)
$(B)/obj/tests/%.o: PKG_CFLAGS = $(CHECK_CFLAGS) $(INIH_CFLAGS) $(SSL_CFLAGS) \
	-Itests -Ifirmware-server -Itui-client -Itests/e2e \
	-DTEST_BUILD_DIR='"$(B)"'

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PROJ_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# Run the whole suite in this build; the last line is Check's summary.
test: $(SERVER_BIN) $(CLIENT_BIN) $(TEST_BIN)
	$(TEST_BIN)

# The same suite built and run under AddressSanitizer and UBSan.
test-asan:
	$(MAKE) SAN=1 test

# What CI and the README run: both of the above.
check: test test-asan

# The unit suites alone, natively.
test-unit: $(UNIT_BIN)
	$(UNIT_BIN)

# Cross builds and their unit suites under qemu-user; each first installs
# (or explains) the Debian packages it needs.
cross-arm64 cross-armhf: cross-%:
	sh scripts/install-cross-deps.sh $*
	$(MAKE) TARGET=$* all

test-arm64 test-armhf: test-%:
	sh scripts/install-cross-deps.sh $*
	$(MAKE) TARGET=$* test-qemu

# (internal) run the static unit runner of $(TARGET) under qemu-user.
test-qemu: $(UNIT_BIN)
	@test -n "$(TARGET)" || { echo "test-qemu needs TARGET=arm64|armhf"; exit 1; }
	CK_TIMEOUT_MULTIPLIER=10 $(QEMU) $(UNIT_BIN)

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

# Everything CI runs.
check-all: check fuzz-short test-valgrind cross-arm64 test-arm64 cross-armhf test-armhf check-board

.SECONDEXPANSION:

# Fuzzing: a libFuzzer harness per decoder (tests/fuzz/), built with
# clang; each runs FUZZ_SECONDS with its seeds from tests/fuzz/seeds/.
# New inputs and crash reproducers go to build/fuzz/.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_FLAGS	:= -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra \
		   -fsanitize=fuzzer,address,undefined -Icommon -Ifirmware-server \
		   -Itui-client
FUZZERS		:= proto proto_ev config timefmt accounts state journal p2p edge sanitize \
		   trust fed privwire
FUZZ_SRCS_proto	:= common/proto.c
FUZZ_SRCS_proto_ev := common/proto_ev.c common/proto.c
FUZZ_SRCS_config := firmware-server/config.c firmware-server/fed_codec.c \
		   common/proto.c common/log.c
FUZZ_LIBS_config := $(INIH_LIBS)
FUZZ_SRCS_timefmt := common/timefmt.c
FUZZ_SRCS_accounts := firmware-server/accounts.c firmware-server/store.c \
		   firmware-server/syncq.c firmware-server/hasher.c \
		   common/loop.c common/fdio.c common/proto.c common/log.c
FUZZ_LIBS_accounts := $(CRYPT_LIBS)
FUZZ_LIBS_p2p	:= $(SSL_LIBS)
FUZZ_SRCS_state	:= firmware-server/board.c firmware-server/groups.c \
		   common/proto.c common/timefmt.c
FUZZ_SRCS_journal := firmware-server/state.c firmware-server/board.c \
		   firmware-server/groups.c firmware-server/blocks.c \
		   firmware-server/offline.c firmware-server/store.c \
		   firmware-server/syncq.c common/loop.c common/fdio.c \
		   common/proto.c common/timefmt.c common/log.c
FUZZ_SRCS_p2p	:= tui-client/p2p_wire.c tui-client/p2p_aead.c common/proto.c
FUZZ_SRCS_edge	:= firmware-server/edge.c common/proto.c
FUZZ_SRCS_sanitize := tui-client/sanitize.c common/proto.c
FUZZ_SRCS_privwire := tui-client/privwire.c tui-client/p2p_wire.c \
		   tui-client/p2p_aead.c common/proto.c
FUZZ_LIBS_privwire := $(SSL_LIBS)
FUZZ_SRCS_trust	:= tui-client/trust.c
FUZZ_SRCS_fed	:= firmware-server/fed_codec.c common/proto.c

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS_$*)

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
VALGRIND_SUITES	?= e2e_session e2e_msg e2e_tls
test-valgrind: $(SERVER_DYN_BIN) $(CLIENT_BIN) $(TEST_BIN)
	@for s in $(VALGRIND_SUITES); do \
		echo "valgrind: $$s"; \
		E2E_VALGRIND=1 E2E_SERVER_BIN=$(SERVER_DYN_BIN) \
		    CK_TIMEOUT_MULTIPLIER=5 CK_RUN_SUITE=$$s \
		    $(TEST_BIN) || exit 1; \
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

$(B)/loadgen: bench/loadgen.c
	$(CC) $(PROJ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $<

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
