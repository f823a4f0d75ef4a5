/*
 * tlsrec.h - TLS 1.3 record protection (RFC 8446 sections 5 and 7), the
 * part of TLS that a connection needs once OpenSSL has finished the
 * handshake: per direction a traffic secret, the AEAD key and IV derived
 * from it, and a sequence number.  Pure: no I/O, no logging; the caller
 * owns every buffer.  tls.c frees OpenSSL's connection object after the
 * handshake and keeps two of these instead.
 */
#ifndef TLSREC_H
#define TLSREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* The record header: type, legacy version 0x0303, length. */
#define TLSREC_HDR		5
#define TLSREC_TAG		16
#define TLSREC_IV_LEN		12
#define TLSREC_SECRET_MAX	48	/* SHA-384 */
/* Limits of RFC 8446 section 5.2: plaintext, and ciphertext after the
   header (plaintext, the content type, padding and the tag). */
#define TLSREC_PLAIN_MAX	16384
#define TLSREC_CIPHER_MAX	(TLSREC_PLAIN_MAX + 256)
/* The largest record tlsrec_seal() makes. */
#define TLSREC_SEALED_MAX	(TLSREC_HDR + TLSREC_PLAIN_MAX + 1 + TLSREC_TAG)
/* Content types. */
#define TLSREC_ALERT		21
#define TLSREC_HANDSHAKE	22
#define TLSREC_APPDATA		23
/* Records one key seals before its owner moves to the next one with a
   KeyUpdate: below AES-GCM's 2^24.5 of RFC 8446 section 5.5. */
#define TLSREC_SEQ_LIMIT	(UINT64_C(1) << 24)

/* One direction's keys.  suite is the cipher suite's code (0x1301..3);
   seal is true for the direction we write. */
struct tlsrec_key {
	EVP_CIPHER_CTX	*ctx;		/* keyed; the nonce is set per record */
	uint64_t	 seq;
	uint16_t	 suite;
	bool		 seal;
	uint8_t		 secret_len;
	unsigned char	 iv[TLSREC_IV_LEN];
	unsigned char	 secret[TLSREC_SECRET_MAX];
};

enum tlsrec_err {
	TLSREC_OK = 0,
	TLSREC_E_TYPE,		/* outer type not application_data */
	TLSREC_E_VERSION,	/* legacy version not 0x0303 */
	TLSREC_E_LENGTH,	/* ciphertext too long or too short */
	TLSREC_E_TAG,		/* authentication failed */
	TLSREC_E_INNER,		/* no content type, or plaintext too long */
	TLSREC_E_SEQ,		/* the sequence number would wrap */
	TLSREC_E_CRYPTO		/* the library failed */
};

/* True when the library offers suite (a TLS 1.3 cipher suite code). */
bool		 tlsrec_suite_ok(uint16_t suite);
/* Set up k (zeroed or wiped) from a traffic secret of suite, to seal
   or to open records; seq starts at 0.  0, or -1. */
int		 tlsrec_key_init(struct tlsrec_key *k, uint16_t suite,
		     const unsigned char *secret, size_t len, bool seal);
/* The next traffic secret of k (KeyUpdate), new key and IV, seq 0. */
int		 tlsrec_key_update(struct tlsrec_key *k);
/* Wipe and free k. */
void		 tlsrec_key_wipe(struct tlsrec_key *k);
/* HKDF-Expand-Label(secret, label, "", out_len) with the hash md. */
int		 tlsrec_expand_label(const EVP_MD *md, const unsigned char *secret,
		     size_t secret_len, const char *label, unsigned char *out,
		     size_t out_len);
/* The body length a record header announces, or an error. */
enum tlsrec_err	 tlsrec_header(const unsigned char hdr[TLSREC_HDR],
		     size_t *body_len);
/* Seal len (<= TLSREC_PLAIN_MAX) bytes of type into out (room for
   TLSREC_HDR + len + 1 + TLSREC_TAG); *out_len gets the record's size. */
enum tlsrec_err	 tlsrec_seal(struct tlsrec_key *k, uint8_t type,
		     const void *p, size_t len, unsigned char *out,
		     size_t *out_len);
/* Open the record rec (header and body, len bytes, header checked) in
   place: *type and the plaintext at *plain, *plain_len bytes. */
enum tlsrec_err	 tlsrec_open(struct tlsrec_key *k, unsigned char *rec,
		     size_t len, uint8_t *type, unsigned char **plain,
		     size_t *plain_len);
/* A short text for err. */
const char	*tlsrec_strerror(enum tlsrec_err err);

#endif /* TLSREC_H */
