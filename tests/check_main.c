/*
 * check_main.c - one runner for every suite, unit and end-to-end, so that
 * a run ends with one Check summary line.  CK_RUN_SUITE=name runs one suite
 * (for example CK_RUN_SUITE=e2e_session).
 */
#include <signal.h>
#include <stdlib.h>

#include "suites.h"

#ifdef UNIT_ONLY
#include <string.h>
/*
 * The runner of unit suites only (make test-arm64 runs it under qemu, where
 * the programs that end-to-end suites start cannot run): every suite whose
 * function is named suite_e2e_* is left out, at the srunner_add_suite()
 * line that adds it, before the suite is even built.
 */
#define srunner_add_suite(sr, s) do {					\
	if (strncmp(#s, "suite_e2e_", 10) != 0)				\
		(srunner_add_suite)((sr), (s));				\
} while (0)
#endif

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
	sr = srunner_create(suite_proto());
	srunner_add_suite(sr, suite_timefmt());
	srunner_add_suite(sr, suite_common());
	srunner_add_suite(sr, suite_buf());
	srunner_add_suite(sr, suite_config());
	srunner_add_suite(sr, suite_lockout());
	srunner_add_suite(sr, suite_history());
	srunner_add_suite(sr, suite_client());
	srunner_add_suite(sr, suite_msgrules());
	srunner_add_suite(sr, suite_store());
	srunner_add_suite(sr, suite_e2e_msg());
	srunner_add_suite(sr, suite_e2e_hostile());
	srunner_add_suite(sr, suite_e2e_abuse());
	srunner_add_suite(sr, suite_e2e_session());
	srunner_add_suite(sr, suite_edge());
	srunner_add_suite(sr, suite_e2e_edge());
	srunner_add_suite(sr, suite_e2e_notify());
	srunner_add_suite(sr, suite_accounts_reload());
	srunner_add_suite(sr, suite_tui());
	srunner_add_suite(sr, suite_daily());
	srunner_add_suite(sr, suite_e2e_tui());
	srunner_add_suite(sr, suite_e2e_daily());
	srunner_add_suite(sr, suite_p2p());
	srunner_add_suite(sr, suite_e2e_p2p());
	srunner_add_suite(sr, suite_e2e_p2pcrypt());
	srunner_add_suite(sr, suite_privwire());
	srunner_add_suite(sr, suite_trust());
	srunner_add_suite(sr, suite_e2e_tls());
	srunner_add_suite(sr, suite_fed_codec());
	srunner_add_suite(sr, suite_e2e_fed());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
