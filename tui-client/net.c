/*
 * net.c - the client's connection to the server: connecting, bounded
 * input and output buffers, tags and the FIFO of pending requests.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mono.h"
#include "net.h"
#include "net_tls.h"

/* Bytes read from the socket in one read() call. */
#define NET_READ_CHUNK	16384
/* read() calls in one net_read(), so a flood cannot starve standard input. */
#define NET_READS_PER_PASS 8

struct net {
	int		 fd;
	struct net_tls	*tls;		/* NULL: plain TCP */
	struct buf	 in;
	struct buf	 out;
	unsigned long	 next_tag;
	/* FIFO of pending requests: a ring of NET_PENDING_MAX entries. */
	struct net_req	 pending[NET_PENDING_MAX];
	size_t		 p_head;
	size_t		 p_count;
	net_reply_cb	*on_reply;
	net_event_cb	*on_event;
	void		*arg;
	char		 error[128];
};

/* TLS settings (net_use_tls), and the stream of the socket that the last
   net_connect() returned, waiting for net_new() to take it. */
static const struct net_tls_opts *net_tls_opts;
static struct net_tls	*net_tls_fresh;
static int		 net_tls_fresh_fd = -1;
static bool		 net_tls_refused;

static int	 net_set_nonblock(int fd);
static struct net_req *net_find(struct net *n, const char *tag, size_t *pos);
static void	 net_drop(struct net *n, size_t pos);
static void	 net_dispatch(struct net *n, char *line);
static int	 net_process(struct net *n);

/* Put fd in non-blocking mode. */
static int
net_set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Speak TLS from the next connect on. */
void
net_use_tls(const struct net_tls_opts *o)
{
	net_tls_opts = o;
}

/* The last connect was refused for trust. */
bool
net_refused(void)
{
	return net_tls_refused;
}

/* Steps of a connect in progress. */
enum net_dial_phase {
	NET_DIAL_TCP = 0,	/* connect() in progress on fd */
	NET_DIAL_TLS,		/* the TLS handshake on fd */
};

struct net_dial {
	struct addrinfo		*res;	/* every address of the host */
	struct addrinfo		*ai;	/* the one being tried */
	int			 fd;
	enum net_dial_phase	 phase;
	short			 events;	/* what fd waits for */
	int64_t			 deadline;	/* of this phase (mono ms) */
	int			 err;		/* errno of the last failure */
	struct net_tls		*tls;
	char			 host[256];
	char			 port[16];
};

/* Free a connect that did not finish (or whose result was taken). */
void
net_dial_free(struct net_dial *d)
{
	if (d == NULL)
		return;
	net_tls_free(d->tls);
	if (d->fd != -1)
		close(d->fd);
	if (d->res != NULL)
		freeaddrinfo(d->res);
	free(d);
}

/*
 * Start connect() on d->ai or, when it fails at once, on the addresses
 * after it.  0 when one is under way (or connected: POLLOUT is then ready
 * at once); -1 when none is left (d->err says why the last one failed).
 */
static int
net_dial_next(struct net_dial *d)
{
	for (; d->ai != NULL; d->ai = d->ai->ai_next) {
		d->fd = socket(d->ai->ai_family, d->ai->ai_socktype |
		    SOCK_CLOEXEC | SOCK_NONBLOCK, d->ai->ai_protocol);
		if (d->fd == -1) {
			d->err = errno;
			continue;
		}
		if (connect(d->fd, d->ai->ai_addr, d->ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			d->phase = NET_DIAL_TCP;
			d->events = POLLOUT;
			d->deadline = mono_now_ms() + NET_CONNECT_TIMEOUT_MS;
			return 0;
		}
		d->err = errno;
		close(d->fd);
		d->fd = -1;
	}
	return -1;
}

/* Resolve host and port and start connecting to the first address. */
struct net_dial *
net_dial_start(const char *host, const char *port, char *err, size_t errlen)
{
	struct addrinfo hints;
	struct net_dial *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	d->fd = -1;
	d->err = ECONNREFUSED;
	snprintf(d->host, sizeof(d->host), "%s", host);
	snprintf(d->port, sizeof(d->port), "%s", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	if ((r = getaddrinfo(host, port, &hints, &d->res)) != 0) {
		snprintf(err, errlen, "%s",
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		d->res = NULL;
		net_dial_free(d);
		return NULL;
	}
	d->ai = d->res;
	if (net_dial_next(d) == -1) {
		snprintf(err, errlen, "%s", strerror(d->err));
		net_dial_free(d);
		return NULL;
	}
	net_tls_refused = false;
	return d;
}

/* The socket to poll and what for. */
int
net_dial_fd(const struct net_dial *d, short *events)
{
	*events = d->events;
	return d->fd;
}

/* Milliseconds until this phase gives up. */
int
net_dial_timeout(const struct net_dial *d)
{
	int64_t left = d->deadline - mono_now_ms();

	return left < 0 ? 0 : (int)left;
}

/* The address failed (d->err): the next one, or the end. */
static enum net_dial_status
net_dial_failed(struct net_dial *d, char *err, size_t errlen)
{
	net_tls_free(d->tls);
	d->tls = NULL;
	close(d->fd);
	d->fd = -1;
	d->ai = d->ai->ai_next;
	if (net_dial_next(d) == 0)
		return NET_DIAL_WAIT;
	snprintf(err, errlen, "%s", strerror(d->err));
	return NET_DIAL_FAIL;
}

/* The TLS handshake: one step, and what comes of it. */
static enum net_dial_status
net_dial_tls(struct net_dial *d, char *err, size_t errlen)
{
	int r = net_tls_step(d->tls, net_tls_opts, &d->events, err, errlen);

	if (r == 1)
		return NET_DIAL_WAIT;
	if (r == 0)
		return NET_DIAL_DONE;
	net_tls_refused = r == NET_TLS_REFUSED;
	return net_tls_refused ? NET_DIAL_REFUSED : NET_DIAL_FAIL;
}

/* The socket is ready for what it waited for (revents), or time passed. */
enum net_dial_status
net_dial_step(struct net_dial *d, short revents, char *err, size_t errlen)
{
	socklen_t len = sizeof(d->err);
	bool late = mono_now_ms() >= d->deadline;

	if (d->phase == NET_DIAL_TLS) {
		if (revents == 0 && late) {
			snprintf(err, errlen, "TLS handshake: timed out");
			return NET_DIAL_FAIL;
		}
		return revents == 0 ? NET_DIAL_WAIT : net_dial_tls(d, err,
		    errlen);
	}
	if (revents == 0) {
		if (!late)
			return NET_DIAL_WAIT;
		d->err = ETIMEDOUT;
		return net_dial_failed(d, err, errlen);
	}
	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &d->err, &len) == -1)
		d->err = errno;
	if (d->err != 0)
		return net_dial_failed(d, err, errlen);
	if (net_tls_opts == NULL)
		return NET_DIAL_DONE;
	if (net_tls_start(d->fd, d->host, d->port, net_tls_opts, &d->tls,
	    err, errlen) == -1)
		return NET_DIAL_FAIL;
	d->phase = NET_DIAL_TLS;
	d->deadline = mono_now_ms() + NET_CONNECT_TIMEOUT_MS;
	return net_dial_tls(d, err, errlen);
}

/* The connected socket for net_new(); d is freed. */
int
net_dial_take(struct net_dial *d)
{
	int fd = d->fd;

	if (d->tls != NULL) {
		net_tls_free(net_tls_fresh);	/* never taken by net_new() */
		net_tls_fresh = d->tls;
		net_tls_fresh_fd = fd;
		d->tls = NULL;
	}
	d->fd = -1;
	net_dial_free(d);
	return fd;
}

/* Connect, waiting here (at start-up, before any screen). */
int
net_connect(const char *host, const char *port, char *err, size_t errlen)
{
	struct net_dial *d;
	struct pollfd pfd;
	enum net_dial_status st = NET_DIAL_WAIT;
	int r;

	if ((d = net_dial_start(host, port, err, errlen)) == NULL)
		return -1;
	while (st == NET_DIAL_WAIT) {
		pfd.fd = net_dial_fd(d, &pfd.events);
		pfd.revents = 0;
		r = poll(&pfd, 1, net_dial_timeout(d));
		if (r == -1 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			net_dial_free(d);
			return -1;
		}
		st = net_dial_step(d, r > 0 ? pfd.revents : 0, err, errlen);
	}
	if (st != NET_DIAL_DONE) {
		net_dial_free(d);
		return -1;
	}
	return net_dial_take(d);
}

/* recv() or its TLS equivalent. */
static ssize_t
net_recv(struct net *n, void *p, size_t len)
{
	if (n->tls != NULL)
		return net_tls_read(n->tls, p, len);
	return recv(n->fd, p, len, 0);
}

/* send() or its TLS equivalent. */
static ssize_t
net_send(struct net *n, const void *p, size_t len)
{
	if (n->tls != NULL)
		return net_tls_write(n->tls, p, len);
	return send(n->fd, p, len, MSG_NOSIGNAL);
}

/* Wrap a connected socket, making it non-blocking. */
struct net *
net_new(int fd, net_reply_cb *on_reply, net_event_cb *on_event, void *arg)
{
	struct net *n;

	if (net_set_nonblock(fd) == -1)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->fd = fd;
	if (net_tls_fresh != NULL && fd == net_tls_fresh_fd) {
		n->tls = net_tls_fresh;
		net_tls_fresh = NULL;
		net_tls_fresh_fd = -1;
	}
	buf_init(&n->in, NET_IN_MAX);
	buf_init(&n->out, NET_OUT_MAX);
	n->next_tag = 1;
	n->on_reply = on_reply;
	n->on_event = on_event;
	n->arg = arg;
	return n;
}

/* Close the socket and free everything. */
void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	net_tls_free(n->tls);
	if (n->fd != -1)
		close(n->fd);
	buf_free(&n->in);
	buf_free(&n->out);
	free(n);
}

/* The socket, for polling. */
int
net_fd(const struct net *n)
{
	return n->fd;
}

/* True while output is queued. */
bool
net_wants_write(const struct net *n)
{
	return n->out.len > 0;
}

/* Number of requests waiting for their final reply. */
size_t
net_pending(const struct net *n)
{
	return n->p_count;
}

/* Queue one request line and remember it in the FIFO. */
unsigned long
net_request(struct net *n, int kind, const char *verb, const char *args)
{
	return net_request_ctx(n, kind, NULL, verb, args);
}

/*
 * Queue "TAG VERB[ ARGS][ {N}]" and, when has_blob, the N bytes of blob,
 * all or nothing, and remember the request in the FIFO.
 */
static unsigned long
net_queue(struct net *n, int kind, void *ctx, const char *verb,
    const char *args, const void *blob, size_t len, bool has_blob)
{
	char line[PROTO_LINE_MAX + 1], marker[32] = "";
	struct net_req *r;
	unsigned long tag;
	int ll;

	if (n->p_count == NET_PENDING_MAX) {
		errno = EAGAIN;
		return 0;
	}
	tag = n->next_tag;
	if (has_blob)
		snprintf(marker, sizeof(marker), " {%zu}", len);
	ll = snprintf(line, sizeof(line), "%lu %s%s%s%s\n", tag, verb,
	    args != NULL ? " " : "", args != NULL ? args : "", marker);
	if (len > PROTO_BLOB_MAX || ll < 0 || (size_t)ll > PROTO_LINE_MAX) {
		errno = EMSGSIZE;
		return 0;
	}
	if (n->out.max - n->out.len < (size_t)ll + len) {
		errno = ENOBUFS;
		return 0;
	}
	if (buf_append(&n->out, line, (size_t)ll) == -1)
		return 0;
	if (len > 0 && buf_append(&n->out, blob, len) == -1) {
		/* Out of memory: take the line back, the stream stays whole. */
		n->out.len -= (size_t)ll;
		return 0;
	}
	n->next_tag++;
	r = &n->pending[(n->p_head + n->p_count) % NET_PENDING_MAX];
	r->tag = tag;
	r->kind = kind;
	r->ctx = ctx;
	r->lines = 0;
	n->p_count++;
	return tag;
}

/* Queue one request line with a context pointer for its reply. */
unsigned long
net_request_ctx(struct net *n, int kind, void *ctx, const char *verb,
    const char *args)
{
	return net_queue(n, kind, ctx, verb, args, NULL, 0, false);
}

/* Visit the requests still waiting for their final reply. */
void
net_each_pending(struct net *n, void (*fn)(const struct net_req *, void *),
    void *arg)
{
	size_t i;

	for (i = 0; i < n->p_count; i++)
		fn(&n->pending[(n->p_head + i) % NET_PENDING_MAX], arg);
}

/* Write queued output until the socket would block. */
int
net_flush(struct net *n)
{
	ssize_t w;

	while (n->out.len > 0) {
		w = net_send(n, buf_head(&n->out), n->out.len);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			snprintf(n->error, sizeof(n->error), "write: %s",
			    strerror(errno));
			return -1;
		}
		buf_consume(&n->out, (size_t)w);
	}
	return 0;
}

/*
 * Find the pending request with this tag.  Replies come in the order of
 * the requests, so it is normally the head; the search is a safety net
 * against a confused server, not a feature.
 */
static struct net_req *
net_find(struct net *n, const char *tag, size_t *pos)
{
	long long v;
	size_t i;
	struct net_req *r;

	if (proto_parse_int(tag, 1, 0x7fffffffffffffffLL, &v) == -1)
		return NULL;
	for (i = 0; i < n->p_count; i++) {
		r = &n->pending[(n->p_head + i) % NET_PENDING_MAX];
		if (r->tag == (unsigned long)v) {
			*pos = i;
			return r;
		}
	}
	return NULL;
}

/* Remove the pending entry at FIFO position pos, keeping the order. */
static void
net_drop(struct net *n, size_t pos)
{
	size_t i;

	for (i = pos; i > 0; i--)
		n->pending[(n->p_head + i) % NET_PENDING_MAX] =
		    n->pending[(n->p_head + i - 1) % NET_PENDING_MAX];
	n->p_head = (n->p_head + 1) % NET_PENDING_MAX;
	n->p_count--;
}

/* Parse one line and hand it to the reply or the event callback. */
static void
net_dispatch(struct net *n, char *line)
{
	struct proto_msg msg;
	struct net_req req, *r;
	enum proto_err e;
	char sample[64];
	size_t pos;

	if ((e = proto_parse_msg(line, &msg)) != PROTO_OK) {
		proto_sanitize(sample, sizeof(sample), line, strlen(line));
		log_warnx("server line ignored (%s): %s", proto_strerror(e),
		    sample);
		return;
	}
	if (msg.kind == PROTO_MSG_EVENT || strcmp(msg.tag, "*") == 0) {
		n->on_event(n->arg, &msg);
		return;
	}
	if ((r = net_find(n, msg.tag, &pos)) == NULL) {
		log_warnx("reply with unknown tag %s ignored", msg.tag);
		return;
	}
	/* Copy first: the callback may queue requests and move the ring. */
	req = *r;
	r->lines++;
	if (msg.kind != PROTO_MSG_DATA)
		net_drop(n, pos);
	n->on_reply(n->arg, &req, &msg);
}

/*
 * Dispatch every complete frame in the input buffer.  Returns 0, or -1
 * when the stream can no longer be cut into lines.
 */
static int
net_process(struct net *n)
{
	char line[PROTO_LINE_MAX + 1];
	struct proto_frame f;
	enum proto_err e;
	int r;

	while (n->in.len > 0) {
		r = proto_frame(buf_head(&n->in), n->in.len, &f, &e);
		if (r == 0)
			return 0;
		if (r == -1) {
			snprintf(n->error, sizeof(n->error),
			    "broken stream from the server: %s",
			    proto_strerror(e));
			return -1;
		}
		/* proto_frame never gives a line over PROTO_LINE_MAX. */
		memcpy(line, buf_head(&n->in), f.line_len);
		line[f.line_len] = '\0';
		buf_consume(&n->in, f.total);
		net_dispatch(n, line);
	}
	return 0;
}

/* Read what the socket holds and dispatch every complete line. */
enum net_status
net_read(struct net *n)
{
	char chunk[NET_READ_CHUNK];
	size_t room;
	ssize_t r;
	int pass;

	/* Bytes TLS decrypted already are read on: poll() cannot see them. */
	for (pass = 0; pass < NET_READS_PER_PASS ||
	    (n->tls != NULL && net_tls_pending(n->tls)); pass++) {
		room = n->in.max - n->in.len;
		if (room > sizeof(chunk))
			room = sizeof(chunk);
		/* Cannot happen: a full buffer always holds a frame or an error. */
		if (room == 0) {
			snprintf(n->error, sizeof(n->error),
			    "input buffer full");
			return NET_ERROR;
		}
		r = net_recv(n, chunk, room);
		if (r == -1) {
			if (errno == EINTR)
				continue;	/* counts as a pass: bounded */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return NET_OK;
			snprintf(n->error, sizeof(n->error), "read: %s",
			    strerror(errno));
			return NET_ERROR;
		}
		if (r == 0) {
			/* Lines that came before the close still count. */
			if (net_process(n) == -1)
				return NET_ERROR;
			return NET_CLOSED;
		}
		if (buf_append(&n->in, chunk, (size_t)r) == -1) {
			snprintf(n->error, sizeof(n->error), "read: %s",
			    strerror(errno));
			return NET_ERROR;
		}
		if (net_process(n) == -1)
			return NET_ERROR;
	}
	return NET_OK;
}

/* Why the connection failed. */
const char *
net_error(const struct net *n)
{
	return n->error[0] != '\0' ? n->error : "connection closed";
}

/* Queue a request with a binary payload, all of it or nothing. */
unsigned long
net_request_blob(struct net *n, int kind, void *ctx, const char *verb,
    const char *args, const void *blob, size_t len)
{
	return net_queue(n, kind, ctx, verb, args, blob, len, true);
}

/* Bytes queued and not yet written. */
size_t
net_out_queued(const struct net *n)
{
	return n->out.len;
}
