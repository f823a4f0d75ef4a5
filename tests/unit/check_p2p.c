/*
 * check_p2p.c - the pure parts of peer to peer: SHA-256 against the FIPS
 * 180-4 / NIST test vectors, the datagram codec and its sealing (HKDF
 * keys against a vector from the openssl command, ChaCha20-Poly1305,
 * nonces, replays), the receiver's window and SACK bitmap, RTT
 * and congestion arithmetic, received-file names, the client's INI, and
 * that a client with nothing running has no timer (it must sleep in poll).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "p2p.h"
#include "p2p_int.h"
#include "p2p_wire.h"
#include "privchat.h"
#include "sha256.h"
#include "../suites.h"

/* The digest of data as lower-case hex. */
static void
hex_digest(const void *data, size_t len, char out[65])
{
	unsigned char d[SHA256_LEN];
	int i;

	sha256(data, len, d);
	for (i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* FIPS 180-4 examples (NIST CSRC) and the empty string. */
START_TEST(test_sha256_vectors)
{
	char h[65];

	hex_digest("abc", 3, h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	hex_digest("", 0, h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hex_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, h);
	ck_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	hex_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112, h);
	ck_assert_str_eq(h, "cf5b16a778af8380036ce59e7b0492370"
	    "b249b11e8f07a51afac45037afee9d1");
}
END_TEST

/* One million 'a', fed in uneven pieces: streaming equals one shot. */
START_TEST(test_sha256_million_a)
{
	struct sha256 c;
	unsigned char d[SHA256_LEN], piece[997];
	char h[65];
	size_t left = 1000000, n;
	int i;

	memset(piece, 'a', sizeof(piece));
	sha256_init(&c);
	while (left > 0) {
		n = left < sizeof(piece) ? left : sizeof(piece);
		sha256_update(&c, piece, n);
		left -= n;
	}
	sha256_final(&c, d);
	for (i = 0; i < SHA256_LEN; i++)
		snprintf(h + 2 * i, 3, "%02x", d[i]);
	ck_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* A sender's and a receiver's keys for transfer 42 under secret 00..0f. */
static void
aead_pair(struct p2p_aead *snd, struct p2p_aead *rcv)
{
	unsigned char secret[P2P_SECRET_LEN];
	int i;

	for (i = 0; i < P2P_SECRET_LEN; i++)
		secret[i] = (unsigned char)i;
	ck_assert_int_eq(p2p_aead_init(snd, secret, 42, true), 0);
	ck_assert_int_eq(p2p_aead_init(rcv, secret, 42, false), 0);
}

/* A DATA datagram of transfer 42 with pktno and payload "hello ...". */
static size_t
aead_data(struct p2p_aead *k, uint32_t pktno, unsigned char *buf)
{
	static const char text[] = "hello, this is the file's content";
	struct p2p_pkt p;

	memset(&p, 0, sizeof(p));
	p.type = P2P_T_DATA;
	p.xid = 42;
	p.off = 1200ULL * 5000000;
	p.pktno = pktno;
	p.payload = (const unsigned char *)text;
	p.len = sizeof(text) - 1;
	return p2p_encode(&p, k, buf);
}

/* Decode and open a copy of buf; the result of p2p_open or the decoder. */
static enum p2p_derr
aead_take(struct p2p_aead *k, const unsigned char *buf, size_t n,
    struct p2p_pkt *q, unsigned char *out)
{
	enum p2p_derr e;

	memcpy(out, buf, n);
	if ((e = p2p_decode(out, n, q)) != P2P_D_OK)
		return e;
	return p2p_open(k, out, n, q->pktno);
}

/* HKDF-SHA256 keys match the openssl command's (see docs/PROTOCOL.md). */
START_TEST(test_aead_hkdf_vector)
{
	static const unsigned char data[P2P_KEY_LEN] = {
		0x4a, 0x98, 0x43, 0x18, 0x50, 0xcf, 0xb3, 0x40, 0x5b, 0xd2,
		0x49, 0x36, 0x2e, 0x24, 0xee, 0xb5, 0xad, 0xd4, 0x85, 0x06,
		0xfc, 0x0e, 0xe4, 0x11, 0x30, 0xdb, 0x07, 0x67, 0x54, 0x10,
		0x16, 0xeb };
	static const unsigned char acks[P2P_KEY_LEN] = {
		0x6b, 0x86, 0x0b, 0x8e, 0x61, 0xbf, 0x2d, 0x08, 0xd3, 0x65,
		0xce, 0x1b, 0x7e, 0x0d, 0xf5, 0x93, 0x18, 0xa3, 0xb2, 0xb6,
		0x74, 0x2f, 0x70, 0x1d, 0xf3, 0x50, 0x27, 0x45, 0xeb, 0xc9,
		0xc2, 0x8f };
	unsigned char secret[P2P_SECRET_LEN], out[P2P_KEY_LEN];
	int i;

	for (i = 0; i < P2P_SECRET_LEN; i++)
		secret[i] = (unsigned char)i;
	ck_assert_int_eq(p2p_aead_derive(secret, 42, true, out), 0);
	ck_assert_int_eq(memcmp(out, data, P2P_KEY_LEN), 0);
	ck_assert_int_eq(p2p_aead_derive(secret, 42, false, out), 0);
	ck_assert_int_eq(memcmp(out, acks, P2P_KEY_LEN), 0);
	ck_assert_int_eq(p2p_aead_derive(secret, 43, true, out), 0);
	ck_assert_int_ne(memcmp(out, data, P2P_KEY_LEN), 0);
}
END_TEST

/* Seal, decode, open: the payload travels encrypted and comes back. */
START_TEST(test_aead_round_trip)
{
	struct p2p_aead snd, rcv;
	unsigned char buf[P2P_DGRAM_MAX], out[P2P_DGRAM_MAX];
	struct p2p_pkt q;
	size_t n;

	aead_pair(&snd, &rcv);
	n = aead_data(&snd, 99, buf);
	ck_assert_uint_eq(n, P2P_HDR_LEN + 33 + P2P_TAG_LEN);
	ck_assert_uint_eq(buf[0], 2);
	ck_assert_ptr_null(memmem(buf, n, "hello", 5));
	ck_assert_int_eq(aead_take(&rcv, buf, n, &q, out), P2P_D_OK);
	ck_assert_uint_eq(q.xid, 42);
	ck_assert_uint_eq(q.off, 1200ULL * 5000000);
	ck_assert_uint_eq(q.pktno, 99);
	ck_assert_uint_eq(q.len, 33);
	ck_assert_int_eq(memcmp(q.payload, "hello, this is the file's content",
	    33), 0);
	/* The other direction's key, or the sender itself, cannot open it. */
	ck_assert_int_eq(aead_take(&snd, buf, n, &q, out), P2P_D_MAC);
	/* An empty payload (an ACK with nothing to say) works too. */
	memset(&q, 0, sizeof(q));
	q.type = P2P_T_ACK;
	q.xid = 42;
	q.pktno = 1;
	n = p2p_encode(&q, &rcv, buf);
	ck_assert_uint_eq(n, P2P_HDR_LEN + P2P_TAG_LEN);
	ck_assert_int_eq(aead_take(&snd, buf, n, &q, out), P2P_D_OK);
	p2p_aead_free(&snd);
	p2p_aead_free(&rcv);
}
END_TEST

/* Every single flipped bit, in the header, payload or tag, is dropped. */
START_TEST(test_aead_bit_flip)
{
	struct p2p_aead snd, rcv;
	unsigned char buf[P2P_DGRAM_MAX], out[P2P_DGRAM_MAX];
	struct p2p_pkt q;
	size_t n, i;
	enum p2p_derr e;
	int bit;

	aead_pair(&snd, &rcv);
	n = aead_data(&snd, 7, buf);
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1 << bit);
			e = aead_take(&rcv, buf, n, &q, out);
			ck_assert_msg(e != P2P_D_OK, "bit %d of byte %zu", bit,
			    i);
			buf[i] ^= (unsigned char)(1 << bit);
		}
	/* None of them was taken for the real one, which still opens. */
	ck_assert_int_eq(aead_take(&rcv, buf, n, &q, out), P2P_D_OK);
	ck_assert_int_eq(p2p_decode(buf, n - 1, &q), P2P_D_LENGTH);
	ck_assert_int_eq(p2p_decode(buf, 10, &q), P2P_D_SHORT);
	buf[0] = 1;		/* version 1: SipHash, no encryption */
	ck_assert_int_eq(p2p_decode(buf, n, &q), P2P_D_VERSION);
	buf[0] = P2P_VERSION;
	buf[1] = 99;
	ck_assert_int_eq(p2p_decode(buf, n, &q), P2P_D_TYPE);
	ck_assert(p2p_from_sender(P2P_T_DATA) && !p2p_from_sender(P2P_T_ACK));
	p2p_aead_free(&snd);
	p2p_aead_free(&rcv);
}
END_TEST

/* A datagram taken once is dropped the second time; order may vary. */
START_TEST(test_aead_replay)
{
	struct p2p_aead snd, rcv;
	unsigned char b5[P2P_DGRAM_MAX], b3[P2P_DGRAM_MAX], b9k[P2P_DGRAM_MAX];
	unsigned char old[P2P_DGRAM_MAX], out[P2P_DGRAM_MAX];
	struct p2p_pkt q;
	size_t n5, n3, n9k, nold;

	aead_pair(&snd, &rcv);
	nold = aead_data(&snd, 2, old);
	n5 = aead_data(&snd, 5, b5);
	n3 = aead_data(&snd, 3, b3);
	ck_assert_int_eq(aead_take(&rcv, b5, n5, &q, out), P2P_D_OK);
	ck_assert_int_eq(aead_take(&rcv, b5, n5, &q, out), P2P_D_REPLAY);
	ck_assert_int_eq(aead_take(&rcv, b3, n3, &q, out), P2P_D_OK);
	ck_assert_int_eq(aead_take(&rcv, b3, n3, &q, out), P2P_D_REPLAY);
	/* A forged datagram with a high number does not move the window. */
	n9k = aead_data(&snd, 9000, b9k);
	b9k[P2P_HDR_LEN] ^= 1;
	ck_assert_int_eq(aead_take(&rcv, b9k, n9k, &q, out), P2P_D_MAC);
	ck_assert_int_eq(aead_take(&rcv, old, nold, &q, out), P2P_D_OK);
	/* The real one does; what is now too far behind is dropped. */
	b9k[P2P_HDR_LEN] ^= 1;
	nold = aead_data(&snd, 9000 - P2P_REPLAY_BITS + 1, old);
	ck_assert_int_eq(aead_take(&rcv, b9k, n9k, &q, out), P2P_D_OK);
	ck_assert_int_eq(aead_take(&rcv, b3, n3, &q, out), P2P_D_REPLAY);
	ck_assert_int_eq(aead_take(&rcv, old, nold, &q, out), P2P_D_OK);
	ck_assert_int_eq(aead_take(&rcv, b9k, n9k, &q, out), P2P_D_REPLAY);
	/* Number 0 is never sealed (a wrapped counter sends nothing). */
	ck_assert_uint_eq(aead_data(&snd, 0, old), 0);
	p2p_aead_free(&snd);
	p2p_aead_free(&rcv);
}
END_TEST

/* Each datagram has its own nonce: equal payloads, different bytes; the
   two directions' keys differ even at equal numbers. */
START_TEST(test_aead_nonces)
{
	struct p2p_aead snd, rcv;
	unsigned char a[P2P_DGRAM_MAX], b[P2P_DGRAM_MAX], c[P2P_DGRAM_MAX];
	size_t n;

	aead_pair(&snd, &rcv);
	n = aead_data(&snd, 1, a);
	ck_assert_uint_eq(aead_data(&snd, 2, b), n);
	ck_assert_int_ne(memcmp(a + P2P_HDR_LEN, b + P2P_HDR_LEN,
	    n - P2P_HDR_LEN), 0);
	ck_assert_uint_eq(aead_data(&rcv, 1, c), n);
	ck_assert_int_eq(memcmp(a, c, P2P_HDR_LEN), 0);
	ck_assert_int_ne(memcmp(a + P2P_HDR_LEN, c + P2P_HDR_LEN,
	    n - P2P_HDR_LEN), 0);
	p2p_aead_free(&snd);
	p2p_aead_free(&rcv);
}
END_TEST

/* Secrets: 32 hex digits, nothing else. */
START_TEST(test_secret)
{
	unsigned char k[16];

	ck_assert_int_eq(p2p_parse_secret("000102030405060708090a0b0c0d0e0f",
	    k), 0);
	ck_assert_uint_eq(k[0], 0);
	ck_assert_uint_eq(k[15], 15);
	ck_assert_int_eq(p2p_parse_secret("00", k), -1);
	ck_assert_int_eq(p2p_parse_secret("000102030405060708090a0b0c0d0e0g",
	    k), -1);
	ck_assert_uint_eq(p2p_nseg(0), 0);
	ck_assert_uint_eq(p2p_nseg(1), 1);
	ck_assert_uint_eq(p2p_nseg(P2P_SEG), 1);
	ck_assert_uint_eq(p2p_nseg(P2P_SEG + 1), 2);
}
END_TEST

/* Out of order, duplicates, beyond the window; the SACK bitmap. */
START_TEST(test_rwin)
{
	static struct p2p_rwin w;
	unsigned char sack[P2P_SACK_MAX];
	size_t n;

	p2p_rwin_init(&w, 20000);
	ck_assert_int_eq(p2p_rwin_mark(&w, 1), 1);
	ck_assert_int_eq(p2p_rwin_mark(&w, 3), 1);
	ck_assert_int_eq(p2p_rwin_mark(&w, 3), 0);
	ck_assert_uint_eq(w.cum, 0);
	n = p2p_rwin_sack(&w, sack);
	/* bit j of byte i = segment cum + 1 + 8i + j: 1 -> bit 0, 3 -> bit 2 */
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(sack[0], 0x05);
	ck_assert_int_eq(p2p_rwin_mark(&w, 0), 1);
	ck_assert_uint_eq(w.cum, 2);
	ck_assert_int_eq(p2p_rwin_mark(&w, 0), 0);
	ck_assert_int_eq(p2p_rwin_mark(&w, 2 + P2P_WINDOW), -1);
	ck_assert_int_eq(p2p_rwin_mark(&w, 20000), -1);
	ck_assert_int_eq(p2p_rwin_mark(&w, 2), 1);
	ck_assert_uint_eq(w.cum, 4);
	ck_assert_uint_eq(p2p_rwin_sack(&w, sack), 0);
	/* Far into the window, wrapping the ring. */
	ck_assert_int_eq(p2p_rwin_mark(&w, 4 + P2P_WINDOW - 1), 1);
	n = p2p_rwin_sack(&w, sack);
	ck_assert_uint_eq(n, P2P_SACK_MAX);
	ck_assert_uint_eq(sack[P2P_SACK_MAX - 1], 0x40);
}
END_TEST

/* The byte-wise SACK bitmap agrees with a bit-by-bit model, wrapping. */
START_TEST(test_rwin_sack_model)
{
	static struct p2p_rwin w;
	static unsigned char have[40000];
	unsigned char sack[P2P_SACK_MAX], want[P2P_SACK_MAX];
	uint64_t rng = 12345, seg;
	size_t n, i, len;
	int k;

	p2p_rwin_init(&w, sizeof(have));
	memset(have, 0, sizeof(have));
	for (k = 0; k < 60000; k++) {
		rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
		/* Mostly near the cumulative point, some far out. */
		seg = w.cum + (k % 7 == 0 ? rng % P2P_WINDOW : rng % 64);
		if (seg >= sizeof(have))
			continue;
		if (p2p_rwin_mark(&w, seg) == 1)
			have[seg] = 1;
		if (k % 97 != 0)
			continue;
		n = p2p_rwin_sack(&w, sack);
		memset(want, 0, sizeof(want));
		len = 0;
		for (i = 0; i < P2P_SACK_MAX * 8; i++) {
			seg = w.cum + 1 + i;
			if (seg < sizeof(have) && seg < w.cum + P2P_WINDOW &&
			    have[seg]) {
				want[i / 8] |= (unsigned char)(1u << (i % 8));
				len = i / 8 + 1;
			}
		}
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(sack, want, sizeof(want)) == 0);
	}
	ck_assert_uint_gt(w.cum, 10000);
}
END_TEST

/* Flow control: the advertised window and the sender's limit. */
START_TEST(test_flow)
{
	unsigned char buf[P2P_DGRAM_MAX], out[P2P_DGRAM_MAX];
	struct p2p_aead snd, rcv;
	struct p2p_pkt p, q;
	size_t len;

	/* 8 MiB as read back (4 MiB rmem_max doubled): 3/4 of 3640 slots. */
	ck_assert_uint_eq(p2p_rwnd(8 * 1024 * 1024, 1),
	    8 * 1024 * 1024 / P2P_TRUESIZE * 3 / 4);
	ck_assert_uint_eq(p2p_rwnd(8 * 1024 * 1024, 2),
	    8 * 1024 * 1024 / P2P_TRUESIZE * 3 / 4 / 2);
	ck_assert_uint_eq(p2p_rwnd(212992, 1), 69);	/* the default buffer */
	ck_assert_uint_eq(p2p_rwnd(1000, 1), P2P_RWND_MIN);
	ck_assert_uint_eq(p2p_rwnd(1L << 30, 0), P2P_WINDOW);
	ck_assert_uint_eq(p2p_send_limit(100.7, 0), 100);	/* unsaid */
	ck_assert_uint_eq(p2p_send_limit(100, 64), 64);
	ck_assert_uint_eq(p2p_send_limit(20000, 0), P2P_WINDOW);
	ck_assert_uint_eq(p2p_send_limit(0.5, 64), 1);
	/* rwnd travels in the ACK's bytes 26-27. */
	memset(&p, 0, sizeof(p));
	p.type = P2P_T_ACK;
	p.rwnd = 0x1234;
	p.pktno = 1;
	aead_pair(&snd, &rcv);
	len = p2p_encode(&p, &rcv, buf);
	ck_assert_uint_eq(buf[26], 0x12);
	ck_assert_uint_eq(buf[27], 0x34);
	ck_assert_int_eq(aead_take(&snd, buf, len, &q, out), P2P_D_OK);
	ck_assert_uint_eq(q.rwnd, 0x1234);
	p2p_aead_free(&snd);
	p2p_aead_free(&rcv);
}
END_TEST

/* RFC 6298 arithmetic, the floor, backoff and its ceiling. */
START_TEST(test_rtt)
{
	struct p2p_rtt r;

	p2p_rtt_init(&r);
	ck_assert_int_eq(r.rto, P2P_RTO_INIT_US);
	p2p_rtt_sample(&r, 100000);
	ck_assert_int_eq(r.srtt, 100000);
	ck_assert_int_eq(r.rttvar, 50000);
	ck_assert_int_eq(r.rto, 300000);
	p2p_rtt_sample(&r, 200000);
	/* rttvar = 3/4 50000 + 1/4 100000; srtt = 7/8 100000 + 1/8 200000 */
	ck_assert_int_eq(r.rttvar, 62500);
	ck_assert_int_eq(r.srtt, 112500);
	ck_assert_int_eq(r.rto, 112500 + 250000);
	p2p_rtt_init(&r);
	p2p_rtt_sample(&r, 50);
	ck_assert_int_eq(r.rto, P2P_RTO_MIN_US);
	p2p_rtt_backoff(&r);
	ck_assert_int_eq(r.rto, 2 * P2P_RTO_MIN_US);
	for (int i = 0; i < 20; i++)
		p2p_rtt_backoff(&r);
	ck_assert_int_eq(r.rto, P2P_RTO_MAX_US);
}
END_TEST

/* Slow start, scattered loss tolerated (judged over enough datagrams),
   a burst halves, timeout resets. */
START_TEST(test_cc)
{
	struct p2p_cc c;

	p2p_cc_init(&c);
	p2p_cc_acked(&c, 32);
	ck_assert(c.cwnd == 64 && c.round_acked == 32);
	c.round_end = 10;
	c.round_acked = 95;
	c.round_lost = 5;			/* 5 % */
	p2p_cc_round(&c, 9, 200);		/* round not over yet */
	ck_assert(c.cwnd == 64 && c.round_lost == 5);
	p2p_cc_round(&c, 10, 200);		/* too few to judge: added up */
	ck_assert(c.round_end == 200 && c.round_acked == 95 &&
	    c.round_lost == 5);
	c.round_acked += 100;
	p2p_cc_round(&c, 200, 300);		/* 5 of 200: tolerated */
	ck_assert(c.cwnd == 64 && c.ssthresh == P2P_WINDOW);
	ck_assert(c.round_acked == 0 && c.round_lost == 0);
	p2p_cc_acked(&c, 64);
	ck_assert(c.cwnd == 128);		/* still slow start */
	/* A round after a halving sends little but learns the fate of the
	   flight before: 20 lost of 400 found out is 5 %, tolerated, however
	   few the round sent. */
	c.round_acked = 380;
	c.round_lost = 20;
	p2p_cc_round(&c, 300, 350);
	ck_assert(c.cwnd == 128 && c.ssthresh == P2P_WINDOW);
	c.round_acked = 170;
	c.round_lost = 30;			/* 15 %: a burst */
	p2p_cc_round(&c, 350, 400);
	ck_assert(c.cwnd == 64 && c.ssthresh == 64);
	p2p_cc_acked(&c, 64);
	ck_assert(c.cwnd == 65);		/* additive now */
	c.round_acked = 2;
	c.round_lost = 20;			/* more lost than a sample
						   tolerates: judged at once */
	p2p_cc_round(&c, 400, 500);
	ck_assert(c.cwnd == 32.5);
	c.round_acked = 100;
	c.round_lost = 15;			/* 13 %, but few: added up */
	p2p_cc_round(&c, 500, 550);
	ck_assert(c.cwnd == 32.5 && c.round_lost == 15);
	p2p_cc_timeout(&c, 600);
	ck_assert(c.cwnd == P2P_CWND_MIN);
	/* The first ACK answers datagram 599, sent before the timeout: the
	   peer was late, not lossy; the window comes back. */
	p2p_cc_check_undo(&c, 599);
	ck_assert(c.cwnd == 32.5 && c.ssthresh == 32.5);
	/* A second timeout whose first ACK answers a retransmission: real. */
	p2p_cc_timeout(&c, 700);
	p2p_cc_check_undo(&c, 700);
	ck_assert(c.cwnd == P2P_CWND_MIN && c.ssthresh == 16.25);
	p2p_cc_check_undo(&c, 650);		/* disarmed: no effect */
	ck_assert(c.cwnd == P2P_CWND_MIN);
	for (int i = 0; i < 1000; i++)
		p2p_cc_acked(&c, 1000);
	ck_assert(c.cwnd <= P2P_WINDOW);
}
END_TEST

/* Hostile names stay one plain name in the download directory. */
START_TEST(test_safe_name)
{
	char out[300];

	ck_assert_int_eq(p2p_safe_name("alice", "photo.jpg", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "alice_photo.jpg");
	p2p_safe_name("alice", "../../etc/passwd", out, sizeof(out));
	ck_assert_str_eq(out, "alice_passwd");
	p2p_safe_name("alice", "/etc/x", out, sizeof(out));
	ck_assert_str_eq(out, "alice_x");
	p2p_safe_name("alice", "..", out, sizeof(out));
	ck_assert_str_eq(out, "alice_file");
	p2p_safe_name("alice", "dir/", out, sizeof(out));
	ck_assert_str_eq(out, "alice_file");
	p2p_safe_name("alice", ".hidden", out, sizeof(out));
	ck_assert_str_eq(out, "alice_hidden");
	p2p_safe_name("alice", "a\x01" "b\x7f" "c\033[2J", out, sizeof(out));
	ck_assert_str_eq(out, "alice_a_b_c_[2J");
	p2p_safe_name("alice", "c:\\win\\evil.txt", out, sizeof(out));
	ck_assert_str_eq(out, "alice_evil.txt");
	p2p_safe_name("alice", "caf\xc3\xa9 \xff.txt", out, sizeof(out));
	ck_assert_str_eq(out, "alice_caf\xc3\xa9 _.txt");
	ck_assert_int_eq(p2p_safe_name("alice", "x", out, 5), -1);
	{
		char longname[400];

		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		p2p_safe_name("bob", longname, out, sizeof(out));
		ck_assert_uint_eq(strlen(out), 4 + 200);
	}
}
END_TEST

/* The client's INI: defaults, good values, file:line errors. */
START_TEST(test_conf)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	ck_assert_str_eq(c.download_dir, ".");
	ck_assert_int_eq(c.accept_files, CONF_ACCEPT_DEFAULT);
	ck_assert_int_eq(c.keep_free_mb, CONF_KEEP_FREE_AUTO);
	ck_assert_int_eq(c.peer_timeout, 10);
	ck_assert_int_eq(conf_load_string(&c, "[files]\ndownload_dir = /tmp\n"
	    "accept_files = ask\npeer_timeout = 3\n", "t.ini", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.download_dir, "/tmp");
	ck_assert_int_eq(c.accept_files, CONF_ACCEPT_ASK);
	ck_assert_int_eq(c.peer_timeout, 3);
	ck_assert_int_eq(conf_load_string(&c, "[files]\naccept_files = auto\n"
	    "keep_free = 0\n", "t.ini", err, sizeof(err)), 0);
	ck_assert_int_eq(c.accept_files, CONF_ACCEPT_AUTO);
	ck_assert_int_eq(c.keep_free_mb, 0);
	ck_assert_int_eq(conf_load_string(&c, "[files]\nkeep_free = 5%\n",
	    "t.ini", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.ini:2:") != NULL &&
	    strstr(err, "auto or megabytes") != NULL, "%s", err);
	ck_assert_int_eq(conf_load_string(&c, "[files]\n\naccept_files = "
	    "maybe\n", "t.ini", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.ini:3:") != NULL &&
	    strstr(err, "auto or ask") != NULL, "%s", err);
	ck_assert_int_eq(conf_load_string(&c, "[files]\nnope = 1\n", "t.ini",
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.ini:2:") != NULL, "%s", err);
	ck_assert_int_eq(conf_load_string(&c, "[files]\npeer_timeout = 0\n",
	    "t.ini", err, sizeof(err)), -1);
}
END_TEST

/* Nothing running, no timer: an idle client sleeps in poll (a private
   chat slot never used once made this 0, and every client spun). */
START_TEST(test_idle_no_timer)
{
	ck_assert_int_eq(privchat_poll_timeout(), -1);
	ck_assert_int_eq(p2p_poll_timeout(), -1);
}
END_TEST

/*
 * An ACK below the sender's cumulative point (late, duplicated) is
 * ignored: read from its own cumulative point, its bitmap would mark as
 * received a segment in flight that shares a slot (seg % P2P_WINDOW)
 * with one below una, which then would never be sent again; its window
 * is old too.
 */
START_TEST(test_stale_ack)
{
	struct p2p_xfer *x = &p2p_ctx()->xfers[0];
	unsigned char bits[4] = { 0xff, 0xff, 0, 0 };
	struct p2p_pkt p;
	uint64_t s;

	memset(x, 0, sizeof(*x));
	x->state = P2P_S_DATA;
	x->role = P2P_SEND;
	x->fd = -1;
	x->model_id = -1;
	x->segs = calloc(P2P_WINDOW, sizeof(*x->segs));
	x->sent = calloc(P2P_SENT_RING, sizeof(*x->sent));
	ck_assert(x->segs != NULL && x->sent != NULL);
	x->nseg = 3 * P2P_WINDOW;
	x->size = x->nseg * P2P_SEG;
	x->una = P2P_WINDOW + 2;
	x->nxt = x->una + 20;
	x->high_sacked = x->una;
	x->dup_scan = x->una;
	x->rwnd = 500;
	for (s = x->una; s < x->nxt; s++)
		x->segs[s % P2P_WINDOW].state = P2P_SEG_INFLIGHT;
	x->inflight = 20;

	memset(&p, 0, sizeof(p));
	p.type = P2P_T_ACK;
	p.off = 1 * P2P_SEG;		/* cumulative point 1 < una */
	p.rwnd = 7;
	p.payload = bits;
	p.len = sizeof(bits);
	p2p_send_input(NULL, x, &p);
	ck_assert_uint_eq(x->una, P2P_WINDOW + 2);
	ck_assert_uint_eq(x->inflight, 20);
	ck_assert_uint_eq(x->rwnd, 500);
	for (s = x->una; s < x->nxt; s++)
		ck_assert_msg(x->segs[s % P2P_WINDOW].state == P2P_SEG_INFLIGHT,
		    "segment %llu taken as received", (unsigned long long)s);

	/* One at the cumulative point still counts: una + 1 and + 2. */
	p.off = x->una * P2P_SEG;
	bits[0] = 0x03;
	bits[1] = 0;
	p2p_send_input(NULL, x, &p);
	ck_assert_uint_eq(x->rwnd, 7);
	ck_assert_uint_eq(x->inflight, 18);
	ck_assert_int_eq(x->segs[(x->una + 1) % P2P_WINDOW].state,
	    P2P_SEG_SACKED);
	free(x->segs);
	free(x->sent);
	memset(x, 0, sizeof(*x));
}
END_TEST

Suite *
suite_p2p(void)
{
	Suite *s = suite_create("p2p");
	TCase *tc = tcase_create("p2p");

	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_sha256_million_a);
	tcase_add_test(tc, test_aead_hkdf_vector);
	tcase_add_test(tc, test_aead_round_trip);
	tcase_add_test(tc, test_aead_bit_flip);
	tcase_add_test(tc, test_aead_replay);
	tcase_add_test(tc, test_aead_nonces);
	tcase_add_test(tc, test_secret);
	tcase_add_test(tc, test_rwin);
	tcase_add_test(tc, test_rwin_sack_model);
	tcase_add_test(tc, test_flow);
	tcase_add_test(tc, test_rtt);
	tcase_add_test(tc, test_cc);
	tcase_add_test(tc, test_safe_name);
	tcase_add_test(tc, test_conf);
	tcase_add_test(tc, test_idle_no_timer);
	tcase_add_test(tc, test_stale_ack);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase_p2p_io());
	return s;
}
