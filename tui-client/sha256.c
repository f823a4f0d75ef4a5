/*
 * sha256.c - SHA-256 written from FIPS 180-4 (sections 4.1.2, 4.2.2,
 * 5.1.1, 5.3.3 and 6.2): 64-byte blocks, big-endian words, the length in
 * bits appended after a 0x80 byte and zero padding.
 */
#include <string.h>

#include "sha256.h"

/*
 * On x86-64 processors with the SHA extensions (Intel since Goldmont and
 * Ice Lake, AMD since Zen) the block function below runs on them, chosen
 * at run time (CPUID); about 8 times the plain C one.  Elsewhere (the
 * Raspberry Pi boards) the plain C one.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#define SHA256_NI	1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The first 32 bits of the fractional parts of the cube roots of the
   first 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)	(ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x)	(ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x)	(ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/* Start a digest with the initial hash value (FIPS 180-4, 5.3.3). */
void
sha256_init(struct sha256 *c)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, h0, sizeof(h0));
	c->bytes = 0;
	c->fill = 0;
}

/* Process one 64-byte block (FIPS 180-4, 6.2.2). */
static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, cc, d, e, f, g, hh, t1, t2;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (t = 16; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];
	a = h[0]; b = h[1]; cc = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (t = 0; t < 64; t++) {
		t1 = hh + BSIG1(e) + CH(e, f, g) + sha256_k[t] + w[t];
		t2 = BSIG0(a) + MAJ(a, b, cc);
		hh = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += cc; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#ifdef SHA256_NI
/* Four rounds: message words m plus constants t..t+3 (two rnds2 each). */
#define NI_ROUNDS(t, m) do {						\
	k = _mm_add_epi32((m), _mm_loadu_si128(				\
	    (const __m128i *)&sha256_k[4 * (t)]));			\
	s1 = _mm_sha256rnds2_epu32(s1, s0, k);				\
	k = _mm_shuffle_epi32(k, 0x0e);					\
	s0 = _mm_sha256rnds2_epu32(s0, s1, k);				\
} while (0)
/* The next four message words into a, from the sixteen in a b c d. */
#define NI_SCHED(a, b, c, d)						\
	(a) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(	\
	    (a), (b)), _mm_alignr_epi8((d), (c), 4)), (d))

/*
 * n blocks with the SHA-NI instructions (FIPS 180-4 6.2.2, four rounds
 * per step; the state is kept as ABEF and CDGH, as the instructions
 * want).  Written out in full rather than as a loop over an array: GCC
 * does not unroll that loop at -O2, so the message words went through
 * the stack and the hash ran at two thirds of this speed.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void
sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i s0, s1, t, abef, cdgh, m0, m1, m2, m3, k;

	t = _mm_loadu_si128((const __m128i *)&h[0]);		/* DCBA */
	s1 = _mm_loadu_si128((const __m128i *)&h[4]);		/* HGFE */
	t = _mm_shuffle_epi32(t, 0xb1);				/* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1b);			/* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);				/* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xf0);			/* CDGH */
	for (; n > 0; n--, p += 64) {
		abef = s0;
		cdgh = s1;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)p), swap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(p + 16)), swap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(p + 32)), swap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(p + 48)), swap);
		NI_ROUNDS(0, m0);
		NI_ROUNDS(1, m1);
		NI_ROUNDS(2, m2);
		NI_ROUNDS(3, m3);
		NI_SCHED(m0, m1, m2, m3); NI_ROUNDS(4, m0);
		NI_SCHED(m1, m2, m3, m0); NI_ROUNDS(5, m1);
		NI_SCHED(m2, m3, m0, m1); NI_ROUNDS(6, m2);
		NI_SCHED(m3, m0, m1, m2); NI_ROUNDS(7, m3);
		NI_SCHED(m0, m1, m2, m3); NI_ROUNDS(8, m0);
		NI_SCHED(m1, m2, m3, m0); NI_ROUNDS(9, m1);
		NI_SCHED(m2, m3, m0, m1); NI_ROUNDS(10, m2);
		NI_SCHED(m3, m0, m1, m2); NI_ROUNDS(11, m3);
		NI_SCHED(m0, m1, m2, m3); NI_ROUNDS(12, m0);
		NI_SCHED(m1, m2, m3, m0); NI_ROUNDS(13, m1);
		NI_SCHED(m2, m3, m0, m1); NI_ROUNDS(14, m2);
		NI_SCHED(m3, m0, m1, m2); NI_ROUNDS(15, m3);
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);			/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1);			/* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xf0);			/* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);				/* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

/* 1 when the processor has SHA-NI, SSSE3 and SSE4.1, else 0 (once). */
static int
sha256_have_ni(void)
{
	static int have = -1;
	unsigned a, b, c, d;

	if (have >= 0)
		return have;
	have = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
	    (c & bit_SSE4_1) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	    (b & bit_SHA))
		have = 1;
	return have;
}
#endif

/* n consecutive 64-byte blocks. */
static void
sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA256_NI
	if (sha256_have_ni()) {
		sha256_blocks_ni(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		sha256_block(h, p);
}

/* Add len bytes to the message. */
void
sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	c->bytes += len;
	if (c->fill > 0) {
		take = 64 - c->fill < len ? 64 - c->fill : len;
		memcpy(c->block + c->fill, p, take);
		c->fill += take;
		p += take;
		len -= take;
		if (c->fill < 64)
			return;
		sha256_blocks(c->h, c->block, 1);
		c->fill = 0;
	}
	if (len >= 64) {
		sha256_blocks(c->h, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->block, p, len);
	c->fill = len;
}

/* Pad (FIPS 180-4, 5.1.1), write the digest, wipe the context. */
void
sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;
	int i;

	c->block[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->block + c->fill, 0, 64 - c->fill);
		sha256_blocks(c->h, c->block, 1);
		c->fill = 0;
	}
	memset(c->block + c->fill, 0, 56 - c->fill);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_blocks(c->h, c->block, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	explicit_bzero(c, sizeof(*c));
}

/* The digest of one buffer. */
void
sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}
