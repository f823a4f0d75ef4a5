/*
 * tls.h - the server's TLS listener side: one context (key, certificate,
 * TLS 1.3 only) and, per connection, a non-blocking TLS stream that
 * conn.c reads and writes like a socket (OpenSSL for the handshake, our
 * own record layer after it, see tls.c).
 *
 * tls_read() and tls_write() behave like recv() and send(): bytes, 0 at
 * the end of the stream (read only), or -1 with errno EAGAIN when the
 * TLS engine waits for the socket (tls_poll() then says for what) or
 * another errno when the connection is broken.  The handshake runs
 * inside them, so the first read or write of a new connection drives it.
 * As with OpenSSL, a write that returned EAGAIN is called again with the
 * same bytes (or more after them): it may have sealed them already.
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "SHA256:" and 64 hex digits, NUL-terminated. */
#define TLS_FP_LEN		(7 + 64 + 1)
/* Largest plaintext one TLS record carries. */
#define TLS_RECORD_MAX		16384
/* Names of the files made at first start, in the data directory. */
#define TLS_KEY_DEFAULT		"tls-key.pem"
#define TLS_CERT_DEFAULT	"tls-cert.pem"

struct tls;

/*
 * Load the key and certificate (paths relative to dir unless absolute);
 * when both are missing, create an ECDSA P-256 key and a self-signed
 * certificate there (mode 0600) first.  Sets up the one server context
 * and writes "SHA256:<hex>" into fp.  Returns 0, or -1 with err naming
 * the file and the reason.
 */
int		 tls_setup(const char *dir, const char *cert, const char *key,
		     char fp[TLS_FP_LEN], char *err, size_t errlen);
/* Free the context (connections made from it must be gone). */
void		 tls_cleanup(void);
/* A TLS stream over a connected, non-blocking socket; NULL without
   memory or without tls_setup(). */
struct tls	*tls_new(int fd);
void		 tls_free(struct tls *t);
/* Say goodbye (close_notify) when the socket takes it now; call before
   closing the socket. */
void		 tls_shutdown(struct tls *t);
/* Like recv() / send(), see above. */
ssize_t		 tls_read(struct tls *t, void *p, size_t len);
ssize_t		 tls_write(struct tls *t, const void *p, size_t len);
/* Send what an earlier call left (a record's tail, a KeyUpdate); 0, or
   -1 with errno EAGAIN (tls_poll() asks for output) or another. */
int		 tls_flush(struct tls *t);
/* Plaintext already decrypted and not yet read. */
bool		 tls_pending(const struct tls *t);
/* True until the handshake is over. */
bool		 tls_handshaking(const struct tls *t);
/* The poll interest to use when the caller's buffers ask for ev; with
   ev 0, non-zero while the engine itself waits (the handshake, or sealed
   bytes that wait for the socket: tls_flush() or the next write sends
   them). */
short		 tls_poll(const struct tls *t, short ev);
/* Why the last call failed, for the log (static text). */
const char	*tls_error(const struct tls *t);

#endif /* TLS_H */
