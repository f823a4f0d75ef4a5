/*
 * check_e2e_abuse.c - an attacker on the network against the login and
 * the shared tables: overlapping logins, passwords that could reach the
 * log, bytes a terminal would obey, floods of registrations and of
 * connections.  Each test does the attack and checks what a user sees.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *
suite_e2e_abuse(void)
{
	Suite *s = suite_create("e2e_abuse");
	TCase *tl = tcase_create("login");

	tcase_add_unchecked_fixture(tl, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tl, 120);
	tcase_add_test(tl, test_parallel_login_race);
	tcase_add_test(tl, test_secrets_not_logged);
	tcase_add_test(tl, test_long_password);
	tcase_add_test(tl, test_nul_and_controls);
	tcase_add_test(tl, test_reply_cut_utf8);
	suite_add_tcase(s, tl);
	return s;
}
