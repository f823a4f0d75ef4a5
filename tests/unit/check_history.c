/*
 * check_history.c - the whoelsesince window.
 */
#include <check.h>

#include "history.h"
#include "suites.h"

/* Online users are always inside any window, even of 0 seconds. */
START_TEST(test_online_always)
{
	ck_assert(history_seen_within(true, HISTORY_NEVER, 100000, 0));
	ck_assert(history_seen_within(true, 5, 100000, 60000));
}
END_TEST

/* Never logged in since start: never inside. */
START_TEST(test_never_seen)
{
	ck_assert(!history_seen_within(false, HISTORY_NEVER, 100000, 60000));
	ck_assert(!history_seen_within(false, HISTORY_NEVER, 100000,
	    INT64_MAX / 2));
}
END_TEST

/* A logout inside the window counts, one before it does not; edges included. */
START_TEST(test_window_edges)
{
	int64_t now = 1000000;

	ck_assert(history_seen_within(false, now - 30000, now, 60000));
	ck_assert(history_seen_within(false, now - 60000, now, 60000));
	ck_assert(!history_seen_within(false, now - 60001, now, 60000));
	ck_assert(history_seen_within(false, now, now, 0));
	ck_assert(!history_seen_within(false, now - 1, now, 0));
}
END_TEST

/* A window longer than the server has run covers every logout. */
START_TEST(test_window_before_clock_zero)
{
	ck_assert(history_seen_within(false, 10, 500, 3600000));
	ck_assert(!history_seen_within(false, 10, 500, -1));
}
END_TEST

Suite *
suite_history(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, test_online_always);
	tcase_add_test(tc, test_never_seen);
	tcase_add_test(tc, test_window_edges);
	tcase_add_test(tc, test_window_before_clock_zero);
	suite_add_tcase(s, tc);
	return s;
}
