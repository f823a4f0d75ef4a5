/*
 * cmd_who.c - WHO and WHOSINCE: who is online, who was online lately.
 */
#include "mono.h"
#include "accounts.h"
#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "history.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "timefmt.h"

/* The longest WHOSINCE window: ten years. */
#define CMD_WHOSINCE_MAX	(10LL * 366 * 24 * 3600)

/* What a list of remote users needs (fed_users_each). */
struct cmd_who_walk {
	struct cmd_ctx	*ctx;
	int		 n;
	long long	 secs;		/* WHOSINCE window */
	int64_t		 now;
};

/* A remote user online, as WHO lists it. */
static void
cmd_who_remote(const struct fed_user_view *u, void *arg)
{
	struct cmd_who_walk *w = arg;
	char when[TIMEFMT_LEN], line[PROTO_LINE_MAX];

	if (!u->online)
		return;
	if (proto_ev_who_encode(line, sizeof(line), u->addr, u->ip, u->udp,
	    timefmt_format(u->login_time, when)) > 0)
		cmd_data(w->ctx, "%s", line);
	w->n++;
}

/* A remote user online or seen within the window, as WHOSINCE lists it. */
static void
cmd_whosince_remote(const struct fed_user_view *u, void *arg)
{
	struct cmd_who_walk *w = arg;
	char when[TIMEFMT_LEN], line[PROTO_LINE_MAX];

	if (!history_seen_within(u->online, u->last_seen_ms, w->now,
	    w->secs * 1000))
		return;
	if (proto_ev_since_encode(line, sizeof(line), u->addr, u->online,
	    u->online ? NULL : timefmt_format(u->last_seen, when)) > 0)
		cmd_data(w->ctx, "%s", line);
	w->n++;
}

/* WHO */
void
cmd_who(struct cmd_ctx *ctx)
{
	struct session *o;
	struct cmd_who_walk w;
	char when[TIMEFMT_LEN], line[PROTO_LINE_MAX];
	int n = 0;

	TAILQ_FOREACH(o, &ctx->srv->active, active_entry) {
		if (o == ctx->s || conn_closing(o->conn) ||
		    !session_visible(ctx->s, o->acct))
			continue;
		if (proto_ev_who_encode(line, sizeof(line), o->name,
		    conn_ip(o->conn), o->udp_port,
		    timefmt_format(o->login_time, when)) > 0)
			cmd_data(ctx, "%s", line);
		n++;
	}
	w.ctx = ctx;
	w.n = n;
	fed_users_each(cmd_who_remote, &w);
	n = w.n;
	if (n == 0)
		cmd_ok(ctx, "no other active user");
	else
		cmd_ok(ctx, "%d other active user%s", n, n == 1 ? "" : "s");
}

/* WHOSINCE SECONDS */
void
cmd_whosince(struct cmd_ctx *ctx)
{
	struct accounts *accts = ctx->srv->accounts;
	struct account *a;
	char when[TIMEFMT_LEN], line[PROTO_LINE_MAX];
	long long secs;
	int64_t now = mono_now_ms();
	struct cmd_who_walk w;
	size_t i;
	int n = 0;
	bool online;

	if (proto_parse_int(ctx->argv[0], 0, CMD_WHOSINCE_MAX, &secs) == -1) {
		cmd_err(ctx, PROTO_E_ARGS, "SECONDS must be a whole number "
		    "from 0 to %lld", CMD_WHOSINCE_MAX);
		return;
	}
	for (i = 0; i < accounts_count(accts); i++) {
		a = accounts_at(accts, i);
		online = a->session != NULL && !conn_closing(a->session->conn);
		if (a == ctx->s->acct || !session_visible(ctx->s, a) ||
		    !history_seen_within(online, a->last_logout_ms, now,
		    secs * 1000))
			continue;
		if (proto_ev_since_encode(line, sizeof(line), a->name, online,
		    online ? NULL : timefmt_format(a->last_logout, when)) > 0)
			cmd_data(ctx, "%s", line);
		n++;
	}
	w.ctx = ctx;
	w.n = n;
	w.secs = secs;
	w.now = now;
	fed_users_each(cmd_whosince_remote, &w);
	n = w.n;
	if (n == 0)
		cmd_ok(ctx, "no other user in the last %lld seconds", secs);
	else
		cmd_ok(ctx, "%d user%s online in the last %lld seconds", n,
		    n == 1 ? "" : "s", secs);
}
