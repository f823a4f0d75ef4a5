/*
 * check_timefmt.c - "DD Mon YYYY HH:MM:SS": formatting, strict parsing,
 * round trips and the reason given for each kind of bad input.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include "timefmt.h"

/* Pin the time zone so that local time is predictable. */
static void
tz_set(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Parse s and expect failure with a reason containing want. */
static void
expect_error(const char *s, const char *want)
{
	char err[128];
	time_t t = 12345;

	ck_assert_msg(timefmt_parse(s, &t, err, sizeof(err)) == -1,
	    "'%s' was accepted", s);
	ck_assert_msg(strstr(err, want) != NULL, "'%s': got '%s', want '%s'",
	    s, err, want);
	ck_assert_int_eq(t, 12345);
}

/* Known instants format as expected in UTC. */
START_TEST(test_format_utc)
{
	char buf[TIMEFMT_LEN];

	tz_set("UTC");
	ck_assert_str_eq(timefmt_format(0, buf), "01 Jan 1970 00:00:00");
	ck_assert_str_eq(timefmt_format(1614096080, buf),
	    "23 Feb 2021 16:01:20");
	ck_assert_str_eq(timefmt_format(1709164800, buf),
	    "29 Feb 2024 00:00:00");
	ck_assert_str_eq(timefmt_format(1735689599, buf),
	    "31 Dec 2024 23:59:59");
	ck_assert_uint_eq(strlen(buf), TIMEFMT_LEN - 1);
}
END_TEST

/* The month names do not come from the locale. */
START_TEST(test_format_all_months)
{
	static const char *names[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char buf[TIMEFMT_LEN];
	struct tm tm;
	int m;

	tz_set("UTC");
	for (m = 0; m < 12; m++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 2023 - 1900;
		tm.tm_mon = m;
		tm.tm_mday = 15;
		tm.tm_isdst = -1;
		timefmt_format(mktime(&tm), buf);
		ck_assert_msg(strncmp(buf + 3, names[m], 3) == 0, "%s", buf);
	}
}
END_TEST

/* format -> parse gives back the same instant, in two time zones. */
START_TEST(test_round_trip)
{
	static const long long ts[] = {
		172800, 259199, 951782400 /* 29 Feb 2000 */, 1614096080,
		1709164800 /* 29 Feb 2024 */, 1709251199, 1700000000,
		1720000000 /* summer */, 2147483647,
		4102444799LL /* 31 Dec 2099 23:59:59 */,
	};
	/* POSIX zone strings: no tzdata needed; one has DST. */
	static const char *zones[] = {
		"UTC0", "IST-5:30", "EST5EDT,M3.2.0,M11.1.0",
	};
	char buf[TIMEFMT_LEN], err[128];
	size_t i, z;
	time_t back;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		tz_set(zones[z]);
		for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			if ((long long)(time_t)ts[i] != ts[i])
				continue;	/* 32-bit time_t */
			timefmt_format((time_t)ts[i], buf);
			ck_assert_msg(timefmt_parse(buf, &back, err,
			    sizeof(err)) == 0, "%s: %s", buf, err);
			ck_assert_msg((long long)back == ts[i], "%s %s: %lld != %lld",
			    zones[z], buf, (long long)back, ts[i]);
		}
	}
	tz_set("UTC");
}
END_TEST

/* Leap days: exist in 2024 and 2000, not in 2023 or 1900-style centuries. */
START_TEST(test_leap)
{
	char err[128];
	time_t t;

	tz_set("UTC");
	ck_assert_int_eq(timefmt_parse("29 Feb 2024 12:00:00", &t, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(t, 1709208000);
	ck_assert_int_eq(timefmt_parse("29 Feb 2000 00:00:00", &t, err,
	    sizeof(err)), 0);
	expect_error("29 Feb 2023 12:00:00", "day 29 does not exist in Feb 2023");
	expect_error("29 Feb 2100 12:00:00", "day 29 does not exist in Feb 2100");
	expect_error("30 Feb 2024 12:00:00", "day 30 does not exist in Feb 2024");
	expect_error("31 Apr 2021 12:00:00", "day 31 does not exist in Apr 2021");
	ck_assert_int_eq(timefmt_parse("31 Dec 2021 23:59:59", &t, err,
	    sizeof(err)), 0);
}
END_TEST

/* One-digit days and the boundaries of every field are accepted. */
START_TEST(test_parse_accepts)
{
	char err[128];
	time_t t;

	tz_set("UTC");
	ck_assert_int_eq(timefmt_parse("1 Jan 1970 00:00:00", &t, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(timefmt_parse("01 Jan 1970 00:00:01", &t, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(t, 1);
	ck_assert_int_eq(timefmt_parse("23 Feb 2021 16:01:20", &t, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(t, 1614096080);
	ck_assert_int_eq(timefmt_parse("9 Sep 2021 23:59:59", &t, err,
	    sizeof(err)), 0);
}
END_TEST

/* Structural errors get the "expected ..." message. */
START_TEST(test_parse_shape)
{
	static const char *bad[] = {
		"", " 23 Feb 2021 16:01:20", "23  Feb 2021 16:01:20",
		"023 Feb 2021 16:01:20", "23 Feb 21 16:01:20",
		"23 Feb 02021 16:01:20", "23 Feb 2021 6:01:20",
		"23 Feb 2021 16:1:20", "23 Feb 2021 16:01:2",
		"23 Feb 2021 16-01-20", "23 Feb 2021T16:01:20",
		"23 Feb 2021 16:01", "23 Feb 2021", "Feb 23 2021 16:01:20",
		"2021-02-23 16:01:20", "23 Feb", "23",
		"23 Feb 2021 +6:01:20", "23 Feb 2021 16:01:-2",
		"23 Feb 2021 16:01:200", "123 Feb 2021 16:01:20",
	};
	size_t i;

	tz_set("UTC");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], "expected DD Mon YYYY HH:MM:SS, "
		    "e.g. 23 Feb 2021 16:01:20");
}
END_TEST

/* Month names are exact and case-sensitive. */
START_TEST(test_parse_month)
{
	tz_set("UTC");
	expect_error("23 Fbe 2021 16:01:20",
	    "unknown month 'Fbe' (expected Jan..Dec)");
	expect_error("23 feb 2021 16:01:20", "unknown month 'feb'");
	expect_error("23 FEB 2021 16:01:20", "unknown month 'FEB'");
	expect_error("23 February 2021 16:01:20", "unknown month 'February'");
	expect_error("23 Fe 2021 16:01:20", "unknown month 'Fe'");
	expect_error("23 F\x01" "b 2021 16:01:20", "unknown month 'F?b'");
	expect_error("23 Febxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 2021 16:01:20",
	    "...' (expected Jan..Dec)");
}
END_TEST

/* Each out-of-range field is named. */
START_TEST(test_parse_ranges)
{
	tz_set("UTC");
	expect_error("0 Jan 2021 16:01:20", "day 0 is out of range 1-31");
	expect_error("32 Jan 2021 16:01:20", "day 32 is out of range 1-31");
	expect_error("23 Feb 1969 16:01:20",
	    "year 1969 is out of range 1970-9999");
	expect_error("23 Feb 2021 24:00:00", "hour 24 is out of range 00-23");
	expect_error("23 Feb 2021 16:60:00",
	    "minute 60 is out of range 00-59");
	expect_error("23 Feb 2021 16:01:60",
	    "second 60 is out of range 00-59");
	expect_error("23 Feb 2021 99:99:99", "hour 99");
}
END_TEST

/* Anything after the seconds is refused. */
START_TEST(test_parse_trailing)
{
	tz_set("UTC");
	expect_error("23 Feb 2021 16:01:20 ", "trailing text after the seconds");
	expect_error("23 Feb 2021 16:01:20x", "trailing text after the seconds");
	expect_error("23 Feb 2021 16:01:20\n", "trailing text after the seconds");
}
END_TEST

/* A tiny error buffer is never overrun and is always terminated. */
START_TEST(test_parse_small_err)
{
	char err[8];
	time_t t;

	memset(err, 'Z', sizeof(err));
	ck_assert_int_eq(timefmt_parse("bad", &t, err, 5), -1);
	ck_assert_str_eq(err, "expe");
	ck_assert_int_eq(err[5], 'Z');
	ck_assert_int_eq(timefmt_parse("bad", &t, NULL, 0), -1);
}
END_TEST

Suite *
suite_timefmt(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("timefmt");

	tcase_add_test(tc, test_format_utc);
	tcase_add_test(tc, test_format_all_months);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_leap);
	tcase_add_test(tc, test_parse_accepts);
	tcase_add_test(tc, test_parse_shape);
	tcase_add_test(tc, test_parse_month);
	tcase_add_test(tc, test_parse_ranges);
	tcase_add_test(tc, test_parse_trailing);
	tcase_add_test(tc, test_parse_small_err);
	suite_add_tcase(s, tc);
	return s;
}
