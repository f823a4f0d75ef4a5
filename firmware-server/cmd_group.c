/*
 * cmd_group.c - group chats: GCREATE, GJOIN, GMSG.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "groups.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "timefmt.h"

/* The group named by a command; NULL after replying when there is none. */
static struct group *
cmd_group_named(struct cmd_ctx *ctx, const char *name)
{
	struct group *gr;

	if (!groups_valid_name(name) ||
	    (gr = groups_find(ctx->srv->state->groups, name)) == NULL) {
		cmd_err(ctx, PROTO_E_NOTFOUND, "there is no group named %s",
		    name);
		return NULL;
	}
	return gr;
}

/* GCREATE NAME USER... */
void
cmd_gcreate(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct account *a;
	struct group *gr;
	char list[PROTO_LINE_MAX], ev[PROTO_LINE_MAX + 1], *p;
	size_t off = 0;
	int i, n;

	if (!groups_valid_name(ctx->argv[0])) {
		cmd_err(ctx, PROTO_E_ARGS, "a group name is 1 to %d letters "
		    "and digits", PROTO_GROUP_MAX);
		return;
	}
	if (groups_find(st->groups, ctx->argv[0]) != NULL) {
		cmd_err(ctx, PROTO_E_EXISTS, "a group named %s exists already",
		    ctx->argv[0]);
		return;
	}
	for (i = 1; i < ctx->argc; i++) {
		if ((a = cmd_other_user(ctx, ctx->argv[i], "invite")) == NULL)
			return;
		if (!cmd_online(a)) {
			cmd_err(ctx, PROTO_E_OFFLINE, "%s is not online; every "
			    "invited user must be online", a->name);
			return;
		}
	}
	gr = groups_create(st->groups, ctx->argv[0], ctx->s->name,
	    ctx->argv + 1, (size_t)ctx->argc - 1);
	if (gr == NULL) {
		cmd_err(ctx, PROTO_E_LIMIT, "too many groups on this server");
		return;
	}
	if (state_group_save(st, gr) == -1) {
		groups_remove_last(st->groups);
		cmd_err(ctx, PROTO_E_IO, "the group could not be stored");
		return;
	}
	list[0] = '\0';
	for (i = 1; i < (int)gr->nmembers; i++) {
		p = gr->members[i].name;
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 1 ? " " : "", p);
		if (off >= sizeof(list))
			break;
	}
	for (i = 1; i < (int)gr->nmembers; i++) {
		a = accounts_find(ctx->srv->accounts, gr->members[i].name);
		if (a != NULL && cmd_online(a) && (n = proto_ev_ginvite_encode(ev,
		    sizeof(ev), gr->name, ctx->s->name, list)) > 0)
			conn_write(a->session->conn, ev, (size_t)n);
	}
	cmd_ok(ctx, "Group %s created with %s; the others must join it with "
	    "/joingroup %s", gr->name, list, gr->name);
}

/* GJOIN NAME */
void
cmd_gjoin(struct cmd_ctx *ctx)
{
	struct group *gr;

	if ((gr = cmd_group_named(ctx, ctx->argv[0])) == NULL)
		return;
	switch (group_role(gr, ctx->s->name)) {
	case GROUP_NONE:
		cmd_err(ctx, PROTO_E_DENIED, "you were not invited to group %s",
		    gr->name);
		return;
	case GROUP_JOINED:
		cmd_err(ctx, PROTO_E_EXISTS, "you have already joined group %s",
		    gr->name);
		return;
	default:
		break;
	}
	group_join(gr, ctx->s->name);
	if (state_group_save(ctx->srv->state, gr) == -1) {
		group_unjoin(gr, ctx->s->name);
		cmd_err(ctx, PROTO_E_IO, "the group could not be stored");
		return;
	}
	cmd_ok(ctx, "Joined group %s", gr->name);
}

/* GMSG NAME TEXT */
void
cmd_gmsg(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct account *a;
	struct group *gr;
	const char *text = ctx->argv[1];
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
	time_t now;
	size_t i;
	int sent = 0, evlen;

	if ((gr = cmd_group_named(ctx, ctx->argv[0])) == NULL ||
	    cmd_text_too_long(ctx, text))
		return;
	switch (group_role(gr, ctx->s->name)) {
	case GROUP_NONE:
		cmd_err(ctx, PROTO_E_DENIED, "you are not a member of group %s",
		    gr->name);
		return;
	case GROUP_INVITED:
		cmd_err(ctx, PROTO_E_STATE, "you have not joined group %s yet; "
		    "join it with /joingroup %s", gr->name, gr->name);
		return;
	default:
		break;
	}
	now = time(NULL);
	if (state_group_log(st, gr, gr->last_seq + 1, now, ctx->s->name,
	    text) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the message could not be stored; it "
		    "was not sent");
		return;
	}
	gr->last_seq++;
	timefmt_format(now, when);
	/* One event line for every member, encoded once. */
	if ((evlen = proto_ev_gmsg_encode(ev, sizeof(ev), gr->name,
	    ctx->s->name, when, text)) < 0)
		evlen = 0;
	for (i = 0; i < gr->nmembers; i++) {
		if (gr->members[i].role != GROUP_JOINED ||
		    strcmp(gr->members[i].name, ctx->s->name) == 0)
			continue;
		a = accounts_find(ctx->srv->accounts, gr->members[i].name);
		if (a == NULL || !cmd_online(a) ||
		    blocks_has(st->blocks, a->name, ctx->s->name))
			continue;
		conn_write(a->session->conn, ev, (size_t)evlen);
		sent++;
	}
	cmd_ok(ctx, "Group message #%lu sent to %s (%d online member%s)",
	    gr->last_seq, gr->name, sent, sent == 1 ? "" : "s");
}
