/*
 * check_tls_stream.c - the tlsrec suite's second case: the server's TLS
 * stream (tls.c) over a socket pair with a real OpenSSL client, where a
 * test can fill the socket: a record that the socket takes only in part
 * is the caller's bytes until all of it went (EAGAIN, then the same
 * bytes offered again return their count), nothing is sent twice or
 * lost, and the poll interest asks for output while a tail waits.
 */
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls.h"
#include "../suites.h"

/* The server's end and an OpenSSL client over a socket pair. */
struct pair {
	char		 dir[32];
	int		 sv[2];
	struct tls	*t;
	SSL_CTX		*cctx;
	SSL		*c;
};

/* Set up the context, the pair and the handshake. */
static void
pair_open(struct pair *p)
{
	char fp[TLS_FP_LEN], err[256], b[1];
	int i, small = 4096;

	snprintf(p->dir, sizeof(p->dir), "/tmp/tlsstream.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	ck_assert_msg(tls_setup(p->dir, TLS_CERT_DEFAULT, TLS_KEY_DEFAULT, fp,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, p->sv), 0);
	setsockopt(p->sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(p->sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	ck_assert_ptr_nonnull(p->t = tls_new(p->sv[0]));
	ck_assert_ptr_nonnull(p->cctx = SSL_CTX_new(TLS_client_method()));
	ck_assert_ptr_nonnull(p->c = SSL_new(p->cctx));
	SSL_set_fd(p->c, p->sv[1]);
	for (i = 0; i < 64; i++) {
		SSL_connect(p->c);
		tls_read(p->t, b, sizeof(b));
		if (!tls_handshaking(p->t) && SSL_is_init_finished(p->c))
			break;
	}
	ck_assert(!tls_handshaking(p->t));
}

/* Free everything and remove the key files. */
static void
pair_close(struct pair *p)
{
	char path[64];

	tls_free(p->t);
	SSL_free(p->c);
	SSL_CTX_free(p->cctx);
	close(p->sv[0]);
	close(p->sv[1]);
	tls_cleanup();
	snprintf(path, sizeof(path), "%s/%s", p->dir, TLS_KEY_DEFAULT);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", p->dir, TLS_CERT_DEFAULT);
	unlink(path);
	rmdir(p->dir);
}

/* Read what the client can now; the bytes read. */
static size_t
client_read(struct pair *p, unsigned char *out, size_t room)
{
	size_t got = 0, n;

	while (got < room && SSL_read_ex(p->c, out + got, room - got, &n) == 1)
		got += n;
	return got;
}

/*
 * The socket takes part of a record: EAGAIN with POLLOUT asked for, the
 * same bytes again return their count once the tail went; the client
 * reads every byte once, in order; a later write goes on normally.
 */
START_TEST(test_tls_stream_partial_write)
{
	static unsigned char data[3 * TLS_RECORD_MAX], got[sizeof(data)];
	size_t off = 0, have = 0, i;
	struct pair p;
	int eagain = 0, rounds;
	ssize_t n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 31 + 7);
	pair_open(&p);
	for (rounds = 0; off < sizeof(data) && rounds < 10000; rounds++) {
		n = tls_write(p.t, data + off, sizeof(data) - off);
		if (n > 0) {
			ck_assert_int_le(n, TLS_RECORD_MAX);
			off += (size_t)n;
			continue;
		}
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert(tls_poll(p.t, 0) & POLLOUT);
		eagain++;
		/* The first time, the client reads nothing yet: the tail
		   waits, and the next call must not seal the bytes again. */
		if (eagain > 1)
			have += client_read(&p, got + have, sizeof(got) - have);
	}
	ck_assert_uint_eq(off, sizeof(data));
	ck_assert_msg(eagain > 0, "the socket never filled");
	while (have < sizeof(data) && rounds++ < 10000) {
		ck_assert_int_eq(tls_flush(p.t), 0);
		have += client_read(&p, got + have, sizeof(got) - have);
	}
	ck_assert_uint_eq(have, sizeof(data));
	ck_assert_mem_eq(got, data, sizeof(data));
	ck_assert_int_eq(tls_poll(p.t, 0), 0);
	ck_assert_int_eq(tls_write(p.t, "more\n", 5), 5);
	ck_assert_uint_eq(client_read(&p, got, sizeof(got)), 5);
	ck_assert_mem_eq(got, "more\n", 5);
	pair_close(&p);
}
END_TEST

/* A record bigger than the reader's room: the rest waits in the engine
   (tls_pending) and comes with the next read. */
START_TEST(test_tls_stream_pending)
{
	unsigned char buf[64];
	struct pair p;

	pair_open(&p);
	ck_assert_int_eq(SSL_write(p.c, "0123456789abcdef", 16), 16);
	ck_assert_int_eq(tls_read(p.t, buf, 10), 10);
	ck_assert(tls_pending(p.t));
	ck_assert_int_eq(tls_read(p.t, buf + 10, sizeof(buf) - 10), 6);
	ck_assert(!tls_pending(p.t));
	ck_assert_mem_eq(buf, "0123456789abcdef", 16);
	ck_assert_int_eq(tls_read(p.t, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	pair_close(&p);
}
END_TEST

/* A peer that sends only records without data (here KeyUpdates) does not
   hold the loop: one read handles a bounded number of them and says
   EAGAIN with the socket still readable; the data behind them comes. */
START_TEST(test_tls_stream_bounded_read)
{
	struct pollfd pfd;
	char buf[16];
	struct pair p;
	ssize_t n = -1;
	int i;

	pair_open(&p);
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(SSL_key_update(p.c,
		    SSL_KEY_UPDATE_NOT_REQUESTED), 1);
		ck_assert_int_eq(SSL_do_handshake(p.c), 1);
	}
	ck_assert_int_eq(SSL_write(p.c, "hi", 2), 2);
	ck_assert_int_eq(tls_read(p.t, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	pfd.fd = p.sv[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	for (i = 0; i < 10 && n == -1; i++)
		n = tls_read(p.t, buf, sizeof(buf));
	ck_assert_int_eq(n, 2);
	ck_assert_mem_eq(buf, "hi", 2);
	pair_close(&p);
}
END_TEST

/* The tlsrec suite's case for the stream. */
TCase *
tcase_tls_stream(void)
{
	TCase *tc = tcase_create("stream");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tls_stream_partial_write);
	tcase_add_test(tc, test_tls_stream_pending);
	tcase_add_test(tc, test_tls_stream_bounded_read);
	return tc;
}
