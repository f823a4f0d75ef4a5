/*
 * lgtls.c - TLS streams for loadgen: the handshake runs inside the first
 * sends and receives, as in a non-blocking server loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lgtls.h"
#include "sslerr.h"

struct lgtls {
	SSL	*ssl;
	bool	 want_out;	/* the last call waits for POLLOUT */
	bool	 send_in;	/* the last send waits for POLLIN */
};

static SSL_CTX	*lgtls_ctx;

/* Make the client context. */
int
lgtls_init(void)
{
	if ((lgtls_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	SSL_CTX_set_min_proto_version(lgtls_ctx, TLS1_3_VERSION);
	SSL_CTX_set_mode(lgtls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(lgtls_ctx, SSL_VERIFY_NONE, NULL);
	return 0;
}

/* A stream over fd, in the connecting state. */
struct lgtls *
lgtls_new(int fd)
{
	struct lgtls *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->ssl = SSL_new(lgtls_ctx)) == NULL ||
	    SSL_set_fd(t->ssl, fd) != 1) {
		free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

/* Free the stream (the socket stays the caller's). */
void
lgtls_free(struct lgtls *t)
{
	if (t != NULL) {
		SSL_free(t->ssl);
		free(t);
	}
}

/* Map a failed call to recv()/send() results, and note what it waits for. */
static ssize_t
lgtls_fail(struct lgtls *t, int r, bool reading)
{
	short want = 0;
	ssize_t n = sslerr_io(t->ssl, r, reading, &want);

	t->want_out = want == POLLOUT;
	if (!reading)
		t->send_in = want == POLLIN;
	if (n == -1 && errno == EPROTO) {
		ERR_clear_error();
		errno = EPIPE;
	}
	return n;
}

/* Like recv(). */
ssize_t
lgtls_recv(struct lgtls *t, void *p, size_t len)
{
	size_t n;
	int r;

	if ((r = SSL_read_ex(t->ssl, p, len, &n)) == 1) {
		t->want_out = false;
		return (ssize_t)n;
	}
	return lgtls_fail(t, r, true);
}

/* Like send(). */
ssize_t
lgtls_send(struct lgtls *t, const void *p, size_t len)
{
	size_t n;
	int r;

	if ((r = SSL_write_ex(t->ssl, p, len, &n)) == 1) {
		t->want_out = t->send_in = false;
		return (ssize_t)n;
	}
	return lgtls_fail(t, r, false);
}

/* The last call waits for output room. */
bool
lgtls_wants_out(const struct lgtls *t)
{
	return t->want_out;
}

/* The last send waits for input. */
bool
lgtls_send_waits_in(const struct lgtls *t)
{
	return t->send_in;
}
