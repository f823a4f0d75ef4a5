/*
 * check_e2e_daily.c - the screen for daily use, end to end in tmux: it
 * stays on and logs in again when the server goes and comes back, after
 * an idle logout (Enter), and after a changed password (asked); plain
 * mode only with --reconnect.  Each test has its own server, port, temp
 * dir and tmux server; waits poll the screen with generous deadlines.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Log out with /quit and expect exit status 0. */
static void
screen_quit(struct tmx *t, const char *name)
{
	int st;

	TMX_KEY(t, name, "C-u");
	TMX_LINE(t, name, "/quit");
	st = tmx_wait_exit(t, name, E2E_EXIT_MS);
	ck_assert_msg(st == 0, "exit status %d: %s", st, tmx_why(t));
}

/*
 * The server stops and starts again: the same screen carries on.  The
 * status bar counts down, a line typed meanwhile is sent after the login,
 * the half-typed line and the old lines stay, and a new message from
 * another user arrives.  A plain client with --reconnect comes back too;
 * one without it ends with status 1.
 */
START_TEST(test_daily_reconnect)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *bob, *carol;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	bob = step_login_args(s, "bob", "bob123", "--reconnect", NULL);
	carol = step_login(s, "carol", "carol123", 0);
	SEND(bob, "message alice before the outage");
	TMX_WAIT(t, "a", "before the outage");

	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);
	TMX_WAIT(t, "a", "disconnected \u2014 reconnecting in");
	TMX_WAIT(t, "a", "(attempt 2)");	/* it keeps trying */
	TMX_LINE(t, "a", "/msgto bob typed while down");
	TMX_WAIT(t, "a", "(not connected: sent after the login)");
	TMX_TYPE(t, "a", "half typed");
	EXPECT_EXIT(carol, 1);			/* plain, no --reconnect */

	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
	TMX_WAIT(t, "a", "reconnected");
	EXPECT(bob, "reconnected");
	EXPECT(bob, "typed while down");	/* alice's waiting line */
	SEND(bob, "message alice after the restart");
	TMX_WAIT(t, "a", "after the restart");
	tmx_capture(t, "a", false);
	ck_assert_msg(strstr(t->screen, "before the outage") != NULL,
	    "the old lines are gone:\n%s", t->screen);
	TMX_ROW(t, "a", 23, "> half typed");
	TMX_WAIT(t, "a", " alice | 1 online");	/* bob, back in the list */
	screen_quit(t, "a");
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	cli_free(carol);
	cli_free(bob);
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * The server is killed (no goodbye, the connection just drops) and
 * started again: the screen carries on the same way, and a message from
 * another user reaches it.
 */
START_TEST(test_daily_reconnect_after_kill)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *bob;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_LINE(t, "a", "/who");
	TMX_WAIT(t, "a", "no other active user");
	srv_terminate(s, SIGKILL);
	TMX_WAIT(t, "a", "Disconnected from the server");
	TMX_WAIT(t, "a", "reconnecting in");
	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
	TMX_WAIT(t, "a", "reconnected");
	bob = step_login(s, "bob", "bob123", 0);
	SEND(bob, "message alice after the kill");
	TMX_WAIT(t, "a", "bob: after the kill");
	tmx_capture(t, "a", false);
	ck_assert_msg(strstr(t->screen, "no other active user") != NULL,
	    "the old lines are gone:\n%s", t->screen);
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	cli_free(bob);
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * A listener on 127.0.0.1:port that never accepts.  With fill, its
 * queue of one is taken by a connection of ours, so that the kernel
 * drops every later SYN (a host that does not answer: connect() waits);
 * without, a connection completes and then hears nothing (a TLS
 * handshake waits).  The descriptors to close go into fds[3].
 */
static void
silent_listener(int port, bool fill, int fds[3])
{
	struct sockaddr_in sin;
	int one = 1, i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 3; i++)
		fds[i] = -1;
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ne(fds[0], -1);
	setsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_msg(bind(fds[0], (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "bind %d: %s", port, strerror(errno));
	ck_assert_int_eq(listen(fds[0], 0), 0);
	for (i = 1; fill && i < 3; i++) {
		/* The first fills the queue; the second is sure to. */
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ck_assert_int_ne(fds[i], -1);
		connect(fds[i], (struct sockaddr *)&sin, sizeof(sin));
	}
}

/* Close what silent_listener opened. */
static void
silent_close(int fds[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

/*
 * While an attempt waits on a server that does not answer, the screen
 * goes on: a key typed then shows in the input line while the status
 * bar still says it is connecting, and /quit ends the program at once.
 */
static void
check_responsive_while_connecting(struct tmx *t, const char *name)
{
	TMX_WAIT(t, name, "connecting to the server (attempt");
	TMX_TYPE(t, name, "typed meanwhile");
	TMX_ROW(t, name, 23, "> typed meanwhile");
	ck_assert_msg(strstr(tmx_capture(t, name, false),
	    "connecting to the server (attempt") != NULL,
	    "the attempt ended before the key showed:\n%s", t->screen);
	screen_quit(t, name);
}

/*
 * The server is gone and its port drops every SYN: the reconnect
 * attempt waits in connect() inside the poll loop, not in front of it.
 */
START_TEST(test_daily_reconnect_no_answer)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	int fds[3];

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	srv_terminate(s, SIGKILL);
	TMX_WAIT(t, "a", "reconnecting in");
	silent_listener(s->port, true, fds);
	check_responsive_while_connecting(t, "a");
	silent_close(fds);
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * Over TLS (the server trusted on first contact), the new connection is
 * accepted by the kernel but nobody answers the handshake: the screen
 * goes on the same way.
 */
START_TEST(test_daily_reconnect_tls_no_answer)
{
	struct srv *s = srv_prepare(CREDS);
	struct tmx *t = tmx_new();
	char body[256], env[400];
	int fds[3], tp;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	tp = e2e_free_tcp_port();
	snprintf(body, sizeof(body), "%s[tls]\nlisten = 127.0.0.1\n"
	    "port = %d\n", INI_BASIC, tp);
	ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	snprintf(env, sizeof(env), "XDG_DATA_HOME=%s/xdg", s->dir);
	ck_assert_msg(tmx_start_args(t, "a", 80, 24, s, tp, env, "--tls"),
	    "%s", tmx_why(t));
	TMX_WAIT(t, "a", "Trust this server? (y/n)");
	TMX_TYPE(t, "a", "y");
	TMX_WAIT(t, "a", "Username:");
	TMX_LINE(t, "a", "alice");
	TMX_WAIT(t, "a", "Password:");
	TMX_LINE(t, "a", "alice123");
	TMX_WAIT(t, "a", "Welcome alice");
	srv_terminate(s, SIGKILL);
	TMX_WAIT(t, "a", "reconnecting in");
	silent_listener(tp, false, fds);
	check_responsive_while_connecting(t, "a");
	silent_close(fds);
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * The server's idle logout stays, but the screen does too: the bar warns
 * first, then Enter logs in again and the half-typed line comes back.
 */
START_TEST(test_daily_idle_relogin)
{
	struct srv *s = SRV_START("[server]\nidle_timeout = 5\n" INI_BASIC,
	    CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_TYPE(t, "a", "draft");
	TMX_WAIT(t, "a", "idle: logged out in");
	TMX_WAIT(t, "a", "Press Enter to log in again");
	ck_assert(tmx_alive(t, "a"));
	TMX_KEY(t, "a", "Enter");
	TMX_WAIT(t, "a", "reconnected");
	TMX_ROW(t, "a", 23, "> draft");
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * The password changed while the server was away: the screen stops
 * retrying and asks for it; the new one logs in again.
 */
START_TEST(test_daily_relogin_new_password)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);
	TMX_WAIT(t, "a", "reconnecting in");
	ck_assert(srv_write_file(s, "credentials.txt",
	    "alice newpass1\nbob bob123\n"));
	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
	TMX_WAIT(t, "a", "Password:");
	TMX_LINE(t, "a", "newpass1");
	TMX_WAIT(t, "a", "reconnected");
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* A user who blocks you leaves your panel without a fake logout line. */
START_TEST(test_daily_blocker_leaves_quietly)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *bob;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	bob = step_login(s, "bob", "bob123", 0);
	TMX_WAIT(t, "a", "Online (1)");
	SEND(bob, "block alice");
	EXPECT(bob, "alice is blocked");
	TMX_WAIT(t, "a", "Online (0)");
	tmx_capture(t, "a", false);
	ck_assert_msg(strstr(t->screen, "bob logged out") == NULL,
	    "a fake logout line:\n%s", t->screen);
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	cli_free(bob);
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * "yes" + Enter answers a private-chat request and nothing leaks into
 * the command line; "No" + Enter declines the same way.  The question is
 * in the pane with the asker's name, readable on a 20-column screen.
 */
START_TEST(test_daily_question_words)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	tmx_login(t, s, "b", 20, 12, "bob", "bob123");
	TMX_LINE(t, "a", "startprivate bob");
	TMX_WAIT(t, "b", "alice wants to");	/* "HH:MM " before it */
	TMX_WAIT(t, "b", "chat privately.");
	TMX_WAIT(t, "b", "Accept? (y/n)");
	TMX_TYPE(t, "b", "yes");
	TMX_KEY(t, "b", "Enter");
	TMX_WAIT(t, "a", "accepted");
	TMX_WAIT(t, "b", "answered yes");
	TMX_ROW(t, "b", 11, ">");
	tmx_capture(t, "b", false);
	ck_assert_msg(strstr(t->screen, "unknown command") == NULL,
	    "a letter of the answer ran as a command:\n%s", t->screen);
	TMX_LINE(t, "a", "stopprivate bob");
	TMX_WAIT(t, "b", "ended");
	TMX_LINE(t, "a", "startprivate bob");
	ck_assert_msg(tmx_wait(t, "b", "Accept? (y/n)", E2E_WAIT_MS), "%s",
	    tmx_why(t));
	TMX_TYPE(t, "b", "No");
	TMX_KEY(t, "b", "Enter");
	TMX_WAIT(t, "a", "declined");
	TMX_ROW(t, "b", 11, ">");
	tmx_capture(t, "b", false);
	ck_assert_msg(strstr(t->screen, "unknown command") == NULL,
	    "a letter of the answer ran as a command:\n%s", t->screen);
	screen_quit(t, "b");
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * Windows: /query opens one and plain text there reaches the peer, whose
 * own window opens with a mention mark; Alt-2, Ctrl-P and Alt-Right
 * switch; activity marks; /close; /whois and /names; the MSG question,
 * asked once; LOGOUT in capitals.
 */
START_TEST(test_daily_windows)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	int st;

	tmx_login(t, s, "a", 100, 24, "alice", "alice123");
	tmx_login(t, s, "b", 100, 24, "bob", "bob123");
	TMX_WAIT(t, "a", "Online (1)");
	TMX_LINE(t, "a", "/query bob");
	TMX_WAIT(t, "a", "(2:bob)");
	TMX_LINE(t, "a", "hello there bob");
	TMX_WAIT(t, "a", "<alice> hello there bob");
	TMX_WAIT(t, "b", "alice: hello there bob");
	/* The confirmation is in the status window, not under our line. */
	TMX_KEY(t, "a", "M-1");
	TMX_WAIT(t, "a", "Message sent to bob at");
	TMX_KEY(t, "a", "M-2");
	TMX_WAIT(t, "a", "(2:bob)");
	ck_assert_msg(strstr(tmx_capture(t, "a", false), "Message sent to") ==
	    NULL, "the confirmation shows in bob's window:\n%s", t->screen);
	TMX_WAIT(t, "b", "[2:alice!]");		/* it names bob */
	TMX_KEY(t, "b", "M-2");
	TMX_WAIT(t, "b", "(2:alice)");
	TMX_LINE(t, "b", "a plain reply");
	TMX_WAIT(t, "b", "<bob> a plain reply");
	TMX_WAIT(t, "a", "bob: a plain reply");
	TMX_KEY(t, "a", "C-p");
	TMX_WAIT(t, "a", "(1:status) [2:bob]");
	TMX_LINE(t, "b", "another one");
	TMX_WAIT(t, "a", "[2:bob*]");
	TMX_KEY(t, "a", "M-Right");
	TMX_WAIT(t, "a", "[1:status] (2:bob)");
	TMX_LINE(t, "a", "/close");
	TMX_WAIT(t, "a", " alice | 1 online | /help");
	TMX_LINE(t, "a", "/whois bob");
	TMX_WAIT(t, "a", "bob: online since");
	TMX_LINE(t, "a", "/names");
	TMX_WAIT(t, "a", "1 other active user");

	/* The board's word with a user's name: asked once. */
	TMX_LINE(t, "a", "MSG bob secret plan");
	TMX_WAIT(t, "a", "for a direct message use /msg bob");
	TMX_KEY(t, "a", "n");
	TMX_ROW(t, "a", 23, "> /msg bob secret plan");
	TMX_KEY(t, "a", "C-u");
	TMX_LINE(t, "a", "MSG bob is on the board");
	TMX_WAIT(t, "a", "posted");
	TMX_COUNT(t, "a", "for a direct message use", 1);
	/* The first one was not posted: the board holds one message. */
	ck_assert_msg(strstr(t->screen, "Message #1 posted") != NULL &&
	    strstr(t->screen, "Message #2") == NULL, "%s", t->screen);

	TMX_LINE(t, "a", "LOGOUT");
	st = tmx_wait_exit(t, "a", E2E_EXIT_MS);
	ck_assert_msg(st == 0, "exit status %d: %s", st, tmx_why(t));
	screen_quit(t, "b");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * A group's window: /creategroup opens it for the creator, /join for a
 * member; plain text there reaches every joined member (a plain-mode
 * client too); a mention of us marks it while another window is on
 * show; the "sent" confirmation stays in the status window.
 */
START_TEST(test_daily_group_window)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *carol;
	const char *scr;

	tmx_login(t, s, "a", 100, 24, "alice", "alice123");
	tmx_login(t, s, "b", 100, 24, "bob", "bob123");
	carol = step_login(s, "carol", "carol123", 0);
	TMX_WAIT(t, "a", "Online (2)");
	TMX_LINE(t, "a", "/creategroup study bob carol");
	TMX_WAIT(t, "a", "(2:study)");
	TMX_WAIT(t, "a", "Group study created");
	TMX_WAIT(t, "b", "alice created group study");
	TMX_LINE(t, "b", "/join study");
	TMX_WAIT(t, "b", "(2:study)");
	TMX_WAIT(t, "b", "Joined group study");
	SEND(carol, "/joingroup study");
	EXPECT(carol, "Joined group study");

	/* Plain text in the group's window goes to the group. */
	TMX_LINE(t, "b", "hello study group");
	TMX_WAIT(t, "b", "<bob> hello study group");
	TMX_WAIT(t, "a", "bob in study: hello study group");
	EXPECT(carol, "bob in study: hello study group");
	TMX_KEY(t, "b", "M-1");
	TMX_WAIT(t, "b", "sent to study");
	TMX_KEY(t, "b", "M-2");
	TMX_WAIT(t, "b", "(2:study)");
	scr = tmx_capture(t, "b", false);
	ck_assert_msg(strstr(scr, "sent to study") == NULL &&
	    strstr(scr, "<bob> hello study group") != NULL,
	    "bob's group window:\n%s", scr);

	/* From the status window: a mention marks the group's window. */
	TMX_KEY(t, "a", "M-1");
	TMX_WAIT(t, "a", "(1:status) [2:study]");
	SEND(carol, "/groupmsg study are you there alice?");
	EXPECT(carol, "sent to study");
	TMX_WAIT(t, "a", "[2:study!]");
	TMX_KEY(t, "a", "M-2");
	TMX_WAIT(t, "a", "carol in study: are you there alice?");
	TMX_LINE(t, "a", "yes I am");
	EXPECT(carol, "alice in study: yes I am");
	TMX_WAIT(t, "b", "alice in study: yes I am");

	SEND(carol, "logout");
	EXPECT_EXIT(carol, 0);
	cli_free(carol);
	screen_quit(t, "a");
	screen_quit(t, "b");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * A private line is text a terminal may show, as on the server's link:
 * one with a direction override is refused where it is typed, with a
 * reason, and the chat goes on.
 */
START_TEST(test_daily_private_text_rules)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);

	SEND(a, "startprivate bob");
	EXPECT(b, "alice wants to chat privately. Accept? (y/n)");
	SEND(b, "y");
	EXPECT(a, "Private chat with bob started");
	EXPECT(b, "Private chat with alice started");
	SEND(a, "private bob left \xe2\x80\xae right");
	EXPECT(a, "Error: a private message cannot hold control or "
	    "direction-changing characters");
	SEND(a, "private bob still here");
	EXPECT_LINE(b, "alice (private): still here");
	ck_assert_msg(cli_saw(b, 0, "right") == NULL, "the refused line "
	    "arrived:\n%s", cli_lines(b, 0));
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/*
 * Readline keys: Alt-B, Ctrl-U then Ctrl-Y, Alt-Backspace, Alt-D; Alt-<
 * and Alt-> for the ends of the scrollback; Ctrl-C asks before it logs
 * out, and a second one quits.
 */
START_TEST(test_daily_keys)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	int st, i;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	TMX_TYPE(t, "a", "one two three");
	TMX_KEY(t, "a", "M-b");
	TMX_TYPE(t, "a", "X");
	TMX_ROW(t, "a", 23, "> one two Xthree");
	TMX_KEY(t, "a", "C-e");
	TMX_KEY(t, "a", "C-u");
	TMX_ROW(t, "a", 23, ">");
	TMX_KEY(t, "a", "C-y");
	TMX_ROW(t, "a", 23, "> one two Xthree");
	TMX_KEY(t, "a", "M-BSpace");
	TMX_ROW(t, "a", 23, "> one two");
	TMX_KEY(t, "a", "C-a");
	TMX_KEY(t, "a", "M-d");
	TMX_ROW(t, "a", 23, ">  two");
	TMX_KEY(t, "a", "M-f");
	TMX_TYPE(t, "a", "!");
	TMX_ROW(t, "a", 23, ">  two!");
	TMX_KEY(t, "a", "C-u");

	/* Enough lines to scroll: the login banner is far up. */
	for (i = 0; i < 3; i++)
		TMX_LINE(t, "a", "/help");
	TMX_GONE(t, "a", "Username:");
	TMX_KEY(t, "a", "M-<");
	TMX_WAIT(t, "a", "Username:");
	TMX_WAIT(t, "a", "below (PgDn)");
	TMX_KEY(t, "a", "M->");
	TMX_GONE(t, "a", "below (PgDn)");

	TMX_KEY(t, "a", "C-c");
	TMX_WAIT(t, "a", "press Ctrl-C again");
	ck_assert(tmx_alive(t, "a"));
	TMX_KEY(t, "a", "C-c");
	st = tmx_wait_exit(t, "a", E2E_EXIT_MS);
	ck_assert_msg(st == 0, "exit status %d: %s", st, tmx_why(t));
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * Paste: three lines pasted in the status window never run as commands
 * (they wait on the input line); in bob's window one question sends them
 * as three messages; a 5,000-character line arrives whole, in parts cut
 * at word boundaries.
 */
START_TEST(test_daily_paste)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *bob;
	char big[5001], want[64];
	size_t off = 0;
	int i, last = 0;

	tmx_login(t, s, "a", 100, 24, "alice", "alice123");
	bob = step_login(s, "bob", "bob123", 0);
	ck_assert(tmx_paste(t, "a", "whoelse\n/logout\nthird line"));
	TMX_WAIT(t, "a", "3 pasted lines joined");
	TMX_ROW(t, "a", 23, "> whoelse /logout third line");
	ck_assert(tmx_alive(t, "a"));
	TMX_KEY(t, "a", "C-u");

	TMX_LINE(t, "a", "/query bob");
	TMX_WAIT(t, "a", "(2:bob)");
	ck_assert(tmx_paste(t, "a", "first pasted\n/logout\nthird pasted\n"));
	TMX_WAIT(t, "a", "send 3 lines to bob? (y/n)");
	TMX_KEY(t, "a", "y");
	EXPECT(bob, "alice: first pasted");
	EXPECT(bob, "alice: /logout");
	EXPECT(bob, "alice: third pasted");
	ck_assert(tmx_alive(t, "a"));

	for (i = 0; off < 4990; i++) {
		off += (size_t)snprintf(big + off, sizeof(big) - off, "%sp%d",
		    i > 0 ? " " : "", i);
		last = i;
	}
	ck_assert(tmx_paste(t, "a", big));
	snprintf(want, sizeof(want), " p%d", last);
	TMX_WAIT(t, "a", want);			/* the end, on the line */
	TMX_KEY(t, "a", "Enter");
	EXPECT(bob, "alice: p0 p1 p2");
	EXPECT(bob, want);			/* the last word arrived */
	TMX_KEY(t, "a", "M-1");
	TMX_WAIT(t, "a", "Message sent to bob");
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	cli_free(bob);
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/* True when the text before at (in s) is a "HH:MM " stamp. */
static bool
stamped(const char *s, const char *at)
{
	return at != NULL && at - s >= 6 && at[-1] == ' ' && at[-4] == ':' &&
	    at[-6] >= '0' && at[-6] <= '9' && at[-2] >= '0' && at[-2] <= '9';
}

/*
 * The look: every line starts with HH:MM (presence, private and own
 * lines too); a message shows as "bob: text" without the server's long
 * time; a long name ends with an ellipsis in the panel; a user we
 * blocked is marked there.
 */
START_TEST(test_daily_look)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS
	    "averyveryverylongname42 pw12345\n");
	struct tmx *t = tmx_new();
	struct cli *bob, *lng;
	const char *scr;

	tmx_login(t, s, "a", 80, 24, "alice", "alice123");
	bob = step_login(s, "bob", "bob123", 0);
	lng = step_login(s, "averyveryverylongname42", "pw12345", 0);
	TMX_WAIT(t, "a", "averyveryverylon\u2026");
	SEND(bob, "message alice hi there");
	TMX_WAIT(t, "a", "bob: hi there");
	TMX_LINE(t, "a", "/msg bob and back");
	TMX_WAIT(t, "a", "<alice> and back");
	TMX_LINE(t, "a", "block bob");
	TMX_WAIT(t, "a", "xbob (blocked)");
	scr = tmx_capture(t, "a", false);
	ck_assert_msg(stamped(scr, strstr(scr, "Welcome alice")) &&
	    stamped(scr, strstr(scr, "bob logged in")) &&
	    stamped(scr, strstr(scr, "bob: hi there")) &&
	    stamped(scr, strstr(scr, "<alice> and back")),
	    "a line without its time:\n%s", scr);
	ck_assert_msg(strstr(scr, "] bob: hi there") == NULL,
	    "the server's long time is still there:\n%s", scr);
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	SEND(lng, "logout");
	EXPECT_EXIT(lng, 0);
	cli_free(bob);
	cli_free(lng);
	screen_quit(t, "a");
	tmx_free(t);
	srv_stop(s);
}
END_TEST

/*
 * [client] log_dir: one plain-text file per conversation, appended, with
 * the date and time; the password never appears in it.
 */
START_TEST(test_daily_logs)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct tmx *t = tmx_new();
	struct cli *bob;
	char ini[512], env[700], *log;

	snprintf(ini, sizeof(ini), "[client]\nlog_dir = %s\n", s->dir);
	ck_assert(srv_write_file(s, "client.ini", ini));
	/* The driver runs "env ENV 'tui-client' 127.0.0.1 PORT". */
	snprintf(env, sizeof(env), "sh -c 'exec \"$0\" -c %s/client.ini "
	    "\"$@\"'", s->dir);
	ck_assert_msg(tmx_start(t, "a", 80, 24, s, env), "%s", tmx_why(t));
	tmx_log_in(t, "a", "alice", "alice123");
	bob = step_login(s, "bob", "bob123", 0);
	TMX_LINE(t, "a", "/query bob");
	TMX_LINE(t, "a", "hello log");
	EXPECT(bob, "alice: hello log");
	SEND(bob, "message alice a reply");
	TMX_WAIT(t, "a", "bob: a reply");
	screen_quit(t, "a");
	log = srv_read_file(s, "@bob.log");
	ck_assert_msg(log != NULL, "no log file @bob.log");
	ck_assert_msg(strstr(log, "<alice> hello log") != NULL &&
	    strstr(log, "bob: a reply") != NULL &&
	    strstr(log, "alice123") == NULL && log[4] == '-' &&
	    log[13] == ':', "the log:\n%s", log);
	free(log);
	SEND(bob, "logout");
	EXPECT_EXIT(bob, 0);
	cli_free(bob);
	tmx_free(t);
	srv_stop(s);
}
END_TEST

Suite *
suite_e2e_daily(void)
{
	Suite *s = suite_create("e2e_daily");
	TCase *tc;

	tc = tcase_create("reconnect");
	tcase_add_unchecked_fixture(tc, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_daily_reconnect);
	tcase_add_test(tc, test_daily_reconnect_after_kill);
	tcase_add_test(tc, test_daily_reconnect_no_answer);
	tcase_add_test(tc, test_daily_reconnect_tls_no_answer);
	tcase_add_test(tc, test_daily_idle_relogin);
	tcase_add_test(tc, test_daily_relogin_new_password);
	tcase_add_test(tc, test_daily_blocker_leaves_quietly);
	suite_add_tcase(s, tc);

	tc = tcase_create("questions");
	tcase_add_unchecked_fixture(tc, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_daily_question_words);
	tcase_add_test(tc, test_daily_private_text_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("windows");
	tcase_add_unchecked_fixture(tc, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_daily_windows);
	tcase_add_test(tc, test_daily_group_window);
	tcase_add_test(tc, test_daily_keys);
	tcase_add_test(tc, test_daily_paste);
	tcase_add_test(tc, test_daily_look);
	tcase_add_test(tc, test_daily_logs);
	suite_add_tcase(s, tc);
	return s;
}
