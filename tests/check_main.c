/*
 * check_main.c - one runner for every suite, unit and end-to-end, so that
 * a run ends with one Check summary line.  CK_RUN_SUITE=name runs one suite
 * (for example CK_RUN_SUITE=e2e_session).
 */
#include <signal.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	/* Writes to a client that died must fail, not kill the runner. */
	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(suite_proto());
	srunner_add_suite(sr, suite_timefmt());
	srunner_add_suite(sr, suite_buf());
	srunner_add_suite(sr, suite_config());
	srunner_add_suite(sr, suite_lockout());
	srunner_add_suite(sr, suite_history());
	srunner_add_suite(sr, suite_client());
	srunner_add_suite(sr, suite_e2e_session());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
