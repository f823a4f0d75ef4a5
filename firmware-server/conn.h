/*
 * conn.h - one client connection: its socket, bounded input and output
 * buffers and poll interest.  A connection cuts bytes into frames and
 * hands each to its owner; it never interprets them.
 */
#ifndef CONN_H
#define CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"
#include "proto.h"

/* Input buffer limit: one line and its largest payload. */
#define CONN_IN_MAX		(PROTO_LINE_MAX + PROTO_BLOB_MAX)
/* Stop reading requests while this much output waits to be sent. */
#define CONN_OUT_PAUSE		(64 * 1024)
/* Distinct generations one connection may wait for (two are in play: the
   one being synced and the one gathering). */
#define CONN_HOLDS		4

struct conn;

/* What a connection tells its owner. */
struct conn_ops {
	/* One complete frame; line is NUL-terminated, without CR/LF. */
	void	(*frame)(void *owner, char *line, size_t len, const char *blob,
		    size_t blob_len);
	/* The stream cannot be cut into frames any more. */
	void	(*broken)(void *owner, enum proto_err err);
	/* The connection is gone; called once, from conn_pass_end(). */
	void	(*closed)(void *owner, const char *reason);
};

/*
 * Take a connected, non-blocking socket.  Output beyond out_limit bytes is
 * not queued and closes the connection (the policy for a client that does
 * not read).  NULL when out of memory.
 */
struct conn	*conn_new(struct loop *l, int fd, const struct sockaddr *sa,
		     size_t out_limit, const struct conn_ops *ops, void *owner);
/* Speak TLS on c (tls_setup() was done): 0, or -1 without memory. */
int		 conn_tls_start(struct conn *c);
/* The peer's address as text. */
const char	*conn_ip(const struct conn *c);
/*
 * The output queued for all connections together may not pass bytes (0:
 * no limit): past it, a connection with more than CONN_OUT_PAUSE waiting
 * is closed instead of queueing more (per-connection limits times
 * max_clients would otherwise add up to gigabytes).
 */
void		 conn_set_budget(size_t bytes);
/* Bytes of output queued for all connections. */
size_t		 conn_out_queued(void);
/* Queue formatted output; -1 when the connection is closing or the output
   limit was reached (the connection is then closing). */
int		 conn_printf(struct conn *c, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
/* Queue len bytes as they are (a line formatted once for many
   recipients); -1 as conn_printf. */
int		 conn_write(struct conn *c, const char *p, size_t len);
/* Queue a line: the parts joined, then LF. */
int		 conn_line(struct conn *c, const char *a, const char *b,
		     const char *d);
/* Bytes queued since the connection opened: a mark for conn_hold(). */
uint64_t	 conn_queued(const struct conn *c);
/*
 * Keep the output queued from mark on (and everything after it) until the
 * store's generation gen is on disk; conn_release() lets it go.
 */
void		 conn_hold(struct conn *c, uint64_t mark, uint64_t gen);
/* Generations up to gen are on disk: flush what waited for them. */
void		 conn_release(uint64_t gen);
/* on: handle no further request until called again with off (a reply
   that waits for the password hasher). */
void		 conn_wait(struct conn *c, bool on);
/*
 * A reply too long to queue at once (a long board, the messages that
 * waited for a login): fill() is called while little is queued and queues
 * one more line (at most PROTO_LINE_MAX); it returns true once it has
 * queued the last one.  done(arg, sent) comes once: sent is true when everything
 * was written to the socket, false when the connection closed first.  No
 * further request is read until then, so replies stay in order.
 */
typedef bool	 conn_fill_fn(struct conn *c, void *arg);
typedef void	 conn_done_fn(void *arg, bool sent);
void		 conn_stream(struct conn *c, conn_fill_fn *fill,
		     conn_done_fn *done, void *arg);
/* Stop reading; close once queued output is sent (or cannot be). */
void		 conn_close(struct conn *c, const char *reason);
bool		 conn_closing(const struct conn *c);
/* Bytes of output waiting. */
size_t		 conn_pending(const struct conn *c);
/*
 * Called once per loop pass, just before polling: write queued output,
 * update poll interest and free the connections that are done.
 */
void		 conn_send_ready(void);
void		 conn_pass_end(void);
/* Close every connection at once (shutdown); calls each closed(). */
void		 conn_close_all(const char *reason);

#endif /* CONN_H */
