/*
 * e2e_p2p.h - what the files of suite e2e_p2p share (check_e2e_p2p.c,
 * check_e2e_private.c, check_e2e_files.c).
 */
#ifndef E2E_P2P_H
#define E2E_P2P_H

#include <check.h>

#define CREDS	E2E_CREDS4

#define INI	"[accounts]\nregistration = no\n"
#define XFER_MS	e2e_scale(60000)	/* for one transfer */

/* The test cases of the suite's other files. */
TCase		*tcase_e2e_private(void);
TCase		*tcase_e2e_files(void);

#endif /* E2E_P2P_H */
