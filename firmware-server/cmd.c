/*
 * cmd.c - what every handler uses: replies (now or later) and the checks
 * that several handlers share.  The command table and dispatch are in
 * cmd_table.c, above the handlers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "cmd.h"
#include "conn.h"
#include "log.h"
#include "server.h"
#include "session.h"

/* Queue one reply line "TAG KIND[ CODE][ TEXT]". */
static void
cmd_vreply(struct cmd_ctx *ctx, const char *kind, const char *code,
    const char *fmt, va_list ap)
{
	char text[PROTO_LINE_MAX - PROTO_TAG_MAX - PROTO_CODE_MAX - 8];
	int n;

	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		text[0] = '\0';
	else {
		/* Cut: never inside a character; nor where a "%.40s" in
		   fmt cut an argument. */
		if ((size_t)n >= sizeof(text))
			text[proto_utf8_cut(text, sizeof(text) - 1,
			    sizeof(text) - 1)] = '\0';
		proto_utf8_scrub(text, strlen(text));
	}
	if (code != NULL)
		conn_printf(ctx->s->conn, "%s %s %s%s%s\n", ctx->tag, kind, code,
		    text[0] ? " " : "", text);
	else
		conn_printf(ctx->s->conn, "%s %s%s%s\n", ctx->tag, kind,
		    text[0] ? " " : "", text);
	if (strcmp(kind, ".") != 0)
		snprintf(ctx->note, sizeof(ctx->note), "%s", text);
}

/* Reply OK. */
void
cmd_ok(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	ctx->result = "ok";
	va_start(ap, fmt);
	cmd_vreply(ctx, "OK", NULL, fmt, ap);
	va_end(ap);
}

/* Reply ERR. */
void
cmd_err(struct cmd_ctx *ctx, const char *code, const char *fmt, ...)
{
	va_list ap;

	ctx->result = code;
	va_start(ap, fmt);
	cmd_vreply(ctx, "ERR", code, fmt, ap);
	va_end(ap);
}

/* A data line. */
void
cmd_data(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vreply(ctx, ".", NULL, fmt, ap);
	va_end(ap);
}

/* The reply comes later (from the password hasher): no further request
   of the session is handled until cmd_resume(). */
void
cmd_reply_later(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;

	snprintf(s->later_tag, sizeof(s->later_tag), "%s", ctx->tag);
	conn_wait(s->conn, true);
	ctx->result = "wait";
	snprintf(ctx->note, sizeof(ctx->note), "password being checked");
}

/*
 * Back from the wait: a context to reply with, in *ctx.  false when the
 * session is closing (nobody to answer).  cmd_resumed() ends it: held
 * while its data reaches the disk, and logged.
 */
bool
cmd_resume(struct cmd_ctx *ctx, struct session *s, const char *verb,
    struct session_mark *m)
{
	conn_wait(s->conn, false);
	if (conn_closing(s->conn))
		return false;
	memset(ctx, 0, sizeof(*ctx));
	ctx->srv = s->srv;
	ctx->s = s;
	ctx->tag = s->later_tag;
	ctx->verb = verb;
	session_mark(s, m);
	return true;
}

void
cmd_resumed(struct cmd_ctx *ctx, const struct session_mark *m)
{
	session_hold(ctx->s, m);
	log_info("%s %s *** -> %s%s%s", session_who(ctx->s), ctx->verb,
	    ctx->result ? ctx->result : "-", ctx->note[0] ? ": " : "",
	    ctx->note);
}
/* True (after replying) when the text is too long. */
bool
cmd_text_too_long(struct cmd_ctx *ctx, const char *text)
{
	if (strlen(text) <= PROTO_TEXT_MAX)
		return false;
	cmd_err(ctx, PROTO_E_LIMIT, "a message is at most %d bytes",
	    PROTO_TEXT_MAX);
	return true;
}

/*
 * The account named by a command, other than the caller's; NULL after
 * replying when there is no such user or it is the caller.
 */
struct account *
cmd_other_user(struct cmd_ctx *ctx, const char *name, const char *what)
{
	struct account *a;

	if (strchr(name, '@') != NULL && proto_valid_addr(name)) {
		cmd_err(ctx, PROTO_E_NOUSER, "%s is a user of another board; "
		    "you cannot %s them from here (messages, broadcasts and "
		    "blocks cross boards; groups and the board do not)", name,
		    what);
		return NULL;
	}
	if (!proto_valid_user(name) ||
	    (a = accounts_find(ctx->srv->accounts, name)) == NULL) {
		cmd_err(ctx, PROTO_E_NOUSER, "no such user: %s", name);
		return NULL;
	}
	if (a == ctx->s->acct) {
		cmd_err(ctx, PROTO_E_SELF, "you cannot %s yourself", what);
		return NULL;
	}
	return a;
}

/* True when the account is logged in (and not on its way out). */
bool
cmd_online(const struct account *a)
{
	return a->session != NULL && !conn_closing(a->session->conn);
}
