/*
 * check_e2e_msg.c - messaging end to end: direct and offline messages,
 * broadcast, blocking, the message board, groups, and what survives a
 * restart and a SIGKILL.  Real server, real plain clients.
 */
#include <check.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS	E2E_CREDS4

#define INI	"[accounts]\nregistration = no\n"

#define TIME_RE	"[0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"

/* The timestamp at the end of the last line c printed ("... at TIME"). */
static void
last_time(struct cli *c, char *out, size_t len)
{
	const char *l = cli_last(c), *at = strrchr(l, 't');

	ck_assert_msg(at != NULL && at > l + 1 && at[-1] == 'a' &&
	    at[1] == ' ', "no timestamp in: %s", l);
	snprintf(out, len, "%s", at + 2);
}

/* True when text matches the extended regex re on some line. */
static bool
file_matches(const char *text, const char *re)
{
	regex_t rx;
	bool ok;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB),
	    0);
	ok = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* Assert that file name in s matches re. */
static void
file_has_re(struct srv *s, const char *name, const char *re)
{
	char *text = srv_read_file(s, name);

	ck_assert_msg(text != NULL && file_matches(text, re),
	    "%s does not match /%s/; it holds:\n%s", name, re,
	    text ? text : "(missing)");
	free(text);
}

/* Count the lines of file name that contain sub. */
static int
file_count(struct srv *s, const char *name, const char *sub)
{
	char *text = srv_read_file(s, name), *p;
	int n = 0;

	for (p = text; p != NULL && (p = strstr(p, sub)) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* A direct message reaches an online user at once, with the time. */
START_TEST(test_dm_live)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);

	SEND(a, "message bob hello there; bob");
	EXPECT(a, "Message sent to bob at ");
	ck_assert(cli_expect(b, "alice: hello there; bob", E2E_WAIT_MS));
	ck_assert_msg(cli_saw_re(b, 0, "^\\[" TIME_RE "\\] alice: hello there; "
	    "bob$") != NULL, "%s", cli_lines(b, 0));
	SEND(b, "/msgto alice and back");
	EXPECT(b, "Message sent to alice at ");
	EXPECT(a, "] bob: and back");
	file_has_re(s, "messages.txt", "^1; " TIME_RE "; alice; bob; hello "
	    "there; bob$");
	file_has_re(s, "messages.txt", "^2; " TIME_RE "; bob; alice; and back$");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Each refused direct message says why. */
START_TEST(test_dm_errors)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);

	SEND(a, "message zed hi");
	EXPECT_LINE(a, "Error: no such user: zed");
	SEND(a, "message alice hi");
	EXPECT_LINE(a, "Error: you cannot message yourself");
	SEND(a, "message bob");
	EXPECT_LINE(a, "Error: usage: message USER TEXT");
	SEND(b, "block alice");
	EXPECT_LINE(b, "alice is blocked");
	SEND(a, "message bob are you there");
	EXPECT_LINE(a, "Error: Your message could not be delivered as bob has "
	    "blocked you");
	SEND(b, "whoelse");
	EXPECT(b, "other active user");
	ck_assert_msg(cli_saw(b, 0, "are you there") == NULL,
	    "a blocked message arrived:\n%s", cli_lines(b, 0));
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Messages to an offline user wait for their next login, in order. */
START_TEST(test_dm_offline)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *c;
	size_t first, second;

	SEND(a, "message carol first one");
	EXPECT(a, "carol is offline; the message will be delivered at their "
	    "next login");
	SEND(a, "message carol second one");
	EXPECT(a, "carol is offline");
	/* Its id (this run's id and its number) is kept with it. */
	file_has_re(s, "offline.txt", "^2 [0-9a-f]{16}\\.2; " TIME_RE
	    "; alice; carol; second one$");
	c = step_login(s, "carol", "carol123", 0);
	EXPECT_LINE(c, "2 messages arrived while you were offline");
	EXPECT(c, "alice: first one");
	first = cli_mark(c);
	EXPECT(c, "alice: second one");
	second = cli_mark(c);
	ck_assert(first < second);
	step_logout(c, "logout", "carol");
	/* Delivered once: not again at the next login. */
	c = step_login(s, "carol", "carol123", 0);
	SEND(c, "whoelse");
	EXPECT(c, "other active user");
	ck_assert_msg(cli_saw(c, 0, "first one") == NULL,
	    "delivered twice:\n%s", cli_lines(c, 0));
	step_logout(c, "logout", "carol");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* Broadcast skips those who block the sender and says so. */
START_TEST(test_broadcast)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b, *c;

	SEND(a, "broadcast anyone?");
	EXPECT_LINE(a, "Broadcast sent to nobody: no other user is online");
	b = step_login(s, "bob", "bob123", 0);
	c = step_login(s, "carol", "carol123", 0);
	SEND(c, "block alice");
	EXPECT_LINE(c, "alice is blocked");
	SEND(a, "broadcast hello all");
	EXPECT_LINE(a, "Broadcast sent to 1 user; 1 user could not receive it");
	EXPECT(b, "alice (broadcast): hello all");
	SEND(c, "unblock alice");
	EXPECT_LINE(c, "alice is unblocked");
	ck_assert_msg(cli_saw(c, 0, "hello all") == NULL, "%s",
	    cli_lines(c, 0));
	SEND(a, "broadcast again");
	EXPECT_LINE(a, "Broadcast sent to 2 users");
	EXPECT(c, "alice (broadcast): again");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_logout(c, "logout", "carol");
	step_stop_ok(s);
}
END_TEST

/* A blocker vanishes from the blocked user's lists and presence. */
START_TEST(test_block_hides)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct cli *c = step_login(s, "carol", "carol123", 0);
	size_t mark;

	SEND(a, "block alice");
	EXPECT_LINE(a, "Error: you cannot block yourself");
	SEND(a, "block zed");
	EXPECT_LINE(a, "Error: no such user: zed");
	SEND(a, "unblock bob");
	EXPECT_LINE(a, "Error: bob is not blocked");
	SEND(a, "block bob");
	EXPECT_LINE(a, "bob is blocked");
	SEND(a, "block bob");
	EXPECT_LINE(a, "Error: bob is already blocked");
	SEND(b, "whoelse");
	EXPECT_LINE(b, "1 other active user");
	ck_assert_msg(cli_saw(b, cli_mark(b) - 2, "carol, ") != NULL, "%s",
	    cli_lines(b, 0));
	SEND(b, "whoelsesince 600");
	EXPECT(b, "user online in the last 600 seconds");
	mark = cli_mark(b);
	step_logout(a, "logout", "alice");
	/* carol sees alice go; bob, whom alice blocks, does not. */
	EXPECT(c, "alice logged out");
	SEND(b, "ATU");
	EXPECT_LINE(b, "1 other active user");
	ck_assert_msg(cli_saw(b, mark, "alice") == NULL,
	    "bob saw alice:\n%s", cli_lines(b, 0));
	/* The block lasts across a restart. */
	step_logout(b, "logout", "bob");
	step_logout(c, "logout", "carol");
	ck_assert(srv_restart(s));
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	SEND(b, "message alice hi");
	EXPECT(b, "has blocked you");
	SEND(a, "unblock bob");
	EXPECT_LINE(a, "bob is unblocked");
	EXPECT(b, "alice logged in");
	SEND(b, "message alice hi again");
	EXPECT(b, "Message sent to alice");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* The board: post, read, delete and edit with their rules and log. */
START_TEST(test_board)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	char t1[32], t2[32], t3[32], line[256];

	SEND(a, "MSG first post");
	EXPECT(a, "Message #1 posted at ");
	last_time(a, t1, sizeof(t1));
	SEND(b, "MSG second; with semicolon");
	EXPECT(b, "Message #2 posted at ");
	last_time(b, t2, sizeof(t2));
	SEND(a, "MSG third");
	EXPECT(a, "Message #3 posted at ");
	last_time(a, t3, sizeof(t3));
	file_has_re(s, "messagelog.txt", "^2; " TIME_RE "; bob; second; with "
	    "semicolon; no$");

	SEND(b, "RDM 01 Jan 2000 00:00:00");
	EXPECT_LINE(b, "3 messages");
	snprintf(line, sizeof(line), "#2 bob, %s: second; with semicolon", t2);
	ck_assert_msg(cli_saw(b, 0, line) != NULL, "%s", cli_lines(b, 0));
	SEND(b, "RDM 01 Jan 2999 00:00:00");
	EXPECT_LINE(b, "no new message");
	SEND(b, "RDM 31 Feb 2021 00:00:00");
	EXPECT_LINE(b, "Error: RDM: bad timestamp '31 Feb 2021 00:00:00': day "
	    "31 does not exist in Feb 2021");

	snprintf(line, sizeof(line), "DLT #1 %s", t1);
	SEND(b, line);
	EXPECT_LINE(b, "Error: message #1 was posted by alice; only its author "
	    "may delete it");
	SEND(a, "DLT #1 01 Jan 2000 00:00:00");
	EXPECT(a, "Error: message #1 has the timestamp");
	SEND(a, "DLT 9 01 Jan 2000 00:00:00");
	EXPECT_LINE(a, "Error: there is no message #9 (the board has 3)");
	SEND(a, "DLT x 01 Jan 2000 00:00:00");
	EXPECT(a, "Error: DLT: the message number is written 3 or #3");
	snprintf(line, sizeof(line), "DLT #1 %s", t1);
	SEND(a, line);
	EXPECT_LINE(a, "Message #1 deleted");
	/* One record in the journal, not a rewrite of the board. */
	file_has_re(s, "journal.txt", "^delete; 1$");
	ck_assert_int_eq(file_count(s, "messagelog.txt", "first post"), 1);

	snprintf(line, sizeof(line), "EDT 2 %s third, edited", t3);
	SEND(a, line);
	EXPECT(a, "Message #2 edited at ");
	file_has_re(s, "journal.txt", "^edit; 2; " TIME_RE "; third, edited$");
	SEND(b, "RDM 01 Jan 2000 00:00:00");
	EXPECT(b, "(edited): third, edited");
	SEND(a, "MSG fourth");
	EXPECT(a, "Message #3 posted at ");
	file_has_re(s, "journal.txt", "^post; 3; " TIME_RE "; alice; fourth; "
	    "no$");
	step_logout(a, "OUT", "alice");
	step_logout(b, "OUT", "bob");

	/* The start replays the journal into messagelog.txt: renumbered,
	   bob's post is #1 now, alice's third is #2 and edited. */
	ck_assert(srv_restart(s));
	file_has_re(s, "messagelog.txt", "^1; " TIME_RE "; bob; second; with "
	    "semicolon; no$");
	file_has_re(s, "messagelog.txt", "^2; " TIME_RE "; alice; third, "
	    "edited; yes$");
	file_has_re(s, "messagelog.txt", "^3; " TIME_RE "; alice; fourth; no$");
	ck_assert_int_eq(file_count(s, "messagelog.txt", "first post"), 0);
	ck_assert_ptr_null(srv_read_file(s, "journal.txt"));
	b = step_login(s, "bob", "bob123", 0);
	SEND(b, "RDM 01 Jan 2000 00:00:00");
	EXPECT_LINE(b, "3 messages");
	ck_assert_msg(cli_saw(b, 0, "#2 alice") != NULL &&
	    cli_saw(b, 0, "(edited): third, edited") != NULL, "%s",
	    cli_lines(b, 0));
	step_logout(b, "OUT", "bob");
	step_stop_ok(s);
}
END_TEST

/* Groups: create, invite, join, send, with every refusal. */
START_TEST(test_groups)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct cli *d = step_login(s, "dave", "dave123", 0);

	SEND(a, "/creategroup study bob carol");
	EXPECT_LINE(a, "Error: carol is not online; every invited user must be "
	    "online");
	SEND(a, "/creategroup study bob zed");
	EXPECT_LINE(a, "Error: no such user: zed");
	SEND(a, "/creategroup my-group bob");
	EXPECT(a, "Error: a group name is 1 to 32 letters and digits");
	SEND(a, "/creategroup study");
	EXPECT(a, "Error: usage: /creategroup NAME USER...");
	SEND(a, "/creategroup study bob");
	EXPECT(a, "Group study created with bob");
	EXPECT(b, "alice created group study with bob; join it with "
	    "/joingroup study");
	SEND(d, "/creategroup study dave alice");
	EXPECT_LINE(d, "Error: a group named study exists already");
	SEND(b, "/groupmsg study too early");
	EXPECT_LINE(b, "Error: you have not joined group study yet; join it "
	    "with /joingroup study");
	SEND(d, "/joingroup study");
	EXPECT_LINE(d, "Error: you were not invited to group study");
	SEND(d, "/groupmsg study hi");
	EXPECT_LINE(d, "Error: you are not a member of group study");
	SEND(b, "/joingroup nope");
	EXPECT_LINE(b, "Error: there is no group named nope");
	SEND(b, "/joingroup study");
	EXPECT_LINE(b, "Joined group study");
	SEND(b, "/joingroup study");
	EXPECT_LINE(b, "Error: you have already joined group study");
	SEND(a, "/groupmsg study hello group");
	EXPECT_LINE(a, "Group message #1 sent to study (1 online member)");
	EXPECT(b, "alice in study: hello group");
	SEND(b, "/groupmsg study hi; alice");
	EXPECT(a, "bob in study: hi; alice");
	/* Deliveries go out before the disk work; bob's reply waits for it. */
	EXPECT(b, "Group message #2 sent to study");
	file_has_re(s, "study_messagelog.txt", "^1; " TIME_RE "; alice; hello "
	    "group$");
	file_has_re(s, "study_messagelog.txt", "^2; " TIME_RE "; bob; hi; "
	    "alice$");
	SEND(d, "whoelse");
	EXPECT(d, "other active users");
	ck_assert_msg(cli_saw(d, 0, "hello group") == NULL, "%s",
	    cli_lines(d, 0));
	/* Membership and numbering survive a restart. */
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_logout(d, "logout", "dave");
	ck_assert(srv_restart(s));
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	SEND(b, "/groupmsg study after restart");
	EXPECT_LINE(b, "Group message #3 sent to study (1 online member)");
	EXPECT(a, "bob in study: after restart");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* A clean restart keeps the board, its numbering and waiting messages. */
START_TEST(test_restart_keeps_state)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *c;

	SEND(a, "MSG before restart");
	EXPECT(a, "Message #1 posted");
	SEND(a, "message carol kept for you");
	EXPECT(a, "carol is offline");
	step_logout(a, "logout", "alice");
	ck_assert(srv_restart(s));
	a = step_login(s, "alice", "alice123", 0);
	SEND(a, "MSG after restart");
	EXPECT(a, "Message #2 posted");
	SEND(a, "RDM 01 Jan 2000 00:00:00");
	EXPECT_LINE(a, "2 messages");
	c = step_login(s, "carol", "carol123", 0);
	EXPECT(c, "alice: kept for you");
	file_has_re(s, "messages.txt", "^1; " TIME_RE "; alice; carol; kept "
	    "for you$");
	step_logout(a, "logout", "alice");
	step_logout(c, "logout", "carol");
	step_stop_ok(s);
}
END_TEST

/*
 * SIGKILL in the middle of a fast stream of posts and direct messages:
 * every acknowledged item is there exactly once after a restart, and the
 * restart itself proves every file still parses.
 */
START_TEST(test_crash_loses_nothing)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *r;
	char line[128];
	const char *got;
	int sent = 0, acked = 0, i, n, kill_at = 150;
	static bool ok[4000];

	r = raw_connect(s);
	ck_assert_msg(r != NULL, "%s", e2e_error());
	RAW_EXPECT(r, "* HELLO");
	raw_send(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	raw_send(r, "l LOGIN alice");
	RAW_EXPECT(r, "l OK");
	raw_send(r, "p PASS alice123");
	RAW_EXPECT(r, "p OK");
	/* Keep 20 requests in flight; even tags post, odd tags message. */
	while (acked < kill_at) {
		while (sent < acked + 20 && sent < 4000) {
			if (sent % 2 == 0)
				snprintf(line, sizeof(line), "%d POST crash-%d",
				    sent, sent);
			else
				snprintf(line, sizeof(line), "%d MSGTO carol "
				    "crash-%d", sent, sent);
			ck_assert(raw_send(r, line));
			sent++;
		}
		got = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(got != NULL, "%s", raw_why(r));
		if (sscanf(got, "%d OK", &n) == 1 && strstr(got, " OK ")) {
			ok[n] = true;
			acked++;
		}
	}
	srv_terminate(s, SIGKILL);
	raw_close(r);
	ck_assert_msg(srv_restart(s), "the server did not start after the "
	    "crash:\n%s", srv_log_tail(s, 10));
	for (i = 0; i < sent; i++) {
		snprintf(line, sizeof(line), "; crash-%d;", i);
		if (i % 2 == 1)
			snprintf(line, sizeof(line), "; carol; crash-%d\n", i);
		n = file_count(s, i % 2 == 0 ? "messagelog.txt" :
		    "messages.txt", line);
		ck_assert_msg(n <= 1, "item %d is there %d times", i, n);
		ck_assert_msg(!ok[i] || n == 1, "acknowledged item %d was lost",
		    i);
		if (i % 2 == 1)
			ck_assert_msg(!ok[i] || file_count(s, "offline.txt",
			    line) == 1, "acknowledged message %d is not "
			    "queued for carol", i);
	}
	step_stop_ok(s);
}
END_TEST

/*
 * SIGKILL while registrations, group creations and blocks are being
 * written: every acknowledged one is there after the restart, and the
 * files still parse.
 */
START_TEST(test_crash_registrations_groups)
{
	struct srv *s = SRV_START("[accounts]\nregistration = yes\n"
	    "registrations_per_hour = 0\n", CREDS);
	struct raw *a = step_raw_login(s, "alice", "alice123", 0);
	struct raw *b = step_raw_login(s, "bob", "bob123", 0);
	struct raw *reg;
	static bool group_ok[2000];
	char line[128], *creds, *groups;
	const char *l;
	int regs = 0, sent = 0, acked = 0, n, i;

	(void)b;
	while (regs < 8 || acked < 60) {
		/* Keep 10 group creations (and blocks) in flight on alice. */
		while (sent < acked + 10 && sent < 2000) {
			if (sent % 5 == 4)
				snprintf(line, sizeof(line), "%d %s bob", sent,
				    sent % 10 == 4 ? "BLOCK" : "UNBLOCK");
			else
				snprintf(line, sizeof(line), "%d GCREATE g%d bob",
				    sent, sent);
			ck_assert(raw_send(a, line));
			sent++;
		}
		/* One registration, start to end, on its own connection. */
		if (regs < 8) {
			reg = step_raw_open(s);
			RAW_SEND(reg, "1 HELLO 1");
			RAW_EXPECT(reg, "1 OK");
			snprintf(line, sizeof(line), "2 LOGIN reg%d", regs);
			RAW_SEND(reg, line);
			RAW_EXPECT(reg, "2 OK register");
			RAW_SEND(reg, "3 REGISTER pw-of-new-user");
			RAW_EXPECT(reg, "3 OK Welcome");
			raw_close(reg);
			regs++;
		}
		while ((l = raw_next(a, 50)) != NULL) {
			if (sscanf(l, "%d OK", &n) == 1 && strstr(l, " OK ")) {
				if (n % 5 != 4)
					group_ok[n] = true;
				acked++;
			} else
				ck_assert_msg(l[0] == '*', "unexpected: %s", l);
		}
	}
	srv_terminate(s, SIGKILL);
	raw_close(a);
	raw_close(b);
	ck_assert_msg(srv_restart(s), "no restart after the crash:\n%s",
	    srv_log_tail(s, 10));
	creds = srv_read_file(s, "credentials.txt");
	groups = srv_read_file(s, "groups.txt");
	ck_assert_ptr_nonnull(creds);
	ck_assert_ptr_nonnull(groups);
	ck_assert_msg(strncmp(creds, CREDS, strlen(CREDS)) == 0,
	    "the first lines changed:\n%s", creds);
	for (i = 0; i < regs; i++) {
		snprintf(line, sizeof(line), "\nreg%d $y$", i);
		ck_assert_msg(strstr(creds, line) != NULL, "registration %d lost",
		    i);
	}
	for (i = 0; i < sent; i++) {
		snprintf(line, sizeof(line), "g%d; alice; ", i);
		ck_assert_msg(!group_ok[i] || strstr(groups, line) != NULL,
		    "group g%d was acknowledged and lost", i);
	}
	free(creds);
	free(groups);
	a = step_raw_login(s, "reg0", "pw-of-new-user", 0);
	raw_close(a);
	step_stop_ok(s);
}
END_TEST


#define CRASH_POSTS	400
#define CRASH_T		"23 Feb 2021 16:01:20"

/*
 * SIGKILL in the middle of a stream of DELPOST and EDITPOST (journal
 * records): after the restart messagelog.txt shows every acknowledged
 * change exactly once, and what was applied is a prefix of what was sent
 * (a delete applied twice, or an edit without the deletes before it,
 * would show as a wrong first post or a wrong number).  Request j: even,
 * delete post 1; odd, edit the post first numbered CRASH_POSTS - j.
 */
START_TEST(test_crash_journal)
{
	struct srv *s = srv_prepare(CREDS);
	struct raw *r;
	static bool ok[400];
	char line[160], *posts, *text;
	const char *got;
	int sent = 0, acked = 0, i, n, dels, dels_acked = 0, first, edits;
	size_t cap = CRASH_POSTS * 64, off = 0;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	posts = malloc(cap);
	ck_assert_ptr_nonnull(posts);
	for (i = 1; i <= CRASH_POSTS; i++)
		off += (size_t)snprintf(posts + off, cap - off, "%d; " CRASH_T
		    "; alice; p%d; no\n", i, i);
	ck_assert(srv_write_file(s, "messagelog.txt", posts));
	free(posts);
	ck_assert_msg(srv_start_prepared(s, INI), "%s", e2e_error());
	r = step_raw_login(s, "alice", "alice123", 0);
	while (acked < 100) {
		while (sent < acked + 20 && sent < 200) {
			if (sent % 2 == 0)
				snprintf(line, sizeof(line), "%d DELPOST 1 "
				    CRASH_T, sent);
			else
				snprintf(line, sizeof(line), "%d EDITPOST %d "
				    CRASH_T " edited-%d", sent,
				    CRASH_POSTS - sent - (sent + 1) / 2, sent);
			ck_assert(raw_send(r, line));
			sent++;
		}
		got = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(got != NULL, "%s", raw_why(r));
		ck_assert_msg(sscanf(got, "%d OK", &n) == 1 &&
		    strstr(got, " OK ") != NULL, "refused: %s", got);
		ok[n] = true;
		dels_acked += n % 2 == 0;
		acked++;
	}
	srv_terminate(s, SIGKILL);
	raw_close(r);
	ck_assert_msg(srv_restart(s), "the server did not start after the "
	    "crash:\n%s", srv_log_tail(s, 10));
	text = srv_read_file(s, "messagelog.txt");
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(sscanf(text, "1; " CRASH_T "; alice; p%d; no", &first),
	    1);
	dels = first - 1;
	ck_assert_msg(dels >= dels_acked && dels <= (sent + 1) / 2,
	    "%d deletes applied, %d acknowledged, %d sent", dels, dels_acked,
	    (sent + 1) / 2);
	for (n = 0, i = 0; text[i] != '\0'; i++)
		n += text[i] == '\n';
	ck_assert_int_eq(n, CRASH_POSTS - dels);
	for (i = 1, edits = 0; i < sent; i += 2) {
		snprintf(line, sizeof(line), "; alice; edited-%d; yes\n", i);
		n = strstr(text, line) != NULL;
		ck_assert_msg(!ok[i] || n, "acknowledged edit %d was lost", i);
		/* Applied requests are a prefix: edit i only with the
		   deletes sent before it. */
		if (n) {
			ck_assert_int_eq(edits, i / 2);
			ck_assert_msg(dels >= (i + 1) / 2, "edit %d without "
			    "the deletes before it", i);
			edits++;
		}
		/* It is on post CRASH_POSTS - i, renumbered by every
		   delete applied. */
		snprintf(line, sizeof(line), "\n%d; ", CRASH_POSTS - i - dels);
		if (n) {
			got = strstr(text, line);
			ck_assert_msg(got != NULL && strncmp(strstr(got + 1,
			    "; alice; ") + 9, "edited-", 7) == 0 &&
			    atoi(strstr(got + 1, "edited-") + 7) == i,
			    "edit %d is not on post %d:\n%.300s", i,
			    CRASH_POSTS - i - dels, got ? got : text);
		}
	}
	free(text);
	step_stop_ok(s);
}
END_TEST

/*
 * Replies longer than the client's output limit (16 KiB here) are not a
 * reason to drop it: 600 waiting messages and a 600-post board (about
 * 120 KiB each) arrive whole and in order, a request sent behind them is
 * answered after them, and the waiting messages leave offline.txt only
 * once they were all sent.
 */
START_TEST(test_long_replies)
{
	struct srv *s = srv_prepare(CREDS);
	struct raw *r;
	char *dm, *posts, *text, want[300], filler[161];
	const char *l;
	size_t i, cap = 600 * 256;
	int n;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	memset(filler, 'x', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\0';
	dm = malloc(cap);
	posts = malloc(cap);
	ck_assert(dm != NULL && posts != NULL);
	dm[0] = posts[0] = '\0';
	for (i = 1, n = 0; i <= 600; i++)
		n += snprintf(dm + n, cap - (size_t)n,
		    "%zu; 23 Feb 2021 16:01:20; alice; bob; m%zu %s\n", i, i,
		    filler);
	for (i = 1, n = 0; i <= 600; i++)
		n += snprintf(posts + n, cap - (size_t)n,
		    "%zu; 23 Feb 2021 16:01:20; carol; p%zu %s; no\n", i, i,
		    filler);
	ck_assert(srv_write_file(s, "messages.txt", dm));
	ck_assert(srv_write_file(s, "offline.txt", dm));
	ck_assert(srv_write_file(s, "messagelog.txt", posts));
	free(dm);
	free(posts);
	ck_assert_msg(srv_start_prepared(s, INI "[limits]\n"
	    "output_limit_kb = 16\n"), "%s", e2e_error());

	r = step_raw_login(s, "bob", "bob123", 0);
	ck_assert_msg(raw_expect(r, "* INFO 600 messages arrived while you "
	    "were offline", E2E_WAIT_MS), "%s", raw_why(r));
	for (i = 1; i <= 600; i++) {
		/* Records of a server before ids: the number is the id. */
		snprintf(want, sizeof(want), "* MSG alice 23 Feb 2021 16:01:20 "
		    "id:%zu m%zu %s", i, i, filler);
		l = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(l != NULL && strcmp(l, want) == 0,
		    "waiting message %zu: got %s", i, l ? l : raw_why(r));
	}
	step_file_has(s, "server.log", "bob: delivered 600 offline messages");
	step_file_has(s, "journal.txt", "delivered; bob; 600\n");

	RAW_SEND(r, "a READPOSTS 01 Jan 2000 00:00:00");
	RAW_SEND(r, "b PING");
	for (i = 1; i <= 600; i++) {
		snprintf(want, sizeof(want), "a . %zu carol no 23 Feb 2021 "
		    "16:01:20 p%zu %s", i, i, filler);
		l = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(l != NULL && strcmp(l, want) == 0,
		    "post %zu: got %s", i, l ? l : raw_why(r));
	}
	ck_assert_msg(raw_expect(r, "a OK 600 messages", E2E_WAIT_MS), "%s",
	    raw_why(r));
	ck_assert_msg(raw_expect(r, "b OK", E2E_WAIT_MS), "%s", raw_why(r));
	raw_close(r);
	/* After a start offline.txt holds none of them any more. */
	ck_assert(srv_restart(s));
	text = srv_read_file(s, "offline.txt");
	ck_assert_msg(text != NULL && text[0] == '\0', "offline.txt still "
	    "holds:\n%.300s", text ? text : "(missing)");
	free(text);
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_msg(void)
{
	Suite *s = suite_create("e2e_msg");
	TCase *tc = tcase_create("messages");
	TCase *tb = tcase_create("board_groups");
	TCase *td = tcase_create("durability");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_add_unchecked_fixture(tb, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_add_unchecked_fixture(td, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_set_timeout(tb, 90);
	tcase_set_timeout(td, 120);
	tcase_add_test(tc, test_dm_live);
	tcase_add_test(tc, test_dm_errors);
	tcase_add_test(tc, test_dm_offline);
	tcase_add_test(tc, test_broadcast);
	tcase_add_test(tc, test_block_hides);
	tcase_add_test(tb, test_board);
	tcase_add_test(tb, test_groups);
	tcase_add_test(tb, test_long_replies);
	tcase_add_test(td, test_restart_keeps_state);
	tcase_add_test(td, test_crash_loses_nothing);
	tcase_add_test(td, test_crash_registrations_groups);
	tcase_add_test(td, test_crash_journal);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, td);
	return s;
}
