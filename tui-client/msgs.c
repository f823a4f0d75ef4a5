/*
 * msgs.c - messaging commands, replies and events in the client.
 *
 * The generations' words carry a timestamp as four words (DD Mon YYYY
 * HH:MM:SS); the checks here parse it strictly before anything is sent,
 * so a typo gets its reason at once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "model.h"
#include "msgs.h"
#include "proto.h"
#include "proto_ev.h"
#include "timefmt.h"

/* Join argv[i..i+3] into "DD Mon YYYY HH:MM:SS". */
static void
msgs_join_time(char **argv, int i, char *out, size_t len)
{
	snprintf(out, len, "%s %s %s %s", argv[i], argv[i + 1], argv[i + 2],
	    argv[i + 3]);
}

/* Check a timestamp of four words starting at argv[i]. */
static int
msgs_check_time_at(const char *word, char **argv, int i, char *err,
    size_t errlen)
{
	char stamp[128], why[160];
	time_t t;

	msgs_join_time(argv, i, stamp, sizeof(stamp));
	if (timefmt_parse(stamp, &t, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s: bad timestamp '%.40s': %s", word, stamp,
	    why);
	return -1;
}

/* N TIMESTAMP [TEXT]: N is 3 or #3, then a strict timestamp. */
int
msgs_check_post_ref(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	const char *n = argv[0][0] == '#' ? argv[0] + 1 : argv[0];
	long long v;

	if (proto_parse_int(n, 1, 1000000000, &v) == -1) {
		snprintf(err, errlen, "%s: the message number is written 3 or "
		    "#3, not '%.20s'", word, argv[0]);
		return -1;
	}
	return msgs_check_time_at(word, argv, 1, err, errlen);
}

/* TIMESTAMP alone. */
int
msgs_check_timestamp(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	return msgs_check_time_at(word, argv, 0, err, errlen);
}

/* The reply of a messaging request: its text, or "Error: ...". */
static void
msgs_show(struct app *a, void *arg, const struct proto_msg *msg)
{
	app_show_reply(a, msg);
}

/*
 * The reply of a direct or group message: "Message sent to bob at ..."
 * goes to the status window only, as the conversation's window shows our
 * own line; an error shows where the command was typed.
 */
static void
msgs_show_sent(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_OK && msg->text[0] != '\0')
		model_add_line(app_model(a), MODEL_LINE_SENT, "%s", msg->text);
	else
		app_show_reply(a, msg);
}

/* A READPOSTS data line "N USER no|yes TIME TEXT" as a board line. */
static void
msgs_show_post(struct app *a, void *arg, const struct proto_msg *msg)
{
	char copy[PROTO_LINE_MAX];
	struct proto_ev_post p;

	if (msg->kind != PROTO_MSG_DATA) {
		app_show_reply(a, msg);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", msg->text);
	if (proto_ev_post_decode(copy, &p) != PROTO_OK) {
		model_add_line(app_model(a), MODEL_LINE_NORMAL, "%s", msg->text);
		return;
	}
	model_add_line(app_model(a), MODEL_LINE_NORMAL, "#%lu %s, %s%s: %s",
	    p.n, p.user, p.time, p.edited ? " (edited)" : "", p.text);
}

/* Send VERB with args joined as "a b". */
static void
msgs_send2(struct app *a, app_reply_hook *hook, const char *verb,
    const char *x, const char *y)
{
	char args[PROTO_LINE_MAX];

	snprintf(args, sizeof(args), "%s %s", x, y);
	app_send_hook(a, hook, NULL, verb, args);
}

/* message USER TEXT, /msgto USER TEXT */
void
msgs_do_message(struct app *a, int argc, char **argv)
{
	model_recent_touch(app_model(a), argv[0]);
	msgs_send2(a, msgs_show_sent, PROTO_V_MSGTO, argv[0], argv[1]);
}

/* broadcast TEXT */
void
msgs_do_broadcast(struct app *a, int argc, char **argv)
{
	app_send_hook(a, msgs_show, NULL, PROTO_V_BROADCAST, argv[0]);
}

/* The reply to BLOCK (arg set) or UNBLOCK: "USER is ...", and the mark. */
static void
msgs_show_block(struct app *a, void *arg, const struct proto_msg *msg)
{
	char name[PROTO_USER_MAX + 1];
	size_t n = strcspn(msg->text, " ");

	if (msg->kind == PROTO_MSG_OK && n > 0 && n <= PROTO_USER_MAX) {
		snprintf(name, sizeof(name), "%.*s", (int)n, msg->text);
		model_blocked_set(app_model(a), name, arg != NULL);
	}
	msgs_show(a, arg, msg);
}

/* block USER */
void
msgs_do_block(struct app *a, int argc, char **argv)
{
	app_send_hook(a, msgs_show_block, (void *)1, PROTO_V_BLOCK, argv[0]);
}

/* unblock USER */
void
msgs_do_unblock(struct app *a, int argc, char **argv)
{
	app_send_hook(a, msgs_show_block, NULL, PROTO_V_UNBLOCK, argv[0]);
}

/* MSG TEXT */
void
msgs_do_post(struct app *a, int argc, char **argv)
{
	app_send_hook(a, msgs_show, NULL, PROTO_V_POST, argv[0]);
}

/* The post number without its '#'. */
static const char *
msgs_post_number(const char *s)
{
	return s[0] == '#' ? s + 1 : s;
}

/* DLT N TIMESTAMP */
void
msgs_do_delpost(struct app *a, int argc, char **argv)
{
	char stamp[128];

	msgs_join_time(argv, 1, stamp, sizeof(stamp));
	msgs_send2(a, msgs_show, PROTO_V_DELPOST, msgs_post_number(argv[0]),
	    stamp);
}

/* EDT N TIMESTAMP TEXT */
void
msgs_do_editpost(struct app *a, int argc, char **argv)
{
	char args[PROTO_LINE_MAX];

	snprintf(args, sizeof(args), "%s %s %s %s %s %s",
	    msgs_post_number(argv[0]), argv[1], argv[2], argv[3], argv[4],
	    argv[5]);
	app_send_hook(a, msgs_show, NULL, PROTO_V_EDITPOST, args);
}

/* RDM TIMESTAMP */
void
msgs_do_readposts(struct app *a, int argc, char **argv)
{
	char stamp[128];

	msgs_join_time(argv, 0, stamp, sizeof(stamp));
	app_send_hook(a, msgs_show_post, NULL, PROTO_V_READPOSTS, stamp);
}

/* /creategroup NAME USER... */
void
msgs_do_gcreate(struct app *a, int argc, char **argv)
{
	char args[PROTO_LINE_MAX];
	size_t off = 0;
	int i;

	args[0] = '\0';
	for (i = 0; i < argc && off < sizeof(args); i++)
		off += (size_t)snprintf(args + off, sizeof(args) - off, "%s%s",
		    i ? " " : "", argv[i]);
	app_send_hook(a, msgs_show, NULL, PROTO_V_GCREATE, args);
}

/* /joingroup NAME */
void
msgs_do_gjoin(struct app *a, int argc, char **argv)
{
	app_send_hook(a, msgs_show, NULL, PROTO_V_GJOIN, argv[0]);
}

/* /groupmsg NAME TEXT */
void
msgs_do_gmsg(struct app *a, int argc, char **argv)
{
	msgs_send2(a, msgs_show_sent, PROTO_V_GMSG, argv[0], argv[1]);
}

/* The next line belongs to the conversation sigil+name ("@bob"). */
void
msgs_conv(struct model *m, char sigil, const char *name, bool own)
{
	char conv[MODEL_CONV_MAX];

	snprintf(conv, sizeof(conv), "%c%s", sigil, name);
	model_set_conv(m, conv, own);
}

/*
 * The screen stamps lines with the local time, so a message's own time
 * ("DD Mon YYYY HH:MM:SS") is only worth showing when it was sent a while
 * ago (waiting while we were offline): " (sent ...)".
 */
static void
msgs_sent_note(const char *text, char *buf, size_t len)
{
	char err[64];
	time_t t;

	buf[0] = '\0';
	if (timefmt_parse(text, &t, err, sizeof(err)) == 0 &&
	    (t < time(NULL) - 60 || t > time(NULL) + 60))
		snprintf(buf, len, " (sent %s)", text);
}

/* Show a messaging event. */
bool
msgs_event(struct app *a, const struct proto_ev *ev)
{
	struct model *m = app_model(a);
	const struct proto_ev_msg *dm = &ev->u.msg;
	const struct proto_ev_gmsg *gm = &ev->u.gmsg;
	const struct proto_ev_ginvite *gi = &ev->u.ginvite;
	const char *bc = ev->type == PROTO_EVT_BCAST ? " (broadcast)" : "";
	char when[160];

	if (ev->type == PROTO_EVT_MSG || ev->type == PROTO_EVT_BCAST) {
		/* Delivered again (the server cannot know what reached us
		   before a crash or a cut): shown once, by its id. */
		if (dm->id != NULL && model_msg_repeat(m, dm->from, dm->id)) {
			log_debug("message %s from %s shown already", dm->id,
			    dm->from);
			return true;
		}
		if (ev->type == PROTO_EVT_MSG)
			msgs_conv(m, '@', dm->from, false);
		if (model_stamped(m)) {
			msgs_sent_note(dm->time, when, sizeof(when));
			model_add_line(m, MODEL_LINE_MESSAGE, "%s%s: %s%s",
			    dm->from, bc, dm->text, when);
		} else
			model_add_line(m, MODEL_LINE_MESSAGE, "[%s] %s%s: %s",
			    dm->time, dm->from, bc, dm->text);
		/* Tab completion offers the last correspondents first. */
		model_recent_touch(m, dm->from);
		return true;
	}
	if (ev->type == PROTO_EVT_GMSG) {
		msgs_conv(m, '#', gm->group, false);
		if (model_stamped(m)) {
			msgs_sent_note(gm->time, when, sizeof(when));
			model_add_line(m, MODEL_LINE_MESSAGE, "%s in %s: %s%s",
			    gm->from, gm->group, gm->text, when);
		} else
			model_add_line(m, MODEL_LINE_MESSAGE,
			    "[%s] %s in %s: %s", gm->time, gm->from, gm->group,
			    gm->text);
		model_recent_touch(m, gm->from);
		return true;
	}
	if (ev->type == PROTO_EVT_GINVITE) {
		model_add_line(m, MODEL_LINE_INFO, "%s created group %s with %s; "
		    "join it with /joingroup %s", gi->from, gi->group,
		    gi->members, gi->group);
		return true;
	}
	return false;
}

const struct feature msgs_feature = {
	.name = "msgs",
	.event = msgs_event,
};
