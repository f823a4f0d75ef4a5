/*
 * privchat.c - private chats over direct TCP connections.
 *
 *   requester                    server                    asked
 *   PRIVREQ bob        ->                  -> * PRIVASK alice SECRET
 *                                             (y/n question)
 *                                          <- PRIVANSWER alice yes PORT
 *   * PRIVREPLY bob yes IP PORT SECRET <-     (listening on PORT)
 *   connect IP:PORT, send the frame "alice" sealed ------------------->
 *   lines of text both ways, one sealed frame each (privwire.h) ------>
 *
 * The secret itself never crosses the direct connection: both sides
 * derive keys from it, and the requester's first frame (its name, sealed)
 * proves it holds them.  The listener keeps up to PC_CAND_MAX connections
 * presenting themselves at once (the oldest is dropped for a new one) and
 * takes the first that authenticates, so a stranger who connects first,
 * silent or not, neither learns anything nor keeps the real peer out.
 *
 * stopprivate closes the connection and tells the server (PRIVSTOP), which
 * tells the peer (* PRIVEND); logout, idle timeout or a lost connection of
 * either side makes the server send * PRIVEND too, so the peer learns even
 * if the direct connection lingers.  Whichever notice comes first ends the
 * chat; later ones find nothing and are ignored.
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
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "app.h"
#include "ask.h"
#include "log.h"
#include "model.h"
#include "msgs.h"
#include "privchat.h"
#include "privwire.h"
#include "proto.h"

enum pc_state {
	PC_FREE = 0,
	PC_ASKING,	/* we asked; waiting for * PRIVREPLY */
	PC_ASKED,	/* they asked; the question is on the input line */
	PC_LISTEN,	/* we accepted; waiting for their connection */
	PC_CONNECTING,	/* they accepted; we connect */
	PC_OPEN,	/* talking */
};

#define PC_CAND_MAX	4	/* connections presenting themselves at once */
#define PC_HELLO_MAX	(PRIVWIRE_HDR_LEN + PROTO_USER_MAX + PRIVWIRE_TAG_LEN)

/* A connection to our listening socket that has not authenticated yet. */
struct pc_cand {
	int		 fd;		/* -1: slot free */
	int64_t		 until_ms;	/* must authenticate by then */
	unsigned char	 buf[PC_HELLO_MAX];	/* its first frame so far */
	size_t		 len;
};

struct pc {
	enum pc_state	 st;
	char		 peer[PROTO_USER_MAX + 1];
	char		 secret[PROTO_SECRET_HEX + 1];
	struct privwire	 w;		/* keys and frame counters */
	int		 lfd;		/* listening socket (PC_LISTEN) */
	struct pc_cand	 cands[PC_CAND_MAX];
	int		 fd;		/* the chat's connection */
	int64_t		 until_ms;	/* LISTEN / CONNECTING deadline */
	unsigned char	 in[PRIVWIRE_FRAME_MAX];	/* sealed frames */
	size_t		 inlen;
	char		*out;		/* PRIVCHAT_OUT_MAX when open */
	size_t		 outlen;
};

static struct pc	 pc_chats[PRIVCHAT_MAX];

/* The chat with peer, or NULL. */
static struct pc *
pc_find(const char *peer)
{
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (pc_chats[i].st != PC_FREE &&
		    strcmp(pc_chats[i].peer, peer) == 0)
			return &pc_chats[i];
	return NULL;
}

/* A new chat with peer, or NULL (after saying so) when all are taken. */
static struct pc *
pc_new(struct app *a, const char *peer, enum pc_state st)
{
	int i, k;

	for (i = 0; i < PRIVCHAT_MAX; i++) {
		if (pc_chats[i].st != PC_FREE)
			continue;
		memset(&pc_chats[i], 0, sizeof(pc_chats[i]));
		pc_chats[i].st = st;
		pc_chats[i].lfd = pc_chats[i].fd = -1;
		for (k = 0; k < PC_CAND_MAX; k++)
			pc_chats[i].cands[k].fd = -1;
		snprintf(pc_chats[i].peer, sizeof(pc_chats[i].peer), "%s", peer);
		return &pc_chats[i];
	}
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: %d private "
	    "chats are open already", PRIVCHAT_MAX);
	return NULL;
}

/* Close a chat's sockets and free it; the user panel forgets it. */
static void
pc_close(struct app *a, struct pc *c)
{
	int k;

	if (c->lfd != -1)
		close(c->lfd);
	for (k = 0; k < PC_CAND_MAX; k++)
		if (c->cands[k].fd != -1)
			close(c->cands[k].fd);
	if (c->fd != -1)
		close(c->fd);
	if (c->st == PC_ASKED)
		ask_cancel(a, c);
	model_private_set(app_model(a), c->peer, false);
	free(c->out);
	privwire_free(&c->w);
	explicit_bzero(c, sizeof(*c));
	c->lfd = c->fd = -1;
	for (k = 0; k < PC_CAND_MAX; k++)
		c->cands[k].fd = -1;
}

/* A reply we only log (PRIVSTOP after the peer went). */
static void
pc_reply_quiet(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_ERR)
		log_debug("private chat: %s", msg->text);
}

/* The chat ended on our side: close and tell the server. */
static void
pc_end(struct app *a, struct pc *c, bool tell_server)
{
	if (tell_server)
		app_send_hook(a, pc_reply_quiet, NULL, PROTO_V_PRIVSTOP,
		    c->peer);
	pc_close(a, c);
}

/* Connected and authenticated: the chat is open. */
static void
pc_open(struct app *a, struct pc *c)
{
	c->st = PC_OPEN;
	model_private_set(app_model(a), c->peer, true);
	model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with %s "
	    "started; type: private %s TEXT", c->peer, c->peer);
}

/* Queue bytes to the peer; -1 when they do not fit. */
static int
pc_queue(struct pc *c, const char *s, size_t n)
{
	if (c->out == NULL && (c->out = malloc(PRIVCHAT_OUT_MAX)) == NULL)
		return -1;
	if (n > PRIVCHAT_OUT_MAX - c->outlen)
		return -1;
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
	return 0;
}

/* Reply to PRIVREQ: shown; an error frees the chat. */
static void
pc_reply_req(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct pc *c = pc_find(arg);

	if (msg->kind == PROTO_MSG_DATA)
		return;
	app_show_reply(a, msg);
	if (msg->kind == PROTO_MSG_ERR && c != NULL && c->st == PC_ASKING)
		pc_close(a, c);
}

/* startprivate USER */
void
privchat_do_start(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	struct pc *c;

	if (!proto_valid_user(argv[0])) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: no such user: %.40s",
		    argv[0]);
		return;
	}
	if (strcmp(argv[0], model_self(m)) == 0) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: you cannot chat "
		    "privately with yourself");
		return;
	}
	if (pc_find(argv[0]) != NULL) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a private chat with "
		    "%s is open or being set up already", argv[0]);
		return;
	}
	if ((c = pc_new(a, argv[0], PC_ASKING)) == NULL)
		return;
	/* The hook finds the chat by name: the peer string lives in c. */
	if (app_send_hook(a, pc_reply_req, c->peer, PROTO_V_PRIVREQ,
	    argv[0]) == -1)
		pc_close(a, c);
}

/* private USER TEXT */
void
privchat_do_send(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	struct pc *c = pc_find(argv[0]);
	const char *t = argv[1];
	unsigned char frame[PRIVWIRE_FRAME_MAX];
	size_t n = strlen(t), fl;

	if (c == NULL || c->st == PC_ASKED) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: no private chat with "
		    "%.40s (start one with startprivate %.40s)", argv[0],
		    argv[0]);
		return;
	}
	if (c->st != PC_OPEN) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: the private chat "
		    "with %s is not connected yet", c->peer);
		return;
	}
	if (n > PROTO_TEXT_MAX) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a message is at most "
		    "%d bytes", PROTO_TEXT_MAX);
		return;
	}
	/* Room first: a sealed frame must go out, or its number is lost. */
	if (c->outlen + PRIVWIRE_HDR_LEN + n + PRIVWIRE_TAG_LEN >
	    PRIVCHAT_OUT_MAX) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s is not reading "
		    "the private chat; message not sent", c->peer);
		return;
	}
	if ((fl = privwire_seal(&c->w, t, n, frame)) == 0 ||
	    pc_queue(c, (const char *)frame, fl) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: cannot seal the "
		    "private message; chat closed");
		pc_end(a, c, true);
		return;
	}
	msgs_conv(m, '~', c->peer, true);
	model_add_line(m, MODEL_LINE_NORMAL, "to %s (private): %s", c->peer, t);
}

/* stopprivate USER */
void
privchat_do_stop(struct app *a, int argc, char **argv)
{
	struct pc *c = pc_find(argv[0]);

	if (c == NULL || c->st == PC_ASKED) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: no private "
		    "chat with %.40s", argv[0]);
		return;
	}
	model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with %s "
	    "stopped", c->peer);
	pc_end(a, c, true);
}

/* A listening socket on an ephemeral port (both IPv6 and IPv4). */
static int
pc_listen(unsigned *port)
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

/* Reply to PRIVANSWER: shown; an error ends the chat. */
static void
pc_reply_answer(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct pc *c = pc_find(arg);

	if (msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		app_show_reply(a, msg);
		if (c != NULL && c->st == PC_LISTEN)
			pc_close(a, c);
		return;
	}
	if (c != NULL && c->st == PC_LISTEN)
		model_add_line(app_model(a), MODEL_LINE_INFO, "%s; waiting for "
		    "%s to connect", msg->text, c->peer);
}

/* The answer to "chat privately? (y/n)". */
static void
pc_answer(struct app *a, void *arg, bool yes)
{
	struct pc *c = arg;
	char args[PROTO_USER_MAX + 32], peer[PROTO_USER_MAX + 1];
	unsigned port;

	if (c->st != PC_ASKED)
		return;
	snprintf(peer, sizeof(peer), "%s", c->peer);
	if (!yes) {
		snprintf(args, sizeof(args), "%s no", peer);
		c->st = PC_LISTEN;	/* not ASKED: no question to cancel */
		pc_close(a, c);
		app_send_hook(a, pc_reply_quiet, NULL, PROTO_V_PRIVANSWER, args);
		model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with "
		    "%s declined", peer);
		return;
	}
	if (privwire_init(&c->w, c->secret, false) == -1 ||
	    (c->lfd = pc_listen(&port)) == -1) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: cannot "
		    "listen for the private chat: %s", strerror(errno));
		snprintf(args, sizeof(args), "%s no", peer);
		c->st = PC_LISTEN;
		pc_close(a, c);
		app_send_hook(a, pc_reply_quiet, NULL, PROTO_V_PRIVANSWER, args);
		return;
	}
	c->st = PC_LISTEN;
	c->until_ms = mono_now_ms() + PRIVCHAT_CONNECT_MS;
	snprintf(args, sizeof(args), "%s yes %u", peer, port);
	app_send_hook(a, pc_reply_answer, c->peer, PROTO_V_PRIVANSWER, args);
}

/* Connect to the peer that accepted; the secret goes first. */
static int
pc_connect(struct pc *c, const char *ip, const char *port, const char *self)
{
	struct addrinfo hints, *res = NULL;
	unsigned char first[PC_HELLO_MAX];
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
	return pc_queue(c, (const char *)first, fl);
}

/* "* PRIVREPLY USER yes IP PORT SECRET" or "* PRIVREPLY USER no". */
static void
pc_event_reply(struct app *a, char *text)
{
	struct model *m = app_model(a);
	struct pc *c;
	char *w[5];
	int n = proto_split(text, w, 5, false);

	if (n < 2 || (c = pc_find(w[0])) == NULL || c->st != PC_ASKING)
		return;
	if (strcmp(w[1], "yes") != 0 || n != 5 ||
	    strlen(w[4]) != PROTO_SECRET_HEX) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s declined the "
		    "private chat", c->peer);
		pc_close(a, c);
		return;
	}
	snprintf(c->secret, sizeof(c->secret), "%s", w[4]);
	if (pc_connect(c, w[2], w[3], model_self(m)) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: cannot connect to %s "
		    "for the private chat: %s", c->peer, strerror(errno));
		pc_end(a, c, true);
		return;
	}
	c->st = PC_CONNECTING;
	c->until_ms = mono_now_ms() + PRIVCHAT_CONNECT_MS;
	model_add_line(m, MODEL_LINE_INFO, "%s accepted the private chat; "
	    "connecting", c->peer);
}

/* How a PRIVEND reason reads. */
static const char *
pc_reason(const char *r)
{
	if (strcmp(r, "stopped") == 0)
		return "stopped it";
	if (strcmp(r, "logout") == 0)
		return "logged out";
	if (strcmp(r, "timeout") == 0)
		return "was logged out after the idle timeout";
	if (strcmp(r, "lost") == 0)
		return "lost the connection to the server";
	return "left";
}

/* PRIVASK, PRIVREPLY, PRIVEND. */
bool
privchat_event(struct app *a, const char *name, char *text)
{
	struct model *m = app_model(a);
	char q[PROTO_USER_MAX + 96], *w[2];
	struct pc *c;

	if (strcmp(name, PROTO_EV_PRIVREPLY) == 0) {
		pc_event_reply(a, text);
		return true;
	}
	if (strcmp(name, PROTO_EV_PRIVASK) == 0) {
		if (proto_split(text, w, 2, false) != 2 ||
		    !proto_valid_user(w[0]) ||
		    strlen(w[1]) != PROTO_SECRET_HEX || pc_find(w[0]) != NULL ||
		    (c = pc_new(a, w[0], PC_ASKED)) == NULL)
			return true;
		snprintf(c->secret, sizeof(c->secret), "%s", w[1]);
		snprintf(q, sizeof(q), "%s wants to chat privately. Accept? "
		    "(y/n)", c->peer);
		ask_push(a, q, "Private chat? (y/n)", pc_answer, c);
		return true;
	}
	if (strcmp(name, PROTO_EV_PRIVEND) == 0) {
		if (proto_split(text, w, 2, true) < 1 ||
		    (c = pc_find(w[0])) == NULL)
			return true;
		if (c->st == PC_ASKED)
			model_add_line(m, MODEL_LINE_INFO, "%s withdrew the "
			    "private chat request", c->peer);
		else
			model_add_line(m, MODEL_LINE_INFO, "Private chat with %s "
			    "ended (%s %s)", c->peer, c->peer,
			    pc_reason(w[1] != NULL ? w[1] : ""));
		pc_close(a, c);
		return true;
	}
	return false;
}

/* Drop a connection that did not authenticate. */
static void
pc_cand_drop(struct pc *c, struct pc_cand *d, const char *why)
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
pc_read_cand(struct app *a, struct pc *c, struct pc_cand *d)
{
	char name[PRIVWIRE_TEXT_MAX + 1];
	size_t need, n;
	ssize_t r;
	int k;

	need = d->len < PRIVWIRE_HDR_LEN ? PRIVWIRE_HDR_LEN :
	    PRIVWIRE_HDR_LEN + ((size_t)d->buf[0] << 8 | d->buf[1]);
	if (need > sizeof(d->buf)) {
		pc_cand_drop(c, d, "with an oversized first frame");
		return;
	}
	r = read(d->fd, d->buf + d->len, need - d->len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		pc_cand_drop(c, d, "that closed before authenticating");
		return;
	}
	d->len += (size_t)r;
	if (d->len < need || d->len == PRIVWIRE_HDR_LEN)
		return;		/* more to come (or now the length is known) */
	k = privwire_open(&c->w, d->buf, d->len, name, &n);
	if (k > 0 && strcmp(name, c->peer) != 0)
		c->w.open_ctr = 0;	/* authentic, yet not the peer's */
	if (k <= 0 || strcmp(name, c->peer) != 0) {
		pc_cand_drop(c, d, "that did not authenticate");
		return;
	}
	c->fd = d->fd;
	d->fd = -1;
	c->inlen = 0;
	for (k = 0; k < PC_CAND_MAX; k++)
		if (c->cands[k].fd != -1) {
			close(c->cands[k].fd);
			c->cands[k].fd = -1;
		}
	close(c->lfd);
	c->lfd = -1;
	pc_open(a, c);
}

/* Lines of text from the peer; false when the chat ended. */
static bool
pc_read(struct app *a, struct pc *c)
{
	struct model *m = app_model(a);
	char text[PRIVWIRE_TEXT_MAX + 1];
	size_t n;
	ssize_t r;
	int k;

	r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		r = -2;		/* nothing new; lines may wait already */
	else if (r <= 0) {
		model_add_line(m, MODEL_LINE_INFO, "Private chat with %s ended "
		    "(the connection closed)", c->peer);
		pc_end(a, c, true);
		return false;
	} else
		c->inlen += (size_t)r;
	while ((k = privwire_open(&c->w, c->in, c->inlen, text, &n)) > 0) {
		if (!proto_valid_utf8(text, n) || strlen(text) != n ||
		    strcspn(text, "\t\n\r\x01\x02\x03\x04\x05\x06\x07\x08"
		    "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
		    "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") != n) {
			model_add_line(m, MODEL_LINE_ERROR, "Error: %s sent a "
			    "malformed private line; chat closed", c->peer);
			pc_end(a, c, true);
			return false;
		}
		if (n > 0) {
			msgs_conv(m, '~', c->peer, false);
			model_add_line(m, MODEL_LINE_PRIVATE, "%s (private): %s",
			    c->peer, text);
		}
		memmove(c->in, c->in + k, c->inlen - (size_t)k);
		c->inlen -= (size_t)k;
	}
	if (k == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a private frame from "
		    "%s did not authenticate (changed on the way?); chat "
		    "closed", c->peer);
		pc_end(a, c, true);
		return false;
	}
	return true;
}

/* Write what is queued; false when the chat ended. */
static bool
pc_write(struct app *a, struct pc *c)
{
	ssize_t w;

	if (c->outlen == 0)
		return true;
	w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
	if (w == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (w <= 0) {
		model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with "
		    "%s ended (%s)", c->peer, strerror(errno));
		pc_end(a, c, true);
		return false;
	}
	memmove(c->out, c->out + w, c->outlen - (size_t)w);
	c->outlen -= (size_t)w;
	return true;
}

/* Descriptors to watch. */
int
privchat_poll_fill(struct pollfd *pfd, int max)
{
	int i, n = 0;

	for (i = 0; i < PRIVCHAT_MAX; i++) {
		struct pc *c = &pc_chats[i];
		int fds[PC_CAND_MAX + 2], k;

		if (c->st == PC_FREE)
			continue;
		fds[0] = c->fd;
		fds[1] = c->lfd;
		for (k = 0; k < PC_CAND_MAX; k++)
			fds[k + 2] = c->cands[k].fd;
		for (k = 0; k < PC_CAND_MAX + 2 && n < max; k++) {
			if (fds[k] == -1)
				continue;
			pfd[n].fd = fds[k];
			pfd[n].events = POLLIN;
			if (k == 0 && (c->outlen > 0 || c->st == PC_CONNECTING))
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
		const struct pc *c = &pc_chats[i];

		/* A slot never used has fds 0, not -1 (static storage). */
		if (c->st == PC_FREE)
			continue;
		d = -1;
		if (c->st == PC_LISTEN || c->st == PC_CONNECTING)
			d = c->until_ms;
		for (k = 0; k < PC_CAND_MAX; k++)
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
pc_revents(const struct pollfd *pfd, int n, int fd)
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
pc_accept(struct pc *c)
{
	struct pc_cand *d = NULL;
	int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), k;

	if (fd == -1)
		return;
	for (k = 0; k < PC_CAND_MAX && d == NULL; k++)
		if (c->cands[k].fd == -1)
			d = &c->cands[k];
	if (d == NULL) {
		d = &c->cands[0];
		for (k = 1; k < PC_CAND_MAX; k++)
			if (c->cands[k].until_ms < d->until_ms)
				d = &c->cands[k];
		pc_cand_drop(c, d, "(the oldest waiting, to make room)");
	}
	d->fd = fd;
	d->len = 0;
	d->until_ms = mono_now_ms() + PRIVCHAT_AUTH_MS;
}

/* Handle one chat after poll. */
static void
pc_step(struct app *a, struct pc *c, const struct pollfd *pfd, int n,
    int64_t now)
{
	short ev;
	int err = 0, k;
	socklen_t el = sizeof(err);

	for (k = 0; k < PC_CAND_MAX; k++)
		if (c->cands[k].fd != -1 && now > c->cands[k].until_ms)
			pc_cand_drop(c, &c->cands[k], "silent for too long");
	if ((c->st == PC_LISTEN || c->st == PC_CONNECTING) &&
	    now > c->until_ms) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: the "
		    "private chat with %s could not be connected", c->peer);
		pc_end(a, c, true);
		return;
	}
	if (c->lfd != -1 && (pc_revents(pfd, n, c->lfd) & POLLIN))
		pc_accept(c);
	for (k = 0; k < PC_CAND_MAX && c->fd == -1; k++)
		if (c->cands[k].fd != -1 &&
		    pc_revents(pfd, n, c->cands[k].fd) != 0)
			pc_read_cand(a, c, &c->cands[k]);
	if (c->fd == -1 || (ev = pc_revents(pfd, n, c->fd)) == 0)
		return;
	if (c->st == PC_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
		    err != 0) {
			model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: "
			    "cannot connect to %s for the private chat: %s",
			    c->peer, strerror(err ? err : errno));
			pc_end(a, c, true);
			return;
		}
		pc_open(a, c);
	}
	if ((ev & POLLOUT) && !pc_write(a, c))
		return;
	if (ev & (POLLIN | POLLHUP | POLLERR))
		pc_read(a, c);
}

/* Handle what poll found. */
void
privchat_poll_done(struct app *a, const struct pollfd *pfd, int n)
{
	int64_t now = mono_now_ms();
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (pc_chats[i].st != PC_FREE)
			pc_step(a, &pc_chats[i], pfd, n, now);
}

/* Close everything. */
void
privchat_shutdown(struct app *a)
{
	int i;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (pc_chats[i].st != PC_FREE)
			pc_close(a, &pc_chats[i]);
}

/* Chats in any state. */
int
privchat_count(void)
{
	int i, n = 0;

	for (i = 0; i < PRIVCHAT_MAX; i++)
		if (pc_chats[i].st != PC_FREE)
			n++;
	return n;
}

const struct feature privchat_feature = {
	.name = "privchat",
	.event = privchat_event,
	.poll_fill = privchat_poll_fill,
	.poll_timeout = privchat_poll_timeout,
	.poll_done = privchat_poll_done,
	.shutdown = privchat_shutdown,
};
