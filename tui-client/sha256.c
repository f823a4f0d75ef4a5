/*
 * sha256.c - SHA-256 of whole files received from or sent to a peer,
 * from libcrypto: it picks the fastest code for the processor at run time
 * (the SHA extensions on x86-64, the ARMv8 SHA instructions on the boards
 * that have them, where a C version runs at a fraction of the speed).
 *
 * The streaming context lives inside each transfer and a transfer may end
 * anywhere, so this uses libcrypto's fixed-size SHA256_CTX (no allocation,
 * nothing to free) rather than an EVP_MD_CTX; OpenSSL 3 marks it
 * deprecated but keeps it, and OPENSSL_API_COMPAT says which API we mean.
 */
#define OPENSSL_API_COMPAT	0x10100000L

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "sha256.h"

/* Start a digest. */
void
sha256_init(struct sha256 *c)
{
	SHA256_Init(&c->ctx);
}

/* Hash len more bytes. */
void
sha256_update(struct sha256 *c, const void *data, size_t len)
{
	SHA256_Update(&c->ctx, data, len);
}

/* Write the digest and wipe the context. */
void
sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	SHA256_Final(out, &c->ctx);
	OPENSSL_cleanse(c, sizeof(*c));
}

/* The digest of one buffer. */
void
sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	SHA256(data, len, out);
}
