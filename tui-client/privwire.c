/*
 * privwire.c - sealed frames of private chats (see privwire.h).
 */
#include <string.h>

#include "p2p_aead.h"
#include "p2p_wire.h"
#include "privwire.h"

#define PRIVWIRE_KEY_LEN	P2P_KEY_LEN

static const char privwire_salt[] = "fs-chat v1";

/* Both directions' keys. */
int
privwire_init(struct privwire *w, const char *secret_hex, bool requester)
{
	unsigned char secret[P2P_SECRET_LEN], req[PRIVWIRE_KEY_LEN],
	    ans[PRIVWIRE_KEY_LEN];
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if (p2p_parse_secret(secret_hex, secret) == 0 &&
	    p2p_aead_hkdf(secret, privwire_salt, "requester",
	    strlen("requester"), req) == 0 &&
	    p2p_aead_hkdf(secret, privwire_salt, "answerer",
	    strlen("answerer"), ans) == 0 &&
	    (w->seal = p2p_aead_cipher(requester ? req : ans, true)) != NULL &&
	    (w->open = p2p_aead_cipher(requester ? ans : req, false)) != NULL)
		rc = 0;
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(req, sizeof(req));
	OPENSSL_cleanse(ans, sizeof(ans));
	if (rc == -1)
		privwire_free(w);
	return rc;
}

/* Free both contexts. */
void
privwire_free(struct privwire *w)
{
	EVP_CIPHER_CTX_free(w->seal);
	EVP_CIPHER_CTX_free(w->open);
	w->seal = w->open = NULL;
}

/* The nonce of frame ctr. */
static void
privwire_nonce(uint64_t ctr, unsigned char n[12])
{
	int i;

	memset(n, 0, 4);
	for (i = 0; i < 8; i++)
		n[4 + i] = (unsigned char)(ctr >> (56 - 8 * i));
}

/* Seal one frame. */
size_t
privwire_seal(struct privwire *w, const void *text, size_t n,
    unsigned char *out)
{
	unsigned char nonce[12];
	size_t l = n + PRIVWIRE_TAG_LEN;
	int k;

	if (w->seal == NULL || n > PRIVWIRE_TEXT_MAX)
		return 0;
	out[0] = (unsigned char)(l >> 8);
	out[1] = (unsigned char)l;
	privwire_nonce(w->seal_ctr, nonce);
	if (EVP_EncryptInit_ex(w->seal, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(w->seal, NULL, &k, out, PRIVWIRE_HDR_LEN) != 1 ||
	    (n > 0 && EVP_EncryptUpdate(w->seal, out + PRIVWIRE_HDR_LEN, &k,
	    text, (int)n) != 1) ||
	    EVP_EncryptFinal_ex(w->seal, out + PRIVWIRE_HDR_LEN + n, &k) != 1 ||
	    EVP_CIPHER_CTX_ctrl(w->seal, EVP_CTRL_AEAD_GET_TAG,
	    PRIVWIRE_TAG_LEN, out + PRIVWIRE_HDR_LEN + n) != 1)
		return 0;
	w->seal_ctr++;
	return PRIVWIRE_HDR_LEN + l;
}

/* Open the frame at the start of buf. */
int
privwire_open(struct privwire *w, const unsigned char *buf, size_t len,
    char *out, size_t *outlen)
{
	unsigned char nonce[12], tag[PRIVWIRE_TAG_LEN];
	size_t l, n;
	int k;

	if (len < PRIVWIRE_HDR_LEN)
		return 0;
	l = (size_t)buf[0] << 8 | buf[1];
	if (l < PRIVWIRE_TAG_LEN || l > PRIVWIRE_TEXT_MAX + PRIVWIRE_TAG_LEN)
		return -1;
	if (len < PRIVWIRE_HDR_LEN + l)
		return 0;
	if (w->open == NULL)
		return -1;
	n = l - PRIVWIRE_TAG_LEN;
	memcpy(tag, buf + PRIVWIRE_HDR_LEN + n, sizeof(tag));
	privwire_nonce(w->open_ctr, nonce);
	if (EVP_DecryptInit_ex(w->open, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(w->open, EVP_CTRL_AEAD_SET_TAG,
	    PRIVWIRE_TAG_LEN, tag) != 1 ||
	    EVP_DecryptUpdate(w->open, NULL, &k, buf, PRIVWIRE_HDR_LEN) != 1 ||
	    (n > 0 && EVP_DecryptUpdate(w->open, (unsigned char *)out, &k,
	    buf + PRIVWIRE_HDR_LEN, (int)n) != 1) ||
	    EVP_DecryptFinal_ex(w->open, (unsigned char *)out + n, &k) != 1) {
		OPENSSL_cleanse(out, n);
		return -1;
	}
	out[n] = '\0';
	*outlen = n;
	w->open_ctr++;
	return (int)(PRIVWIRE_HDR_LEN + l);
}
