/*
 * tlsrec.c - TLS 1.3 record protection with OpenSSL's AEAD primitives.
 *
 * The key schedule's last steps (RFC 8446 section 7.3): a traffic
 * secret gives the AEAD key and IV by HKDF-Expand-Label with the labels
 * "key" and "iv", and the next secret (KeyUpdate) with "traffic upd".
 * A record (section 5.2) is the header (type 23, version 0x0303, length)
 * and the AEAD of the inner plaintext (data, its real content type, no
 * padding when we seal), with the header as additional data and the IV
 * XOR the 64-bit sequence number as the nonce.  Each direction keeps its
 * own keyed cipher context, so a record costs no key set-up.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>

#include "tlsrec.h"

/* A TLS 1.3 cipher suite: its AEAD and its hash. */
struct tlsrec_suite {
	uint16_t	   code;
	const EVP_CIPHER *(*cipher)(void);
	const EVP_MD	 *(*md)(void);
	size_t		   key_len;
};

static const struct tlsrec_suite tlsrec_suites[] = {
	{ 0x1301, EVP_aes_128_gcm, EVP_sha256, 16 },
	{ 0x1302, EVP_aes_256_gcm, EVP_sha384, 32 },
	{ 0x1303, EVP_chacha20_poly1305, EVP_sha256, 32 },
};

/* The suite with code, or NULL. */
static const struct tlsrec_suite *
tlsrec_find(uint16_t code)
{
	size_t i;

	for (i = 0; i < sizeof(tlsrec_suites) / sizeof(tlsrec_suites[0]); i++)
		if (tlsrec_suites[i].code == code)
			return &tlsrec_suites[i];
	return NULL;
}

/* True when the library offers suite. */
bool
tlsrec_suite_ok(uint16_t suite)
{
	return tlsrec_find(suite) != NULL;
}

/* HKDF-Expand-Label(secret, label, "", out_len) (RFC 8446 7.1). */
int
tlsrec_expand_label(const EVP_MD *md, const unsigned char *secret,
    size_t secret_len, const char *label, unsigned char *out, size_t out_len)
{
	unsigned char info[2 + 1 + 6 + 32 + 1];
	size_t llen = strlen(label), n = 0;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, rc = -1;
	OSSL_PARAM params[5];
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;

	if (llen > 32 || out_len > 255 * 48)
		return -1;
	/* struct HkdfLabel: length, "tls13 " + label, an empty context. */
	info[n++] = (unsigned char)(out_len >> 8);
	info[n++] = (unsigned char)out_len;
	info[n++] = (unsigned char)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0;
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)EVP_MD_get0_name(md), 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, secret_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, n);
	params[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, out_len, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
	return rc;
}

/* Key k's context and IV from its secret. */
static int
tlsrec_key_load(struct tlsrec_key *k)
{
	const struct tlsrec_suite *s = tlsrec_find(k->suite);
	unsigned char key[32];
	const EVP_MD *md;
	int rc = -1;

	if (s == NULL || (md = s->md()) == NULL)
		return -1;
	if (k->ctx == NULL && (k->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (tlsrec_expand_label(md, k->secret, k->secret_len, "key", key,
	    s->key_len) == 0 && tlsrec_expand_label(md, k->secret,
	    k->secret_len, "iv", k->iv, TLSREC_IV_LEN) == 0 &&
	    EVP_CipherInit_ex(k->ctx, s->cipher(), NULL, key, NULL,
	    k->seal ? 1 : 0) == 1)
		rc = 0;
	OPENSSL_cleanse(key, sizeof(key));
	k->seq = 0;
	return rc;
}

/* Set up k from a traffic secret. */
int
tlsrec_key_init(struct tlsrec_key *k, uint16_t suite,
    const unsigned char *secret, size_t len, bool seal)
{
	const struct tlsrec_suite *s = tlsrec_find(suite);

	if (s == NULL || len != (size_t)EVP_MD_get_size(s->md()) ||
	    len > sizeof(k->secret))
		return -1;
	k->suite = suite;
	k->seal = seal;
	k->secret_len = (uint8_t)len;
	memcpy(k->secret, secret, len);
	return tlsrec_key_load(k);
}

/* The next generation of k's keys (RFC 8446 7.2). */
int
tlsrec_key_update(struct tlsrec_key *k)
{
	const struct tlsrec_suite *s = tlsrec_find(k->suite);
	unsigned char next[TLSREC_SECRET_MAX];

	if (s == NULL || tlsrec_expand_label(s->md(), k->secret, k->secret_len,
	    "traffic upd", next, k->secret_len) == -1)
		return -1;
	memcpy(k->secret, next, k->secret_len);
	OPENSSL_cleanse(next, sizeof(next));
	return tlsrec_key_load(k);
}

/* Wipe and free k. */
void
tlsrec_key_wipe(struct tlsrec_key *k)
{
	EVP_CIPHER_CTX_free(k->ctx);	/* cleanses the key schedule */
	OPENSSL_cleanse(k, sizeof(*k));
	k->ctx = NULL;
}

/* The per-record nonce: the IV XOR the sequence number, right-aligned. */
static void
tlsrec_nonce(const struct tlsrec_key *k, unsigned char nonce[TLSREC_IV_LEN])
{
	int i;

	memcpy(nonce, k->iv, TLSREC_IV_LEN);
	for (i = 0; i < 8; i++)
		nonce[TLSREC_IV_LEN - 1 - i] ^= (unsigned char)(k->seq >> (8 * i));
}

/* The body length a header announces. */
enum tlsrec_err
tlsrec_header(const unsigned char hdr[TLSREC_HDR], size_t *body_len)
{
	size_t n = (size_t)hdr[3] << 8 | hdr[4];

	if (hdr[0] != TLSREC_APPDATA)
		return TLSREC_E_TYPE;
	if (hdr[1] != 0x03 || hdr[2] != 0x03)
		return TLSREC_E_VERSION;
	/* At least the content type and the tag. */
	if (n > TLSREC_CIPHER_MAX || n < 1 + TLSREC_TAG)
		return TLSREC_E_LENGTH;
	*body_len = n;
	return TLSREC_OK;
}

/* Seal one record. */
enum tlsrec_err
tlsrec_seal(struct tlsrec_key *k, uint8_t type, const void *p, size_t len,
    unsigned char *out, size_t *out_len)
{
	unsigned char nonce[TLSREC_IV_LEN], *body = out + TLSREC_HDR;
	size_t clen = len + 1 + TLSREC_TAG;
	int n;

	if (len > TLSREC_PLAIN_MAX)
		return TLSREC_E_LENGTH;
	if (k->seq == UINT64_MAX)
		return TLSREC_E_SEQ;
	out[0] = TLSREC_APPDATA;
	out[1] = 0x03;
	out[2] = 0x03;
	out[3] = (unsigned char)(clen >> 8);
	out[4] = (unsigned char)clen;
	if (len > 0)
		memcpy(body, p, len);
	body[len] = type;
	tlsrec_nonce(k, nonce);
	if (EVP_CipherInit_ex(k->ctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CipherUpdate(k->ctx, NULL, &n, out, TLSREC_HDR) != 1 ||
	    EVP_CipherUpdate(k->ctx, body, &n, body, (int)len + 1) != 1 ||
	    EVP_CipherFinal_ex(k->ctx, body + len + 1, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_GET_TAG, TLSREC_TAG,
	    body + len + 1) != 1)
		return TLSREC_E_CRYPTO;
	k->seq++;
	*out_len = TLSREC_HDR + clen;
	return TLSREC_OK;
}

/* Open one record in place. */
enum tlsrec_err
tlsrec_open(struct tlsrec_key *k, unsigned char *rec, size_t len,
    uint8_t *type, unsigned char **plain, size_t *plain_len)
{
	unsigned char nonce[TLSREC_IV_LEN], *body = rec + TLSREC_HDR;
	enum tlsrec_err e;
	size_t blen, clen;
	int n;

	if (len < TLSREC_HDR || (e = tlsrec_header(rec, &blen)) != TLSREC_OK)
		return len < TLSREC_HDR ? TLSREC_E_LENGTH : e;
	if (blen != len - TLSREC_HDR)
		return TLSREC_E_LENGTH;
	if (k->seq == UINT64_MAX)
		return TLSREC_E_SEQ;
	clen = blen - TLSREC_TAG;
	tlsrec_nonce(k, nonce);
	if (EVP_CipherInit_ex(k->ctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CipherUpdate(k->ctx, NULL, &n, rec, TLSREC_HDR) != 1 ||
	    EVP_CipherUpdate(k->ctx, body, &n, body, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_TAG, TLSREC_TAG,
	    body + clen) != 1)
		return TLSREC_E_CRYPTO;
	if (EVP_CipherFinal_ex(k->ctx, body + clen, &n) != 1) {
		OPENSSL_cleanse(body, clen);	/* never hand out a forgery */
		return TLSREC_E_TAG;
	}
	k->seq++;
	/* The content type is the last non-zero byte (zeros are padding). */
	while (clen > 0 && body[clen - 1] == 0)
		clen--;
	if (clen == 0 || clen - 1 > TLSREC_PLAIN_MAX)
		return TLSREC_E_INNER;
	*type = body[clen - 1];
	*plain = body;
	*plain_len = clen - 1;
	return TLSREC_OK;
}

/* A short text for err. */
const char *
tlsrec_strerror(enum tlsrec_err err)
{
	switch (err) {
	case TLSREC_OK:
		return "no error";
	case TLSREC_E_TYPE:
		return "a record that is not application data";
	case TLSREC_E_VERSION:
		return "a record with a wrong version";
	case TLSREC_E_LENGTH:
		return "a record of a wrong length";
	case TLSREC_E_TAG:
		return "a record that fails authentication";
	case TLSREC_E_INNER:
		return "a record with a wrong inner plaintext";
	case TLSREC_E_SEQ:
		return "sequence numbers used up";
	case TLSREC_E_CRYPTO:
		return "the AEAD failed";
	}
	return "unknown record error";
}
