/*
 * fuzz_tlsrec.c - libFuzzer harness for the TLS 1.3 record codec
 * (firmware-server/tlsrec.c).  The first byte chooses the suite and what
 * the rest is: even, a stream of records that a peer sent, cut by their
 * headers and opened one after the other as the server would (each may
 * be refused, none may be read past its end or hand out more than 2^14
 * bytes); odd, plaintext that is sealed, must open again to the same
 * bytes and type, and must be refused with any one byte changed (the
 * second byte says which) or when replayed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t fuzz_suites[] = { 0x1301, 0x1302, 0x1303 };

/* A key of suite, for sealing or opening. */
static void
fuzz_key(struct tlsrec_key *k, uint16_t suite, bool seal)
{
	unsigned char secret[48];

	memset(secret, 0x42, sizeof(secret));
	memset(k, 0, sizeof(*k));
	if (tlsrec_key_init(k, suite, secret, suite == 0x1302 ? 48 : 32,
	    seal) == -1)
		abort();
}

/* Records from a peer, one after the other. */
static void
fuzz_stream(uint16_t suite, const uint8_t *data, size_t size)
{
	static unsigned char rec[TLSREC_HDR + TLSREC_CIPHER_MAX];
	struct tlsrec_key r;
	unsigned char *plain;
	size_t blen, n;
	uint8_t type;

	fuzz_key(&r, suite, false);
	while (size >= TLSREC_HDR) {
		if (tlsrec_header(data, &blen) != TLSREC_OK)
			break;
		if (blen > TLSREC_CIPHER_MAX || blen > size - TLSREC_HDR)
			break;
		memcpy(rec, data, TLSREC_HDR + blen);
		if (tlsrec_open(&r, rec, TLSREC_HDR + blen, &type, &plain,
		    &n) == TLSREC_OK && (n > TLSREC_PLAIN_MAX ||
		    plain < rec + TLSREC_HDR || plain + n > rec + TLSREC_HDR +
		    blen))
			abort();
		data += TLSREC_HDR + blen;
		size -= TLSREC_HDR + blen;
	}
	tlsrec_key_wipe(&r);
}

/* Seal, open, tamper, replay. */
static void
fuzz_round_trip(uint16_t suite, const uint8_t *data, size_t size)
{
	static unsigned char rec[TLSREC_SEALED_MAX], copy[TLSREC_SEALED_MAX];
	struct tlsrec_key w, r;
	unsigned char *plain;
	size_t len, n, at;
	uint8_t type, want;

	if (size < 2)
		return;
	want = data[0] != 0 ? data[0] : TLSREC_APPDATA;
	at = data[1];
	data += 2;
	size -= 2;
	if (size > TLSREC_PLAIN_MAX)
		size = TLSREC_PLAIN_MAX;
	fuzz_key(&w, suite, true);
	fuzz_key(&r, suite, false);
	if (tlsrec_seal(&w, want, data, size, rec, &len) != TLSREC_OK)
		abort();
	memcpy(copy, rec, len);
	copy[at % len] ^= 0x80;
	if (tlsrec_open(&r, copy, len, &type, &plain, &n) == TLSREC_OK)
		abort();
	memcpy(copy, rec, len);
	if (tlsrec_open(&r, copy, len, &type, &plain, &n) != TLSREC_OK)
		abort();
	/* The type follows the data, so zeros at its end are data. */
	if (type != want || n != size || (n > 0 && memcmp(plain, data, n)))
		abort();
	memcpy(copy, rec, len);
	if (tlsrec_open(&r, copy, len, &type, &plain, &n) == TLSREC_OK)
		abort();
	tlsrec_key_wipe(&w);
	tlsrec_key_wipe(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t suite;

	if (size == 0)
		return 0;
	suite = fuzz_suites[(data[0] >> 1) % 3];
	if (data[0] & 1)
		fuzz_round_trip(suite, data + 1, size - 1);
	else
		fuzz_stream(suite, data + 1, size - 1);
	return 0;
}
