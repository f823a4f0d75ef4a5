/*
 * p2p_aead.c - HKDF keys, ChaCha20-Poly1305 sealing and the replay window
 * of peer-to-peer datagrams (see p2p_aead.h).
 *
 * ChaCha20-Poly1305 rather than AES-GCM: the boards this runs on
 * (Raspberry Pi 3 and 4) have no AES instructions, where ChaCha20 is
 * several times faster than table-free AES; on x86-64 both run at
 * gigabytes a second, far above what the UDP path moves.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "p2p_aead.h"

static const char p2p_aead_salt[] = "fs-p2p v2";

/* HKDF-SHA256(secret, salt, info) -> out: a key of a transfer or a chat. */
int
p2p_aead_hkdf(const unsigned char secret[P2P_SECRET_LEN], const char *salt,
    const void *info, size_t infolen, unsigned char out[P2P_KEY_LEN])
{
	OSSL_PARAM params[5];
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx = NULL;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, P2P_SECRET_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, strlen(salt));
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)info, infolen);
	params[4] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return -1;
	if ((kctx = EVP_KDF_CTX_new(kdf)) != NULL &&
	    EVP_KDF_derive(kctx, out, P2P_KEY_LEN, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* HKDF-SHA256(secret, salt, label || xid) -> out. */
int
p2p_aead_derive(const unsigned char secret[P2P_SECRET_LEN], uint32_t xid,
    bool data, unsigned char out[P2P_KEY_LEN])
{
	unsigned char info[8];

	memcpy(info, data ? "data" : "acks", 4);
	info[4] = (unsigned char)(xid >> 24);
	info[5] = (unsigned char)(xid >> 16);
	info[6] = (unsigned char)(xid >> 8);
	info[7] = (unsigned char)xid;
	return p2p_aead_hkdf(secret, p2p_aead_salt, info, sizeof(info), out);
}

/* A ChaCha20-Poly1305 context keyed for sealing (enc) or opening, or NULL. */
EVP_CIPHER_CTX *
p2p_aead_cipher(const unsigned char key[P2P_KEY_LEN], bool enc)
{
	EVP_CIPHER_CTX *c;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, key, NULL,
	    enc) != 1) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

/* Both directions' contexts for transfer xid. */
int
p2p_aead_init(struct p2p_aead *k, const unsigned char secret[P2P_SECRET_LEN],
    uint32_t xid, bool sender)
{
	unsigned char data[P2P_KEY_LEN], acks[P2P_KEY_LEN];
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (p2p_aead_derive(secret, xid, true, data) == 0 &&
	    p2p_aead_derive(secret, xid, false, acks) == 0 &&
	    (k->seal = p2p_aead_cipher(sender ? data : acks, true)) != NULL &&
	    (k->open = p2p_aead_cipher(sender ? acks : data, false)) != NULL)
		rc = 0;
	OPENSSL_cleanse(data, sizeof(data));
	OPENSSL_cleanse(acks, sizeof(acks));
	if (rc == -1)
		p2p_aead_free(k);
	return rc;
}

/* Free both contexts. */
void
p2p_aead_free(struct p2p_aead *k)
{
	EVP_CIPHER_CTX_free(k->seal);
	EVP_CIPHER_CTX_free(k->open);
	k->seal = k->open = NULL;
}

/* The nonce of datagram number ctr. */
static void
p2p_aead_nonce(uint32_t ctr, unsigned char n[P2P_NONCE_LEN])
{
	memset(n, 0, P2P_NONCE_LEN);
	n[8] = (unsigned char)(ctr >> 24);
	n[9] = (unsigned char)(ctr >> 16);
	n[10] = (unsigned char)(ctr >> 8);
	n[11] = (unsigned char)ctr;
}

/* Seal in place; the tag goes after the ciphertext. */
int
p2p_aead_seal(struct p2p_aead *k, unsigned char *buf, size_t aad, size_t len,
    uint32_t ctr)
{
	unsigned char nonce[P2P_NONCE_LEN];
	int n;

	if (ctr == 0 || k->seal == NULL)
		return -1;
	p2p_aead_nonce(ctr, nonce);
	if (EVP_EncryptInit_ex(k->seal, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(k->seal, NULL, &n, buf, (int)aad) != 1 ||
	    (len > 0 && EVP_EncryptUpdate(k->seal, buf + aad, &n, buf + aad,
	    (int)len) != 1) ||
	    EVP_EncryptFinal_ex(k->seal, buf + aad + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->seal, EVP_CTRL_AEAD_GET_TAG, P2P_TAG_LEN,
	    buf + aad + len) != 1)
		return -1;
	return 0;
}

/* True when ctr was opened before or is too far behind the newest. */
static bool
p2p_aead_seen(const struct p2p_aead *k, uint32_t ctr)
{
	if (ctr == 0)
		return true;
	if (ctr > k->top)
		return false;
	if (k->top - ctr >= P2P_REPLAY_BITS)
		return true;
	return (k->seen[(ctr % P2P_REPLAY_BITS) / 8] >> (ctr % 8)) & 1;
}

/* Remember ctr; a newer top forgets the numbers it slides past. */
static void
p2p_aead_mark(struct p2p_aead *k, uint32_t ctr)
{
	uint32_t i;

	if (ctr > k->top) {
		if (ctr - k->top >= P2P_REPLAY_BITS)
			memset(k->seen, 0, sizeof(k->seen));
		else
			for (i = k->top + 1; i <= ctr; i++)
				k->seen[(i % P2P_REPLAY_BITS) / 8] &=
				    (unsigned char)~(1u << (i % 8));
		k->top = ctr;
	}
	k->seen[(ctr % P2P_REPLAY_BITS) / 8] |= (unsigned char)(1u << (ctr % 8));
}

/* Check the tag and the number, decrypt in place. */
enum p2p_aead_err
p2p_aead_open(struct p2p_aead *k, unsigned char *buf, size_t aad, size_t len,
    uint32_t ctr)
{
	unsigned char nonce[P2P_NONCE_LEN];
	int n;

	if (p2p_aead_seen(k, ctr))
		return P2P_AEAD_REPLAY;
	if (k->open == NULL)
		return P2P_AEAD_TAG;
	p2p_aead_nonce(ctr, nonce);
	if (EVP_DecryptInit_ex(k->open, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->open, EVP_CTRL_AEAD_SET_TAG, P2P_TAG_LEN,
	    buf + aad + len) != 1 ||
	    EVP_DecryptUpdate(k->open, NULL, &n, buf, (int)aad) != 1 ||
	    (len > 0 && EVP_DecryptUpdate(k->open, buf + aad, &n, buf + aad,
	    (int)len) != 1) ||
	    EVP_DecryptFinal_ex(k->open, buf + aad + len, &n) != 1)
		return P2P_AEAD_TAG;
	p2p_aead_mark(k, ctr);
	return P2P_AEAD_OK;
}
