/*
 * cmd_board.c - the message board: POST, DELPOST, EDITPOST, READPOSTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "cmd.h"
#include "conn.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "timefmt.h"

/* Parse a post number, "3" or "#3"; 0 after replying when malformed. */
static size_t
cmd_post_number(struct cmd_ctx *ctx, const char *s)
{
	long long n;

	if (*s == '#')
		s++;
	if (proto_parse_int(s, 1, BOARD_POSTS_MAX, &n) == -1) {
		cmd_err(ctx, PROTO_E_ARGS, "a message number is 1 or more, "
		    "written 3 or #3");
		return 0;
	}
	return (size_t)n;
}

/* Parse a timestamp; -1 after replying when malformed. */
static int
cmd_timestamp(struct cmd_ctx *ctx, const char *s, time_t *t)
{
	char err[160];

	if (timefmt_parse(s, t, err, sizeof(err)) == 0)
		return 0;
	cmd_err(ctx, PROTO_E_ARGS, "bad timestamp '%.40s': %s", s, err);
	return -1;
}

/* Reply to a failed board_check. */
static void
cmd_board_refuse(struct cmd_ctx *ctx, enum board_err e, size_t n,
    const char *verb)
{
	const struct board_post *p = board_get(ctx->srv->state->board, n);
	char when[TIMEFMT_LEN];

	switch (e) {
	case BOARD_NOPOST:
		cmd_err(ctx, PROTO_E_NOTFOUND, "there is no message #%zu (the "
		    "board has %zu)", n, board_count(ctx->srv->state->board));
		break;
	case BOARD_NOTAUTHOR:
		cmd_err(ctx, PROTO_E_DENIED, "message #%zu was posted by %s; "
		    "only its author may %s it", n, p->user, verb);
		break;
	case BOARD_MISMATCH:
		cmd_err(ctx, PROTO_E_MISMATCH, "message #%zu has the timestamp "
		    "%s; give that one to %s it", n,
		    timefmt_format(p->time, when), verb);
		break;
	default:
		cmd_err(ctx, PROTO_E_IO, "the board is full");
		break;
	}
}

/* POST TEXT */
void
cmd_post(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	char when[TIMEFMT_LEN];
	time_t now = time(NULL);
	size_t n;

	if (cmd_text_too_long(ctx, ctx->argv[0]))
		return;
	switch (board_add(st->board, ctx->s->name, ctx->argv[0], now, false,
	    &n)) {
	case BOARD_OK:
		break;
	case BOARD_FULL:
		cmd_err(ctx, PROTO_E_LIMIT, "the board is full (%d messages)",
		    BOARD_POSTS_MAX);
		return;
	default:
		cmd_err(ctx, PROTO_E_IO, "out of memory");
		return;
	}
	if (state_board_append(st, n) == -1) {
		board_delete(st->board, n);
		cmd_err(ctx, PROTO_E_IO, "the message could not be stored");
		return;
	}
	cmd_ok(ctx, "Message #%zu posted at %s", n, timefmt_format(now, when));
}

/* DELPOST N TIME */
void
cmd_delpost(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct state_post_change c;
	enum board_err e;
	time_t t;
	size_t n;

	if ((n = cmd_post_number(ctx, ctx->argv[0])) == 0 ||
	    cmd_timestamp(ctx, ctx->argv[1], &t) == -1)
		return;
	if ((e = board_check(st->board, n, ctx->s->name, t)) != BOARD_OK) {
		cmd_board_refuse(ctx, e, n, "delete");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.n = n;
	c.del = true;
	if (state_board_change(st, &c) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the board could not be stored; "
		    "nothing was deleted");
		return;
	}
	board_delete(st->board, n);
	cmd_ok(ctx, "Message #%zu deleted", n);
}

/* EDITPOST N TIME TEXT (TIME is four words) */
void
cmd_editpost(struct cmd_ctx *ctx)
{
	struct state *st = ctx->srv->state;
	struct state_post_change c;
	char stamp[64], when[TIMEFMT_LEN];
	enum board_err e;
	time_t t, now;
	size_t n;

	if ((n = cmd_post_number(ctx, ctx->argv[0])) == 0)
		return;
	snprintf(stamp, sizeof(stamp), "%s %s %s %s", ctx->argv[1],
	    ctx->argv[2], ctx->argv[3], ctx->argv[4]);
	if (cmd_timestamp(ctx, stamp, &t) == -1 ||
	    cmd_text_too_long(ctx, ctx->argv[5]))
		return;
	if ((e = board_check(st->board, n, ctx->s->name, t)) != BOARD_OK) {
		cmd_board_refuse(ctx, e, n, "edit");
		return;
	}
	now = time(NULL);
	c.n = n;
	c.del = false;
	c.text = ctx->argv[5];
	c.time = now;
	if (state_board_change(st, &c) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the board could not be stored; "
		    "nothing was changed");
		return;
	}
	if (board_edit(st->board, n, ctx->argv[5], now) != BOARD_OK) {
		cmd_err(ctx, PROTO_E_IO, "out of memory");
		return;
	}
	cmd_ok(ctx, "Message #%zu edited at %s", n, timefmt_format(now, when));
}

/* A READPOSTS reply on its way (it can be longer than a client's output
   limit, so it is queued as the client reads: conn_stream()). */
struct cmd_readposts_stream {
	struct board	*board;
	char		 tag[PROTO_TAG_MAX + 1];
	time_t		 since;
	size_t		 next;		/* the post number to look from */
	size_t		 count;		/* posts queued */
};

/* Queue the next post, or the final OK (then true). */
static bool
cmd_readposts_fill(struct conn *c, void *arg)
{
	struct cmd_readposts_stream *rs = arg;
	const struct board_post *p;
	char when[TIMEFMT_LEN], line[PROTO_LINE_MAX];
	size_t n;

	if ((n = board_next_after(rs->board, rs->next, rs->since)) == 0) {
		conn_printf(c, "%s OK %zu message%s\n", rs->tag, rs->count,
		    rs->count == 1 ? "" : "s");
		return true;
	}
	p = board_get(rs->board, n);
	if (proto_ev_post_encode(line, sizeof(line), n, p->user, p->edited,
	    timefmt_format(p->time, when), p->text) > 0)
		conn_printf(c, "%s . %s\n", rs->tag, line);
	rs->next = n + 1;
	rs->count++;
	return false;
}

static void
cmd_readposts_done(void *arg, bool sent)
{
	(void)sent;
	free(arg);
}

/*
 * READPOSTS TIME.  The posts go out as the client reads them; a post
 * deleted while a long reply is on its way renumbers the later ones, which
 * the reply then shows with their new numbers.
 */
void
cmd_readposts(struct cmd_ctx *ctx)
{
	struct board *b = ctx->srv->state->board;
	struct cmd_readposts_stream *rs;
	time_t since;
	size_t n, count = 0;

	if (cmd_timestamp(ctx, ctx->argv[0], &since) == -1)
		return;
	for (n = board_next_after(b, 1, since); n != 0;
	    n = board_next_after(b, n + 1, since))
		count++;
	if (count == 0) {
		cmd_ok(ctx, "no new message");
		return;
	}
	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		cmd_err(ctx, PROTO_E_IO, "out of memory");
		return;
	}
	rs->board = b;
	snprintf(rs->tag, sizeof(rs->tag), "%s", ctx->tag);
	rs->since = since;
	rs->next = 1;
	conn_stream(ctx->s->conn, cmd_readposts_fill, cmd_readposts_done, rs);
	ctx->result = "ok";
	snprintf(ctx->note, sizeof(ctx->note), "%zu message%s", count,
	    count == 1 ? "" : "s");
}
