/*
 * sslerr.c - OpenSSL's results in the terms of the socket calls.
 */
#include <errno.h>
#include <poll.h>

#include <openssl/err.h>

#include "sslerr.h"

/* The reason of OpenSSL's last error, or fallback. */
const char *
sslerr_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : fallback;
}

/* A failed SSL_read/SSL_write as recv()/send() would have failed. */
ssize_t
sslerr_io(SSL *ssl, int r, bool reading, short *want)
{
	int e = SSL_get_error(ssl, r), saved = errno;

	if (e != SSL_ERROR_SSL)
		ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		if (want != NULL)
			*want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		if (reading)
			return 0;
		errno = EPIPE;
		return -1;
	case SSL_ERROR_SYSCALL:
		if (saved == 0 && reading)
			return 0;	/* closed without close_notify */
		errno = saved != 0 ? saved : EPIPE;
		return -1;
	default:
		errno = EPROTO;
		return -1;
	}
}
