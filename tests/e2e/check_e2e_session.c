/*
 * check_e2e_session.c - end-to-end tests of accounts and sessions: the real
 * firmware-server and tui-client (plain mode) on loopback.
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
#include "../suites.h"

#define CREDS								\
	"alice alice123\n"						\
	"bob bob123\n"							\
	"carol carol123\n"

/* Most tests: registration off, so that a typo is not an account. */
#define INI_BASIC							\
	"[accounts]\n"							\
	"attempts = 3\n"						\
	"block_seconds = 3\n"						\
	"registration = no\n"

/* A block short enough to wait out, long enough for a second client to
   be refused reliably on a loaded machine. */
#define BLOCK_SECONDS	3

#define TIME_RE		"[0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"

#define MSG_RETRY	"Error: Invalid password. Please try again"
#define MSG_NOW_BLOCKED							\
	"Error: Invalid password. Your account has been blocked. "	\
	"Please try again later"
#define MSG_IS_BLOCKED							\
	"Error: Your account is blocked due to multiple login failures. " \
	"Please try again later"

/* ---- helpers ----------------------------------------------------------- */

/*
 * Send a who command (whoelse, ATU, ...) and check its reply: one line
 * "NAME, 127.0.0.1, UDP, active since TIME" for each of the n users (any
 * order), nothing else that looks like a user line, then summary.
 */
static void
check_who(struct cli *c, const char *cmd, const char *summary,
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

/* ---- userlog.txt ------------------------------------------------------- */

struct ulog_line {
	int	 seq;
	char	 time[32];
	char	 user[40];
	char	 ip[48];
	int	 port;
};

/*
 * Parse userlog.txt strictly ("SEQ; TIME; USER; IP; UDPPORT" lines).
 * Returns the number of lines, -1 when missing, -2 when malformed.
 */
static int
ulog_parse(const char *text, struct ulog_line *out, int max)
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
static void
ulog_wait(struct srv *s, const char *const users[], const int udp[], int n,
    struct ulog_line *out, bool allow_missing)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	struct ulog_line l[16];
	char *text = NULL;
	int got, i;

	for (;;) {
		free(text);
		text = srv_read_file(s, "userlog.txt");
		got = ulog_parse(text, l, 16);
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
static struct cli *
fail_passwords(struct srv *s, const char *user, int times)
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
static struct cli *
login_after_block(struct srv *s, const char *user, const char *pass, int ms)
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
	char ini[128];
	struct srv *s;
	struct cli *a, *b;
	long long blocked_at, took;

	snprintf(ini, sizeof(ini), "[accounts]\nattempts = 3\n"
	    "block_seconds = %d\nregistration = no\n", block);
	s = SRV_START(ini, CREDS);

	/* Three wrong passwords: blocked, the client exits with 2. */
	a = fail_passwords(s, "alice", 3);
	EXPECT_LINE(a, MSG_NOW_BLOCKED " (in 3 s)");
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
	a = login_after_block(s, "alice", "alice123", e2e_scale(15000));
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
	g = fail_passwords(s, "ghost", 3);
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
	check_who(a, "whoelse", "1 other active user",
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
	check_who(a, "whoelse", "1 other active user",
	    (const char *const[]){ "bob" }, (const int[]){ ub }, 1);
	check_who(b, "whoelse", "1 other active user",
	    (const char *const[]){ "alice" }, (const int[]){ ua }, 1);

	c = step_login(s, "carol", "carol123", uc);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		check_who(a, cmds[i], "2 other active users",
		    (const char *const[]){ "bob", "carol" },
		    (const int[]){ ub, uc }, 2);
		check_who(c, cmds[i], "2 other active users",
		    (const char *const[]){ "alice", "bob" },
		    (const int[]){ ua, ub }, 2);
	}
	check_who(b, "whoelse", "2 other active users",
	    (const char *const[]){ "alice", "carol" },
	    (const int[]){ ua, uc }, 2);

	step_logout(b, "logout", "bob");
	EXPECT_LINE(a, "bob logged out");
	check_who(a, "ATU", "1 other active user",
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
	ulog_wait(s, (const char *const[]){ "bob" }, (const int[]){ ub }, 1,
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
	ulog_wait(s, (const char *const[]){ "alice" }, (const int[]){ ua }, 1,
	    NULL, false);
	b = step_login(s, "bob", "bob123", ub);
	c = step_login(s, "carol", "carol123", uc);
	ulog_wait(s, (const char *const[]){ "alice", "bob", "carol" },
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
	ulog_wait(s, (const char *const[]){ "bob", "carol" },
	    (const int[]){ ub, uc }, 2, after, false);
	ck_assert_str_eq(after[0].time, before[1].time);
	ck_assert_str_eq(after[1].time, before[2].time);

	/* A new login goes at the end. */
	a = step_login(s, "alice", "alice123", ua);
	ulog_wait(s, (const char *const[]){ "bob", "carol", "alice" },
	    (const int[]){ ub, uc, ua }, 3, NULL, false);
	step_logout(c, "logout", "carol");
	ulog_wait(s, (const char *const[]){ "bob", "alice" },
	    (const int[]){ ub, ua }, 2, NULL, false);
	step_logout(b, "logout", "bob");
	step_logout(a, "logout", "alice");
	ulog_wait(s, NULL, NULL, 0, NULL, false);
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
	ulog_wait(s, (const char *const[]){ "alice" }, (const int[]){ ua }, 1,
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
		got = ulog_parse(text, l, 16);
		snprintf(user, sizeof(user), "u%d", i + 1);
		ck_assert_msg(got > 0 && ulog_find(l, got, user) >= 0,
		    "u%d has its login OK but is not in userlog.txt:\n%s",
		    i + 1, text ? text : "(missing)");
		free(text);
	}

	/* All of them, each once, numbered from 1, with their UDP ports. */
	text = srv_read_file(s, "userlog.txt");
	got = ulog_parse(text, l, 16);
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
	ulog_wait(s, left, left_udp, n, NULL, false);
	for (i = 0; i < PIPE_N; i++)
		if (r[i] != NULL)
			raw_close(r[i]);
	ulog_wait(s, NULL, NULL, 0, NULL, false);
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

START_TEST(test_positional_attempts)
{
	struct srv *s = srv_start_pos(CREDS, "2", NULL);
	int ub = e2e_free_udp_port();
	struct cli *a, *b, *e;
	char *text;

	ck_assert_msg(s != NULL, "firmware-server PORT 2: %s", e2e_error());

	/* ATTEMPTS = 2: the second failure blocks. */
	a = fail_passwords(s, "alice", 2);
	EXPECT_LINE(a, MSG_NOW_BLOCKED " (in 10 s)");
	EXPECT_EXIT(a, 2);
	cli_free(a);

	/* credentials.txt and userlog.txt in the working directory. */
	b = step_login(s, "bob", "bob123", ub);
	ulog_wait(s, (const char *const[]){ "bob" }, (const int[]){ ub }, 1,
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
	a = fail_passwords(s, "alice", 3);
	EXPECT_LINE(a, MSG_NOW_BLOCKED " (in 2 s)");
	EXPECT_EXIT(a, 2);
	cli_free(a);
	a = login_after_block(s, "alice", "alice123", e2e_scale(15000));

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

	tc = tcase_create("online");
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
	suite_add_tcase(s, tc);

	tc = tcase_create("protocol");
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_raw_session);
	tcase_add_test(tc, test_raw_version_mismatch);
	tcase_add_test(tc, test_raw_bad_lines);
	tcase_add_test(tc, test_raw_lockout_and_states);
	tcase_add_test(tc, test_raw_timeouts);
	suite_add_tcase(s, tc);

	tc = tcase_create("startup");
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_startup_errors);
	tcase_add_test(tc, test_signals_clean_shutdown);
	tcase_add_test(tc, test_positional_attempts);
	tcase_add_test(tc, test_positional_block_idle);
	suite_add_tcase(s, tc);
	return s;
}
