/*
 * privwire.h - the frames of a private chat's direct TCP connection:
 * each line of text travels as one ChaCha20-Poly1305 frame, under a key
 * per direction derived with HKDF-SHA256 from the chat's secret (which
 * only the server links carry; it never crosses the direct connection).
 * No I/O, so Check tests it alone.
 *
 *   frame  = u16 length L (big-endian, authenticated) || L bytes:
 *            ciphertext of the text, then the 16-byte tag
 *   key(requester -> answerer) = HKDF(secret, "fs-chat v1", "requester")
 *   key(answerer -> requester) = HKDF(secret, "fs-chat v1", "answerer")
 *   nonce  = 4 zero bytes || u64 frame counter of the direction (0, 1, ...)
 *
 * TCP keeps the order, so each side knows the counter of the next frame:
 * a replayed, dropped, reordered or changed frame fails its tag.  The
 * requester's first frame is its own user name: it proves knowledge of
 * the secret without revealing it.
 */
#ifndef PRIVWIRE_H
#define PRIVWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "proto.h"

#define PRIVWIRE_TAG_LEN	16
#define PRIVWIRE_HDR_LEN	2
#define PRIVWIRE_TEXT_MAX	PROTO_TEXT_MAX	/* plaintext bytes in a frame */
#define PRIVWIRE_FRAME_MAX	(PRIVWIRE_HDR_LEN + PRIVWIRE_TEXT_MAX + \
				 PRIVWIRE_TAG_LEN)

struct privwire {
	EVP_CIPHER_CTX	*seal;
	EVP_CIPHER_CTX	*open;
	uint64_t	 seal_ctr;	/* next frame we send */
	uint64_t	 open_ctr;	/* next frame we expect */
};

/* Keys from the secret (PROTO_SECRET_HEX hex digits) for the requester's
   or the answerer's side.  0, or -1 (bad secret, libcrypto failed). */
int	 privwire_init(struct privwire *w, const char *secret_hex,
	     bool requester);
/* Free the contexts (safe on a zeroed or freed struct). */
void	 privwire_free(struct privwire *w);
/* Seal n bytes of text (at most PRIVWIRE_TEXT_MAX) into out
   (PRIVWIRE_FRAME_MAX bytes); the frame's length, or 0. */
size_t	 privwire_seal(struct privwire *w, const void *text, size_t n,
	     unsigned char *out);
/*
 * Open the frame at the start of buf (len bytes held): 0 when it is not
 * all there yet, -1 when it is bad (a length out of bounds, a wrong tag),
 * else the bytes it took, its text in out (PRIVWIRE_TEXT_MAX + 1 bytes,
 * NUL-terminated) and its length in *outlen.  Only a good frame moves
 * the counter.
 */
int	 privwire_open(struct privwire *w, const unsigned char *buf,
	     size_t len, char *out, size_t *outlen);

#endif /* PRIVWIRE_H */
