/*
 * check_e2e_fed.c - federation end to end: real boards (firmware-server)
 * talking through a real mosquitto that each test starts on a free
 * loopback port with its own config and stops by PID.  Presence both
 * ways, DMs live and offline, broadcast, block, ambiguous names, 1,000
 * DMs through a broker restart and through a board's kill -9 (each
 * delivered once, in order), an origin ending right after a publication
 * (FS_TEST_FED_CRASH), two brokers joined by a bridge, a spoofed record
 * and bad batches ignored and logged, batches only to boards that
 * announce them; the screen's users panel with a remote user.  Skipped
 * when mosquitto is missing.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fed_codec.h"
#include "harness.h"
#include "steps.h"
#include "tmux.h"
#include "../suites.h"

#define CREDS1	"alice alice123\ncarol carol123\n"
#define CREDS2	"bob bob123\ndave dave123\n"
#define CREDS3	"bob bob123\n"
#define NMSG	1000

struct broker {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
	char	 conf[128];
};

/* Where mosquitto is, or NULL. */
static const char *
mosq_bin(void)
{
	static const char *const where[] = { "/usr/sbin/mosquitto",
	    "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" };
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* True when something accepts on 127.0.0.1:port. */
static bool
port_open(int port)
{
	struct srv fake;
	struct raw *r;

	memset(&fake, 0, sizeof(fake));
	fake.port = port;
	fake.pid = -1;
	if ((r = raw_connect(&fake)) == NULL)
		return false;
	raw_close(r);
	return true;
}

/* Run the broker of b (its config written already) and wait for it. */
static void
mosq_run(struct broker *b)
{
	long long deadline = e2e_now_ms() + e2e_scale(10000);
	char log[160];
	int fd;

	snprintf(log, sizeof(log), "%s/mosquitto.log", b->dir);
	if ((b->pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(mosq_bin(), "mosquitto", "-c", b->conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(b->pid, 0);
	while (!port_open(b->port)) {
		ck_assert_msg(e2e_now_ms() < deadline && waitpid(b->pid, NULL,
		    WNOHANG) == 0, "mosquitto did not start on port %d",
		    b->port);
		e2e_nap(20);
	}
}

/* A broker on a free port; extra: more config lines (a bridge). */
static struct broker *
mosq_start(const char *extra)
{
	struct broker *b = calloc(1, sizeof(*b));
	FILE *fp;

	ck_assert_ptr_nonnull(b);
	snprintf(b->dir, sizeof(b->dir), "/tmp/e2e-mosq-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(b->dir));
	b->port = e2e_free_tcp_port();
	snprintf(b->conf, sizeof(b->conf), "%s/mosquitto.conf", b->dir);
	ck_assert_ptr_nonnull(fp = fopen(b->conf, "w"));
	fprintf(fp, "listener %d 127.0.0.1\nallow_anonymous true\n"
	    "persistence false\n%s", b->port, extra ? extra : "");
	fclose(fp);
	mosq_run(b);
	return b;
}

/* Stop it by PID (sig: SIGTERM, or SIGKILL for a crash). */
static void
mosq_kill(struct broker *b, int sig)
{
	if (b->pid > 0) {
		kill(b->pid, sig);
		waitpid(b->pid, NULL, 0);
		b->pid = -1;
	}
}

/* Stop and remove it. */
static void
mosq_stop(struct broker *b)
{
	char path[160];

	if (b == NULL)
		return;
	mosq_kill(b, SIGTERM);
	snprintf(path, sizeof(path), "%s/mosquitto.log", b->dir);
	unlink(path);
	unlink(b->conf);
	rmdir(b->dir);
	free(b);
}

/* A board named name on broker b, with more [federation] lines. */
static struct srv *
board_start_with(struct broker *b, const char *name, const char *creds,
    const char *more)
{
	char ini[320];

	snprintf(ini, sizeof(ini), "[accounts]\nregistration = no\n"
	    "[federation]\nbroker = 127.0.0.1:%d\nboard = %s\nkeepalive = 5\n"
	    "%s", b->port, name, more);
	return SRV_START(ini, creds);
}

/* A board named name on broker b. */
static struct srv *
board_start(struct broker *b, const char *name, const char *creds)
{
	return board_start_with(b, name, creds, "");
}

/* Read lines until one starts with prefix; fails the test on timeout. */
static const char *
wait_line(struct raw *r, const char *prefix)
{
	for (;;) {
		const char *l = raw_next(r, E2E_WAIT_MS);

		ck_assert_msg(l != NULL, "waiting for \"%s\": %s", prefix,
		    raw_why(r));
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return l;
	}
}

/* Ask WHO until it lists (or no longer lists) addr. */
static void
wait_listed(struct raw *r, const char *addr, bool listed)
{
	long long deadline = e2e_now_ms() + e2e_scale(15000);
	char want[96];
	bool seen;
	const char *l;

	snprintf(want, sizeof(want), "w . %s ", addr);
	for (;;) {
		RAW_SEND(r, "w WHO");
		seen = false;
		while ((l = raw_next(r, E2E_WAIT_MS)) != NULL &&
		    strncmp(l, "w OK", 4) != 0)
			if (strncmp(l, want, strlen(want)) == 0)
				seen = true;
		ck_assert_msg(l != NULL, "%s", raw_why(r));
		if (seen == listed)
			return;
		ck_assert_msg(e2e_now_ms() < deadline, "%s still %s listed",
		    addr, listed ? "not" : "");
		e2e_nap(50);
	}
}

/* A broker, lab1 with alice and lab2 with bob logged in, bob listed on
   lab1. */
static void
two_boards(struct broker **b, struct srv **s1, struct srv **s2,
    struct raw **alice, struct raw **bob)
{
	*b = mosq_start(NULL);
	*s1 = board_start(*b, "lab1", CREDS1);
	*s2 = board_start(*b, "lab2", CREDS2);
	*alice = step_raw_login(*s1, "alice", "alice123", 5001);
	*bob = step_raw_login(*s2, "bob", "bob123", 5002);
	wait_listed(*alice, "bob@lab2", true);
}

/* Close both, stop both boards (cleanly) and the broker. */
static void
two_boards_end(struct broker *b, struct srv *s1, struct srv *s2,
    struct raw *alice, struct raw *bob)
{
	raw_close(alice);
	raw_close(bob);
	step_stop_ok(s1);
	step_stop_ok(s2);
	mosq_stop(b);
}

/* No mosquitto: skipped with a note, but a failure under CI, where
   install-deps has installed it (a suite that skips itself proves nothing). */
#define NEED_MOSQUITTO() do {						\
	if (mosq_bin() == NULL) {					\
		ck_assert_msg(getenv("CI") == NULL, "e2e_fed: no "	\
		    "mosquitto, which scripts/install-deps.sh installs");	\
		fprintf(stderr, "e2e_fed: no mosquitto; skipped\n");	\
		return;							\
	}								\
} while (0)

/* Two boards: presence both ways, WHO, DMs live both ways and offline,
   broadcast, block, logout seen on the other board. */
START_TEST(test_two_boards)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob, *carol;

	NEED_MOSQUITTO();
	b = mosq_start(NULL);
	s1 = board_start(b, "lab1", CREDS1);
	s2 = board_start(b, "lab2", CREDS2);
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	bob = step_raw_login(s2, "bob", "bob123", 5002);
	wait_line(alice, "* ONLINE bob@lab2 127.0.0.1 5002 ");
	wait_listed(bob, "alice@lab1", true);
	wait_listed(alice, "bob@lab2", true);

	/* Live, both ways; a bare name finds the one remote bob. */
	RAW_SEND(alice, "1 MSGTO bob hello bob");
	wait_line(alice, "1 OK Message sent to bob@lab2");
	ck_assert_ptr_nonnull(strstr(wait_line(bob, "* MSG alice@lab1 "),
	    " hello bob"));
	RAW_SEND(bob, "2 MSGTO alice@lab1 hi alice");
	wait_line(bob, "2 OK Message sent to alice@lab1");
	ck_assert_ptr_nonnull(strstr(wait_line(alice, "* MSG bob@lab2 "),
	    " hi alice"));

	/* Offline: dave has never logged in; it waits on his board. */
	RAW_SEND(alice, "3 MSGTO dave@lab2 for later");
	wait_line(alice, "3 OK dave@lab2 is offline");
	/* No such user at home: the sender is told. */
	RAW_SEND(alice, "4 MSGTO nobody@lab2 lost");
	wait_line(alice, "4 OK");
	wait_line(alice, "* INFO Your message to nobody@lab2 could not be "
	    "delivered: there is no such user");
	{
		struct raw *dave = step_raw_login(s2, "dave", "dave123", 5004);

		ck_assert_ptr_nonnull(strstr(wait_line(dave,
		    "* MSG alice@lab1 "), " for later"));
		raw_close(dave);
	}

	/* Broadcast reaches the other board. */
	RAW_SEND(bob, "5 BROADCAST hello everyone");
	wait_line(bob, "5 OK Broadcast sent to");
	ck_assert_ptr_nonnull(strstr(wait_line(alice, "* BCAST bob@lab2 "),
	    " hello everyone"));

	/* Block across boards: bob's next message is refused at home. */
	RAW_SEND(alice, "6 BLOCK bob@lab2");
	wait_line(alice, "6 OK bob@lab2 is blocked");
	RAW_SEND(bob, "7 MSGTO alice@lab1 are you there");
	wait_line(bob, "7 OK");
	wait_line(bob, "* INFO Your message to alice@lab1 could not be "
	    "delivered: they have blocked you");
	RAW_SEND(bob, "8 BROADCAST second");
	wait_line(bob, "8 OK");
	/* Once this is refused, lab1 has seen the broadcast before it. */
	RAW_SEND(bob, "8b MSGTO alice@lab1 still blocked");
	wait_line(bob, "* INFO Your message to alice@lab1 could not be");
	RAW_SEND(alice, "9 UNBLOCK bob@lab2");
	wait_line(alice, "9 OK bob@lab2 is unblocked");
	RAW_SEND(bob, "10 BROADCAST third");
	wait_line(bob, "10 OK");
	{
		const char *l = wait_line(alice, "* BCAST bob@lab2 ");

		ck_assert_msg(strstr(l, " third") != NULL, "blocked broadcast "
		    "came through: %s", l);
	}

	/* A login and a logout on lab1 are seen on lab2. */
	carol = step_raw_login(s1, "carol", "carol123", 5003);
	wait_line(bob, "* ONLINE carol@lab1 ");
	raw_close(carol);
	wait_line(bob, "* OFFLINE carol@lab1 ");
	/* WHOSINCE on lab2 lists lab1's users: carol (gone now, seen
	   lately) with a time, alice as online. */
	{
		const char *l;
		bool saw_carol = false, saw_alice = false;

		RAW_SEND(bob, "11 WHOSINCE 600");
		while ((l = raw_next(bob, E2E_WAIT_MS)) != NULL &&
		    strncmp(l, "11 OK", 5) != 0) {
			if (strncmp(l, "11 . carol@lab1 ", 16) == 0 &&
			    strstr(l, "online") == NULL)
				saw_carol = true;
			if (strcmp(l, "11 . alice@lab1 online") == 0)
				saw_alice = true;
		}
		ck_assert_msg(l != NULL, "%s", raw_why(bob));
		ck_assert_msg(saw_carol && saw_alice, "WHOSINCE missed a "
		    "remote user (carol %d, alice %d); last line: %s",
		    saw_carol, saw_alice, l);
	}

	two_boards_end(b, s1, s2, alice, bob);
}
END_TEST

/* Three boards: bob on two of them makes a bare "bob" ambiguous; the
   error names both and USER@BOARD picks one. */
START_TEST(test_three_boards_ambiguous)
{
	struct broker *b;
	struct srv *s1, *s2, *s3;
	struct raw *alice, *bob2, *bob3;

	NEED_MOSQUITTO();
	b = mosq_start(NULL);
	s1 = board_start(b, "lab1", CREDS1);
	s2 = board_start(b, "lab2", CREDS2);
	s3 = board_start(b, "lab3", CREDS3);
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	bob2 = step_raw_login(s2, "bob", "bob123", 5002);
	bob3 = step_raw_login(s3, "bob", "bob123", 5003);
	wait_listed(alice, "bob@lab2", true);
	wait_listed(alice, "bob@lab3", true);
	wait_listed(bob2, "bob@lab3", true);
	RAW_SEND(alice, "1 MSGTO bob which one");
	{
		const char *l = wait_line(alice, "1 ");

		ck_assert_msg(strncmp(l, "1 ERR nouser bob is online on 2 "
		    "boards", 37) == 0 && strstr(l, "bob@lab2") != NULL &&
		    strstr(l, "bob@lab3") != NULL, "%s", l);
	}
	RAW_SEND(alice, "2 MSGTO bob@lab3 you");
	wait_line(alice, "2 OK Message sent to bob@lab3");
	ck_assert_ptr_nonnull(strstr(wait_line(bob3, "* MSG alice@lab1 "),
	    " you"));
	/* Groups stay per board. */
	RAW_SEND(alice, "3 GCREATE g1 bob@lab2");
	wait_line(alice, "3 ERR nouser bob@lab2 is a user of another board");
	raw_close(alice);
	raw_close(bob2);
	raw_close(bob3);
	step_stop_ok(s1);
	step_stop_ok(s2);
	step_stop_ok(s3);
	mosq_stop(b);
}
END_TEST

/* The message ids bob was sent, and the "m%04d" number each carried. */
struct seen_ids {
	char	 id[2 * NMSG][96];
	int	 num[2 * NMSG];
	int	 n;
	int	 repeats;	/* lines whose id came before */
};

/*
 * The number of alice's message on line l: -2 when l is not one, -1 when
 * its id came before (a repeat the client drops; it must carry the same
 * message: one id, one message).  Without seen every line counts.
 */
static int
msg_number(struct seen_ids *seen, const char *l)
{
	const char *m, *id;
	char key[96];
	int n, i;

	if (strncmp(l, "* MSG alice@lab1 ", 17) != 0 ||
	    (m = strstr(l, " m")) == NULL)
		return -2;
	n = atoi(m + 2);
	if (seen == NULL)
		return n;
	id = strstr(l + 17, " id:");
	ck_assert_msg(id != NULL && id < m, "no id: %s", l);
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(id + 4, " "), id + 4);
	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->id[i], key) == 0) {
			ck_assert_msg(seen->num[i] == n, "id %s carried m%04d, "
			    "now %s", key, seen->num[i], l);
			seen->repeats++;
			return -1;
		}
	ck_assert(seen->n < 2 * NMSG);
	snprintf(seen->id[seen->n], sizeof(seen->id[0]), "%s", key);
	seen->num[seen->n++] = n;
	return n;
}

/*
 * Read bob's MSG lines until "m%04d" numbers reach NMSG; every one must
 * come exactly once and in order (with seen: once by id, repeats of an id
 * dropped as the client drops them).  from: where to start counting.
 */
static void
expect_all_once(struct raw **bobp, struct seen_ids *seen, int *next)
{
	const char *l;
	int n;

	while (*next < NMSG) {
		l = raw_next(*bobp, e2e_scale(30000));
		ck_assert_msg(l != NULL, "after %d of %d: %s", *next, NMSG,
		    raw_why(*bobp));
		if ((n = msg_number(seen, l)) < 0)
			continue;
		ck_assert_msg(n == *next, "expected m%04d, got: %s (a %s)",
		    *next, l, n < *next ? "duplicate" : "gap");
		(*next)++;
	}
}

/* Send NMSG numbered DMs from alice to bob@lab2; count the OKs. */
static int
send_numbered(struct raw *alice, int from, int to)
{
	char line[64];
	int i, ok = 0;
	const char *l;

	for (i = from; i < to; i++) {
		snprintf(line, sizeof(line), "%d MSGTO bob@lab2 m%04d", i, i);
		if (!raw_send(alice, line))
			return ok;
	}
	for (i = from; i < to; i++) {
		if ((l = raw_next(alice, e2e_scale(30000))) == NULL)
			break;
		if (strstr(l, " OK ") != NULL)
			ok++;
		else if (l[0] != '*')
			ck_abort_msg("refused: %s", l);
		else
			i--;
	}
	return ok;
}

/* 1,000 DMs while the broker is killed and started again: each one is
   delivered exactly once, in order. */
START_TEST(test_broker_restart_1000)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	int next = 0;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	ck_assert_int_eq(send_numbered(alice, 0, 300), 300);
	mosq_kill(b, SIGKILL);
	/* Accepted into the outbox while the broker is down. */
	ck_assert_int_eq(send_numbered(alice, 300, 700), 400);
	mosq_run(b);
	ck_assert_int_eq(send_numbered(alice, 700, NMSG), 300);
	expect_all_once(&bob, NULL, &next);
	ck_assert_int_eq(next, NMSG);
	two_boards_end(b, s1, s2, alice, bob);
}
END_TEST

/*
 * The home board is killed (-9) mid-stream and started again: every
 * acknowledged message reaches bob once, live or at his next login.  A
 * message shown live just before the kill, whose inbox record the kill
 * lost, comes again from the origin: under the same id (origin board,
 * outbox, number), which the client drops; never another message under
 * an id seen before.
 */
START_TEST(test_home_kill9)
{
	static struct seen_ids seen;
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	int next = 0;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	ck_assert_int_eq(send_numbered(alice, 0, 500), 500);
	srv_terminate(s2, SIGKILL);
	ck_assert_int_eq(send_numbered(alice, 500, NMSG), 500);
	/* What bob saw before the crash, then the rest at his next login. */
	while (next < NMSG) {
		const char *l = raw_next(bob, 200);
		int n;

		if (l == NULL)
			break;
		if ((n = msg_number(&seen, l)) < 0)
			continue;
		ck_assert_msg(n == next, "expected m%04d, got %s", next, l);
		next++;
	}
	raw_close(bob);
	ck_assert(srv_run(s2, (const char *const *)s2->args));
	wait_listed(alice, "bob@lab2", false);
	{
		/* Let the outbox drain into bob's offline queue, then log in. */
		long long deadline = e2e_now_ms() + e2e_scale(30000);
		char *t;

		for (;;) {
			t = srv_read_file(s2, "fed-inbox.log");
			if (t != NULL && strstr(t, " 1000\n") != NULL) {
				free(t);
				break;
			}
			free(t);
			ck_assert_msg(e2e_now_ms() < deadline, "the outbox did "
			    "not drain:\n%s", srv_log_tail(s2, 20));
			e2e_nap(50);
		}
	}
	bob = step_raw_login(s2, "bob", "bob123", 5002);
	expect_all_once(&bob, &seen, &next);
	if (seen.repeats > 0)
		fprintf(stderr, "test_home_kill9: %d message%s sent again "
		    "after the kill, dropped by id\n", seen.repeats,
		    seen.repeats == 1 ? "" : "s");
	two_boards_end(b, s1, s2, alice, bob);
}
END_TEST

/* The origin board is killed (-9) mid-stream: after its restart, every
   message alice got an OK for reaches bob once, in order. */
START_TEST(test_origin_kill9)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	char line[64];
	const char *l, *m;
	int i, acked = 0, next = 0, n;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	for (i = 0; i < NMSG; i++) {
		snprintf(line, sizeof(line), "%d MSGTO bob@lab2 m%04d", i, i);
		ck_assert(raw_send(alice, line));
	}
	/* Kill it once some OKs came back. */
	while (acked < 200 && (l = raw_next(alice, E2E_WAIT_MS)) != NULL)
		if (strstr(l, " OK ") != NULL)
			acked++;
	srv_terminate(s1, SIGKILL);
	while ((l = raw_next(alice, 500)) != NULL)
		if (strstr(l, " OK ") != NULL)
			acked++;
	raw_close(alice);
	ck_assert(srv_run(s1, (const char *const *)s1->args));
	/* Every acknowledged one comes once, in order; more may follow (the
	   outbox kept them before their OK went out). */
	while (next < acked) {
		l = raw_next(bob, e2e_scale(30000));
		ck_assert_msg(l != NULL, "after %d of %d: %s", next, acked,
		    raw_why(bob));
		if (strncmp(l, "* MSG alice@lab1 ", 17) != 0 ||
		    (m = strstr(l, " m")) == NULL)
			continue;
		n = atoi(m + 2);
		ck_assert_msg(n == next, "expected m%04d, got %s", next, l);
		next++;
	}
	raw_close(bob);
	step_stop_ok(s1);
	step_stop_ok(s2);
	mosq_stop(b);
}
END_TEST

/* from's DM (request tag) to bob@lab2 is accepted and reaches to. */
static void
dm_seen(struct raw *from, struct raw *to, const char *tag, const char *text)
{
	char line[160];

	snprintf(line, sizeof(line), "%s MSGTO bob@lab2 %s", tag, text);
	ck_assert(raw_send(from, line));
	snprintf(line, sizeof(line), "%s OK ", tag);
	wait_line(from, line);
	ck_assert_ptr_nonnull(strstr(wait_line(to, "* MSG alice@lab1 "),
	    text));
}

/* The outbox's "I OUTBOX" line (its id), into id. */
static void
outbox_id(struct srv *s, char *id, size_t len)
{
	char *log = srv_read_file(s, "fed-outbox.log");

	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strncmp(log, "I ", 2) == 0, "%s", log);
	snprintf(id, len, "%.*s", (int)strcspn(log + 2, "\n"), log + 2);
	free(log);
}

/*
 * A power cut on the origin: a message goes to the broker before its
 * outbox line is synced, so a cut can lose lines whose numbers the home
 * board has seen.  Simulated by a kill -9, an outbox cut back to its
 * first lines (every message and acknowledgement lost) and a start in
 * another boot (FS_TEST_BOOT_ID): the next message must still arrive, not
 * be dropped as a repeat of its number.  A clean stop before a reboot
 * keeps the outbox id.
 */
START_TEST(test_origin_power_cut)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	char id[64], id2[64], *log, *cut;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	outbox_id(s1, id, sizeof(id));
	dm_seen(alice, bob, "1", "before the cut");

	/* The cut: the lines after "I" and "B" are gone. */
	srv_terminate(s1, SIGKILL);
	raw_close(alice);
	ck_assert_ptr_nonnull(log = srv_read_file(s1, "fed-outbox.log"));
	ck_assert_msg(strncmp(log, "I ", 2) == 0 &&
	    (cut = strstr(log, "\nB ")) != NULL &&
	    (cut = strchr(cut + 1, '\n')) != NULL, "%s", log);
	cut[1] = '\0';
	ck_assert(srv_write_file(s1, "fed-outbox.log", log));
	free(log);
	setenv("FS_TEST_BOOT_ID", "00000000-0000-0000-0000-00000000e2e1", 1);
	ck_assert(srv_run(s1, (const char *const *)s1->args));
	/* Logged in: the server is past its start-up, outbox rewritten. */
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	outbox_id(s1, id2, sizeof(id2));
	ck_assert_str_ne(id, id2);
	wait_listed(alice, "bob@lab2", true);
	dm_seen(alice, bob, "2", "after the cut");

	/* A clean stop, then another boot: the same outbox id. */
	raw_close(alice);
	ck_assert_int_eq(srv_terminate(s1, SIGTERM), 0);
	setenv("FS_TEST_BOOT_ID", "00000000-0000-0000-0000-00000000e2e2", 1);
	ck_assert(srv_run(s1, (const char *const *)s1->args));
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	outbox_id(s1, id, sizeof(id));
	ck_assert_str_eq(id, id2);
	unsetenv("FS_TEST_BOOT_ID");
	two_boards_end(b, s1, s2, alice, bob);
}
END_TEST

/* Two brokers joined by a mosquitto bridge, a board on each. */
START_TEST(test_bridge)
{
	struct broker *a, *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	char bridge[256];

	NEED_MOSQUITTO();
	a = mosq_start(NULL);
	snprintf(bridge, sizeof(bridge), "connection site-a\naddress "
	    "127.0.0.1:%d\ntopic fs/v1/# both 1\ncleansession true\n"
	    "restart_timeout 1\n", a->port);
	b = mosq_start(bridge);
	s1 = board_start(a, "lab1", CREDS1);
	s2 = board_start(b, "lab2", CREDS2);
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	bob = step_raw_login(s2, "bob", "bob123", 5002);
	wait_listed(alice, "bob@lab2", true);
	wait_listed(bob, "alice@lab1", true);
	RAW_SEND(alice, "1 MSGTO bob@lab2 over the bridge");
	wait_line(alice, "1 OK Message sent to bob@lab2");
	ck_assert_ptr_nonnull(strstr(wait_line(bob, "* MSG alice@lab1 "),
	    " over the bridge"));
	two_boards_end(b, s1, s2, alice, bob);
	mosq_stop(a);
}
END_TEST

/* The origin ends (as by kill -9) right after a message went to the
   broker, in the pass that appended its outbox line.  That line must be
   in the file before the publication: else the number the home board has
   seen is given, after the restart, to the next message, which the home
   board drops as a repeat: "second" would be acknowledged and lost. */
START_TEST(test_origin_crash_after_publish)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	const char *l;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	raw_close(alice);
	ck_assert_int_eq(srv_terminate(s1, SIGTERM), 0);
	setenv("FS_TEST_FED_CRASH", "publish", 1);
	ck_assert(srv_run(s1, (const char *const *)s1->args));
	unsetenv("FS_TEST_FED_CRASH");
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	wait_listed(alice, "bob@lab2", true);
	RAW_SEND(alice, "1 MSGTO bob@lab2 first");
	ck_assert_ptr_nonnull(strstr(wait_line(bob, "* MSG alice@lab1 "),
	    " first"));
	raw_close(alice);
	/* It ends by itself (signal 0: none sent, its end awaited), with
	   the test hook's status. */
	ck_assert_int_eq(srv_terminate(s1, 0), 86);
	ck_assert(srv_run(s1, (const char *const *)s1->args));
	alice = step_raw_login(s1, "alice", "alice123", 5001);
	wait_listed(alice, "bob@lab2", true);
	RAW_SEND(alice, "2 MSGTO bob@lab2 second");
	wait_line(alice, "2 OK Message sent to bob@lab2");
	/* "first" again would be a repeat too: the next one is "second". */
	while ((l = raw_next(bob, e2e_scale(15000))) != NULL &&
	    strncmp(l, "* MSG ", 6) != 0)
		;			/* presence events */
	ck_assert_msg(l != NULL && strstr(l, " second") != NULL, "\"second\" "
	    "was acknowledged and not delivered: %s", l != NULL ? l :
	    raw_why(bob));
	two_boards_end(b, s1, s2, alice, bob);
}
END_TEST

/* Run mosquitto_pub with a record. */
static void
publish(struct broker *b, const char *topic, const char *payload, bool retain)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mosquitto_pub -h 127.0.0.1 -p %d -q 1 "
	    "%s -t '%s' -m '%s'", b->port, retain ? "-r" : "", topic, payload);
	ck_assert_int_eq(system(cmd), 0);
}

/* A broker and lab1 with alice logged in; lab2 is only a retained
   "online" record that the test publishes for (mosquitto_pub). */
static void
lab1_and_fake_lab2(struct broker **b, struct srv **s1, struct raw **alice)
{
	*b = mosq_start(NULL);
	*s1 = board_start(*b, "lab1", CREDS1);
	*alice = step_raw_login(*s1, "alice", "alice123", 5001);
	publish(*b, "fs/v1/board/lab2", "1 lab2 e1 online", true);
}

/* A spoofed presence (lab3 speaking for lab2) and a malformed DM are
   ignored and logged; the board keeps working. */
START_TEST(test_spoofed_ignored)
{
	struct broker *b;
	struct srv *s1;
	struct raw *alice;

	NEED_MOSQUITTO();
	lab1_and_fake_lab2(&b, &s1, &alice);
	publish(b, "fs/v1/presence/lab2/mallory",
	    "1 lab3 e1 mallory 10.0.0.9 5000 1700000000", true);
	publish(b, "fs/v1/dm/lab1/lab2", "1 lab2 i 1 1 eve alice\\x", false);
	publish(b, "fs/v1/presence/lab2/bob",
	    "1 lab2 e1 bob 10.0.0.9 5000 1700000000", true);
	wait_listed(alice, "bob@lab2", true);
	wait_listed(alice, "mallory@lab2", false);
	step_file_has(s1, "server.log", "ignored a record on "
	    "fs/v1/presence/lab2/mallory: names inside do not match the topic");
	step_file_has(s1, "server.log", "ignored a record on "
	    "fs/v1/dm/lab1/lab2: malformed payload");
	/* The board's will (offline) takes bob off the list. */
	publish(b, "fs/v1/board/lab2", "1 lab2 e1 offline", true);
	wait_line(alice, "* OFFLINE bob@lab2 lost");
	raw_close(alice);
	step_stop_ok(s1);
	mosq_stop(b);
}
END_TEST

/* Run mosquitto_pub with a payload of n bytes (from a file: it may hold
   LFs and be longer than a command line should be). */
static void
publish_bytes(struct broker *b, const char *topic, const char *payload,
    size_t n)
{
	char path[160], cmd[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/payload", b->dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(payload, 1, n, fp), n);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "mosquitto_pub -h 127.0.0.1 -p %d -q 1 "
	    "-t '%s' -f %s", b->port, topic, path);
	ck_assert_int_eq(system(cmd), 0);
	unlink(path);
}

/* Publish a batch given as a C string. */
static void
publish_batch(struct broker *b, const char *payload)
{
	publish_bytes(b, "fs/v1/dmb/lab1/lab2", payload, strlen(payload));
}

/* The next DM from eve@lab2 that alice sees must end in " want". */
static void
expect_eve(struct raw *alice, const char *want)
{
	const char *l = wait_line(alice, "* MSG eve@lab2 ");
	size_t n = strlen(l), w = strlen(want);

	ck_assert_msg(n > w && l[n - w - 1] == ' ' &&
	    strcmp(l + n - w, want) == 0, "expected %s, got: %s", want, l);
}

/* Batches of DMs that a broken or hostile board could publish: one with a
   record of another board, a gap or a repeat inside, too long: each is
   ignored whole and logged, nothing of it delivered.  Good batches that
   overlap or repeat earlier ones deliver each message once, in order; a
   batch after a gap waits for the origin to go back. */
START_TEST(test_batch_abuse)
{
	static char big[FED_BATCH_MAX + 100];
	struct broker *b;
	struct srv *s1;
	struct raw *alice;
	size_t i;

	NEED_MOSQUITTO();
	lab1_and_fake_lab2(&b, &s1, &alice);

	publish_batch(b, "1 lab2 o 1 1 eve alice x1\n"
	    "1 lab3 o 2 1 eve alice spoofed");
	step_file_has(s1, "server.log", "ignored a record on "
	    "fs/v1/dmb/lab1/lab2: names inside do not match the topic: "
	    "\"1 lab2 o 1 1 eve alice x1\\x0a1 lab3 o 2");
	publish_batch(b, "1 lab2 o 1 1 eve alice x1\n"
	    "1 lab2 o 3 1 eve alice gap");
	step_file_has(s1, "server.log", "ignored a record on "
	    "fs/v1/dmb/lab1/lab2: malformed payload: \"1 lab2 o 1 1 eve "
	    "alice x1\\x0a1 lab2 o 3");
	publish_batch(b, "1 lab2 o 1 1 eve alice x1\n"
	    "1 lab2 o 1 1 eve alice twice");
	step_file_has(s1, "server.log", "1 lab2 o 1 1 eve alice x1\\x0a1 "
	    "lab2 o 1 1 eve alice twice");
	memset(big, 'a', sizeof(big));
	memcpy(big, "1 lab2 o 1 1 eve alice ", 23);
	for (i = 2000; i < sizeof(big); i += 2000)
		memcpy(big + i, "\n1 lab2 o 1 1 eve alice ", 24);
	publish_bytes(b, "fs/v1/dmb/lab1/lab2", big, sizeof(big));
	step_file_has(s1, "server.log", "ignored a record on "
	    "fs/v1/dmb/lab1/lab2: payload too long");

	/* Good ones: 1-3, 1-3 again, 2-4, then 6-7 (a gap), then 5, 6. */
	publish_batch(b, "1 lab2 o 1 1 eve alice b1\n1 lab2 o 2 1 eve alice "
	    "b2\n1 lab2 o 3 1 eve alice b3");
	publish_batch(b, "1 lab2 o 1 1 eve alice b1\n1 lab2 o 2 1 eve alice "
	    "b2\n1 lab2 o 3 1 eve alice b3");
	publish_batch(b, "1 lab2 o 2 1 eve alice b2\n1 lab2 o 3 1 eve alice "
	    "b3\n1 lab2 o 4 1 eve alice b4");
	publish_batch(b, "1 lab2 o 6 1 eve alice b6\n1 lab2 o 7 1 eve alice "
	    "b7");
	publish_batch(b, "1 lab2 o 5 1 eve alice b5");
	publish_batch(b, "1 lab2 o 6 1 eve alice b6");
	expect_eve(alice, "b1");
	expect_eve(alice, "b2");
	expect_eve(alice, "b3");
	expect_eve(alice, "b4");
	expect_eve(alice, "b5");
	expect_eve(alice, "b6");
	/* Nothing more came (the next one is the next number). */
	publish_batch(b, "1 lab2 o 7 1 eve alice b7");
	expect_eve(alice, "b7");
	raw_close(alice);
	step_stop_ok(s1);
	mosq_stop(b);
}
END_TEST

/* The topic and payload of the next DM lab1 publishes for lab2 (a first
   send or a resend: the origin goes back while nothing acknowledges). */
static char *
next_dm(struct broker *b)
{
	static char out[4096];
	char cmd[512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "mosquitto_sub -h 127.0.0.1 -p %d -t "
	    "'fs/v1/+/lab2/lab1' -v -C 1 -W %d 2>/dev/null", b->port,
	    (int)(e2e_scale(20000) / 1000));
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* A board that announces no batches (an older one) gets one DM per
   publication; once it announces them for its connection, batches. */
START_TEST(test_batch_older_board)
{
	struct broker *b;
	struct srv *s1;
	struct raw *alice;
	const char *m;

	NEED_MOSQUITTO();
	lab1_and_fake_lab2(&b, &s1, &alice);
	publish(b, "fs/v1/feat/lab2", "1 lab2 e0 dmb", true);	/* stale */
	publish(b, "fs/v1/presence/lab2/bob",
	    "1 lab2 e1 bob 10.0.0.9 5000 1700000000", true);
	wait_listed(alice, "bob@lab2", true);
	RAW_SEND(alice, "1 MSGTO bob@lab2 one");
	wait_line(alice, "1 OK Message sent to bob@lab2");
	m = next_dm(b);
	ck_assert_msg(strncmp(m, "fs/v1/dm/lab2/lab1 1 lab1 ", 26) == 0 &&
	    strstr(m, " 1 ") != NULL && strstr(m, " alice bob one") != NULL,
	    "a single DM expected: %s", m);

	publish(b, "fs/v1/feat/lab2", "1 lab2 e1 dmb", true);
	RAW_SEND(alice, "2 MSGTO bob@lab2 two");
	wait_line(alice, "2 OK Message sent to bob@lab2");
	/* The resend of both, unacknowledged, in one batch. */
	do
		m = next_dm(b);
	while (strstr(m, " alice bob two") == NULL && m[0] != '\0');
	ck_assert_msg(strncmp(m, "fs/v1/dmb/lab2/lab1 1 lab1 ", 27) == 0,
	    "a batch expected: %s", m);
	raw_close(alice);
	step_stop_ok(s1);
	mosq_stop(b);
}
END_TEST

/* A board whose link dies without a clean logout (SIGKILL) leaves the
   other board's lists within 1.5 x the keep-alive (5 s here). */
START_TEST(test_dead_board_leaves)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *alice, *bob;
	long long t0;

	NEED_MOSQUITTO();
	two_boards(&b, &s1, &s2, &alice, &bob);
	t0 = e2e_now_ms();
	srv_terminate(s2, SIGKILL);
	wait_line(alice, "* OFFLINE bob@lab2 lost");
	ck_assert_msg(e2e_now_ms() - t0 < e2e_scale(7500) + 2000,
	    "took %lld ms", e2e_now_ms() - t0);
	raw_close(bob);
	raw_close(alice);
	step_stop_ok(s1);
	srv_stop(s2);
	mosq_stop(b);
}
END_TEST

/* The retained message on topic (mosquitto_sub), "" when there is none. */
static char *
retained(struct broker *b, const char *topic)
{
	static char out[4096];
	char cmd[512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "mosquitto_sub -h 127.0.0.1 -p %d -t '%s' "
	    "--retained-only -C 1 -W 2 2>/dev/null", b->port, topic);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* A stored upload's summary is retained as JSON on its topic (and Home
   Assistant's discovery config with it); DTE clears both. */
START_TEST(test_edge_summary)
{
	struct broker *b;
	struct srv *s1;
	struct cli *a;
	long long deadline;
	const char *j;

	NEED_MOSQUITTO();
	b = mosq_start(NULL);
	s1 = board_start_with(b, "lab1", CREDS1, "homeassistant = yes\n");
	/* Summaries go only while the link is up: wait for it first. */
	deadline = e2e_now_ms() + e2e_scale(10000);
	while (strstr(retained(b, "fs/v1/board/lab1"), " online") == NULL)
		ck_assert_msg(e2e_now_ms() < deadline, "lab1 not online");
	a = step_login(s1, "alice", "alice123", 0);
	SEND(a, "EDG 7 5");
	EXPECT(a, "Wrote 5 random integers to ");
	SEND(a, "UED 7");
	EXPECT(a, "file 7 stored: 5 integers");
	deadline = e2e_now_ms() + e2e_scale(10000);
	while ((j = retained(b, "fs/v1/edge/lab1/alice/7"))[0] == '\0')
		ck_assert_msg(e2e_now_ms() < deadline, "no summary retained");
	ck_assert_msg(strstr(j, "\"board\":\"lab1\",\"user\":\"alice\","
	    "\"file\":7,\"count\":5,\"sum\":") != NULL &&
	    strstr(j, "\"average\":") != NULL, "%s", j);
	j = retained(b, "homeassistant/sensor/fs_lab1_alice_7_average/config");
	ck_assert_msg(strstr(j, "\"state_topic\":\"fs/v1/edge/lab1/alice/7\"")
	    != NULL && strstr(j, "value_json.average") != NULL, "%s", j);
	SEND(a, "DTE 7");
	EXPECT(a, "file 7 deleted");
	deadline = e2e_now_ms() + e2e_scale(10000);
	while (retained(b, "fs/v1/edge/lab1/alice/7")[0] != '\0')
		ck_assert_msg(e2e_now_ms() < deadline, "summary not cleared");
	ck_assert_str_eq(retained(b,
	    "homeassistant/sensor/fs_lab1_alice_7_average/config"), "");
	step_logout(a, "OUT", "alice");
	step_stop_ok(s1);
	mosq_stop(b);
}
END_TEST

/*
 * The screen's users panel (tui-client in tmux) lists a remote user as
 * bob@lab2 and drops him when his board dies (kill -9: the broker's last
 * will), within the grace period.
 */
START_TEST(test_tui_panel_remote)
{
	struct broker *b;
	struct srv *s1, *s2;
	struct raw *bob;
	struct tmx *t;

	NEED_MOSQUITTO();
	b = mosq_start(NULL);
	s1 = board_start(b, "lab1", CREDS1);
	s2 = board_start(b, "lab2", CREDS2);
	t = tmx_new();
	tmx_login(t, s1, "a", 100, 24, "alice", "alice123");
	TMX_WAIT(t, "a", "Online (0)");
	bob = step_raw_login(s2, "bob", "bob123", 5002);
	TMX_WAIT(t, "a", "Online (1)");
	TMX_WAIT(t, "a", "\u2502 bob@lab2");	/* in the panel */
	srv_terminate(s2, SIGKILL);
	ck_assert_msg(tmx_wait_gone(t, "a", "\u2502 bob@lab2",
	    e2e_scale(15000)), "%s", tmx_why(t));
	TMX_WAIT(t, "a", "Online (0)");
	raw_close(bob);
	TMX_LINE(t, "a", "/logout");
	ck_assert_int_eq(tmx_wait_exit(t, "a", E2E_EXIT_MS), 0);
	tmx_free(t);
	step_stop_ok(s1);
	srv_stop(s2);
	mosq_stop(b);
}
END_TEST

Suite *
suite_e2e_fed(void)
{
	Suite *s = suite_create("e2e_fed");
	TCase *tc = tcase_create("boards");
	TCase *tl = tcase_create("loss");
	TCase *tt = tcase_create("screen");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_two_boards);
	tcase_add_test(tc, test_three_boards_ambiguous);
	tcase_add_test(tc, test_bridge);
	tcase_add_test(tc, test_spoofed_ignored);
	tcase_add_test(tc, test_batch_abuse);
	tcase_add_test(tc, test_batch_older_board);
	tcase_add_test(tc, test_dead_board_leaves);
	tcase_add_test(tc, test_edge_summary);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tl, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tl, 120);
	tcase_add_test(tl, test_broker_restart_1000);
	tcase_add_test(tl, test_home_kill9);
	tcase_add_test(tl, test_origin_kill9);
	tcase_add_test(tl, test_origin_power_cut);
	tcase_add_test(tl, test_origin_crash_after_publish);
	suite_add_tcase(s, tl);
	tcase_add_unchecked_fixture(tt, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tt, 60);
	tcase_add_test(tt, test_tui_panel_remote);
	suite_add_tcase(s, tt);
	return s;
}
