/*
 * session.c - sessions: accept, the state machine, login and logout
 * bookkeeping, presence events and timers.  Features hear of logins,
 * logouts and ended sessions through the hooks of srv->features
 * (cmd_table.c), and frames go to srv->dispatch: this file names neither.
 *
 * Timers need no heap: every session waiting to log in shares one login
 * timeout and every active one shares one idle timeout, so keeping each
 * list in order of its start time (new and touched sessions go to the
 * tail) puts the next deadline at the head.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mono.h"
#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "heap.h"
#include "log.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "state.h"
#include "timefmt.h"
#include "userlog.h"

static const char *session_state_names[SESS_NSTATES] = {
	"hello", "user", "password", "register", "active",
};

static void	session_frame(void *owner, char *line, size_t len,
		    const char *blob, size_t blob_len);
static void	session_broken(void *owner, enum proto_err err);
static void	session_closed(void *owner, const char *reason);

static const struct conn_ops session_conn_ops = {
	session_frame, session_broken, session_closed,
};

/* The name of a state, for logs. */
const char *
session_state_name(enum sess_state st)
{
	return st < SESS_NSTATES ? session_state_names[st] : "?";
}

/* Name shown in logs. */
const char *
session_who(const struct session *s)
{
	static char who[PROTO_USER_MAX + 64];

	if (s->state == SESS_ACTIVE)
		return s->name;
	snprintf(who, sizeof(who), "[%s]", conn_ip(s->conn));
	return who;
}

/* The timer list a session in its state belongs to. */
static struct session_list *
session_timer_list(struct session *s)
{
	return s->state == SESS_ACTIVE ? &s->srv->idle : &s->srv->pending;
}

/* Take s off its timer list (when closing, or changing lists). */
static void
session_timer_stop(struct session *s)
{
	if (s->on_timer) {
		TAILQ_REMOVE(session_timer_list(s), s, timer_entry);
		s->on_timer = false;
	}
}

/* Start s's timer from now, at the tail of its list. */
static void
session_timer_start(struct session *s)
{
	session_timer_stop(s);
	s->since_ms = mono_now_ms();
	TAILQ_INSERT_TAIL(session_timer_list(s), s, timer_entry);
	s->on_timer = true;
}

/* Sessions from ip that have not logged in (nor are closing). */
static int
session_pending_from(struct server *srv, const char *ip)
{
	struct session *s;
	int n = 0;

	TAILQ_FOREACH(s, &srv->pending, timer_entry)
		if (strcmp(conn_ip(s->conn), ip) == 0)
			n++;
	return n;
}

/* Accept a new connection. */
int
session_accept(struct server *srv, int fd, const struct sockaddr *sa,
    bool tls)
{
	struct session *s;
	char ev[PROTO_LINE_MAX + 1];
	int n;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->srv = srv;
	s->state = SESS_HELLO;
	s->since_ms = mono_now_ms();
	s->conn = conn_new(srv->loop, fd, sa,
	    (size_t)srv->cfg.output_limit_kb * 1024, &session_conn_ops, s);
	if (s->conn == NULL) {
		free(s);
		return -1;
	}
	srv->nsessions++;
	/* A stranger's silent sockets must not fill max_clients. */
	if (srv->cfg.address_pending > 0 && (n = session_pending_from(srv,
	    conn_ip(s->conn))) >= srv->cfg.address_pending) {
		log_warnx("[%s]: %d connections not logged in "
		    "(address_pending); refusing another", conn_ip(s->conn), n);
		s->off_reason = SESS_OFF_LOST;
		/* Before a handshake a TLS peer reads noise. */
		if (!tls && (n = proto_ev_bye_encode(ev, sizeof(ev),
		    PROTO_E_LIMIT, "too many connections from your address "
		    "have not logged in; try again later")) > 0)
			conn_write(s->conn, ev, (size_t)n);
		conn_close(s->conn, "address_pending");
		return 0;
	}
	session_timer_start(s);
	/* The handshake counts against login_timeout like the login. */
	if (tls && conn_tls_start(s->conn) == -1) {
		conn_close(s->conn, "out of memory");
		return 0;	/* freed at the end of the pass, nothing sent */
	}
	if ((n = proto_ev_hello_encode(ev, sizeof(ev), PROTO_EV_SERVER,
	    PROTO_VERSION)) > 0)
		conn_write(s->conn, ev, (size_t)n);
	log_debug("[%s] connected (%d sessions)", conn_ip(s->conn),
	    srv->nsessions);
	return 0;
}

/* Change state, in one place, with a log line. */
void
session_enter_state(struct session *s, enum sess_state to)
{
	log_debug("%s: state %s -> %s", session_who(s),
	    session_state_name(s->state), session_state_name(to));
	s->state = to;
}

/* Visibility hook for blocking (see session.h). */
bool
session_visible(const struct session *viewer, const struct account *subject)
{
	const struct blocks *b = viewer->srv->state->blocks;

	/* No blocks at all (the usual case): no search per recipient of a
	   presence event. */
	return blocks_count(b) == 0 || !blocks_has(b, subject->name,
	    viewer->name);
}

/* Queue an encoded event to the visible active users other than s. */
void
session_broadcast_event(struct session *s, const char *ev, int len)
{
	struct session *o;

	/* Encoded once by the caller, for every recipient. */
	if (len <= 0)
		return;
	TAILQ_FOREACH(o, &s->srv->active, active_entry) {
		if (o != s && session_visible(o, s->acct))
			conn_write(o->conn, ev, (size_t)len);
	}
	heap_trim_soon();
}

/*
 * End of a loop pass: write userlog.txt when the active list changed, and
 * give freed heap back when that is due.  session_timers() calls it at the
 * top of every pass, which is right after the handlers of the last pass
 * ran and before conn_pass_end() sends their replies, so a client that
 * has its login OK finds itself in the file.  Returns ms until the heap
 * is to be trimmed, or -1.
 */
int
session_pass_end(struct server *srv)
{
	userlog_pass(srv);
	return heap_trim_pass();
}

/* Log in with an account. */
void
session_login(struct session *s, struct account *acct)
{
	struct server *srv = s->srv;
	const struct cmd_feature *f;
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];

	s->acct = acct;
	acct->session = s;
	lockout_clear(&acct->lock);
	s->login_time = time(NULL);
	session_timer_stop(s);
	session_enter_state(s, SESS_ACTIVE);
	session_timer_start(s);
	TAILQ_INSERT_TAIL(&srv->active, s, active_entry);
	srv->nactive++;
	userlog_changed(srv);	/* written by session_pass_end() */
	session_broadcast_event(s, ev, proto_ev_online_encode(ev, sizeof(ev),
	    s->name, conn_ip(s->conn), s->udp_port,
	    timefmt_format(s->login_time, when)));
	for (f = srv->features; f != NULL && f->name != NULL; f++)
		if (f->login != NULL)
			f->login(s);
	log_info("%s logged in from %s (UDP port %d, %d active)", s->name,
	    conn_ip(s->conn), s->udp_port, srv->nactive);
}

/* After the login's OK: the idle timeout, so that a client can warn. */
void
session_idle_notice(struct session *s)
{
	char ev[PROTO_LINE_MAX + 1];
	int n;

	if (s->srv->cfg.idle_timeout > 0 && (n = proto_ev_idle_encode(ev,
	    sizeof(ev), s->srv->cfg.idle_timeout)) > 0)
		conn_write(s->conn, ev, (size_t)n);
}

/* A command: restart the idle timer. */
void
session_touch(struct session *s)
{
	if (s->on_timer)
		session_timer_start(s);
}

/* Say BYE and close; the rest happens in session_closed(). */
void
session_end(struct session *s, const char *off_reason, const char *code,
    const char *text)
{
	char ev[PROTO_LINE_MAX + 1];
	int n;

	if (s->off_reason == NULL)
		s->off_reason = off_reason;
	if (code != NULL && (n = proto_ev_bye_encode(ev, sizeof(ev), code,
	    text)) > 0)
		conn_write(s->conn, ev, (size_t)n);
	session_timer_stop(s);
	conn_close(s->conn, off_reason);
	heap_trim_soon();	/* its memory is freed this pass */
}

/*
 * A frame from the connection.  When handling it appended to a file, its
 * reply (and what follows) waits until that append is on disk.
 */
static void
session_frame(void *owner, char *line, size_t len, const char *blob,
    size_t blob_len)
{
	struct session *s = owner;
	struct session_mark m;

	session_mark(s, &m);
	s->srv->dispatch(s, line, len, blob, blob_len);
	session_hold(s, &m);
}

/* Where s's output and the store are before a reply is written. */
void
session_mark(struct session *s, struct session_mark *m)
{
	m->queued = conn_queued(s->conn);
	m->appends = store_appends();
}

/* Hold what was queued since m if the store was appended to meanwhile. */
void
session_hold(struct session *s, const struct session_mark *m)
{
	if (store_appends() != m->appends && store_holds_replies())
		conn_hold(s->conn, m->queued, store_gen_open());
}

/* The stream broke (a line over the limit): say so and close. */
static void
session_broken(void *owner, enum proto_err err)
{
	struct session *s = owner;
	char text[128], ev[PROTO_LINE_MAX + 1];
	int n;

	snprintf(text, sizeof(text), "%s (limit %d bytes)", proto_strerror(err),
	    PROTO_LINE_MAX);
	if ((n = proto_ev_err_encode(ev, sizeof(ev), PROTO_E_PROTO, text)) > 0)
		conn_write(s->conn, ev, (size_t)n);
	log_warnx("%s: %s, closing the connection", session_who(s),
	    proto_strerror(err));
	session_end(s, SESS_OFF_LOST, NULL, NULL);
}

/* The connection is gone: logout bookkeeping, then free. */
static void
session_closed(void *owner, const char *reason)
{
	struct session *s = owner;
	struct server *srv = s->srv;
	const char *why = s->off_reason ? s->off_reason : SESS_OFF_LOST;
	const struct cmd_feature *f;
	char ev[PROTO_LINE_MAX + 1];

	session_timer_stop(s);
	for (f = srv->features; f != NULL && f->name != NULL; f++)
		if (f->closed != NULL)
			f->closed(s);
	if (s->state == SESS_ACTIVE) {
		TAILQ_REMOVE(&srv->active, s, active_entry);
		srv->nactive--;
		s->acct->session = NULL;
		s->acct->last_logout_ms = mono_now_ms();
		s->acct->last_logout = time(NULL);
		if (!srv->stopping) {
			for (f = srv->features; f != NULL && f->name != NULL;
			    f++)
				if (f->logout != NULL)
					f->logout(s, why);
			/* Written by session_pass_end(), which server_run()
			   calls right after conn_pass_end(). */
			userlog_changed(srv);
			session_broadcast_event(s, ev, proto_ev_offline_encode(ev,
			    sizeof(ev), s->name, why));
		}
		log_info("%s logged out (%s; connection: %s; %d active)",
		    s->name, why, reason, srv->nactive);
	} else {
		log_debug("%s disconnected (%s)", session_who(s), reason);
	}
	srv->nsessions--;
	free(s);
}

/* session_pass_end(), then expire timers; ms until the next deadline
   (a timeout or the heap trim), or -1 for none. */
int
session_timers(struct server *srv)
{
	struct session *s;
	int64_t now, next, due, lim;
	char text[128];

	next = session_pass_end(srv);
	now = mono_now_ms();
	lim = (int64_t)srv->cfg.login_timeout * 1000;
	while (lim > 0 && (s = TAILQ_FIRST(&srv->pending)) != NULL) {
		if ((due = s->since_ms + lim) > now) {
			if (next == -1 || due - now < next)
				next = due - now;
			break;
		}
		snprintf(text, sizeof(text), "Login not completed within %d "
		    "seconds", srv->cfg.login_timeout);
		log_info("%s: %s", session_who(s), text);
		session_end(s, SESS_OFF_LOST, "login", text);
	}
	lim = (int64_t)srv->cfg.idle_timeout * 1000;
	while (lim > 0 && (s = TAILQ_FIRST(&srv->idle)) != NULL) {
		if ((due = s->since_ms + lim) > now) {
			if (next == -1 || due - now < next)
				next = due - now;
			break;
		}
		snprintf(text, sizeof(text), "Logged out after %d seconds "
		    "without a command", srv->cfg.idle_timeout);
		log_info("%s: idle timeout (%d s)", s->name,
		    srv->cfg.idle_timeout);
		session_end(s, SESS_OFF_TIMEOUT, "timeout", text);
	}
	/* Sessions ended above free their memory in this pass. */
	if ((due = heap_trim_wait()) != -1 && (next == -1 || due < next))
		next = due;
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* Say BYE to every session. */
void
session_bye_all(struct server *srv, const char *code, const char *text)
{
	struct session *s;
	char ev[PROTO_LINE_MAX + 1];
	int n;

	if ((n = proto_ev_bye_encode(ev, sizeof(ev), code, text)) <= 0)
		return;
	TAILQ_FOREACH(s, &srv->pending, timer_entry)
		conn_write(s->conn, ev, (size_t)n);
	TAILQ_FOREACH(s, &srv->active, active_entry)
		conn_write(s->conn, ev, (size_t)n);
}
