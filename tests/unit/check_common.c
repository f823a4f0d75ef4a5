/*
 * check_common.c - the small helpers of common/ that both programs use:
 * byte counts in words (size.c) and the signal set-up (sig.c).
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sig.h"
#include "size.h"
#include "suites.h"

/* Both styles, at every unit's edges. */
START_TEST(test_size_format)
{
	static const struct {
		uint64_t		 n;
		enum size_style		 style;
		const char		*want;
	} cases[] = {
		{ 0, SIZE_TENTHS, "0 B" },
		{ 999, SIZE_TENTHS, "999 B" },
		{ 1000, SIZE_TENTHS, "1.0 kB" },
		{ 4321, SIZE_TENTHS, "4.3 kB" },
		{ 104857, SIZE_TENTHS, "104.9 kB" },
		{ 999999, SIZE_TENTHS, "1000.0 kB" },
		{ 1000000, SIZE_TENTHS, "1.0 MB" },
		{ 2097152, SIZE_TENTHS, "2.1 MB" },
		{ 1250000000, SIZE_TENTHS, "1.25 GB" },
		{ 5000000000000ULL, SIZE_TENTHS, "5000.00 GB" },
		{ 999, SIZE_SIG3, "999 B" },
		{ 1000, SIZE_SIG3, "1.00 kB" },
		{ 12000, SIZE_SIG3, "12.0 kB" },
		{ 123456789, SIZE_SIG3, "123 MB" },
		{ 999999, SIZE_SIG3, "1000 kB" },
		{ 1200000000, SIZE_SIG3, "1.20 GB" },
		{ 5000000000000ULL, SIZE_SIG3, "5.00 TB" },
		{ UINT64_MAX, SIZE_SIG3, "18446744 TB" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_format(cases[i].n, cases[i].style, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[i].want) == 0,
		    "%llu: got \"%s\", want \"%s\"",
		    (unsigned long long)cases[i].n, buf, cases[i].want);
	}
	/* A short buffer is cut, never overrun. */
	size_format(123456789, SIZE_SIG3, buf, 4);
	ck_assert_str_eq(buf, "123");
}
END_TEST

static volatile sig_atomic_t check_common_caught;

/* The test's handler: count. */
static void
check_common_on_signal(int sig)
{
	check_common_caught++;
}

/*
 * A caught signal waits while blocked and is handled only while waiting
 * with the mask given back; the extra signal is blocked too; SIGPIPE is
 * ignored.
 */
START_TEST(test_sig_setup)
{
	struct sigaction sa;
	sigset_t waitmask, now;

	check_common_caught = 0;
	ck_assert_int_eq(sig_setup(check_common_on_signal, SIGWINCH,
	    &waitmask), 0);
	sigprocmask(SIG_BLOCK, NULL, &now);
	ck_assert(sigismember(&now, SIGINT));
	ck_assert(sigismember(&now, SIGTERM));
	ck_assert(sigismember(&now, SIGHUP));
	ck_assert(sigismember(&now, SIGWINCH));
	ck_assert(!sigismember(&waitmask, SIGHUP));
	ck_assert(!sigismember(&waitmask, SIGWINCH));
	sigaction(SIGPIPE, NULL, &sa);
	ck_assert(sa.sa_handler == SIG_IGN);

	kill(getpid(), SIGHUP);
	ck_assert_int_eq(check_common_caught, 0);	/* blocked: pending */
	sigsuspend(&waitmask);				/* handled in here */
	ck_assert_int_eq(check_common_caught, 1);
	kill(getpid(), SIGTERM);
	sigsuspend(&waitmask);
	ck_assert_int_eq(check_common_caught, 2);
}
END_TEST

/* The suite. */
Suite *
suite_common(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("common");

	tcase_add_test(tc, test_size_format);
	tcase_add_test(tc, test_sig_setup);
	suite_add_tcase(s, tc);
	return s;
}
