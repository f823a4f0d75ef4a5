/*
 * userlog.c - userlog.txt, rewritten from the active list.
 *
 * It is rewritten at most once per loop pass for the logins of that pass
 * (userlog_pass(), from session_pass_end()), not once per login: 1,000
 * logins at once used to rewrite a growing file 1,000 times.
 */
#include <sys/queue.h>

#include <time.h>

#include "buf.h"
#include "conn.h"
#include "log.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "timefmt.h"
#include "userlog.h"

/* userlog.txt can list every active user: bound its size generously. */
#define USERLOG_MAX	(64 * 1024 * 1024)

/* Rewrite userlog.txt from the active list, numbered from 1. */
static void
userlog_write(struct server *srv)
{
	struct session *s;
	struct buf b;
	char when[TIMEFMT_LEN];
	time_t when_t = (time_t)-1;
	int seq = 0;

	srv->userlog_dirty = false;
	buf_init(&b, USERLOG_MAX);
	TAILQ_FOREACH(s, &srv->active, active_entry) {
		/* The list is in login order: most neighbours share a second. */
		if (s->login_time != when_t) {
			when_t = s->login_time;
			timefmt_format(when_t, when);
		}
		if (buf_printf(&b, "%d; %s; %s; %s; %d\n", ++seq, when, s->name,
		    conn_ip(s->conn), s->udp_port) == -1)
			break;
	}
	/* The active list does not outlive a restart, so no fsync. */
	if (store_write_atomic(srv->userlog_path, b.len ? buf_head(&b) : "",
	    b.len, false) == -1)
		log_warn("cannot write %s", srv->userlog_path);
	buf_free(&b);
}

/* Mark the file for rewriting. */
void
userlog_changed(struct server *srv)
{
	srv->userlog_dirty = true;
}

/* Rewrite the file when marked. */
void
userlog_pass(struct server *srv)
{
	if (srv->userlog_dirty)
		userlog_write(srv);
}

/* Write an empty file. */
int
userlog_clear(struct server *srv)
{
	srv->userlog_dirty = false;
	if (store_write_atomic(srv->userlog_path, "", 0, false) == -1) {
		log_warn("cannot write %s", srv->userlog_path);
		return -1;
	}
	return 0;
}
