/*
 * app.c - the client's logic for every frontend: the login state machine,
 * command lines, and replies and events turned into model lines.
 *
 * Each request is sent with a kind (enum app_req); net.c hands every line
 * of its reply back with that kind, and app_reply_handlers[] routes it.
 * Nothing here prints: lines go into the model and the frontend shows them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "app.h"
#include "app_int.h"
#include "feature.h"
#include "log.h"
#include "net.h"
#include "proto_ev.h"
#include "sanitize.h"

static const char *const app_state_names[] = {
	[APP_S_GREETING] = "greeting",	[APP_S_HELLO] = "hello",
	[APP_S_USER] = "user",		[APP_S_LOGIN] = "login",
	[APP_S_PASS] = "pass",		[APP_S_PASS_SENT] = "pass-sent",
	[APP_S_NEWPASS] = "newpass",	[APP_S_CONFIRM] = "confirm",
	[APP_S_REGISTER] = "register",	[APP_S_ACTIVE] = "active",
	[APP_S_LOGOUT] = "logout",	[APP_S_CLOSING] = "closing",
	[APP_S_WAIT] = "wait",		[APP_S_DIAL] = "dial",
	[APP_S_OFFLINE] = "offline",
	[APP_S_DONE] = "done",
};

typedef void app_reply_fn(struct app *a, const struct net_req *req,
    const struct proto_msg *msg);

static void	 app_lost(struct app *a, const char *why);
static void	 app_wipe(struct app *a);
static void	 app_err_line(struct app *a, const struct proto_msg *msg);
static void	 app_ok_line(struct app *a, const struct proto_msg *msg);
static bool	 app_code_is(const struct proto_msg *msg, const char *code);
static void	 app_activate(struct app *a, const struct proto_msg *msg);
static void	 app_event_bye(struct app *a, const struct proto_ev_code *bye);
static void	 app_input_newpass(struct app *a, const char *line);
static void	 app_input_confirm(struct app *a, const char *line);
static app_reply_fn app_reply_hello;
static app_reply_fn app_reply_login;
static app_reply_fn app_reply_pass;
static app_reply_fn app_reply_register;
static app_reply_fn app_reply_logout;
static app_reply_fn app_reply_hook_call;

/* Where each kind of reply goes. */
static app_reply_fn *const app_reply_handlers[APP_REQ_COUNT] = {
	[APP_REQ_HELLO] = app_reply_hello,
	[APP_REQ_LOGIN] = app_reply_login,
	[APP_REQ_PASS] = app_reply_pass,
	[APP_REQ_REGISTER] = app_reply_register,
	[APP_REQ_LOGOUT] = app_reply_logout,
	[APP_REQ_HOOK] = app_reply_hook_call,
};

/* A client on the connected socket fd, with these feature modules. */
struct app *
app_new(struct model *m, int fd, unsigned udp_port,
    const struct feature *const *features)
{
	struct app *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->net = net_new(fd, app_on_reply, app_on_event, a)) == NULL) {
		free(a);
		return NULL;
	}
	a->model = m;
	a->udp_port = udp_port;
	a->features = features;
	app_enter_state(a, APP_S_GREETING);
	return a;
}

/* Close the connection and free the app. */
void
app_free(struct app *a)
{
	const struct feature *const *f;

	if (a == NULL)
		return;
	app_wipe(a);
	/* Peers are told; partial received files are removed. */
	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->shutdown != NULL)
			(*f)->shutdown(a);
	if (a->net != NULL) {
		net_each_pending(a->net, app_free_pending_hook, NULL);
		net_free(a->net);
	}
	net_free(a->dead);
	net_dial_free(a->dial);
	explicit_bzero(a->pass, sizeof(a->pass));
	reconn_reset(&a->rc);
	free(a);
}

/* Forget a typed password. */
static void
app_wipe(struct app *a)
{
	explicit_bzero(a->newpass, sizeof(a->newpass));
}

/*
 * The one place where the state changes: it also sets the model's
 * session state and what the input line asks for.
 */
void
app_enter_state(struct app *a, enum app_state s)
{
	struct model *m = a->model;

	log_debug("client state %s -> %s", app_state_names[a->state],
	    app_state_names[s]);
	a->state = s;
	/* Logging in again by itself: the screen stays as it is. */
	if (a->relogin && (s == APP_S_GREETING || s == APP_S_HELLO ||
	    s == APP_S_LOGIN || s == APP_S_PASS_SENT))
		return;
	switch (s) {
	case APP_S_GREETING:
	case APP_S_HELLO:
		model_set_state(m, MODEL_STATE_CONNECTING);
		model_set_prompt(m, MODEL_INPUT_NONE, NULL);
		break;
	case APP_S_USER:
		model_set_state(m, MODEL_STATE_LOGIN);
		model_set_prompt(m, MODEL_INPUT_ASK, "Username:");
		break;
	case APP_S_PASS:
		model_set_prompt(m, MODEL_INPUT_SECRET, "Password:");
		break;
	case APP_S_NEWPASS:
		model_set_prompt(m, MODEL_INPUT_SECRET, "New password:");
		break;
	case APP_S_CONFIRM:
		model_set_prompt(m, MODEL_INPUT_SECRET, "Confirm password:");
		break;
	case APP_S_LOGIN:
	case APP_S_PASS_SENT:
	case APP_S_REGISTER:
		model_set_prompt(m, MODEL_INPUT_NONE, NULL);
		break;
	case APP_S_ACTIVE:
		model_set_state(m, MODEL_STATE_ACTIVE);
		model_set_prompt(m, MODEL_INPUT_COMMAND, NULL);
		break;
	case APP_S_LOGOUT:
	case APP_S_CLOSING:
		model_set_prompt(m, MODEL_INPUT_NONE, NULL);
		break;
	case APP_S_WAIT:
	case APP_S_DIAL:
		/* Typing goes on; lines wait for the login. */
		model_set_state(m, MODEL_STATE_ACTIVE);
		model_set_prompt(m, MODEL_INPUT_COMMAND, NULL);
		break;
	case APP_S_OFFLINE:
		model_set_state(m, MODEL_STATE_ACTIVE);
		model_set_prompt(m, MODEL_INPUT_ASK,
		    "Press Enter to log in again");
		break;
	case APP_S_DONE:
		model_set_state(m, MODEL_STATE_CLOSED);
		model_set_prompt(m, MODEL_INPUT_NONE, NULL);
		break;
	}
}

/* Stop with this exit status. */
void
app_finish(struct app *a, int status)
{
	if (a->state == APP_S_DONE)
		return;
	app_wipe(a);
	net_dial_free(a->dial);
	a->dial = NULL;
	a->status = status;
	app_enter_state(a, APP_S_DONE);
}

/* The connection is gone: say why, unless the server said it first. */
static void
app_lost(struct app *a, const char *why)
{
	if (a->state == APP_S_DONE)
		return;
	if (a->ever_active && a->state != APP_S_LOGOUT &&
	    strcmp(a->bye, "version") != 0 &&
	    (strcmp(a->bye, "timeout") == 0 ? a->offer : a->retry)) {
		app_reconn_lost(a, why);
		return;
	}
	if (a->bye[0] != '\0') {
		app_finish(a, strcmp(a->bye, "timeout") == 0 ?
		    APP_EXIT_OK : APP_EXIT_ERROR);
		return;
	}
	if (why != NULL)
		log_warnx("%s", why);
	model_add_line(a->model, MODEL_LINE_ERROR,
	    "Error: connection to the server lost");
	app_finish(a, APP_EXIT_ERROR);
}

/* The server socket. */
int
app_fd(const struct app *a)
{
	return a->net != NULL ? net_fd(a->net) : -1;
}

/* True while requests wait to be written. */
bool
app_wants_write(const struct app *a)
{
	return a->net != NULL && net_wants_write(a->net);
}

/* Write queued requests. */
void
app_flush(struct app *a)
{
	if (a->state != APP_S_DONE && a->net != NULL &&
	    net_flush(a->net) == -1)
		app_lost(a, net_error(a->net));
}

/* Read from the server and handle every complete line. */
void
app_readable(struct app *a)
{
	enum net_status st;

	if (a->state == APP_S_DONE || a->net == NULL)
		return;
	st = net_read(a->net);
	if (a->dead != NULL) {
		/* The session let this connection go while reading it. */
		net_free(a->dead);
		a->dead = NULL;
		return;
	}
	if (st == NET_CLOSED)
		app_lost(a, NULL);
	else if (st == NET_ERROR)
		app_lost(a, net_error(a->net));
}

/* True when the next input line is wanted. */
bool
app_wants_input(const struct app *a)
{
	const struct feature *const *f;

	if (a->state == APP_S_DONE || a->net == NULL || a->relogin ||
	    model_input(a->model) == MODEL_INPUT_NONE ||
	    net_pending(a->net) != 0)
		return false;
	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->busy != NULL && (*f)->busy())
			return false;
	return true;
}

/* True when finished. */
bool
app_done(const struct app *a, int *status)
{
	if (a->state != APP_S_DONE)
		return false;
	if (status != NULL)
		*status = a->status;
	return true;
}

/* The model, for command handlers. */
struct model *
app_model(struct app *a)
{
	return a->model;
}

/* Send a request; on failure say why. */
int
app_send(struct app *a, enum app_req kind, const char *verb,
    const char *args)
{
	if (a->net == NULL)
		errno = ENOTCONN;
	else if (net_request(a->net, (int)kind, verb, args) != 0) {
		a->last_req_ms = mono_now_ms();
		return 0;
	}
	model_add_line(a->model, MODEL_LINE_ERROR,
	    "Error: cannot send %s: %s", verb, strerror(errno));
	return -1;
}

/* What app_send_hook remembers for one request. */
struct app_hook {
	app_reply_hook	*fn;
	void		*arg;
};

/* Send a request (with a payload when has_blob) whose reply goes to hook. */
static int
app_send_hooked(struct app *a, app_reply_hook *hook, void *arg,
    const char *verb, const char *args, const void *blob, size_t len,
    bool has_blob)
{
	struct app_hook *h;
	unsigned long tag;

	if (a->net == NULL) {
		model_add_line(a->model, MODEL_LINE_ERROR,
		    "Error: cannot send %s: not connected", verb);
		return -1;
	}
	if ((h = malloc(sizeof(*h))) == NULL) {
		model_add_line(a->model, MODEL_LINE_ERROR,
		    "Error: cannot send %s: out of memory", verb);
		return -1;
	}
	h->fn = hook;
	h->arg = arg;
	if (has_blob)
		tag = net_request_blob(a->net, APP_REQ_HOOK, h, verb, args,
		    blob, len);
	else
		tag = net_request_ctx(a->net, APP_REQ_HOOK, h, verb, args);
	if (tag != 0) {
		a->last_req_ms = mono_now_ms();
		return 0;
	}
	free(h);
	model_add_line(a->model, MODEL_LINE_ERROR,
	    "Error: cannot send %s: %s", verb, strerror(errno));
	return -1;
}

/* Send a request whose reply goes to a hook. */
int
app_send_hook(struct app *a, app_reply_hook *hook, void *arg,
    const char *verb, const char *args)
{
	return app_send_hooked(a, hook, arg, verb, args, NULL, 0, false);
}

/* Free the hook of a request that will never be answered. */
void
app_free_pending_hook(const struct net_req *req, void *arg)
{
	if (req->kind == APP_REQ_HOOK)
		free(req->ctx);
}

/* A reply line for a hook; the hook is freed with the final line. */
static void
app_reply_hook_call(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	struct app_hook *h = req->ctx;

	h->fn(a, h->arg, msg);
	if (msg->kind != PROTO_MSG_DATA)
		free(h);
}

/* Send LOGOUT; the reply ends the program. */
void
app_logout(struct app *a)
{
	if (a->state != APP_S_ACTIVE)
		return;
	if (app_send(a, APP_REQ_LOGOUT, PROTO_V_LOGOUT, NULL) == -1) {
		app_finish(a, APP_EXIT_ERROR);
		return;
	}
	app_enter_state(a, APP_S_LOGOUT);
}

/* "Error: TEXT" for an ERR reply (the code when there is no text). */
static void
app_err_line(struct app *a, const struct proto_msg *msg)
{
	model_add_line(a->model, MODEL_LINE_ERROR, "Error: %s",
	    msg->text[0] != '\0' ? msg->text : msg->code);
}

/* An OK reply's text as it is, unless empty. */
static void
app_ok_line(struct app *a, const struct proto_msg *msg)
{
	if (msg->text[0] != '\0')
		model_add_line(a->model, MODEL_LINE_NORMAL, "%s", msg->text);
}

/* Show a final reply. */
void
app_show_reply(struct app *a, const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_ERR)
		app_err_line(a, msg);
	else if (msg->kind == PROTO_MSG_OK)
		app_ok_line(a, msg);
	else
		model_add_line(a->model, MODEL_LINE_NORMAL, "%s", msg->text);
}

/* True for an ERR reply with this code. */
static bool
app_code_is(const struct proto_msg *msg, const char *code)
{
	return msg->kind == PROTO_MSG_ERR && strcmp(msg->code, code) == 0;
}

/* Logged in: show the welcome, then fill the user list silently. */
static void
app_activate(struct app *a, const struct proto_msg *msg)
{
	const struct feature *const *f;
	bool again = a->resumed;

	app_wipe(a);
	if (!again)
		app_ok_line(a, msg);
	model_set_self(a->model, a->user);
	a->ever_active = true;
	a->relogin = false;
	app_enter_state(a, APP_S_ACTIVE);
	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->active != NULL)
			(*f)->active(a);
	if (again)
		app_reconn_done(a);
}

/* A line of a reply: route it by the kind of its request. */
void
app_on_reply(void *arg, const struct net_req *req, const struct proto_msg *msg)
{
	struct app *a = arg;

	if (a->state == APP_S_DONE || a->net == NULL)
		return;
	if (req->kind < 0 || req->kind >= APP_REQ_COUNT)
		return;
	app_reply_handlers[req->kind](a, req, msg);
}

/* HELLO: the server speaks our version, or we stop. */
static void
app_reply_hello(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_OK && a->relogin)
		app_input_user(a, a->user);
	else if (msg->kind == PROTO_MSG_OK)
		app_enter_state(a, APP_S_USER);
	else if (msg->kind == PROTO_MSG_ERR) {
		app_err_line(a, msg);
		app_finish(a, APP_EXIT_ERROR);
	}
}

/* LOGIN: ask the password, or a new one, or the name again. */
static void
app_reply_login(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	const char *t = msg->text;

	if (msg->kind == PROTO_MSG_DATA)
		return;
	if (a->relogin && (msg->kind == PROTO_MSG_ERR ||
	    strncmp(t, "password", 8) != 0)) {
		app_reconn_refused(a, msg);
		return;
	}
	if (a->relogin) {
		/* The password of this run, sent again. */
		if (app_send(a, APP_REQ_PASS, PROTO_V_PASS, a->pass) == 0)
			app_enter_state(a, APP_S_PASS_SENT);
		return;
	}
	if (msg->kind == PROTO_MSG_ERR) {
		app_err_line(a, msg);
		if (app_code_is(msg, PROTO_E_BLOCKED))
			app_finish(a, APP_EXIT_LOGIN);
		else
			app_enter_state(a, APP_S_USER);
		return;
	}
	/* "OK password TEXT" or "OK register TEXT". */
	if (strncmp(t, "password", 8) == 0 && (t[8] == ' ' || t[8] == '\0')) {
		app_enter_state(a, APP_S_PASS);
	} else if (strncmp(t, "register", 8) == 0 &&
	    (t[8] == ' ' || t[8] == '\0')) {
		if (t[8] == ' ' && t[9] != '\0')
			model_add_line(a->model, MODEL_LINE_INFO, "%s", t + 9);
		app_enter_state(a, APP_S_NEWPASS);
	} else {
		model_add_line(a->model, MODEL_LINE_ERROR,
		    "Error: unexpected reply to LOGIN: %.64s", t);
		app_finish(a, APP_EXIT_ERROR);
	}
}

/*
 * The reply to PASS or REGISTER: logged in; or stop (blocked: status 2;
 * the server failed: 1); or, when the server went back to asking for a
 * name (the name was taken meanwhile: inuse, exists), ask for a name; or
 * ask again at retry (a wrong or unacceptable password).
 */
static void
app_reply_secret(struct app *a, const struct proto_msg *msg,
    enum app_state retry)
{
	if (msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_OK) {
		app_activate(a, msg);
		return;
	}
	if (a->relogin) {
		app_reconn_refused(a, msg);
		return;
	}
	explicit_bzero(a->pass, sizeof(a->pass));
	app_err_line(a, msg);
	app_wipe(a);
	if (app_code_is(msg, PROTO_E_BLOCKED))
		app_finish(a, APP_EXIT_LOGIN);
	else if (app_code_is(msg, PROTO_E_STATE) ||
	    app_code_is(msg, PROTO_E_IO))
		app_finish(a, APP_EXIT_ERROR);
	else if (app_code_is(msg, PROTO_E_INUSE) ||
	    app_code_is(msg, PROTO_E_EXISTS))
		app_enter_state(a, APP_S_USER);
	else
		app_enter_state(a, retry);
}

/* PASS: logged in, or ask again, or stop. */
static void
app_reply_pass(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	app_reply_secret(a, msg, APP_S_PASS);
}

/* REGISTER: logged in with the new account, or choose again, or stop. */
static void
app_reply_register(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	app_reply_secret(a, msg, APP_S_NEWPASS);
}

/* LOGOUT: say goodbye and stop. */
static void
app_reply_logout(struct app *a, const struct net_req *req,
    const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_OK) {
		app_ok_line(a, msg);
		app_finish(a, APP_EXIT_OK);
		return;
	}
	app_err_line(a, msg);
	app_finish(a, APP_EXIT_ERROR);
}

/* An event, or an ERR with the tag "*". */
void
app_on_event(void *arg, const struct proto_msg *msg)
{
	struct app *a = arg;
	const struct feature *const *f;
	char text[PROTO_LINE_MAX];
	struct proto_ev ev;
	enum proto_err e;

	if (a->state == APP_S_DONE || a->net == NULL)
		return;
	if (msg->kind != PROTO_MSG_EVENT) {
		if (msg->kind == PROTO_MSG_ERR)
			app_err_line(a, msg);
		return;
	}
	/* A copy the decoder cuts into fields. */
	snprintf(text, sizeof(text), "%s", msg->text);
	if ((e = proto_ev_decode(msg->code, text, &ev)) != PROTO_OK) {
		if (e == PROTO_ERR_EVENT)
			log_debug("event %s ignored", msg->code);
		else
			log_warnx("malformed %s event from the server",
			    msg->code);
		return;
	}
	if (ev.type == PROTO_EVT_HELLO) {
		if (a->state != APP_S_GREETING)
			return;
		if (app_send(a, APP_REQ_HELLO, PROTO_V_HELLO,
		    PROTO_VERSION_STR) == -1)
			app_finish(a, APP_EXIT_ERROR);
		else
			app_enter_state(a, APP_S_HELLO);
	} else if (ev.type == PROTO_EVT_IDLE) {
		/* The server's idle timeout, for the warning before it. */
		a->idle_s = ev.u.idle;
		a->last_req_ms = mono_now_ms();
	} else if (ev.type == PROTO_EVT_BYE)
		app_event_bye(a, &ev.u.bye);
	else if (ev.type == PROTO_EVT_OFFCOUNT)
		model_hold_info(a->model, ev.u.offcount, msg->text);
	else if (ev.type == PROTO_EVT_INFO || ev.type == PROTO_EVT_UNDELIVERED)
		model_add_line(a->model, MODEL_LINE_INFO, "%s", msg->text);
	else {
		for (f = a->features; f != NULL && *f != NULL; f++)
			if ((*f)->event != NULL && (*f)->event(a, &ev))
				return;
		log_debug("event %s ignored", msg->code);
	}
}

/* "* BYE CODE TEXT": show it; the status is decided when the server closes. */
static void
app_event_bye(struct app *a, const struct proto_ev_code *bye)
{
	snprintf(a->bye, sizeof(a->bye), "%.*s", PROTO_CODE_MAX, bye->code);
	model_add_line(a->model, MODEL_LINE_INFO, "%s",
	    *bye->text != '\0' ? bye->text : bye->code);
	app_wipe(a);
	app_enter_state(a, APP_S_CLOSING);
}

/* The user name: check it, then LOGIN. */
void
app_input_user(struct app *a, const char *line)
{
	char args[PROTO_USER_MAX + 16];

	if (!proto_valid_user(line)) {
		model_add_line(a->model, MODEL_LINE_ERROR, "Error: a user name "
		    "is 1 to 32 letters, digits, '.', '_' or '-'");
		app_enter_state(a, APP_S_USER);
		return;
	}
	if (line != a->user)
		snprintf(a->user, sizeof(a->user), "%s", line);
	snprintf(args, sizeof(args), "%s %u", a->user, a->udp_port);
	if (app_send(a, APP_REQ_LOGIN, PROTO_V_LOGIN, args) == -1)
		app_finish(a, APP_EXIT_ERROR);
	else
		app_enter_state(a, APP_S_LOGIN);
}

/* A new password: keep it until it is confirmed. */
static void
app_input_newpass(struct app *a, const char *line)
{
	const char *why;

	if ((why = sanitize_password(line)) != NULL) {
		model_add_line(a->model, MODEL_LINE_ERROR, "Error: %s; it was "
		    "not sent", why);
		app_enter_state(a, APP_S_NEWPASS);
		return;
	}
	snprintf(a->newpass, sizeof(a->newpass), "%s", line);
	app_enter_state(a, APP_S_CONFIRM);
}

/* The new password again: REGISTER when both match. */
static void
app_input_confirm(struct app *a, const char *line)
{
	int r;

	if (strcmp(line, a->newpass) != 0) {
		app_wipe(a);
		model_add_line(a->model, MODEL_LINE_ERROR,
		    "Error: passwords do not match");
		app_enter_state(a, APP_S_NEWPASS);
		return;
	}
	r = app_send(a, APP_REQ_REGISTER, PROTO_V_REGISTER, a->newpass);
	/* Kept in memory for this run only, to log in again. */
	memcpy(a->pass, a->newpass, sizeof(a->pass));
	app_wipe(a);
	if (r == -1)
		app_finish(a, APP_EXIT_ERROR);
	else
		app_enter_state(a, APP_S_REGISTER);
}

/* One input line for whatever is being asked. */
void
app_input(struct app *a, char *line)
{
	switch (a->state) {
	case APP_S_USER:
		app_input_user(a, line);
		break;
	case APP_S_PASS:
		/*
		 * The password is sent as typed and never shown or logged;
		 * one the server cannot take is refused here, unsent.  It
		 * stays in memory for this run only, to log in again after
		 * a lost connection.
		 */
		if (sanitize_password(line) != NULL) {
			model_add_line(a->model, MODEL_LINE_ERROR, "Error: %s; "
			    "it was not sent", sanitize_password(line));
			app_enter_state(a, APP_S_PASS);
			break;
		}
		snprintf(a->pass, sizeof(a->pass), "%s", line);
		if (app_send(a, APP_REQ_PASS, PROTO_V_PASS, line) == -1)
			app_finish(a, APP_EXIT_ERROR);
		else
			app_enter_state(a, APP_S_PASS_SENT);
		break;
	case APP_S_NEWPASS:
		app_input_newpass(a, line);
		break;
	case APP_S_CONFIRM:
		app_input_confirm(a, line);
		break;
	case APP_S_ACTIVE:
		app_run_line(a, line);
		break;
	case APP_S_WAIT:
	case APP_S_DIAL:
	case APP_S_OFFLINE:
		app_reconn_input(a, line);
		break;
	default:
		if (a->relogin) {
			app_reconn_input(a, line);
			break;
		}
		log_debug("input line ignored in state %s",
		    app_state_names[a->state]);
		break;
	}
}

/* The input ended. */
void
app_input_eof(struct app *a)
{
	switch (a->state) {
	case APP_S_ACTIVE:
		app_logout(a);
		break;
	case APP_S_WAIT:
	case APP_S_DIAL:
	case APP_S_OFFLINE:
		app_finish(a, APP_EXIT_OK);
		break;
	case APP_S_LOGOUT:
	case APP_S_CLOSING:
	case APP_S_DONE:
		break;
	default:
		/* Login did not complete. */
		app_finish(a, APP_EXIT_LOGIN);
		break;
	}
}

/* Send a request with a payload whose reply goes to a hook. */
int
app_send_blob_hook(struct app *a, app_reply_hook *hook, void *arg,
    const char *verb, const char *args, const void *blob, size_t len)
{
	return app_send_hooked(a, hook, arg, verb, args, blob, len, true);
}

/* Bytes of requests not yet written. */
size_t
app_out_queued(const struct app *a)
{
	return a->net != NULL ? net_out_queued(a->net) : 0;
}

/* Requests waiting for their final reply. */
size_t
app_pending(const struct app *a)
{
	return a->net != NULL ? net_pending(a->net) : 0;
}
