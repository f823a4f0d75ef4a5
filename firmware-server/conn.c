/*
 * conn.c - connections: buffers, framing, writes and their lifetime.
 *
 * Handlers only queue output; conn_pass_end() flushes every connection
 * that has something queued once per loop pass and arms POLLOUT only for
 * what the kernel did not take (Redis' handleClientsWithPendingWrites).
 * A connection is never freed inside its own callbacks: conn_close() marks
 * it and conn_pass_end() frees it, after telling the owner.
 *
 * A reply that acknowledges stored data is held (conn_hold()) until the
 * store's generation with that data is on disk; output queued after it
 * waits too, so the stream keeps its order.  Positions are counted in
 * bytes queued since the connection opened.
 */
#include <sys/queue.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conn.h"
#include "log.h"
#include "tls.h"

/* Fields ordered to leave no padding: one is held per client. */
struct conn {
	int			 fd;
	int			 nholds;
	struct loop		*loop;
	struct buf		 in;
	struct buf		 out;
	struct tls		*tls;		/* NULL: plain TCP */
	const struct conn_ops	*ops;
	void			*owner;
	const char		*reason;
	uint64_t		 sent;		/* bytes sent so far */
	struct {
		uint64_t	 from;		/* first byte held */
		uint64_t	 gen;		/* the generation it waits for */
	}			 holds[CONN_HOLDS];
	conn_fill_fn		*fill;		/* a reply being streamed */
	conn_done_fn		*fill_done;
	void			*fill_arg;
	TAILQ_ENTRY(conn)	 dirty_entry;
	TAILQ_ENTRY(conn)	 held_entry;
	TAILQ_ENTRY(conn)	 all_entry;
	bool			 closing;
	bool			 dead;		/* write failed: drop output */
	bool			 dirty;		/* on the dirty list */
	bool			 held;		/* on the held list */
	bool			 filled;	/* fill() queued the last part */
	bool			 waiting;	/* conn_wait(): no frames for now */
	char			 ip[INET6_ADDRSTRLEN];
};

static TAILQ_HEAD(, conn) conn_dirty = TAILQ_HEAD_INITIALIZER(conn_dirty);
static TAILQ_HEAD(, conn) conn_all = TAILQ_HEAD_INITIALIZER(conn_all);
static TAILQ_HEAD(, conn) conn_held = TAILQ_HEAD_INITIALIZER(conn_held);
static uint64_t		 conn_gen_done;	/* generations on disk */
static size_t		 conn_out_total;	/* output queued, all connections */
static size_t		 conn_out_budget;	/* its limit; 0: none */

static void	conn_io(int fd, short revents, void *arg);

/* Put c on the list that conn_pass_end() visits. */
static void
conn_mark_dirty(struct conn *c)
{
	if (!c->dirty) {
		c->dirty = true;
		TAILQ_INSERT_TAIL(&conn_dirty, c, dirty_entry);
	}
}

/* Take a connected socket. */
struct conn *
conn_new(struct loop *l, int fd, const struct sockaddr *sa, size_t out_limit,
    const struct conn_ops *ops, void *owner)
{
	struct conn *c;
	int on = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	/* Every write is a whole pass's output: Nagle would only delay it. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->fd = fd;
	c->loop = l;
	c->ops = ops;
	c->owner = owner;
	buf_init(&c->in, CONN_IN_MAX);
	buf_init(&c->out, out_limit);
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], c->ip,
			    sizeof(c->ip));
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, c->ip, sizeof(c->ip));
	} else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    c->ip, sizeof(c->ip));
	if (loop_add(l, fd, POLLIN, conn_io, c) == -1) {
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&conn_all, c, all_entry);
	return c;
}

/*
 * Speak TLS on c from now on (a connection of the TLS listener, before
 * any byte was read or written).  The input buffer grows by one record,
 * so that a record always fits while a frame is incomplete.
 */
int
conn_tls_start(struct conn *c)
{
	if ((c->tls = tls_new(c->fd)) == NULL)
		return -1;
	c->in.max += TLS_RECORD_MAX;
	return 0;
}

/* recv() or its TLS equivalent. */
static ssize_t
conn_recv(struct conn *c, void *p, size_t len)
{
	if (c->tls != NULL)
		return tls_read(c->tls, p, len);
	return recv(c->fd, p, len, 0);
}

/* send() or its TLS equivalent. */
static ssize_t
conn_send(struct conn *c, const void *p, size_t len)
{
	if (c->tls != NULL)
		return tls_write(c->tls, p, len);
	return send(c->fd, p, len, MSG_NOSIGNAL);
}

/* The peer's address. */
const char *
conn_ip(const struct conn *c)
{
	return c->ip;
}

/* True once conn_close() was called. */
bool
conn_closing(const struct conn *c)
{
	return c->closing;
}

/* Bytes of output waiting. */
size_t
conn_pending(const struct conn *c)
{
	return c->out.len;
}

/* Mark c closing; it is freed in conn_pass_end(). */
void
conn_close(struct conn *c, const char *reason)
{
	if (!c->closing) {
		c->closing = true;
		c->reason = reason;
	}
	/* Before the TLS handshake is over nothing queued can be sent. */
	if (c->tls != NULL && tls_handshaking(c->tls))
		c->dead = true;
	conn_mark_dirty(c);
}

/* The output limit was reached: the policy is to close the connection. */
static void
conn_overflow(struct conn *c)
{
	log_warnx("%s: output queue over %zu bytes, closing the connection",
	    c->ip, c->out.max);
	c->dead = true;
	conn_close(c, "output limit reached");
}

/* Limit the output queued for all connections together. */
void
conn_set_budget(size_t bytes)
{
	conn_out_budget = bytes;
}

/* Bytes of output queued for all connections. */
size_t
conn_out_queued(void)
{
	return conn_out_total;
}

/*
 * True when queueing len more bytes for c would break the global budget.
 * Only a connection with more than CONN_OUT_PAUSE queued (one that is not
 * reading) pays; the others' replies still go out.
 */
static bool
conn_over_budget(const struct conn *c, size_t len)
{
	return conn_out_budget > 0 && conn_out_total + len > conn_out_budget &&
	    c->out.len + len > CONN_OUT_PAUSE;
}

/* Queue bytes as they are. */
int
conn_write(struct conn *c, const char *p, size_t len)
{
	if (c->closing && c->dead)
		return -1;
	if (conn_over_budget(c, len)) {
		log_warnx("%s: output of all clients over %zu bytes, closing "
		    "this one (%zu bytes waiting)", c->ip, conn_out_budget,
		    c->out.len);
		c->dead = true;
		conn_close(c, "output budget reached");
		return -1;
	}
	if (buf_append(&c->out, p, len) == -1) {
		conn_overflow(c);
		return -1;
	}
	conn_out_total += len;
	conn_mark_dirty(c);
	return 0;
}

/* Queue formatted output. */
int
conn_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char small[512], *big;
	int n, r;

	if (c->closing && c->dead)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return conn_write(c, small, (size_t)n);
	if ((big = malloc((size_t)n + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = conn_write(c, big, (size_t)n);
	free(big);
	return r;
}

/* Queue a line made of up to three parts (NULL parts are skipped). */
int
conn_line(struct conn *c, const char *a, const char *b, const char *d)
{
	return conn_printf(c, "%s%s%s\n", a, b ? b : "", d ? d : "");
}

/* Bytes queued since the connection opened. */
uint64_t
conn_queued(const struct conn *c)
{
	return c->sent + c->out.len;
}

/* Hold what was queued from byte from on until generation gen is done. */
void
conn_hold(struct conn *c, uint64_t from, uint64_t gen)
{
	if (gen <= conn_gen_done || from >= conn_queued(c) || c->dead)
		return;
	if (c->nholds > 0 && c->holds[c->nholds - 1].gen >= gen)
		return;			/* an earlier hold covers it */
	if (c->nholds == CONN_HOLDS)
		c->holds[c->nholds - 1].gen = gen;	/* wait longer */
	else {
		c->holds[c->nholds].from = from;
		c->holds[c->nholds].gen = gen;
		c->nholds++;
	}
	if (!c->held) {
		c->held = true;
		TAILQ_INSERT_TAIL(&conn_held, c, held_entry);
	}
}

/* Generations up to gen are on disk: what waited for them may go. */
void
conn_release(uint64_t gen)
{
	struct conn *c;

	if (gen <= conn_gen_done)
		return;
	conn_gen_done = gen;
	TAILQ_FOREACH(c, &conn_held, held_entry)
		if (c->holds[0].gen <= gen)
			conn_mark_dirty(c);
}

/* Bytes that may be sent now: all, or those before the first hold. */
static size_t
conn_sendable(struct conn *c)
{
	uint64_t lim;
	int i;

	for (i = 0; i < c->nholds && c->holds[i].gen <= conn_gen_done; i++)
		;
	if (i > 0) {
		memmove(c->holds, c->holds + i,
		    (size_t)(c->nholds - i) * sizeof(c->holds[0]));
		c->nholds -= i;
	}
	if (c->nholds == 0) {
		if (c->held) {
			c->held = false;
			TAILQ_REMOVE(&conn_held, c, held_entry);
		}
		return c->out.len;
	}
	lim = c->holds[0].from - c->sent;
	return lim < c->out.len ? (size_t)lim : c->out.len;
}

/* Write what the socket takes; false when the peer is gone. */
static bool
conn_flush(struct conn *c)
{
	size_t len;
	ssize_t n;

	while ((len = conn_sendable(c)) > 0 && !c->dead) {
		n = conn_send(c, buf_head(&c->out), len);
		if (n > 0) {
			buf_consume(&c->out, (size_t)n);
			conn_out_total -= (size_t)n;
			c->sent += (uint64_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n == -1 && errno == EINTR)
			continue;
		c->dead = true;
		if (!c->closing)
			conn_close(c, c->tls ? tls_error(c->tls) : "write error");
		return false;
	}
	return !c->dead;
}

/* Hand every complete frame in the input buffer to the owner. */
static void
conn_frames(struct conn *c)
{
	struct proto_frame f;
	enum proto_err err;
	char *head;
	int r;

	while (!c->closing && c->fill == NULL && !c->waiting &&
	    c->out.len < CONN_OUT_PAUSE && c->in.len > 0) {
		head = buf_head(&c->in);
		r = proto_frame(head, c->in.len, &f, &err);
		if (r == 0)
			break;
		if (r == -1) {
			c->ops->broken(c->owner, err);
			conn_close(c, "broken stream");
			break;
		}
		head[f.line_len] = '\0';
		c->ops->frame(c->owner, head, f.line_len,
		    f.blob_len ? head + f.blob_off : NULL, f.blob_len);
		buf_consume(&c->in, f.total);
	}
}

/* Read what the socket has and process it. */
static void
conn_read(struct conn *c)
{
	static char scratch[CONN_IN_MAX + TLS_RECORD_MAX];
	size_t room = c->in.max - c->in.len;
	ssize_t n;

	if (room == 0)
		return;
	if (room > sizeof(scratch))
		room = sizeof(scratch);
	n = conn_recv(c, scratch, room);
	if (n == 0) {
		/* Replies already queued still go out if the peer only
		   half-closed (nc -N); a full close makes the write fail. */
		conn_close(c, "connection closed by peer");
		return;
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		c->dead = true;
		conn_close(c, c->tls ? tls_error(c->tls) : "read error");
		return;
	}
	if (buf_append(&c->in, scratch, (size_t)n) == -1) {
		/* Cannot happen: room was checked. */
		conn_close(c, "input overflow");
		return;
	}
	conn_frames(c);
	conn_mark_dirty(c);
	/* A TLS record bigger than the room left part of it in the engine,
	   where poll() cannot see it. */
	if (c->tls != NULL && !c->closing && tls_pending(c->tls) &&
	    c->in.len < c->in.max)
		conn_read(c);
}

/* The loop's callback. */
static void
conn_io(int fd, short revents, void *arg)
{
	struct conn *c = arg;

	if (c->closing)
		return;
	/* The TLS engine waits on its own (handshake): drive both ways. */
	if (c->tls != NULL && tls_handshaking(c->tls))
		revents |= POLLIN | POLLOUT;
	/* Output first (only what no hold keeps back); replies to the
	   requests read below wait for conn_pass_end(). */
	if (revents & POLLOUT) {
		/* A KeyUpdate the TLS layer owes goes even with no output. */
		if (c->tls != NULL && tls_flush(c->tls) == -1 &&
		    errno != EAGAIN) {
			c->dead = true;
			conn_close(c, tls_error(c->tls));
			return;
		}
		conn_flush(c);
		/* Requests held back while output was queued go on now. */
		conn_frames(c);
		conn_mark_dirty(c);
		if (c->tls != NULL && tls_pending(c->tls))
			revents |= POLLIN;
	}
	if (!c->closing && (revents & (POLLIN | POLLHUP | POLLERR)))
		conn_read(c);
}

/* True when the input buffer holds a whole frame. */
static bool
conn_has_frame(const struct conn *c)
{
	struct proto_frame f;
	enum proto_err err;

	return c->in.len > 0 &&
	    proto_frame(buf_head(&c->in), c->in.len, &f, &err) != 0;
}

/* Hold the next requests while a reply is worked out elsewhere. */
void
conn_wait(struct conn *c, bool on)
{
	c->waiting = on;
	conn_mark_dirty(c);	/* conn_pass_end() resumes the frames */
}

/* Start streaming a long reply. */
void
conn_stream(struct conn *c, conn_fill_fn *fill, conn_done_fn *done,
    void *arg)
{
	c->fill = fill;
	c->fill_done = done;
	c->fill_arg = arg;
	c->filled = false;
	conn_mark_dirty(c);
}

/* The stream is over: sent whole, or cut short by the close. */
static void
conn_stream_end(struct conn *c, bool sent)
{
	conn_done_fn *done = c->fill_done;

	c->fill = NULL;
	c->fill_done = NULL;
	if (done != NULL)
		done(c->fill_arg, sent);
}

/* Queue stream lines while less than this is queued: a line is at most
   PROTO_LINE_MAX, so the smallest output limit is never reached. */
static size_t
conn_stream_room(const struct conn *c)
{
	return c->out.max / 2 < CONN_OUT_PAUSE ? c->out.max / 2 :
	    CONN_OUT_PAUSE;
}

/* Queue more of the stream while there is room, then send. */
static void
conn_stream_run(struct conn *c)
{
	/* Writes from fill() must not put c back on the dirty list that
	   conn_pass_end() is walking. */
	c->dirty = true;
	while (!c->filled && !c->closing && c->out.len < conn_stream_room(c))
		c->filled = c->fill(c, c->fill_arg);
	c->dirty = false;
	conn_flush(c);
	if (c->filled && c->out.len == 0 && !c->closing)
		conn_stream_end(c, true);
}

/* Free c after telling its owner. */
static void
conn_destroy(struct conn *c)
{
	if (c->fill != NULL)
		conn_stream_end(c, false);
	if (c->dirty)
		TAILQ_REMOVE(&conn_dirty, c, dirty_entry);
	if (c->held)
		TAILQ_REMOVE(&conn_held, c, held_entry);
	TAILQ_REMOVE(&conn_all, c, all_entry);
	loop_del(c->loop, c->fd);
	if (!c->dead)
		tls_shutdown(c->tls);
	close(c->fd);
	c->ops->closed(c->owner, c->reason ? c->reason : "closed");
	conn_out_total -= c->out.len;
	tls_free(c->tls);	/* after closed(): the reason may be its text */
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/*
 * Send what may go now (not what a hold keeps back) before the pass's
 * disk work: a message's delivery to other users does not wait for the
 * store's write() and the sync's submission, only the sender's reply
 * waits for the disk.  conn_pass_end() does the rest.
 */
void
conn_send_ready(void)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conn_dirty, dirty_entry)
		if (c->fill == NULL && !c->dead)
			conn_flush(c);
}

/* Flush, update poll interest, free what is done. */
void
conn_pass_end(void)
{
	struct conn *c;
	short ev;
	bool frame;

	while ((c = TAILQ_FIRST(&conn_dirty)) != NULL) {
		TAILQ_REMOVE(&conn_dirty, c, dirty_entry);
		c->dirty = false;
		if (c->fill != NULL && !c->closing)
			conn_stream_run(c);
		else
			conn_flush(c);
		if (c->closing && (c->dead || c->out.len == 0)) {
			conn_destroy(c);
			continue;
		}
		/*
		 * Poll interest from buffer state: no POLLIN while a whole
		 * frame waits (output is over CONN_OUT_PAUSE) or while
		 * closing; POLLOUT while output waits, and also when a held
		 * frame can go on now, since a writable socket reports
		 * POLLOUT at once and conn_io() then resumes the frames.
		 * Held output alone does not ask for POLLOUT: conn_release()
		 * brings the connection back here.  A stream with room asks
		 * for POLLOUT to be resumed.
		 */
		frame = !c->closing && conn_has_frame(c);
		ev = 0;
		if (!c->closing && !frame)
			ev |= POLLIN;
		if (conn_sendable(c) > 0 ||
		    (frame && !c->waiting && c->out.len < CONN_OUT_PAUSE) ||
		    (c->fill != NULL && !c->filled &&
		    c->out.len < conn_stream_room(c)))
			ev |= POLLOUT;
		if (c->tls != NULL && !c->closing)
			ev = tls_poll(c->tls, ev);
		loop_mod(c->loop, c->fd, ev);
	}
}

/* Close everything now. */
void
conn_close_all(const char *reason)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&conn_all)) != NULL) {
		conn_close(c, reason);
		conn_flush(c);
		conn_destroy(c);
	}
}
