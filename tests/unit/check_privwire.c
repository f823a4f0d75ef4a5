/*
 * check_privwire.c - private chat frames: a round trip both ways, every
 * flipped bit refused, a replayed, dropped or reordered frame refused, the
 * other side's or another chat's key refused, lengths out of bounds.
 */
#include <check.h>
#include <string.h>

#include "privwire.h"
#include "../suites.h"

#define SECRET	"00112233445566778899aabbccddeeff"

/* The requester's and the answerer's ends of one chat. */
static void
pw_pair(struct privwire *req, struct privwire *ans)
{
	ck_assert_int_eq(privwire_init(req, SECRET, true), 0);
	ck_assert_int_eq(privwire_init(ans, SECRET, false), 0);
}

/* Frames go both ways; the text is not in the frame; partial input waits. */
START_TEST(test_privwire_round_trip)
{
	struct privwire req, ans;
	unsigned char f[PRIVWIRE_FRAME_MAX];
	char out[PRIVWIRE_TEXT_MAX + 1];
	size_t n, len;

	pw_pair(&req, &ans);
	len = privwire_seal(&req, "hello bob", 9, f);
	ck_assert_uint_eq(len, 2 + 9 + 16);
	ck_assert_ptr_null(memmem(f, len, "hello", 5));
	ck_assert_int_eq(privwire_open(&ans, f, 1, out, &n), 0);
	ck_assert_int_eq(privwire_open(&ans, f, len - 1, out, &n), 0);
	ck_assert_int_eq(privwire_open(&ans, f, len, out, &n), (int)len);
	ck_assert_uint_eq(n, 9);
	ck_assert_str_eq(out, "hello bob");
	len = privwire_seal(&ans, "", 0, f);
	ck_assert_int_eq(privwire_open(&req, f, len, out, &n), (int)len);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(privwire_seal(&req, f, PRIVWIRE_TEXT_MAX + 1, f), 0);
	privwire_free(&req);
	privwire_free(&ans);
}
END_TEST

/* Any flipped bit is refused, and the good frame still opens after. */
START_TEST(test_privwire_bit_flip)
{
	struct privwire req, ans;
	unsigned char f[PRIVWIRE_FRAME_MAX];
	char out[PRIVWIRE_TEXT_MAX + 1];
	size_t n, len, i;
	int bit, r;

	pw_pair(&req, &ans);
	len = privwire_seal(&req, "a private line", 14, f);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			f[i] ^= (unsigned char)(1 << bit);
			r = privwire_open(&ans, f, len, out, &n);
			ck_assert_msg(r <= 0 || (size_t)r != len,
			    "bit %d of byte %zu", bit, i);
			f[i] ^= (unsigned char)(1 << bit);
		}
	ck_assert_int_eq(privwire_open(&ans, f, len, out, &n), (int)len);
	privwire_free(&req);
	privwire_free(&ans);
}
END_TEST

/* Order is part of the key: replayed, skipped or swapped frames fail. */
START_TEST(test_privwire_replay_order)
{
	struct privwire req, ans;
	unsigned char f1[PRIVWIRE_FRAME_MAX], f2[PRIVWIRE_FRAME_MAX],
	    f3[PRIVWIRE_FRAME_MAX];
	char out[PRIVWIRE_TEXT_MAX + 1];
	size_t n, l1, l2, l3;

	pw_pair(&req, &ans);
	l1 = privwire_seal(&req, "one", 3, f1);
	l2 = privwire_seal(&req, "two", 3, f2);
	l3 = privwire_seal(&req, "three", 5, f3);
	ck_assert_int_eq(privwire_open(&ans, f2, l2, out, &n), -1);
	ck_assert_int_eq(privwire_open(&ans, f1, l1, out, &n), (int)l1);
	ck_assert_int_eq(privwire_open(&ans, f1, l1, out, &n), -1);
	ck_assert_int_eq(privwire_open(&ans, f3, l3, out, &n), -1);
	ck_assert_int_eq(privwire_open(&ans, f2, l2, out, &n), (int)l2);
	ck_assert_int_eq(privwire_open(&ans, f3, l3, out, &n), (int)l3);
	ck_assert_str_eq(out, "three");
	/* Equal texts make different frames. */
	l1 = privwire_seal(&req, "same", 4, f1);
	l2 = privwire_seal(&req, "same", 4, f2);
	ck_assert_int_ne(memcmp(f1, f2, l1), 0);
	privwire_free(&req);
	privwire_free(&ans);
}
END_TEST

/* Only the other end of this chat opens a frame; bad lengths are refused. */
START_TEST(test_privwire_keys_lengths)
{
	struct privwire req, ans, req2, other, bad;
	unsigned char f[PRIVWIRE_FRAME_MAX];
	char out[PRIVWIRE_TEXT_MAX + 1];
	size_t n, len;

	pw_pair(&req, &ans);
	ck_assert_int_eq(privwire_init(&req2, SECRET, true), 0);
	ck_assert_int_eq(privwire_init(&other,
	    "ffeeddccbbaa99887766554433221100", false), 0);
	ck_assert_int_eq(privwire_init(&bad, "not hex", false), -1);
	len = privwire_seal(&req, "alice", 5, f);
	ck_assert_int_eq(privwire_open(&req2, f, len, out, &n), -1);
	ck_assert_int_eq(privwire_open(&other, f, len, out, &n), -1);
	ck_assert_int_eq(privwire_open(&ans, f, len, out, &n), (int)len);
	f[0] = 0;
	f[1] = 15;		/* shorter than a tag */
	ck_assert_int_eq(privwire_open(&ans, f, 17, out, &n), -1);
	f[0] = 0xff;		/* longer than any frame */
	ck_assert_int_eq(privwire_open(&ans, f, 2, out, &n), -1);
	privwire_free(&req);
	privwire_free(&ans);
	privwire_free(&req2);
	privwire_free(&other);
}
END_TEST

Suite *
suite_privwire(void)
{
	Suite *s = suite_create("privwire");
	TCase *tc = tcase_create("privwire");

	tcase_add_test(tc, test_privwire_round_trip);
	tcase_add_test(tc, test_privwire_bit_flip);
	tcase_add_test(tc, test_privwire_replay_order);
	tcase_add_test(tc, test_privwire_keys_lengths);
	suite_add_tcase(s, tc);
	return s;
}
