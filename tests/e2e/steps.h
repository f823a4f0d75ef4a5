/*
 * steps.h - the steps end-to-end tests share: start a plain client, log
 * in, log out, stop the server and insist it exited cleanly.  Each step
 * fails the test (with a transcript) when it does not happen.
 */
#ifndef E2E_STEPS_H
#define E2E_STEPS_H

#include "harness.h"

/*
 * The login dialogue, the same on every frontend: wait for "Username:",
 * type the user, wait for "Password:", type the password, wait for the
 * line end (NULL: "Welcome USER").  A frontend's driver gives the two
 * actions; wait fails the test when text does not come (line: the whole
 * line must be text, where the frontend has lines).
 */
struct step_ui {
	void	*drv;
	void	(*wait)(void *drv, const char *text, bool line);
	void	(*type)(void *drv, const char *line);
};
void		 step_dialogue(const struct step_ui *ui, const char *user,
		    const char *pass, const char *end);

/* Start a plain client (with UDP port udp when > 0), labelled for logs. */
struct cli	*step_client(struct srv *s, const char *label, int udp);
/* The login dialogue on a started plain client, up to the line end
   (NULL: "Welcome USER"); returns c. */
struct cli	*step_log_in(struct cli *c, const char *user, const char *pass,
		    const char *end);
/* Start a client and log in; returns it at "Welcome USER". */
struct cli	*step_login(struct srv *s, const char *user, const char *pass,
		    int udp);
/* The same with up to two more arguments (e.g. "-c", FILE; NULL: none). */
struct cli	*step_login_args(struct srv *s, const char *user,
		    const char *pass, const char *a1, const char *a2);
/* Log out with cmd ("logout", "OUT", ...), expect exit 0, free c. */
void		 step_logout(struct cli *c, const char *cmd, const char *user);
/* SIGTERM the server; it must exit 0.  Removes its directory. */
void		 step_stop_ok(struct srv *s);
/* A raw connection that got the greeting. */
struct raw	*step_raw_open(struct srv *s);
/* A raw connection logged in as user (UDP port udp). */
struct raw	*step_raw_login(struct srv *s, const char *user, const char *pass,
		    int udp);
/* Wait until file name in the server's directory contains sub. */
void		 step_file_has(struct srv *s, const char *name, const char *sub);

#endif
