/*
 * app_int.h - what app.c and app_reconn.c share: the session's steps and
 * the app's state.  Not for other modules (they use app.h).
 */
#ifndef APP_INT_H
#define APP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "feature.h"
#include "net.h"
#include "proto.h"
#include "reconn.h"

/* Steps of a session; changed only in app_enter_state. */
enum app_state {
	APP_S_GREETING = 0,	/* connected, waiting for "* HELLO" */
	APP_S_HELLO,		/* HELLO sent */
	APP_S_USER,		/* asking the user name */
	APP_S_LOGIN,		/* LOGIN sent */
	APP_S_PASS,		/* asking the password */
	APP_S_PASS_SENT,	/* PASS sent */
	APP_S_NEWPASS,		/* asking a new password */
	APP_S_CONFIRM,		/* asking it again */
	APP_S_REGISTER,		/* REGISTER sent */
	APP_S_ACTIVE,		/* logged in: command lines */
	APP_S_LOGOUT,		/* LOGOUT sent */
	APP_S_CLOSING,		/* "* BYE" received, waiting for the close */
	APP_S_WAIT,		/* connection lost: the next attempt is due
				   at rc.at_ms (net is NULL) */
	APP_S_DIAL,		/* an attempt connects in steps (dial; net
				   is NULL): the screen goes on meanwhile */
	APP_S_OFFLINE,		/* logged out (idle, blocked): Enter logs in
				   again (net is NULL) */
	APP_S_DONE,		/* finished; status is set */
};

struct app {
	struct model	*model;
	struct net	*net;		/* NULL while disconnected */
	struct net	*dead;		/* let go inside its own callback:
					   freed once net_read returns */
	unsigned	 udp_port;
	enum app_state	 state;
	int		 status;		/* exit status once done */
	char		 user[PROTO_USER_MAX + 1];	/* name in LOGIN */
	char		 newpass[PROTO_PASS_MAX + 1];	/* until confirmed */
	char		 bye[PROTO_CODE_MAX + 1];	/* code of "* BYE" */

	/* Reconnecting (app_reconn.c). */
	char		 host[256];	/* where to connect again */
	char		 port[16];
	bool		 retry;		/* a lost server: connect again */
	bool		 offer;		/* an idle logout: offer Enter */
	bool		 ever_active;	/* logged in once in this run */
	bool		 relogin;	/* logging in again by itself */
	bool		 resumed;	/* say "reconnected" at the login */
	/* The password of this run, in memory only, to log in again. */
	char		 pass[PROTO_PASS_MAX + 1];
	struct reconn	 rc;
	struct net_dial	*dial;		/* the attempt in APP_S_DIAL */
	int		 idle_s;	/* the server's idle timeout (0: off) */
	int64_t		 last_req_ms;	/* our last request (activity) */
	char		 why[128];	/* why the last attempt failed */
	const struct feature *const *features;	/* NULL-ended */
	app_ui_fn	*ui_fn;		/* the screen's window commands */
	void		*ui_arg;
};

void	 app_enter_state(struct app *a, enum app_state s);
void	 app_finish(struct app *a, int status);
void	 app_on_reply(void *arg, const struct net_req *req,
	     const struct proto_msg *msg);
void	 app_on_event(void *arg, const struct proto_msg *msg);
void	 app_free_pending_hook(const struct net_req *req, void *arg);
void	 app_input_user(struct app *a, const char *line);
/* The feature modules' hooks (feature.h), walked in order. */
void	 app_run_line(struct app *a, char *line);
bool	 app_line_quits(const struct app *a, const char *line);
void	 app_features_lost(struct app *a);

/* app_reconn.c */
/* The connection is gone (why: NULL or a reason): retry, offer, or stop. */
void	 app_reconn_lost(struct app *a, const char *why);
/* A line typed while not connected: kept, refused, or a way out. */
void	 app_reconn_input(struct app *a, const char *line);
/* Due attempts, and the one connecting (from app_poll_done, with what
   poll saw on its socket). */
void	 app_reconn_timers(struct app *a, short revents);
/* Milliseconds to the next attempt or warning; -1 for none. */
int	 app_reconn_timeout(const struct app *a);
/* Logged in again: say so and send what was typed meanwhile. */
void	 app_reconn_done(struct app *a);
/* Logging in again failed: why; the code decides what comes next. */
void	 app_reconn_refused(struct app *a, const struct proto_msg *msg);
/* Stop retrying; Enter will try again. */
void	 app_reconn_offline(struct app *a, const char *why);

#endif /* APP_INT_H */
