/*
 * siphash.c - SipHash-2-4 from the paper's description: the key as two
 * little-endian words k0 k1, state v0..v3 initialised from the constants
 * "somepseudorandomlygeneratedbytes", 2 SipRounds per 8-byte message word,
 * the last word holding the length in its top byte, then 0xff xored into
 * v2 and 4 SipRounds.
 */
#include "siphash.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* A little-endian 64-bit word. */
static uint64_t
siphash_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

/* The 64-bit SipHash-2-4 of data under key. */
uint64_t
siphash24(const unsigned char key[SIPHASH_KEY_LEN], const void *data,
    size_t len)
{
	const unsigned char *p = data, *end = p + (len & ~(size_t)7);
	uint64_t k0 = siphash_le64(key), k1 = siphash_le64(key + 8), m, b;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t left = len & 7, i;

	for (; p < end; p += 8) {
		m = siphash_le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	for (i = 0; i < left; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}
