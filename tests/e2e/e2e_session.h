/*
 * e2e_session.h - what the files of suite e2e_session share
 * (check_e2e_session.c, check_e2e_online.c, check_e2e_startup.c): the
 * accounts and settings, the client's messages, a few steps.
 */
#ifndef E2E_SESSION_H
#define E2E_SESSION_H

#include <stdbool.h>

#include <check.h>

#include "harness.h"

#define CREDS	E2E_CREDS

/* Most tests: registration off, so that a typo is not an account. */
#define INI_BASIC							\
	"[accounts]\n"							\
	"attempts = 3\n"						\
	"block_seconds = 3\n"						\
	"registration = no\n"

/* A block short enough to wait out, long enough for a second client to
   be refused reliably on a loaded machine. */
#define BLOCK_SECONDS	3

#define TIME_RE		"[0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"

#define MSG_RETRY	"Error: Invalid password. Please try again"
#define MSG_NOW_BLOCKED							\
	"Error: Invalid password. Your account has been blocked. "	\
	"Please try again later"
#define MSG_IS_BLOCKED							\
	"Error: Your account is blocked due to multiple login failures. " \
	"Please try again later"

/* One line of userlog.txt. */
struct ulog_line {
	int	 seq;
	char	 time[32];
	char	 user[40];
	char	 ip[48];
	int	 port;
};

/*
 * Send a who command (whoelse, ATU, ...) and check its reply: one line
 * "NAME, 127.0.0.1, UDP, active since TIME" for each of the n users (any
 * order), nothing else that looks like a user line, then summary.
 */
void		 sess_check_who(struct cli *c, const char *cmd,
		    const char *summary, const char *const users[],
		    const int udp[], int n);
/* Parse userlog.txt strictly: the number of lines, -1 when missing, -2
   when malformed. */
int		 sess_ulog_parse(const char *text, struct ulog_line *out,
		    int max);
/* Wait until userlog.txt lists exactly users[0..n) with their UDP ports,
   numbered 1..n (see check_e2e_online.c). */
void		 sess_ulog_wait(struct srv *s, const char *const users[],
		    const int udp[], int n, struct ulog_line *out,
		    bool allow_missing);
/* Fail `times` passwords for user on a fresh client; returns the client
   after the last failure's message (the caller expects what follows). */
struct cli	*sess_fail_passwords(struct srv *s, const char *user,
		    int times);
/* Poll until user can log in again (the block expired), up to ms. */
struct cli	*sess_login_after_block(struct srv *s, const char *user,
		    const char *pass, int ms);

/* The test cases of the suite's other files. */
TCase		*tcase_e2e_online(void);
TCase		*tcase_e2e_protocol(void);
TCase		*tcase_e2e_startup(void);

#endif /* E2E_SESSION_H */
