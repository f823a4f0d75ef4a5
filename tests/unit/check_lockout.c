/*
 * check_lockout.c - the arithmetic of failed logins and the bounded table
 * of unknown names.
 */
#include <check.h>
#include <stdio.h>

#include "lockout.h"
#include "suites.h"

/* N-1 failures leave the name free; the N-th blocks it. */
START_TEST(test_blocks_on_nth_failure)
{
	struct lockout lk = { 0 };

	ck_assert(!lockout_fail(&lk, 3, 10000, 1000));
	ck_assert(!lockout_fail(&lk, 3, 10000, 1100));
	ck_assert(!lockout_blocked(&lk, 1200));
	ck_assert(lockout_fail(&lk, 3, 10000, 1200));
	ck_assert(lockout_blocked(&lk, 1201));
	ck_assert_int_eq(lockout_remaining_ms(&lk, 1201), 9999);
}
END_TEST

/* One attempt allowed: the first failure blocks. */
START_TEST(test_attempts_one)
{
	struct lockout lk = { 0 };

	ck_assert(lockout_fail(&lk, 1, 5000, 0));
	ck_assert(lockout_blocked(&lk, 4999));
	ck_assert(!lockout_blocked(&lk, 5000));
}
END_TEST

/* The block ends exactly at its duration and the count starts again. */
START_TEST(test_block_expires_and_resets)
{
	struct lockout lk = { 0 };
	int i;

	for (i = 0; i < 3; i++)
		lockout_fail(&lk, 3, 10000, 500);
	ck_assert(lockout_blocked(&lk, 10499));
	ck_assert(!lockout_blocked(&lk, 10500));
	ck_assert_int_eq(lk.failures, 0);
	/* After expiry, two more failures do not block again. */
	ck_assert(!lockout_fail(&lk, 3, 10000, 11000));
	ck_assert(!lockout_fail(&lk, 3, 10000, 11001));
	ck_assert(!lockout_blocked(&lk, 11002));
}
END_TEST

/* Failures during a block neither extend it nor count. */
START_TEST(test_fail_while_blocked)
{
	struct lockout lk = { 0 };

	lockout_fail(&lk, 2, 1000, 0);
	ck_assert(lockout_fail(&lk, 2, 1000, 0));
	ck_assert(!lockout_fail(&lk, 2, 1000, 500));
	ck_assert_int_eq(lockout_remaining_ms(&lk, 500), 500);
}
END_TEST

/* A success clears the count: failures must be consecutive. */
START_TEST(test_success_clears)
{
	struct lockout lk = { 0 };

	lockout_fail(&lk, 3, 1000, 0);
	lockout_fail(&lk, 3, 1000, 0);
	lockout_clear(&lk);
	ck_assert(!lockout_fail(&lk, 3, 1000, 1));
	ck_assert(!lockout_fail(&lk, 3, 1000, 2));
	ck_assert(lockout_fail(&lk, 3, 1000, 3));
}
END_TEST

/* Address failures fade after the window unless they blocked. */
START_TEST(test_decay)
{
	struct lockout lk = { 0 };

	lockout_fail(&lk, 3, 60000, 1000);
	lockout_fail(&lk, 3, 60000, 2000);
	lockout_decay(&lk, 60000, 61999);
	ck_assert_int_eq(lk.failures, 2);
	lockout_decay(&lk, 60000, 62000);
	ck_assert_int_eq(lk.failures, 0);
	lockout_fail(&lk, 3, 60000, 70000);
	lockout_fail(&lk, 3, 60000, 70001);
	ck_assert(lockout_fail(&lk, 3, 60000, 70002));
	/* Decay never lifts a block early. */
	lockout_decay(&lk, 60000, 100000);
	ck_assert(lockout_blocked(&lk, 130001));
	ck_assert(!lockout_blocked(&lk, 130002));
}
END_TEST

/* IPv6 addresses fit as keys. */
START_TEST(test_table_long_keys)
{
	struct lockout_table *t = lockout_table_new(2);
	const char *v6 = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";

	ck_assert_ptr_nonnull(lockout_table_get(t, v6, 0, true));
	ck_assert_ptr_nonnull(lockout_table_get(t, v6, 0, false));
	lockout_table_free(t);
}
END_TEST

/* The table finds names again and creates only when asked. */
START_TEST(test_table_lookup)
{
	struct lockout_table *t = lockout_table_new(4);
	struct lockout *a, *b;

	ck_assert_ptr_null(lockout_table_get(t, "ghost", 0, false));
	a = lockout_table_get(t, "ghost", 0, true);
	ck_assert_ptr_nonnull(a);
	lockout_fail(a, 3, 1000, 0);
	b = lockout_table_get(t, "ghost", 1, false);
	ck_assert_ptr_eq(a, b);
	ck_assert_int_eq(b->failures, 1);
	ck_assert_int_eq(lockout_table_size(t), 1);
	lockout_table_free(t);
}
END_TEST

/* A full table never grows; it forgets an unblocked name, not a blocked one. */
START_TEST(test_table_bounded_keeps_blocked)
{
	struct lockout_table *t = lockout_table_new(3);
	struct lockout *lk;
	char name[16];
	int i;

	lk = lockout_table_get(t, "blocked", 0, true);
	lockout_fail(lk, 1, 60000, 0);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "guess%d", i);
		lockout_fail(lockout_table_get(t, name, 10 + i, true), 3, 60000,
		    10 + i);
		ck_assert_int_le(lockout_table_size(t), 3);
	}
	lk = lockout_table_get(t, "blocked", 100, false);
	ck_assert_ptr_nonnull(lk);
	ck_assert(lockout_blocked(lk, 100));
	lockout_table_free(t);
}
END_TEST

Suite *
suite_lockout(void)
{
	Suite *s = suite_create("lockout");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_blocks_on_nth_failure);
	tcase_add_test(tc, test_attempts_one);
	tcase_add_test(tc, test_block_expires_and_resets);
	tcase_add_test(tc, test_fail_while_blocked);
	tcase_add_test(tc, test_success_clears);
	tcase_add_test(tc, test_decay);
	tcase_add_test(tc, test_table_long_keys);
	tcase_add_test(tc, test_table_lookup);
	tcase_add_test(tc, test_table_bounded_keeps_blocked);
	suite_add_tcase(s, tc);
	return s;
}
