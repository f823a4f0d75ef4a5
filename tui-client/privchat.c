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
 * proves it holds them.  The listener keeps up to PRIVCHAT_CAND_MAX connections
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
#include "buf.h"
#include "ask.h"
#include "log.h"
#include "model.h"
#include "msgs.h"
#include "privchat.h"
#include "privchat_int.h"
#include "privwire.h"
#include "proto.h"
#include "proto_ev.h"

/* Reply to PRIVREQ: shown; an error frees the chat. */
static void
privchat_reply_req(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct privchat *c = privchat_find(arg);

	if (msg->kind == PROTO_MSG_DATA)
		return;
	app_show_reply(a, msg);
	if (msg->kind == PROTO_MSG_ERR && c != NULL &&
	    c->st == PRIVCHAT_S_ASKING)
		privchat_close(a, c);
}

/* startprivate USER */
void
privchat_do_start(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	struct privchat *c;

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
	if (privchat_find(argv[0]) != NULL) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a private chat with "
		    "%s is open or being set up already", argv[0]);
		return;
	}
	if ((c = privchat_new(a, argv[0], PRIVCHAT_S_ASKING)) == NULL)
		return;
	/* The hook finds the chat by name: the peer string lives in c. */
	if (app_send_hook(a, privchat_reply_req, c->peer, PROTO_V_PRIVREQ,
	    argv[0]) == -1)
		privchat_close(a, c);
}

/* private USER TEXT */
void
privchat_do_send(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	struct privchat *c = privchat_find(argv[0]);
	const char *t = argv[1];
	unsigned char frame[PRIVWIRE_FRAME_MAX];
	size_t n = strlen(t), fl;

	if (c == NULL || c->st == PRIVCHAT_S_ASKED) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: no private chat with "
		    "%.40s (start one with startprivate %.40s)", argv[0],
		    argv[0]);
		return;
	}
	if (c->st != PRIVCHAT_S_OPEN) {
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
	if (!proto_valid_text(t, n)) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: a private message "
		    "cannot hold control or direction-changing characters");
		return;
	}
	if (c->out.len + PRIVWIRE_HDR_LEN + n + PRIVWIRE_TAG_LEN >
	    PRIVCHAT_OUT_MAX) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s is not reading "
		    "the private chat; message not sent", c->peer);
		return;
	}
	if ((fl = privwire_seal(&c->w, t, n, frame)) == 0 ||
	    buf_append(&c->out, frame, fl) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: cannot seal the "
		    "private message; chat closed");
		privchat_end(a, c, true);
		return;
	}
	msgs_conv(m, '~', c->peer, true);
	model_add_line(m, MODEL_LINE_NORMAL, "to %s (private): %s", c->peer, t);
}

/* stopprivate USER */
void
privchat_do_stop(struct app *a, int argc, char **argv)
{
	struct privchat *c = privchat_find(argv[0]);

	if (c == NULL || c->st == PRIVCHAT_S_ASKED) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: no private "
		    "chat with %.40s", argv[0]);
		return;
	}
	model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with %s "
	    "stopped", c->peer);
	privchat_end(a, c, true);
}

/* Reply to PRIVANSWER: shown; an error ends the chat. */
static void
privchat_reply_answer(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct privchat *c = privchat_find(arg);

	if (msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		app_show_reply(a, msg);
		if (c != NULL && c->st == PRIVCHAT_S_LISTEN)
			privchat_close(a, c);
		return;
	}
	if (c != NULL && c->st == PRIVCHAT_S_LISTEN)
		model_add_line(app_model(a), MODEL_LINE_INFO, "%s; waiting for "
		    "%s to connect", msg->text, c->peer);
}

/* The answer to "chat privately? (y/n)". */
static void
privchat_answer(struct app *a, void *arg, bool yes)
{
	struct privchat *c = arg;
	char args[PROTO_USER_MAX + 32], peer[PROTO_USER_MAX + 1];
	unsigned port;

	if (c->st != PRIVCHAT_S_ASKED)
		return;
	snprintf(peer, sizeof(peer), "%s", c->peer);
	if (!yes) {
		snprintf(args, sizeof(args), "%s no", peer);
		/* Not ASKED: no question to cancel. */
		c->st = PRIVCHAT_S_LISTEN;
		privchat_close(a, c);
		app_send_hook(a, privchat_reply_quiet, NULL,
		    PROTO_V_PRIVANSWER, args);
		model_add_line(app_model(a), MODEL_LINE_INFO, "Private chat with "
		    "%s declined", peer);
		return;
	}
	if (privwire_init(&c->w, c->secret, false) == -1 ||
	    (c->lfd = privchat_listen(&port)) == -1) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: cannot "
		    "listen for the private chat: %s", strerror(errno));
		snprintf(args, sizeof(args), "%s no", peer);
		c->st = PRIVCHAT_S_LISTEN;
		privchat_close(a, c);
		app_send_hook(a, privchat_reply_quiet, NULL,
		    PROTO_V_PRIVANSWER, args);
		return;
	}
	c->st = PRIVCHAT_S_LISTEN;
	c->until_ms = mono_now_ms() + PRIVCHAT_CONNECT_MS;
	snprintf(args, sizeof(args), "%s yes %u", peer, port);
	app_send_hook(a, privchat_reply_answer, c->peer, PROTO_V_PRIVANSWER,
	    args);
}

/* "* PRIVREPLY USER yes IP PORT SECRET" or "* PRIVREPLY USER no". */
static void
privchat_event_reply(struct app *a, const struct proto_ev_privreply *r)
{
	struct model *m = app_model(a);
	struct privchat *c;
	char port[8];

	if ((c = privchat_find(r->user)) == NULL ||
	    c->st != PRIVCHAT_S_ASKING)
		return;
	if (!r->yes) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s declined the "
		    "private chat", c->peer);
		privchat_close(a, c);
		return;
	}
	snprintf(c->secret, sizeof(c->secret), "%s", r->secret);
	snprintf(port, sizeof(port), "%d", r->port);
	if (privchat_connect(c, r->ip, port, model_self(m)) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: cannot connect to %s "
		    "for the private chat: %s", c->peer, strerror(errno));
		privchat_end(a, c, true);
		return;
	}
	c->st = PRIVCHAT_S_CONNECTING;
	c->until_ms = mono_now_ms() + PRIVCHAT_CONNECT_MS;
	model_add_line(m, MODEL_LINE_INFO, "%s accepted the private chat; "
	    "connecting", c->peer);
}

/* How a PRIVEND reason reads. */
static const char *
privchat_reason(const char *r)
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
privchat_event(struct app *a, const struct proto_ev *ev)
{
	struct model *m = app_model(a);
	const struct proto_ev_privask *ask = &ev->u.privask;
	const struct proto_ev_privend *end = &ev->u.privend;
	char q[PROTO_USER_MAX + 96];
	struct privchat *c;

	if (ev->type == PROTO_EVT_PRIVREPLY) {
		privchat_event_reply(a, &ev->u.privreply);
		return true;
	}
	if (ev->type == PROTO_EVT_PRIVASK) {
		if (privchat_find(ask->from) != NULL ||
		    (c = privchat_new(a, ask->from, PRIVCHAT_S_ASKED)) == NULL)
			return true;
		snprintf(c->secret, sizeof(c->secret), "%s", ask->secret);
		snprintf(q, sizeof(q), "%s wants to chat privately. Accept? "
		    "(y/n)", c->peer);
		ask_push(a, q, "Private chat? (y/n)", privchat_answer, c);
		return true;
	}
	if (ev->type == PROTO_EVT_PRIVEND) {
		if ((c = privchat_find(end->user)) == NULL)
			return true;
		if (c->st == PRIVCHAT_S_ASKED)
			model_add_line(m, MODEL_LINE_INFO, "%s withdrew the "
			    "private chat request", c->peer);
		else
			model_add_line(m, MODEL_LINE_INFO, "Private chat with %s "
			    "ended (%s %s)", c->peer, c->peer,
			    privchat_reason(end->reason));
		privchat_close(a, c);
		return true;
	}
	return false;
}

const struct feature privchat_feature = {
	.name = "privchat",
	.event = privchat_event,
	.poll_fill = privchat_poll_fill,
	.poll_timeout = privchat_poll_timeout,
	.poll_done = privchat_poll_done,
	.shutdown = privchat_shutdown,
};
