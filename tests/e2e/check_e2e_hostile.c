/*
 * check_e2e_hostile.c - hostile and broken clients, login abuse and
 * faults: in every case the other clients keep working and nothing that
 * was acknowledged is lost.
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../firmware-server/hasher.h"
#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS	E2E_CREDS

#define INI	"[accounts]\nregistration = no\n"

/* True when the server's log holds sub now. */
static bool
log_has_text(struct srv *s, const char *sub)
{
	char *text = srv_read_file(s, "server.log");
	bool found = text != NULL && strstr(text, sub) != NULL;

	free(text);
	return found;
}

/* True when the server's log holds sub (polled). */
static bool
log_has(struct srv *s, const char *sub)
{
	long long end = e2e_now_ms() + E2E_WAIT_MS;
	char *text;
	bool found;

	for (;;) {
		text = srv_read_file(s, "server.log");
		found = text != NULL && strstr(text, sub) != NULL;
		free(text);
		if (found || e2e_now_ms() > end)
			return found;
		e2e_nap(50);
	}
}

/* The next reply line starting with prefix, skipping events. */
static void
reply_is(struct raw *r, const char *prefix)
{
	const char *l;

	while ((l = raw_next(r, E2E_WAIT_MS)) != NULL &&
	    strncmp(l, "* ", 2) == 0 && strncmp(prefix, "* ", 2) != 0)
		;
	ck_assert_msg(l != NULL && strncmp(l, prefix, strlen(prefix)) == 0,
	    "expected \"%s\", got \"%s\"\n%s", prefix, l ? l : "(nothing)",
	    raw_why(r));
}

/* alice messages bob and bob gets it: the server still serves others. */
static void
still_serving(struct cli *a, struct cli *b, const char *text)
{
	char line[256];

	snprintf(line, sizeof(line), "message bob %s", text);
	SEND(a, line);
	snprintf(line, sizeof(line), "alice: %s", text);
	EXPECT(b, line);
}

/* Thousands of requests in one write: every one answered, in order. */
START_TEST(test_pipelined_thousands)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *r = step_raw_login(s, "carol", "carol123", 0);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	enum { N = 3000 };
	static char big[N * 32];
	char want[32];
	const char *l;
	size_t off = 0;
	int i, seen = 0;

	for (i = 0; i < N; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off,
		    "p%d POST pipelined %d\n", i, i);
	ck_assert(raw_send_bytes(r, big, off));
	still_serving(a, b, "while carol floods");
	while (seen < N) {
		l = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "after %d replies: %s", seen, raw_why(r));
		if (l[0] == '*')
			continue;
		snprintf(want, sizeof(want), "p%d OK Message #%d ", seen,
		    seen + 1);
		ck_assert_msg(strncmp(l, want, strlen(want)) == 0,
		    "reply %d: %s", seen, l);
		seen++;
	}
	step_file_has(s, "messagelog.txt", "; carol; pipelined 2999; no");
	raw_close(r);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Half a request, then silence: the others are served; it is timed out. */
START_TEST(test_slow_loris)
{
	struct srv *s = SRV_START(INI "[server]\nlogin_timeout = 2\n", CREDS);
	struct raw *r = step_raw_open(s);
	struct raw *r2 = step_raw_login(s, "carol", "carol123", 0);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);

	ck_assert(raw_send_bytes(r, "1 HEL", 5));
	ck_assert(raw_send_bytes(r2, "5 MSGTO bob half a requ", 23));
	still_serving(a, b, "despite the slow one");
	RAW_EXPECT(r, "* BYE login Login not completed within 2 seconds");
	ck_assert(raw_expect_closed(r, E2E_WAIT_MS));
	/* The logged-in half-sender finishes its line later: it works. */
	ck_assert(raw_send_bytes(r2, "est\n", 4));
	reply_is(r2, "5 OK Message sent to bob");
	EXPECT(b, "carol: half a request");
	raw_close(r);
	raw_close(r2);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* A client that never reads is dropped with a logged reason. */
START_TEST(test_never_reads)
{
	struct srv *s = SRV_START(INI "[limits]\noutput_limit_kb = 16\n", CREDS);
	struct raw *lazy = step_raw_login(s, "carol", "carol123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct raw *a = step_raw_login(s, "alice", "alice123", 0);
	char text[1800], line[2000];
	const char *l;
	bool dropped = false;
	int i, acked = 0;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	/*
	 * Enough to fill carol's socket buffers and then her queue.  bob's
	 * output is read every 20 broadcasts, so that he, who does read, is
	 * never held up by this test.  Failure messages stay short: the
	 * transcripts hold 2 KB lines.
	 */
	for (i = 0; i < 8000 && !dropped; i++) {
		snprintf(line, sizeof(line), "b%d BROADCAST %d %s", i, i, text);
		RAW_SEND(a, line);
		while ((l = raw_next(a, E2E_WAIT_MS)) != NULL && l[0] == '*')
			;
		ck_assert_msg(l != NULL && strncmp(l + strcspn(l, " "), " OK ",
		    4) == 0, "broadcast %d: no OK (%.60s)", i, l ? l : "none");
		acked++;
		if (i % 20 == 0) {
			snprintf(line, sizeof(line), "alice (broadcast): %d x",
			    i);
			ck_assert_msg(cli_expect(b, line, E2E_WAIT_MS),
			    "bob did not get broadcast %d", i);
			dropped = log_has_text(s, "output queue over");
		}
	}
	ck_assert_msg(dropped, "carol was not dropped after %d broadcasts",
	    acked);
	ck_assert_msg(log_has(s, "carol logged out (lost; connection: "
	    "output limit reached"), "no logged reason for carol");
	ck_assert_msg(!log_has_text(s, "bob logged out"), "bob was dropped");
	/* bob, who reads, got every broadcast checked above and still talks. */
	RAW_SEND(a, "m MSGTO bob still here");
	while ((l = raw_next(a, E2E_WAIT_MS)) != NULL && l[0] == '*')
		;
	ck_assert_msg(l != NULL && strncmp(l, "m OK Message sent to bob",
	    24) == 0, "MSGTO bob: %.80s", l ? l : "no reply");
	EXPECT(b, "alice: still here");
	raw_close(lazy);
	raw_close(a);
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* More connections than max_clients: refused with a message. */
START_TEST(test_max_clients)
{
	struct srv *s = SRV_START(INI "[server]\nmax_clients = 3\n", CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct raw *r3 = step_raw_open(s), *r4;
	long long end;
	const char *l;

	r4 = raw_connect(s);
	ck_assert_msg(r4 != NULL, "%s", e2e_error());
	RAW_EXPECT(r4, "* BYE limit the server is full");
	ck_assert(raw_expect_closed(r4, E2E_WAIT_MS));
	still_serving(a, b, "three is the limit");
	raw_close(r3);
	raw_close(r4);
	/* A place is free again once the server has seen r3 go: the new
	   connection may race the close, so try until the deadline. */
	for (end = e2e_now_ms() + E2E_WAIT_MS;; e2e_nap(50)) {
		r4 = raw_connect(s);
		ck_assert_msg(r4 != NULL, "%s", e2e_error());
		l = raw_next(r4, E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "%s", raw_why(r4));
		if (strcmp(l, "* HELLO firmware-server PROTO 1") == 0)
			break;
		ck_assert_msg(e2e_now_ms() < end, "still full: %s", l);
		raw_close(r4);
	}
	RAW_SEND(r4, "1 HELLO 1");
	RAW_EXPECT(r4, "1 OK");
	raw_close(r4);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Out of descriptors: refused politely; accept works once fds free. */
START_TEST(test_out_of_descriptors)
{
	struct rlimit old, low;
	struct srv *s;
	struct raw *r[40];
	struct cli *a = NULL;
	int i, n, refused = 0;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 24;
	/* The server inherits the low limit; the test gets its own back. */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	s = srv_start(INI, CREDS);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_msg(s != NULL, "%s", e2e_error());
	for (n = 0; n < 40; n++) {
		r[n] = raw_connect(s);
		ck_assert_msg(r[n] != NULL, "%s", e2e_error());
	}
	for (i = 0; i < n; i++) {
		const char *l = raw_next(r[i], E2E_WAIT_MS);

		ck_assert_msg(l != NULL, "connection %d: %s", i, raw_why(r[i]));
		if (strncmp(l, "* BYE limit the server is out of resources",
		    40) == 0)
			refused++;
		else
			ck_assert_str_eq(l, "* HELLO firmware-server PROTO 1");
	}
	ck_assert_msg(refused > 0, "no connection was refused");
	ck_assert(log_has(s, "out of file descriptors"));
	for (i = 0; i < n; i++)
		raw_close(r[i]);
	/* Descriptors are free again: a login works. */
	a = step_login(s, "alice", "alice123", 0);
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* Abrupt disconnects mid-request and mid-upload hurt nobody. */
START_TEST(test_abrupt_disconnects)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct raw *r;
	char *dir;

	r = step_raw_login(s, "carol", "carol123", 0);
	ck_assert(raw_send_bytes(r, "9 POST never fini", 17));
	raw_close(r);
	EXPECT(a, "carol logged out (connection lost)");
	r = step_raw_login(s, "carol", "carol123", 0);
	RAW_SEND(r, "u UPLOAD 4 100");
	RAW_EXPECT(r, "u OK");
	ck_assert(raw_send_bytes(r, "d UPDATA 4 {50}\n1\n2\n3\n", 22));
	raw_close(r);
	EXPECT(b, "carol logged out (connection lost)");
	still_serving(a, b, "after two abrupt exits");
	dir = srv_read_file(s, "edge/carol/4.txt");
	ck_assert_msg(dir == NULL, "a partial upload became a file");
	dir = srv_read_file(s, "messagelog.txt");
	ck_assert_msg(dir == NULL || strstr(dir, "never fini") == NULL,
	    "half a request was posted:\n%s", dir);
	free(dir);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Many failures from one address refuse it; another address is fine. */
START_TEST(test_address_throttle)
{
	struct srv *s = SRV_START(INI "address_attempts = 5\n"
	    "address_block_seconds = 60\n", CREDS);
	struct raw *r = step_raw_open(s), *r2;
	char line[64];
	int i;

	RAW_SEND(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	/* Five names, one failure each: no name is blocked. */
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "l%d LOGIN guess%d", i, i);
		RAW_SEND(r, line);
		RAW_EXPECT(r, "l");
		snprintf(line, sizeof(line), "p%d PASS wrong", i);
		RAW_SEND(r, line);
		RAW_EXPECT(r, "p");
	}
	RAW_SEND(r, "x LOGIN alice");
	RAW_EXPECT(r, "x ERR blocked Too many failed logins from your "
	    "address");
	raw_close(r);
	/* The same from a fresh connection on the same address. */
	r = step_raw_open(s);
	RAW_SEND(r, "h HELLO 1");
	RAW_EXPECT(r, "h OK");
	RAW_SEND(r, "x LOGIN alice");
	RAW_EXPECT(r, "x ERR blocked Too many failed logins");
	raw_close(r);
	/* Another machine (127.0.0.2) logs in as alice. */
	r2 = raw_connect_from(s, "127.0.0.2");
	ck_assert_msg(r2 != NULL, "%s", e2e_error());
	RAW_EXPECT(r2, "* HELLO");
	RAW_SEND(r2, "h HELLO 1");
	RAW_EXPECT(r2, "h OK");
	RAW_SEND(r2, "l LOGIN alice");
	RAW_EXPECT(r2, "l OK password");
	RAW_SEND(r2, "p PASS alice123");
	RAW_EXPECT(r2, "p OK Welcome alice");
	raw_close(r2);
	/* Passwords never reach the log. */
	ck_assert_msg(!log_has_text(s, "wrong") && !log_has_text(s, "alice123"),
	    "a password is in the log:\n%s", srv_log_tail(s, 30));
	step_stop_ok(s);
}
END_TEST

/* A corrupt state file stops the start with its name and line. */
START_TEST(test_corrupt_state_file)
{
	struct srv *s = srv_prepare(CREDS);
	const char *args[] = { "-d", ".", "-p", "1", NULL };
	char *out = NULL;
	int st;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	ck_assert(srv_write_file(s, "messagelog.txt",
	    "1; 23 Feb 2021 16:01:20; alice; fine; no\n"
	    "2; 23 Feb 2021 16:01:20; bob; broken; maybe\n"));
	st = srv_exec(s, args, E2E_EXIT_MS, &out);
	ck_assert_msg(st != 0, "the server started on a corrupt file:\n%s", out);
	ck_assert_msg(out != NULL && strstr(out, "messagelog.txt:2: edited "
	    "flag must be no or yes") != NULL, "output:\n%s", out);
	free(out);
	srv_stop(s);
}
END_TEST

/*
 * SIGKILL in the middle of an upload: after the restart the finished
 * upload is whole and logged once, the interrupted one left no file under
 * its final name and no log line.
 */
START_TEST(test_crash_mid_upload)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *r = step_raw_login(s, "alice", "alice123", 0);
	static char chunk[60000];
	char line[64], *text;
	size_t i;
	int n;

	for (i = 0; i + 6 <= sizeof(chunk); i += 6)
		memcpy(chunk + i, "12345\n", 6);
	RAW_SEND(r, "a UPLOAD 4 60000");
	reply_is(r, "a OK");
	ck_assert(raw_send_bytes(r, "b UPDATA 4 {60000}\n", 19));
	ck_assert(raw_send_bytes(r, chunk, sizeof(chunk)));
	reply_is(r, "b OK");
	RAW_SEND(r, "c UPEND 4");
	reply_is(r, "c OK file 4 stored: 10000 integers");
	RAW_SEND(r, "d UPLOAD 5 600000");
	reply_is(r, "d OK");
	for (n = 0; n < 5; n++) {
		snprintf(line, sizeof(line), "e%d UPDATA 5 {60000}\n", n);
		ck_assert(raw_send_bytes(r, line, strlen(line)));
		ck_assert(raw_send_bytes(r, chunk, sizeof(chunk)));
		snprintf(line, sizeof(line), "e%d OK", n);
		reply_is(r, line);
	}
	srv_terminate(s, SIGKILL);
	raw_close(r);
	ck_assert_msg(srv_restart(s), "%s", e2e_error());
	text = srv_read_file(s, "edge/alice/5.txt");
	ck_assert_msg(text == NULL, "the interrupted upload has its final name");
	text = srv_read_file(s, "edge/alice/5.txt.part");
	ck_assert_msg(text == NULL, "the interrupted upload's part is still "
	    "there after the restart");
	ck_assert(log_has(s, "an upload cut short by a crash"));
	text = srv_read_file(s, "upload-log.txt");
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "; 4; 10000\n") != NULL &&
	    strstr(text, "; 5; ") == NULL, "upload-log.txt:\n%s", text);
	free(text);
	r = step_raw_login(s, "alice", "alice123", 0);
	RAW_SEND(r, "f STATS 4 SUM");
	reply_is(r, "f OK SUM of file 4 = 123450000 (10000 integers)");
	raw_close(r);
	step_stop_ok(s);
}
END_TEST

/* Fill the file system of dir until about room bytes are left. */
static void
fill_disk(const char *dir, long room)
{
	struct statvfs vfs;
	char path[512], block[4096];
	long free_bytes;
	FILE *fp;

	ck_assert_int_eq(statvfs(dir, &vfs), 0);
	free_bytes = (long)vfs.f_bavail * (long)vfs.f_bsize;
	snprintf(path, sizeof(path), "%s/filler", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	memset(block, 'f', sizeof(block));
	for (; free_bytes > room + (long)sizeof(block);
	    free_bytes -= (long)sizeof(block))
		if (fwrite(block, sizeof(block), 1, fp) != 1)
			break;
	fclose(fp);
}

/*
 * A full disk (a small tmpfs as the data directory): posts are refused
 * with a clear error, no file is left half-written, every acknowledged
 * post is kept, and posting works again once there is room.
 */
START_TEST(test_full_disk)
{
	struct srv *s;
	struct raw *r;
	char line[256], text[200], filler[300], *log;
	const char *l;
	int i, acked = 0, refused = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "test_full_disk: not root, cannot mount a tmpfs; "
		    "skipped\n");
		return;
	}
	s = srv_prepare(NULL);
	ck_assert_msg(s != NULL, "%s", e2e_error());
	if (mount("tmpfs", s->dir, "tmpfs", 0, "size=512k,mode=0700") == -1) {
		/* A sandbox may forbid mounts even to root: say so loudly. */
		fprintf(stderr, "test_full_disk: mount tmpfs on %s: %s; "
		    "skipped\n", s->dir, strerror(errno));
		srv_stop(s);
		return;
	}
	ck_assert(srv_write_file(s, "credentials.txt", CREDS));
	ck_assert(srv_start_prepared(s, INI "[log]\nlevel = warn\n"));
	r = step_raw_login(s, "alice", "alice123", 0);
	fill_disk(s->dir, 6000);
	memset(text, 'p', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 200 && refused == 0; i++) {
		snprintf(line, sizeof(line), "p%d POST full-%d %s", i, i, text);
		RAW_SEND(r, line);
		l = raw_next(r, E2E_WAIT_MS);
		ck_assert_msg(l != NULL, "%s", raw_why(r));
		if (strstr(l, " OK Message #") != NULL)
			acked++;
		else {
			ck_assert_msg(strstr(l, "ERR io the message could not be "
			    "stored") != NULL, "unexpected reply: %s", l);
			refused++;
		}
	}
	ck_assert_msg(refused == 1 && acked > 0, "acked %d, refused %d",
	    acked, refused);
	/* Every line on disk is whole: the acknowledged posts, no more. */
	log = srv_read_file(s, "messagelog.txt");
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(log[strlen(log) - 1] == '\n', "torn last line");
	for (i = 0; i < acked + 1; i++) {
		snprintf(line, sizeof(line), "; full-%d %s; no\n", i, text);
		ck_assert_msg((strstr(log, line) != NULL) == (i < acked),
		    "post %d is %s", i, i < acked ? "lost" : "there, but was "
		    "refused");
	}
	free(log);
	/* Room again: the service resumes. */
	snprintf(filler, sizeof(filler), "%s/filler", s->dir);
	ck_assert_int_eq(unlink(filler), 0);
	RAW_SEND(r, "q POST after the disk was freed");
	snprintf(line, sizeof(line), "q OK Message #%d ", acked + 1);
	RAW_EXPECT(r, line);
	raw_close(r);
	/* A restart reads every file back. */
	ck_assert_msg(srv_restart(s), "%s", e2e_error());
	r = step_raw_login(s, "alice", "alice123", 0);
	raw_close(r);
	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);
	umount2(s->dir, MNT_DETACH);
	srv_stop(s);
}
END_TEST


/* How many times the server's log holds sub, once it holds it at least
   want times or the wait is over. */
static int
log_count(struct srv *s, const char *sub, int want)
{
	long long end = e2e_now_ms() + E2E_WAIT_MS;
	const char *p;
	char *text;
	int n;

	for (;;) {
		text = srv_read_file(s, "server.log");
		n = 0;
		for (p = text; p != NULL && (p = strstr(p, sub)) != NULL; p++)
			n++;
		free(text);
		if (n >= want || e2e_now_ms() > end)
			return n;
		e2e_nap(20);
	}
}

/* The pid of srv's child (the password hasher), or -1. */
static pid_t
hasher_pid_of(struct srv *s)
{
	char path[64], text[64];
	FILE *f;
	long pid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)s->pid,
	    (int)s->pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(text, sizeof(text), f) != NULL)
		pid = strtol(text, NULL, 10);
	fclose(f);
	return pid > 0 ? (pid_t)pid : -1;
}

/* A new connection logs in as dave with pass; the reply starts with want. */
static void
dave_pass(struct srv *s, const char *pass, const char *want)
{
	struct raw *r = step_raw_open(s);
	char line[64];

	snprintf(line, sizeof(line), "p1 PASS %s", pass);
	RAW_SEND(r, "h1 HELLO 1");
	RAW_SEND(r, "l1 LOGIN dave");
	RAW_SEND(r, line);
	ck_assert(raw_expect(r, "h1 OK", E2E_WAIT_MS));
	ck_assert(raw_expect(r, "l1 OK", E2E_WAIT_MS));
	/* One hash of a name at a time (the login gate): this PASS may
	   wait behind the hashes of the connections just closed, each
	   17 ms on a quiet machine and far more on a loaded one. */
	ck_assert_msg(raw_expect(r, want, 6 * E2E_WAIT_MS), "%s", raw_why(r));
	raw_close(r);
}

/*
 * Hashed passwords are checked by a child process, so the loop goes on:
 * while 40 yescrypt logins wait for it, a message between two logged-in
 * users is delivered before the last login is answered.  A wrong password
 * still fails.  When the child is killed, logins go on (hashed in the
 * loop) and the log says why.
 */
START_TEST(test_hasher_child)
{
	enum { N = 40 };
	char creds[4096], hash[200];
	struct raw *r[N], *bob, *carol;
	struct srv *s;
	const char *l;
	pid_t child;
	int i, answered = 0;

	ck_assert_int_eq(hasher_hash_now(NULL, "dave-secret", hash,
	    sizeof(hash)), 0);
	snprintf(creds, sizeof(creds), CREDS "dave %s\n", hash);
	s = SRV_START(INI "[accounts]\nattempts = 5\n"
	    "[server]\naddress_pending = 0\n", creds);
	ck_assert_msg((child = hasher_pid_of(s)) > 0, "no hasher child");
	bob = step_raw_login(s, "bob", "bob123", 0);
	carol = step_raw_login(s, "carol", "carol123", 0);
	/* dave may log in once at a time: each of these gets "inuse" or
	   the welcome, but every one needs a hash first. */
	for (i = 0; i < N; i++) {
		r[i] = step_raw_open(s);
		RAW_SEND(r[i], "h1 HELLO 1");
		ck_assert(raw_expect(r[i], "h1 OK", E2E_WAIT_MS));
		RAW_SEND(r[i], "l1 LOGIN dave");
		ck_assert(raw_expect(r[i], "l1 OK", E2E_WAIT_MS));
	}
	for (i = 0; i < N; i++)
		RAW_SEND(r[i], "p1 PASS dave-secret");
	/* Every PASS was read and handed on... */
	ck_assert_msg(log_count(s, "PASS *** -> wait", N) == N, "the PASS "
	    "requests were not all read");
	RAW_SEND(bob, "m1 MSGTO carol hello while hashing");
	do	/* presence events about dave may come first */
		l = raw_next(carol, E2E_WAIT_MS);
	while (l != NULL && strncmp(l, "* MSG bob", 9) != 0);
	ck_assert_msg(l != NULL, "%s", raw_why(carol));
	for (i = 0; i < N; i++)
		if ((l = raw_next(r[i], 1)) != NULL &&
		    strncmp(l, "p1 ", 3) == 0)
			answered++;
	ck_assert_msg(answered < N, "all %d logins were answered before a "
	    "message got through: the loop waited for the hashing", N);
	for (i = 0; i < N; i++)
		raw_close(r[i]);

	dave_pass(s, "wrong", "p1 ERR auth");
	ck_assert_int_eq(kill(child, SIGKILL), 0);
	ck_assert(log_has(s, "password hasher: it exited"));
	dave_pass(s, "dave-secret", "p1 OK Welcome dave");
	raw_close(bob);
	raw_close(carol);
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_hostile(void)
{
	Suite *s = suite_create("e2e_hostile");
	TCase *tc = tcase_create("clients");
	TCase *tl = tcase_create("login_abuse");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_add_unchecked_fixture(tl, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_set_timeout(tl, 90);
	tcase_add_test(tc, test_pipelined_thousands);
	tcase_add_test(tc, test_slow_loris);
	tcase_add_test(tc, test_never_reads);
	tcase_add_test(tc, test_max_clients);
	tcase_add_test(tc, test_out_of_descriptors);
	tcase_add_test(tc, test_abrupt_disconnects);
	tcase_add_test(tc, test_hasher_child);
	tcase_add_test(tl, test_address_throttle);
	tcase_add_test(tl, test_corrupt_state_file);
	tcase_add_test(tl, test_full_disk);
	tcase_add_test(tl, test_crash_mid_upload);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tl);
	return s;
}
