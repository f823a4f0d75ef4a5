/*
 * session.h - a client's session on top of its connection: the login
 * state machine, presence and idle time.
 */
#ifndef SESSION_H
#define SESSION_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "proto.h"

struct conn;
struct server;
struct sockaddr;
struct account;
struct cmd_auth;
struct cmd_edge_upload;

enum sess_state {
	SESS_HELLO,		/* connected, waiting for HELLO */
	SESS_USER,		/* waiting for LOGIN */
	SESS_PASSWORD,		/* waiting for PASS */
	SESS_REGISTER,		/* waiting for REGISTER (new account) */
	SESS_ACTIVE,		/* logged in */
	SESS_NSTATES
};

/* Why a logged-in user went away, as the OFFLINE event says it. */
#define SESS_OFF_LOGOUT		"logout"
#define SESS_OFF_TIMEOUT	"timeout"
#define SESS_OFF_LOST		"lost"

struct session {
	struct server		*srv;
	struct conn		*conn;
	enum sess_state		 state;
	char			 name[PROTO_USER_MAX + 1];	/* from LOGIN */
	struct account		*acct;		/* when active */
	int			 udp_port;
	time_t			 login_time;	/* wall clock */
	int64_t			 since_ms;	/* connect, then last activity */
	const char		*off_reason;	/* SESS_OFF_* once decided */
	bool			 on_timer;	/* on srv->pending or srv->idle */
	TAILQ_ENTRY(session)	 timer_entry;	/* srv->pending or srv->idle */
	TAILQ_ENTRY(session)	 active_entry;	/* srv->active */
	char			 later_tag[PROTO_TAG_MAX + 1];	/* of the request
					   whose reply comes later (cmd.c) */
	/* What a feature keeps for the session: made, used and freed by
	   that feature alone (its closed hook, cmd_table.c); NULL when
	   none. */
	struct cmd_auth		*auth;		/* PASS / REGISTER in the gate
						   (cmd_session.c) */
	struct cmd_edge_upload	*edge_up;	/* upload in progress
						   (cmd_edge.c) */
};

/* Before a reply written outside session_frame() (a callback). */
struct session_mark {
	uint64_t		 queued;
	uint64_t		 appends;
};

/*
 * A reply that stores something is held until it is on disk:
 * session_mark() before writing it, session_hold() after.  session_frame()
 * does this around every request; callbacks that reply later do it too.
 */
void		 session_mark(struct session *s, struct session_mark *m);
void		 session_hold(struct session *s, const struct session_mark *m);
/* Accept a connected socket as a new session, speaking TLS when tls;
   -1 when refused. */
int		 session_accept(struct server *srv, int fd,
		     const struct sockaddr *sa, bool tls);
/* The one place the state changes; logs old and new state. */
void		 session_enter_state(struct session *s, enum sess_state to);
const char	*session_state_name(enum sess_state st);
/* Log in: account bookkeeping, userlog.txt, presence events. */
void		 session_login(struct session *s, struct account *acct);
/* Tell a client just logged in the idle timeout (* IDLE), when there is one. */
void		 session_idle_notice(struct session *s);
/* Count a command as activity (restarts the idle timer). */
void		 session_touch(struct session *s);
/* End the session: say BYE (when code is not NULL) and close. */
void		 session_end(struct session *s, const char *off_reason,
		     const char *code, const char *text);
/* Name shown in logs: the user when logged in, else the address. */
const char	*session_who(const struct session *s);
/*
 * Whether viewer may see subject in lists and presence events: not when
 * subject has blocked viewer.
 */
bool		 session_visible(const struct session *viewer,
		     const struct account *subject);
/* Queue an encoded event line (len bytes, LF included; nothing when len
   is -1) to every visible active user but s. */
void		 session_broadcast_event(struct session *s, const char *ev,
		     int len);
/*
 * Once per loop pass: write userlog.txt if the active list changed, give
 * freed heap back when due.  Returns ms until it is next due, or -1.
 * session_timers() calls it at the top of the pass (before replies are
 * sent); server_run() may call it after conn_pass_end() too, for what the
 * connections closed there changed.
 */
int		 session_pass_end(struct server *srv);
/* session_pass_end(), then expire login and idle timers; returns ms until
   the next deadline, or -1. */
int		 session_timers(struct server *srv);
/* Say BYE to everyone (shutdown). */
void		 session_bye_all(struct server *srv, const char *code,
		     const char *text);

#endif /* SESSION_H */
