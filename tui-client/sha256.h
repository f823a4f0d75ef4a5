/*
 * sha256.h - SHA-256 (libcrypto's), streaming: init, update any number of
 * times, final.  Used to check a whole file received from a peer.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#define SHA256_LEN	32	/* bytes of a digest */

/* libcrypto's context (sha256.c says why not EVP): fixed size, no
   allocation, so a transfer that ends anywhere leaks nothing. */
struct sha256 {
	SHA256_CTX	 ctx;
};

void	 sha256_init(struct sha256 *c);
void	 sha256_update(struct sha256 *c, const void *data, size_t len);
/* Write the digest and wipe the context. */
void	 sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
/* The digest of one buffer. */
void	 sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif /* SHA256_H */
