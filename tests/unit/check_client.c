/*
 * check_client.c - the client's model, command table and, through a
 * socketpair standing in for the server, the login steps and reply routing
 * of app.c and net.c.  No curses, no real server.
 */
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cmds.h"
#include "feature.h"
#include "model.h"
#include "proto.h"
#include "sanitize.h"
#include "suites.h"

/* Lines seen through the on_line callback. */
static int	 lines_seen;

/* Count lines for the callback test. */
static void
count_line(void *arg, const struct model_line *line)
{
	lines_seen++;
}

/* A user record for the list tests. */
static struct model_user
mkuser(const char *name, unsigned port)
{
	struct model_user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.ip, sizeof(u.ip), "127.0.0.1");
	u.port = port;
	snprintf(u.since, sizeof(u.since), "22 Nov 2026 10:15:02");
	return u;
}

START_TEST(test_model_users_add_remove)
{
	struct model *m = model_new(0);
	struct model_user u;

	u = mkuser("bob", 40002);
	ck_assert_int_eq(model_user_add(m, &u), 0);
	u = mkuser("carol", 40003);
	ck_assert_int_eq(model_user_add(m, &u), 0);
	ck_assert_uint_eq(model_user_count(m), 2);
	/* Adding a listed name updates it in place. */
	u = mkuser("bob", 41000);
	ck_assert_int_eq(model_user_add(m, &u), 0);
	ck_assert_uint_eq(model_user_count(m), 2);
	ck_assert_uint_eq(model_user_find(m, "bob")->port, 41000);
	ck_assert_str_eq(model_user_at(m, 0)->name, "bob");

	ck_assert_int_eq(model_user_remove(m, "bob"), 0);
	ck_assert_int_eq(model_user_remove(m, "bob"), -1);
	ck_assert_uint_eq(model_user_count(m), 1);
	ck_assert_str_eq(model_user_at(m, 0)->name, "carol");
	ck_assert_ptr_null(model_user_find(m, "bob"));
	ck_assert_ptr_null(model_user_at(m, 1));
	model_free(m);
}
END_TEST

START_TEST(test_model_users_replace_from_who)
{
	const char *rows[] = {
		"erin 10.0.0.5 40005 22 Nov 2026 10:20:00",
		"frank ::1 40006 22 Nov 2026 10:21:00",
	};
	struct model *m = model_new(0);
	struct model_user u;
	size_t i;

	u = mkuser("bob", 40002);
	model_user_add(m, &u);
	u = mkuser("carol", 40003);
	model_user_add(m, &u);
	/* A WHO reply replaces the list: cleared, then its rows. */
	model_users_clear(m);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(model_user_parse(rows[i], &u), 0);
		ck_assert_int_eq(model_user_add(m, &u), 0);
	}
	ck_assert_uint_eq(model_user_count(m), 2);
	ck_assert_ptr_null(model_user_find(m, "bob"));
	ck_assert_str_eq(model_user_at(m, 1)->ip, "::1");
	ck_assert_uint_eq(model_user_at(m, 1)->port, 40006);
	ck_assert_str_eq(model_user_at(m, 0)->since, "22 Nov 2026 10:20:00");
	model_free(m);
}
END_TEST

START_TEST(test_model_user_parse_refuses)
{
	struct model_user u;

	ck_assert_int_eq(model_user_parse("bob 1.2.3.4 40002", &u), -1);
	ck_assert_int_eq(model_user_parse("bob 1.2.3.4 x 22 Nov 2026 1:2:3",
	    &u), -1);
	ck_assert_int_eq(model_user_parse("bob 1.2.3.4 70000 22 Nov", &u),
	    -1);
	ck_assert_int_eq(model_user_parse("b!b 1.2.3.4 1 22 Nov", &u), -1);
	ck_assert_int_eq(model_user_parse("", &u), -1);
	ck_assert_int_eq(model_user_parse("bob  1.2.3.4 1 22 Nov", &u), -1);
}
END_TEST

START_TEST(test_model_scrollback_bound)
{
	struct model *m = model_new(3);
	int i;

	for (i = 1; i <= 5; i++)
		model_add_line(m, MODEL_LINE_NORMAL, "line %d", i);
	ck_assert_uint_eq(model_line_count(m), 3);
	ck_assert_str_eq(model_line_at(m, 0)->text, "line 3");
	ck_assert_str_eq(model_line_at(m, 2)->text, "line 5");
	ck_assert_uint_eq(model_line_at(m, 2)->seq, 5);
	ck_assert_ptr_null(model_line_at(m, 3));
	model_free(m);
}
END_TEST

START_TEST(test_model_scrollback_default)
{
	struct model *m = model_new(0);
	struct model_cbs cbs = { .on_line = count_line };
	int i;

	lines_seen = 0;
	model_set_cbs(m, &cbs);
	for (i = 1; i <= MODEL_SCROLLBACK_DEFAULT + 1; i++)
		model_add_line(m, i == 2 ? MODEL_LINE_ERROR : MODEL_LINE_INFO,
		    "line %d", i);
	ck_assert_int_eq(lines_seen, MODEL_SCROLLBACK_DEFAULT + 1);
	ck_assert_uint_eq(model_line_count(m), MODEL_SCROLLBACK_DEFAULT);
	ck_assert_str_eq(model_line_at(m, 0)->text, "line 2");
	ck_assert_int_eq(model_line_at(m, 0)->kind, MODEL_LINE_ERROR);
	model_free(m);
}
END_TEST

START_TEST(test_cmds_aliases)
{
	const struct cmds_entry *who = cmds_find("whoelse");
	const struct cmds_entry *out = cmds_find("logout");

	ck_assert_ptr_nonnull(who);
	ck_assert_ptr_eq(cmds_find("ATU"), who);
	ck_assert_ptr_eq(cmds_find("AED"), who);
	ck_assert_ptr_eq(cmds_find("/activeuser"), who);
	ck_assert_ptr_eq(cmds_find("/who"), who);
	/* Slash commands in any case; the old words exactly as typed. */
	ck_assert_ptr_eq(cmds_find("/ActiveUser"), who);
	ck_assert_ptr_null(cmds_find("atu"));
	ck_assert_ptr_null(cmds_find("WHOELSE"));

	ck_assert_ptr_eq(cmds_find("whoelsesince"), cmds_find("/whosince"));
	ck_assert_ptr_ne(cmds_find("whoelsesince"), who);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_eq(cmds_find("OUT"), out);
	ck_assert_ptr_eq(cmds_find("/logout"), out);
	ck_assert_ptr_eq(cmds_find("/quit"), out);
	ck_assert_ptr_nonnull(cmds_find("/help"));
	/* The messaging words of generations A, B and D. */
	ck_assert_ptr_nonnull(cmds_find("/msgto"));
	ck_assert_ptr_eq(cmds_find("message"), cmds_find("/msgto"));
	ck_assert_ptr_eq(cmds_find("MSG"), cmds_find("/post"));
	ck_assert_ptr_eq(cmds_find("DLT"), cmds_find("/delpost"));
	ck_assert_ptr_eq(cmds_find("EDT"), cmds_find("/editpost"));
	ck_assert_ptr_eq(cmds_find("RDM"), cmds_find("/read"));
	ck_assert_ptr_nonnull(cmds_find("broadcast"));
	ck_assert_ptr_nonnull(cmds_find("block"));
	ck_assert_ptr_nonnull(cmds_find("unblock"));
	ck_assert_ptr_nonnull(cmds_find("/creategroup"));
	ck_assert_ptr_nonnull(cmds_find("/joingroup"));
	ck_assert_ptr_nonnull(cmds_find("/groupmsg"));
	ck_assert_ptr_null(cmds_find("msg"));
	ck_assert_ptr_null(cmds_find("Message"));
}
END_TEST

START_TEST(test_cmds_parse_errors)
{
	char line[128], err[CMDS_ERR_MAX];
	struct cmds_call call;

	snprintf(line, sizeof(line), "xyz 1 2");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
	    CMDS_UNKNOWN);
	ck_assert_str_eq(err, "unknown command 'xyz' (type /help for the list)");

	snprintf(line, sizeof(line), "whoelsesince");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
	    CMDS_USAGE);
	ck_assert_str_eq(err, "usage: whoelsesince SECONDS");

	snprintf(line, sizeof(line), "whoelsesince 1 2");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
	    CMDS_USAGE);
	ck_assert_str_eq(err, "usage: whoelsesince SECONDS");

	snprintf(line, sizeof(line), "ATU now");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
	    CMDS_USAGE);
	ck_assert_str_eq(err, "usage: ATU");

	snprintf(line, sizeof(line), "   ");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
	    CMDS_EMPTY);
}
END_TEST

START_TEST(test_cmds_whosince_integer)
{
	const char *bad[] = { "abc", "-5", "1.5", "10s", "99999999999999999999" };
	char line[128], err[CMDS_ERR_MAX];
	struct cmds_call call;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "whoelsesince %s", bad[i]);
		ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)),
		    CMDS_INVALID);
		ck_assert_ptr_nonnull(strstr(err, "non-negative integer"));
	}
	snprintf(line, sizeof(line), "  /WhoSince   60  ");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)), CMDS_OK);
	ck_assert_ptr_eq(call.entry, cmds_find("whoelsesince"));
	ck_assert_int_eq(call.argc, 1);
	ck_assert_str_eq(call.argv[0], "60");
	snprintf(line, sizeof(line), "whoelsesince 0");
	ck_assert_int_eq(cmds_parse(line, &call, err, sizeof(err)), CMDS_OK);
}
END_TEST

START_TEST(test_cmds_help_lines)
{
	char buf[512];
	size_t i;

	ck_assert_uint_ge(cmds_count(), 4);
	for (i = 0; i < cmds_count(); i++) {
		cmds_help_line(cmds_at(i), buf, sizeof(buf));
		ck_assert_ptr_nonnull(strstr(buf, cmds_at(i)->words[0]));
	}
	cmds_help_line(cmds_find("ATU"), buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "whoelse"));
	ck_assert_ptr_nonnull(strstr(buf, "AED"));
	ck_assert_ptr_nonnull(strstr(buf, "/activeuser"));
	cmds_help_line(cmds_find("/whosince"), buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "whoelsesince SECONDS"));
	ck_assert_ptr_null(cmds_at(cmds_count()));
}
END_TEST

/* A client whose server is the other end of a socketpair. */
struct fake {
	int		 peer;
	struct model	*m;
	struct app	*a;
};

/* Connect a fresh app to a socketpair. */
static void
fake_open(struct fake *f)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	f->peer = sv[0];
	f->m = model_new(0);
	f->a = app_new(f->m, sv[1], 40001, features_all);
	ck_assert_ptr_nonnull(f->a);
}

/* Free the app and the model. */
static void
fake_close(struct fake *f)
{
	app_free(f->a);
	model_free(f->m);
	close(f->peer);
}

/* The server sends text; the client reads it and writes its answers. */
static void
fake_say(struct fake *f, const char *text)
{
	ck_assert_int_eq(write(f->peer, text, strlen(text)),
	    (ssize_t)strlen(text));
	app_readable(f->a);
	app_flush(f->a);
}

/* What the client sent since the last call ("" when nothing). */
static const char *
fake_heard(struct fake *f)
{
	static char buf[4096];
	ssize_t n;

	app_flush(f->a);
	n = read(f->peer, buf, sizeof(buf) - 1);
	if (n < 0) {
		ck_assert(errno == EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

/* The user types a line (copied: app_input cuts it in place). */
static void
fake_type(struct fake *f, const char *text)
{
	char line[512];

	snprintf(line, sizeof(line), "%s", text);
	app_input(f->a, line);
}

/* The newest model line. */
static const char *
last_line(struct fake *f)
{
	size_t n = model_line_count(f->m);

	return n > 0 ? model_line_at(f->m, n - 1)->text : "";
}

/* Log in as alice through greeting, HELLO, LOGIN, PASS and silent WHO. */
static void
fake_login(struct fake *f)
{
	fake_say(f, "* HELLO firmware-server PROTO 1\n");
	ck_assert_str_eq(fake_heard(f), "1 HELLO 1\n");
	ck_assert(!app_wants_input(f->a));
	fake_say(f, "1 OK firmware-server protocol 1\n");
	ck_assert(app_wants_input(f->a));
	ck_assert_str_eq(model_prompt(f->m), "Username:");
	fake_type(f, "alice");
	ck_assert_str_eq(fake_heard(f), "2 LOGIN alice 40001\n");
	fake_say(f, "2 OK password Enter your password\n");
	ck_assert_int_eq(model_input(f->m), MODEL_INPUT_SECRET);
	fake_type(f, "alice123");
	ck_assert_str_eq(fake_heard(f), "3 PASS alice123\n");
	fake_say(f, "3 OK Welcome alice\n");
	ck_assert_str_eq(last_line(f), "Welcome alice");
	ck_assert_str_eq(fake_heard(f), "4 WHO\n");
	ck_assert(!app_wants_input(f->a));
	fake_say(f, "4 . bob 127.0.0.1 40002 22 Nov 2026 10:15:02\n"
	    "4 OK 1 other active user\n");
	ck_assert(app_wants_input(f->a));
	ck_assert_int_eq(model_state(f->m), MODEL_STATE_ACTIVE);
}

START_TEST(test_app_login_and_silent_who)
{
	struct fake f;
	size_t i, before;
	int status;

	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n");
	fake_say(&f, "1 OK firmware-server protocol 1\n");
	fake_type(&f, "not valid!");
	ck_assert_str_eq(last_line(&f), "Error: a user name is 1 to 32 "
	    "letters, digits, '.', '_' or '-'");
	ck_assert_str_eq(fake_heard(&f), "1 HELLO 1\n");
	fake_type(&f, "alice");
	fake_say(&f, "2 OK password Enter your password\n");
	fake_type(&f, "s3cret");
	fake_say(&f, "3 ERR auth Invalid password. Please try again\n");
	ck_assert_str_eq(last_line(&f),
	    "Error: Invalid password. Please try again");
	ck_assert_str_eq(model_prompt(f.m), "Password:");
	fake_type(&f, "alice123");
	fake_say(&f, "4 OK Welcome alice\n");
	before = model_line_count(f.m);
	fake_say(&f, "5 . bob 127.0.0.1 40002 22 Nov 2026 10:15:02\n"
	    "5 OK 1 other active user\n");
	/* The silent WHO fills the list and shows nothing. */
	ck_assert_uint_eq(model_line_count(f.m), before);
	ck_assert_uint_eq(model_user_count(f.m), 1);
	ck_assert_str_eq(model_self(f.m), "alice");
	/* Passwords never reach the screen. */
	for (i = 0; i < model_line_count(f.m); i++)
		ck_assert_ptr_null(strstr(model_line_at(f.m, i)->text, "s3cret"));
	ck_assert(!app_done(f.a, &status));
	fake_close(&f);
}
END_TEST

START_TEST(test_app_commands_and_events)
{
	struct fake f;
	int status = -1;

	fake_open(&f);
	fake_login(&f);
	fake_type(&f, "whoelsesince soon");
	ck_assert_str_eq(last_line(&f), "Error: whoelsesince: SECONDS must "
	    "be a non-negative integer, not 'soon'");
	ck_assert_str_eq(fake_heard(&f), "");
	fake_type(&f, "atu");
	ck_assert_str_eq(last_line(&f),
	    "Error: unknown command 'atu' (type /help for the list)");

	fake_type(&f, "AED");
	ck_assert_str_eq(fake_heard(&f), "5 WHO\n");
	fake_say(&f, "5 . erin 10.0.0.5 40005 22 Nov 2026 10:20:00\n");
	ck_assert_str_eq(last_line(&f),
	    "erin, 10.0.0.5, 40005, active since 22 Nov 2026 10:20:00");
	fake_say(&f, "* ONLINE carol 127.0.0.1 40003 22 Nov 2026 10:16:40\n");
	ck_assert_str_eq(last_line(&f), "carol logged in");
	fake_say(&f, "5 OK 2 other active users\n");
	ck_assert_str_eq(last_line(&f), "2 other active users");
	/* bob went with the old list; carol came in between. */
	ck_assert_ptr_null(model_user_find(f.m, "bob"));
	ck_assert_ptr_nonnull(model_user_find(f.m, "erin"));
	ck_assert_ptr_nonnull(model_user_find(f.m, "carol"));

	fake_type(&f, "/whosince 007");
	ck_assert_str_eq(fake_heard(&f), "6 WHOSINCE 7\n");
	fake_say(&f, "6 . erin online\n6 . bob 22 Nov 2026 10:15:02\n");
	ck_assert_str_eq(last_line(&f), "bob (last seen 22 Nov 2026 10:15:02)");
	ck_assert_str_eq(model_line_at(f.m, model_line_count(f.m) - 2)->text,
	    "erin (online now)");
	fake_say(&f, "6 OK 2 users in the last 7 seconds\n");

	fake_say(&f, "* OFFLINE carol timeout\n");
	ck_assert_str_eq(last_line(&f), "carol logged out (idle timeout)");
	ck_assert_int_eq(model_line_at(f.m, model_line_count(f.m) - 1)->kind,
	    MODEL_LINE_PRESENCE);
	fake_say(&f, "* OFFLINE erin lost\n");
	ck_assert_str_eq(last_line(&f), "erin logged out (connection lost)");
	ck_assert_uint_eq(model_user_count(f.m), 0);
	fake_say(&f, "* INFO maintenance at noon\n");
	ck_assert_str_eq(last_line(&f), "maintenance at noon");

	fake_type(&f, "OUT");
	ck_assert_str_eq(fake_heard(&f), "7 LOGOUT\n");
	ck_assert(!app_wants_input(f.a));
	fake_say(&f, "7 OK Goodbye alice\n");
	ck_assert_str_eq(last_line(&f), "Goodbye alice");
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_OK);
	fake_close(&f);
}
END_TEST

/* Events that do not have their form change nothing; good ones still do. */
START_TEST(test_app_malformed_events)
{
	static const char *bad[] = {
		"* ONLINE mallory 1.2.3.4 99999 22 Nov 2026 10:16:40\n",
		"* ONLINE m!llory 1.2.3.4 1 22 Nov 2026 10:16:40\n",
		"* ONLINE mallory 1.2.3.4 1 22 Nov\n",
		"* OFFLINE\n",
		"* MSG mallory\n",
		"* MSG mallory 22 Nov 2026 10:16:40\n",
		"* GMSG bad-name mallory 22 Nov 2026 10:16:40 hi\n",
		"* GINVITE team mallory\n",
		"* FILEOFFER mallory 0 5 1.2.3.4 1 x f\n",
		"* PRIVASK mallory short\n",
		"* PRIVREPLY mallory maybe\n",
		"* PRIVEND\n",
		"* IDLE soon\n",
		"* BYE\n",
		"* NEWEVENT from a newer server\n",
	};
	struct fake f;
	size_t lines, i;

	fake_open(&f);
	fake_login(&f);
	lines = model_line_count(f.m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_say(&f, bad[i]);
		ck_assert_msg(model_line_count(f.m) == lines, "shown: %s",
		    bad[i]);
	}
	ck_assert_ptr_null(model_user_find(f.m, "mallory"));
	ck_assert(app_wants_input(f.a));
	fake_say(&f, "* MSG carol 22 Nov 2026 10:16:40 still  here\n");
	ck_assert_ptr_nonnull(strstr(last_line(&f), "carol: still  here"));
	fake_say(&f, "* GINVITE team1 carol alice erin\n");
	ck_assert_str_eq(last_line(&f), "carol created group team1 with alice "
	    "erin; join it with /joingroup team1");
	fake_close(&f);
}
END_TEST

/* A MSG whose id was shown (from that sender) is dropped; one without an
   id (a server before ids) is shown every time. */
START_TEST(test_app_msg_once)
{
	static const char *const once[] = {
		"* MSG carol 22 Nov 2026 10:16:40 id:ab.1 hi\n",
		"* MSG carol 22 Nov 2026 10:16:40 id:ab.1 hi\n", /* again */
		"* MSG dave 22 Nov 2026 10:16:40 id:ab.1 hi\n",
		"* MSG carol 22 Nov 2026 10:16:40 id:ab.2 hi\n",
		"* MSG carol 22 Nov 2026 10:16:40 hi\n",
		"* MSG carol 22 Nov 2026 10:16:40 hi\n",
	};
	static const int shown[] = { 1, 0, 1, 1, 1, 1 };
	struct fake f;
	size_t lines, i;

	fake_open(&f);
	fake_login(&f);
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		lines = model_line_count(f.m);
		fake_say(&f, once[i]);
		ck_assert_msg(model_line_count(f.m) == lines + (size_t)shown[i],
		    "line %zu: %s", i, once[i]);
	}
	fake_close(&f);
}
END_TEST

START_TEST(test_app_exit_statuses)
{
	struct fake f;
	int status = -1;

	/* Blocked at LOGIN: 2. */
	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	fake_type(&f, "bob");
	fake_say(&f, "2 ERR blocked Try again later\n");
	ck_assert_str_eq(last_line(&f), "Error: Try again later");
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_LOGIN);
	fake_close(&f);

	/* End of input during login: 2. */
	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	app_input_eof(f.a);
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_LOGIN);
	fake_close(&f);

	/* The server goes away: 1. */
	fake_open(&f);
	fake_login(&f);
	shutdown(f.peer, SHUT_WR);
	app_readable(f.a);
	ck_assert_str_eq(last_line(&f), "Error: connection to the server lost");
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_ERROR);
	fake_close(&f);

	/* Idle timeout: the BYE text, then 0 at the close. */
	fake_open(&f);
	fake_login(&f);
	fake_say(&f, "* BYE timeout Logged out after 30 s idle\n");
	ck_assert_str_eq(last_line(&f), "Logged out after 30 s idle");
	ck_assert(!app_done(f.a, NULL));
	shutdown(f.peer, SHUT_WR);
	app_readable(f.a);
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_OK);
	fake_close(&f);

	/* End of input when logged in: LOGOUT, then 0. */
	fake_open(&f);
	fake_login(&f);
	app_input_eof(f.a);
	ck_assert_str_eq(fake_heard(&f), "5 LOGOUT\n");
	fake_say(&f, "5 OK Goodbye alice\n");
	ck_assert(app_done(f.a, &status));
	ck_assert_int_eq(status, APP_EXIT_OK);
	fake_close(&f);
}
END_TEST

START_TEST(test_app_register)
{
	struct fake f;

	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	fake_type(&f, "carol");
	fake_heard(&f);
	fake_say(&f, "2 OK register New user carol: choose a password\n");
	ck_assert_str_eq(last_line(&f), "New user carol: choose a password");
	ck_assert_str_eq(model_prompt(f.m), "New password:");
	fake_type(&f, "one");
	ck_assert_str_eq(model_prompt(f.m), "Confirm password:");
	fake_type(&f, "two");
	ck_assert_str_eq(last_line(&f), "Error: passwords do not match");
	ck_assert_str_eq(model_prompt(f.m), "New password:");
	ck_assert_str_eq(fake_heard(&f), "");
	fake_type(&f, "three");
	fake_type(&f, "three");
	ck_assert_str_eq(fake_heard(&f), "3 REGISTER three\n");
	fake_say(&f, "3 OK Welcome carol\n");
	ck_assert_str_eq(last_line(&f), "Welcome carol");
	ck_assert_int_eq(model_state(f.m), MODEL_STATE_ACTIVE);
	fake_close(&f);
}
END_TEST

/* When the name was taken meanwhile, the server asks for a name again,
   and so does the client (not for a password it would refuse). */
START_TEST(test_app_name_taken_meanwhile)
{
	struct fake f;

	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	fake_type(&f, "carol");
	fake_heard(&f);
	fake_say(&f, "2 OK register New user carol: choose a password\n");
	fake_type(&f, "pw");
	fake_type(&f, "pw");
	ck_assert_str_eq(fake_heard(&f), "3 REGISTER pw\n");
	fake_say(&f, "3 ERR exists carol was registered meanwhile; log in "
	    "again\n");
	ck_assert_str_eq(model_prompt(f.m), "Username:");
	fake_type(&f, "bob");
	ck_assert_ptr_nonnull(strstr(fake_heard(&f), "4 LOGIN bob "));
	fake_say(&f, "4 OK password Enter your password\n");
	fake_type(&f, "bob123");
	fake_heard(&f);
	fake_say(&f, "5 ERR inuse bob is already logged in\n");
	ck_assert_str_eq(last_line(&f), "Error: bob is already logged in");
	ck_assert_str_eq(model_prompt(f.m), "Username:");
	fake_close(&f);
}
END_TEST

/* Controls, C1 controls, bidi overrides and broken UTF-8 become '?';
   other text (accents, CJK, emoji) stays as it was. */
START_TEST(test_sanitize_text)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain text, caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
		  "plain text, caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80" },
		{ "\x1b[2Jcleared", "?[2Jcleared" },
		{ "tab\there\rbell\x07 del\x7f", "tab?here?bell? del?" },
		{ "csi \xc2\x9b" "31m c1 \xc2\x80 \xc2\x9f ok \xc2\xa0",
		  "csi ?31m c1 ? ? ok \xc2\xa0" },
		{ "evil\xe2\x80\xae" "txt.exe", "evil?txt.exe" },
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad \xe2\x81\xa6"
		  "\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9 \xe2\x80\xa9\xe2\x81\xaa",
		  "???? ???? \xe2\x80\xa9\xe2\x81\xaa" },
		{ "latin1 p\xe9ssword \xc0\xaf \xed\xa0\x80 cut \xe2\x80",
		  "latin1 p?ssword ?? ??? cut ??" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		sanitize_text(buf);
		ck_assert_msg(strcmp(buf, cases[i].out) == 0, "case %zu: got "
		    "\"%s\"", i, buf);
	}
}
END_TEST

/* What enters the model (the screen and plain mode show only that) and
   its prompt are cleaned. */
START_TEST(test_sanitize_model_lines)
{
	struct model *m = model_new(0);

	model_add_line(m, MODEL_LINE_MESSAGE, "[10:00] bob: %s",
	    "\x1b]0;owned\x07hi \xc2\x9b" "2J \xe2\x80\xae" "gnp.exe");
	ck_assert_str_eq(model_line_at(m, 0)->text,
	    "[10:00] bob: ?]0;owned?hi ?2J ?gnp.exe");
	model_set_prompt(m, MODEL_INPUT_ASK, "bob\xe2\x81\xa6 wants (y/n)");
	ck_assert_str_eq(model_prompt(m), "bob? wants (y/n)");
	/* A transfer's label holds a file name from a peer. */
	model_xfer_start(m, MODEL_XFER_RECV, "a\x1b[2J\xc2\x9b.bin from bob",
	    100, 0);
	ck_assert_str_eq(model_xfer_at(m, 0)->label, "a?[2J?.bin from bob");
	model_free(m);
}
END_TEST

/* A password the server cannot take is refused before it is sent, at
   the password prompt and at registration; a good one goes. */
START_TEST(test_app_password_refused_locally)
{
	static const char *bad[] = {
		"tab\there", "bell\x07", "latin1 p\xe9ssword", "c1 \xc2\x85",
		"rtl \xe2\x80\xae", "esc\x1b[0m",
	};
	char longpw[PROTO_PASS_MAX + 2];
	struct fake f;
	size_t i;

	memset(longpw, 'A', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	fake_type(&f, "alice");
	fake_heard(&f);
	fake_say(&f, "2 OK password Enter your password\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_type(&f, bad[i]);
		ck_assert_str_eq(last_line(&f), "Error: a password must be "
		    "valid UTF-8 without control characters; it was not sent");
		ck_assert_str_eq(fake_heard(&f), "");
		ck_assert_int_eq(model_input(f.m), MODEL_INPUT_SECRET);
	}
	fake_type(&f, longpw);
	ck_assert_str_eq(last_line(&f), "Error: a password is at most 128 "
	    "bytes; it was not sent");
	ck_assert_str_eq(fake_heard(&f), "");
	longpw[PROTO_PASS_MAX] = '\0';
	fake_type(&f, longpw);
	ck_assert_ptr_nonnull(strstr(fake_heard(&f), " PASS AAAA"));
	fake_close(&f);

	fake_open(&f);
	fake_say(&f, "* HELLO firmware-server PROTO 1\n1 OK x\n");
	fake_type(&f, "carol");
	fake_heard(&f);
	fake_say(&f, "2 OK register New user carol: choose a password\n");
	fake_type(&f, "caf\xe9");
	ck_assert_str_eq(last_line(&f), "Error: a password must be valid "
	    "UTF-8 without control characters; it was not sent");
	ck_assert_str_eq(model_prompt(f.m), "New password:");
	fake_type(&f, "caf\xc3\xa9");
	fake_type(&f, "caf\xc3\xa9");
	ck_assert_str_eq(fake_heard(&f), "3 REGISTER caf\xc3\xa9\n");
	fake_close(&f);
}
END_TEST

/* The client's model, command table and login logic. */
Suite *
suite_client(void)
{
	Suite *s = suite_create("client");
	TCase *tc;

	tc = tcase_create("model");
	tcase_add_test(tc, test_model_users_add_remove);
	tcase_add_test(tc, test_model_users_replace_from_who);
	tcase_add_test(tc, test_model_user_parse_refuses);
	tcase_add_test(tc, test_model_scrollback_bound);
	tcase_add_test(tc, test_model_scrollback_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("cmds");
	tcase_add_test(tc, test_cmds_aliases);
	tcase_add_test(tc, test_cmds_parse_errors);
	tcase_add_test(tc, test_cmds_whosince_integer);
	tcase_add_test(tc, test_cmds_help_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("app");
	tcase_add_test(tc, test_app_login_and_silent_who);
	tcase_add_test(tc, test_app_commands_and_events);
	tcase_add_test(tc, test_app_malformed_events);
	tcase_add_test(tc, test_app_msg_once);
	tcase_add_test(tc, test_app_exit_statuses);
	tcase_add_test(tc, test_app_register);
	tcase_add_test(tc, test_app_name_taken_meanwhile);
	tcase_add_test(tc, test_app_password_refused_locally);
	suite_add_tcase(s, tc);

	tc = tcase_create("sanitize");
	tcase_add_test(tc, test_sanitize_text);
	tcase_add_test(tc, test_sanitize_model_lines);
	suite_add_tcase(s, tc);
	return s;
}
