/*
 * check_e2e_tui.c - the screen end to end: the real tui-client (no
 * --plain) in a detached tmux against the real server, read back with
 * capture-pane.  Every test has its own server, port, temp dir and tmux
 * server; waits poll the screen with generous deadlines.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "steps.h"
#include "tmux.h"
#include "../suites.h"

#define CREDS	E2E_CREDS

#define INI_BASIC							\
	"[accounts]\n"							\
	"attempts = 3\n"						\
	"block_seconds = 30\n"						\
	"registration = no\n"

/* The message pane's part of a row (left of the users panel). */
static const char *
pane_part(char *row)
{
	char *bar = strstr(row, "\u2502");

	if (bar != NULL)
		*bar = '\0';
	return row;
}

/* Log out with /logout and expect exit status 0. */
static void
screen_logout(struct tmx *t, const char *name)
{
	int st;

	TMX_LINE(t, name, "/logout");
	st = tmx_wait_exit(t, name, E2E_EXIT_MS);
	ck_assert_msg(st == 0, "exit status %d: %s", st, tmx_why(t));
}

/*
 * The login screen: banner, a wrong password asked again, nothing secret
 * on the screen, errors in their own style, then the session's view.
 */
START_TEST(test_tui_login)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	const char *scr, *err;

	ck_assert_msg(tmx_start(t, "a", 80, 24, s, NULL), "%s", tmx_why(t));
	TMX_WAIT(t, "a", "Log in with your user name and password");
	TMX_WAIT(t, "a", "Username:");
	TMX_LINE(t, "a", "alice");
	TMX_WAIT(t, "a", "Password:");
	TMX_LINE(t, "a", "sEcReT1");
	TMX_WAIT(t, "a", "Error: Invalid password. Please try again");
	TMX_WAIT(t, "a", "Password:");		/* asked again */
	TMX_TYPE(t, "a", "alice1");
	TMX_WAIT(t, "a", "Password: ******");	/* stars while typing */
	TMX_TYPE(t, "a", "23");
	TMX_KEY(t, "a", "Enter");
	TMX_WAIT(t, "a", "Welcome alice");
	TMX_WAIT(t, "a", " alice | 0 online");
	TMX_GONE(t, "a", "Log in with");	/* the banner has gone */
	scr = tmx_capture(t, "a", false);
	ck_assert_msg(strstr(scr, "sEcReT1") == NULL &&
	    strstr(scr, "alice123") == NULL, "a password shows:\n%s", scr);
	/* An error line carries attributes; a normal line does not. */
	TMX_LINE(t, "a", "/nosuchcommand");
	TMX_WAIT(t, "a", "Error: unknown command");
	scr = tmx_capture(t, "a", true);
	err = strstr(scr, "Error: unknown command");
	ck_assert_ptr_nonnull(err);
	/* The line starts with its time, "HH:MM ", under the same colour. */
	if (err - scr > 6 && err[-1] == ' ' && err[-4] == ':')
		err -= 6;
	ck_assert_msg(err > scr && strchr("mH", err[-1]) != NULL,
	    "no attribute before the error:\n%s", scr);
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * A question takes the keyboard and one answer suffices: the password
 * typed once logs in, is never asked again, and does not leak into the
 * command line.  Blocked: a clear message, kept until a key is pressed.
 */
START_TEST(test_tui_question_once_and_blocked)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_ROW(t, "a", 23, ">");
	ck_assert_msg(strstr(t->screen, "Password:") == NULL,
	    "the question is still there:\n%s", t->screen);

	ck_assert_msg(tmx_start(t, "c", 80, 24, s, NULL), "%s", tmx_why(t));
	TMX_WAIT(t, "c", "Username:");
	TMX_LINE(t, "c", "carol");
	TMX_WAIT(t, "c", "Password:");
	TMX_LINE(t, "c", "bad1");
	TMX_COUNT(t, "c", "Please try again", 1);
	TMX_ROW(t, "c", 23, "Password:");
	TMX_LINE(t, "c", "bad2");
	TMX_COUNT(t, "c", "Please try again", 2);
	TMX_ROW(t, "c", 23, "Password:");
	TMX_LINE(t, "c", "bad3");
	TMX_WAIT(t, "c", "Your account has been blocked");
	TMX_WAIT(t, "c", "Session ended. Press any key to quit.");
	ck_assert(tmx_alive(t, "c"));
	TMX_KEY(t, "c", "q");
	ck_assert_int_eq(tmx_wait_exit(t, "c", E2E_EXIT_MS), 2);

	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* The users panel follows logins and logouts, and hides when narrow. */
START_TEST(test_tui_users_panel)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *carol;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_WAIT(t, "a", "Online (0)");
	TMX_WAIT(t, "a", "(nobody else)");
	carol = step_login(s, "carol", "carol123", 0);
	TMX_WAIT(t, "a", "Online (1)");
	TMX_WAIT(t, "a", "\u2502 carol");	/* in the panel, not the pane */
	SEND(carol, "logout");
	EXPECT_EXIT(carol, 0);
	TMX_WAIT(t, "a", "carol logged out");
	TMX_WAIT(t, "a", "Online (0)");
	TMX_GONE(t, "a", "\u2502 carol");
	ck_assert(tmx_resize(t, "a", 50, 20));
	TMX_GONE(t, "a", "Online (");
	ck_assert(tmx_resize(t, "a", 80, 24));
	TMX_WAIT(t, "a", "Online (0)");
	cli_free(carol);
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * Typed in one screen, shown in another: presence, then a direct message
 * in UTF-8 (accents, CJK, a symbol), with the name completed by Tab.
 */
START_TEST(test_tui_message_utf8)
{
	static const char text[] = "h\u00e9llo \u65e5\u672c\u8a9e \u2713";
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	char want[128];

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	tmx_login(t, s, "b", 80, 24, "bob", "bob123");
	TMX_WAIT(t, "a", "bob logged in");
	TMX_TYPE(t, "a", "message b");
	TMX_KEY(t, "a", "Tab");
	TMX_ROW(t, "a", 23, "> message bob");
	TMX_TYPE(t, "a", text);
	snprintf(want, sizeof(want), "> message bob %s", text);
	TMX_WAIT(t, "a", want);			/* the input line */
	TMX_KEY(t, "a", "Enter");
	snprintf(want, sizeof(want), "alice: %s", text);
	TMX_WAIT(t, "b", want);
	screen_logout(t, "b");
	TMX_WAIT(t, "a", "bob logged out");
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * A consent question (private chat) takes the keyboard from a half-typed
 * command, is answered by one key, and gives the command back.
 */
START_TEST(test_tui_consent_once)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	tmx_login(t, s, "b", 80, 24, "bob", "bob123");
	TMX_TYPE(t, "b", "message al");
	TMX_ROW(t, "b", 23, "> message al");
	TMX_LINE(t, "a", "startprivate bob");
	TMX_WAIT(t, "b", "(y/n)");
	tmx_capture(t, "b", false);
	ck_assert_msg(strstr(t->screen, "> message al") == NULL,
	    "the draft is still on the line:\n%s", t->screen);
	TMX_KEY(t, "b", "y");
	TMX_WAIT(t, "a", "accepted");
	TMX_ROW(t, "b", 23, "> message al");	/* the draft is back */
	TMX_COUNT(t, "b", "(y/n)", 1);
	ck_assert_msg(strstr(strstr(t->screen, "(y/n)") + 5, "(y/n)") == NULL,
	    "asked twice:\n%s", t->screen);
	TMX_KEY(t, "b", "C-u");
	screen_logout(t, "b");
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* History (Up) and command-word completion (Tab). */
START_TEST(test_tui_history_completion)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_TYPE(t, "a", "whoel");
	TMX_KEY(t, "a", "Tab");
	TMX_KEY(t, "a", "Tab");			/* whoelse, then whoelsesince */
	TMX_WAIT(t, "a", "> whoelsesince");
	TMX_TYPE(t, "a", " 60");
	TMX_KEY(t, "a", "Enter");
	TMX_WAIT(t, "a", "> whoelsesince 60");	/* echoed in the pane */
	TMX_LINE(t, "a", "whoelse");
	TMX_WAIT(t, "a", "no other active user");
	TMX_KEY(t, "a", "Up");
	TMX_ROW(t, "a", 23, "> whoelse");
	TMX_KEY(t, "a", "Up");
	TMX_ROW(t, "a", 23, "> whoelsesince 60");
	TMX_KEY(t, "a", "C-w");
	TMX_ROW(t, "a", 23, "> whoelsesince");
	TMX_KEY(t, "a", "Down");
	TMX_ROW(t, "a", 23, "> whoelse");
	TMX_KEY(t, "a", "Down");
	TMX_ROW(t, "a", 23, ">");
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* Down to 20x5 (and smaller) and back: alive, typing works, no garbage. */
START_TEST(test_tui_resize)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	char row[256];

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	ck_assert(tmx_resize(t, "a", 20, 5));
	TMX_WAIT(t, "a", " alice | 0 online");
	TMX_GONE(t, "a", "Online (");
	TMX_LINE(t, "a", "whoelse");
	TMX_WAIT(t, "a", "active user");	/* "HH:MM no other" above */
	ck_assert(tmx_resize(t, "a", 3, 2));
	ck_assert(tmx_resize(t, "a", 1, 1));
	ck_assert(tmx_resize(t, "a", 120, 40));
	TMX_WAIT(t, "a", "Online (0)");
	ck_assert(tmx_alive(t, "a"));
	/* The whole frame is redrawn: status bar row, input row, panel. */
	tmx_capture(t, "a", false);
	ck_assert_msg(strncmp(tmx_row(t, 38, row, sizeof(row)),
	    " alice | 0 online", 17) == 0, "status row: '%s'\n%s", row,
	    t->screen);
	ck_assert_str_eq(tmx_row(t, 39, row, sizeof(row)), ">");
	ck_assert_msg(strstr(tmx_row(t, 0, row, sizeof(row)),
	    "\u2502 Online (0)") != NULL, "first row: '%s'", row);
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* PgUp holds the view while lines arrive and counts them; PgDn returns. */
START_TEST(test_tui_scrollback)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	char top[256], row[256];
	struct cli *carol;
	int i;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	for (i = 0; i < 4; i++)
		TMX_LINE(t, "a", "/help");
	TMX_WAIT(t, "a", "/help: this list");
	TMX_KEY(t, "a", "PPage");
	TMX_WAIT(t, "a", "below (PgDn)");
	tmx_capture(t, "a", false);
	tmx_row(t, 0, top, sizeof(top));
	pane_part(top);
	carol = step_login(s, "carol", "carol123", 0);
	TMX_WAIT(t, "a", "1 new,");
	TMX_WAIT(t, "a", "Online (1)");
	tmx_row(t, 0, row, sizeof(row));
	ck_assert_str_eq(pane_part(row), top);
	ck_assert(strstr(t->screen, "carol logged in") == NULL);
	for (i = 0; i < 40 && strstr(t->screen, "below (PgDn)") != NULL;
	    i++) {
		TMX_KEY(t, "a", "NPage");
		tmx_capture(t, "a", false);
	}
	TMX_GONE(t, "a", "below (PgDn)");
	TMX_WAIT(t, "a", "carol logged in");
	cli_free(carol);
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* True when some row shows UED 7's bar at 1..99% with a rate. */
static bool
bar_midway(const struct tmx *t)
{
	const char *p = strstr(t->screen, "UED 7 [");
	int pct;

	if (p == NULL || (p = strchr(p, ']')) == NULL ||
	    sscanf(p + 1, " %d%%", &pct) != 1)
		return false;
	return pct > 0 && pct < 100 && strstr(p, " MB of 3") != NULL &&
	    strstr(p, "B/s, ") != NULL && strstr(p, " left") != NULL;
}

/*
 * A progress bar during a large upload.  Loopback is too fast to catch
 * one mid-way, so the server is stopped (SIGSTOP) and let run in short
 * bursts: the bar must show its start, then some percent with a rate.
 */
START_TEST(test_tui_progress_bar)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	bool seen = false;
	int i;

	tmx_login(t, s, "a", 100, 24, "alice", "alice123");
	TMX_LINE(t, "a", "EDG 7 3000000");
	TMX_WAIT(t, "a", "Wrote 3000000 random integers");
	ck_assert_int_eq(kill(s->pid, SIGSTOP), 0);
	TMX_LINE(t, "a", "UED 7");
	TMX_WAIT(t, "a", "UED 7 [");
	TMX_WAIT(t, "a", "0% 0 B of 3");
	for (i = 0; i < 300 && !seen; i++) {
		kill(s->pid, SIGCONT);
		e2e_nap(3);
		kill(s->pid, SIGSTOP);
		e2e_nap(300);			/* > the bar's redraw period */
		tmx_capture(t, "a", false);
		seen = bar_midway(t);
		if (strstr(t->screen, "Uploaded alice-7.txt") != NULL)
			break;
	}
	kill(s->pid, SIGCONT);
	ck_assert_msg(seen, "no bar mid-way; the screen:\n%s", t->screen);
	TMX_WAIT(t, "a", "Uploaded alice-7.txt");
	TMX_GONE(t, "a", "UED 7 [");
	screen_logout(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * --tls on the screen: the first contact is a one-key question (no
 * Enter); y pins and the next start does not ask; n exits with 2.
 */
START_TEST(test_tui_tls_trust_key)
{
	char body[128], env[400];
	struct srv *s = srv_prepare(CREDS);
	struct tmx *t = tmx_new();
	int tp = e2e_free_tcp_port(), st;

	ck_assert_ptr_nonnull(s);
	snprintf(body, sizeof(body), INI_BASIC "[tls]\nlisten = 127.0.0.1\n"
	    "port = %d\n", tp);
	ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	snprintf(env, sizeof(env), "XDG_DATA_HOME=%s/xdg", s->dir);
	ck_assert_msg(tmx_start_args(t, "a", 100, 24, s, tp, env, "--tls"),
	    "%s", tmx_why(t));
	TMX_WAIT(t, "a", "Its certificate fingerprint is SHA256:");
	TMX_WAIT(t, "a", "Trust this server? (y/n)");
	TMX_TYPE(t, "a", "y");
	tmx_log_in(t, "a", "alice", "alice123");
	screen_logout(t, "a");

	ck_assert_msg(tmx_start_args(t, "b", 100, 24, s, tp, env, "--tls"),
	    "%s", tmx_why(t));
	TMX_WAIT(t, "b", "Username:");
	ck_assert_ptr_null(strstr(tmx_capture(t, "b", false), "Trust"));
	TMX_LINE(t, "b", "alice");
	TMX_WAIT(t, "b", "Password:");
	TMX_LINE(t, "b", "alice123");
	TMX_WAIT(t, "b", "Welcome alice");
	screen_logout(t, "b");

	snprintf(env, sizeof(env), "XDG_DATA_HOME=%s/xdg-other", s->dir);
	ck_assert_msg(tmx_start_args(t, "c", 100, 24, s, tp, env, "--tls"),
	    "%s", tmx_why(t));
	TMX_WAIT(t, "c", "Trust this server? (y/n)");
	TMX_TYPE(t, "c", "n");
	st = tmx_wait_exit(t, "c", E2E_EXIT_MS);
	ck_assert_msg(st == 2, "exit status %d: %s", st, tmx_why(t));
	tmx_free(t);
	srv_stop(s);
}
END_TEST

Suite *
suite_e2e_tui(void)
{
	Suite *s = suite_create("e2e_tui");
	TCase *tc;

	tc = tcase_create("screen");
	tcase_add_unchecked_fixture(tc, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tui_login);
	tcase_add_test(tc, test_tui_question_once_and_blocked);
	tcase_add_test(tc, test_tui_users_panel);
	tcase_add_test(tc, test_tui_message_utf8);
	tcase_add_test(tc, test_tui_consent_once);
	tcase_add_test(tc, test_tui_history_completion);
	tcase_add_test(tc, test_tui_resize);
	tcase_add_test(tc, test_tui_scrollback);
	tcase_add_test(tc, test_tui_progress_bar);
	tcase_add_test(tc, test_tui_tls_trust_key);
	suite_add_tcase(s, tc);
	return s;
}
