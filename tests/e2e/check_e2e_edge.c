/*
 * check_e2e_edge.c - end-to-end tests of edge data: EDG, UED, SCS and DTE
 * with the real server and plain clients, the upload and deletion logs
 * checked line by line, the wire rules of an upload on a raw connection
 * (interrupted, short, too long, out of order), and a large upload during
 * which two other users keep messaging, with the server's peak memory.
 *
 * Clients run in DIR/client (see cli_start), so their files are
 * DIR/client/USER-ID.txt; the server keeps DIR/edge/USER/ID.txt.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "steps.h"
#include "edge_data.h"
#include "../suites.h"

#define CREDS	E2E_CREDS

#define INI								\
	"[accounts]\n"							\
	"registration = no\n"

#define TIME_RE		"[0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"

/*
 * The large upload: at least 200 MB in every build.  Its deadline is
 * generous (ASan slows the byte-by-byte check several times).
 */
#define BIG_BYTES	(200LL * 1000 * 1000)
#define BIG_WAIT_MS	e2e_scale(120000)
/* How long a message between two other users may take during it. */
#define CHAT_MAX_MS	e2e_scale(1000)
/* How much the server's peak resident memory may grow during it. */
#define RSS_GROWTH_MAX_KB	512

/* ---- helpers ----------------------------------------------------------- */

/* Write content to DIR/client/name (the clients' working directory). */
static void
client_file(struct srv *s, const char *name, const char *content)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/client", s->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "client/%s", name);
	ck_assert_msg(srv_write_file(s, path, content), "cannot write %s",
	    path);
}

/* True when DIR/name exists. */
static bool
exists(struct srv *s, const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return stat(path, &st) == 0;
}

/* Poll until DIR/name exists (want) or is gone (!want). */
static bool
wait_exists(struct srv *s, const char *name, bool want, int ms)
{
	long long end = e2e_now_ms() + ms;

	while (exists(s, name) != want) {
		if (e2e_now_ms() > end)
			return false;
		e2e_nap(5);
	}
	return true;
}

/* The whole of file name must match the extended regex re. */
static void
file_matches(struct srv *s, const char *name, const char *re)
{
	char *text = srv_read_file(s, name);
	regex_t rx;
	int r;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	r = text != NULL ? regexec(&rx, text, 0, NULL, 0) : REG_NOMATCH;
	regfree(&rx);
	ck_assert_msg(r == 0, "%s does not match /%s/; it holds:\n%s", name, re,
	    text != NULL ? text : "(no such file)");
	free(text);
}

/* Files a and b (paths in DIR) must hold the same bytes. */
static void
same_file(struct srv *s, const char *a, const char *b)
{
	char *ta = srv_read_file(s, a), *tb = srv_read_file(s, b);

	ck_assert_msg(ta != NULL && tb != NULL, "%s or %s is missing", a, b);
	ck_assert_msg(strcmp(ta, tb) == 0, "%s and %s differ", a, b);
	free(ta);
	free(tb);
}

/* The aggregates of a data file in DIR, computed here. */
static struct edge_stats
stats_of(struct srv *s, const char *name)
{
	char *text = srv_read_file(s, name);
	struct edge_scan sc;

	ck_assert_msg(text != NULL, "%s is missing", name);
	edge_scan_init(&sc);
	ck_assert_int_eq(edge_scan_feed(&sc, text, strlen(text)), 0);
	ck_assert_int_eq(edge_scan_finish(&sc), 0);
	free(text);
	return sc.st;
}

/* Peak resident memory (VmHWM) of a process in KB, or -1. */
static long
peak_rss_kb(pid_t pid)
{
	return e2e_proc_kb(pid, "VmHWM");
}

/* Send "TAG UPDATA ID {N}" and the N bytes of data. */
static void
raw_chunk(struct raw *r, const char *tag, const char *id, const char *data)
{
	char line[128];

	snprintf(line, sizeof(line), "%s UPDATA %s {%zu}", tag, id,
	    strlen(data));
	RAW_SEND(r, line);
	ck_assert_msg(raw_send_bytes(r, data, strlen(data)), "%s", raw_why(r));
}

/* ---- tests ------------------------------------------------------------- */

/* EDG, UED, SCS (each operation), DTE: the whole path with real files. */
START_TEST(test_gen_upload_stats_delete)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct edge_stats st;
	char want[512], num[EDGE_I128_MAX], avg[EDGE_RESULT_MAX];

	SEND(a, "EDG 1 50");
	snprintf(want, sizeof(want), "Wrote 50 random integers to %s/client/"
	    "alice-1.txt", s->dir);
	EXPECT_LINE(a, want);
	st = stats_of(s, "client/alice-1.txt");
	ck_assert_uint_eq(st.count, 50);

	SEND(a, "UED 1");
	EXPECT(a, "Uploading alice-1.txt (");
	EXPECT(a, "Uploaded alice-1.txt: file 1 stored: 50 integers, ");
	same_file(s, "client/alice-1.txt", "edge/alice/1.txt");
	ck_assert(!exists(s, "edge/alice/1.txt.part"));
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 1; 50\n$");

	SEND(a, "SCS 1 SUM");
	snprintf(want, sizeof(want), "SUM of file 1 = %s (50 integers)",
	    edge_i128_format(st.sum, num));
	EXPECT_LINE(a, want);
	SEND(a, "/stats 1 average");
	ck_assert_int_eq(edge_op_result(&st, EDGE_OP_AVERAGE, avg,
	    sizeof(avg)), 0);
	snprintf(want, sizeof(want), "AVERAGE of file 1 = %s (50 integers)",
	    avg);
	EXPECT_LINE(a, want);
	SEND(a, "SCS 1 MAX");
	snprintf(want, sizeof(want), "MAX of file 1 = %lld (50 integers)",
	    (long long)st.max);
	EXPECT_LINE(a, want);
	SEND(a, "SCS 1 MIN");
	snprintf(want, sizeof(want), "MIN of file 1 = %lld (50 integers)",
	    (long long)st.min);
	EXPECT_LINE(a, want);

	/* EDG again replaces the local file; a re-upload replaces file 1. */
	SEND(a, "/gen 1 3");
	EXPECT(a, "Wrote 3 random integers to ");
	SEND(a, "/upload 1");
	EXPECT(a, "Uploaded alice-1.txt: file 1 stored: 3 integers, ");
	same_file(s, "client/alice-1.txt", "edge/alice/1.txt");
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 1; 50\n"
	    "alice; " TIME_RE "; 1; 3\n$");

	SEND(a, "DTE 1");
	EXPECT_LINE(a, "file 1 deleted (3 integers)");
	file_matches(s, "deletion-log.txt", "^alice; " TIME_RE "; 1; 3\n$");
	ck_assert(!exists(s, "edge/alice/1.txt"));
	ck_assert(!exists(s, "edge/alice/1.stats"));
	SEND(a, "SCS 1 SUM");
	EXPECT_LINE(a, "Error: no file 1 on the server (upload it first)");
	SEND(a, "/deldata 1");
	EXPECT_LINE(a, "Error: no file 1 on the server (upload it first)");
	file_matches(s, "deletion-log.txt", "^alice; " TIME_RE "; 1; 3\n$");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* Known values: exact SUM past 64 bits, AVERAGE as decimal and fraction,
   CRLF lines, a last line without LF; and the stats survive a restart. */
START_TEST(test_known_values)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a;

	client_file(s, "alice-7.txt", "9223372036854775807\r\n"
	    "9223372036854775807\r\n9223372036854775806");
	client_file(s, "alice-8.txt", "-1\n-1\n0\n");
	a = step_login(s, "alice", "alice123", 0);
	SEND(a, "UED 7");
	EXPECT_LINE(a, "Uploaded alice-7.txt: file 7 stored: 3 integers, "
	    "61 bytes");
	SEND(a, "SCS 7 SUM");
	EXPECT_LINE(a, "SUM of file 7 = 27670116110564327420 (3 integers)");
	SEND(a, "SCS 7 AVERAGE");
	EXPECT_LINE(a, "AVERAGE of file 7 = 9223372036854775806.666667, "
	    "exactly 27670116110564327420/3 (3 integers)");
	SEND(a, "UED 8");
	EXPECT_LINE(a, "Uploaded alice-8.txt: file 8 stored: 3 integers, "
	    "8 bytes");
	SEND(a, "SCS 8 AVERAGE");
	EXPECT_LINE(a, "AVERAGE of file 8 = -0.666667, exactly -2/3 "
	    "(3 integers)");
	step_logout(a, "logout", "alice");

	ck_assert_msg(srv_restart(s), "restart: %s", e2e_error());
	a = step_login(s, "alice", "alice123", 0);
	SEND(a, "SCS 7 MAX");
	EXPECT_LINE(a, "MAX of file 7 = 9223372036854775807 (3 integers)");
	SEND(a, "SCS 8 MIN");
	EXPECT_LINE(a, "MIN of file 8 = -1 (3 integers)");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* An empty file is allowed: 0 integers, SUM 0, no AVERAGE, MAX or MIN. */
START_TEST(test_empty_file)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a;

	client_file(s, "alice-3.txt", "");
	a = step_login(s, "alice", "alice123", 0);
	SEND(a, "UED 3");
	EXPECT_LINE(a, "Uploaded alice-3.txt: file 3 stored: 0 integers, "
	    "0 bytes");
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 3; 0\n$");
	SEND(a, "SCS 3 SUM");
	EXPECT_LINE(a, "SUM of file 3 = 0 (0 integers)");
	SEND(a, "SCS 3 AVERAGE");
	EXPECT_LINE(a, "Error: file 3 holds no integers: no AVERAGE");
	SEND(a, "SCS 3 MAX");
	EXPECT_LINE(a, "Error: file 3 holds no integers: no MAX");
	SEND(a, "DTE 3");
	EXPECT_LINE(a, "file 3 deleted (0 integers)");
	file_matches(s, "deletion-log.txt", "^alice; " TIME_RE "; 3; 0\n$");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* alice's file 1 and bob's file 1 are different files; nobody reaches
   another user's files, not even with a crafted ID on the wire. */
START_TEST(test_per_user)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a, *b;
	struct raw *r;

	client_file(s, "alice-1.txt", "1\n2\n");
	client_file(s, "bob-1.txt", "10\n20\n30\n");
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	SEND(a, "UED 1");
	EXPECT(a, "Uploaded alice-1.txt: file 1 stored: 2 integers");
	SEND(b, "SCS 1 SUM");
	EXPECT_LINE(b, "Error: no file 1 on the server (upload it first)");
	SEND(b, "DTE 1");
	EXPECT_LINE(b, "Error: no file 1 on the server (upload it first)");
	SEND(b, "UED 1");
	EXPECT(b, "Uploaded bob-1.txt: file 1 stored: 3 integers");
	SEND(a, "SCS 1 SUM");
	EXPECT_LINE(a, "SUM of file 1 = 3 (2 integers)");
	SEND(b, "SCS 1 SUM");
	EXPECT_LINE(b, "SUM of file 1 = 60 (3 integers)");
	SEND(b, "DTE 1");
	EXPECT_LINE(b, "file 1 deleted (3 integers)");
	SEND(a, "SCS 1 MAX");
	EXPECT_LINE(a, "MAX of file 1 = 2 (2 integers)");
	ck_assert(exists(s, "edge/alice/1.txt"));
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 1; 2\n"
	    "bob; " TIME_RE "; 1; 3\n$");
	file_matches(s, "deletion-log.txt", "^bob; " TIME_RE "; 1; 3\n$");

	/* The wire accepts only a plain non-negative integer as ID. */
	r = step_raw_login(s, "carol", "carol123", 0);
	RAW_SEND(r, "1 STATS ../alice/1 SUM");
	RAW_EXPECT(r, "1 ERR args ID must be a non-negative integer");
	RAW_SEND(r, "2 DELETE ../alice/1");
	RAW_EXPECT(r, "2 ERR args ID must be a non-negative integer");
	RAW_SEND(r, "3 UPLOAD -1 5");
	RAW_EXPECT(r, "3 ERR args ID must be a non-negative integer");
	RAW_SEND(r, "4 STATS 1 SUM");
	RAW_EXPECT(r, "4 ERR notfound no file 1 on the server");
	raw_close(r);
	ck_assert(exists(s, "edge/alice/1.txt"));
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Every argument error is caught, in the client or by the server. */
START_TEST(test_errors)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);

	SEND(a, "EDG");
	EXPECT_LINE(a, "Error: usage: EDG ID N");
	SEND(a, "EDG 1");
	EXPECT_LINE(a, "Error: usage: EDG ID N");
	SEND(a, "EDG x 5");
	EXPECT_LINE(a, "Error: EDG: ID must be a non-negative integer, not 'x'");
	SEND(a, "EDG 1 abc");
	EXPECT_LINE(a, "Error: EDG: N must be a positive integer (at most "
	    "1000000000), not 'abc'");
	SEND(a, "EDG 1 -3");
	EXPECT_LINE(a, "Error: EDG: N must be a positive integer (at most "
	    "1000000000), not '-3'");
	SEND(a, "EDG 1 0");
	EXPECT_LINE(a, "Error: EDG: N must be a positive integer (at most "
	    "1000000000), not '0'");
	SEND(a, "EDG 1 2.5");
	EXPECT_LINE(a, "Error: EDG: N must be a positive integer (at most "
	    "1000000000), not '2.5'");
	SEND(a, "UED");
	EXPECT_LINE(a, "Error: usage: UED ID");
	SEND(a, "UED one");
	EXPECT_LINE(a, "Error: UED: ID must be a non-negative integer, not "
	    "'one'");
	SEND(a, "UED 9");
	EXPECT_LINE(a, "Error: UED: no local file alice-9.txt (make one with "
	    "EDG 9 N)");
	SEND(a, "SCS 1");
	EXPECT_LINE(a, "Error: usage: SCS ID SUM|AVERAGE|MAX|MIN");
	SEND(a, "SCS 1 MEDIAN");
	EXPECT_LINE(a, "Error: SCS: unknown operation 'MEDIAN' (use SUM, "
	    "AVERAGE, MAX or MIN)");
	SEND(a, "SCS -1 SUM");
	EXPECT_LINE(a, "Error: SCS: ID must be a non-negative integer, not "
	    "'-1'");
	SEND(a, "SCS 5 SUM");
	EXPECT_LINE(a, "Error: no file 5 on the server (upload it first)");
	SEND(a, "DTE");
	EXPECT_LINE(a, "Error: usage: DTE ID");
	SEND(a, "DTE 5");
	EXPECT_LINE(a, "Error: no file 5 on the server (upload it first)");
	SEND(a, "edg 1 5");
	EXPECT(a, "Error: unknown command 'edg'");
	ck_assert(!exists(s, "upload-log.txt"));
	ck_assert(!exists(s, "deletion-log.txt"));
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* A file with anything but integers is refused with the line number,
   also when the bad line comes many chunks in; nothing is kept. */
START_TEST(test_malformed_refused)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a;
	char *big, *p;
	int i;

	client_file(s, "alice-2.txt", "1\n2\nthree\n4\n");
	big = malloc(300000 * 8 + 16);
	for (p = big, i = 0; i < 300000; i++)
		p += sprintf(p, "%d\n", -i);
	strcpy(p, "12 34\n5\n");
	client_file(s, "alice-4.txt", big);
	free(big);
	a = step_login(s, "alice", "alice123", 0);
	SEND(a, "UED 2");
	EXPECT_LINE(a, "Error: upload of alice-2.txt failed: file 2 refused: "
	    "line 3: not an integer (integers only, one per line)");
	SEND(a, "UED 4");
	EXPECT_LINE(a, "Error: upload of alice-4.txt failed: file 4 refused: "
	    "line 300001: not an integer (integers only, one per line)");
	EXPECT(a, "UED 4: stopped after");
	ck_assert(!exists(s, "edge/alice/2.txt"));
	ck_assert(!exists(s, "edge/alice/2.txt.part"));
	ck_assert(!exists(s, "edge/alice/4.txt"));
	ck_assert(!exists(s, "edge/alice/4.txt.part"));
	ck_assert(!exists(s, "upload-log.txt"));
	SEND(a, "SCS 4 SUM");
	EXPECT_LINE(a, "Error: no file 4 on the server (upload it first)");
	/* The session is fine afterwards. */
	client_file(s, "alice-2.txt", "-5\n");
	SEND(a, "UED 2");
	EXPECT_LINE(a, "Uploaded alice-2.txt: file 2 stored: 1 integer, "
	    "3 bytes");
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 2; 1\n$");
	step_logout(a, "logout", "alice");
	step_stop_ok(s);
}
END_TEST

/* The wire rules of an upload: order, size, one at a time; a connection
   that ends half-way leaves no file under any name and no log line. */
START_TEST(test_raw_upload_rules)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *r = step_raw_login(s, "alice", "alice123", 0);

	RAW_SEND(r, "1 UPDATA 4 {2}");
	ck_assert(raw_send_bytes(r, "1\n", 2));
	RAW_EXPECT(r, "1 ERR state no upload of file 4 in progress");
	RAW_SEND(r, "2 UPEND 4");
	RAW_EXPECT(r, "2 ERR state no upload of file 4 in progress");
	RAW_SEND(r, "3 WHO {1}");
	ck_assert(raw_send_bytes(r, "x", 1));
	RAW_EXPECT(r, "3 ERR args WHO takes no payload");
	RAW_SEND(r, "4 UPLOAD 4 x");
	RAW_EXPECT(r, "4 ERR args SIZE must be an integer");

	/* Short: UPEND before SIZE bytes cancels. */
	RAW_SEND(r, "5 UPLOAD 4 100");
	RAW_EXPECT(r, "5 OK send 100 bytes for file 4");
	RAW_SEND(r, "6 UPLOAD 5 1");
	RAW_EXPECT(r, "6 ERR state an upload (file 4) is already in progress");
	raw_chunk(r, "7", "4", "1\n2\n");
	RAW_EXPECT(r, "7 OK 4");
	ck_assert(exists(s, "edge/alice/4.txt.part"));
	RAW_SEND(r, "8 UPEND 4");
	RAW_EXPECT(r, "8 ERR data file 4 incomplete: 4 of 100 bytes received; "
	    "upload cancelled");
	ck_assert(!exists(s, "edge/alice/4.txt.part"));

	/* Too long: more than SIZE bytes cancels. */
	RAW_SEND(r, "9 UPLOAD 4 3");
	RAW_EXPECT(r, "9 OK");
	raw_chunk(r, "10", "4", "1\n2\n");
	RAW_EXPECT(r, "10 ERR limit more than the 3 bytes announced for file 4");
	ck_assert(!exists(s, "edge/alice/4.txt.part"));

	/* A chunk for another ID cancels nothing; it is refused. */
	RAW_SEND(r, "11 UPLOAD 4 4");
	RAW_EXPECT(r, "11 OK");
	raw_chunk(r, "12", "5", "1\n2\n");
	RAW_EXPECT(r, "12 ERR state no upload of file 5 in progress");
	raw_chunk(r, "13", "4", "1\n2\n");
	RAW_EXPECT(r, "13 OK 4");
	RAW_SEND(r, "14 UPEND 4");
	RAW_EXPECT(r, "14 OK file 4 stored: 2 integers, 4 bytes");

	/* Interrupted: the connection ends half-way. */
	RAW_SEND(r, "15 UPLOAD 6 1000");
	RAW_EXPECT(r, "15 OK");
	raw_chunk(r, "16", "6", "1\n2\n3\n");
	RAW_EXPECT(r, "16 OK 6");
	ck_assert(exists(s, "edge/alice/6.txt.part"));
	raw_close(r);
	ck_assert_msg(wait_exists(s, "edge/alice/6.txt.part", false,
	    E2E_WAIT_MS), "the part of an interrupted upload stayed");
	ck_assert(!exists(s, "edge/alice/6.txt"));
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 4; 2\n$");

	/* alice can log in again and file 6 does not exist. */
	r = step_raw_login(s, "alice", "alice123", 0);
	RAW_SEND(r, "1 STATS 6 SUM");
	RAW_EXPECT(r, "1 ERR notfound no file 6 on the server");
	RAW_SEND(r, "2 STATS 4 sum");
	RAW_EXPECT(r, "2 OK SUM of file 4 = 3 (2 integers)");
	raw_close(r);
	step_stop_ok(s);
}
END_TEST

/* A plain client killed half-way through a real upload: nothing stays. */
START_TEST(test_client_killed)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);

	SEND(a, "EDG 5 5000000");
	EXPECT_MS(a, "Wrote 5000000 random integers", e2e_scale(60000));
	SEND(a, "UED 5");
	ck_assert_msg(wait_exists(s, "edge/alice/5.txt.part", true,
	    E2E_WAIT_MS), "the upload did not start");
	kill(a->pid, SIGKILL);
	ck_assert_msg(wait_exists(s, "edge/alice/5.txt.part", false,
	    E2E_WAIT_MS), "the part of a killed client's upload stayed");
	/* It may have finished before the kill; then it is whole and logged. */
	if (exists(s, "edge/alice/5.txt"))
		file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 5; "
		    "5000000\n$");
	else
		ck_assert(!exists(s, "upload-log.txt"));
	cli_free(a);
	step_stop_ok(s);
}
END_TEST

/* Fill DIR/client/name with about bytes of integers near the 64-bit
   limits; returns their aggregates. */
static struct edge_stats
big_file(struct srv *s, const char *name, long long bytes)
{
	char path[600], *buf;
	struct edge_stats st = { 0 };
	size_t used = 0, cap = 1 << 20;
	long long total = 0, i;
	int64_t v;
	int fd;

	snprintf(path, sizeof(path), "%s/client", s->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/client/%s", s->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	buf = malloc(cap);
	for (i = 0; total < bytes; i++) {
		v = i % 2 == 0 ? INT64_MAX - i : INT64_MIN + i;
		if (st.count == 0 || v < st.min)
			st.min = v;
		if (st.count == 0 || v > st.max)
			st.max = v;
		edge_i128_add64(&st.sum, v);
		st.count++;
		used += (size_t)sprintf(buf + used, "%lld\n", (long long)v);
		if (cap - used < 32) {
			ck_assert(write(fd, buf, used) == (ssize_t)used);
			total += (long long)used;
			used = 0;
		}
	}
	ck_assert(write(fd, buf, used) == (ssize_t)used);
	free(buf);
	close(fd);
	return st;
}

/*
 * A large upload while bob and carol exchange messages: each message
 * arrives within CHAT_MAX_MS, the server's peak memory grows by less
 * than RSS_GROWTH_MAX_KB (not checked under ASan, whose allocator keeps
 * freed memory in quarantine), and the result is exact.
 */
START_TEST(test_large_upload_with_chat)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a, *b, *c;
	struct edge_stats st;
	char want[256], num[EDGE_I128_MAX], msg[64];
	long rss0, rss1;
	long long t0, dt, worst = 0, start, secs_ms;
	int n = 0;

	st = big_file(s, "alice-1.txt", BIG_BYTES);
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	c = step_login(s, "carol", "carol123", 0);
	rss0 = peak_rss_kb(s->pid);
	ck_assert_int_gt(rss0, 0);

	start = e2e_now_ms();
	SEND(a, "UED 1");
	ck_assert_msg(wait_exists(s, "edge/alice/1.txt.part", true,
	    E2E_WAIT_MS), "the upload did not start");
	while (exists(s, "edge/alice/1.txt.part")) {
		t0 = e2e_now_ms();
		SEND(n % 2 ? c : b, n % 2 ? "message bob pong" : "message carol ping");
		snprintf(msg, sizeof(msg), "%s: %s", n % 2 ? "carol" : "bob",
		    n % 2 ? "pong" : "ping");
		EXPECT(n % 2 ? b : c, msg);
		EXPECT(n % 2 ? c : b, "Message sent to");
		dt = e2e_now_ms() - t0;
		if (dt > worst)
			worst = dt;
		n++;
	}
	snprintf(want, sizeof(want), "Uploaded alice-1.txt: file 1 stored: "
	    "%llu integers, ", (unsigned long long)st.count);
	EXPECT_MS(a, want, BIG_WAIT_MS);
	secs_ms = e2e_now_ms() - start;
	rss1 = peak_rss_kb(s->pid);
	fprintf(stderr, "edge: %lld MB uploaded in %lld ms (%.0f MB/s); %d "
	    "messages meanwhile, slowest %lld ms; server VmHWM %ld -> %ld kB\n",
	    BIG_BYTES / 1000000, secs_ms, secs_ms > 0 ?
	    (double)BIG_BYTES / 1000.0 / (double)secs_ms : 0.0, n, worst, rss0,
	    rss1);
	ck_assert_msg(n >= 3, "only %d messages during the upload", n);
	ck_assert_msg(worst <= CHAT_MAX_MS, "a message took %lld ms during "
	    "the upload (limit %d ms)", worst, CHAT_MAX_MS);
#ifndef __SANITIZE_ADDRESS__
	ck_assert_msg(rss1 - rss0 < RSS_GROWTH_MAX_KB, "server peak RSS grew "
	    "from %ld to %ld kB", rss0, rss1);
#endif
	SEND(a, "SCS 1 SUM");
	snprintf(want, sizeof(want), "SUM of file 1 = %s (%llu integers)",
	    edge_i128_format(st.sum, num), (unsigned long long)st.count);
	EXPECT_LINE(a, want);
	SEND(a, "SCS 1 MIN");
	snprintf(want, sizeof(want), "MIN of file 1 = %lld (%llu integers)",
	    (long long)st.min, (unsigned long long)st.count);
	EXPECT_LINE(a, want);
	file_matches(s, "upload-log.txt", "^alice; " TIME_RE "; 1; [0-9]+\n$");
	SEND(a, "DTE 1");
	EXPECT(a, "file 1 deleted (");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_logout(c, "logout", "carol");
	step_stop_ok(s);
}
END_TEST


/*
 * A big EDG is written a step per pass of the client's loop: a message
 * that bob sends meanwhile shows on alice's side before the file is done,
 * and the file is complete and in place once "Wrote" shows.
 */
START_TEST(test_big_gen_keeps_chat)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	char want[512], path[600];
	struct stat sb;
	size_t mark;

	mark = cli_mark(a);
	SEND(a, "EDG 3 20000000");
	EXPECT(a, "Writing 20000000 random integers to alice-3.txt");
	SEND(b, "message alice while you write");
	EXPECT(a, "while you write");
	snprintf(want, sizeof(want), "Wrote 20000000 random integers to "
	    "%s/client/alice-3.txt", s->dir);
	ck_assert_msg(cli_saw(a, mark, want) == NULL, "the file was done "
	    "before the message showed: the loop was blocked");
	EXPECT_MS(a, want, e2e_scale(120000));
	snprintf(path, sizeof(path), "%s/client/alice-3.txt", s->dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	/* 20 M lines of 2 to 12 bytes each. */
	ck_assert_msg(sb.st_size > 40000000 && sb.st_size <= 240000000,
	    "alice-3.txt has %lld bytes", (long long)sb.st_size);
	ck_assert(!exists(s, "client/alice-3.txt.tmp"));
	unlink(path);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_edge(void)
{
	Suite *s = suite_create("e2e_edge");
	TCase *tc = tcase_create("commands");
	TCase *tb = tcase_create("large");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_gen_upload_stats_delete);
	tcase_add_test(tc, test_known_values);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_per_user);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_malformed_refused);
	tcase_add_test(tc, test_raw_upload_rules);
	tcase_add_test(tc, test_client_killed);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tb, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tb, 300);
	tcase_add_test(tb, test_large_upload_with_chat);
	tcase_add_test(tb, test_big_gen_keeps_chat);
	suite_add_tcase(s, tb);
	return s;
}
