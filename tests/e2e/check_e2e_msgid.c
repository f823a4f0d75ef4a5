/*
 * check_e2e_msgid.c - a direct message is shown once even when the server
 * delivers it again: the id in * MSG, kept with a waiting message, and the
 * client's set of ids shown (plain mode and the screen).
 *
 * The repeat is the one a crash makes: the waiting messages were written
 * to bob's connection, then the server died before the "delivered"
 * record and a live message's messages.txt line reached the files.  The
 * test kills the server (-9) and takes those two lines out of the files,
 * which is exactly what such a crash leaves, so the repeat happens every
 * time instead of once in a thousand kills.
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
#define INI	"[accounts]\nregistration = no\n"

/* alice (raw, tag) sends text to bob; the reply must start with want. */
static void
msgto_bob(struct raw *alice, const char *tag, const char *text,
    const char *want)
{
	char line[256];
	const char *l;

	snprintf(line, sizeof(line), "%s MSGTO bob %s", tag, text);
	RAW_SEND(alice, line);
	snprintf(line, sizeof(line), "%s OK %s", tag, want);
	do {		/* events (bob's ONLINE) may come first */
		l = raw_next(alice, E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "%s", raw_why(alice));
	} while (l[0] == '*');
	ck_assert_msg(strncmp(l, line, strlen(line)) == 0, "got %s", l);
}

/* Take out of file name every line containing sub; how many went. */
static int
drop_lines(struct srv *s, const char *name, const char *sub)
{
	char *text = srv_read_file(s, name), *out, *l, *nl;
	size_t n = 0;
	int gone = 0;

	ck_assert_msg(text != NULL, "%s is missing", name);
	out = malloc(strlen(text) + 1);
	ck_assert_ptr_nonnull(out);
	for (l = text; *l != '\0'; l = nl) {
		nl = strchr(l, '\n');
		nl = nl != NULL ? nl + 1 : l + strlen(l);
		if (memmem(l, (size_t)(nl - l), sub, strlen(sub)) != NULL) {
			gone++;
			continue;
		}
		memcpy(out + n, l, (size_t)(nl - l));
		n += (size_t)(nl - l);
	}
	out[n] = '\0';
	ck_assert(srv_write_file(s, name, out));
	free(out);
	free(text);
	return gone;
}

/*
 * The crash after bob was sent his three waiting messages and "live-1":
 * kill -9, then the files as a crash a moment earlier leaves them (no
 * "delivered" record, no messages.txt line for live-1), then start again
 * on the same port.
 */
static void
crash_before_records(struct srv *s)
{
	step_file_has(s, "journal.txt", "delivered; bob; 3\n");
	step_file_has(s, "messages.txt", "; alice; bob; live-1\n");
	srv_terminate(s, SIGKILL);
	ck_assert_int_eq(drop_lines(s, "journal.txt", "delivered; bob;"), 1);
	ck_assert_int_eq(drop_lines(s, "messages.txt", "live-1"), 1);
	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
}

/* Lines of c's output so far that contain sub. */
static int
cli_count(struct cli *c, const char *sub)
{
	size_t i;
	int n = 0;

	for (i = 0; i < c->out.n; i++)
		if (strstr(c->out.line[i], sub) != NULL)
			n++;
	return n;
}

/* alice logged in (raw) with three messages waiting for bob. */
static struct raw *
three_waiting(struct srv *s)
{
	struct raw *alice = step_raw_login(s, "alice", "alice123", 0);

	msgto_bob(alice, "1", "wait-1", "bob is offline");
	msgto_bob(alice, "2", "wait-2", "bob is offline");
	msgto_bob(alice, "3", "wait-3", "bob is offline");
	return alice;
}

/*
 * Plain mode with --reconnect: the three waiting messages and a live one
 * come again after the crash (same ids) and are not shown again, nor is
 * the "3 messages arrived while you were offline" before them; a new
 * message that the new run gives live-1's number (its line was lost) is
 * shown: the id is not the number alone.
 */
START_TEST(test_redelivered_once_plain)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *alice = three_waiting(s);
	struct cli *bob;
	int i;

	bob = step_login_args(s, "bob", "bob123", "--reconnect", NULL);
	EXPECT(bob, "3 messages arrived while you were offline");
	EXPECT(bob, "alice: wait-3");
	msgto_bob(alice, "4", "live-1", "Message sent to bob");
	EXPECT(bob, "alice: live-1");
	raw_close(alice);
	crash_before_records(s);
	EXPECT(bob, "reconnected");

	alice = step_raw_login(s, "alice", "alice123", 0);
	msgto_bob(alice, "5", "live-2", "Message sent to bob");
	EXPECT(bob, "alice: live-2");
	/* Replies come after the waiting messages: all of them were read. */
	SEND(bob, "whoelse");
	EXPECT(bob, "other active user");
	/* The server delivered the three again (its record of the first
	   delivery was taken out), and the client said nothing of them: no
	   second "3 messages arrived" with nothing after it. */
	step_file_has(s, "journal.txt", "delivered; bob; 3\n");
	ck_assert_msg(cli_count(bob, "3 messages arrived") == 1,
	    "the note of the repeats shown:\n%s", cli_lines(bob, 0));
	for (i = 0; i < 4; i++) {
		static const char *const text[] = { "alice: wait-1",
		    "alice: wait-2", "alice: wait-3", "alice: live-1" };

		ck_assert_msg(cli_count(bob, text[i]) == 1, "'%s' shown %d "
		    "times:\n%s", text[i], cli_count(bob, text[i]),
		    cli_lines(bob, 0));
	}
	ck_assert_int_eq(cli_count(bob, "alice: live-2"), 1);
	raw_close(alice);
	step_logout(bob, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* The same in the screen: each message once in bob's window with alice. */
START_TEST(test_redelivered_once_screen)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *alice = three_waiting(s);
	struct tmx *t = tmx_new();
	int st;

	tmx_login(t, s, "b", 100, 40, "bob", "bob123");
	TMX_WAIT(t, "b", "wait-3");
	msgto_bob(alice, "4", "live-1", "Message sent to bob");
	TMX_WAIT(t, "b", "live-1");
	raw_close(alice);
	crash_before_records(s);
	TMX_WAIT(t, "b", "reconnected");
	alice = step_raw_login(s, "alice", "alice123", 0);
	msgto_bob(alice, "5", "live-2", "Message sent to bob");
	TMX_WAIT(t, "b", "live-2");
	TMX_LINE(t, "b", "/who");
	TMX_WAIT(t, "b", "other active user");
	step_file_has(s, "journal.txt", "delivered; bob; 3\n");
	ck_assert_msg(tmx_wait_count(t, "b", "messages arrived while", 1,
	    E2E_WAIT_MS), "the note of the repeats shown: %s", tmx_why(t));
	ck_assert_msg(tmx_wait_count(t, "b", "wait-1", 1, E2E_WAIT_MS) &&
	    tmx_wait_count(t, "b", "wait-2", 1, E2E_WAIT_MS) &&
	    tmx_wait_count(t, "b", "wait-3", 1, E2E_WAIT_MS) &&
	    tmx_wait_count(t, "b", "live-1", 1, E2E_WAIT_MS) &&
	    tmx_wait_count(t, "b", "live-2", 1, E2E_WAIT_MS),
	    "a message shown twice: %s", tmx_why(t));
	raw_close(alice);
	TMX_LINE(t, "b", "/quit");
	st = tmx_wait_exit(t, "b", E2E_EXIT_MS);
	ck_assert_msg(st == 0, "exit status %d: %s", st, tmx_why(t));
	tmx_free(t);
	step_stop_ok(s);
}
END_TEST

/* The id on bob's raw line for text (after "* MSG FROM TIME "), into id. */
static void
raw_msg_id(struct raw *bob, const char *from, const char *text, char *id,
    size_t len)
{
	char prefix[64];
	const char *l, *p;

	snprintf(prefix, sizeof(prefix), "* MSG %s ", from);
	do {
		l = raw_next(bob, E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "%s", raw_why(bob));
	} while (strncmp(l, prefix, strlen(prefix)) != 0 ||
	    strstr(l, text) == NULL);
	/* TIME (four words), then id:ID: the first " id:" of the line. */
	p = strstr(l + strlen(prefix), " id:");
	ck_assert_msg(p != NULL, "no id: %s", l);
	p += 4;
	snprintf(id, len, "%.*s", (int)strcspn(p, " "), p);
	ck_assert_msg(strcmp(p + strlen(id) + 1, text) == 0, "text: %s", l);
}

/*
 * On the wire: a waiting message has the same id when it comes again
 * (the id in offline.txt), a live one its own; no request can choose an
 * id: carol's text that starts with alice's id stays text, gets an id of
 * its own, and the real client shows both messages.
 */
START_TEST(test_ids_server_assigned)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *alice = step_raw_login(s, "alice", "alice123", 0);
	struct raw *carol, *bob;
	struct cli *cb;
	char id1[96], id1b[96], id2[96], forged[160], want[256];

	msgto_bob(alice, "1", "the real one", "bob is offline");
	bob = step_raw_login(s, "bob", "bob123", 0);
	raw_msg_id(bob, "alice", "the real one", id1, sizeof(id1));
	snprintf(want, sizeof(want), "1 %s; ", id1);
	step_file_has(s, "offline.txt", want);
	step_file_has(s, "journal.txt", "delivered; bob; 1\n");
	raw_close(bob);
	/* Delivered again after a crash: the same id. */
	srv_terminate(s, SIGKILL);
	raw_close(alice);
	ck_assert_int_eq(drop_lines(s, "journal.txt", "delivered; bob;"), 1);
	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
	bob = step_raw_login(s, "bob", "bob123", 0);
	raw_msg_id(bob, "alice", "the real one", id1b, sizeof(id1b));
	ck_assert_str_eq(id1b, id1);
	raw_close(bob);

	/* carol tries alice's id (and a made-up one) in her text. */
	carol = step_raw_login(s, "carol", "carol123", 0);
	snprintf(forged, sizeof(forged), "id:%s the real one", id1);
	snprintf(want, sizeof(want), "2 MSGTO bob %s", forged);
	RAW_SEND(carol, want);
	RAW_EXPECT(carol, "2 OK bob is offline");
	bob = step_raw_login(s, "bob", "bob123", 0);
	raw_msg_id(bob, "carol", forged, id2, sizeof(id2));
	ck_assert_str_ne(id2, id1);
	step_file_has(s, "journal.txt", "delivered; bob; 2\n");
	raw_close(bob);
	raw_close(carol);

	/* The real client, once both came again: both shown. */
	srv_terminate(s, SIGKILL);
	ck_assert_int_eq(drop_lines(s, "journal.txt", "delivered; bob;"), 2);
	ck_assert_msg(srv_run(s, (const char *const *)s->args), "%s",
	    e2e_error());
	cb = step_login(s, "bob", "bob123", 0);
	EXPECT(cb, "2 messages arrived");
	EXPECT(cb, "alice: the real one");
	snprintf(want, sizeof(want), "carol: %s", forged);
	EXPECT(cb, want);
	step_logout(cb, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_msgid(void)
{
	Suite *s = suite_create("e2e_msgid");
	TCase *tc = tcase_create("msgid");
	TCase *tt = tcase_create("msgid_screen");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_redelivered_once_plain);
	tcase_add_test(tc, test_ids_server_assigned);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tt, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tt, 60);
	tcase_add_test(tt, test_redelivered_once_screen);
	suite_add_tcase(s, tt);
	return s;
}
