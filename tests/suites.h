/*
 * suites.h - the suite functions of every runner, declared from the lists
 * the Makefile writes into suite_list.h (a suite is registered there, in
 * the Makefile's SERVER_SUITES, CLIENT_SUITES or E2E_SUITES, and nowhere
 * else), and the unit test case one file adds to another file's suite
 * (the e2e suites' files share a header each: e2e_session.h, e2e_p2p.h).
 */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

#include "suite_list.h"

#define SUITE(name)	Suite *suite_##name(void);
SUITES_server
SUITES_client
SUITES_e2e
#undef SUITE

/* The proto suite's case for events (tests/unit/check_proto_ev.c). */
TCase	*tcase_proto_ev(void);
/* The p2p suite's second test case (tests/unit/check_p2p_io.c). */
TCase	*tcase_p2p_io(void);
/* The tlsrec suite's second test case (tests/unit/check_tls_stream.c). */
TCase	*tcase_tls_stream(void);

#endif
