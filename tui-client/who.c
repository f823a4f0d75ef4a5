/*
 * who.c - the user list: WHO and WHOSINCE replies, presence events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "model.h"
#include "who.h"

/* What one WHO request remembers until its final line. */
struct who_req {
	bool	silent;		/* the fill after login: show nothing */
	bool	started;	/* the list was cleared at the first line */
};

/* A line of a WHO reply: the rows replace the user list. */
static void
who_reply(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct who_req *w = arg;
	struct model *m = app_model(a);
	struct model_user u;

	if (msg->kind == PROTO_MSG_ERR) {
		app_show_reply(a, msg);
		free(w);
		return;
	}
	if (!w->started) {
		model_users_clear(m);
		w->started = true;
	}
	if (msg->kind == PROTO_MSG_OK) {
		if (!w->silent)
			app_show_reply(a, msg);
		free(w);
		return;
	}
	if (model_user_parse(msg->text, &u) == -1) {
		log_warnx("malformed WHO line from the server");
		if (!w->silent)
			model_add_line(m, MODEL_LINE_NORMAL, "%s", msg->text);
		return;
	}
	if (strcmp(u.name, model_self(m)) != 0)
		model_user_add(m, &u);
	if (!w->silent)
		model_add_line(m, MODEL_LINE_NORMAL,
		    "%s, %s, %u, active since %s", u.name, u.ip, u.port,
		    u.since);
}

/* Send WHO. */
void
who_send(struct app *a, bool silent)
{
	struct who_req *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		model_add_line(app_model(a), MODEL_LINE_ERROR,
		    "Error: out of memory");
		return;
	}
	w->silent = silent;
	if (app_send_hook(a, who_reply, w, PROTO_V_WHO, NULL) == -1)
		free(w);
}

/* A line of a WHOSINCE reply: "USER online" or "USER LASTSEENTIME". */
static void
who_since_reply(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct model *m = app_model(a);
	const char *sp;

	if (msg->kind != PROTO_MSG_DATA) {
		app_show_reply(a, msg);
		return;
	}
	if ((sp = strchr(msg->text, ' ')) == NULL)
		model_add_line(m, MODEL_LINE_NORMAL, "%s", msg->text);
	else if (strcmp(sp + 1, "online") == 0)
		model_add_line(m, MODEL_LINE_NORMAL, "%.*s (online now)",
		    (int)(sp - msg->text), msg->text);
	else
		model_add_line(m, MODEL_LINE_NORMAL, "%.*s (last seen %s)",
		    (int)(sp - msg->text), msg->text, sp + 1);
}

/* Send WHOSINCE. */
void
who_send_since(struct app *a, const char *seconds)
{
	app_send_hook(a, who_since_reply, NULL, PROTO_V_WHOSINCE, seconds);
}

/* "* ONLINE USER IP UDPPORT TIME". */
static void
who_online(struct model *m, const char *text)
{
	struct model_user u;

	if (model_user_parse(text, &u) == -1) {
		log_warnx("malformed ONLINE event from the server");
		return;
	}
	if (strcmp(u.name, model_self(m)) != 0)
		model_user_add(m, &u);
	model_add_line(m, MODEL_LINE_PRESENCE, "%s logged in", u.name);
}

/* "* OFFLINE USER REASON". */
static void
who_offline(struct model *m, char *text)
{
	char *reason = strchr(text, ' ');

	if (reason != NULL)
		*reason++ = '\0';
	else
		reason = text + strlen(text);
	if (!proto_valid_user(text)) {
		log_warnx("malformed OFFLINE event from the server");
		return;
	}
	model_user_remove(m, text);
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
who_event(struct app *a, const char *name, char *text)
{
	if (strcmp(name, PROTO_EV_ONLINE) == 0)
		who_online(app_model(a), text);
	else if (strcmp(name, PROTO_EV_OFFLINE) == 0)
		who_offline(app_model(a), text);
	else
		return false;
	return true;
}
