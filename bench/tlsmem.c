/*
 * tlsmem.c - heap bytes that the server's TLS layer (firmware-server/tls.c
 * and tlsrec.c, the very code the server runs) keeps per idle connection,
 * which is what a TLS client costs over a plain one.  N connections over
 * socket pairs, each: a full handshake with an OpenSSL client, a greeting
 * out, a line in, a reply out (as a login leaves it), then the client
 * side freed; glibc's mallinfo2() before and after gives the bytes per
 * connection.  Also the bytes tls_new() takes for the handshake (OpenSSL's
 * SSL object, freed when the handshake is over), and what stays after all
 * are freed (a leak would show there).  SUITE makes the client offer only
 * that TLS 1.3 suite (default: the server's choice, ChaCha20-Poly1305).
 *
 *   tlsmem [N [SUITE]]        (default 1000)
 */
#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls.h"

/* Heap bytes in use now. */
static size_t
tlsmem_used(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks;
}

/* Handshake, greeting, one line each way; then free the client side. */
static int
tlsmem_session(struct tls *t, SSL *c)
{
	char buf[256];
	int i;

	for (i = 0; i < 32; i++) {
		SSL_connect(c);
		tls_read(t, buf, sizeof(buf));
		if (!tls_handshaking(t) && SSL_is_init_finished(c))
			break;
	}
	if (tls_handshaking(t) ||
	    tls_write(t, "* HELLO firmware-server 1\r\n", 27) != 27 ||
	    SSL_read(c, buf, sizeof(buf)) <= 0 ||
	    SSL_write(c, "LOGIN alice\r\n", 13) != 13 ||
	    tls_read(t, buf, sizeof(buf)) != 13 ||
	    tls_write(t, "OK password\r\n", 13) != 13 ||
	    SSL_read(c, buf, sizeof(buf)) <= 0)
		return -1;
	/* The server now waits for input, as an idle connection does. */
	if (tls_read(t, buf, sizeof(buf)) != -1 || errno != EAGAIN)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	char fp[TLS_FP_LEN], err[256], dir[] = "/tmp/tlsmem.XXXXXX", p[64];
	size_t base, after, before_new, ssl_new = 0;
	int n = argc > 1 ? atoi(argv[1]) : 1000, i, (*sv)[2];
	struct tls **t;
	SSL_CTX *cctx;
	SSL *c;

	if (n < 2 || (t = calloc((size_t)n, sizeof(*t))) == NULL ||
	    (sv = calloc((size_t)n, sizeof(*sv))) == NULL) {
		fprintf(stderr, "usage: tlsmem [N >= 2 [SUITE]]\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL || tls_setup(dir, TLS_CERT_DEFAULT,
	    TLS_KEY_DEFAULT, fp, err, sizeof(err)) == -1 ||
	    (cctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		fprintf(stderr, "tlsmem: %s\n", err);
		return 1;
	}
	if (argc > 2 && SSL_CTX_set_ciphersuites(cctx, argv[2]) != 1) {
		fprintf(stderr, "tlsmem: unknown suite %s\n", argv[2]);
		return 2;
	}
	base = 0;
	for (i = 0; i < n; i++) {
		if (i == 1)	/* the first one warms OpenSSL's caches up */
			base = tlsmem_used();
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, sv[i]) == -1) {
			perror("tlsmem: socketpair");
			return 1;
		}
		before_new = tlsmem_used();
		if ((t[i] = tls_new(sv[i][0])) == NULL)
			return 1;
		if (i > 0)
			ssl_new += tlsmem_used() - before_new;
		if ((c = SSL_new(cctx)) == NULL || SSL_set_fd(c, sv[i][1]) != 1 ||
		    tlsmem_session(t[i], c) == -1) {
			fprintf(stderr, "tlsmem: connection %d failed: %s\n", i,
			    tls_error(t[i]));
			return 1;
		}
		SSL_free(c);
	}
	malloc_trim(0);
	after = tlsmem_used();
	printf("connections\t%d\n", n);
	printf("tls_bytes_per_conn\t%zu\n", (after - base) / (size_t)(n - 1));
	printf("ssl_new_bytes\t%zu\n", ssl_new / (size_t)(n - 1));
	for (i = 0; i < n; i++) {
		tls_free(t[i]);
		close(sv[i][0]);
		close(sv[i][1]);
	}
	printf("left_after_free_per_conn\t%ld\n",
	    ((long)tlsmem_used() - (long)base) / (n - 1));
	SSL_CTX_free(cctx);
	tls_cleanup();
	snprintf(p, sizeof(p), "%s/%s", dir, TLS_KEY_DEFAULT);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s", dir, TLS_CERT_DEFAULT);
	unlink(p);
	rmdir(dir);
	free(t);
	free(sv);
	return 0;
}
