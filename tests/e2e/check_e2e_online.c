/*
 * check_e2e_online.c - suite e2e_session, who is online: WHOELSE and
 * WHOELSESINCE, presence events, the idle timeout, userlog.txt and the
 * heap given back after logins (see check_e2e_session.c).
 */
#include <crypt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "steps.h"
#include "e2e_session.h"
#include "../suites.h"

/* ---- userlog.txt ------------------------------------------------------- */

/*
 * Parse userlog.txt strictly ("SEQ; TIME; USER; IP; UDPPORT" lines).
 * Returns the number of lines, -1 when missing, -2 when malformed.
 */
int
sess_ulog_parse(const char *text, struct ulog_line *out, int max)
{
	const char *p = text;
	int n = 0;

	if (text == NULL)
		return -1;
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		char line[256], *f[5], *save = NULL, *tok;
		size_t len;
		int k = 0;

		if (eol == NULL || n == max)
			return -2;	/* no final newline / too many */
		len = (size_t)(eol - p);
		if (len >= sizeof(line))
			return -2;
		memcpy(line, p, len);
		line[len] = '\0';
		/* Fields are separated by exactly "; ". */
		for (tok = line; k < 5; k++) {
			f[k] = tok;
			save = strstr(tok, "; ");
			if (save == NULL)
				break;
			*save = '\0';
			tok = save + 2;
		}
		if (k != 4 || strstr(f[4], ";") != NULL)
			return -2;
		if (sscanf(f[0], "%d", &out[n].seq) != 1 ||
		    sscanf(f[4], "%d", &out[n].port) != 1 ||
		    !e2e_is_time(f[1]))
			return -2;
		snprintf(out[n].time, sizeof(out[n].time), "%s", f[1]);
		snprintf(out[n].user, sizeof(out[n].user), "%s", f[2]);
		snprintf(out[n].ip, sizeof(out[n].ip), "%s", f[3]);
		n++;
		p = eol + 1;
	}
	return n;
}

/*
 * Wait until userlog.txt (in dir s) lists exactly users[0..n) with their
 * UDP ports, numbered 1..n; fills out.  n == 0: empty (a missing file
 * counts as empty only when allow_missing).
 */
void
sess_ulog_wait(struct srv *s, const char *const users[], const int udp[], int n,
    struct ulog_line *out, bool allow_missing)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	struct ulog_line l[16];
	char *text = NULL;
	int got, i;

	for (;;) {
		free(text);
		text = srv_read_file(s, "userlog.txt");
		got = sess_ulog_parse(text, l, 16);
		if (got == -1 && allow_missing && n == 0)
			break;
		if (got == n) {
			for (i = 0; i < n; i++)
				if (l[i].seq != i + 1 ||
				    strcmp(l[i].user, users[i]) != 0 ||
				    strcmp(l[i].ip, "127.0.0.1") != 0 ||
				    l[i].port != udp[i])
					break;
			if (i == n)
				break;
		}
		ck_assert_msg(e2e_now_ms() < deadline,
		    "userlog.txt in %s should list %d users (%s%s%s%s%s) "
		    "numbered from 1 with IP 127.0.0.1 and their UDP ports; "
		    "it holds (%s):\n%s", s->dir, n,
		    n > 0 ? users[0] : "", n > 1 ? ", " : "",
		    n > 1 ? users[1] : "", n > 2 ? ", " : "",
		    n > 2 ? users[2] : "",
		    got == -1 ? "missing" : got == -2 ? "malformed" : "parsed",
		    text ? text : "");
		e2e_nap(50);
	}
	if (out != NULL)
		memcpy(out, l, sizeof(l[0]) * (size_t)(n > 0 ? n : 0));
	free(text);
}

/* ---- who is online ----------------------------------------------------- */

START_TEST(test_whoelse_lists)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	int ua = e2e_free_udp_port(), ub = e2e_free_udp_port();
	int uc = e2e_free_udp_port();
	static const char *const cmds[] = { "whoelse", "ATU", "AED",
	    "/activeuser" };
	struct cli *a, *b, *c;
	size_t i;

	ck_assert(ua > 0 && ub > 0 && uc > 0);
	a = step_login(s, "alice", "alice123", ua);
	b = step_login(s, "bob", "bob123", ub);
	sess_check_who(a, "whoelse", "1 other active user",
	    (const char *const[]){ "bob" }, (const int[]){ ub }, 1);
	sess_check_who(b, "whoelse", "1 other active user",
	    (const char *const[]){ "alice" }, (const int[]){ ua }, 1);

	c = step_login(s, "carol", "carol123", uc);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		sess_check_who(a, cmds[i], "2 other active users",
		    (const char *const[]){ "bob", "carol" },
		    (const int[]){ ub, uc }, 2);
		sess_check_who(c, cmds[i], "2 other active users",
		    (const char *const[]){ "alice", "bob" },
		    (const int[]){ ua, ub }, 2);
	}
	sess_check_who(b, "whoelse", "2 other active users",
	    (const char *const[]){ "alice", "carol" },
	    (const int[]){ ua, uc }, 2);

	step_logout(b, "logout", "bob");
	EXPECT_LINE(a, "bob logged out");
	sess_check_who(a, "ATU", "1 other active user",
	    (const char *const[]){ "carol" }, (const int[]){ uc }, 1);
	step_logout(c, "logout", "carol");
	EXPECT_LINE(a, "carol logged out");
	SEND(a, "/activeuser");
	EXPECT_LINE(a, "no other active user");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_presence)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *a, *b, *c;
	size_t mark;

	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	EXPECT_LINE(a, "bob logged in");
	c = step_login(s, "carol", "carol123", 0);
	EXPECT_LINE(a, "carol logged in");
	EXPECT_LINE(b, "carol logged in");

	step_logout(b, "logout", "bob");
	EXPECT_LINE(a, "bob logged out");
	EXPECT_LINE(c, "bob logged out");

	/* A client that dies: the server notices, the others are told. */
	b = step_login(s, "bob", "bob123", 0);
	EXPECT_LINE(a, "bob logged in");
	kill(b->pid, SIGKILL);
	cli_wait(b, E2E_EXIT_MS);
	cli_free(b);
	EXPECT(a, "bob logged out");
	EXPECT(c, "bob logged out");
	mark = cli_mark(a);
	SEND(a, "whoelse");
	EXPECT_LINE(a, "1 other active user");
	ck_assert_msg(cli_saw(a, mark, "bob,") == NULL,
	    "bob still listed after his client died:\n%s", cli_lines(a, mark));

	step_logout(c, "OUT", "carol");
	EXPECT_LINE(a, "carol logged out");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_whoelsesince)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	long long deadline;
	struct cli *a, *b, *c;
	size_t mark;
	bool gone;

	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	c = step_login(s, "carol", "carol123", 0);
	step_logout(c, "logout", "carol");
	EXPECT_LINE(a, "carol logged out");

	/* A wide window: bob (online now) and carol (last seen). The whoelse
	   after it marks where the reply ends. */
	mark = cli_mark(a);
	SEND(a, "whoelsesince 600");
	SEND(a, "whoelse");
	EXPECT_LINE(a, "1 other active user");
	ck_assert_msg(cli_saw_re(a, mark, "^bob \\(online now\\)$") != NULL &&
	    cli_saw_re(a, mark, "^carol \\(last seen " TIME_RE "\\)$") != NULL,
	    "whoelsesince 600 should list bob (online now) and carol (last "
	    "seen ...):\n%s", cli_lines(a, mark));
	ck_assert_msg(cli_saw(a, mark, "alice") == NULL,
	    "whoelsesince lists the caller:\n%s", cli_lines(a, mark));

	/* A 1 s window: bob always, carol drops out once her logout is more
	   than a second ago. */
	deadline = e2e_now_ms() + e2e_scale(15000);
	for (gone = false; !gone; e2e_nap(200)) {
		mark = cli_mark(a);
		SEND(a, "whoelsesince 1");
		SEND(a, "whoelse");
		EXPECT_LINE(a, "1 other active user");
		ck_assert_msg(cli_saw(a, mark, "bob (online now)") != NULL,
		    "whoelsesince 1 should list bob (online now):\n%s",
		    cli_lines(a, mark));
		gone = cli_saw(a, mark, "carol") == NULL;
		ck_assert_msg(gone || e2e_now_ms() < deadline, "carol, gone "
		    "for seconds, still in whoelsesince 1:\n%s",
		    cli_lines(a, mark));
	}

	/* Alone: the empty answer. */
	step_logout(b, "logout", "bob");
	EXPECT_LINE(a, "bob logged out");
	deadline = e2e_now_ms() + e2e_scale(15000);
	for (gone = false; !gone; e2e_nap(200)) {
		mark = cli_mark(a);
		SEND(a, "whoelsesince 1");
		SEND(a, "whoelse");
		EXPECT_LINE(a, "no other active user");
		gone = cli_saw(a, mark, "no other user in the last 1 second")
		    != NULL;
		ck_assert_msg(gone || e2e_now_ms() < deadline, "no \"no other "
		    "user in the last 1 second(s)\":\n%s", cli_lines(a, mark));
	}

	/* A bad argument is an error, and the session goes on. */
	mark = cli_mark(a);
	SEND(a, "whoelsesince soon");
	SEND(a, "whoelse");
	EXPECT_LINE(a, "no other active user");
	ck_assert_msg(cli_saw_re(a, mark, "^Error: ") != NULL,
	    "no error for \"whoelsesince soon\":\n%s", cli_lines(a, mark));
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_idle_timeout)
{
	/* 2 s, scaled with CK_TIMEOUT_MULTIPLIER: under valgrind on a loaded
	   machine one of bob's round trips can take longer than 2 s, and
	   bob, not alice, was timed out. */
	int idle = e2e_scale(2000) / 1000;
	char ini[256];
	struct srv *s;
	long long deadline, welcome_at, took;
	struct cli *a, *b;
	bool seen = false;
	int ub = e2e_free_udp_port();

	snprintf(ini, sizeof(ini), "[server]\nidle_timeout = %d\n" INI_BASIC,
	    idle);
	s = SRV_START(ini, CREDS);

	b = step_login(s, "bob", "bob123", ub);
	a = step_login(s, "alice", "alice123", 0);
	welcome_at = e2e_now_ms();

	/* bob keeps busy (commands are activity) and waits for the event. */
	deadline = e2e_now_ms() + e2e_scale(15000);
	while (!seen) {
		SEND(b, "whoelse");
		seen = cli_expect(b, "alice logged out (idle timeout)", 400);
		ck_assert_msg(seen || e2e_now_ms() < deadline, "%s",
		    cli_why(b));
	}
	took = e2e_now_ms() - welcome_at;
	ck_assert_str_eq(cli_last(b), "alice logged out (idle timeout)");
	ck_assert_msg(took >= idle * 1000 - 500, "alice timed out after "
	    "%lld ms, idle_timeout = %d s", took, idle);

	/* alice got the server's BYE text and ended normally. */
	EXPECT(a, "without a command");
	EXPECT_EXIT(a, 0);
	cli_free(a);

	SEND(b, "whoelse");
	EXPECT_LINE(b, "no other active user");
	sess_ulog_wait(s, (const char *const[]){ "bob" }, (const int[]){ ub }, 1,
	    NULL, false);
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* ---- userlog.txt ------------------------------------------------------- */

START_TEST(test_userlog_numbering)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	int ua = e2e_free_udp_port(), ub = e2e_free_udp_port();
	int uc = e2e_free_udp_port();
	struct ulog_line before[3], after[2];
	struct cli *a, *b, *c;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32], stamp2[32];
	time_t t2 = now + 5;

	a = step_login(s, "alice", "alice123", ua);
	sess_ulog_wait(s, (const char *const[]){ "alice" }, (const int[]){ ua }, 1,
	    NULL, false);
	b = step_login(s, "bob", "bob123", ub);
	c = step_login(s, "carol", "carol123", uc);
	sess_ulog_wait(s, (const char *const[]){ "alice", "bob", "carol" },
	    (const int[]){ ua, ub, uc }, 3, before, false);

	/* The login time is the server's local time, now. */
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%d %b %Y", &tm);
	localtime_r(&t2, &tm);
	strftime(stamp2, sizeof(stamp2), "%d %b %Y", &tm);
	ck_assert_msg(strncmp(before[0].time, stamp, strlen(stamp)) == 0 ||
	    strncmp(before[0].time, stamp2, strlen(stamp2)) == 0,
	    "userlog time %s is not today (%s)", before[0].time, stamp);

	/* The first logs out: the others move up, times kept. */
	step_logout(a, "logout", "alice");
	sess_ulog_wait(s, (const char *const[]){ "bob", "carol" },
	    (const int[]){ ub, uc }, 2, after, false);
	ck_assert_str_eq(after[0].time, before[1].time);
	ck_assert_str_eq(after[1].time, before[2].time);

	/* A new login goes at the end. */
	a = step_login(s, "alice", "alice123", ua);
	sess_ulog_wait(s, (const char *const[]){ "bob", "carol", "alice" },
	    (const int[]){ ub, uc, ua }, 3, NULL, false);
	step_logout(c, "logout", "carol");
	sess_ulog_wait(s, (const char *const[]){ "bob", "alice" },
	    (const int[]){ ub, ua }, 2, NULL, false);
	step_logout(b, "logout", "bob");
	step_logout(a, "logout", "alice");
	sess_ulog_wait(s, NULL, NULL, 0, NULL, false);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_userlog_empty_at_start)
{
	struct srv *s = srv_prepare(CREDS);
	int ua = e2e_free_udp_port();
	struct cli *a;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	ck_assert(srv_write_file(s, "userlog.txt",
	    "1; 01 Jan 2020 00:00:00; zed; 10.0.0.9; 5000\n"
	    "2; 01 Jan 2020 00:00:01; yan; 10.0.0.8; 5001\n"));
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	/* Up and accepting: the stale list is gone already. */
	{
		char *text = srv_read_file(s, "userlog.txt");

		ck_assert_msg(text == NULL || text[0] == '\0',
		    "userlog.txt not emptied at start:\n%s", text);
		free(text);
	}
	a = step_login(s, "alice", "alice123", ua);
	sess_ulog_wait(s, (const char *const[]){ "alice" }, (const int[]){ ua }, 1,
	    NULL, false);
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* Position of user in the parsed lines l[0..n), or -1. */
static int
ulog_find(const struct ulog_line *l, int n, const char *user)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].user, user) == 0)
			return i;
	return -1;
}

#define PIPE_N		8
#define PIPE_UDP	41000

/*
 * Logins pipelined on PIPE_N connections at once, so that the server
 * handles several in one loop pass (userlog.txt is written once per pass):
 * each user is in the file by the time its login OK arrives, and in the end
 * the file lists every one of them once, numbered 1..PIPE_N.
 */
START_TEST(test_userlog_pipelined_logins)
{
	static const char creds[] = "u1 p1\nu2 p2\nu3 p3\nu4 p4\nu5 p5\n"
	    "u6 p6\nu7 p7\nu8 p8\n";
	struct srv *s = SRV_START(INI_BASIC, creds);
	struct raw *r[PIPE_N];
	struct ulog_line l[16];
	const char *left[PIPE_N];
	int left_udp[PIPE_N], order[PIPE_N];
	char buf[160], user[16], *text;
	int i, n, got, k;

	for (i = 0; i < PIPE_N; i++)
		r[i] = step_raw_open(s);
	/* Every connection's whole login in one write, before any reply. */
	for (i = 0; i < PIPE_N; i++) {
		snprintf(buf, sizeof(buf), "1 HELLO 1\n2 LOGIN u%d %d\n"
		    "3 PASS p%d\n", i + 1, PIPE_UDP + i, i + 1);
		ck_assert_msg(raw_send_bytes(r[i], buf, strlen(buf)), "%s",
		    raw_why(r[i]));
	}
	for (i = 0; i < PIPE_N; i++) {
		RAW_EXPECT(r[i], "1 OK");
		RAW_EXPECT(r[i], "2 OK password");
		snprintf(buf, sizeof(buf), "3 OK Welcome u%d", i + 1);
		RAW_EXPECT(r[i], buf);
		/* Written before the replies of its pass went out. */
		text = srv_read_file(s, "userlog.txt");
		got = sess_ulog_parse(text, l, 16);
		snprintf(user, sizeof(user), "u%d", i + 1);
		ck_assert_msg(got > 0 && ulog_find(l, got, user) >= 0,
		    "u%d has its login OK but is not in userlog.txt:\n%s",
		    i + 1, text ? text : "(missing)");
		free(text);
	}

	/* All of them, each once, numbered from 1, with their UDP ports. */
	text = srv_read_file(s, "userlog.txt");
	got = sess_ulog_parse(text, l, 16);
	ck_assert_msg(got == PIPE_N, "userlog.txt should list %d users, it "
	    "holds (%d):\n%s", PIPE_N, got, text ? text : "(missing)");
	for (i = 0; i < PIPE_N; i++) {
		snprintf(user, sizeof(user), "u%d", i + 1);
		k = ulog_find(l, got, user);
		ck_assert_msg(k >= 0 && ulog_find(l + k + 1, got - k - 1,
		    user) == -1, "u%d should be listed once:\n%s", i + 1, text);
		ck_assert_msg(l[k].port == PIPE_UDP + i &&
		    strcmp(l[k].ip, "127.0.0.1") == 0 && l[i].seq == i + 1,
		    "bad line for u%d or numbering:\n%s", i + 1, text);
		order[k] = i;
	}
	free(text);

	/* Every other one logs out: the rest keep their order, renumbered. */
	n = 0;
	for (k = 0; k < PIPE_N; k++) {
		i = order[k];
		if (i % 2 == 0) {
			RAW_SEND(r[i], "9 LOGOUT");
			ck_assert_msg(raw_expect_closed(r[i], E2E_WAIT_MS),
			    "%s", raw_why(r[i]));
			raw_close(r[i]);
			r[i] = NULL;
		} else {
			left[n] = l[k].user;
			left_udp[n++] = PIPE_UDP + i;
		}
	}
	sess_ulog_wait(s, left, left_udp, n, NULL, false);
	for (i = 0; i < PIPE_N; i++)
		if (r[i] != NULL)
			raw_close(r[i]);
	sess_ulog_wait(s, NULL, NULL, 0, NULL, false);
	step_stop_ok(s);
}
END_TEST

/* Occurrences of sub in the server's log, and where the last one starts
   (-1: none). */
static int
log_count(struct srv *s, const char *sub, long *last)
{
	char *text = srv_read_file(s, "server.log"), *p;
	int n = 0;

	*last = -1;
	for (p = text; p != NULL && (p = strstr(p, sub)) != NULL; p++) {
		*last = p - text;
		n++;
	}
	free(text);
	return n;
}

#define TRIM_LINE	"freed heap given back: resident "

/*
 * After presence events (whose per-recipient copies are freed once sent)
 * the server gives freed heap back to the kernel once, about a second
 * later, and does not keep waking up for it while idle.
 */
START_TEST(test_heap_trim_after_logins)
{
	static const char creds[] = "u1 p1\nu2 p2\nu3 p3\nu4 p4\nu5 p5\n"
	    "u6 p6\nu7 p7\nu8 p8\n";
	struct srv *s = SRV_START(INI_BASIC "[log]\nlevel = debug\n", creds);
	struct raw *r[PIPE_N];
	long long deadline;
	long last_login, last_trim, pos;
	char buf[160];
	int i, n, n2;

	for (i = 0; i < PIPE_N; i++)
		r[i] = step_raw_open(s);
	for (i = 0; i < PIPE_N; i++) {
		snprintf(buf, sizeof(buf), "1 HELLO 1\n2 LOGIN u%d\n3 PASS p%d\n",
		    i + 1, i + 1);
		ck_assert_msg(raw_send_bytes(r[i], buf, strlen(buf)), "%s",
		    raw_why(r[i]));
	}
	for (i = 0; i < PIPE_N; i++) {
		snprintf(buf, sizeof(buf), "3 OK Welcome u%d", i + 1);
		RAW_EXPECT(r[i], "1 OK");
		RAW_EXPECT(r[i], "2 OK");
		RAW_EXPECT(r[i], buf);
	}

	/* Given back after the last login. */
	deadline = e2e_now_ms() + E2E_WAIT_MS;
	for (;;) {
		log_count(s, " logged in from ", &last_login);
		n = log_count(s, TRIM_LINE, &last_trim);
		if (n > 0 && last_trim > last_login)
			break;
		ck_assert_msg(e2e_now_ms() < deadline, "no \"%s\" line after "
		    "the logins; server log:\n%s", TRIM_LINE,
		    srv_log_tail(s, 20));
		e2e_nap(50);
	}
	/* Idle: no more of them. */
	e2e_nap(2500);
	n2 = log_count(s, TRIM_LINE, &pos);
	ck_assert_msg(n2 == n, "%d more \"%s\" lines while idle:\n%s", n2 - n,
	    TRIM_LINE, srv_log_tail(s, 20));

	/* A logout is a presence event too. */
	RAW_SEND(r[0], "9 LOGOUT");
	ck_assert_msg(raw_expect_closed(r[0], E2E_WAIT_MS), "%s", raw_why(r[0]));
	deadline = e2e_now_ms() + E2E_WAIT_MS;
	while (log_count(s, TRIM_LINE, &pos) == n) {
		ck_assert_msg(e2e_now_ms() < deadline, "no \"%s\" line after "
		    "a logout; server log:\n%s", TRIM_LINE, srv_log_tail(s, 20));
		e2e_nap(50);
	}
	for (i = 0; i < PIPE_N; i++)
		raw_close(r[i]);
	step_stop_ok(s);
}
END_TEST

/* The "online" test case of suite e2e_session. */
TCase *
tcase_e2e_online(void)
{
	TCase *tc = tcase_create("online");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_whoelse_lists);
	tcase_add_test(tc, test_presence);
	tcase_add_test(tc, test_whoelsesince);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_userlog_numbering);
	tcase_add_test(tc, test_userlog_empty_at_start);
	tcase_add_test(tc, test_userlog_pipelined_logins);
	tcase_add_test(tc, test_heap_trim_after_logins);
	return tc;
}
