/*
 * e2e_tls.h - the e2e_tls suite is made of two files: check_e2e_tls.c
 * (the suite) and check_e2e_tls_ca.c (CA verification, resumption).
 */
#ifndef E2E_TLS_H
#define E2E_TLS_H

#include <check.h>

/* Add check_e2e_tls_ca.c's tests to tc. */
void	e2e_tls_ca_tests(TCase *tc);

#endif /* E2E_TLS_H */
