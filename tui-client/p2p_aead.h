/*
 * p2p_aead.h - the keys of one peer-to-peer transfer and the sealing of
 * its datagrams: ChaCha20-Poly1305 from libcrypto, one key per direction
 * derived with HKDF-SHA256 from the transfer's secret (which only the
 * server link carries), the datagram's number as its nonce, and a window
 * that drops a datagram seen before.  No I/O.
 *
 *   key(sender -> receiver) = HKDF(secret, salt "fs-p2p v2", info "data" XID)
 *   key(receiver -> sender) = HKDF(secret, salt "fs-p2p v2", info "acks" XID)
 *   nonce = 8 zero bytes, then pktno (u32 big-endian)
 *
 * Each direction numbers its datagrams 1, 2, 3 ... and never reuses a
 * number (a retransmission is a new datagram with a new number), so no
 * nonce repeats under one key; 0 is refused, so a counter that wrapped
 * seals nothing more.
 */
#ifndef P2P_AEAD_H
#define P2P_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define P2P_SECRET_LEN	16	/* the server's per-transfer secret */
#define P2P_KEY_LEN	32
#define P2P_TAG_LEN	16
#define P2P_NONCE_LEN	12
#define P2P_REPLAY_BITS	4096	/* datagram numbers remembered behind the
				   newest; anything older is dropped too */

struct p2p_aead {
	EVP_CIPHER_CTX	*seal;		/* what we send */
	EVP_CIPHER_CTX	*open;		/* what the peer sends */
	uint32_t	 top;		/* newest number opened, 0: none */
	unsigned char	 seen[P2P_REPLAY_BITS / 8];	/* by number % bits */
};

/* Why a datagram did not open. */
enum p2p_aead_err {
	P2P_AEAD_OK = 0,
	P2P_AEAD_TAG,		/* forged, corrupted, or another key */
	P2P_AEAD_REPLAY,	/* a number seen before, or too old */
};

/* Derive both directions' keys for transfer xid; sender says which side
   we are.  0, or -1 (libcrypto failed; nothing to free). */
int		 p2p_aead_init(struct p2p_aead *k,
		     const unsigned char secret[P2P_SECRET_LEN], uint32_t xid,
		     bool sender);
/* Free the contexts (safe on a zeroed or freed struct). */
void		 p2p_aead_free(struct p2p_aead *k);
/* HKDF-SHA256 of a secret (a transfer's or a private chat's) with salt and
   info: P2P_KEY_LEN bytes to out.  0, or -1 (libcrypto failed). */
int		 p2p_aead_hkdf(const unsigned char secret[P2P_SECRET_LEN],
		     const char *salt, const void *info, size_t infolen,
		     unsigned char out[P2P_KEY_LEN]);
/* A ChaCha20-Poly1305 context keyed for sealing (enc) or opening, or NULL. */
EVP_CIPHER_CTX	*p2p_aead_cipher(const unsigned char key[P2P_KEY_LEN],
		     bool enc);
/* The key of one direction (for tests and the documentation's vector). */
int		 p2p_aead_derive(const unsigned char secret[P2P_SECRET_LEN],
		     uint32_t xid, bool data, unsigned char out[P2P_KEY_LEN]);
/*
 * Encrypt buf[aad, aad + len) in place with number ctr, buf[0, aad)
 * authenticated only, and write the tag after it.  0, or -1 (ctr 0, or
 * libcrypto failed).
 */
int		 p2p_aead_seal(struct p2p_aead *k, unsigned char *buf,
		     size_t aad, size_t len, uint32_t ctr);
/*
 * Check and decrypt in place a datagram sealed so (len counts the
 * plaintext, the tag follows), numbered ctr; a number seen before is
 * dropped before any work, and only an authentic datagram is remembered.
 */
enum p2p_aead_err p2p_aead_open(struct p2p_aead *k, unsigned char *buf,
		     size_t aad, size_t len, uint32_t ctr);

#endif /* P2P_AEAD_H */
