/*
 * tls.c - the TLS listener's engine: OpenSSL 3 for the handshake, our
 * own record layer (tlsrec.c) after it.
 *
 * One server context, made once by tls_setup(): TLS 1.3 only, no
 * compression, stateless session tickets for fast reconnects.  The key
 * and the certificate are files; when neither exists the first start
 * makes them, so a board is secure without an admin doing anything, and
 * the fingerprint that the log and --fingerprint print is what a user
 * pins.
 *
 * OpenSSL's connection object is about 8 kB before a byte is read and
 * 14 kB once a connection is open, for every idle client.  So it lives
 * only for the handshake: its key log callback hands us the two
 * application traffic secrets, its message callback counts the records
 * it wrote under the server's application key (the session ticket), and
 * when SSL_do_handshake() is done and nothing is left buffered in it,
 * the object is freed.  What stays is what RFC 8446 needs to protect
 * records: per direction the traffic secret (for KeyUpdate), a keyed
 * AEAD context, the IV and the sequence number (docs/SECURITY.md).
 *
 * Every call is non-blocking.  A connection's handshake is driven by its
 * first reads and writes; what the engine waits for (the socket readable
 * or writable) is kept so that conn.c can poll for exactly that.  After
 * the handshake a record is read in two steps (its header, then its
 * body into a buffer that lives only while the record is incomplete or
 * its plaintext unread), like OpenSSL without read-ahead, so poll()
 * sees every byte that waits; a record that the socket takes only in
 * part keeps its tail until the next write sends it, so an idle
 * connection holds no buffer at all.
 */
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "log.h"
#include "sslerr.h"
#include "tls.h"
#include "tlskey.h"
#include "tlsrec.h"

/* Room for the records a write leaves in part: one of data, a
   KeyUpdate and a close_notify. */
#define TLS_OUT_MAX		(TLSREC_SEALED_MAX + 64)
/* A KeyUpdate message: type 24, length 1, update_requested. */
#define TLS_MT_KEY_UPDATE	24
#define TLS_MT_NEW_TICKET	4

/* What the handshake gives the record layer; wiped once used. */
struct tls_hs {
	unsigned char	 csecret[TLSREC_SECRET_MAX];
	unsigned char	 ssecret[TLSREC_SECRET_MAX];
	size_t		 clen, slen;
	bool		 counting;	/* the server's application key is on */
	uint64_t	 wseq;		/* records OpenSSL wrote under it */
};

struct tls {
	SSL		*ssl;		/* the handshake only */
	struct tls_hs	*hs;		/* the handshake only */
	int		 fd;
	bool		 hs_done;
	bool		 eof;		/* close_notify came */
	bool		 ku_owed;	/* the peer asked for our KeyUpdate */
	short		 hs_want;	/* during the handshake */
	struct tlsrec_key rk, wk;	/* after the handshake */
	/* Input: a header, then its record; then the plaintext unread. */
	unsigned char	 hdr[TLSREC_HDR];
	size_t		 hdr_len;
	unsigned char	*rec;		/* NULL while no record is open */
	size_t		 rec_len, rec_got;
	unsigned char	*plain;		/* inside rec */
	size_t		 plain_len;
	/* Output: sealed records the socket has not taken yet. */
	unsigned char	*out;		/* NULL while nothing waits */
	size_t		 out_len, out_off;
	size_t		 out_plain;	/* the caller's bytes in them */
	char		 err[96];
};

static SSL_CTX	*tls_ctx;

/* Hex digits to bytes; the count, or 0 when hex is not max bytes or
   fewer. */
static size_t
tls_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	for (; hex[0] != '\0' && hex[1] != '\0' && n < max; hex += 2) {
		if ((hi = OPENSSL_hexchar2int((unsigned char)hex[0])) < 0 ||
		    (lo = OPENSSL_hexchar2int((unsigned char)hex[1])) < 0)
			return 0;
		out[n++] = (unsigned char)(hi << 4 | lo);
	}
	return hex[0] == '\0' ? n : 0;
}

/*
 * OpenSSL's key log: keep the two application traffic secrets of the
 * handshake that ssl runs ("LABEL <client random> <secret>").  The
 * server's is logged once the server's Finished is written, so the
 * records written after it are under the server's application key.
 */
static void
tls_keylog(const SSL *ssl, const char *line)
{
	struct tls *t = SSL_get_app_data(ssl);
	const char *sp;

	if (t == NULL || t->hs == NULL || (sp = strrchr(line, ' ')) == NULL)
		return;
	if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0)
		t->hs->clen = tls_unhex(sp + 1, t->hs->csecret,
		    sizeof(t->hs->csecret));
	else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0) {
		t->hs->slen = tls_unhex(sp + 1, t->hs->ssecret,
		    sizeof(t->hs->ssecret));
		t->hs->counting = true;
	}
}

/* OpenSSL's message callback: count the records it writes under the
   server's application key (the session tickets). */
static void
tls_msg(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct tls *t = SSL_get_app_data(ssl);

	(void)version;
	(void)buf;
	(void)len;
	(void)arg;
	if (write_p && content_type == SSL3_RT_HEADER && t != NULL &&
	    t->hs != NULL && t->hs->counting)
		t->hs->wseq++;
}

/* Set up the server context from the key and certificate files. */
int
tls_setup(const char *dir, const char *cert, const char *key,
    char fp[TLS_FP_LEN], char *err, size_t errlen)
{
	char certpath[PATH_MAX], keypath[PATH_MAX];
	SSL_CTX *ctx;

	if (tlskey_path(certpath, sizeof(certpath), dir, cert) == -1 ||
	    tlskey_path(keypath, sizeof(keypath), dir, key) == -1) {
		snprintf(err, errlen, "certificate or key path too long");
		return -1;
	}
	if (access(certpath, F_OK) == -1 && errno == ENOENT &&
	    access(keypath, F_OK) == -1 && errno == ENOENT &&
	    tlskey_create(certpath, keypath, err, errlen) == -1)
		return -1;
	if (tlskey_readable("certificate", certpath, err, errlen) == -1 ||
	    tlskey_readable("key", keypath, err, errlen) == -1)
		return -1;
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "TLS: %s", sslerr_reason("out of memory"));
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	/* A peer that closes TCP without close_notify has simply gone, as
	   on the plain port: lines are framed, so a cut one is never taken
	   for a whole one (OpenSSL 3 calls it a TLS error otherwise). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* No read-ahead: OpenSSL reads no byte past the handshake, and what
	   follows is ours (tls_takeover()). */
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_keylog_callback(ctx, tls_keylog);
	SSL_CTX_set_msg_callback(ctx, tls_msg);
	/*
	 * ChaCha20-Poly1305 first: its state per connection is about 400
	 * bytes smaller than AES-GCM's (bench/tlsmem.c), and it is the fast
	 * one on boards whose cores lack the AES instructions (Raspberry Pi
	 * 3 and 4).  The AES suites stay for clients that want them.
	 */
	if (SSL_CTX_set_ciphersuites(ctx, "TLS_CHACHA20_POLY1305_SHA256:"
	    "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256") != 1) {
		snprintf(err, errlen, "TLS: %s", sslerr_reason("no cipher"));
		goto fail;
	}
	/* One ticket per connection is enough for the next reconnect. */
	SSL_CTX_set_num_tickets(ctx, 1);
	if (SSL_CTX_use_certificate_chain_file(ctx, certpath) != 1) {
		snprintf(err, errlen, "certificate %s: %s", certpath,
		    sslerr_reason("not a PEM certificate"));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keypath, SSL_FILETYPE_PEM) != 1 &&
	    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
		snprintf(err, errlen, "key %s: %s", keypath,
		    sslerr_reason("not a PEM private key"));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "key %s does not match certificate %s",
		    keypath, certpath);
		goto fail;
	}
	tlskey_fingerprint(SSL_CTX_get0_certificate(ctx), fp);
	tls_cleanup();
	tls_ctx = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return -1;
}

/* Free the server context. */
void
tls_cleanup(void)
{
	SSL_CTX_free(tls_ctx);
	tls_ctx = NULL;
}

/* A stream over fd, in the accepting state. */
struct tls *
tls_new(int fd)
{
	struct tls *t;

	if (tls_ctx == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->fd = fd;
	if ((t->hs = calloc(1, sizeof(*t->hs))) == NULL ||
	    (t->ssl = SSL_new(tls_ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		SSL_free(t->ssl);
		free(t->hs);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_app_data(t->ssl, t);
	SSL_set_accept_state(t->ssl);
	t->hs_want = POLLIN;	/* the ClientHello */
	return t;
}

/* Forget the handshake's secrets and OpenSSL's connection object. */
static void
tls_drop_handshake(struct tls *t)
{
	if (t->hs != NULL) {
		OPENSSL_cleanse(t->hs, sizeof(*t->hs));
		free(t->hs);
		t->hs = NULL;
	}
	if (t->ssl != NULL) {
		/* A finished connection, not a failed one: OpenSSL keeps
		   its session valid for resumption. */
		if (t->hs_done)
			SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN |
			    SSL_RECEIVED_SHUTDOWN);
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
}

/* Free the stream; the socket stays the caller's. */
void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	tls_drop_handshake(t);
	tlsrec_key_wipe(&t->rk);
	tlsrec_key_wipe(&t->wk);
	if (t->rec != NULL)
		OPENSSL_clear_free(t->rec, TLSREC_HDR + t->rec_len);
	free(t->out);		/* ciphertext only */
	free(t);
}

/* End the stream with a reason for the log: -1 with errno e. */
static ssize_t
tls_broken(struct tls *t, int e, const char *fmt, const char *what)
{
	if (t->err[0] == '\0')
		snprintf(t->err, sizeof(t->err), fmt, what);
	errno = e;
	return -1;
}

/* Map a failed SSL call of the handshake to recv()/send() results. */
static ssize_t
tls_fail(struct tls *t, int r, bool reading)
{
	ssize_t n = sslerr_io(t->ssl, r, reading, &t->hs_want);
	int e = errno;

	if (n == 0 || e == EAGAIN)
		return n;
	if (e == EPROTO) {
		tls_broken(t, e, "TLS handshake failed: %s",
		    sslerr_reason("protocol error"));
		ERR_clear_error();
	} else
		tls_broken(t, e, reading ? "read error: %s" :
		    "write error: %s", strerror(e));
	errno = e;
	return -1;
}

/*
 * The handshake is over: take the keys, check that OpenSSL holds no byte
 * that is ours now, and free it.  The client's first record is read
 * sequence 0; ours goes on after the records OpenSSL wrote under our
 * application key (the session tickets).
 */
static int
tls_takeover(struct tls *t)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	uint16_t suite = c != NULL ? SSL_CIPHER_get_protocol_id(c) : 0;
	const char *why = NULL;

	if (SSL_version(t->ssl) != TLS1_3_VERSION)
		why = "not TLS 1.3";
	else if (!tlsrec_suite_ok(suite))
		why = "an unknown cipher suite";
	else if (SSL_has_pending(t->ssl) || SSL_pending(t->ssl) > 0)
		why = "data buffered in the handshake";
	else if (t->hs->clen == 0 || t->hs->slen == 0 || !t->hs->counting)
		why = "no traffic secrets";
	else if (tlsrec_key_init(&t->rk, suite, t->hs->csecret, t->hs->clen,
	    false) == -1 || tlsrec_key_init(&t->wk, suite, t->hs->ssecret,
	    t->hs->slen, true) == -1)
		why = "cannot set up the keys";
	if (why != NULL) {
		ERR_clear_error();
		tls_broken(t, EPROTO, "TLS handshake failed: %s", why);
		tls_drop_handshake(t);
		return -1;
	}
	t->wk.seq = t->hs->wseq;
	log_debug("tls: fd %d: handshake done, %s, %s; our records start "
	    "at sequence %llu", t->fd, SSL_session_reused(t->ssl) ?
	    "session resumed" : "full handshake", SSL_CIPHER_get_name(c),
	    (unsigned long long)t->hs->wseq);
	tls_drop_handshake(t);
	return 0;
}

/* Drive the handshake; 1 once it is over, else tls_fail()'s result. */
static ssize_t
tls_handshake(struct tls *t, bool reading)
{
	int r;

	if (t->hs_done)
		return t->err[0] != '\0' ? tls_broken(t, EPROTO, "%s", "") : 1;
	ERR_clear_error();
	if ((r = SSL_do_handshake(t->ssl)) == 1) {
		t->hs_done = true;
		t->hs_want = 0;
		return tls_takeover(t) == 0 ? 1 : -1;
	}
	return tls_fail(t, r, reading);
}

/* Send what waits in t->out; 0 when all went, else -1 (EAGAIN or an
   error that ends the stream). */
static int
tls_out_flush(struct tls *t)
{
	ssize_t n;

	while (t->out_off < t->out_len) {
		n = send(t->fd, t->out + t->out_off, t->out_len - t->out_off,
		    MSG_NOSIGNAL);
		if (n > 0) {
			t->out_off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			errno = EAGAIN;
			return -1;
		}
		return (int)tls_broken(t, errno, "write error: %s",
		    strerror(errno));
	}
	free(t->out);	/* ciphertext only */
	t->out = NULL;
	t->out_len = t->out_off = 0;
	return 0;
}

/* Seal a record of type behind what waits; -1 when there is no room
   or no memory, or the keys are used up (the stream is broken then). */
static int
tls_out_seal(struct tls *t, uint8_t type, const void *p, size_t len)
{
	enum tlsrec_err e;
	size_t n;

	if (t->out == NULL && (t->out = malloc(TLS_OUT_MAX)) == NULL)
		return (int)tls_broken(t, ENOMEM, "TLS error: %s",
		    "out of memory");
	if (TLS_OUT_MAX - t->out_len < TLSREC_HDR + len + 1 + TLSREC_TAG) {
		errno = EAGAIN;
		return -1;
	}
	if ((e = tlsrec_seal(&t->wk, type, p, len, t->out + t->out_len,
	    &n)) != TLSREC_OK)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    tlsrec_strerror(e));
	t->out_len += n;
	return 0;
}

/*
 * Our KeyUpdate (RFC 8446 4.6.3): when the peer asked for one, or when
 * our key has sealed TLSREC_SEQ_LIMIT records.  It goes under the old
 * key; the records after it under the new one.
 */
static int
tls_key_update(struct tls *t)
{
	static const unsigned char ku[] = { TLS_MT_KEY_UPDATE, 0, 0, 1, 0 };

	if (!t->ku_owed && t->wk.seq < TLSREC_SEQ_LIMIT)
		return 0;
	if (tls_out_seal(t, TLSREC_HANDSHAKE, ku, sizeof(ku)) == -1)
		return -1;
	if (tlsrec_key_update(&t->wk) == -1)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "cannot update the keys");
	t->ku_owed = false;
	return 0;
}

/* The handshake messages of one record from the peer: a KeyUpdate is
   the only one a client sends now, and it ends its record (the key
   changes after it). */
static int
tls_in_handshake(struct tls *t, const unsigned char *p, size_t len)
{
	if (len < 4 || ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]) >
	    len - 4)
		return (int)tls_broken(t, EPROTO, "TLS error: %s", len == 0 ?
		    "an empty handshake record" :
		    "a handshake message split over records");
	if (p[0] == TLS_MT_NEW_TICKET)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "a session ticket from the client");
	if (p[0] != TLS_MT_KEY_UPDATE)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "an unexpected handshake message");
	if (len != 5 || p[3] != 1 || p[4] > 1)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "a malformed KeyUpdate");
	if (tlsrec_key_update(&t->rk) == -1)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "cannot update the keys");
	if (p[4] == 1)
		t->ku_owed = true;
	if (tls_flush(t) == -1 && errno != EAGAIN)
		return -1;
	return 0;
}

/* An alert from the peer: close_notify ends the stream, 1; the others
   break it, -1. */
static int
tls_in_alert(struct tls *t, const unsigned char *p, size_t len)
{
	char what[32];

	if (len != 2)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "a malformed alert");
	if (p[1] == SSL_AD_CLOSE_NOTIFY) {
		t->eof = true;
		return 1;
	}
	if (p[1] == SSL_AD_USER_CANCELLED)	/* close_notify follows */
		return 0;
	snprintf(what, sizeof(what), "alert %u from the peer", p[1]);
	return (int)tls_broken(t, EPROTO, "TLS error: %s", what);
}

/* Read up to want bytes into p: 1 when they are all there, 0 at the end
   of the stream, -1 with errno. */
static int
tls_in_fill(struct tls *t, unsigned char *p, size_t *got, size_t want)
{
	ssize_t n;

	while (*got < want) {
		n = recv(t->fd, p + *got, want - *got, 0);
		if (n > 0) {
			*got += (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			errno = EAGAIN;
		return errno == EAGAIN ? -1 : (int)tls_broken(t, errno,
		    "read error: %s", strerror(errno));
	}
	return 1;
}

/*
 * The next record from the socket, opened: 1 and its type and plaintext,
 * 0 when the peer closed TCP between records, -1 with errno.  Only its
 * header is read first, then exactly its body.
 */
static int
tls_in_record(struct tls *t, uint8_t *type)
{
	enum tlsrec_err e;
	size_t blen;
	int r;

	if (t->rec == NULL) {
		if ((r = tls_in_fill(t, t->hdr, &t->hdr_len, TLSREC_HDR)) != 1)
			return r == 0 && t->hdr_len > 0 ? (int)tls_broken(t,
			    EPROTO, "TLS error: %s", "a truncated record") : r;
		if ((e = tlsrec_header(t->hdr, &blen)) != TLSREC_OK)
			return (int)tls_broken(t, EPROTO, "TLS error: %s",
			    tlsrec_strerror(e));
		if ((t->rec = malloc(TLSREC_HDR + blen)) == NULL)
			return (int)tls_broken(t, ENOMEM, "TLS error: %s",
			    "out of memory");
		memcpy(t->rec, t->hdr, TLSREC_HDR);
		t->rec_len = blen;
		t->rec_got = 0;
		t->hdr_len = 0;
	}
	if ((r = tls_in_fill(t, t->rec + TLSREC_HDR, &t->rec_got,
	    t->rec_len)) != 1)
		return r == 0 ? (int)tls_broken(t, EPROTO, "TLS error: %s",
		    "a truncated record") : r;
	if ((e = tlsrec_open(&t->rk, t->rec, TLSREC_HDR + t->rec_len, type,
	    &t->plain, &t->plain_len)) != TLSREC_OK)
		return (int)tls_broken(t, EPROTO, "TLS error: %s",
		    tlsrec_strerror(e));
	return 1;
}

/* Done with the open record. */
static void
tls_in_release(struct tls *t)
{
	OPENSSL_clear_free(t->rec, TLSREC_HDR + t->rec_len);
	t->rec = NULL;
	t->plain = NULL;
	t->plain_len = 0;
}

/* Records without data (empty ones, KeyUpdates, warning alerts) one
   tls_read() handles before it lets the loop serve other connections. */
#define TLS_READ_EMPTY_MAX	16

/* Like recv(). */
ssize_t
tls_read(struct tls *t, void *p, size_t len)
{
	uint8_t type;
	ssize_t h;
	size_t n;
	int r, empty = 0;

	if ((h = tls_handshake(t, true)) != 1)
		return h;
	/* A KeyUpdate that the socket did not take at once. */
	if (tls_flush(t) == -1 && errno != EAGAIN)
		return -1;
	for (;;) {
		if (t->plain_len > 0) {
			n = len < t->plain_len ? len : t->plain_len;
			memcpy(p, t->plain, n);
			t->plain += n;
			if ((t->plain_len -= n) == 0)
				tls_in_release(t);
			return (ssize_t)n;
		}
		if (t->eof)
			return 0;	/* what follows close_notify is ignored */
		if ((r = tls_in_record(t, &type)) != 1)
			return r;
		if (type == TLSREC_APPDATA && t->plain_len > 0)
			continue;
		if (type == TLSREC_ALERT)
			r = tls_in_alert(t, t->plain, t->plain_len);
		else if (type == TLSREC_HANDSHAKE)
			r = tls_in_handshake(t, t->plain, t->plain_len);
		else if (type != TLSREC_APPDATA)
			r = (int)tls_broken(t, EPROTO, "TLS error: %s",
			    "a record of an unknown content type");
		tls_in_release(t);
		if (r == -1)
			return -1;
		/* A peer that sends only such records must not hold the
		   loop: the socket stays readable, the next pass goes on. */
		if (!t->eof && ++empty == TLS_READ_EMPTY_MAX) {
			errno = EAGAIN;
			return -1;
		}
	}
}

/*
 * Like send(), with OpenSSL's rule for a write that waits: a record once
 * sealed is the caller's bytes until the socket took all of it, so the
 * call returns -1 (EAGAIN) until then, and the next call must offer the
 * same bytes again (at least as many); it then returns their count.
 */
ssize_t
tls_write(struct tls *t, const void *p, size_t len)
{
	ssize_t h;
	size_t n;

	if ((h = tls_handshake(t, false)) != 1)
		return h;
	if (t->out != NULL && tls_out_flush(t) == -1)
		return -1;
	if ((n = t->out_plain) > 0) {
		t->out_plain = 0;
		return (ssize_t)n;
	}
	if (len == 0)
		return 0;
	n = len < TLSREC_PLAIN_MAX ? len : TLSREC_PLAIN_MAX;
	if (tls_key_update(t) == -1 ||
	    tls_out_seal(t, TLSREC_APPDATA, p, n) == -1)
		return -1;
	t->out_plain = n;
	if (tls_out_flush(t) == -1)
		return -1;
	t->out_plain = 0;
	return (ssize_t)n;
}

/* Send what waits from an earlier call: a KeyUpdate owed (made now if
   there was no room before) and sealed bytes.  0, or -1 with errno
   (EAGAIN: the socket is full). */
int
tls_flush(struct tls *t)
{
	if (!t->hs_done)
		return 0;
	if (t->err[0] != '\0')
		return (int)tls_broken(t, EPIPE, "%s", "");
	if (t->ku_owed && tls_key_update(t) == -1 && errno != EAGAIN)
		return -1;
	return t->out != NULL ? tls_out_flush(t) : 0;
}

/* Send close_notify if it can go at once (before the socket closes). */
void
tls_shutdown(struct tls *t)
{
	static const unsigned char close_notify[] = { SSL3_AL_WARNING,
	    SSL_AD_CLOSE_NOTIFY };

	if (t == NULL || !t->hs_done || t->err[0] != '\0')
		return;
	/* Best effort, non-blocking: an unsent record tail goes first. */
	if (tls_out_seal(t, TLSREC_ALERT, close_notify,
	    sizeof(close_notify)) == 0)
		tls_out_flush(t);
}

/* Decrypted plaintext waiting in the engine. */
bool
tls_pending(const struct tls *t)
{
	return t->plain_len > 0;
}

/* True until the handshake is over. */
bool
tls_handshaking(const struct tls *t)
{
	return !t->hs_done;
}

/*
 * The poll interest for a connection whose buffers ask for ev: during the
 * handshake only what OpenSSL waits for; after it, output too while
 * sealed bytes wait for the socket.
 */
short
tls_poll(const struct tls *t, short ev)
{
	if (!t->hs_done)
		return t->hs_want;
	if (t->out != NULL)
		ev |= POLLOUT;
	return ev;
}

/* Why the last call failed. */
const char *
tls_error(const struct tls *t)
{
	return t->err[0] != '\0' ? t->err : "TLS error";
}
