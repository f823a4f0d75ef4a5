/*
 * check_edge.c - edge data: the streaming line checks and aggregates, the
 * text of results (exact SUM, AVERAGE to 6 decimals and as a fraction),
 * the stats record, and the server's file-name rules (the client's part
 * is check_edge_client.c).
 */
#include <sys/stat.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge_data.h"
#include "suites.h"

/* Scan text in one piece; returns edge_scan_finish's result. */
static int
scan_all(const char *text, struct edge_scan *sc)
{
	edge_scan_init(sc);
	if (edge_scan_feed(sc, text, strlen(text)) == -1)
		return -1;
	return edge_scan_finish(sc);
}

/* Scan text one byte at a time, as if every byte came in its own chunk. */
static int
scan_bytes(const char *text, struct edge_scan *sc)
{
	size_t i;

	edge_scan_init(sc);
	for (i = 0; text[i] != '\0'; i++)
		if (edge_scan_feed(sc, text + i, 1) == -1)
			return -1;
	return edge_scan_finish(sc);
}

/* The text of op over text, or "ERR". */
static const char *
result_of(const char *text, enum edge_op op)
{
	static char buf[EDGE_RESULT_MAX];
	struct edge_scan sc;

	ck_assert_int_eq(scan_all(text, &sc), 0);
	if (edge_op_result(&sc.st, op, buf, sizeof(buf)) == -1)
		return "ERR";
	return buf;
}

/* A bad file is refused at the right line with the right reason. */
static void
expect_bad(const char *text, unsigned long long line, const char *why)
{
	struct edge_scan sc;

	ck_assert_msg(scan_all(text, &sc) == -1, "accepted: %s", text);
	ck_assert_uint_eq(sc.err_line, line);
	ck_assert_str_eq(sc.err, why);
	ck_assert_msg(scan_bytes(text, &sc) == -1, "accepted bytewise: %s",
	    text);
	ck_assert_uint_eq(sc.err_line, line);
	ck_assert_str_eq(sc.err, why);
}

/* Plain numbers, negatives included. */
START_TEST(test_scan_basic)
{
	struct edge_scan sc;

	ck_assert_int_eq(scan_all("1\n-2\n3\n0\n-0\n007\n", &sc), 0);
	ck_assert_uint_eq(sc.st.count, 6);
	ck_assert(edge_i128_eq(sc.st.sum, edge_i128_from_i64(9)));
	ck_assert_int_eq(sc.st.min, -2);
	ck_assert_int_eq(sc.st.max, 7);
}
END_TEST

/* CRLF lines and a last line without LF count like the others. */
START_TEST(test_scan_crlf_and_last_line)
{
	struct edge_scan sc;

	ck_assert_int_eq(scan_all("5\r\n-6\r\n7", &sc), 0);
	ck_assert_uint_eq(sc.st.count, 3);
	ck_assert(edge_i128_eq(sc.st.sum, edge_i128_from_i64(6)));
	ck_assert_int_eq(scan_bytes("5\r\n-6\r\n7\r", &sc), 0);
	ck_assert_uint_eq(sc.st.count, 3);
}
END_TEST

/* An empty file is allowed: SUM 0, the rest undefined. */
START_TEST(test_scan_empty)
{
	struct edge_scan sc;

	ck_assert_int_eq(scan_all("", &sc), 0);
	ck_assert_uint_eq(sc.st.count, 0);
	ck_assert_str_eq(result_of("", EDGE_OP_SUM), "0");
	ck_assert_str_eq(result_of("", EDGE_OP_AVERAGE), "ERR");
	ck_assert_str_eq(result_of("", EDGE_OP_MAX), "ERR");
	ck_assert_str_eq(result_of("", EDGE_OP_MIN), "ERR");
}
END_TEST

/* Malformed lines: refused with the first bad line's number, however cut. */
START_TEST(test_scan_malformed)
{
	struct edge_scan sc;

	expect_bad("1\nabc\n3\n", 2, "not an integer");
	expect_bad("1\n2\n\n3\n", 3, "empty line");
	expect_bad("\n", 1, "empty line");
	expect_bad("\r\n", 1, "empty line");
	expect_bad("4\n-\n", 2, "a '-' without digits");
	expect_bad("+5\n", 1, "not an integer");
	expect_bad(" 5\n", 1, "not an integer");
	expect_bad("5 \n", 1, "not an integer");
	expect_bad("1\n2\n3.5\n", 3, "not an integer");
	expect_bad("--5\n", 1, "not an integer");
	expect_bad("5-\n", 1, "not an integer");
	expect_bad("1\r2\n", 1, "a carriage return inside the line");
	expect_bad("1\n2\n3\nx", 4, "not an integer");
	expect_bad("1\n\xc3\xa9\n", 2, "not an integer");
	/* A NUL byte is not a digit either. */
	edge_scan_init(&sc);
	ck_assert_int_eq(edge_scan_feed(&sc, "1\n2\0\n", 5), -1);
	ck_assert_uint_eq(sc.err_line, 2);
	/* Once failed, it stays failed. */
	ck_assert_int_eq(edge_scan_feed(&sc, "3\n", 2), -1);
	ck_assert_int_eq(edge_scan_finish(&sc), -1);
}
END_TEST

/* The 64-bit limits are accepted; one past them is refused. */
START_TEST(test_scan_limits)
{
	struct edge_scan sc;

	ck_assert_int_eq(scan_all("9223372036854775807\n"
	    "-9223372036854775808\n", &sc), 0);
	ck_assert_int_eq(sc.st.max, INT64_MAX);
	ck_assert_int_eq(sc.st.min, INT64_MIN);
	ck_assert(edge_i128_eq(sc.st.sum, edge_i128_from_i64(-1)));
	expect_bad("1\n9223372036854775808\n", 2, "out of the 64-bit range");
	expect_bad("-9223372036854775809\n", 1, "out of the 64-bit range");
	expect_bad("99999999999999999999999\n", 1, "out of the 64-bit range");
	/* Leading zeros cost nothing and do not overflow. */
	ck_assert_int_eq(scan_all("0000000000000000000000000000042\n", &sc), 0);
	ck_assert_int_eq(sc.st.max, 42);
}
END_TEST

/* Long input (the whole-line fast path) and byte-by-byte input (the byte
   machine) agree on every kind of line, good or bad. */
START_TEST(test_scan_paths_agree)
{
	static const char *const lines[] = {
		"0", "-0", "7", "-7", "123456789012345678", "-123456789012345678",
		"1234567890123456789", "-9223372036854775808",
		"9223372036854775807", "0000000000000000000000042", "55\r",
		"-1\r",
	};
	static const char *const bad[] = {
		"12 34", "", "-", "1-", "+1", "9223372036854775808", "1\r2",
		"x", "\r",
	};
	struct edge_scan whole, bytes;
	char *text, *p;
	size_t i, j, nl = sizeof(lines) / sizeof(lines[0]);

	text = malloc(64 * 1024);
	for (p = text, i = 0; i < 400; i++)
		p += sprintf(p, "%s\n", lines[i % nl]);
	ck_assert_int_eq(scan_all(text, &whole), 0);
	ck_assert_int_eq(scan_bytes(text, &bytes), 0);
	ck_assert_uint_eq(whole.st.count, 400);
	ck_assert_uint_eq(bytes.st.count, 400);
	ck_assert(edge_i128_eq(whole.st.sum, bytes.st.sum));
	ck_assert_int_eq(whole.st.min, INT64_MIN);
	ck_assert_int_eq(whole.st.max, INT64_MAX);
	ck_assert_int_eq(bytes.st.min, INT64_MIN);
	ck_assert_int_eq(bytes.st.max, INT64_MAX);
	for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		for (p = text, i = 0; i < 100; i++)
			p += sprintf(p, "%s\n", lines[i % nl]);
		p += sprintf(p, "%s\n", bad[j]);
		for (i = 0; i < 10; i++)
			p += sprintf(p, "%s\n", lines[i % nl]);
		ck_assert_msg(scan_all(text, &whole) == -1, "accepted '%s'",
		    bad[j]);
		ck_assert_msg(scan_bytes(text, &bytes) == -1, "accepted '%s'",
		    bad[j]);
		ck_assert_uint_eq(whole.err_line, 101);
		ck_assert_uint_eq(bytes.err_line, 101);
		ck_assert_str_eq(whole.err, bytes.err);
	}
	free(text);
}
END_TEST

/* SUM near the limits: exact, past what 64 bits hold. */
START_TEST(test_sum_wide)
{
	ck_assert_str_eq(result_of("9223372036854775807\n9223372036854775807\n"
	    "9223372036854775807\n9223372036854775807\n", EDGE_OP_SUM),
	    "36893488147419103228");
	ck_assert_str_eq(result_of("-9223372036854775808\n"
	    "-9223372036854775808\n-9223372036854775808\n", EDGE_OP_SUM),
	    "-27670116110564327424");
	ck_assert_str_eq(result_of("9223372036854775807\n"
	    "9223372036854775807\n", EDGE_OP_AVERAGE),
	    "9223372036854775807.000000");
	ck_assert_str_eq(result_of("-9223372036854775808\n"
	    "9223372036854775807\n", EDGE_OP_AVERAGE), "-0.500000");
	ck_assert_str_eq(result_of("-9223372036854775808\n"
	    "-9223372036854775807\n", EDGE_OP_AVERAGE),
	    "-9223372036854775807.500000");
	ck_assert_str_eq(result_of("-9223372036854775808\n", EDGE_OP_MIN),
	    "-9223372036854775808");
	ck_assert_str_eq(result_of("-9223372036854775808\n", EDGE_OP_MAX),
	    "-9223372036854775808");
}
END_TEST

/* AVERAGE: 6 decimals rounded half away from zero, fraction when inexact. */
START_TEST(test_average)
{
	struct edge_stats st;
	char buf[EDGE_RESULT_MAX];

	ck_assert_str_eq(result_of("1\n2\n4\n", EDGE_OP_AVERAGE),
	    "2.333333, exactly 7/3");
	ck_assert_str_eq(result_of("2\n3\n", EDGE_OP_AVERAGE), "2.500000");
	ck_assert_str_eq(result_of("-1\n-1\n0\n", EDGE_OP_AVERAGE),
	    "-0.666667, exactly -2/3");
	ck_assert_str_eq(result_of("4\n-4\n", EDGE_OP_AVERAGE), "0.000000");
	ck_assert_str_eq(result_of("2\n4\n6\n4\n", EDGE_OP_AVERAGE),
	    "4.000000");
	/* Half a millionth rounds away from zero, both signs. */
	memset(&st, 0, sizeof(st));
	st.count = 2000000;
	st.sum = edge_i128_from_i64(1);
	ck_assert_int_eq(edge_op_result(&st, EDGE_OP_AVERAGE, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0.000001, exactly 1/2000000");
	st.sum = edge_i128_from_i64(-1);
	edge_op_result(&st, EDGE_OP_AVERAGE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-0.000001, exactly -1/2000000");
	/* A tiny negative average that rounds to zero shows no sign. */
	st.count = 3000000;
	edge_op_result(&st, EDGE_OP_AVERAGE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.000000, exactly -1/3000000");
	/* Rounding that carries into the whole part. */
	st.count = 3;
	st.sum = edge_i128_from_i64(2999999);	/* 999999.666... */
	edge_op_result(&st, EDGE_OP_AVERAGE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "999999.666667, exactly 2999999/3");
	st.count = 10000000;
	st.sum = edge_i128_from_i64(9999999);	/* 0.9999999 -> 1.000000 */
	edge_op_result(&st, EDGE_OP_AVERAGE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.000000, exactly 9999999/10000000");
}
END_TEST

/* Operation names in any case. */
START_TEST(test_ops)
{
	ck_assert_int_eq(edge_op_parse("SUM"), EDGE_OP_SUM);
	ck_assert_int_eq(edge_op_parse("average"), EDGE_OP_AVERAGE);
	ck_assert_int_eq(edge_op_parse("Max"), EDGE_OP_MAX);
	ck_assert_int_eq(edge_op_parse("min"), EDGE_OP_MIN);
	ck_assert_int_eq(edge_op_parse("AVG"), -1);
	ck_assert_int_eq(edge_op_parse(""), -1);
	ck_assert_str_eq(edge_op_name(EDGE_OP_AVERAGE), "AVERAGE");
}
END_TEST

/* 128-bit text both ways, at the extremes. */
START_TEST(test_i128)
{
	char buf[EDGE_I128_MAX];
	struct edge_i128 max = { (uint64_t)INT64_MAX, UINT64_MAX };
	struct edge_i128 min = { (uint64_t)1 << 63, 0 }, v;
	int i;

	ck_assert_str_eq(edge_i128_format(max, buf),
	    "170141183460469231731687303715884105727");
	ck_assert_str_eq(edge_i128_format(min, buf),
	    "-170141183460469231731687303715884105728");
	ck_assert_str_eq(edge_i128_format(edge_i128_from_i64(0), buf), "0");
	ck_assert_str_eq(edge_i128_format(edge_i128_from_i64(-7), buf), "-7");
	ck_assert_int_eq(edge_i128_parse(
	    "-170141183460469231731687303715884105728", &v), 0);
	ck_assert(edge_i128_eq(v, min));
	ck_assert_int_eq(edge_i128_parse(
	    "170141183460469231731687303715884105727", &v), 0);
	ck_assert(edge_i128_eq(v, max));
	ck_assert_int_eq(edge_i128_parse(
	    "170141183460469231731687303715884105728", &v), -1);
	ck_assert_int_eq(edge_i128_parse(
	    "-170141183460469231731687303715884105729", &v), -1);
	ck_assert_int_eq(edge_i128_parse(
	    "999999999999999999999999999999999999999", &v), -1);
	ck_assert_int_eq(edge_i128_parse("-", &v), -1);
	ck_assert_int_eq(edge_i128_parse("1x", &v), -1);
	/* Adding across the 64-bit boundary both ways. */
	v = edge_i128_from_i64(INT64_MAX);
	for (i = 0; i < 4; i++)
		edge_i128_add64(&v, INT64_MAX);
	ck_assert_str_eq(edge_i128_format(v, buf), "46116860184273879035");
	for (i = 0; i < 5; i++)
		edge_i128_add64(&v, INT64_MIN);
	ck_assert_str_eq(edge_i128_format(v, buf), "-5");
	edge_i128_add64(&v, 5);
	ck_assert(edge_i128_eq(v, edge_i128_from_i64(0)));
}
END_TEST

/* The stats record reads back what was written; junk is refused. */
START_TEST(test_stats_record)
{
	struct edge_stats st = { .count = 3, .min = INT64_MIN, .max = 5 };
	struct edge_stats back;
	char text[EDGE_STATS_TEXT_MAX];
	uint64_t ino, size;

	st.sum = edge_i128_from_i64(INT64_MIN);
	edge_i128_add64(&st.sum, INT64_MIN);
	edge_i128_add64(&st.sum, INT64_MIN);
	ck_assert_int_gt(edge_stats_encode(&st, 1234, 99, text, sizeof(text)),
	    0);
	ck_assert_str_eq(text, "edge1 1234 99 3 -27670116110564327424 "
	    "-9223372036854775808 5\n");
	ck_assert_int_eq(edge_stats_decode(text, &back, &ino, &size), 0);
	ck_assert_uint_eq(ino, 1234);
	ck_assert_uint_eq(size, 99);
	ck_assert_uint_eq(back.count, 3);
	ck_assert(edge_i128_eq(back.sum, st.sum));
	ck_assert_int_eq(back.min, INT64_MIN);
	ck_assert_int_eq(back.max, 5);
	ck_assert_int_eq(edge_stats_decode("edge1 1 2 3 4 5\n", &back, &ino,
	    &size), -1);
	ck_assert_int_eq(edge_stats_decode("edge2 1 2 3 4 5 6\n", &back, &ino,
	    &size), -1);
	ck_assert_int_eq(edge_stats_decode("edge1 1 2 -3 4 5 6\n", &back,
	    &ino, &size), -1);
	ck_assert_int_eq(edge_stats_decode("edge1 1 2 3 4 5 6\nx", &back,
	    &ino, &size), -1);
}
END_TEST

/* Server file names: per user, "." and ".." safe, IDs canonical. */
START_TEST(test_server_names)
{
	char buf[EDGE_NAME_MAX];
	long long id;

	ck_assert_int_eq(edge_user_dir("alice", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "alice");
	ck_assert_int_eq(edge_user_dir("..", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "=..");
	ck_assert_int_eq(edge_user_dir(".", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "=.");
	ck_assert_int_eq(edge_user_dir(".x", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "=.x");
	ck_assert_int_eq(edge_user_dir("a.b", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "a.b");
	ck_assert_int_eq(edge_user_dir("a/b", buf, sizeof(buf)), -1);
	ck_assert_int_eq(edge_user_dir("", buf, sizeof(buf)), -1);
	ck_assert_int_eq(edge_user_dir("alice", buf, 5), -1);

	ck_assert_int_eq(edge_id_parse("007", &id), 0);
	ck_assert_int_eq(id, 7);
	ck_assert_int_eq(edge_id_parse("9223372036854775807", &id), 0);
	ck_assert_int_eq(edge_id_parse("9223372036854775808", &id), -1);
	ck_assert_int_eq(edge_id_parse("-1", &id), -1);
	ck_assert_int_eq(edge_id_parse("1x", &id), -1);
	ck_assert_int_eq(edge_id_parse("", &id), -1);
	ck_assert_int_eq(edge_data_name(7, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "7.txt");
	ck_assert_int_eq(edge_stats_name(7, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "7.stats");
	ck_assert_int_eq(edge_data_name(-1, buf, sizeof(buf)), -1);
}
END_TEST

Suite *
suite_edge(void)
{
	Suite *s = suite_create("edge");
	TCase *tc = tcase_create("scan");
	TCase *tr = tcase_create("results");
	TCase *tn = tcase_create("names");

	tcase_add_test(tc, test_scan_basic);
	tcase_add_test(tc, test_scan_crlf_and_last_line);
	tcase_add_test(tc, test_scan_empty);
	tcase_add_test(tc, test_scan_malformed);
	tcase_add_test(tc, test_scan_limits);
	tcase_add_test(tc, test_scan_paths_agree);
	tcase_add_test(tr, test_sum_wide);
	tcase_add_test(tr, test_average);
	tcase_add_test(tr, test_ops);
	tcase_add_test(tr, test_i128);
	tcase_add_test(tr, test_stats_record);
	tcase_add_test(tn, test_server_names);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tr);
	suite_add_tcase(s, tn);
	return s;
}
