/*
 * check_buf.c - bounded buffers: limits, all-or-nothing appends, memory
 * given back when empty, compaction and printf growth.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "suites.h"

/* A new buffer holds no memory. */
START_TEST(test_init_empty)
{
	struct buf b;

	memset(&b, 0xa5, sizeof(b));
	buf_init(&b, 100);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.off, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, 100);
	ck_assert_int_eq(buf_append(&b, "x", 0), 0);
	ck_assert_ptr_null(b.data);
	buf_free(&b);
}
END_TEST

/* Appending up to the limit works; one byte more is refused whole. */
START_TEST(test_limit)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_append(&b, "0123456", 7), 0);
	errno = 0;
	ck_assert_int_eq(buf_append(&b, "abcd", 4), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(b.len, 7);
	ck_assert(memcmp(buf_head(&b), "0123456", 7) == 0);
	ck_assert_int_eq(buf_append(&b, "abc", 3), 0);
	ck_assert_uint_eq(b.len, 10);
	ck_assert(memcmp(buf_head(&b), "0123456abc", 10) == 0);
	ck_assert_uint_le(b.cap, 10);
	errno = 0;
	ck_assert_int_eq(buf_append(&b, "z", 1), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(b.len, 10);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

/* A zero limit refuses everything and never allocates. */
START_TEST(test_zero_limit)
{
	struct buf b;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_append(&b, "a", 1), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(buf_printf(&b, "%d", 1), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(buf_printf(&b, "%s", ""), 0);
	ck_assert_ptr_null(b.data);
}
END_TEST

/* Consuming everything gives the memory back; partial consume keeps data. */
START_TEST(test_consume_frees)
{
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(buf_append(&b, "hello world", 11), 0);
	ck_assert_ptr_nonnull(b.data);
	buf_consume(&b, 6);
	ck_assert_uint_eq(b.len, 5);
	ck_assert(memcmp(buf_head(&b), "world", 5) == 0);
	buf_consume(&b, 5);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.off, 0);

	/* Over-consuming is the same as consuming all. */
	ck_assert_int_eq(buf_append(&b, "abc", 3), 0);
	buf_consume(&b, 1000);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	/* And the buffer is usable again. */
	ck_assert_int_eq(buf_append(&b, "xy", 2), 0);
	ck_assert(memcmp(buf_head(&b), "xy", 2) == 0);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.max, 4096);
}
END_TEST

/* Growth is geometric and capped at the limit. */
START_TEST(test_growth)
{
	char chunk[100];
	struct buf b;
	size_t i, grows = 0, last = 0;

	memset(chunk, 'q', sizeof(chunk));
	buf_init(&b, 100000);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(buf_append(&b, chunk, sizeof(chunk)), 0);
		if (b.cap != last) {
			grows++;
			last = b.cap;
		}
		ck_assert_uint_ge(b.cap, b.len);
		ck_assert_uint_le(b.cap, b.max);
	}
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_eq(b.cap, 100000);
	ck_assert_uint_le(grows, 12);
	ck_assert_int_eq(buf_append(&b, chunk, 1), -1);
	buf_free(&b);

	/* A small limit caps even the first allocation. */
	buf_init(&b, 20);
	ck_assert_int_eq(buf_append(&b, "a", 1), 0);
	ck_assert_uint_le(b.cap, 20);
	buf_free(&b);
}
END_TEST

/* Data moves to the front instead of growing when the front is free. */
START_TEST(test_compact)
{
	char chunk[600];
	struct buf b;
	size_t cap;

	memset(chunk, 'c', sizeof(chunk));
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(buf_append(&b, chunk, 500), 0);
	cap = b.cap;
	buf_consume(&b, 490);
	ck_assert_uint_eq(b.off, 490);
	ck_assert_int_eq(buf_append(&b, "0123456789abcdefghijklmnopqrstuvwxyz",
	    36), 0);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_uint_eq(b.off, 0);
	ck_assert_uint_eq(b.len, 46);
	ck_assert(memcmp(buf_head(&b), "cccccccccc0123456789", 20) == 0);
	ck_assert(memcmp(buf_head(&b) + 10 + 26, "qrstuvwxyz", 10) == 0);
	buf_free(&b);
}
END_TEST

/* The limit counts stored bytes, not consumed ones. */
START_TEST(test_limit_after_consume)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_append(&b, "abcdefgh", 8), 0);
	buf_consume(&b, 3);
	ck_assert_int_eq(buf_append(&b, "123", 3), 0);
	ck_assert_uint_eq(b.len, 8);
	ck_assert(memcmp(buf_head(&b), "defgh123", 8) == 0);
	ck_assert_int_eq(buf_append(&b, "4", 1), -1);
	buf_free(&b);
}
END_TEST

/* printf appends, grows past the first allocation, keeps earlier bytes. */
START_TEST(test_printf_growth)
{
	char big[3000];
	struct buf b;

	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 1 << 16);
	ck_assert_int_eq(buf_printf(&b, "%d %s", 42, "OK"), 0);
	ck_assert_uint_eq(b.len, 5);
	ck_assert(memcmp(buf_head(&b), "42 OK", 5) == 0);
	ck_assert_int_eq(buf_printf(&b, "[%s]", big), 0);
	ck_assert_uint_eq(b.len, 5 + 2 + 2999);
	ck_assert(memcmp(buf_head(&b), "42 OK[www", 9) == 0);
	ck_assert_int_eq(buf_head(&b)[b.len - 1], ']');
	ck_assert_uint_ge(b.cap, b.len);
	ck_assert_int_eq(buf_printf(&b, "%s", ""), 0);
	ck_assert_uint_eq(b.len, 3006);
	buf_free(&b);
}
END_TEST

/* printf over the limit appends nothing; exactly up to it works. */
START_TEST(test_printf_limit)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_printf(&b, "%s", "abcdef"), 0);
	errno = 0;
	ck_assert_int_eq(buf_printf(&b, "%s-%d", "xy", 12), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(b.len, 6);
	ck_assert(memcmp(buf_head(&b), "abcdef", 6) == 0);
	/* Fill to exactly the limit: no room for a NUL, still correct. */
	ck_assert_int_eq(buf_printf(&b, "%d", 1234), 0);
	ck_assert_uint_eq(b.len, 10);
	ck_assert(memcmp(buf_head(&b), "abcdef1234", 10) == 0);
	ck_assert_uint_le(b.cap, 10);
	ck_assert_int_eq(buf_printf(&b, "x"), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	buf_free(&b);

	/* The same from an empty buffer, text exactly max bytes. */
	buf_init(&b, 5);
	ck_assert_int_eq(buf_printf(&b, "%05d", 7), 0);
	ck_assert(memcmp(buf_head(&b), "00007", 5) == 0);
	buf_consume(&b, 5);
	ck_assert_ptr_null(b.data);
	buf_free(&b);
}
END_TEST

/* printf after a partial consume compacts and keeps order. */
START_TEST(test_printf_after_consume)
{
	struct buf b;

	buf_init(&b, 12);
	ck_assert_int_eq(buf_printf(&b, "%s", "0123456789"), 0);
	buf_consume(&b, 8);
	ck_assert_int_eq(buf_printf(&b, "%s", "abcdefghij"), 0);
	ck_assert_uint_eq(b.len, 12);
	ck_assert(memcmp(buf_head(&b), "89abcdefghij", 12) == 0);
	buf_free(&b);
}
END_TEST

Suite *
suite_buf(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, test_init_empty);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_zero_limit);
	tcase_add_test(tc, test_consume_frees);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_limit_after_consume);
	tcase_add_test(tc, test_printf_growth);
	tcase_add_test(tc, test_printf_limit);
	tcase_add_test(tc, test_printf_after_consume);
	suite_add_tcase(s, tc);
	return s;
}
