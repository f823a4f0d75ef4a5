/*
 * tlskey.c - the TLS listener's key and certificate files: made at the
 * first start when neither exists (an ECDSA P-256 key and a self-signed
 * certificate, mode 0600, written atomically), checked for reading, and
 * the certificate's fingerprint that users pin.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "sslerr.h"
#include "store.h"
#include "tlskey.h"

/* Years the self-made certificate is valid: the pin, not the date, is
   what clients check. */
#define TLS_CERT_DAYS		(100 * 365)

/* dir/name, or name when it is absolute; -1 when too long. */
int
tlskey_path(char *out, size_t size, const char *dir, const char *name)
{
	int n;

	if (name[0] == '/')
		n = snprintf(out, size, "%s", name);
	else
		n = snprintf(out, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Write PEM text to path atomically with mode 0600 (the store's
   temporary file, fsync, rename and directory fsync). */
static int
tlskey_write_file(const char *path, BIO *mem, char *err, size_t errlen)
{
	char *data;
	long len = BIO_get_mem_data(mem, &data);

	if (len < 0 || store_write_atomic(path, data, (size_t)len, true) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    len < 0 ? "no data" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Make an ECDSA P-256 key and a self-signed certificate for it. */
int
tlskey_create(const char *certpath, const char *keypath, char *err,
    size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	BIO *kb = NULL, *cb = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char host[256], *kdata;
	long klen;
	int rc = -1;

	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "firmware-server");
	host[sizeof(host) - 1] = '\0';
	if ((pkey = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;	/* a positive serial number */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_CERT_DAYS, 0,
	    NULL) == NULL || X509_set_pubkey(x, pkey) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0)
		goto fail;
	if ((kb = BIO_new(BIO_s_mem())) == NULL ||
	    (cb = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_X509(cb, x) != 1)
		goto fail;
	/* The key first: a certificate without its key is never left. */
	if (tlskey_write_file(keypath, kb, err, errlen) == -1)
		goto out;
	if (tlskey_write_file(certpath, cb, err, errlen) == -1) {
		unlink(keypath);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "cannot make a key and certificate: %s",
	    sslerr_reason("out of memory"));
out:
	if (kb != NULL && (klen = BIO_get_mem_data(kb, &kdata)) > 0)
		OPENSSL_cleanse(kdata, (size_t)klen);	/* the private key */
	BIO_free(kb);
	BIO_free(cb);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* The SHA-256 of a certificate's DER form as "SHA256:<hex>". */
void
tlskey_fingerprint(X509 *x, char fp[TLS_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	X509_digest(x, EVP_sha256(), md, &len);
	memcpy(fp, "SHA256:", 7);
	for (i = 0; i < len && i < 32; i++)
		snprintf(fp + 7 + 2 * i, 3, "%02x", md[i]);
	fp[7 + 2 * i] = '\0';
}

/* 0 when path can be opened for reading, else -1 with err. */
int
tlskey_readable(const char *what, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}
