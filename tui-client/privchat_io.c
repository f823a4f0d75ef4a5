/*
 * privchat_io.c - the table of private chats and their sockets: the
 * listening socket of the side that accepted and the connections
 * presenting themselves to it (the first that proves it holds the keys
 * wins), the connect of the side that asked, sealed lines in and out,
 * and the poll interface.  The commands and events that start and end
 * chats are privchat.c's, which calls in here (never the other way).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mono.h"
#include "app.h"
#include "buf.h"
#include "log.h"
#include "model.h"
#include "msgs.h"
#include "privchat.h"
#include "privchat_int.h"
#include "ask.h"
#include "privwire.h"
#include "proto.h"

static struct privchat	 privchat_chats[PRIVCHAT_MAX];


/* The chat with peer, or NULL. */
struct privchat *
privchat_find(const char *peer)
{
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (privchat_chats[i].st != PRIVCHAT_S_FREE &&
		    strcmp(privchat_chats[i].peer, peer) == 0)
			return &privchat_chats[i];
	return NULL;
}

/* A new chat with peer, or NULL (after saying so) when all are taken. */
struct privchat *
privchat_new(struct app *a, const char *peer, enum privchat_state st)
{
	struct privchat *c;
	int i, k;

	for (i = 0; i < PRIVCHAT_MAX; i++) {
		c = &privchat_chats[i];
		if (c->st != PRIVCHAT_S_FREE)
			continue;
		memset(c, 0, sizeof(*c));
		buf_init(&c->in, PRIVWIRE_FRAME_MAX);
		buf_init(&c->out, PRIVCHAT_OUT_MAX);
		c->st = st;
		c->lfd = c->fd = -1;
		for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
			c->cands[k].fd = -1;
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
		return c;
	}
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: %d private "
	    "chats are open already", PRIVCHAT_MAX);
	return NULL;
}

/* Close a chat's sockets and free it; the user panel forgets it. */
void
privchat_close(struct app *a, struct privchat *c)
{
	int k;

	if (c->lfd != -1)
		close(c->lfd);
	for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
		if (c->cands[k].fd != -1)
			close(c->cands[k].fd);
	if (c->fd != -1)
		close(c->fd);
	if (c->st == PRIVCHAT_S_ASKED)
		ask_cancel(a, c);
	model_private_set(app_model(a), c->peer, false);
	buf_free(&c->in);
	buf_free(&c->out);
	privwire_free(&c->w);
	explicit_bzero(c, sizeof(*c));
	c->lfd = c->fd = -1;
	for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
		c->cands[k].fd = -1;
}

/* A reply we only log (PRIVSTOP after the peer went). */
void
privchat_reply_quiet(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_ERR)
		log_debug("private chat: %s", msg->text);
}

/* The chat ended on our side: close and tell the server. */
void
privchat_end(struct app *a, struct privchat *c, bool tell_server)
{
	if (tell_server)
		app_send_hook(a, privchat_reply_quiet, NULL, PROTO_V_PRIVSTOP,
		    c->peer);
	privchat_close(a, c);
}

/* Connected and authenticated: the chat is open. */
void
privchat_open(struct app *a, struct privchat *c)
{
	c->st = PRIVCHAT_S_OPEN;
	model_private_set(app_model(a), c->peer, true);
	model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with %s "
	    "started; type: private %s TEXT", c->peer, c->peer);
}

/* A listening socket on an ephemeral port (both IPv6 and IPv4). */
int
privchat_listen(unsigned *port)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, off = 0;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_any;
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == -1) {
			close(fd);
			fd = -1;
		}
	}
	if (fd == -1) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_addr.s_addr = htonl(INADDR_ANY);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd == -1 || bind(fd, (struct sockaddr *)&s4,
		    sizeof(s4)) == -1)
			goto fail;
	}
	if (listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		goto fail;
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* Connect to the peer that accepted; the secret goes first. */
int
privchat_connect(struct privchat *c, const char *ip, const char *port,
    const char *self)
{
	struct addrinfo hints, *res = NULL;
	unsigned char first[PRIVCHAT_HELLO_MAX];
	size_t fl;
	int fd;

	if (privwire_init(&c->w, c->secret, true) == -1 ||
	    (fl = privwire_seal(&c->w, self, strlen(self), first)) == 0)
		return -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(ip, port, &hints, &res) != 0 || res == NULL)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || (connect(fd, res->ai_addr, res->ai_addrlen) == -1 &&
	    errno != EINPROGRESS)) {
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	c->fd = fd;
	return buf_append(&c->out, first, fl);
}

/* Drop a connection that did not authenticate. */
static void
privchat_cand_drop(struct privchat *c, struct privchat_cand *d,
    const char *why)
{
	log_warnx("private chat with %s: a connection %s was dropped", c->peer,
	    why);
	close(d->fd);
	d->fd = -1;
	d->len = 0;
}

/*
 * Read the first frame of a connection to our listening socket, no byte
 * past it (what follows is the chat's).  The first connection whose frame
 * opens under the answerer's key and names the peer becomes the chat.
 */
static void
privchat_read_cand(struct app *a, struct privchat *c,
    struct privchat_cand *d)
{
	char name[PRIVWIRE_TEXT_MAX + 1];
	size_t need, n;
	ssize_t r;
	int k;

	need = d->len < PRIVWIRE_HDR_LEN ? PRIVWIRE_HDR_LEN :
	    PRIVWIRE_HDR_LEN + ((size_t)d->buf[0] << 8 | d->buf[1]);
	if (need > sizeof(d->buf)) {
		privchat_cand_drop(c, d, "with an oversized first frame");
		return;
	}
	r = read(d->fd, d->buf + d->len, need - d->len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		privchat_cand_drop(c, d, "that closed before authenticating");
		return;
	}
	d->len += (size_t)r;
	if (d->len < need || d->len == PRIVWIRE_HDR_LEN)
		return;		/* more to come (or now the length is known) */
	k = privwire_open(&c->w, d->buf, d->len, name, &n);
	if (k > 0 && strcmp(name, c->peer) != 0)
		c->w.open_ctr = 0;	/* authentic, yet not the peer's */
	if (k <= 0 || strcmp(name, c->peer) != 0) {
		privchat_cand_drop(c, d, "that did not authenticate");
		return;
	}
	c->fd = d->fd;
	d->fd = -1;
	buf_consume(&c->in, c->in.len);
	for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
		if (c->cands[k].fd != -1) {
			close(c->cands[k].fd);
			c->cands[k].fd = -1;
		}
	close(c->lfd);
	c->lfd = -1;
	privchat_open(a, c);
}

/* Lines of text from the peer; false when the chat ended. */
static bool
privchat_read(struct app *a, struct privchat *c)
{
	struct model *m = app_model(a);
	char text[PRIVWIRE_TEXT_MAX + 1];
	unsigned char chunk[PRIVWIRE_FRAME_MAX];
	size_t n;
	ssize_t r;
	int k;

	/* No more than one frame is held: the rest waits in the socket. */
	r = read(c->fd, chunk, c->in.max - c->in.len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		r = -2;		/* nothing new; lines may wait already */
	else if (r <= 0) {
		model_add_line(m, MODEL_LINE_INFO, "Private chat with %s ended "
		    "(the connection closed)", c->peer);
		privchat_end(a, c, true);
		return false;
	} else
		buf_append(&c->in, chunk, (size_t)r);
	while ((k = privwire_open(&c->w, (unsigned char *)buf_head(&c->in),
	    c->in.len, text, &n)) > 0) {
		/* Text a terminal may show, as on the server's link. */
		if (!proto_valid_text(text, n)) {
			model_add_line(m, MODEL_LINE_ERROR, "Error: %s sent a "
			    "malformed private line; chat closed", c->peer);
			privchat_end(a, c, true);
			return false;
		}
		if (n > 0) {
			msgs_conv(m, '~', c->peer, false);
			model_add_line(m, MODEL_LINE_PRIVATE, "%s (private): %s",
			    c->peer, text);
		}
		buf_consume(&c->in, (size_t)k);
	}
	if (k == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a private frame from "
		    "%s did not authenticate (changed on the way?); chat "
		    "closed", c->peer);
		privchat_end(a, c, true);
		return false;
	}
	return true;
}

/* Write what is queued; false when the chat ended. */
static bool
privchat_write(struct app *a, struct privchat *c)
{
	ssize_t w;

	if (c->out.len == 0)
		return true;
	w = send(c->fd, buf_head(&c->out), c->out.len, MSG_NOSIGNAL);
	if (w == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (w <= 0) {
		model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with "
		    "%s ended (%s)", c->peer, strerror(errno));
		privchat_end(a, c, true);
		return false;
	}
	buf_consume(&c->out, (size_t)w);
	return true;
}

/* Descriptors to watch. */
int
privchat_poll_fill(struct pollfd *pfd, int max)
{
	int i, n = 0;

	for (i = 0; i < PRIVCHAT_MAX; i++) {
		struct privchat *c = &privchat_chats[i];
		int fds[PRIVCHAT_CAND_MAX + 2], k;

		if (c->st == PRIVCHAT_S_FREE)
			continue;
		fds[0] = c->fd;
		fds[1] = c->lfd;
		for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
			fds[k + 2] = c->cands[k].fd;
		for (k = 0; k < PRIVCHAT_CAND_MAX + 2 && n < max; k++) {
			if (fds[k] == -1)
				continue;
			pfd[n].fd = fds[k];
			pfd[n].events = POLLIN;
			if (k == 0 && (c->out.len > 0 ||
			    c->st == PRIVCHAT_S_CONNECTING))
				pfd[n].events |= POLLOUT;
			pfd[n].revents = 0;
			n++;
		}
	}
	return n;
}

/* Milliseconds to the next deadline; -1 for none. */
int
privchat_poll_timeout(void)
{
	int64_t now = mono_now_ms(), next = -1, d;
	int i, k;

	for (i = 0; i < PRIVCHAT_MAX; i++) {
		const struct privchat *c = &privchat_chats[i];

		/* A slot never used has fds 0, not -1 (static storage). */
		if (c->st == PRIVCHAT_S_FREE)
			continue;
		d = -1;
		if (c->st == PRIVCHAT_S_LISTEN ||
		    c->st == PRIVCHAT_S_CONNECTING)
			d = c->until_ms;
		for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
			if (c->cands[k].fd != -1 &&
			    (d == -1 || c->cands[k].until_ms < d))
				d = c->cands[k].until_ms;
		if (d != -1 && (next == -1 || d < next))
			next = d;
	}
	if (next == -1)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* The revents of fd in pfd, 0 when not there. */
static short
privchat_revents(const struct pollfd *pfd, int n, int fd)
{
	int i;

	if (fd == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (pfd[i].fd == fd)
			return pfd[i].revents;
	return 0;
}

/* Accept a connection to our listening socket; with every slot taken,
   the oldest candidate makes room (the real peer authenticates at once). */
static void
privchat_accept(struct privchat *c)
{
	struct privchat_cand *d = NULL;
	int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), k;

	if (fd == -1)
		return;
	for (k = 0; k < PRIVCHAT_CAND_MAX && d == NULL; k++)
		if (c->cands[k].fd == -1)
			d = &c->cands[k];
	if (d == NULL) {
		d = &c->cands[0];
		for (k = 1; k < PRIVCHAT_CAND_MAX; k++)
			if (c->cands[k].until_ms < d->until_ms)
				d = &c->cands[k];
		privchat_cand_drop(c, d, "(the oldest waiting, to make room)");
	}
	d->fd = fd;
	d->len = 0;
	d->until_ms = mono_now_ms() + PRIVCHAT_AUTH_MS;
}

/* Handle one chat after poll. */
static void
privchat_step(struct app *a, struct privchat *c, const struct pollfd *pfd,
    int n, int64_t now)
{
	short ev;
	int err = 0, k;
	socklen_t el = sizeof(err);

	for (k = 0; k < PRIVCHAT_CAND_MAX; k++)
		if (c->cands[k].fd != -1 && now > c->cands[k].until_ms)
			privchat_cand_drop(c, &c->cands[k],
			    "silent for too long");
	if ((c->st == PRIVCHAT_S_LISTEN || c->st == PRIVCHAT_S_CONNECTING) &&
	    now > c->until_ms) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: the "
		    "private chat with %s could not be connected", c->peer);
		privchat_end(a, c, true);
		return;
	}
	if (c->lfd != -1 && (privchat_revents(pfd, n, c->lfd) & POLLIN))
		privchat_accept(c);
	for (k = 0; k < PRIVCHAT_CAND_MAX && c->fd == -1; k++)
		if (c->cands[k].fd != -1 &&
		    privchat_revents(pfd, n, c->cands[k].fd) != 0)
			privchat_read_cand(a, c, &c->cands[k]);
	if (c->fd == -1 || (ev = privchat_revents(pfd, n, c->fd)) == 0)
		return;
	if (c->st == PRIVCHAT_S_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
		    err != 0) {
			model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: "
			    "cannot connect to %s for the private chat: %s",
			    c->peer, strerror(err ? err : errno));
			privchat_end(a, c, true);
			return;
		}
		privchat_open(a, c);
	}
	if ((ev & POLLOUT) && !privchat_write(a, c))
		return;
	if (ev & (POLLIN | POLLHUP | POLLERR))
		privchat_read(a, c);
}

/* Handle what poll found. */
void
privchat_poll_done(struct app *a, const struct pollfd *pfd, int n)
{
	int64_t now = mono_now_ms();
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (privchat_chats[i].st != PRIVCHAT_S_FREE)
			privchat_step(a, &privchat_chats[i], pfd, n, now);
}

/* Close everything. */
void
privchat_shutdown(struct app *a)
{
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (privchat_chats[i].st != PRIVCHAT_S_FREE)
			privchat_close(a, &privchat_chats[i]);
}

/* Chats in any state. */
int
privchat_count(void)
{
	int i, n = 0;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (privchat_chats[i].st != PRIVCHAT_S_FREE)
			n++;
	return n;
}
