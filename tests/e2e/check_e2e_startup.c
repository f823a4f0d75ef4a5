/*
 * check_e2e_startup.c - suite e2e_session, the raw protocol (sessions,
 * versions, bad lines, states, timeouts) and start-up: errors, signals,
 * the generations' positional forms (see check_e2e_session.c).
 */
#include <crypt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "steps.h"
#include "e2e_session.h"
#include "../suites.h"

/* ---- the raw protocol -------------------------------------------------- */

START_TEST(test_raw_session)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct raw *r, *r2;
	const char *line;

	r = step_raw_open(s);
	RAW_SEND(r, "a1 WHO");
	RAW_EXPECT(r, "a1 ERR state");
	RAW_SEND(r, "1 HELLO 1");
	RAW_EXPECT(r, "1 OK firmware-server protocol 1");
	RAW_SEND(r, "x WHO");
	RAW_EXPECT(r, "x ERR state");
	RAW_SEND(r, "!!");
	RAW_EXPECT(r, "* ERR proto");
	RAW_SEND(r, "2 LOGIN alice 40001");
	RAW_EXPECT(r, "2 OK password");
	RAW_SEND(r, "3 PASS not-it");
	RAW_EXPECT(r, "3 ERR auth");
	RAW_SEND(r, "4 PASS alice123");
	RAW_EXPECT(r, "4 OK Welcome alice");
	RAW_SEND(r, "5 WHO\r");		/* CR before LF is dropped */
	RAW_EXPECT(r, "5 OK no other active user");
	RAW_SEND(r, "6 ping");		/* verbs are case-insensitive */
	RAW_EXPECT(r, "6 OK pong");

	r2 = step_raw_login(s, "bob", "bob123", 40002);
	line = raw_next(r, E2E_WAIT_MS);
	ck_assert_msg(line != NULL, "%s", raw_why(r));
	ck_assert_msg(strncmp(line, "* ONLINE bob 127.0.0.1 40002 ", 29) == 0 &&
	    e2e_is_time(line + 29), "expected * ONLINE bob 127.0.0.1 40002 "
	    "TIME, got: %s", line);
	RAW_SEND(r, "7 who");
	line = raw_next(r, E2E_WAIT_MS);
	ck_assert_msg(line != NULL, "%s", raw_why(r));
	ck_assert_msg(strncmp(line, "7 . bob 127.0.0.1 40002 ", 24) == 0 &&
	    e2e_is_time(line + 24), "expected 7 . bob 127.0.0.1 40002 TIME, "
	    "got: %s", line);
	RAW_EXPECT(r, "7 OK 1 other active user");

	RAW_SEND(r2, "9 LOGOUT");
	RAW_EXPECT(r2, "9 OK Goodbye bob");
	ck_assert_msg(raw_expect_closed(r2, E2E_WAIT_MS), "%s", raw_why(r2));
	raw_close(r2);
	RAW_EXPECT(r, "* OFFLINE bob logout");

	RAW_SEND(r, "8 LOGOUT");
	RAW_EXPECT(r, "8 OK Goodbye alice");
	ck_assert_msg(raw_expect_closed(r, E2E_WAIT_MS), "%s", raw_why(r));
	raw_close(r);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_raw_version_mismatch)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct raw *r = step_raw_open(s);

	RAW_SEND(r, "1 HELLO 2");
	RAW_EXPECT(r, "1 ERR version");
	ck_assert_msg(raw_expect_closed(r, E2E_WAIT_MS), "%s", raw_why(r));
	raw_close(r);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_raw_bad_lines)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct raw *a, *r;
	char big[5001];

	a = step_raw_login(s, "alice", "alice123", 40001);

	/* Bad UTF-8 and control characters: an error, the line goes on. */
	RAW_SEND(a, "u1 WHO \xff\xfe");
	RAW_EXPECT(a, "u1 ERR proto");
	RAW_SEND(a, "u2 PI\tNG");
	RAW_EXPECT(a, "u2 ERR proto");
	RAW_SEND(a, "u3 PING");
	RAW_EXPECT(a, "u3 OK pong");

	/* A line over 4096 bytes: error and close... */
	r = step_raw_open(s);
	RAW_SEND(r, "1 HELLO 1");
	RAW_EXPECT(r, "1 OK");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	RAW_SEND(r, big);
	RAW_EXPECT(r, "* ERR proto");
	ck_assert_msg(raw_expect_closed(r, E2E_WAIT_MS), "%s", raw_why(r));
	raw_close(r);

	/* ... while the other connection keeps working. */
	RAW_SEND(a, "5 WHO");
	RAW_EXPECT(a, "5 OK no other active user");
	RAW_SEND(a, "6 LOGOUT");
	RAW_EXPECT(a, "6 OK Goodbye alice");
	raw_close(a);
	step_stop_ok(s);
}
END_TEST

/* Lockout and state rules on one connection. */
START_TEST(test_raw_lockout_and_states)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct raw *r, *b;

	b = step_raw_login(s, "bob", "bob123", 40002);
	RAW_SEND(b, "1 LOGIN carol");		/* already logged in */
	RAW_EXPECT(b, "1 ERR state");

	r = step_raw_open(s);
	RAW_SEND(r, "1 HELLO 1");
	RAW_EXPECT(r, "1 OK");
	/* bob is online: LOGIN and a wrong password answer as for any
	   name, so nobody learns who is online; the right one says so. */
	RAW_SEND(r, "2 LOGIN bob 40003");
	RAW_EXPECT(r, "2 OK password Enter your password");
	RAW_SEND(r, "2 PASS wrong");
	RAW_EXPECT(r, "2 ERR auth");
	RAW_SEND(r, "2 PASS bob123");
	RAW_EXPECT(r, "2 ERR inuse");
	RAW_SEND(r, "3 LOGIN bad/name 40003");
	RAW_EXPECT(r, "3 ERR args");
	RAW_SEND(r, "4 PASS alice123");		/* no LOGIN yet */
	RAW_EXPECT(r, "4 ERR state");
	RAW_SEND(r, "5 LOGIN alice 40003");
	RAW_EXPECT(r, "5 OK password");
	RAW_SEND(r, "6 PASS x1");
	RAW_EXPECT(r, "6 ERR auth");
	RAW_SEND(r, "7 PASS x2");
	RAW_EXPECT(r, "7 ERR auth");
	RAW_SEND(r, "8 PASS x3");
	RAW_EXPECT(r, "8 ERR blocked");
	/* Back in state user: the blocked name is refused even with the
	   right password, another name logs in on the same connection. */
	RAW_SEND(r, "9 LOGIN alice 40003");
	RAW_EXPECT(r, "9 ERR blocked");
	RAW_SEND(r, "10 LOGIN carol 40003");
	RAW_EXPECT(r, "10 OK password");
	RAW_SEND(r, "11 PASS carol123");
	RAW_EXPECT(r, "11 OK Welcome carol");
	RAW_SEND(r, "12 LOGOUT");
	RAW_EXPECT(r, "12 OK Goodbye carol");
	raw_close(r);
	raw_close(b);
	step_stop_ok(s);
}
END_TEST

/* login_timeout closes a connection that does not log in; PING is not
   activity for the idle timeout. */
START_TEST(test_raw_timeouts)
{
	struct srv *s = SRV_START("[server]\nidle_timeout = 2\n"
	    "login_timeout = 2\n" INI_BASIC, CREDS);
	long long deadline, start;
	struct raw *a, *b, *l;
	const char *line = NULL;
	char req[32];
	int n;

	l = step_raw_open(s);
	RAW_SEND(l, "1 HELLO 1");
	RAW_EXPECT(l, "1 OK");
	b = step_raw_login(s, "bob", "bob123", 40002);
	a = step_raw_login(s, "alice", "alice123", 40001);
	start = e2e_now_ms();

	/* alice only pings: she is still logged out for idleness.  bob makes
	   requests (activity) and sees her go. */
	deadline = e2e_now_ms() + e2e_scale(15000);
	for (n = 1; ; n++) {
		snprintf(req, sizeof(req), "p%d PING", n);
		if (!raw_send(a, req))
			break;		/* already closed */
		line = raw_next(a, 300);
		while (line != NULL && strncmp(line, "* ", 2) == 0 &&
		    strncmp(line, "* BYE", 5) != 0)
			line = raw_next(a, 300);	/* events */
		if (line != NULL && strncmp(line, "* BYE timeout", 13) == 0)
			break;
		snprintf(req, sizeof(req), "w%d WHO", n);
		RAW_SEND(b, req);
		ck_assert_msg(e2e_now_ms() < deadline, "alice, only pinging, "
		    "was not logged out for idleness:\n%s", raw_why(a));
		e2e_nap(200);	/* poll interval */
	}
	ck_assert_msg(e2e_now_ms() - start >= 1500, "idle after %lld ms",
	    e2e_now_ms() - start);
	ck_assert_msg(raw_expect_closed(a, E2E_WAIT_MS), "%s", raw_why(a));
	for (;;) {
		line = raw_next(b, E2E_WAIT_MS);
		ck_assert_msg(line != NULL, "bob: no * OFFLINE alice timeout:\n"
		    "%s", raw_why(b));
		if (strncmp(line, "* OFFLINE", 9) == 0)
			break;
	}
	ck_assert_str_eq(line, "* OFFLINE alice timeout");

	/* The connection that never logged in was closed long ago. */
	line = raw_next(l, E2E_WAIT_MS);
	ck_assert_msg(line != NULL && strncmp(line, "* BYE login", 11) == 0,
	    "expected * BYE login on a connection that did not log in:\n%s",
	    raw_why(l));
	ck_assert_msg(raw_expect_closed(l, E2E_WAIT_MS), "%s", raw_why(l));
	raw_close(l);
	raw_close(a);
	raw_close(b);
	step_stop_ok(s);
}
END_TEST

/* ---- start-up, shutdown and the generations' forms --------------------- */

/* Run the server with args; it must fail (exit 1..127) without hanging;
   the output must contain every string in want (NULL-terminated). */
static void
must_fail(struct srv *s, const char *const args[], const char *const want[])
{
	char what[256] = "";
	char *out = NULL;
	size_t i;
	int st;

	for (i = 0; args[i] != NULL; i++) {
		strncat(what, " ", sizeof(what) - strlen(what) - 1);
		strncat(what, args[i], sizeof(what) - strlen(what) - 1);
	}
	st = srv_exec(s, args, e2e_scale(10000), &out);
	ck_assert_msg(st > 0 && st < 128, "firmware-server%s: exit status %d "
	    "(expected a failure, 1..127; -1 = still running after 10 s); "
	    "output:\n%s", what, st, out ? out : "");
	for (i = 0; want[i] != NULL; i++)
		ck_assert_msg(out != NULL && strstr(out, want[i]) != NULL,
		    "firmware-server%s: the error should mention \"%s\"; "
		    "output:\n%s", what, want[i], out ? out : "");
	free(out);
}

START_TEST(test_startup_errors)
{
	struct srv *s = srv_prepare(CREDS);
	char port[16], ini[256];

	ck_assert_msg(s != NULL, "%s", e2e_error());
	snprintf(port, sizeof(port), "%d", s->port);
	must_fail(s, (const char *const[]){ port, "9", NULL },
	    (const char *const[]){ "1", "5", NULL });
	must_fail(s, (const char *const[]){ port, "0", NULL },
	    (const char *const[]){ "1", "5", NULL });
	must_fail(s, (const char *const[]){ port, "x", NULL },
	    (const char *const[]){ NULL });
	must_fail(s, (const char *const[]){ "70000", "3", NULL },
	    (const char *const[]){ "65535", NULL });
	must_fail(s, (const char *const[]){ "-c", "missing.ini", NULL },
	    (const char *const[]){ "missing.ini", NULL });

	/* INI errors name the file and the line. */
	snprintf(ini, sizeof(ini), "[server]\nlisten = 127.0.0.1\n"
	    "port = %d\n[accounts]\nno_such_key = 1\n", s->port);
	ck_assert(srv_write_file(s, "server.ini", ini));
	must_fail(s, (const char *const[]){ "-c", "server.ini", NULL },
	    (const char *const[]){ "server.ini:5:", NULL });
	snprintf(ini, sizeof(ini), "[server]\nport = %d\nlisten = 127.0.0.1\n"
	    "port = %d\n", s->port, s->port);
	ck_assert(srv_write_file(s, "dup.ini", ini));
	must_fail(s, (const char *const[]){ "-c", "dup.ini", NULL },
	    (const char *const[]){ "dup.ini:4:", NULL });
	snprintf(ini, sizeof(ini), "[server]\nport = %d\n[accounts]\n"
	    "attempts = 9\n", s->port);
	ck_assert(srv_write_file(s, "range.ini", ini));
	must_fail(s, (const char *const[]){ "-c", "range.ini", NULL },
	    (const char *const[]){ "range.ini:4:", NULL });
	srv_stop(s);
}
END_TEST

START_TEST(test_signals_clean_shutdown)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *a;
	int st;

	/* SIGTERM with a user online: exit 0, the client is let go. */
	a = step_login(s, "alice", "alice123", 0);
	st = srv_terminate(s, SIGTERM);
	ck_assert_msg(st == 0, "exit status %d after SIGTERM; log:\n%s", st,
	    srv_log_tail(s, 10));
	st = cli_wait(a, E2E_EXIT_MS);
	ck_assert_msg(st >= 0 && st < 128, "client after the server stopped: "
	    "%s", cli_why(a));
	cli_free(a);
	srv_stop(s);

	/* SIGHUP does not stop it; SIGINT stops it cleanly. */
	s = SRV_START(INI_BASIC, CREDS);
	a = step_login(s, "bob", "bob123", 0);
	kill(s->pid, SIGHUP);
	SEND(a, "whoelse");
	EXPECT_LINE(a, "no other active user");
	step_logout(a, "logout", "bob");
	a = step_login(s, "alice", "alice123", 0);
	step_logout(a, "logout", "alice");
	st = srv_terminate(s, SIGINT);
	ck_assert_msg(st == 0, "exit status %d after SIGINT; log:\n%s", st,
	    srv_log_tail(s, 10));
	srv_stop(s);
}
END_TEST

/*
 * A port that another process listens on is not taken for the server's:
 * the harness starts the server on another port.  Under valgrind the
 * server takes seconds to exit after "cannot listen ... in use", and the
 * other process (in parallel runs, another test's server) answered the
 * harness's connect, so the test ran against a stranger's server.
 */
START_TEST(test_port_taken_elsewhere)
{
	struct srv *s = srv_prepare(CREDS);
	struct cli *a;
	int fd, held;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	fd = e2e_tcp_listen(&held);
	s->port = held;
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	ck_assert_msg(s->port != held, "the server is taken to listen on "
	    "port %d, where this test listens", held);
	a = step_login(s, "alice", "alice123", 0);
	step_logout(a, "logout", "alice");
	close(fd);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_positional_attempts)
{
	struct srv *s = srv_start_pos(CREDS, "2", NULL);
	int ub = e2e_free_udp_port();
	struct cli *a, *b, *e;
	char *text;

	ck_assert_msg(s != NULL, "firmware-server PORT 2: %s", e2e_error());

	/* ATTEMPTS = 2: the second failure blocks. */
	a = sess_fail_passwords(s, "alice", 2);
	EXPECT_LINE(a, MSG_NOW_BLOCKED " (in 10 s)");
	EXPECT_EXIT(a, 2);
	cli_free(a);

	/* credentials.txt and userlog.txt in the working directory. */
	b = step_login(s, "bob", "bob123", ub);
	sess_ulog_wait(s, (const char *const[]){ "bob" }, (const int[]){ ub }, 1,
	    NULL, false);

	/* Registration is on in this form. */
	e = step_client(s, "erin", 0);
	EXPECT(e, "Username:");
	SEND(e, "erin");
	EXPECT_LINE(e, "New user erin: choose a password");
	EXPECT(e, "New password:");
	SEND(e, "erin-pw1");
	EXPECT(e, "Confirm password:");
	SEND(e, "erin-pw1");
	EXPECT_LINE(e, "Welcome erin");
	text = srv_read_file(s, "credentials.txt");
	ck_assert_msg(text != NULL && strncmp(text, CREDS, strlen(CREDS)) == 0
	    && strncmp(text + strlen(CREDS), "erin $", 6) == 0,
	    "credentials.txt in the working directory:\n%s", text ? text : "");
	free(text);
	step_logout(e, "logout", "erin");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_positional_block_idle)
{
	struct srv *s = srv_start_pos(CREDS, "2", "2", NULL);
	long long welcome_at;
	struct cli *a;

	ck_assert_msg(s != NULL, "firmware-server PORT 2 2: %s", e2e_error());

	/* ATTEMPTS defaults to 3; BLOCK_SECONDS = 2. */
	a = sess_fail_passwords(s, "alice", 3);
	EXPECT_LINE(a, MSG_NOW_BLOCKED " (in 2 s)");
	EXPECT_EXIT(a, 2);
	cli_free(a);
	a = sess_login_after_block(s, "alice", "alice123", e2e_scale(15000));

	/* IDLE_TIMEOUT = 2: alice, idle, is logged out. */
	welcome_at = e2e_now_ms();
	EXPECT_MS(a, "without a command", e2e_scale(15000));
	ck_assert_msg(e2e_now_ms() - welcome_at >= 1000,
	    "idle timeout after %lld ms", e2e_now_ms() - welcome_at);
	EXPECT_EXIT(a, 0);
	cli_free(a);
	step_stop_ok(s);
}
END_TEST

/* The "protocol" test case of suite e2e_session. */
TCase *
tcase_e2e_protocol(void)
{
	TCase *tc = tcase_create("protocol");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_raw_session);
	tcase_add_test(tc, test_raw_version_mismatch);
	tcase_add_test(tc, test_raw_bad_lines);
	tcase_add_test(tc, test_raw_lockout_and_states);
	tcase_add_test(tc, test_raw_timeouts);
	return tc;
}

/* The "startup" test case of suite e2e_session. */
TCase *
tcase_e2e_startup(void)
{
	TCase *tc = tcase_create("startup");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_startup_errors);
	tcase_add_test(tc, test_signals_clean_shutdown);
	tcase_add_test(tc, test_port_taken_elsewhere);
	tcase_add_test(tc, test_positional_attempts);
	tcase_add_test(tc, test_positional_block_idle);
	return tc;
}
