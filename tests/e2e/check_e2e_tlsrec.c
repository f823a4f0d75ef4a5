/*
 * check_e2e_tlsrec.c - the server's own TLS 1.3 record layer (after
 * OpenSSL's handshake, firmware-server/tlsrec.c) against OpenSSL's: a
 * client of the test (libssl's record layer) and the openssl s_client
 * program, in each of the three suites; KeyUpdates asked of the server
 * and not; a line cut over hundreds of records and hundreds of messages
 * both ways; a 3 MB upload from the real client; close_notify both
 * ways; broken records (a flipped bit, a length of 20,000, a record cut
 * by EOF, plain garbage, a replay), each of which ends that connection
 * with a TLS error in the log while the server goes on serving the
 * others; and the memory an idle TLS client costs.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "e2e_tls.h"
#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS	E2E_CREDS
/* Idle connections of each kind in the memory test, and the most a TLS
   one may cost over a plain one (issue 15). */
#define IDLE_N		300
#define IDLE_TLS_EXTRA	8192

/* The suites the server offers, in its order. */
static const char *const suites[] = { "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256" };

/* A TLS client of the test: OpenSSL's record layer. */
struct tlc {
	int	 fd;
	SSL_CTX	*ctx;
	SSL	*ssl;
	int	 key_updates;	/* KeyUpdate messages from the server */
	size_t	 len;
	char	 in[1 << 16];	/* plaintext read, not yet taken as lines */
};

/* ---- helpers ----------------------------------------------------------- */

/* Start a server with a TLS listener and a debug log (and extra
   settings, or NULL); *tp: its port. */
static struct srv *
rec_server_with(int *tp, const char *extra)
{
	char body[400];
	struct srv *s = srv_prepare(CREDS);

	ck_assert_msg(s != NULL, "%s", e2e_error());
	*tp = e2e_free_tcp_port();
	snprintf(body, sizeof(body), "[accounts]\nregistration = no\n"
	    "[log]\nlevel = debug\n[tls]\nlisten = 127.0.0.1\nport = %d\n%s",
	    *tp, extra != NULL ? extra : "");
	ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	return s;
}

/* The same with the defaults. */
static struct srv *
rec_server(int *tp)
{
	return rec_server_with(tp, NULL);
}

/* Wait until sub occurs n times in the server's log. */
static void
log_wait(struct srv *s, const char *sub, int n)
{
	ck_assert_msg(e2e_tls_log_wait(s, sub, n), "no \"%s\" (x%d) in the "
	    "log:\n%s", sub, n, srv_log_tail(s, 20));
}

/* Count the KeyUpdate messages the server sends. */
static void
tlc_msg(int write_p, int version, int type, const void *buf, size_t len,
    SSL *ssl, void *arg)
{
	struct tlc *c = arg;

	(void)version;
	(void)ssl;
	if (!write_p && type == SSL3_RT_HANDSHAKE && len > 0 &&
	    ((const unsigned char *)buf)[0] == 24)
		c->key_updates++;
}

/* Wait for what the failed SSL call r asks for; false at the deadline
   or on an error. */
static bool
tlc_wait(struct tlc *c, int r, long long deadline)
{
	struct pollfd p = { .fd = c->fd };
	int e = SSL_get_error(c->ssl, r), ms = (int)(deadline - e2e_now_ms());

	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return false;
	p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	return ms > 0 && poll(&p, 1, ms) > 0;
}

/* A client connected to port with suite (NULL: the server's choice),
   past the handshake and the greeting. */
static struct tlc *
tlc_open(int port, const char *suite)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	struct tlc *c = calloc(1, sizeof(*c));
	int r;

	ck_assert_ptr_nonnull(c);
	c->ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(c->ctx);
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_3_VERSION);
	if (suite != NULL)
		ck_assert_int_eq(SSL_CTX_set_ciphersuites(c->ctx, suite), 1);
	SSL_CTX_set_msg_callback(c->ctx, tlc_msg);
	SSL_CTX_set_msg_callback_arg(c->ctx, c);
	c->fd = e2e_tcp_connect(port);
	ck_assert_int_ne(c->fd, -1);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	c->ssl = SSL_new(c->ctx);
	SSL_set_fd(c->ssl, c->fd);
	while ((r = SSL_connect(c->ssl)) != 1)
		ck_assert_msg(tlc_wait(c, r, deadline), "handshake failed");
	if (suite != NULL)
		ck_assert_str_eq(SSL_CIPHER_get_name(SSL_get_current_cipher(
		    c->ssl)), suite);
	return c;
}

/* Write len bytes in records of at most chunk bytes. */
static void
tlc_write(struct tlc *c, const void *p, size_t len, size_t chunk)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	const char *b = p;
	size_t n, w;
	int r;

	while (len > 0) {
		n = len < chunk ? len : chunk;
		while ((r = SSL_write_ex(c->ssl, b, n, &w)) != 1)
			ck_assert_msg(tlc_wait(c, r, deadline), "write failed");
		b += w;
		len -= w;
	}
}

/* Send a line in one record. */
static void
tlc_send(struct tlc *c, const char *line)
{
	char buf[4200];	/* a protocol line: 4,096 bytes at most */

	snprintf(buf, sizeof(buf), "%s\n", line);
	tlc_write(c, buf, strlen(buf), sizeof(buf));
}

/* Read some plaintext: 1, 0 at close_notify, -1 at another end. */
static int
tlc_read(struct tlc *c, long long deadline)
{
	size_t n;
	int r;

	ck_assert_uint_lt(c->len, sizeof(c->in));
	while ((r = SSL_read_ex(c->ssl, c->in + c->len, sizeof(c->in) -
	    c->len, &n)) != 1) {
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN)
			return 0;
		if (!tlc_wait(c, r, deadline))
			return -1;
	}
	c->len += n;
	return 1;
}

/* Take lines until one contains sub; false when the stream ends or
   E2E_WAIT_MS passes first. */
static bool
tlc_expect(struct tlc *c, const char *sub)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	char *nl;
	bool hit;

	for (;;) {
		while ((nl = memchr(c->in, '\n', c->len)) != NULL) {
			*nl = '\0';
			hit = strstr(c->in, sub) != NULL;
			c->len -= (size_t)(nl + 1 - c->in);
			memmove(c->in, nl + 1, c->len);
			if (hit)
				return true;
		}
		if (tlc_read(c, deadline) != 1)
			return false;
	}
}

#define TLC_EXPECT(c, sub)						\
	ck_assert_msg(tlc_expect((c), (sub)), "no \"%s\" from the server", (sub))

/* Log in over c. */
static void
tlc_login(struct tlc *c, const char *user, const char *pass)
{
	char line[200];

	tlc_send(c, "1 HELLO 1");
	TLC_EXPECT(c, "1 OK");
	snprintf(line, sizeof(line), "2 LOGIN %s", user);
	tlc_send(c, line);
	TLC_EXPECT(c, "2 OK password");
	snprintf(line, sizeof(line), "3 PASS %s", pass);
	tlc_send(c, line);
	TLC_EXPECT(c, "3 OK Welcome");
}

/* The stream's end after what is left: 0 for a close_notify. */
static int
tlc_end(struct tlc *c)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	int r;

	while ((r = tlc_read(c, deadline)) == 1)
		c->len = 0;
	return r;
}

static void
tlc_free(struct tlc *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	close(c->fd);
	free(c);
}

/* The record OpenSSL makes of line (not sent). */
static size_t
tlc_seal(struct tlc *c, const char *line, unsigned char *out, size_t size)
{
	BIO *mem = BIO_new(BIO_s_mem());
	int n;

	ck_assert_ptr_nonnull(mem);
	SSL_set0_wbio(c->ssl, mem);	/* reading stays on the socket */
	ck_assert_int_eq(SSL_write(c->ssl, line, (int)strlen(line)),
	    (int)strlen(line));
	n = BIO_read(mem, out, (int)size);
	ck_assert_int_gt(n, 5);
	return (size_t)n;
}

/* Raw bytes on c's socket. */
static void
tlc_raw(struct tlc *c, const void *p, size_t len)
{
	ck_assert_int_eq(send(c->fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Wait until the server closed c's socket. */
static void
tlc_wait_closed(struct tlc *c)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	for (;;) {
		ck_assert_msg(e2e_now_ms() < deadline, "the server kept the "
		    "connection open");
		poll(&p, 1, 100);
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			return;
	}
}

/* A plain connection to port that got the greeting. */
static int
plain_open(int port)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	char buf[256];
	size_t got = 0;
	ssize_t n;
	int fd = e2e_tcp_connect(port);

	ck_assert_int_ne(fd, -1);
	while (memchr(buf, '\n', got) == NULL) {
		ck_assert_msg(e2e_now_ms() < deadline, "no greeting");
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	ck_assert(strncmp(buf, "* HELLO", 7) == 0);
	return fd;
}

/* ---- tests ------------------------------------------------------------- */

/*
 * Each suite with a client of libssl and with `openssl s_client`: login,
 * requests, the server's close_notify at LOGOUT; the first record of each
 * side is the right sequence number (the server's comes after its
 * session ticket), or nothing would decrypt.
 */
START_TEST(test_tlsrec_suites)
{
	char cmd[600], *out;
	struct tlc *c;
	struct srv *s;
	int tp, i;

	s = rec_server(&tp);
	for (i = 0; i < 3; i++) {
		c = tlc_open(tp, suites[i]);
		tlc_login(c, "alice", "alice123");
		tlc_send(c, "4 PING");
		TLC_EXPECT(c, "4 OK pong");
		tlc_send(c, "5 LOGOUT");
		TLC_EXPECT(c, "5 OK Goodbye");
		ck_assert_int_eq(tlc_end(c), 0);	/* a close_notify */
		tlc_free(c);

		snprintf(cmd, sizeof(cmd), "cd '%s' && printf '1 HELLO 1\\n2 "
		    "PING\\n3 LOGOUT\\n' | timeout 20 openssl s_client -connect "
		    "127.0.0.1:%d -tls1_3 -ciphersuites %s -quiet >s_client.out "
		    "2>s_client.err", s->dir, tp, suites[i]);
		ck_assert_int_eq(system(cmd), 0);
		out = srv_read_file(s, "s_client.out");
		ck_assert_ptr_nonnull(out);
		ck_assert_msg(strstr(out, "2 OK pong") != NULL &&
		    strstr(out, "3 OK Goodbye") != NULL, "s_client with %s "
		    "read:\n%s", suites[i], out);
		free(out);
		ck_assert_int_eq(e2e_tls_log_count(s, suites[i]), 2);
	}
	ck_assert_int_eq(e2e_tls_log_count(s,
	    "our records start at sequence 1"), 6);
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 0);
	srv_stop(s);
}
END_TEST

/*
 * KeyUpdate from the client, in each suite: asked to update too, the
 * server answers with its own KeyUpdate before its next record; not asked,
 * it sends none.  Both keys move on and every later record still opens,
 * requests and events alike.
 */
START_TEST(test_tlsrec_key_update)
{
	struct tlc *a, *b;
	struct srv *s;
	char line[64];
	int tp, i, k;

	s = rec_server(&tp);
	b = tlc_open(tp, NULL);
	tlc_login(b, "bob", "bob123");
	for (i = 0; i < 3; i++) {
		a = tlc_open(tp, suites[i]);
		tlc_login(a, "alice", "alice123");
		for (k = 0; k < 4; k++) {
			ck_assert_int_eq(SSL_key_update(a->ssl, k < 3 ?
			    SSL_KEY_UPDATE_REQUESTED :
			    SSL_KEY_UPDATE_NOT_REQUESTED), 1);
			snprintf(line, sizeof(line), "%d PING", 10 + k);
			tlc_send(a, line);
			snprintf(line, sizeof(line), "%d OK pong", 10 + k);
			TLC_EXPECT(a, line);
			ck_assert_int_eq(a->key_updates, k < 3 ? k + 1 : 3);
		}
		tlc_send(b, "20 MSGTO alice after four key updates");
		TLC_EXPECT(a, "after four key updates");
		tlc_send(a, "21 MSGTO bob and back");
		TLC_EXPECT(b, "and back");
		tlc_send(a, "22 LOGOUT");
		TLC_EXPECT(a, "22 OK Goodbye");
		ck_assert_int_eq(tlc_end(a), 0);
		tlc_free(a);
	}
	tlc_free(b);
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 0);
	srv_stop(s);
}
END_TEST

/*
 * A 2,000-byte message written five bytes per record arrives whole; 400
 * messages each way, written in records of 16 kB that cut lines anywhere,
 * all arrive in order while both directions run at once.
 */
START_TEST(test_tlsrec_long_and_many)
{
	static char text[2100], burst[2][400 * 48];
	struct tlc *a, *b;
	struct srv *s;
	size_t len[2] = { 0, 0 };
	char tok[32];
	int tp, i;

	s = rec_server(&tp);
	a = tlc_open(tp, NULL);
	tlc_login(a, "alice", "alice123");
	b = tlc_open(tp, suites[1]);
	tlc_login(b, "bob", "bob123");
	memset(text, 'x', sizeof(text));
	memcpy(text, "4 MSGTO bob ", 12);
	memcpy(text + 12 + 1990, "the-end\n", 8);
	tlc_write(a, text, 12 + 1990 + 8, 5);
	TLC_EXPECT(b, "xxxxxxxxthe-end");
	TLC_EXPECT(a, "4 OK");
	for (i = 0; i < 400; i++) {
		len[0] += (size_t)snprintf(burst[0] + len[0], 48,
		    "m%d MSGTO bob a2b-%04d\n", i, i);
		len[1] += (size_t)snprintf(burst[1] + len[1], 48,
		    "m%d MSGTO alice b2a-%04d\n", i, i);
	}
	tlc_write(a, burst[0], len[0], 16384);
	tlc_write(b, burst[1], len[1], 16384);
	for (i = 0; i < 400; i++) {
		snprintf(tok, sizeof(tok), "a2b-%04d", i);
		TLC_EXPECT(b, tok);
		snprintf(tok, sizeof(tok), "b2a-%04d", i);
		TLC_EXPECT(a, tok);
	}
	tlc_free(a);
	tlc_free(b);
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 0);
	srv_stop(s);
}
END_TEST

/* The client's close_notify ends its session cleanly: logged as a
   close by the peer, no TLS error. */
START_TEST(test_tlsrec_client_close_notify)
{
	struct tlc *a;
	struct srv *s;
	int tp;

	s = rec_server(&tp);
	a = tlc_open(tp, NULL);
	tlc_login(a, "alice", "alice123");
	ck_assert_int_eq(SSL_shutdown(a->ssl), 0);	/* ours sent */
	log_wait(s, "alice logged out (lost; connection: connection closed "
	    "by peer", 1);
	ck_assert_int_eq(tlc_end(a), 0);	/* and the server's came */
	tlc_free(a);
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 0);
	srv_stop(s);
}
END_TEST

/*
 * Broken records after the handshake: each ends its own connection with
 * a TLS error that says what was wrong, and bob's session goes on.
 */
START_TEST(test_tlsrec_abuse)
{
	static const char *const why[] = {
		"TLS error: a record that fails authentication",
		"TLS error: a record of a wrong length",
		"TLS error: a truncated record",
		"TLS error: a record that is not application data",
		"TLS error: a record that fails authentication",
	};
	unsigned char rec[256], big[5 + 100] = { 0x17, 3, 3, 0x4e, 0x20 };
	struct tlc *b, *c;
	struct srv *s;
	char line[64];
	size_t n;
	int tp, i;

	s = rec_server(&tp);
	b = tlc_open(tp, NULL);
	tlc_login(b, "bob", "bob123");
	for (i = 0; i < 5; i++) {
		c = tlc_open(tp, NULL);
		tlc_send(c, "1 PING");
		TLC_EXPECT(c, "1 OK pong");
		switch (i) {
		case 0:		/* a flipped bit in the ciphertext */
			n = tlc_seal(c, "2 PING\n", rec, sizeof(rec));
			rec[8] ^= 0x01;
			tlc_raw(c, rec, n);
			break;
		case 1:		/* a header that claims 20,000 bytes */
			tlc_raw(c, big, sizeof(big));
			break;
		case 2:		/* a record cut short, then EOF */
			n = tlc_seal(c, "2 PING\n", rec, sizeof(rec));
			tlc_raw(c, rec, n - 4);
			shutdown(c->fd, SHUT_WR);
			break;
		case 3:		/* not TLS at all */
			tlc_raw(c, "GET / HTTP/1.0\r\n\r\n", 18);
			break;
		case 4:		/* a good record, then the same again */
			n = tlc_seal(c, "2 PING\n", rec, sizeof(rec));
			tlc_raw(c, rec, n);
			TLC_EXPECT(c, "2 OK pong");
			tlc_raw(c, rec, n);
			break;
		}
		tlc_wait_closed(c);
		log_wait(s, why[i], i == 4 ? 2 : 1);
		tlc_free(c);
		snprintf(line, sizeof(line), "%d PING", 30 + i);
		tlc_send(b, line);
		snprintf(line, sizeof(line), "%d OK pong", 30 + i);
		TLC_EXPECT(b, line);
	}
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 5);
	tlc_free(b);
	srv_stop(s);
}
END_TEST

/*
 * The real client (OpenSSL's record layer) uploads a file of 300,000
 * integers over TLS: about 200 records of 16 kB one way, cut anywhere by
 * the socket; the server stores exactly the client's bytes, and a
 * message sent to the uploader while it uploads reaches it.
 */
START_TEST(test_tlsrec_client_upload)
{
	char fp[80], *mine, *theirs;
	struct cli *a;
	struct tlc *b;
	struct srv *s;
	int tp, saved;

	s = rec_server(&tp);
	e2e_tls_logged_fp(s, fp);
	saved = s->port;
	s->port = tp;
	a = cli_start(s, "--tls", "--fingerprint", fp, (char *)NULL);
	s->port = saved;
	ck_assert_msg(a != NULL, "tui-client did not start: %s", e2e_error());
	cli_label(a, "alice");
	step_log_in(a, "alice", "alice123", NULL);
	b = tlc_open(tp, suites[2]);
	tlc_login(b, "bob", "bob123");
	SEND(a, "EDG 1 300000");
	EXPECT(a, "Wrote 300000 random integers");
	SEND(a, "UED 1");
	tlc_send(b, "4 MSGTO alice during the upload");
	TLC_EXPECT(b, "4 OK");
	EXPECT(a, "during the upload");
	EXPECT_MS(a, "Uploaded alice-1.txt: file 1 stored: 300000 integers, ",
	    3 * E2E_WAIT_MS);
	mine = srv_read_file(s, "client/alice-1.txt");
	theirs = srv_read_file(s, "edge/alice/1.txt");
	ck_assert_ptr_nonnull(mine);
	ck_assert_ptr_nonnull(theirs);
	ck_assert_uint_gt(strlen(mine), 1000000);
	ck_assert_msg(strcmp(mine, theirs) == 0, "the stored file differs");
	free(mine);
	free(theirs);
	SEND(a, "logout");
	EXPECT_EXIT(a, 0);
	cli_free(a);
	tlc_free(b);
	ck_assert_int_eq(e2e_tls_log_count(s, "TLS error"), 0);
	srv_stop(s);
}
END_TEST

/*
 * What an idle TLS client costs the server's resident memory over a
 * plain one: IDLE_N of each, connected and greeted, at most
 * IDLE_TLS_EXTRA bytes more each (not judged under ASan or valgrind,
 * whose allocators keep their own books).
 */
START_TEST(test_tlsrec_idle_memory)
{
	static int plain[IDLE_N];
	static struct tlc *tls[IDLE_N];
	long r0, r1, r2, per_plain, per_tls;
	/* Under valgrind a handshake is slow, and RSS means nothing. */
	int n = getenv("E2E_VALGRIND") != NULL ? 30 : IDLE_N;
	struct srv *s;
	int tp, i;

	s = rec_server_with(&tp, "[server]\naddress_pending = 0\n");
	/* OpenSSL's and the loop's first allocations are not per client. */
	for (i = 0; i < 20; i++) {
		tls[i] = tlc_open(tp, NULL);
		TLC_EXPECT(tls[i], "* HELLO");
		plain[i] = plain_open(s->port);
	}
	for (i = 0; i < 20; i++) {
		tlc_free(tls[i]);
		close(plain[i]);
	}
	r0 = e2e_proc_kb(s->pid, "VmRSS");
	for (i = 0; i < n; i++)
		plain[i] = plain_open(s->port);
	r1 = e2e_proc_kb(s->pid, "VmRSS");
	for (i = 0; i < n; i++) {
		tls[i] = tlc_open(tp, NULL);
		TLC_EXPECT(tls[i], "* HELLO");
	}
	r2 = e2e_proc_kb(s->pid, "VmRSS");
	per_plain = (r1 - r0) * 1024 / n;
	per_tls = (r2 - r1) * 1024 / n;
	fprintf(stderr, "tlsrec: server RSS %ld kB, %d plain clients %ld kB, "
	    "%d TLS clients %ld kB: %ld B per plain client, %ld B per TLS "
	    "client\n", r0, n, r1, n, r2, per_plain, per_tls);
#ifndef __SANITIZE_ADDRESS__
	if (getenv("E2E_VALGRIND") == NULL)
		ck_assert_msg(per_tls - per_plain <= IDLE_TLS_EXTRA, "an idle "
		    "TLS client costs %ld B more than a plain one (limit %d)",
		    per_tls - per_plain, IDLE_TLS_EXTRA);
#endif
	/* Each one still works. */
	tlc_send(tls[n - 1], "1 PING");
	TLC_EXPECT(tls[n - 1], "1 OK pong");
	for (i = 0; i < n; i++) {
		tlc_free(tls[i]);
		close(plain[i]);
	}
	srv_stop(s);
}
END_TEST

Suite *
suite_e2e_tlsrec(void)
{
	Suite *s = suite_create("e2e_tlsrec");
	TCase *tc = tcase_create("tlsrec");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tlsrec_suites);
	tcase_add_test(tc, test_tlsrec_key_update);
	tcase_add_test(tc, test_tlsrec_long_and_many);
	tcase_add_test(tc, test_tlsrec_client_close_notify);
	tcase_add_test(tc, test_tlsrec_abuse);
	tcase_add_test(tc, test_tlsrec_client_upload);
	tcase_add_test(tc, test_tlsrec_idle_memory);
	suite_add_tcase(s, tc);
	return s;
}
