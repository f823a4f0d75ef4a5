/*
 * check_tlsrec.c - the TLS 1.3 record codec of the server (tlsrec.c):
 * the keys, IVs and protected records of RFC 8448 section 3 (a full
 * handshake with TLS_AES_128_GCM_SHA256), the KeyUpdate label checked
 * against HMAC by hand, a round trip in each suite the server offers,
 * and every malformed record refused: a flipped bit, a replay, a wrong
 * type, version or length, an inner plaintext without a content type.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <openssl/hmac.h>

#include "tlsrec.h"
#include "../suites.h"

/* RFC 8448 section 3: the application traffic secrets, keys and IVs. */
#define C_AP	"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define S_AP	"a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define C_KEY	"17422dda596ed5d9acd890e3c63f5051"
#define C_IV	"5b78923dee08579033e523d9"
#define S_KEY	"9f02283b6c9c07efc26bb9f2ac92e356"
#define S_IV	"cf782b88dd83549aadf1e984"
/* The client's first application record (sequence 0) and the server's
   (sequence 1, after its NewSessionTicket): 50 bytes 00 01 .. 31 each. */
#define C_APP	"1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66" \
		"bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a29770" \
		"14bd1e3deae63aeebb21694915e4"
#define S_APP	"17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82" \
		"aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c00" \
		"47c2abf332540dd032e167c2955d"
/* The close_notify alerts: the client's sequence 1, the server's 2. */
#define C_ALERT	"1703030013c9872760655666b74d7ff1153efd6db6d0b0e3"
#define S_ALERT	"1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9"
/* The server's NewSessionTicket, its sequence 0 (the first 12 bytes). */
#define S_NST	"17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac11" \
		"6e95d41d6af8f6b580dcf3d11d63c758db289a015940252f55713e061d" \
		"c13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9f" \
		"a1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce" \
		"13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f8" \
		"1b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d" \
		"64f650db4d023e70e952ca49fe5137121c74bc2697687e248746d6df35" \
		"3005f3bce18696129c8153556b3b6c6779b37bf15985684f"

/* Hex text to bytes; the count. */
static size_t
unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;
	unsigned int b;

	for (; hex[0] != '\0'; hex += 2) {
		ck_assert_int_eq(sscanf(hex, "%2x", &b), 1);
		out[n++] = (unsigned char)b;
	}
	return n;
}

/* A key of suite from a hex secret. */
static void
key_hex(struct tlsrec_key *k, uint16_t suite, const char *hex, bool seal)
{
	unsigned char s[TLSREC_SECRET_MAX];
	size_t n = unhex(hex, s);

	memset(k, 0, sizeof(*k));
	ck_assert_int_eq(tlsrec_key_init(k, suite, s, n, seal), 0);
}

/* The keys and IVs of RFC 8448 from its traffic secrets. */
START_TEST(test_tlsrec_rfc8448_keys)
{
	unsigned char s[32], out[16], want[16];
	const char *secret[] = { C_AP, S_AP }, *key[] = { C_KEY, S_KEY },
	    *iv[] = { C_IV, S_IV };
	struct tlsrec_key k;
	int i;

	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(unhex(secret[i], s), 32);
		ck_assert_int_eq(tlsrec_expand_label(EVP_sha256(), s, 32, "key",
		    out, 16), 0);
		unhex(key[i], want);
		ck_assert_mem_eq(out, want, 16);
		key_hex(&k, 0x1301, secret[i], i == 1);
		unhex(iv[i], want);
		ck_assert_mem_eq(k.iv, want, 12);
		ck_assert_uint_eq(k.seq, 0);
		tlsrec_key_wipe(&k);
	}
}
END_TEST

/* RFC 8448's records, opened and sealed byte for byte. */
START_TEST(test_tlsrec_rfc8448_records)
{
	unsigned char rec[300], want[300], payload[50], *plain;
	struct tlsrec_key ck, sk, sr;
	size_t n, len, i;
	uint8_t type;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)i;
	/* The server reads the client's data (seq 0), then close_notify. */
	key_hex(&ck, 0x1301, C_AP, false);
	len = unhex(C_APP, rec);
	ck_assert_int_eq(tlsrec_open(&ck, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_uint_eq(type, TLSREC_APPDATA);
	ck_assert_uint_eq(n, 50);
	ck_assert_mem_eq(plain, payload, 50);
	len = unhex(C_ALERT, rec);
	ck_assert_int_eq(tlsrec_open(&ck, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_uint_eq(type, TLSREC_ALERT);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(plain[0], 1);
	ck_assert_uint_eq(plain[1], 0);
	/* The server's ticket was its sequence 0 ... */
	key_hex(&sr, 0x1301, S_AP, false);
	len = unhex(S_NST, rec);
	ck_assert_int_eq(tlsrec_open(&sr, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_uint_eq(type, TLSREC_HANDSHAKE);
	ck_assert_uint_eq(plain[0], 4);		/* new_session_ticket */
	/* ... so its data is 1 and its close_notify 2, sealed exactly. */
	key_hex(&sk, 0x1301, S_AP, true);
	sk.seq = 1;
	ck_assert_int_eq(tlsrec_seal(&sk, TLSREC_APPDATA, payload, 50, rec,
	    &n), TLSREC_OK);
	len = unhex(S_APP, want);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(rec, want, len);
	ck_assert_int_eq(tlsrec_seal(&sk, TLSREC_ALERT, "\1\0", 2, rec, &n),
	    TLSREC_OK);
	len = unhex(S_ALERT, want);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(rec, want, len);
	ck_assert_uint_eq(sk.seq, 3);
	tlsrec_key_wipe(&ck);
	tlsrec_key_wipe(&sk);
	tlsrec_key_wipe(&sr);
}
END_TEST

/*
 * KeyUpdate: the next secret is HKDF-Expand-Label(secret, "traffic upd",
 * "", Hash.length), which for one block is HMAC(secret, HkdfLabel | 1);
 * both ends that update open each other's records again, and an end that
 * did not update refuses them.
 */
START_TEST(test_tlsrec_key_update)
{
	static const unsigned char label[] = "\0\x20\x11tls13 traffic upd\0\1";
	unsigned char s[32], mac[EVP_MAX_MD_SIZE], rec[100], copy[100], *plain;
	struct tlsrec_key w, r, stale;
	unsigned int mlen;
	uint8_t type;
	size_t n, len;

	unhex(S_AP, s);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), s, 32, label,
	    sizeof(label) - 1, mac, &mlen));
	key_hex(&w, 0x1301, S_AP, true);
	key_hex(&r, 0x1301, S_AP, false);
	key_hex(&stale, 0x1301, S_AP, false);
	ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, "x", 1, rec, &len),
	    TLSREC_OK);
	ck_assert_int_eq(tlsrec_open(&r, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_int_eq(tlsrec_key_update(&w), 0);
	ck_assert_int_eq(tlsrec_key_update(&r), 0);
	ck_assert_mem_eq(w.secret, mac, 32);
	ck_assert_mem_eq(r.secret, mac, 32);
	ck_assert_uint_eq(w.seq, 0);
	ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, "y", 1, rec, &len),
	    TLSREC_OK);
	memcpy(copy, rec, len);		/* opening works in place */
	ck_assert_int_eq(tlsrec_open(&stale, copy, len, &type, &plain, &n),
	    TLSREC_E_TAG);
	ck_assert_int_eq(tlsrec_open(&r, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(plain[0], 'y');
	tlsrec_key_wipe(&w);
	tlsrec_key_wipe(&r);
	tlsrec_key_wipe(&stale);
}
END_TEST

/* Each suite the server offers: records of 0 to 2^14 bytes both ways;
   more than 2^14 is refused. */
START_TEST(test_tlsrec_suites)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303 };
	static unsigned char big[TLSREC_PLAIN_MAX + 1], rec[TLSREC_SEALED_MAX];
	static const size_t sizes[] = { 0, 1, 100, TLSREC_PLAIN_MAX };
	unsigned char secret[48], *plain;
	struct tlsrec_key w, r;
	size_t i, j, n, len, hlen;
	uint8_t type;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7);
	memset(secret, 0x5a, sizeof(secret));
	ck_assert(!tlsrec_suite_ok(0x1304));
	for (i = 0; i < 3; i++) {
		hlen = suites[i] == 0x1302 ? 48 : 32;
		memset(&w, 0, sizeof(w));
		memset(&r, 0, sizeof(r));
		ck_assert(tlsrec_suite_ok(suites[i]));
		ck_assert_int_eq(tlsrec_key_init(&w, suites[i], secret, hlen - 1,
		    true), -1);
		ck_assert_int_eq(tlsrec_key_init(&w, suites[i], secret, hlen,
		    true), 0);
		ck_assert_int_eq(tlsrec_key_init(&r, suites[i], secret, hlen,
		    false), 0);
		for (j = 0; j < 4; j++) {
			ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, big,
			    sizes[j], rec, &len), TLSREC_OK);
			ck_assert_uint_eq(len, TLSREC_HDR + sizes[j] + 17);
			if (sizes[j] >= 100)
				ck_assert_ptr_null(memmem(rec, len, big + 10,
				    16));
			ck_assert_int_eq(tlsrec_open(&r, rec, len, &type,
			    &plain, &n), TLSREC_OK);
			ck_assert_uint_eq(n, sizes[j]);
			ck_assert(n == 0 || memcmp(plain, big, n) == 0);
		}
		ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, big,
		    sizeof(big), rec, &len), TLSREC_E_LENGTH);
		tlsrec_key_wipe(&w);
		tlsrec_key_wipe(&r);
	}
}
END_TEST

/* Every way a record can be wrong is refused, and nothing is handed
   out: a flipped bit anywhere, a replay, a bad header, no content type;
   padding is taken off; sequence numbers never wrap. */
START_TEST(test_tlsrec_abuse)
{
	unsigned char rec[200], copy[200], *plain;
	struct tlsrec_key w, r;
	size_t n, len, i, blen;
	uint8_t type;
	int bit;

	key_hex(&w, 0x1303, C_AP, true);
	key_hex(&r, 0x1303, C_AP, false);
	ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, "1 PING\n", 7, rec,
	    &len), TLSREC_OK);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, rec, len);
			copy[i] ^= (unsigned char)(1 << bit);
			ck_assert_int_ne(tlsrec_open(&r, copy, len, &type,
			    &plain, &n), TLSREC_OK);
		}
	memcpy(copy, rec, len);
	ck_assert_int_eq(tlsrec_open(&r, copy, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_mem_eq(plain, "1 PING\n", 7);
	memcpy(copy, rec, len);		/* the same record again */
	ck_assert_int_eq(tlsrec_open(&r, copy, len, &type, &plain, &n),
	    TLSREC_E_TAG);
	/* Headers. */
	ck_assert_int_eq(tlsrec_header((const unsigned char *)"\x16\3\3\0\x20",
	    &blen), TLSREC_E_TYPE);
	ck_assert_int_eq(tlsrec_header((const unsigned char *)"\x17\3\1\0\x20",
	    &blen), TLSREC_E_VERSION);
	ck_assert_int_eq(tlsrec_header((const unsigned char *)"\x17\3\3\x4e\x20",
	    &blen), TLSREC_E_LENGTH);	/* 20,000 */
	ck_assert_int_eq(tlsrec_header((const unsigned char *)"\x17\3\3\0\x10",
	    &blen), TLSREC_E_LENGTH);	/* shorter than a tag and a type */
	ck_assert_int_eq(tlsrec_header((const unsigned char *)"\x17\3\3\x41\0",
	    &blen), TLSREC_OK);
	ck_assert_uint_eq(blen, TLSREC_CIPHER_MAX);
	ck_assert_int_eq(tlsrec_open(&r, rec, len - 1, &type, &plain, &n),
	    TLSREC_E_LENGTH);
	/* Inner plaintext: all zeros (no type) is refused; padding goes. */
	ck_assert_int_eq(tlsrec_seal(&w, 0, "", 0, rec, &len), TLSREC_OK);
	ck_assert_int_eq(tlsrec_open(&r, rec, len, &type, &plain, &n),
	    TLSREC_E_INNER);
	ck_assert_int_eq(tlsrec_seal(&w, 0, "ab\x17\0\0", 5, rec, &len),
	    TLSREC_OK);
	ck_assert_int_eq(tlsrec_open(&r, rec, len, &type, &plain, &n),
	    TLSREC_OK);
	ck_assert_uint_eq(type, TLSREC_APPDATA);
	ck_assert_uint_eq(n, 2);
	/* The last sequence number is never used. */
	w.seq = UINT64_MAX;
	ck_assert_int_eq(tlsrec_seal(&w, TLSREC_APPDATA, "x", 1, rec, &len),
	    TLSREC_E_SEQ);
	ck_assert_str_eq(tlsrec_strerror(TLSREC_E_TAG),
	    "a record that fails authentication");
	tlsrec_key_wipe(&w);
	tlsrec_key_wipe(&r);
	ck_assert_ptr_null(w.ctx);
}
END_TEST

Suite *
suite_tlsrec(void)
{
	Suite *s = suite_create("tlsrec");
	TCase *tc = tcase_create("tlsrec");

	tcase_add_test(tc, test_tlsrec_rfc8448_keys);
	tcase_add_test(tc, test_tlsrec_rfc8448_records);
	tcase_add_test(tc, test_tlsrec_key_update);
	tcase_add_test(tc, test_tlsrec_suites);
	tcase_add_test(tc, test_tlsrec_abuse);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase_tls_stream());
	return s;
}
