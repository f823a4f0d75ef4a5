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
static int	 net_connect_one(const struct addrinfo *ai, int *err);
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

/*
 * Connect one address without blocking for longer than the timeout.
 * Returns the socket or -1 with *err set to an errno value.
 */
static int
net_connect_one(const struct addrinfo *ai, int *err)
{
	struct pollfd pfd;
	socklen_t len;
	int fd, r, soerr = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	if (net_set_nonblock(fd) == -1)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, NET_CONNECT_TIMEOUT_MS);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		goto fail;
	if (r == 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	len = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	*err = errno;
	close(fd);
	return -1;
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

/* Resolve host and port and connect to the first address that answers. */
int
net_connect(const char *host, const char *port, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, r, e = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s",
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = net_connect_one(ai, &e);
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "%s", strerror(e));
		return -1;
	}
	net_tls_refused = false;
	if (net_tls_opts != NULL) {
		net_tls_free(net_tls_fresh);	/* never taken by net_new() */
		net_tls_fresh = NULL;
		r = net_tls_connect(fd, host, port, net_tls_opts,
		    NET_CONNECT_TIMEOUT_MS, &net_tls_fresh, err, errlen);
		if (r != 0) {
			net_tls_refused = r == NET_TLS_REFUSED;
			close(fd);
			return -1;
		}
		net_tls_fresh_fd = fd;
	}
	return fd;
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
