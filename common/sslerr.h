/*
 * sslerr.h - OpenSSL's results in the terms of the socket calls: a failed
 * SSL_read/SSL_write as recv()/send() would fail, and the error queue as
 * one short reason for a message; the same in the server, the client and
 * the load generator.
 */
#ifndef SSLERR_H
#define SSLERR_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>

/* The reason of OpenSSL's last error in this thread, or fallback when
   the queue is empty or the reason has no text (static text). */
const char	*sslerr_reason(const char *fallback);

/*
 * The SSL call on ssl that returned r failed: 0 for the peer's end while
 * reading (close_notify, or a TCP close without it), else -1 with errno:
 * EAGAIN (*want, when not NULL, gets POLLIN or POLLOUT: what the call waits
 * for), EPIPE (the peer's end while writing), the socket's errno, or EPROTO
 * for a TLS error.  The error queue is cleared, except after EPROTO, when
 * sslerr_reason() tells why (the caller clears it).
 */
ssize_t		 sslerr_io(SSL *ssl, int r, bool reading, short *want);

#endif /* SSLERR_H */
