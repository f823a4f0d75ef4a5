/*
 * cmd.h - the context handlers get, the replies and checks they share
 * (cmd.c), the handlers, and the tables of commands and features above
 * them (cmd_table.c).  The generic checks (known verb, session state,
 * argument count) run once in cmd_dispatch(), before any handler.
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

/*
 * What a feature does at the server's and the sessions' turning points;
 * any hook may be NULL.  The lower floors walk cmd_features[] through
 * srv->features without naming the features (cmd_table.c).
 */
struct cmd_feature {
	const char	*name;
	/* At start-up, before the loop runs; -1 stops the server. */
	int		(*start)(struct server *srv);
	/* Top of each loop pass: ms until it is next due, or -1. */
	int		(*pass)(struct server *srv);
	/* After the pass's deliveries went out (conn_send_ready()), before
	   its disk work. */
	void		(*sent)(struct server *srv);
	/* After the pass's output went out (conn_pass_end()). */
	void		(*pass_end)(struct server *srv);
	/* Shutdown, after the last output. */
	void		(*stop)(struct server *srv);
	/* A user logged in (after the ONLINE event). */
	void		(*login)(struct session *s);
	/* A user's session ends while the server goes on (before the
	   OFFLINE event); why is a SESS_OFF_* reason. */
	void		(*logout)(struct session *s, const char *why);
	/* Any session ends (logged in or not): drop what the feature keeps
	   for it. */
	void		(*closed)(struct session *s);
};

/* Every feature's hooks, ended by a row whose name is NULL. */
extern const struct cmd_feature cmd_features[];

/* Handle one frame from a session's connection (srv->dispatch). */
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
/*
 * A reply that comes later, from a callback (cmd.c): cmd_reply_later()
 * holds the session's further requests and keeps the tag; cmd_resume()
 * gives the context back, cmd_resumed() ends it.
 */
struct session_mark;
void	cmd_reply_later(struct cmd_ctx *ctx);
bool	cmd_resume(struct cmd_ctx *ctx, struct session *s, const char *verb,
	    struct session_mark *m);
void	cmd_resumed(struct cmd_ctx *ctx, const struct session_mark *m);

/* Handlers (cmd_session.c, cmd_who.c). */
void	cmd_hello(struct cmd_ctx *ctx);
void	cmd_login(struct cmd_ctx *ctx);
void	cmd_pass(struct cmd_ctx *ctx);
void	cmd_register(struct cmd_ctx *ctx);
void	cmd_logout(struct cmd_ctx *ctx);
void	cmd_ping(struct cmd_ctx *ctx);
void	cmd_who(struct cmd_ctx *ctx);
void	cmd_whosince(struct cmd_ctx *ctx);
/* Edge data (cmd_edge.c). */
void	cmd_upload(struct cmd_ctx *ctx);
void	cmd_updata(struct cmd_ctx *ctx);
void	cmd_upend(struct cmd_ctx *ctx);
void	cmd_stats(struct cmd_ctx *ctx);
void	cmd_delete(struct cmd_ctx *ctx);
/* The session ends: drop its upload in progress, if any. */
void	cmd_edge_session_closed(struct session *s);
/* The session is going: its PASS or REGISTER leaves the gate
   (cmd_session.c). */
void	cmd_auth_session_closed(struct session *s);
/* cmd_msg.c */
void	cmd_msgto(struct cmd_ctx *ctx);
void	cmd_broadcast(struct cmd_ctx *ctx);
void	cmd_block(struct cmd_ctx *ctx);
void	cmd_unblock(struct cmd_ctx *ctx);
/* cmd_board.c */
void	cmd_post(struct cmd_ctx *ctx);
void	cmd_delpost(struct cmd_ctx *ctx);
void	cmd_editpost(struct cmd_ctx *ctx);
void	cmd_readposts(struct cmd_ctx *ctx);
/* cmd_group.c */
void	cmd_gcreate(struct cmd_ctx *ctx);
void	cmd_gjoin(struct cmd_ctx *ctx);
void	cmd_gmsg(struct cmd_ctx *ctx);
/* cmd_p2p.c: peer-to-peer introductions (files, private chats). */
void	cmd_sendfile(struct cmd_ctx *ctx);
void	cmd_privreq(struct cmd_ctx *ctx);
void	cmd_privanswer(struct cmd_ctx *ctx);
void	cmd_privstop(struct cmd_ctx *ctx);
/* A logged-in session ends: its private chats end, peers are told why. */
void	cmd_p2p_session_closed(struct session *s, const char *why);

/* Checks several handlers share (cmd.c). */
struct account;
bool	cmd_text_too_long(struct cmd_ctx *ctx, const char *text);
struct account *cmd_other_user(struct cmd_ctx *ctx, const char *name,
	    const char *what);
bool	cmd_online(const struct account *a);
/* Remove uploads left unfinished by a crash (cmd_edge.c); how many. */
int	cmd_edge_clean_parts(const char *data_dir);
/* Deliver the messages that waited for s's user, after its login reply. */
void	cmd_deliver_offline(struct session *s);

#endif /* CMD_H */
