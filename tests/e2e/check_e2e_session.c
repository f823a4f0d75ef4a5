/*
 * check_e2e_session.c - end-to-end tests of accounts and sessions: the real
 * firmware-server and tui-client (plain mode) on loopback.  Suite
 * e2e_session: logins, lockout and registration here; who is online and
 * userlog.txt in check_e2e_online.c; the raw protocol, start-up and the
 * generations' forms in check_e2e_startup.c (shared: e2e_session.h).
 *
 * Every test starts its own server in its own temporary directory on its
 * own port.  Waits poll with generous deadlines; to show that something did
 * NOT happen, a test first makes a round trip (a command and its reply)
 * that proves ordering, then looks at the lines seen before it.
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

/* ---- helpers ----------------------------------------------------------- */

/*
 * Send a who command (whoelse, ATU, ...) and check its reply: one line
 * "NAME, 127.0.0.1, UDP, active since TIME" for each of the n users (any
 * order), nothing else that looks like a user line, then summary.
 */
void
sess_check_who(struct cli *c, const char *cmd, const char *summary,
    const char *const names[], const int udp[], int n)
{
	char re[256];
	size_t mark = cli_mark(c);
	int i, count = 0;
	size_t l;

	SEND(c, cmd);
	EXPECT_LINE(c, summary);
	for (i = 0; i < n; i++) {
		snprintf(re, sizeof(re), "^%s, 127\\.0\\.0\\.1, %d, "
		    "active since " TIME_RE "$", names[i], udp[i]);
		ck_assert_msg(cli_saw_re(c, mark, re) != NULL,
		    "%s: no line for %s (UDP port %d) in the reply to %s:\n%s",
		    c->out.label, names[i], udp[i], cmd, cli_lines(c, mark));
	}
	for (l = mark; l < cli_mark(c); l++)
		if (strstr(c->out.line[l], ", active since ") != NULL)
			count++;
	ck_assert_msg(count == n, "%s: %d user lines in the reply to %s, "
	    "expected %d:\n%s", c->out.label, count, cmd, n,
	    cli_lines(c, mark));
}

/* ---- login and logout -------------------------------------------------- */

START_TEST(test_login_alone)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *a;

	a = step_client(s, "alice", 0);
	EXPECT_LINE(a, "Username:");
	SEND(a, "alice");
	EXPECT_LINE(a, "Password:");
	SEND(a, "alice123");
	EXPECT_LINE(a, "Welcome alice");
	SEND(a, "whoelse");
	EXPECT_LINE(a, "no other active user");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* A credentials line may hold a crypt(3) hash instead of the password. */
START_TEST(test_login_hashed)
{
	char creds[512], *hash;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	struct srv *s;
	struct cli *c;

	ck_assert_ptr_nonnull(cd);
	hash = crypt_r("dave-pw9", "$6$e2esaltsalt$", cd);
	ck_assert_msg(hash != NULL && hash[0] == '$', "crypt_r failed");
	snprintf(creds, sizeof(creds), CREDS "dave %s\n", hash);
	free(cd);
	s = SRV_START(INI_BASIC, creds);
	c = step_client(s, "dave", 0);
	EXPECT(c, "Username:");
	SEND(c, "dave");
	EXPECT(c, "Password:");
	SEND(c, "wrong-pw");
	EXPECT_LINE(c, MSG_RETRY);
	EXPECT(c, "Password:");
	SEND(c, "dave-pw9");
	EXPECT_LINE(c, "Welcome dave");
	step_logout(c, "logout", "dave");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_logout_forms_and_exit_codes)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct srv other;
	struct cli *a, *b;
	size_t mark;

	/* logout, OUT, /logout: goodbye and status 0. */
	step_logout(step_login(s, "alice", "alice123", 0), "logout", "alice");
	step_logout(step_login(s, "alice", "alice123", 0), "OUT", "alice");
	step_logout(step_login(s, "alice", "alice123", 0), "/logout", "alice");

	/* End of input while active: logged out (others see it), 0. */
	b = step_login(s, "bob", "bob123", 0);
	a = step_login(s, "alice", "alice123", 0);
	EXPECT_LINE(b, "alice logged in");
	ck_assert_msg(cli_close_wait(a, E2E_EXIT_MS) == 0,
	    "end of input while active: %s", cli_why(a));
	cli_free(a);
	EXPECT_LINE(b, "alice logged out");
	mark = cli_mark(b);
	SEND(b, "whoelse");
	EXPECT_LINE(b, "no other active user");
	ck_assert_msg(cli_saw(b, mark, "alice,") == NULL,
	    "alice still listed after her client's input ended:\n%s",
	    cli_lines(b, mark));

	/* End of input at the username prompt: 2. */
	a = step_client(s, "alice", 0);
	EXPECT(a, "Username:");
	ck_assert_msg(cli_close_wait(a, E2E_EXIT_MS) == 2,
	    "end of input at Username: %s", cli_why(a));
	cli_free(a);

	/* End of input at the password prompt: 2. */
	a = step_client(s, "alice", 0);
	EXPECT(a, "Username:");
	SEND(a, "alice");
	EXPECT(a, "Password:");
	ck_assert_msg(cli_close_wait(a, E2E_EXIT_MS) == 2,
	    "end of input at Password: %s", cli_why(a));
	cli_free(a);

	/* The name is free again: alice can log in. */
	a = step_login(s, "alice", "alice123", 0);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");

	/* No server at the port: status 1. */
	other = *s;
	other.pid = -1;		/* a copy: never wait for the real one */
	other.died = false;
	other.port = e2e_free_tcp_port();
	a = step_client(&other, "nobody-listens", 0);
	ck_assert_msg(cli_close_wait(a, E2E_EXIT_MS) == 1,
	    "client without a server: %s", cli_why(a));
	cli_free(a);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_password_retry)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *a;

	/* Two wrong passwords, then the right one: in (attempts = 3). */
	a = step_client(s, "alice", 0);
	EXPECT(a, "Username:");
	SEND(a, "alice");
	EXPECT(a, "Password:");
	SEND(a, "nope1");
	EXPECT_LINE(a, MSG_RETRY);
	EXPECT_LINE(a, "Password:");
	SEND(a, "nope2");
	EXPECT_LINE(a, MSG_RETRY);
	EXPECT_LINE(a, "Password:");
	SEND(a, "alice123");
	EXPECT_LINE(a, "Welcome alice");
	step_logout(a, "logout", "alice");

	/* The success reset the count: one more failure is not a block. */
	a = step_client(s, "alice", 0);
	EXPECT(a, "Username:");
	SEND(a, "alice");
	EXPECT(a, "Password:");
	SEND(a, "nope3");
	EXPECT_LINE(a, MSG_RETRY);
	EXPECT(a, "Password:");
	SEND(a, "alice123");
	EXPECT_LINE(a, "Welcome alice");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* Fail `times` passwords for user on a fresh client; returns the client
   after the last failure's message (the caller expects what follows). */
struct cli *
sess_fail_passwords(struct srv *s, const char *user, int times)
{
	struct cli *c = step_client(s, user, 0);
	char pw[32];
	int i;

	EXPECT(c, "Username:");
	SEND(c, user);
	for (i = 0; i < times; i++) {
		EXPECT(c, "Password:");
		snprintf(pw, sizeof(pw), "wrong-%d", i);
		SEND(c, pw);
		if (i < times - 1)
			EXPECT_LINE(c, MSG_RETRY);
	}
	return c;
}

/*
 * Try to log in user with the right password on a fresh client.  Returns
 * 1 when in (the client is left in *out), 0 when refused as blocked (the
 * client exited with 2 and is freed).
 */
static int
try_login(struct srv *s, const char *user, const char *pass,
    struct cli **out)
{
	struct cli *c = step_client(s, user, 0);
	char welcome[64];
	int r;

	*out = NULL;
	snprintf(welcome, sizeof(welcome), "Welcome %s", user);
	EXPECT(c, "Username:");
	SEND(c, user);
	r = cli_expect_any(c, E2E_WAIT_MS, "Password:", MSG_IS_BLOCKED, NULL);
	ck_assert_msg(r >= 0, "%s", cli_why(c));
	if (r == 0) {
		SEND(c, pass);
		r = cli_expect_any(c, E2E_WAIT_MS, welcome, MSG_IS_BLOCKED,
		    NULL);
		ck_assert_msg(r >= 0, "%s", cli_why(c));
		if (r == 0) {
			*out = c;
			return 1;
		}
	}
	ck_assert_msg(strncmp(cli_last(c), MSG_IS_BLOCKED " (in ", strlen(
	    MSG_IS_BLOCKED " (in ")) == 0, "%s", cli_last(c));
	EXPECT_EXIT(c, 2);
	cli_free(c);
	return 0;
}

/* Poll until user can log in again (the block expired), up to ms. */
struct cli *
sess_login_after_block(struct srv *s, const char *user, const char *pass,
    int ms)
{
	long long deadline = e2e_now_ms() + ms;
	struct cli *c;

	while (!try_login(s, user, pass, &c)) {
		ck_assert_msg(e2e_now_ms() < deadline, "%s still blocked "
		    "after %d ms; server log:\n%s", user, ms,
		    srv_log_tail(s, 10));
		e2e_nap(250);
	}
	return c;
}

START_TEST(test_lockout)
{
	/* The block grows with CK_TIMEOUT_MULTIPLIER: under valgrind a
	   second client takes over 3 s to reach its LOGIN. */
	int block = BLOCK_SECONDS * (e2e_scale(1000) / 1000);
	char ini[128], want[160];
	struct srv *s;
	struct cli *a, *b;
	long long blocked_at, took;

	snprintf(ini, sizeof(ini), "[accounts]\nattempts = 3\n"
	    "block_seconds = %d\nregistration = no\n", block);
	s = SRV_START(ini, CREDS);

	/* Three wrong passwords: blocked, the client exits with 2. */
	a = sess_fail_passwords(s, "alice", 3);
	snprintf(want, sizeof(want), MSG_NOW_BLOCKED " (in %d s)", block);
	EXPECT_LINE(a, want);
	blocked_at = e2e_now_ms();
	EXPECT_EXIT(a, 2);
	cli_free(a);

	/* A second client during the block, right password: refused. */
	ck_assert_msg(try_login(s, "alice", "alice123", &a) == 0,
	    "alice logged in during her block (%lld ms after it began, "
	    "block_seconds = %d)", e2e_now_ms() - blocked_at, block);
	took = e2e_now_ms() - blocked_at;
	ck_assert_msg(took < block * 1000, "the machine is too slow "
	    "for this test: the refusal took %lld ms", took);

	/* The block is for that name only. */
	b = step_login(s, "bob", "bob123", 0);

	/* After the block, the right password works again. */
	a = sess_login_after_block(s, "alice", "alice123", e2e_scale(15000));
	took = e2e_now_ms() - blocked_at;
	ck_assert_msg(took >= (block - 1) * 1000,
	    "the block ended after %lld ms, block_seconds = %d", took, block);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_lockout_unknown_name)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	struct cli *g;

	/* With registration off an unknown name gets a password prompt and
	   the same answers as a real one; its failures count against it. */
	g = sess_fail_passwords(s, "ghost", 3);
	EXPECT_LINE(g, MSG_NOW_BLOCKED " (in 3 s)");
	EXPECT_EXIT(g, 2);
	cli_free(g);
	ck_assert_int_eq(try_login(s, "ghost", "whatever", &g), 0);
	step_stop_ok(s);
}
END_TEST

START_TEST(test_duplicate_login)
{
	struct srv *s = SRV_START(INI_BASIC, CREDS);
	int ub = e2e_free_udp_port();
	struct cli *a, *c;
	int r;

	a = step_login(s, "alice", "alice123", 0);
	c = step_client(s, "second", ub);
	EXPECT(c, "Username:");
	SEND(c, "alice");
	r = cli_expect_any(c, E2E_WAIT_MS, "Error: alice is already logged in",
	    "Password:", NULL);
	ck_assert_msg(r >= 0, "%s", cli_why(c));
	if (r == 1) {
		/* The protocol refuses at LOGIN; a client that asks for the
		   password first must still give the same message. */
		SEND(c, "alice123");
		EXPECT_LINE(c, "Error: alice is already logged in");
	} else
		ck_assert_str_eq(cli_last(c),
		    "Error: alice is already logged in");

	/* The client asks for another name. */
	EXPECT_LINE(c, "Username:");
	SEND(c, "bob");
	EXPECT(c, "Password:");
	SEND(c, "bob123");
	EXPECT_LINE(c, "Welcome bob");
	EXPECT_LINE(a, "bob logged in");

	/* The first session is untouched. */
	sess_check_who(a, "whoelse", "1 other active user",
	    (const char *const[]){ "bob" }, (const int[]){ ub }, 1);
	step_logout(c, "logout", "bob");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* ---- registration ------------------------------------------------------ */

START_TEST(test_registration)
{
	static const char original[] = CREDS;
	struct srv *s = SRV_START("[accounts]\nregistration = yes\n", CREDS);
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	struct crypt_data *cd;
	struct cli *e, *a;
	char *text = NULL, hash[512], *check;
	const char *rest;
	size_t n = strlen(original);

	e = step_client(s, "erin", 0);
	EXPECT(e, "Username:");
	SEND(e, "erin");
	EXPECT_LINE(e, "New user erin: choose a password");
	EXPECT_LINE(e, "New password:");
	SEND(e, "S3cret-erin");
	EXPECT_LINE(e, "Confirm password:");
	SEND(e, "S3cret-erin");
	EXPECT_LINE(e, "Welcome erin");

	/* credentials.txt: the old lines byte for byte, then one new line
	   with a crypt(3) hash of the password. */
	for (;;) {
		free(text);
		text = srv_read_file(s, "credentials.txt");
		if (text != NULL && strlen(text) > n)
			break;
		ck_assert_msg(e2e_now_ms() < deadline, "credentials.txt did "
		    "not grow after the registration:\n%s", text ? text :
		    "(missing)");
		e2e_nap(50);
	}
	ck_assert_msg(memcmp(text, original, n) == 0,
	    "credentials.txt lost or rewrote earlier lines:\n%s", text);
	rest = text + n;
	ck_assert_msg(strncmp(rest, "erin $", 6) == 0 &&
	    strchr(rest, '\n') == rest + strlen(rest) - 1 &&
	    sscanf(rest + 5, "%511s", hash) == 1 &&
	    strlen(hash) == strlen(rest) - 6,
	    "expected one line \"erin $...hash...\" after the old lines, "
	    "got:\n%s", rest);
	ck_assert_msg(strstr(rest, "S3cret-erin") == NULL,
	    "the password is stored in clear: %s", rest);
	ck_assert_msg(strncmp(hash, "$y$", 3) == 0 ||
	    strncmp(hash, "$6$", 3) == 0, "not a yescrypt/sha512crypt hash: %s",
	    hash);
	cd = calloc(1, sizeof(*cd));
	ck_assert_ptr_nonnull(cd);
	check = crypt_r("S3cret-erin", hash, cd);
	ck_assert_msg(check != NULL && strcmp(check, hash) == 0,
	    "the stored hash does not verify the password: %s", hash);
	free(cd);
	free(text);

	/* The new account logs in like any other after logout. */
	step_logout(e, "logout", "erin");
	e = step_login(s, "erin", "S3cret-erin", 0);
	a = step_login(s, "alice", "alice123", 0);
	step_logout(a, "logout", "alice");
	step_logout(e, "logout", "erin");

	/* ... and after a restart of the server. */
	ck_assert_msg(srv_restart(s), "restart: %s", e2e_error());
	e = step_login(s, "erin", "S3cret-erin", 0);
	step_logout(e, "logout", "erin");
	step_stop_ok(s);
}
END_TEST

START_TEST(test_registration_mismatch)
{
	struct srv *s = SRV_START("[accounts]\nregistration = yes\n", CREDS);
	struct cli *e;
	char *text;

	e = step_client(s, "erin", 0);
	EXPECT(e, "Username:");
	SEND(e, "erin");
	EXPECT_LINE(e, "New user erin: choose a password");
	EXPECT_LINE(e, "New password:");
	SEND(e, "first-pw1");
	EXPECT_LINE(e, "Confirm password:");
	SEND(e, "other-pw2");
	EXPECT_LINE(e, "Error: passwords do not match");
	EXPECT_LINE(e, "New password:");
	SEND(e, "final-pw3");
	EXPECT_LINE(e, "Confirm password:");
	SEND(e, "final-pw3");
	EXPECT_LINE(e, "Welcome erin");
	step_logout(e, "logout", "erin");

	/* Only the confirmed password was stored. */
	text = srv_read_file(s, "credentials.txt");
	ck_assert_msg(text != NULL && strncmp(text, CREDS,
	    strlen(CREDS)) == 0, "credentials.txt: %s", text ? text : "");
	ck_assert_msg(strstr(text + strlen(CREDS), "\nerin ") == NULL,
	    "more than one line for erin:\n%s", text);
	free(text);
	ck_assert_int_eq(try_login(s, "erin", "final-pw3", &e), 1);
	step_logout(e, "logout", "erin");
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_session(void)
{
	Suite *s = suite_create("e2e_session");
	TCase *tc;

	tc = tcase_create("accounts");
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_login_alone);
	tcase_add_test(tc, test_login_hashed);
	tcase_add_test(tc, test_logout_forms_and_exit_codes);
	tcase_add_test(tc, test_password_retry);
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_lockout_unknown_name);
	tcase_add_test(tc, test_duplicate_login);
	tcase_add_test(tc, test_registration);
	tcase_add_test(tc, test_registration_mismatch);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase_e2e_online());
	suite_add_tcase(s, tcase_e2e_protocol());
	suite_add_tcase(s, tcase_e2e_startup());
	return s;
}
