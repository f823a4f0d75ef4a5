/* suites.h - every Check suite of the test runner. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite	*suite_proto(void);
Suite	*suite_timefmt(void);
Suite	*suite_buf(void);
Suite	*suite_config(void);
Suite	*suite_lockout(void);
Suite	*suite_history(void);
Suite	*suite_client(void);
Suite	*suite_msgrules(void);
Suite	*suite_store(void);
Suite	*suite_e2e_msg(void);
Suite	*suite_e2e_hostile(void);
Suite	*suite_e2e_abuse(void);
Suite	*suite_e2e_session(void);
Suite	*suite_edge(void);
Suite	*suite_e2e_edge(void);
Suite	*suite_e2e_notify(void);
Suite	*suite_accounts_reload(void);
Suite	*suite_tui(void);
Suite	*suite_daily(void);
Suite	*suite_e2e_tui(void);
Suite	*suite_e2e_daily(void);
Suite	*suite_p2p(void);
Suite	*suite_e2e_p2p(void);
Suite	*suite_e2e_p2pcrypt(void);
Suite	*suite_privwire(void);
Suite	*suite_e2e_tls(void);
Suite	*suite_trust(void);
Suite	*suite_fed_codec(void);
Suite	*suite_e2e_fed(void);
/* The proto suite's case for events (tests/unit/check_proto_ev.c). */
TCase	*tcase_proto_ev(void);
/* The p2p suite's second test case (tests/unit/check_p2p_io.c). */
TCase	*tcase_p2p_io(void);
/* The e2e_p2p suite's case for file offers (tests/e2e/check_e2e_files.c). */
TCase	*tcase_e2e_files(void);

#endif
