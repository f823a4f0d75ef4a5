/*
 * who.c - the user list: WHO and WHOSINCE replies, presence events.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "model.h"
#include "proto_ev.h"
#include "who.h"

/* The hook argument of a WHO: whether its rows are shown. */
static const bool who_shown = true, who_silent = false;

/*
 * A line of a WHO reply: each row goes into the user list, which was
 * emptied when the request was sent.  The server answers WHO from its
 * state at that moment, after every presence event it sent before, so
 * events that arrive meanwhile and the rows together give the right list.
 */
static void
who_reply(struct app *a, void *arg, const struct proto_msg *msg)
{
	bool show = *(const bool *)arg;
	struct model *m = app_model(a);
	struct model_user u;

	if (msg->kind == PROTO_MSG_ERR || (msg->kind == PROTO_MSG_OK && show)) {
		app_show_reply(a, msg);
		return;
	}
	if (msg->kind == PROTO_MSG_OK)
		return;
	if (model_user_parse(msg->text, &u) == -1) {
		log_warnx("malformed WHO line from the server");
		if (show)
			model_add_line(m, MODEL_LINE_NORMAL, "%s", msg->text);
		return;
	}
	if (strcmp(u.name, model_self(m)) != 0)
		model_user_add(m, &u);
	if (show)
		model_add_line(m, MODEL_LINE_NORMAL,
		    "%s, %s, %u, active since %s", u.name, u.ip, u.port,
		    u.since);
}

/* Send WHO. */
void
who_send(struct app *a, bool silent)
{
	model_users_clear(app_model(a));
	app_send_hook(a, who_reply, (void *)(silent ? &who_silent :
	    &who_shown), PROTO_V_WHO, NULL);
}

/* A line of a WHOSINCE reply: "USER online" or "USER LASTSEENTIME". */
static void
who_since_reply(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct model *m = app_model(a);
	char copy[PROTO_LINE_MAX];
	struct proto_ev_since r;

	if (msg->kind != PROTO_MSG_DATA) {
		app_show_reply(a, msg);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", msg->text);
	if (proto_ev_since_decode(copy, &r) != PROTO_OK)
		model_add_line(m, MODEL_LINE_NORMAL, "%s", msg->text);
	else if (r.online)
		model_add_line(m, MODEL_LINE_NORMAL, "%s (online now)", r.user);
	else
		model_add_line(m, MODEL_LINE_NORMAL, "%s (last seen %s)",
		    r.user, r.time);
}

/* Send WHOSINCE. */
void
who_send_since(struct app *a, const char *seconds)
{
	app_send_hook(a, who_since_reply, NULL, PROTO_V_WHOSINCE, seconds);
}

/* "* ONLINE USER IP UDPPORT TIME". */
static void
who_online(struct model *m, const struct proto_ev_user *on)
{
	struct model_user u;

	if (model_user_set(&u, on) == -1) {
		log_warnx("malformed ONLINE event from the server");
		return;
	}
	if (strcmp(u.name, model_self(m)) != 0)
		model_user_add(m, &u);
	model_add_line(m, MODEL_LINE_PRESENCE, "%s logged in", u.name);
}

/* "* OFFLINE USER REASON". */
static void
who_offline(struct model *m, const struct proto_ev_offline *off)
{
	const char *text = off->user, *reason = off->reason;

	model_user_remove(m, text);
	if (off->hidden)
		return;		/* blocked us: gone from the list, not out */
	if (strcmp(reason, "timeout") == 0)
		model_add_line(m, MODEL_LINE_PRESENCE,
		    "%s logged out (idle timeout)", text);
	else if (strcmp(reason, "lost") == 0)
		model_add_line(m, MODEL_LINE_PRESENCE,
		    "%s logged out (connection lost)", text);
	else if (strcmp(reason, "logout") == 0 || *reason == '\0')
		model_add_line(m, MODEL_LINE_PRESENCE, "%s logged out", text);
	else
		model_add_line(m, MODEL_LINE_PRESENCE, "%s logged out (%s)",
		    text, reason);
}

/* Presence events. */
bool
who_event(struct app *a, const struct proto_ev *ev)
{
	if (ev->type == PROTO_EVT_ONLINE)
		who_online(app_model(a), &ev->u.online);
	else if (ev->type == PROTO_EVT_OFFLINE)
		who_offline(app_model(a), &ev->u.offline);
	else
		return false;
	return true;
}

/* Logged in (again): fill the user list, silently. */
static void
who_active(struct app *a)
{
	who_send(a, true);
}

const struct feature who_feature = {
	.name = "who",
	.event = who_event,
	.active = who_active,
};
