/*
 * check_main.c - the main of a test runner, so that a run ends with one
 * Check summary line.  It is built once per runner, with RUNNER_SUITES
 * naming the runner's list in suite_list.h (SUITES_server, SUITES_client
 * or SUITES_e2e), which the Makefile writes from its suite lists.
 * CK_RUN_SUITE=name runs one suite (for example CK_RUN_SUITE=e2e_session).
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
	/* End-to-end failures carry transcripts; Check's default cut-off
	   (4 KiB) would turn them into a bare "early exit". */
	check_set_max_msg_size(16384);
	sr = srunner_create(NULL);
#define SUITE(name)	srunner_add_suite(sr, suite_##name());
	RUNNER_SUITES
#undef SUITE
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
