/*
 * check_e2e_abuse.c - an attacker on the network against the login and
 * the shared tables: overlapping logins, passwords that could reach the
 * log, bytes a terminal would obey, floods of registrations and of
 * connections.  Each test does the attack and checks what a user sees.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/proto.h"
#include "../../firmware-server/hasher.h"
#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS								\
	"alice alice123\n"						\
	"bob bob123\n"

#define INI	"[accounts]\nregistration = no\n"

/* True when the server's log holds the len bytes at sub now. */
static bool
log_has_bytes(struct srv *s, const char *sub, size_t len)
{
	char *text = srv_read_file(s, "server.log");
	bool found = text != NULL && memmem(text, strlen(text), sub, len);

	free(text);
	return found;
}

/* The next reply line starting with prefix, skipping events. */
static void
reply_is(struct raw *r, const char *prefix)
{
	const char *l;

	while ((l = raw_next(r, E2E_WAIT_MS)) != NULL &&
	    strncmp(l, "* ", 2) == 0 && strncmp(prefix, "* ", 2) != 0)
		;
	ck_assert_msg(l != NULL && strncmp(l, prefix, strlen(prefix)) == 0,
	    "expected \"%s\", got \"%s\"\n%s", prefix, l ? l : "(nothing)",
	    raw_why(r));
}

/* Credentials with "victim" under a yescrypt hash of pass, plus CREDS. */
static char *
hashed_creds(const char *name, const char *pass)
{
	char hash[256], *creds;

	ck_assert(hasher_hash_now(NULL, pass, hash, sizeof(hash)) == 0);
	ck_assert(asprintf(&creds, "%s %s\n" CREDS, name, hash) > 0);
	return creds;
}

/* A raw connection that said HELLO and LOGIN name: waiting for PASS. */
static struct raw *
at_password(struct srv *s, const char *name)
{
	struct raw *r = step_raw_open(s);
	char line[64];

	RAW_SEND(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	snprintf(line, sizeof(line), "l LOGIN %s", name);
	RAW_SEND(r, line);
	RAW_EXPECT(r, "l OK password");
	return r;
}

#define RACE_CONNS	60
#define RACE_RIGHT	54	/* the 55th PASS has the right password */

/*
 * Issue 13, item 1: 60 connections at LOGIN victim, then 60 PASS at once,
 * 59 wrong and the right one 55th.  Attempts on one name (and from one
 * address) are checked one at a time, in order, so the outcome is the
 * one of 60 attempts in a row: ATTEMPTS failures, then refusals; the
 * right password, far past the limit, does not get in.
 */
START_TEST(test_parallel_login_race)
{
	char *creds = hashed_creds("victim", "Right-Pass-1");
	struct srv *s = SRV_START("[server]\naddress_pending = 0\n"
	    "[accounts]\nregistration = no\nattempts = 3\n", creds);
	struct raw *r[RACE_CONNS];
	char line[64];
	const char *l;
	int i, ok = 0, auth = 0, blocked = 0, other = 0;

	for (i = 0; i < RACE_CONNS; i++)
		r[i] = at_password(s, "victim");
	for (i = 0; i < RACE_CONNS; i++) {
		if (i == RACE_RIGHT)
			snprintf(line, sizeof(line), "p PASS Right-Pass-1");
		else
			snprintf(line, sizeof(line), "p PASS wrong-%d", i);
		RAW_SEND(r[i], line);
	}
	for (i = 0; i < RACE_CONNS; i++) {
		l = raw_next(r[i], E2E_WAIT_MS * 3);
		ck_assert_msg(l != NULL, "connection %d: %s", i, raw_why(r[i]));
		if (strncmp(l, "p OK", 4) == 0)
			ok++;
		else if (strncmp(l, "p ERR auth", 10) == 0)
			auth++;
		else if (strncmp(l, "p ERR blocked", 13) == 0)
			blocked++;
		else
			other++;
	}
	ck_assert_msg(ok == 0 && auth <= 3 && other == 0,
	    "OK %d, ERR auth %d, ERR blocked %d, other %d\n%s", ok, auth,
	    blocked, other, srv_log_tail(s, 20));
	ck_assert_int_eq(auth + blocked, RACE_CONNS);
	for (i = 0; i < RACE_CONNS; i++)
		raw_close(r[i]);
	free(creds);
	step_stop_ok(s);
}
END_TEST

/*
 * Issue 13, item 2: a PASS or REGISTER that fails to parse (invalid
 * UTF-8, a TAB, a NUL, a C1 control, a mistyped verb while a password is
 * expected, an overlong line) leaves no byte of the password in the log,
 * and the reply says what a password must be.
 */
START_TEST(test_secrets_not_logged)
{
	struct srv *s = SRV_START("[accounts]\nregistration = yes\n", CREDS);
	static const char *forms[] = {
		"p PASS My-Latin1-p\xe4ssword",
		"p pass Tab-Secret\tword",
		"p PASS Ctl-Secret\xc2\x85word",
		"p PASSS Typo-Secret-word",
	};
	static const char *marks[] = {
		"My-Latin1-p", "Tab-Secret", "Ctl-Secret", "Typo-Secret",
	};
	static char big[PROTO_LINE_MAX + 100];
	char nul[] = "p PASS Nul-Secret\0word\n";
	struct raw *r;
	size_t i;

	r = at_password(s, "alice");
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		RAW_SEND(r, forms[i]);
		RAW_EXPECT(r, "p ERR");
	}
	ck_assert_msg(raw_send_bytes(r, nul, sizeof(nul) - 1), "%s",
	    raw_why(r));
	RAW_EXPECT(r, "p ERR proto control character in line (C0, C1, NUL or "
	    "a bidi override): a password must be valid UTF-8 without control "
	    "characters");
	/* A registration's password, the same way. */
	raw_close(r);
	r = step_raw_open(s);
	RAW_SEND(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	RAW_SEND(r, "l LOGIN newbie");
	RAW_EXPECT(r, "l OK register");
	RAW_SEND(r, "q REGISTER Reg-Secret\x01word");
	RAW_EXPECT(r, "q ERR proto");
	/* An overlong line ends the connection; its bytes are not logged. */
	memset(big, 'Z', sizeof(big) - 1);
	memcpy(big, "q REGISTER Long-Secret-", 23);
	RAW_SEND(r, big);
	ck_assert(raw_expect_closed(r, E2E_WAIT_MS));
	raw_close(r);
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		ck_assert_msg(!log_has_bytes(s, marks[i], strlen(marks[i])),
		    "%s is in the log:\n%s", marks[i], srv_log_tail(s, 30));
	ck_assert(!log_has_bytes(s, "Nul-Secret", 10));
	ck_assert(!log_has_bytes(s, "Reg-Secret", 10));
	ck_assert(!log_has_bytes(s, "Long-Secret", 11));
	ck_assert(!log_has_bytes(s, "ZZZZ", 4));
	step_stop_ok(s);
}
END_TEST

/*
 * Issue 13, item 7: a password longer than PROTO_PASS_MAX is refused, not
 * cut: an account whose password is 128 A's is not opened by 128 A's and
 * anything after them.
 */
START_TEST(test_long_password)
{
	char pass[PROTO_PASS_MAX + 1], line[PROTO_PASS_MAX + 64];
	char *creds;
	struct srv *s;
	struct raw *r;

	memset(pass, 'A', PROTO_PASS_MAX);
	pass[PROTO_PASS_MAX] = '\0';
	creds = hashed_creds("longpw", pass);
	s = SRV_START(INI, creds);
	r = at_password(s, "longpw");
	snprintf(line, sizeof(line), "p1 PASS %sanything", pass);
	RAW_SEND(r, line);
	RAW_EXPECT(r, "p1 ERR args a password is at most 128 bytes");
	snprintf(line, sizeof(line), "p2 PASS %s", pass);
	RAW_SEND(r, line);
	RAW_EXPECT(r, "p2 OK Welcome longpw");
	raw_close(r);
	free(creds);
	step_stop_ok(s);
}
END_TEST

/*
 * Issue 13, item 7: a NUL in a request is an error, not the end of the
 * line; C1 controls and bidi overrides are refused in text and names, so
 * no other user's terminal gets them.
 */
START_TEST(test_nul_and_controls)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *a = step_raw_login(s, "alice", "alice123", 0);
	struct raw *b = step_raw_login(s, "bob", "bob123", 0);
	char ping[] = "1 PING\0junk\n";

	ck_assert(raw_send_bytes(a, ping, sizeof(ping) - 1));
	reply_is(a, "1 ERR proto control character");
	RAW_SEND(a, "2 MSGTO bob evil\xe2\x80\xaeoverride");
	reply_is(a, "2 ERR proto control character");
	RAW_SEND(a, "3 MSGTO bob csi\xc2\x9b" "31m");
	reply_is(a, "3 ERR proto control character");
	RAW_SEND(a, "4 BROADCAST iso\xe2\x81\xa6late");
	reply_is(a, "4 ERR proto control character");
	RAW_SEND(a, "5 LOGIN \xc2\x85" "bob");
	reply_is(a, "5 ERR proto control character");
	/* Neighbours of those code points still pass. */
	RAW_SEND(a, "6 MSGTO bob caf\xc3\xa9 \xe2\x80\xaf ok");
	reply_is(a, "6 OK");
	RAW_EXPECT(b, "* MSG alice");
	ck_assert_msg(strstr(raw_why(b), "override") == NULL, "%s", raw_why(b));
	RAW_SEND(a, "7 PING");
	reply_is(a, "7 OK pong");
	raw_close(a);
	raw_close(b);
	step_stop_ok(s);
}
END_TEST

/*
 * Issue 13, item 7: a reply that echoes part of a bad argument cuts it at
 * a character boundary, so the reply stays valid UTF-8.
 */
START_TEST(test_reply_cut_utf8)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *a = step_raw_login(s, "alice", "alice123", 0);
	char line[128];
	const char *l;

	/* "a" then 20 two-byte characters: 32 bytes end inside one. */
	snprintf(line, sizeof(line), "1 DELETE a%s",
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	RAW_SEND(a, line);
	l = raw_next(a, E2E_WAIT_MS);
	ck_assert_msg(l != NULL, "%s", raw_why(a));
	ck_assert_msg(strncmp(l, "1 ERR args", 10) == 0, "got %s", l);
	ck_assert_msg(proto_valid_utf8(l, strlen(l)), "reply cuts a character: "
	    "%s", l);
	raw_close(a);
	step_stop_ok(s);
}
END_TEST

/* A raw connection from src at the REGISTER step for name. */
static struct raw *
at_register(struct srv *s, const char *src, const char *name)
{
	struct raw *r = src ? raw_connect_from(s, src) : raw_connect(s);
	char line[64];

	ck_assert_msg(r != NULL, "%s", e2e_error());
	RAW_EXPECT(r, "* HELLO");
	RAW_SEND(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	snprintf(line, sizeof(line), "l LOGIN %s", name);
	RAW_SEND(r, line);
	RAW_EXPECT(r, "l OK register");
	return r;
}

/* Register name from src (NULL: 127.0.0.1); expect a reply starting with
   want. */
static void
register_as(struct srv *s, const char *src, const char *name,
    const char *want)
{
	struct raw *r = at_register(s, src, name);

	RAW_SEND(r, "q REGISTER Some-Pass-9");
	RAW_EXPECT(r, want);
	raw_close(r);
}

/*
 * Issue 13, item 3: registrations per address and per server are limited
 * with ERR limit and a sentence; the server still starts afterwards.
 */
START_TEST(test_registration_limits)
{
	struct srv *s = SRV_START("[accounts]\nregistration = yes\n"
	    "registrations_per_hour = 2\nmax_accounts = 5\n", CREDS);

	register_as(s, NULL, "new1", "q OK Welcome new1");
	register_as(s, NULL, "new2", "q OK Welcome new2");
	register_as(s, NULL, "new3", "q ERR limit 2 accounts were registered "
	    "from your address within the hour; try again later");
	register_as(s, "127.0.0.2", "new3", "q OK Welcome new3");
	register_as(s, "127.0.0.3", "new4", "q ERR limit the server holds its "
	    "maximum of 5 accounts; ask its administrator");
	/* A refused registration wrote nothing, and the file loads. */
	ck_assert(srv_restart(s));
	register_as(s, "127.0.0.4", "new4", "q ERR limit the server holds");
	{
		struct raw *r = step_raw_login(s, "new3", "Some-Pass-9", 0);
		raw_close(r);
	}
	step_stop_ok(s);
}
END_TEST

#define FLOOD_CONNS	150

/*
 * Issue 13, item 3: 150 REGISTERs sent at once from 150 addresses do not
 * make an existing user's login (a yescrypt hash too) wait past its
 * login_timeout: at most 8 registrations are hashed ahead of it, the rest
 * are refused at once.  (Before: all 150 were hashed first, about 30 s
 * here, and the login timed out.)
 */
START_TEST(test_registration_flood)
{
	char *creds = hashed_creds("victim", "Right-Pass-1");
	char ini[256];
	struct srv *s;
	struct raw *r[FLOOD_CONNS], *v;
	char src[32], name[32];
	const char *l;
	int i, ok = 0, limit = 0;

	/* 9 hashes take about 1.4 s here, on a busy machine. */
	snprintf(ini, sizeof(ini), "[server]\nlogin_timeout = %d\n"
	    "[accounts]\nregistration = yes\nregistrations_per_hour = 0\n",
	    e2e_scale(10000) / 1000);
	s = SRV_START(ini, creds);
	for (i = 0; i < FLOOD_CONNS; i++) {
		snprintf(src, sizeof(src), "127.0.%d.%d", 1 + i / 200,
		    2 + i % 200);
		snprintf(name, sizeof(name), "flood%d", i);
		r[i] = at_register(s, src, name);
	}
	v = at_password(s, "victim");
	for (i = 0; i < FLOOD_CONNS; i++)
		RAW_SEND(r[i], "q REGISTER Flood-Pass-1");
	RAW_SEND(v, "p PASS Right-Pass-1");
	RAW_EXPECT(v, "p OK Welcome victim");
	for (i = 0; i < FLOOD_CONNS; i++) {
		l = raw_next(r[i], E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "%s", raw_why(r[i]));
		if (strncmp(l, "q OK Welcome", 12) == 0)
			ok++;
		else if (strncmp(l, "q ERR limit too many registrations at "
		    "once", 40) == 0)
			limit++;
	}
	ck_assert_msg(ok + limit == FLOOD_CONNS && ok >= 1 && ok <= 8,
	    "%d welcomed, %d refused", ok, limit);
	for (i = 0; i < FLOOD_CONNS; i++)
		raw_close(r[i]);
	raw_close(v);
	free(creds);
	step_stop_ok(s);
}
END_TEST

/*
 * Issue 13, item 4: silent connections from one address are capped, so a
 * stranger cannot fill max_clients; other addresses still get in, and a
 * slot comes back when one of them logs in.
 */
START_TEST(test_pending_per_address)
{
	struct srv *s = SRV_START(INI "[server]\nmax_clients = 20\n"
	    "address_pending = 3\n", CREDS);
	struct raw *silent[3], *r, *other;
	int i;

	for (i = 0; i < 3; i++)
		silent[i] = step_raw_open(s);
	r = raw_connect(s);
	ck_assert_msg(r != NULL, "%s", e2e_error());
	RAW_EXPECT(r, "* BYE limit too many connections from your address "
	    "have not logged in");
	ck_assert(raw_expect_closed(r, E2E_WAIT_MS));
	raw_close(r);
	other = raw_connect_from(s, "127.0.0.2");
	ck_assert_msg(other != NULL, "%s", e2e_error());
	RAW_EXPECT(other, "* HELLO");
	/* One of the three logs in: its address may open one more. */
	RAW_SEND(silent[0], "h HELLO 1");
	RAW_EXPECT(silent[0], "h OK");
	RAW_SEND(silent[0], "l LOGIN alice");
	RAW_EXPECT(silent[0], "l OK password");
	RAW_SEND(silent[0], "p PASS alice123");
	RAW_EXPECT(silent[0], "p OK Welcome alice");
	r = step_raw_open(s);
	raw_close(r);
	for (i = 0; i < 3; i++)
		raw_close(silent[i]);
	raw_close(other);
	step_stop_ok(s);
}
END_TEST

#define PRIV_USERS	18

/*
 * Issue 13, item 4: one user takes part in at most 16 private chats
 * (asked or running); over that only they get ERR limit, and the others
 * can still ask each other.
 */
START_TEST(test_privreq_per_user)
{
	char creds[4096] = CREDS, line[80], name[16];
	struct raw *u[PRIV_USERS], *a, *b;
	struct srv *s;
	int i;

	for (i = 0; i < PRIV_USERS; i++) {
		snprintf(line, sizeof(line), "u%d pw%d\n", i, i);
		strcat(creds, line);
	}
	s = SRV_START(INI, creds);
	a = step_raw_login(s, "alice", "alice123", 0);
	for (i = 0; i < PRIV_USERS; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		snprintf(line, sizeof(line), "pw%d", i);
		u[i] = step_raw_login(s, name, line, 0);
	}
	b = step_raw_login(s, "bob", "bob123", 0);
	for (i = 0; i < 16; i++) {
		snprintf(line, sizeof(line), "r%d PRIVREQ u%d", i, i);
		RAW_SEND(a, line);
		snprintf(line, sizeof(line), "r%d OK Asked", i);
		reply_is(a, line);
	}
	RAW_SEND(a, "x PRIVREQ u16");
	reply_is(a, "x ERR limit you take part in 16 private chats");
	RAW_SEND(b, "y PRIVREQ u16");
	reply_is(b, "y OK Asked u16");
	/* Stopping one frees a place. */
	RAW_SEND(a, "z PRIVSTOP u0");
	reply_is(a, "z OK");
	RAW_SEND(a, "w PRIVREQ u17");
	reply_is(a, "w OK Asked u17");
	for (i = 0; i < PRIV_USERS; i++)
		raw_close(u[i]);
	raw_close(a);
	raw_close(b);
	step_stop_ok(s);
}
END_TEST

#define LAZY	6

/*
 * Issue 13, item 4: clients that never read cannot together queue more
 * than output_budget_mb, even while each is under its own
 * output_limit_kb: past the budget, one with more than 64 KiB waiting is
 * dropped (and the log says so); a client that reads keeps everything.
 */
START_TEST(test_output_budget)
{
	char creds[2048] = CREDS, line[2000], text[1800], name[16];
	struct raw *lazy[LAZY], *a;
	struct cli *b;
	struct srv *s;
	const char *l;
	bool dropped = false;
	int i;

	for (i = 0; i < LAZY; i++) {
		snprintf(line, sizeof(line), "lazy%d pw%d\n", i, i);
		strcat(creds, line);
	}
	s = SRV_START(INI "[limits]\noutput_limit_kb = 4096\n"
	    "output_budget_mb = 1\n", creds);
	for (i = 0; i < LAZY; i++) {
		snprintf(name, sizeof(name), "lazy%d", i);
		snprintf(line, sizeof(line), "pw%d", i);
		lazy[i] = step_raw_login(s, name, line, 0);
	}
	b = step_login(s, "bob", "bob123", 0);
	a = step_raw_login(s, "alice", "alice123", 0);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 20000 && !dropped; i++) {
		snprintf(line, sizeof(line), "b%d BROADCAST %d %s", i, i, text);
		RAW_SEND(a, line);
		while ((l = raw_next(a, E2E_WAIT_MS)) != NULL && l[0] == '*')
			;
		ck_assert_msg(l != NULL && strncmp(l + strcspn(l, " "), " OK ",
		    4) == 0, "broadcast %d: no OK (%.60s)", i, l ? l : "none");
		if (i % 20 == 0) {
			snprintf(line, sizeof(line), "alice (broadcast): %d x",
			    i);
			ck_assert_msg(cli_expect(b, line, E2E_WAIT_MS),
			    "bob did not get broadcast %d", i);
			dropped = log_has_bytes(s, "output of all clients over",
			    26);
		}
	}
	ck_assert_msg(dropped, "nobody was dropped after %d broadcasts\n%s", i,
	    srv_log_tail(s, 10));
	ck_assert_msg(!log_has_bytes(s, "output queue over", 17),
	    "a client reached its own limit first:\n%s", srv_log_tail(s, 10));
	ck_assert_msg(!log_has_bytes(s, "bob logged out", 14), "bob was dropped");
	RAW_SEND(a, "m MSGTO bob still here");
	reply_is(a, "m OK Message sent to bob");
	EXPECT(b, "alice: still here");
	for (i = 0; i < LAZY; i++)
		raw_close(lazy[i]);
	raw_close(a);
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/*
 * A child that floods the server on one connection with PINGs while a
 * second child reads the answers, both until the connection ends: the
 * server finds that socket ready at every pass.
 */
static pid_t
flood_start(int port)
{
	static char chunk[64 * 1024];
	pid_t pid;
	size_t i;
	int fd;

	if ((pid = fork()) != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((fd = e2e_tcp_connect(port)) == -1)
		_exit(1);
	if (fork() == 0) {		/* the reader */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (read(fd, chunk, sizeof(chunk)) > 0)
			;
		_exit(0);
	}
	for (i = 0; i + 7 <= sizeof(chunk); i += 7)
		memcpy(chunk + i, "1 PING\n", 7);
	while (write(fd, chunk, i) > 0)
		;
	_exit(0);
}

/* CPU time the process has used, in clock ticks. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	long utime = 0, stime = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* After "(comm)": state and 10 more fields, then utime, stime. */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%ld %ld", &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* A client that never lets the server idle cannot keep it from stopping:
   epoll_pwait() takes no signal while a descriptor is ready. */
START_TEST(test_stop_under_flood)
{
	long long deadline;
	struct srv *s;
	long start;
	pid_t flood;
	int status;

	s = SRV_START(INI, CREDS);
	start = cpu_ticks(s->pid);
	flood = flood_start(s->port);
	ck_assert_int_gt(flood, 0);
	/* The flood is on once the server has worked for a second of CPU. */
	deadline = e2e_now_ms() + e2e_scale(30000);
	while (cpu_ticks(s->pid) - start < sysconf(_SC_CLK_TCK)) {
		ck_assert_msg(e2e_now_ms() < deadline, "the server is not "
		    "busy with the flood\n%s", srv_log_tail(s, 10));
		e2e_nap(20);
	}
	status = srv_terminate(s, SIGTERM);
	kill(flood, SIGKILL);
	waitpid(flood, NULL, 0);
	ck_assert_msg(status == 0, "exit status %d under a flood: %s\n%s",
	    status, s->note, srv_log_tail(s, 5));
	srv_stop(s);
}
END_TEST

/* Write all of buf to the non-blocking fd, waiting as needed; false when
   the peer is gone. */
static bool
write_fully(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EAGAIN)
			poll(&pfd, 1, 1000);
		else
			return false;
	}
	return true;
}

/*
 * A server that floods its one client (a child process): it greets,
 * answers HELLO, LOGIN and PASS as the real one does, then writes events
 * the client ignores ("* ZZZ ...") as fast as the socket takes them, and
 * answers any other request "OK".  It exits 0 when the client's LOGOUT
 * comes, 1 when the client goes without one.
 */
static pid_t
flooding_server(int lfd)
{
	static char chunk[60 * 1024], in[4096];
	char reply[256], *nl, *sp;
	size_t have = 0, off = 0, i;
	bool flood = false;
	pid_t pid;
	ssize_t n;
	int fd;

	if ((pid = fork()) != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i + 20 <= sizeof(chunk); i += 20)
		memcpy(chunk + i, "* ZZZ not for you 1\n", 20);
	if (!write_fully(fd, "* HELLO firmware-server PROTO 1\n", 32))
		_exit(1);
	for (;;) {
		struct pollfd pfd = { .fd = fd,
		    .events = POLLIN | (flood ? POLLOUT : 0) };

		poll(&pfd, 1, 1000);
		if (flood && (n = write(fd, chunk + off, i - off)) > 0)
			off = (off + (size_t)n) % i;
		n = read(fd, in + have, sizeof(in) - 1 - have);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			_exit(1);
		if (n > 0)
			have += (size_t)n;
		while ((nl = memchr(in, '\n', have)) != NULL) {
			*nl = '\0';
			sp = strchr(in, ' ');
			if (sp != NULL && strncmp(sp + 1, "LOGOUT", 6) == 0)
				_exit(0);
			if (sp != NULL && strncmp(sp + 1, "HELLO ", 6) == 0)
				snprintf(reply, sizeof(reply), "%.*s OK "
				    "firmware-server protocol 1\n", (int)(sp - in),
				    in);
			else if (sp != NULL && strncmp(sp + 1, "LOGIN ", 6) == 0)
				snprintf(reply, sizeof(reply), "%.*s OK password "
				    "Enter your password\n", (int)(sp - in), in);
			else if (sp != NULL && strncmp(sp + 1, "PASS ", 5) == 0) {
				snprintf(reply, sizeof(reply), "%.*s OK Welcome "
				    "alice\n", (int)(sp - in), in);
				flood = true;
			} else
				snprintf(reply, sizeof(reply), "%.*s OK\n",
				    (int)(sp != NULL ? sp - in : 0), in);
			/* A reply starts at a line's start in the flood. */
			if (off % 20 != 0 && !write_fully(fd, chunk + off,
			    20 - off % 20))
				_exit(1);
			off += off % 20 ? 20 - off % 20 : 0;
			off %= i;
			if (!write_fully(fd, reply, strlen(reply)))
				_exit(1);
			have -= (size_t)(nl + 1 - in);
			memmove(in, nl + 1, have);
		}
	}
}

/*
 * The abuse from the other side: a server that never lets the client
 * idle cannot keep it from stopping (ppoll() takes no signal while a
 * descriptor is ready).  The first SIGTERM logs out, as at the end of
 * input: the server must see the LOGOUT while it floods.
 */
START_TEST(test_client_stops_under_flood)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct srv *s = SRV_START(INI, CREDS);	/* for its directory */
	long long deadline;
	struct cli *c;
	pid_t fake, r = 0;
	long start;
	int lfd, saved = s->port, st = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(lfd, -1);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
	fake = flooding_server(lfd);
	ck_assert_int_gt(fake, 0);
	close(lfd);
	s->port = ntohs(sa.sin_port);
	c = cli_start(s, (char *)NULL);
	s->port = saved;
	ck_assert_ptr_nonnull(c);
	EXPECT(c, "Username:");
	SEND(c, "alice");
	EXPECT(c, "Password:");
	SEND(c, "alice123");
	EXPECT(c, "Welcome alice");
	/* The flood is on once the client has worked for a second of CPU. */
	start = cpu_ticks(c->pid);
	deadline = e2e_now_ms() + e2e_scale(30000);
	while (cpu_ticks(c->pid) - start < sysconf(_SC_CLK_TCK)) {
		ck_assert_msg(e2e_now_ms() < deadline, "the client is not "
		    "busy with the flood: %s", cli_why(c));
		e2e_nap(20);
	}
	ck_assert_int_eq(kill(c->pid, SIGTERM), 0);
	deadline = e2e_now_ms() + E2E_EXIT_MS;
	while ((r = waitpid(fake, &st, WNOHANG)) == 0 &&
	    e2e_now_ms() < deadline)
		e2e_nap(20);
	if (r == 0) {
		kill(fake, SIGKILL);
		waitpid(fake, NULL, 0);
	}
	kill(c->pid, SIGKILL);
	cli_close_wait(c, E2E_EXIT_MS);
	cli_free(c);
	ck_assert_msg(r == fake && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "no LOGOUT from the client after SIGTERM under a flood "
	    "(server status %d)", r == fake ? st : -1);
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_abuse(void)
{
	Suite *s = suite_create("e2e_abuse");
	TCase *tl = tcase_create("login");
	TCase *tc = tcase_create("limits");

	tcase_add_unchecked_fixture(tl, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tl, 120);
	tcase_add_test(tl, test_parallel_login_race);
	tcase_add_test(tl, test_secrets_not_logged);
	tcase_add_test(tl, test_long_password);
	tcase_add_test(tl, test_nul_and_controls);
	tcase_add_test(tl, test_reply_cut_utf8);
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_registration_limits);
	tcase_add_test(tc, test_registration_flood);
	tcase_add_test(tc, test_pending_per_address);
	tcase_add_test(tc, test_privreq_per_user);
	tcase_add_test(tc, test_output_budget);
	tcase_add_test(tc, test_stop_under_flood);
	tcase_add_test(tc, test_client_stops_under_flood);
	suite_add_tcase(s, tl);
	suite_add_tcase(s, tc);
	return s;
}
