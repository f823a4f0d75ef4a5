/*
 * net_tls.c - TLS for the client's server connection.
 *
 * TLS 1.3 only.  Without a CA the certificate is not judged by any
 * authority: its SHA-256 fingerprint is compared with the one given on
 * the command line, else with the one pinned in known_servers, else the
 * user is asked (trust on first use, as OpenSSH does).  With a CA the
 * chain and the host name are verified instead.  A refusal happens after
 * the handshake and before the first byte of the protocol, and nothing
 * ever falls back to plain TCP.  The last session ticket is kept, so a
 * reconnect to the same server resumes without a full handshake.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net_tls.h"
#include "sslerr.h"
#include "trust.h"

struct net_tls {
	SSL	*ssl;
	char	 key[TRUST_LINE_MAX];	/* "HOST:PORT", as in known_servers */
	char	 host[TRUST_LINE_MAX];	/* the name or address checked */
};

static SSL_CTX		*net_tls_ctx;
static char		 net_tls_ctx_ca[TRUST_PATH_MAX];
static SSL_SESSION	*net_tls_session;	/* the last ticket */
static char		 net_tls_session_key[TRUST_LINE_MAX];

/* Free what the connects kept (at exit: nothing is left for leak
   checkers to report). */
static void
net_tls_atexit(void)
{
	SSL_SESSION_free(net_tls_session);
	net_tls_session = NULL;
	SSL_CTX_free(net_tls_ctx);
	net_tls_ctx = NULL;
}

/*
 * Keep a copy of the newest session ticket for the next connect.  A copy,
 * because OpenSSL marks the connection's own session not resumable when
 * the connection is freed without a close_notify sent, which is what a
 * lost connection, the very case a reconnect is for, always is.
 */
static int
net_tls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	SSL_SESSION *copy = SSL_SESSION_dup(sess);

	(void)ssl;
	if (copy != NULL) {
		SSL_SESSION_free(net_tls_session);
		net_tls_session = copy;
	}
	return 0;	/* OpenSSL keeps its reference */
}

/* The one client context, made at the first connect. */
static int
net_tls_context(const struct net_tls_opts *o, char *err, size_t errlen)
{
	const char *ca = o->ca != NULL ? o->ca : "";

	if (net_tls_ctx != NULL && strcmp(net_tls_ctx_ca, ca) == 0)
		return 0;
	if (net_tls_ctx == NULL)
		atexit(net_tls_atexit);
	SSL_CTX_free(net_tls_ctx);
	if ((net_tls_ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "TLS: %s", sslerr_reason("no memory"));
		return -1;
	}
	SSL_CTX_set_min_proto_version(net_tls_ctx, TLS1_3_VERSION);
	/* A server that goes without close_notify has gone (framed lines:
	   nothing cut is taken for whole). */
	SSL_CTX_set_options(net_tls_ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(net_tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(net_tls_ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(net_tls_ctx, net_tls_new_session);
	if (ca[0] != '\0' &&
	    SSL_CTX_load_verify_locations(net_tls_ctx, ca, NULL) != 1) {
		snprintf(err, errlen, "[tls] ca %s: %s", ca,
		    sslerr_reason("cannot read it"));
		SSL_CTX_free(net_tls_ctx);
		net_tls_ctx = NULL;
		return -1;
	}
	snprintf(net_tls_ctx_ca, sizeof(net_tls_ctx_ca), "%s", ca);
	return 0;
}

/*
 * One step of the handshake on the non-blocking socket: 0 when it is
 * done, 1 with *events (POLLIN or POLLOUT) to wait for, -1 or
 * NET_TLS_REFUSED with err.
 */
static int
net_tls_handshake(SSL *ssl, short *events, char *err, size_t errlen)
{
	int r, e;
	long v;

	ERR_clear_error();
	if ((r = SSL_connect(ssl)) == 1)
		return 0;
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return 1;
	}
	if ((v = SSL_get_verify_result(ssl)) != X509_V_OK) {
		snprintf(err, errlen, "the server's certificate is not "
		    "trusted: %s", X509_verify_cert_error_string(v));
		return NET_TLS_REFUSED;
	}
	if (e == SSL_ERROR_SYSCALL)
		snprintf(err, errlen, "TLS handshake: %s", errno != 0 ?
		    strerror(errno) : "the server closed the "
		    "connection (is this its TLS port?)");
	else
		snprintf(err, errlen, "TLS handshake failed: %s (is "
		    "this the server's TLS port?)",
		    sslerr_reason("protocol error"));
	return -1;
}

/* The server certificate's fingerprint as "SHA256:hex". */
static int
net_tls_peer_fp(SSL *ssl, char fp[TRUST_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	X509 *x = SSL_get0_peer_certificate(ssl);

	if (x == NULL || X509_digest(x, EVP_sha256(), md, &len) != 1 ||
	    len != 32)
		return -1;
	memcpy(fp, "SHA256:", 7);
	for (i = 0; i < len; i++)
		snprintf(fp + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Judge the server by its fingerprint: given, pinned, or asked. */
static int
net_tls_judge(const char *key, const char *fp, const struct net_tls_opts *o,
    char *err, size_t errlen)
{
	char path[TRUST_PATH_MAX], want[TRUST_FP_LEN], why[TRUST_PATH_MAX + 64];
	struct trust_entry e;
	bool have_path = trust_path(path, sizeof(path)) == 0;

	if (o->fingerprint != NULL) {
		if (trust_fp_parse(o->fingerprint, want) == -1) {
			snprintf(err, errlen, "--fingerprint %s: expected "
			    "SHA256: and 64 hex digits", o->fingerprint);
			return -1;
		}
		if (strcmp(want, fp) == 0)
			return 0;
		snprintf(err, errlen, "the server %s is not the one expected: "
		    "its certificate is %s, expected %s (--fingerprint); "
		    "not connecting", key, fp, want);
		return NET_TLS_REFUSED;
	}
	if (!have_path) {
		snprintf(err, errlen, "no place for known_servers (set HOME "
		    "or XDG_DATA_HOME), and no --fingerprint");
		return -1;
	}
	if (trust_lookup(path, key, &e, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (e.found && strcmp(e.fp, fp) == 0)
		return 0;
	if (e.found) {
		snprintf(err, errlen, "WARNING: the certificate of %s has "
		    "CHANGED: it is %s, but %s was pinned at %s:%d.  Someone "
		    "may be intercepting the connection.  If the server's key "
		    "really changed, remove that line and connect again.  Not "
		    "connecting", key, fp, e.fp, path, e.line);
		return NET_TLS_REFUSED;
	}
	if (o->ask == NULL || !o->ask(key, fp, o->ask_arg)) {
		snprintf(err, errlen, "the server %s (certificate %s) was not "
		    "trusted; not connecting", key, fp);
		return NET_TLS_REFUSED;
	}
	if (trust_pin(path, key, fp, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "cannot pin the server: %s", why);
		return -1;
	}
	return 0;
}

/* A TLS stream on the connected socket fd, the handshake not begun. */
int
net_tls_start(int fd, const char *host, const char *port,
    const struct net_tls_opts *o, struct net_tls **out, char *err,
    size_t errlen)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct net_tls *t;
	bool literal;

	*out = NULL;
	if (net_tls_context(o, err, errlen) == -1)
		return -1;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->ssl = SSL_new(net_tls_ctx)) == NULL ||
	    SSL_set_fd(t->ssl, fd) != 1) {
		snprintf(err, errlen, "TLS: %s", sslerr_reason("no memory"));
		net_tls_free(t);
		ERR_clear_error();
		return -1;
	}
	trust_key(t->key, sizeof(t->key), host, port);
	snprintf(t->host, sizeof(t->host), "%s", host);
	literal = inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
	if (!literal)
		SSL_set_tlsext_host_name(t->ssl, host);
	if (o->ca != NULL) {
		SSL_set_verify(t->ssl, SSL_VERIFY_PEER, NULL);
		if (literal)
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl),
			    host);
		else
			SSL_set1_host(t->ssl, host);
	}
	if (net_tls_session != NULL &&
	    strcmp(net_tls_session_key, t->key) == 0)
		SSL_set_session(t->ssl, net_tls_session);
	*out = t;
	return 0;
}

/* Move the handshake on; once done, check the server. */
int
net_tls_step(struct net_tls *t, const struct net_tls_opts *o,
    short *events, char *err, size_t errlen)
{
	char fp[TRUST_FP_LEN];
	int r;

	if ((r = net_tls_handshake(t->ssl, events, err, errlen)) != 0) {
		if (r == NET_TLS_REFUSED && o->ca != NULL)
			snprintf(err + strlen(err), errlen - strlen(err),
			    " (%s checked against [tls] ca %s); not connecting",
			    t->host, o->ca);
		if (r != 1)
			ERR_clear_error();
		return r;
	}
	snprintf(net_tls_session_key, sizeof(net_tls_session_key), "%s",
	    t->key);
	if (o->ca == NULL) {
		if (net_tls_peer_fp(t->ssl, fp) == -1) {
			snprintf(err, errlen, "the server sent no certificate");
			r = NET_TLS_REFUSED;
		} else
			r = net_tls_judge(t->key, fp, o, err, errlen);
	}
	ERR_clear_error();
	return r;
}

/* Like recv(). */
ssize_t
net_tls_read(struct net_tls *t, void *p, size_t len)
{
	size_t n;
	int r;

	ERR_clear_error();
	if ((r = SSL_read_ex(t->ssl, p, len, &n)) == 1)
		return (ssize_t)n;
	return sslerr_io(t->ssl, r, true, NULL);
}

/* Like send(). */
ssize_t
net_tls_write(struct net_tls *t, const void *p, size_t len)
{
	size_t n;
	int r;

	ERR_clear_error();
	if ((r = SSL_write_ex(t->ssl, p, len, &n)) == 1)
		return (ssize_t)n;
	return sslerr_io(t->ssl, r, false, NULL);
}

/* Decrypted bytes waiting. */
bool
net_tls_pending(const struct net_tls *t)
{
	return SSL_pending(t->ssl) > 0;
}

/* Free the stream. */
void
net_tls_free(struct net_tls *t)
{
	if (t == NULL)
		return;
	if (SSL_is_init_finished(t->ssl)) {
		SSL_shutdown(t->ssl);	/* close_notify, best effort */
		ERR_clear_error();
	}
	SSL_free(t->ssl);
	free(t);
}
