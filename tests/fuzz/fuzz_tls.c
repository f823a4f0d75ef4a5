/*
 * fuzz_tls.c - libFuzzer harness for the server's TLS input path: bytes
 * that a TLS client sends reach a new connection of tls.c over a socket
 * pair, and tls_read() / tls_write() drive the handshake and the records
 * until the stream ends or fails.  The first byte of an input chooses
 * what the rest is: 0, the client's very first bytes (a ClientHello or
 * garbage); 1, raw bytes after a real handshake with an OpenSSL client
 * (forged or broken records); 2, plaintext that the real client sends
 * in records cut where the input says; 3, records sealed with the
 * client's real key (taken from its key log) whose inner content type
 * and plaintext the input chooses, so the server's handling of what a
 * record carries (alerts, KeyUpdates, other handshake messages, padding)
 * is reached past the authentication.  Whatever comes, every call must
 * return like recv() / send() do, the poll interest must be one the
 * loop can wait for, and nothing may leak.  The key and certificate are
 * made once, in a temporary directory.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls.h"
#include "tlsrec.h"

/* Rounds of the handshake; and of reading, over the input's length
   (a record is at least one byte of it). */
#define FUZZ_TLS_ROUNDS	64

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	 fuzz_dir[] = "/tmp/fuzz_tls.XXXXXX";
static SSL_CTX	*fuzz_cctx;
/* The client's application traffic secret of the current connection. */
static unsigned char	fuzz_secret[TLSREC_SECRET_MAX];
static size_t		fuzz_secret_len;

/* The client's key log: keep CLIENT_TRAFFIC_SECRET_0. */
static void
fuzz_tls_keylog(const SSL *ssl, const char *line)
{
	const char *hex = strrchr(line, ' ');
	unsigned int b;

	(void)ssl;
	if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) != 0 || hex == NULL)
		return;
	for (fuzz_secret_len = 0, hex++; hex[0] != '\0' && hex[1] != '\0' &&
	    fuzz_secret_len < sizeof(fuzz_secret); hex += 2)
		if (sscanf(hex, "%2x", &b) == 1)
			fuzz_secret[fuzz_secret_len++] = (unsigned char)b;
}

/* Remove the key, the certificate and their directory at exit. */
static void
fuzz_tls_atexit(void)
{
	char p[sizeof(fuzz_dir) + 32];

	tls_cleanup();
	SSL_CTX_free(fuzz_cctx);
	snprintf(p, sizeof(p), "%s/%s", fuzz_dir, TLS_KEY_DEFAULT);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s", fuzz_dir, TLS_CERT_DEFAULT);
	unlink(p);
	rmdir(fuzz_dir);
}

/* Make the server context once. */
static void
fuzz_tls_setup(void)
{
	char fp[TLS_FP_LEN], err[256];

	if (mkdtemp(fuzz_dir) == NULL || tls_setup(fuzz_dir, TLS_CERT_DEFAULT,
	    TLS_KEY_DEFAULT, fp, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_tls: %s\n", err);
		abort();
	}
	if ((fuzz_cctx = SSL_CTX_new(TLS_client_method())) == NULL)
		abort();
	SSL_CTX_set_min_proto_version(fuzz_cctx, TLS1_3_VERSION);
	SSL_CTX_set_keylog_callback(fuzz_cctx, fuzz_tls_keylog);
	atexit(fuzz_tls_atexit);
}

/* Read what the server wrote to the client's end, and drop it. */
static void
fuzz_tls_drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* A real client's handshake with t over fd; 0 once both ends are done. */
static int
fuzz_tls_handshake(struct tls *t, SSL *c)
{
	unsigned char b[1];
	int i;

	for (i = 0; i < FUZZ_TLS_ROUNDS; i++) {
		if (SSL_connect(c) == 1 && !tls_handshaking(t))
			return 0;
		if (tls_read(t, b, sizeof(b)) != -1 || errno != EAGAIN)
			return -1;
	}
	return -1;
}

/* Mode 3: records of [type, length, plaintext] sealed with the client's
   key, written straight to the socket. */
static void
fuzz_tls_sealed(SSL *c, int fd, const uint8_t *data, size_t size)
{
	static unsigned char rec[TLSREC_SEALED_MAX];
	const SSL_CIPHER *cs = SSL_get_current_cipher(c);
	struct tlsrec_key k;
	size_t n, len;
	uint8_t type;

	memset(&k, 0, sizeof(k));
	if (cs == NULL || tlsrec_key_init(&k, SSL_CIPHER_get_protocol_id(cs),
	    fuzz_secret, fuzz_secret_len, true) == -1)
		abort();
	while (size >= 2) {
		type = data[0];
		n = data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (tlsrec_seal(&k, type, data, n, rec, &len) != TLSREC_OK)
			abort();
		if (write(fd, rec, len) != (ssize_t)len)
			abort();
		data += n;
		size -= n;
	}
	tlsrec_key_wipe(&k);
}

/* What the client sends after the handshake, as the mode says. */
static void
fuzz_tls_send(SSL *c, int fd, int mode, const uint8_t *data, size_t size)
{
	size_t n;

	if (mode == 3) {
		fuzz_tls_sealed(c, fd, data, size);
		return;
	}
	if (mode == 1) {
		if (size > 0 && write(fd, data, size) != (ssize_t)size)
			abort();
		return;
	}
	/* Mode 2: a byte gives the length of the next record (0: one byte). */
	while (size > 0) {
		n = data[0] != 0 ? data[0] : 1;
		data++;
		size--;
		if (n > size)
			n = size;
		if (n > 0 && SSL_write(c, data, (int)n) != (int)n)
			abort();
		data += n;
		size -= n;
	}
	SSL_shutdown(c);	/* close_notify */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	unsigned char buf[TLS_RECORD_MAX];
	struct tls *t;
	SSL *c = NULL;
	int sv[2], i, mode;
	ssize_t n = 0;
	short ev;

	if (!ready) {
		fuzz_tls_setup();
		ready = 1;
	}
	if (size == 0)
		return 0;
	mode = data[0] % 4;
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	if ((t = tls_new(sv[0])) == NULL)
		abort();
	if (mode == 0) {
		if (size > 0 && write(sv[1], data, size) != (ssize_t)size)
			abort();
	} else {
		if ((c = SSL_new(fuzz_cctx)) == NULL ||
		    SSL_set_fd(c, sv[1]) != 1 || fuzz_tls_handshake(t, c) == -1)
			abort();
		fuzz_tls_send(c, sv[1], mode, data, size);
	}
	shutdown(sv[1], SHUT_WR);	/* the client's end of the stream */
	for (i = 0; i < (int)size + FUZZ_TLS_ROUNDS; i++) {
		n = tls_read(t, buf, sizeof(buf));
		if (n > (ssize_t)sizeof(buf) || (n == -1 && errno == 0))
			abort();
		if (n == 0 || (n == -1 && errno != EAGAIN))
			break;
		ev = tls_poll(t, POLLIN);
		if ((ev & ~(POLLIN | POLLOUT)) != 0 || ev == 0)
			abort();
		if (n == -1 && tls_write(t, "* HELLO\r\n", 9) == -1 &&
		    errno != EAGAIN)
			break;
		fuzz_tls_drain(sv[1]);
	}
	/* Mode 2 sent only well-formed records and a close_notify: the
	   stream must end cleanly. */
	if (mode == 2 && n != 0) {
		fprintf(stderr, "fuzz_tls: %s\n", tls_error(t));
		abort();
	}
	tls_shutdown(t);
	tls_free(t);
	SSL_free(c);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
