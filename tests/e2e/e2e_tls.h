/*
 * e2e_tls.h - the e2e_tls suite is made of two files: check_e2e_tls.c
 * (the suite) and check_e2e_tls_ca.c (CA verification, resumption); the
 * e2e_tlsrec suite (check_e2e_tlsrec.c) shares the log helpers.
 */
#ifndef E2E_TLS_H
#define E2E_TLS_H

#include <stdbool.h>

#include <check.h>

#include "harness.h"

/* Add check_e2e_tls_ca.c's tests to tc. */
void	e2e_tls_ca_tests(TCase *tc);
/* The fingerprint the server logged at start ("SHA256:" + 64 hex). */
void	e2e_tls_logged_fp(struct srv *s, char fp[80]);
/* How many times sub occurs in the server's log. */
int	e2e_tls_log_count(struct srv *s, const char *sub);
/* Wait (E2E_WAIT_MS) until sub occurs n times in the server's log. */
bool	e2e_tls_log_wait(struct srv *s, const char *sub, int n);

#endif /* E2E_TLS_H */
