/*
 * tls.c - the TLS listener's engine (OpenSSL 3).
 *
 * One server context, made once by tls_setup(): TLS 1.3 only, no
 * compression, stateless session tickets for fast reconnects, and
 * SSL_MODE_RELEASE_BUFFERS so that an idle connection keeps no record
 * buffers (about 34 KiB each otherwise).  The key and the certificate
 * are files; when neither exists the first start makes them, so a board
 * is secure without an admin doing anything, and the fingerprint that
 * the log and --fingerprint print is what a user pins.
 *
 * Every call is non-blocking.  A connection's handshake is driven by its
 * first reads and writes; what the engine waits for (the socket readable
 * or writable) is kept so that conn.c can poll for exactly that.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"
#include "sslerr.h"
#include "tls.h"

/* Years the self-made certificate is valid: the pin, not the date, is
   what clients check. */
#define TLS_CERT_DAYS		(100 * 365)

struct tls {
	SSL		*ssl;
	bool		 hs_done;
	short		 hs_want;	/* during the handshake */
	short		 rwant;		/* a read waits for this, or 0 */
	short		 wwant;		/* a write waits for this, or 0 */
	char		 err[96];
};

static SSL_CTX	*tls_ctx;

/* dir/name, or name when it is absolute; -1 when too long. */
static int
tls_path(char *out, size_t size, const char *dir, const char *name)
{
	int n;

	if (name[0] == '/')
		n = snprintf(out, size, "%s", name);
	else
		n = snprintf(out, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Write PEM text to path atomically with mode 0600. */
static int
tls_write_file(const char *path, BIO *mem, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8], *data;
	long len;
	int fd;

	len = BIO_get_mem_data(mem, &data);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, data, (size_t)len) != len || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Make an ECDSA P-256 key and a self-signed certificate for it. */
static int
tls_create(const char *certpath, const char *keypath, char *err,
    size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	BIO *kb = NULL, *cb = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char host[256];
	int rc = -1;

	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "firmware-server");
	host[sizeof(host) - 1] = '\0';
	if ((pkey = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;	/* a positive serial number */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_CERT_DAYS, 0,
	    NULL) == NULL || X509_set_pubkey(x, pkey) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0)
		goto fail;
	if ((kb = BIO_new(BIO_s_mem())) == NULL ||
	    (cb = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_X509(cb, x) != 1)
		goto fail;
	/* The key first: a certificate without its key is never left. */
	if (tls_write_file(keypath, kb, err, errlen) == -1)
		goto out;
	if (tls_write_file(certpath, cb, err, errlen) == -1) {
		unlink(keypath);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "cannot make a key and certificate: %s",
	    sslerr_reason("out of memory"));
out:
	BIO_free(kb);
	BIO_free(cb);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* The SHA-256 of a certificate's DER form as "SHA256:<hex>". */
static void
tls_fingerprint(X509 *x, char fp[TLS_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	X509_digest(x, EVP_sha256(), md, &len);
	memcpy(fp, "SHA256:", 7);
	for (i = 0; i < len && i < 32; i++)
		snprintf(fp + 7 + 2 * i, 3, "%02x", md[i]);
	fp[7 + 2 * i] = '\0';
}

/* 0 when path can be opened for reading, else -1 with err. */
static int
tls_readable(const char *what, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Set up the server context from the key and certificate files. */
int
tls_setup(const char *dir, const char *cert, const char *key,
    char fp[TLS_FP_LEN], char *err, size_t errlen)
{
	char certpath[PATH_MAX], keypath[PATH_MAX];
	SSL_CTX *ctx;

	if (tls_path(certpath, sizeof(certpath), dir, cert) == -1 ||
	    tls_path(keypath, sizeof(keypath), dir, key) == -1) {
		snprintf(err, errlen, "certificate or key path too long");
		return -1;
	}
	if (access(certpath, F_OK) == -1 && errno == ENOENT &&
	    access(keypath, F_OK) == -1 && errno == ENOENT &&
	    tls_create(certpath, keypath, err, errlen) == -1)
		return -1;
	if (tls_readable("certificate", certpath, err, errlen) == -1 ||
	    tls_readable("key", keypath, err, errlen) == -1)
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
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
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
	tls_fingerprint(SSL_CTX_get0_certificate(ctx), fp);
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
	if ((t->ssl = SSL_new(tls_ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	t->hs_want = POLLIN;	/* the ClientHello */
	return t;
}

/* Send close_notify if it can go at once (before the socket closes). */
void
tls_shutdown(struct tls *t)
{
	if (t != NULL && t->hs_done && t->err[0] == '\0') {
		SSL_shutdown(t->ssl);	/* non-blocking: best effort */
		ERR_clear_error();
	}
}

/* Free the stream; the socket stays the caller's. */
void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* Map a failed SSL call to recv()/send() results; *want gets the wait;
   t->err says why a connection ends. */
static ssize_t
tls_fail(struct tls *t, int r, short *want, bool reading)
{
	ssize_t n = sslerr_io(t->ssl, r, reading, want);
	int e = errno;

	if (n == 0 || e == EAGAIN)
		return n;
	if (e == EPROTO) {
		snprintf(t->err, sizeof(t->err), "TLS %s: %s",
		    t->hs_done ? "error" : "handshake failed",
		    sslerr_reason("protocol error"));
		ERR_clear_error();
	} else {
		snprintf(t->err, sizeof(t->err), "%s error: %s",
		    reading ? "read" : "write", strerror(e));
	}
	errno = e;
	return -1;
}

/* Drive the handshake; 1 once it is over, else tls_fail()'s result. */
static ssize_t
tls_handshake(struct tls *t, bool reading)
{
	int r;

	if (t->hs_done)
		return 1;
	ERR_clear_error();
	if ((r = SSL_do_handshake(t->ssl)) == 1) {
		t->hs_done = true;
		t->hs_want = 0;
		log_debug("tls: fd %d: handshake done, %s, %s",
		    SSL_get_fd(t->ssl), SSL_session_reused(t->ssl) ?
		    "session resumed" : "full handshake",
		    SSL_get_cipher_name(t->ssl));
		return 1;
	}
	return tls_fail(t, r, &t->hs_want, reading);
}

/* Like recv(). */
ssize_t
tls_read(struct tls *t, void *p, size_t len)
{
	size_t n;
	ssize_t h;
	int r;

	if ((h = tls_handshake(t, true)) != 1)
		return h;
	ERR_clear_error();
	t->rwant = 0;
	if ((r = SSL_read_ex(t->ssl, p, len, &n)) == 1)
		return (ssize_t)n;
	return tls_fail(t, r, &t->rwant, true);
}

/* Like send(). */
ssize_t
tls_write(struct tls *t, const void *p, size_t len)
{
	size_t n;
	ssize_t h;
	int r;

	if ((h = tls_handshake(t, false)) != 1)
		return h;
	ERR_clear_error();
	t->wwant = 0;
	if ((r = SSL_write_ex(t->ssl, p, len, &n)) == 1)
		return (ssize_t)n;
	return tls_fail(t, r, &t->wwant, false);
}

/* Decrypted plaintext waiting in the engine. */
bool
tls_pending(const struct tls *t)
{
	return SSL_pending(t->ssl) > 0;
}

/* True until the handshake is over. */
bool
tls_handshaking(const struct tls *t)
{
	return !t->hs_done;
}

/*
 * The poll interest for a connection whose buffers ask for ev: during the
 * handshake only what the engine waits for; after it, a write that waits
 * for the peer's data polls for input instead of output (else a writable
 * socket would wake us at once, forever), and a read that waits to write
 * adds output.
 */
short
tls_poll(const struct tls *t, short ev)
{
	if (!t->hs_done)
		return t->hs_want;
	if (t->wwant == POLLIN && (ev & POLLOUT))
		ev = (short)((ev & ~POLLOUT) | POLLIN);
	if (t->rwant == POLLOUT)
		ev |= POLLOUT;
	return ev;
}

/* Why the last call failed. */
const char *
tls_error(const struct tls *t)
{
	return t->err[0] != '\0' ? t->err : "TLS error";
}
