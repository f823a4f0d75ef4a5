# firmware-server and tui-client: one Makefile for everything.
#
#   make               build both programs in build/
#   make check         every test: unit + end-to-end, then again under ASan+UBSan
#   make deps          install the Debian packages the build needs (when missing)
#   make run           start the server on the sample settings (etc/)
#   make install       install under $(DESTDIR)$(PREFIX)
#   make options       print the flags in use
#
# Cross builds: make CROSS_COMPILE=aarch64-linux-gnu-

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= /etc

ifeq ($(origin CC),default)
CC		:= $(CROSS_COMPILE)cc
endif
PKG_CONFIG	?= $(CROSS_COMPILE)pkg-config
INSTALL		?= install

CFLAGS		?= -O2 -g
LDFLAGS		?=

# SAN=1 builds everything under AddressSanitizer and UBSan in build/asan.
ifeq ($(SAN),1)
B		:= build/asan
SANFLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B		:= build
SANFLAGS	:=
endif

# The project's own flags stay out of CFLAGS, which a packager may replace.
PROJ_CFLAGS	:= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter -Icommon $(SANFLAGS)
PROJ_LDFLAGS	:= $(SANFLAGS)

INIH_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
INIH_LIBS	:= $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
CRYPT_LIBS	:= $(shell $(PKG_CONFIG) --libs libxcrypt 2>/dev/null || echo -lcrypt)
CURSES_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS	:= $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
CHECK_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS	:= $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

COMMON_SRCS	:= common/proto.c common/timefmt.c common/buf.c common/log.c \
		   common/loop.c
# Everything of the server but main.c, so that tests can link the modules.
SERVER_SRCS	:= firmware-server/config.c firmware-server/server.c \
		   firmware-server/conn.c firmware-server/cmd.c \
		   firmware-server/cmd_session.c firmware-server/cmd_who.c \
		   firmware-server/session.c firmware-server/accounts.c \
		   firmware-server/lockout.c firmware-server/history.c \
		   firmware-server/store.c
SERVER_MAIN	:= firmware-server/main.c
# Everything of the client but main.c; only ui*.c may include curses.
CLIENT_SRCS	:= tui-client/net.c tui-client/model.c tui-client/cmds.c \
		   tui-client/plain.c tui-client/app.c
CLIENT_MAIN	:= tui-client/main.c
TEST_SRCS	:= tests/check_main.c tests/unit/check_proto.c \
		   tests/unit/check_timefmt.c tests/unit/check_buf.c \
		   tests/unit/check_config.c tests/unit/check_lockout.c \
		   tests/unit/check_history.c tests/unit/check_client.c \
		   tests/e2e/harness.c \
		   tests/e2e/check_e2e_session.c

obj		= $(patsubst %.c,$(B)/obj/%.o,$(1))
COMMON_OBJS	:= $(call obj,$(COMMON_SRCS))
SERVER_OBJS	:= $(call obj,$(SERVER_SRCS))
CLIENT_OBJS	:= $(call obj,$(CLIENT_SRCS))
TEST_OBJS	:= $(call obj,$(TEST_SRCS))

SERVER_BIN	:= $(B)/firmware-server
CLIENT_BIN	:= $(B)/tui-client
TEST_BIN	:= $(B)/run-tests

.PHONY: all check test test-asan deps run install uninstall options clean

all: $(SERVER_BIN) $(CLIENT_BIN)

$(SERVER_BIN): $(call obj,$(SERVER_MAIN)) $(SERVER_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(INIH_LIBS) $(CRYPT_LIBS)

$(CLIENT_BIN): $(call obj,$(CLIENT_MAIN)) $(CLIENT_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CURSES_LIBS)

$(TEST_BIN): $(TEST_OBJS) $(SERVER_OBJS) $(CLIENT_OBJS) $(COMMON_OBJS)
	$(CC) $(PROJ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(INIH_LIBS) \
	    $(CRYPT_LIBS) $(CURSES_LIBS)

$(B)/obj/firmware-server/%.o: PKG_CFLAGS = $(INIH_CFLAGS)
$(B)/obj/tui-client/%.o: PKG_CFLAGS = $(CURSES_CFLAGS)
$(B)/obj/tests/%.o: PKG_CFLAGS = $(CHECK_CFLAGS) $(INIH_CFLAGS) \
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

deps:
	sh scripts/install-deps.sh

RUN_DIR		?= $(B)/run
RUN_PORT	?= 4000
run: $(SERVER_BIN) $(CLIENT_BIN)
	@mkdir -p $(RUN_DIR)
	@[ -f $(RUN_DIR)/credentials.txt ] || cp etc/credentials.txt $(RUN_DIR)/
	@echo "Server on port $(RUN_PORT), data in $(RUN_DIR)."
	@echo "Open a client in another terminal:  $(CLIENT_BIN) 127.0.0.1 $(RUN_PORT)"
	@echo "Demo accounts are in etc/credentials.txt (e.g. alice / alice123). Ctrl-C stops the server."
	$(SERVER_BIN) -c etc/firmware-server.ini -d $(RUN_DIR) -p $(RUN_PORT)

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/firmware-server
	$(INSTALL) -m 755 $(SERVER_BIN) $(DESTDIR)$(SBINDIR)/firmware-server
	$(INSTALL) -m 755 $(CLIENT_BIN) $(DESTDIR)$(BINDIR)/tui-client
	$(INSTALL) -m 644 etc/firmware-server.ini $(DESTDIR)$(SYSCONFDIR)/firmware-server/firmware-server.ini

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/firmware-server $(DESTDIR)$(BINDIR)/tui-client \
	    $(DESTDIR)$(SYSCONFDIR)/firmware-server/firmware-server.ini
	-rmdir $(DESTDIR)$(SYSCONFDIR)/firmware-server 2>/dev/null

options:
	@echo "CC       = $(CC)"
	@echo "CFLAGS   = $(CFLAGS)"
	@echo "LDFLAGS  = $(LDFLAGS)"
	@echo "project  = $(PROJ_CFLAGS)"
	@echo "inih     = $(INIH_CFLAGS) $(INIH_LIBS)"
	@echo "curses   = $(CURSES_CFLAGS) $(CURSES_LIBS)"
	@echo "check    = $(CHECK_CFLAGS) $(CHECK_LIBS)"
	@echo "crypt    = $(CRYPT_LIBS)"
	@echo "PREFIX   = $(PREFIX)"

clean:
	rm -rf build
