/*
 * cmd_msg.c - direct messages, broadcast, block and unblock.
 * Each handler checks everything first, then writes, then acts.
 */
#include <sys/random.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "log.h"
#include "offline.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "timefmt.h"

/*
 * The id of this board's direct message number seq: "RUN.SEQ", RUN 16 hex
 * digits drawn once per server run.  The number alone would not do: a
 * live * MSG goes out before its messages.txt line is written, so after a
 * kill -9 the next run may give the same number to another message, which
 * a client that saw the first would drop.  The id of a waiting message is
 * kept in offline.txt, so it stays the same when it is delivered again.
 */
static void
cmd_local_id(unsigned long seq, char *id, size_t len)
{
	static char run[17];
	uint64_t r;

	if (run[0] == '\0') {
		/* Waits, once, for the kernel's pool early in a boot: a
		   board without a clock that starts the service with the
		   same pid would make the same run id from those. */
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint64_t)time(NULL) << 22 ^ (uint64_t)getpid();
		snprintf(run, sizeof(run), "%016" PRIx64, r);
	}
	snprintf(id, len, "%s.%lu", run, seq);
}

/* MSGTO USER TEXT */
void
cmd_msgto(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct account *to = NULL;
	const char *from = ctx->s->name, *text = ctx->argv[1];
	char when[TIMEFMT_LEN], addr[PROTO_ADDR_MAX + 1], ev[PROTO_LINE_MAX + 1];
	char id[PROTO_MSGID_MAX + 1];
	enum fed_resolve r;
	unsigned long seq;
	time_t now;
	bool online;
	int n;

	if ((r = fed_resolve(ctx, ctx->argv[0], "message", &to, addr)) ==
	    FED_R_ERROR || cmd_text_too_long(ctx, text))
		return;
	if (r == FED_R_REMOTE) {
		fed_msgto(ctx, addr, text);
		return;
	}
	if (blocks_has(st->blocks, to->name, from)) {
		cmd_err(ctx, PROTO_E_DENIED, "Your message could not be "
		    "delivered as %s has blocked you", to->name);
		return;
	}
	online = cmd_online(to);
	if (!online && offline_count_for(st->offline, to->name) >=
	    OFFLINE_PER_USER_MAX) {
		cmd_err(ctx, PROTO_E_LIMIT, "%s has %d messages waiting "
		    "already; try again after they log in", to->name,
		    OFFLINE_PER_USER_MAX);
		return;
	}
	now = time(NULL);
	seq = st->dm_seq + 1;
	if (state_dm_append(st, seq, now, from, to->name, text) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the message could not be stored; "
		    "it was not sent");
		return;
	}
	st->dm_seq = seq;
	timefmt_format(now, when);
	cmd_local_id(seq, id, sizeof(id));
	if (online) {
		if ((n = proto_ev_msg_encode(ev, sizeof(ev), from, when, id,
		    text)) > 0)
			conn_write(to->session->conn, ev, (size_t)n);
		cmd_ok(ctx, "Message sent to %s at %s", to->name, when);
		return;
	}
	if (offline_add(st->offline, seq, id, now, from, to->name,
	    text) == -1 ||
	    state_offline_append(st, offline_at(st->offline,
	    offline_count(st->offline) - 1)) == -1) {
		/* Kept in messages.txt all the same; say it was not queued. */
		cmd_err(ctx, PROTO_E_IO, "the message could not be queued for "
		    "%s", to->name);
		return;
	}
	cmd_ok(ctx, "%s is offline; the message will be delivered at their "
	    "next login (%s)", to->name, when);
}

/* The messages that waited for a login, on their way (they can be more
   than a client's output limit, so they are queued as the client reads). */
struct cmd_offline_stream {
	struct session	*s;
	unsigned long	 last;		/* the number of the last one queued */
	size_t		 count;
};

/* Queue the next waiting message; true when none is left. */
static bool
cmd_offline_fill(struct conn *c, void *arg)
{
	struct cmd_offline_stream *os = arg;
	struct state *st = os->s->srv->state;
	const struct offline_msg *m;
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
	int n;

	if ((m = offline_next(st->offline, os->s->name, os->last)) == NULL)
		return true;
	if ((n = proto_ev_msg_encode(ev, sizeof(ev), m->from,
	    timefmt_format(m->time, when), m->id, m->text)) > 0)
		conn_write(c, ev, (size_t)n);
	os->last = m->seq;
	os->count++;
	return false;
}

/*
 * All of them were written to the socket: drop them from the queue and
 * offline.txt.  Cut short (the client left): they all stay and come again
 * at the next login, at least once and never lost.
 */
static void
cmd_offline_done(void *arg, bool sent)
{
	struct cmd_offline_stream *os = arg;
	struct state *st = os->s->srv->state;

	if (sent && os->count > 0) {
		offline_drop(st->offline, os->s->name, os->last);
		/* If this fails the messages stay in offline.txt and come
		   again after a restart: at least once, never lost. */
		state_offline_delivered(st, os->s->name, os->last);
		log_info("%s: delivered %zu offline message%s", os->s->name,
		    os->count, os->count == 1 ? "" : "s");
	} else if (!sent)
		log_info("%s: gone before the waiting messages were all sent; "
		    "they stay queued", os->s->name);
	free(os);
}

/* Deliver the messages that waited for s's user (after the login reply). */
void
cmd_deliver_offline(struct session *s)
{
	struct state *st = s->srv->state;
	struct cmd_offline_stream *os;
	char ev[PROTO_LINE_MAX + 1];
	size_t n;
	int len;

	n = offline_count_for(st->offline, s->name);
	if (n == 0)
		return;
	if ((len = proto_ev_offcount_encode(ev, sizeof(ev), n)) > 0)
		conn_write(s->conn, ev, (size_t)len);
	if ((os = calloc(1, sizeof(*os))) == NULL) {
		log_warnx("%s: out of memory; waiting messages stay queued",
		    s->name);
		return;
	}
	os->s = s;
	conn_stream(s->conn, cmd_offline_fill, cmd_offline_done, os);
}

/* BROADCAST TEXT */
void
cmd_broadcast(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct session *o;
	const char *from = ctx->s->name, *text = ctx->argv[0];
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
	int sent = 0, refused = 0, n;

	if (cmd_text_too_long(ctx, text))
		return;
	timefmt_format(time(NULL), when);
	/* One event line for every recipient, encoded once. */
	if ((n = proto_ev_bcast_encode(ev, sizeof(ev), from, when, text)) < 0)
		n = 0;
	TAILQ_FOREACH(o, &ctx->srv->active, active_entry) {
		if (o == ctx->s || conn_closing(o->conn))
			continue;
		if (blocks_has(st->blocks, o->name, from)) {
			refused++;
			continue;
		}
		conn_write(o->conn, ev, (size_t)n);
		sent++;
	}
	if (fed_enabled()) {
		if (fed_broadcast(ctx->srv, from, text, time(NULL)))
			cmd_ok(ctx, "Broadcast sent to %d user%s here and to "
			    "the other boards", sent, sent == 1 ? "" : "s");
		else
			cmd_ok(ctx, "Broadcast sent to %d user%s here; the other "
			    "boards cannot be reached now", sent,
			    sent == 1 ? "" : "s");
		return;
	}
	if (refused > 0)
		cmd_ok(ctx, "Broadcast sent to %d user%s; %d user%s could not "
		    "receive it", sent, sent == 1 ? "" : "s", refused,
		    refused == 1 ? "" : "s");
	else if (sent == 0)
		cmd_ok(ctx, "Broadcast sent to nobody: no other user is online");
	else
		cmd_ok(ctx, "Broadcast sent to %d user%s", sent,
		    sent == 1 ? "" : "s");
}

/* The user a BLOCK or UNBLOCK names: local (*who) or USER@BOARD (in
   addr); NULL after replying. */
static const char *
cmd_block_target(struct cmd_ctx *ctx, const char *what, struct account **who,
    char *addr)
{
	switch (fed_resolve(ctx, ctx->argv[0], what, who, addr)) {
	case FED_R_LOCAL:
		return (*who)->name;
	case FED_R_REMOTE:
		return addr;
	default:
		return NULL;
	}
}

/* BLOCK USER */
void
cmd_block(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct account *who = NULL;
	char addr[PROTO_ADDR_MAX + 1], ev[PROTO_LINE_MAX + 1];
	const char *name;
	int n;

	if ((name = cmd_block_target(ctx, "block", &who, addr)) == NULL)
		return;
	if (blocks_has(st->blocks, ctx->s->name, name)) {
		cmd_err(ctx, PROTO_E_EXISTS, "%s is already blocked", name);
		return;
	}
	if (blocks_add(st->blocks, ctx->s->name, name) != 1) {
		cmd_err(ctx, PROTO_E_LIMIT, "too many blocks on this server");
		return;
	}
	if (state_block_save(st, ctx->s->name, name, true) == -1) {
		blocks_remove(st->blocks, ctx->s->name, name);
		cmd_err(ctx, PROTO_E_IO, "the block could not be stored");
		return;
	}
	/* To the blocked user the blocker leaves the list (no logout). */
	if (who != NULL && cmd_online(who) && (n = proto_ev_offline_encode(ev,
	    sizeof(ev), ctx->s->name, PROTO_OFF_HIDDEN)) > 0)
		conn_write(who->session->conn, ev, (size_t)n);
	cmd_ok(ctx, "%s is blocked", name);
}

/* UNBLOCK USER */
void
cmd_unblock(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct account *who = NULL;
	char addr[PROTO_ADDR_MAX + 1];
	const char *name;

	if ((name = cmd_block_target(ctx, "unblock", &who, addr)) == NULL)
		return;
	if (!blocks_has(st->blocks, ctx->s->name, name)) {
		cmd_err(ctx, PROTO_E_NOTFOUND, "%s is not blocked", name);
		return;
	}
	blocks_remove(st->blocks, ctx->s->name, name);
	if (state_block_save(st, ctx->s->name, name, false) == -1) {
		blocks_add(st->blocks, ctx->s->name, name);
		cmd_err(ctx, PROTO_E_IO, "the change could not be stored");
		return;
	}
	if (who != NULL && cmd_online(who)) {
		char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
		int n;

		if ((n = proto_ev_online_encode(ev, sizeof(ev), ctx->s->name,
		    conn_ip(ctx->s->conn), ctx->s->udp_port,
		    timefmt_format(ctx->s->login_time, when))) > 0)
			conn_write(who->session->conn, ev, (size_t)n);
	}
	cmd_ok(ctx, "%s is unblocked", name);
}
