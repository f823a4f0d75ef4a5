/*
 * net.h - the client's one TCP connection to the server.
 *
 * The socket is non-blocking once connected.  Bytes read are cut into
 * frames (proto_frame) and parsed (proto_parse_msg); every request gets a
 * tag (increasing integers) and an entry in a FIFO of pending requests
 * holding a caller-defined kind, so that data lines and the final OK/ERR
 * reach the reply callback together with the kind of request they answer.
 * Events ("* NAME ...") and untagged errors ("* ERR ...") go to the event
 * callback.  net knows nothing about what the verbs mean.
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Limits and their policy on overflow. */
#define NET_IN_MAX	(PROTO_LINE_MAX + PROTO_BLOB_MAX) /* one whole frame */
#define NET_OUT_MAX	(256 * 1024)	/* queued request bytes; over: refused */
#define NET_PENDING_MAX	64		/* requests awaiting a reply; over: refused */
#define NET_CONNECT_TIMEOUT_MS 10000	/* give up connecting after this */

/* What a read pass found. */
enum net_status {
	NET_OK = 0,	/* still connected */
	NET_CLOSED,	/* the server closed the connection */
	NET_ERROR,	/* read error or a broken stream; see net_error() */
};

/* A request waiting for its final reply. */
struct net_req {
	unsigned long	 tag;
	int		 kind;		/* chosen by the caller of net_request */
	void		*ctx;		/* chosen by the caller of net_request_ctx */
	unsigned long	 lines;		/* lines of this reply seen before this one */
};

struct net;

/* A line of a reply (data, OK or ERR) to the request req. */
typedef void net_reply_cb(void *arg, const struct net_req *req,
    const struct proto_msg *msg);
/* An event, or an ERR reply with the tag "*". */
typedef void net_event_cb(void *arg, const struct proto_msg *msg);

struct net_tls_opts;

/*
 * Speak TLS on every later net_connect(), checking the server as o says
 * (net_tls.h; o must stay valid).  There is no fallback to plain TCP.
 */
void		 net_use_tls(const struct net_tls_opts *o);
/*
 * Connect to host:port (a name or an IPv4/IPv6 address) within
 * NET_CONNECT_TIMEOUT_MS, with the TLS handshake and the server check
 * when net_use_tls() was called.  Returns a non-blocking socket for
 * net_new(), or -1 with a reason ("Connection refused", a resolver
 * message, why the server is not trusted) written into err.
 */
int		 net_connect(const char *host, const char *port, char *err,
		     size_t errlen);
/* True when the last net_connect() or connect in steps failed because
   the server is not the one we trust (exit status 2: no reconnect should
   follow). */
bool		 net_refused(void);

/*
 * The same connect in steps, for a loop that must not wait (the screen
 * while it reconnects): net_dial_start() resolves the name (the only
 * part that may wait, for a DNS answer) and starts connect() without
 * blocking; the caller polls net_dial_fd() for its events at most
 * net_dial_timeout() ms and calls net_dial_step() with what poll saw (0
 * on a timeout) until it is no longer NET_DIAL_WAIT.  Each address and
 * the TLS handshake each get NET_CONNECT_TIMEOUT_MS.
 */
enum net_dial_status {
	NET_DIAL_WAIT = 0,	/* poll again */
	NET_DIAL_DONE,		/* connected: net_dial_take() */
	NET_DIAL_FAIL,		/* err says why */
	NET_DIAL_REFUSED,	/* the server is not trusted (net_refused()) */
};
struct net_dial;
/* NULL with err when the name does not resolve or no address is left. */
struct net_dial	*net_dial_start(const char *host, const char *port,
		     char *err, size_t errlen);
int		 net_dial_fd(const struct net_dial *d, short *events);
int		 net_dial_timeout(const struct net_dial *d);
enum net_dial_status net_dial_step(struct net_dial *d, short revents,
		     char *err, size_t errlen);
/* The connected socket for net_new() (which takes its TLS stream); frees
   d. */
int		 net_dial_take(struct net_dial *d);
/* Give up a connect in steps. */
void		 net_dial_free(struct net_dial *d);
/*
 * Wrap a connected socket (net takes ownership and makes it non-blocking);
 * NULL on failure (the socket is then still the caller's).
 */
struct net	*net_new(int fd, net_reply_cb *on_reply, net_event_cb *on_event,
		     void *arg);
/* Close the socket and free everything. */
void		 net_free(struct net *n);
/* The socket, for polling. */
int		 net_fd(const struct net *n);
/* True while output is queued (poll for POLLOUT). */
bool		 net_wants_write(const struct net *n);
/* Number of requests still waiting for their final reply. */
size_t		 net_pending(const struct net *n);
/*
 * Queue "TAG VERB[ ARGS]" and remember it as kind.  Returns the tag (> 0),
 * or 0 with errno EMSGSIZE (line too long), EAGAIN (too many pending) or
 * ENOBUFS (output buffer full).
 */
unsigned long	 net_request(struct net *n, int kind, const char *verb,
		     const char *args);
/* The same, with a pointer handed back in net_req.ctx. */
unsigned long	 net_request_ctx(struct net *n, int kind, void *ctx,
		     const char *verb, const char *args);
/* Call fn for each request still waiting (to free their contexts). */
void		 net_each_pending(struct net *n,
		     void (*fn)(const struct net_req *req, void *arg),
		     void *arg);
/* Write as much queued output as the socket takes; 0, or -1 when it failed. */
int		 net_flush(struct net *n);
/* Read what is there and dispatch every complete line. */
enum net_status	 net_read(struct net *n);
/* Why the connection failed (after NET_ERROR or a failed flush). */
const char	*net_error(const struct net *n);

/*
 * Queue "TAG VERB ARGS {len}" and the len bytes of blob after it (len <=
 * PROTO_BLOB_MAX) as one request, like net_request_ctx.  Nothing is queued
 * unless the whole frame fits: 0 with errno EMSGSIZE, EAGAIN or ENOBUFS.
 */
unsigned long	 net_request_blob(struct net *n, int kind, void *ctx,
		     const char *verb, const char *args, const void *blob,
		     size_t len);
/* Bytes queued and not yet written (for pacing uploads). */
size_t		 net_out_queued(const struct net *n);

#endif /* NET_H */
