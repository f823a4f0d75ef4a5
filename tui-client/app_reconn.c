/*
 * app_reconn.c - staying on after the connection goes: the retry timer
 * with backoff, logging in again with the password held in memory for
 * this run, the lines typed meanwhile, the offer to log in again after an
 * idle logout, and the status bar's words about all that and about the
 * coming idle logout.
 *
 * The socket code is net.c's (net_dial_*, net_new); this file only
 * decides when to call it and what the session does around it.  The
 * model (scrollback, users, prompt) and the screen stay as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "mono.h"
#include "app_int.h"
#include "log.h"
#include "model.h"

#define APP_IDLE_WARN_PCT 80	/* warn this far into the idle period */

/* Where to connect again, and when to. */
void
app_set_server(struct app *a, const char *host, const char *port,
    bool retry, bool offer)
{
	snprintf(a->host, sizeof(a->host), "%s", host);
	snprintf(a->port, sizeof(a->port), "%s", port);
	a->retry = retry;
	a->offer = offer;
}

/* A random 32-bit value for the jitter (getrandom, else the clock). */
static uint32_t
app_reconn_rnd(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)mono_now_ms() * 2654435761u;
	return r;
}

/* Let the connection go: pending replies will never come. */
static void
app_reconn_drop(struct app *a)
{
	/*
	 * Never freed here: this may run inside net_read's callback.  Its
	 * later lines are ignored (a->net is NULL) and app_readable frees it.
	 */
	if (a->net != NULL) {
		net_each_pending(a->net, app_free_pending_hook, NULL);
		net_free(a->dead);
		a->dead = a->net;
		a->net = NULL;
	}
	a->bye[0] = '\0';
	a->relogin = false;
	app_features_lost(a);
}

/* Set the next attempt and wait for it. */
static void
app_reconn_wait(struct app *a)
{
	reconn_schedule(&a->rc, mono_now_ms(), app_reconn_rnd());
	app_enter_state(a, APP_S_WAIT);
}

/* The connection is gone: retry later, or offer Enter after an idle logout. */
void
app_reconn_lost(struct app *a, const char *why)
{
	bool idle = strcmp(a->bye, "timeout") == 0;
	bool first = !a->resumed;

	app_reconn_drop(a);
	model_users_clear(a->model);
	a->resumed = true;
	if (idle) {
		app_reconn_offline(a, NULL);
		return;
	}
	if (first)
		model_add_line(a->model, MODEL_LINE_ERROR,
		    "Disconnected from the server%s%s; reconnecting",
		    why != NULL ? ": " : "", why != NULL ? why : "");
	app_reconn_wait(a);
}

/* Stop retrying: the user decides with Enter. */
void
app_reconn_offline(struct app *a, const char *why)
{
	app_reconn_drop(a);
	a->rc.attempt = 0;
	a->resumed = true;
	if (why != NULL)
		model_add_line(a->model, MODEL_LINE_ERROR, "%s", why);
	model_add_line(a->model, MODEL_LINE_INFO, "Not connected. "
	    "Press Enter to log in again as %s (/quit to leave).", a->user);
	app_enter_state(a, APP_S_OFFLINE);
}

/* An attempt failed (err): retry later, or stop for an untrusted server. */
static void
app_reconn_failed(struct app *a, const char *err)
{
	/* A certificate that is not the trusted one: never retried by
	   itself, never a fallback to plain. */
	if (net_refused()) {
		model_add_line(a->model, MODEL_LINE_ERROR, "Error: %s", err);
		app_reconn_offline(a, NULL);
		return;
	}
	snprintf(a->why, sizeof(a->why), "%.120s", err);
	app_reconn_wait(a);
}

/* Connected again on fd: the greeting starts the login. */
static void
app_reconn_connected(struct app *a, int fd)
{
	if ((a->net = net_new(fd, app_on_reply, app_on_event, a)) == NULL) {
		snprintf(a->why, sizeof(a->why), "%s", strerror(errno));
		close(fd);
		app_reconn_wait(a);
		return;
	}
	a->why[0] = '\0';
	a->bye[0] = '\0';
	a->relogin = true;
	app_enter_state(a, APP_S_GREETING);
	/* From the offer: the command line is back at once. */
	if (model_input(a->model) != MODEL_INPUT_COMMAND)
		model_set_prompt(a->model, MODEL_INPUT_COMMAND, NULL);
}

/*
 * One attempt now.  It connects in steps (APP_S_DIAL) inside the
 * frontend's poll loop, so that typing, scrolling and Ctrl-C go on while
 * a host that drops packets lets it wait (up to NET_CONNECT_TIMEOUT_MS
 * for each address and again for the TLS handshake).
 */
static void
app_reconn_try(struct app *a)
{
	char err[1024];

	net_free(a->dead);
	a->dead = NULL;
	if ((a->dial = net_dial_start(a->host, a->port, err,
	    sizeof(err))) == NULL) {
		app_reconn_failed(a, err);
		return;
	}
	app_enter_state(a, APP_S_DIAL);
	/* From the offer: the command line is back at once. */
	if (model_input(a->model) != MODEL_INPUT_COMMAND)
		model_set_prompt(a->model, MODEL_INPUT_COMMAND, NULL);
}

/* The attempt's socket saw revents (0: only time passed): one step. */
static void
app_reconn_dial(struct app *a, short revents)
{
	char err[1024];
	enum net_dial_status st;

	st = net_dial_step(a->dial, revents, err, sizeof(err));
	if (st == NET_DIAL_WAIT)
		return;
	if (st == NET_DIAL_DONE) {
		app_reconn_connected(a, net_dial_take(a->dial));
		a->dial = NULL;
		return;
	}
	net_dial_free(a->dial);
	a->dial = NULL;
	app_reconn_failed(a, err);
}

/* A line typed while not logged in to the server. */
void
app_reconn_input(struct app *a, const char *line)
{
	if (app_line_quits(a, line)) {
		model_add_line(a->model, MODEL_LINE_INFO, "Bye");
		app_finish(a, APP_EXIT_OK);
		return;
	}
	if (a->state == APP_S_OFFLINE) {
		a->rc.attempt = 0;
		app_reconn_try(a);
		return;
	}
	if (line[strspn(line, " ")] == '\0')
		return;
	if (reconn_push(&a->rc, line) == 0)
		model_add_line(a->model, MODEL_LINE_INFO, "(not connected: "
		    "sent after the login)");
	else
		model_add_line(a->model, MODEL_LINE_ERROR, "Error: not "
		    "connected and %d lines already wait; not sent: %.200s",
		    RECONN_QUEUE_MAX, line);
}

/* Run the attempt that is due, or move the one connecting on. */
void
app_reconn_timers(struct app *a, short revents)
{
	if (a->state == APP_S_DIAL && a->dial != NULL)
		app_reconn_dial(a, revents);
	else if (a->state == APP_S_WAIT && mono_now_ms() >= a->rc.at_ms)
		app_reconn_try(a);
}

/* When the idle warning starts (0: no warning). */
static int64_t
app_reconn_warn_at(const struct app *a)
{
	if (a->state != APP_S_ACTIVE || a->idle_s <= 0)
		return 0;
	return a->last_req_ms + (int64_t)a->idle_s * 10 * APP_IDLE_WARN_PCT;
}

/* Milliseconds to the next attempt or to the idle warning. */
int
app_reconn_timeout(const struct app *a)
{
	int64_t now = mono_now_ms(), at;

	if (a->state == APP_S_DIAL && a->dial != NULL)
		return net_dial_timeout(a->dial);
	if (a->state == APP_S_WAIT)
		at = a->rc.at_ms;
	else if ((at = app_reconn_warn_at(a)) == 0 || at < now)
		return -1;
	return at <= now ? 0 : at - now > 86400000 ? 86400000 :
	    (int)(at - now);
}

/* Logged in again: say so, then the lines typed meanwhile, in order. */
void
app_reconn_done(struct app *a)
{
	char *line;

	a->resumed = false;
	a->rc.attempt = 0;
	model_add_line(a->model, MODEL_LINE_INFO, "reconnected");
	while (a->state == APP_S_ACTIVE && (line = reconn_pop(&a->rc)) != NULL) {
		app_run_line(a, line);
		free(line);
	}
}

/*
 * Logging in again was refused.  A wrong password asks for it; a block or
 * a vanished account stops and offers Enter; a name still in use (the
 * server has not noticed the old connection yet) or a failing server is
 * tried again later.
 */
void
app_reconn_refused(struct app *a, const struct proto_msg *msg)
{
	char why[PROTO_LINE_MAX];

	snprintf(why, sizeof(why), "Error: %s", msg->text[0] != '\0' ?
	    msg->text : msg->kind == PROTO_MSG_ERR ? msg->code :
	    "the server does not know this account any more");
	if (msg->kind == PROTO_MSG_ERR &&
	    strcmp(msg->code, PROTO_E_AUTH) == 0) {
		a->relogin = false;
		explicit_bzero(a->pass, sizeof(a->pass));
		model_add_line(a->model, MODEL_LINE_ERROR, "%s", why);
		app_enter_state(a, APP_S_PASS);
	} else if (msg->kind == PROTO_MSG_ERR &&
	    (strcmp(msg->code, PROTO_E_INUSE) == 0 ||
	    strcmp(msg->code, PROTO_E_IO) == 0 ||
	    strcmp(msg->code, PROTO_E_STATE) == 0)) {
		snprintf(a->why, sizeof(a->why), "%.120s", why + 7);
		app_reconn_drop(a);
		app_reconn_wait(a);
	} else
		app_reconn_offline(a, why);
}

/* The frontend's window commands. */
void
app_set_ui(struct app *a, app_ui_fn *fn, void *arg)
{
	a->ui_fn = fn;
	a->ui_arg = arg;
}

/* Run a window command in the frontend, if there is one. */
bool
app_ui_command(struct app *a, const char *word, int argc, char **argv)
{
	return a->ui_fn != NULL && a->ui_fn(a->ui_arg, word, argc, argv);
}

/* The status bar's words about the connection. */
bool
app_status(const struct app *a, char *buf, size_t len)
{
	int64_t now = mono_now_ms(), warn = app_reconn_warn_at(a), left;

	buf[0] = '\0';
	if (a->state == APP_S_WAIT)
		snprintf(buf, len, "disconnected \u2014 reconnecting in %d s "
		    "(attempt %d)", reconn_seconds_left(&a->rc, now),
		    a->rc.attempt);
	else if (a->state == APP_S_DIAL)
		snprintf(buf, len, "connecting to the server (attempt %d)",
		    a->rc.attempt);
	else if (a->relogin)
		snprintf(buf, len, "reconnecting (attempt %d)",
		    a->rc.attempt);
	else if (a->state == APP_S_OFFLINE)
		snprintf(buf, len, "not connected \u2014 Enter logs in again");
	else if (warn != 0 && now >= warn) {
		left = a->last_req_ms + (int64_t)a->idle_s * 1000 - now;
		snprintf(buf, len, "idle: logged out in %lld s without a "
		    "command", left > 0 ? (long long)(left + 999) / 1000 : 0);
	}
	return buf[0] != '\0';
}
