/*
 * cmd.h - the command table and the context handlers get.  The generic
 * checks (known verb, session state, argument count) run once in
 * cmd_dispatch(), before any handler.
 */
#ifndef CMD_H
#define CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

struct server;
struct session;

struct cmd_ctx {
	struct server	*srv;
	struct session	*s;
	const char	*tag;
	const char	*verb;
	int		 argc;
	char		*argv[PROTO_ARGS_MAX];
	const char	*blob;
	size_t		 blob_len;
	const char	*result;	/* "ok" or the ERR code, for the log */
	char		 note[96];	/* short result text for the log */
};

/* Handle one frame from a session's connection. */
void	cmd_dispatch(struct session *s, char *line, size_t len,
	    const char *blob, size_t blob_len);
/* Reply "TAG OK TEXT", ending the reply. */
void	cmd_ok(struct cmd_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Reply "TAG ERR CODE TEXT", ending the reply. */
void	cmd_err(struct cmd_ctx *ctx, const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A data line "TAG . TEXT" of a multi-line reply. */
void	cmd_data(struct cmd_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Handlers (cmd_session.c, cmd_who.c). */
void	cmd_hello(struct cmd_ctx *ctx);
void	cmd_login(struct cmd_ctx *ctx);
void	cmd_pass(struct cmd_ctx *ctx);
void	cmd_register(struct cmd_ctx *ctx);
void	cmd_logout(struct cmd_ctx *ctx);
void	cmd_ping(struct cmd_ctx *ctx);
void	cmd_who(struct cmd_ctx *ctx);
void	cmd_whosince(struct cmd_ctx *ctx);

#endif /* CMD_H */
