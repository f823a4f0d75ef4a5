/*
 * tlskey.h - the TLS listener's key and certificate files (tlskey.c).
 */
#ifndef TLSKEY_H
#define TLSKEY_H

#include <stddef.h>

#include <openssl/x509.h>

#include "tls.h"

/* dir/name, or name when it is absolute; -1 when too long. */
int	tlskey_path(char *out, size_t size, const char *dir, const char *name);
/* Make an ECDSA P-256 key and a self-signed certificate for it; 0, or
   -1 with err. */
int	tlskey_create(const char *certpath, const char *keypath, char *err,
	    size_t errlen);
/* The SHA-256 of a certificate's DER form as "SHA256:<hex>". */
void	tlskey_fingerprint(X509 *x, char fp[TLS_FP_LEN]);
/* 0 when path can be opened for reading, else -1 with err. */
int	tlskey_readable(const char *what, const char *path, char *err,
	    size_t errlen);

#endif /* TLSKEY_H */
