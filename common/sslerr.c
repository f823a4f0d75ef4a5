/*
 * sslerr.c - OpenSSL's last error as a reason for a message.
 */
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
