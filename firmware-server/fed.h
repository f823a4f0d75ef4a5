/*
 * fed.h - federation: several boards, one conversation, through an MQTT
 * broker (docs/FEDERATION.md).  Off unless [federation] broker is set;
 * then fed.c keeps the link, the other boards and their online users,
 * and fed_msg.c carries direct messages (an outbox on disk, end-to-end
 * acknowledgement, de-duplication) and broadcasts.
 */
#ifndef FED_H
#define FED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "proto.h"

struct server;
struct session;
struct cmd_ctx;
struct account;

/* A remote user as the lists show it. */
struct fed_user_view {
	char		 addr[PROTO_ADDR_MAX + 1];	/* USER@BOARD */
	const char	*ip;
	int		 udp;
	time_t		 login_time;
	bool		 online;
	time_t		 last_seen;	/* wall clock, when offline */
	int64_t		 last_seen_ms;	/* monotonic, when offline */
};

/* Start federating when configured (no-op otherwise); 0, or -1 logged. */
int	fed_init(struct server *srv);
/* Once per loop pass; ms until next due, or -1. */
int	fed_pass(struct server *srv);
/* After the pass's output was sent (server.c, after conn_pass_end()). */
void	fed_pass_sent(void);
void	fed_pass_end(void);
/* Leave the broker cleanly (the board says it goes offline). */
void	fed_stop(struct server *srv);
bool	fed_enabled(void);
/* This board's name ("" when off). */
const char *fed_board(void);

/* The topic prefix. */
const char *fed_prefix(void);

/* Edge summaries (fed_edge.c): a stored upload, a DTE. */
struct edge_stats;
void	fed_edge_stored(struct server *srv, const char *user, long long id,
	    const struct edge_stats *st, time_t when);
void	fed_edge_deleted(struct server *srv, const char *user, long long id);

/* A local user logged in or out: tell the other boards. */
void	fed_user_online(struct session *s);
void	fed_user_offline(struct session *s);

/* Call fn for every remote user known (online, or seen lately). */
void	fed_users_each(void (*fn)(const struct fed_user_view *u, void *arg),
	    void *arg);

/*
 * What a name in a command means.  FED_R_LOCAL: *acct is the local user;
 * FED_R_REMOTE: addr holds USER@BOARD; FED_R_ERROR: replied already
 * (no such user, ambiguous: the error lists the candidates, or self).
 */
enum fed_resolve { FED_R_LOCAL, FED_R_REMOTE, FED_R_ERROR };
enum fed_resolve fed_resolve(struct cmd_ctx *ctx, const char *name,
	    const char *what, struct account **acct, char *addr);

/* MSGTO to a remote user (fed_msg.c): into the outbox, then the reply. */
void	fed_msgto(struct cmd_ctx *ctx, const char *addr, const char *text);
/* BROADCAST to the other boards; false when it could not be sent. */
bool	fed_broadcast(struct server *srv, const char *from, const char *text,
	    time_t when);
/* True when addr is online on its board. */
bool	fed_remote_online(const char *addr);

#endif /* FED_H */
