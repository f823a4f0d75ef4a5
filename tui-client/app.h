/*
 * app.h - the client's logic, the same for every frontend: the login
 * steps, command lines through the command table, and replies and events
 * turned into model lines.
 *
 * A frontend (plain.c, or the screen in ui.c) owns the loop: before each
 * poll it calls app_pump() and app_flush(), fills the descriptors with
 * app_poll_fill() (the server socket, the feature modules' sockets) and
 * waits at most app_poll_timeout(); after it, app_poll_done() reads,
 * writes and runs timers.  It hands every input line to app_input() and
 * end of input to app_input_eof(), shows what the model reports, and
 * stops when app_done() says so.
 */
#ifndef APP_H
#define APP_H

#include <poll.h>
#include <stdbool.h>

#include "model.h"

/* Exit statuses of the client. */
#define APP_EXIT_OK	0	/* normal logout, idle timeout */
#define APP_EXIT_ERROR	1	/* connection lost, protocol or server errors */
#define APP_EXIT_LOGIN	2	/* login failed, blocked, input ended first,
				   TLS server not trusted */

/* Kinds of request, so that each reply reaches its handler. */
enum app_req {
	APP_REQ_HELLO = 0,
	APP_REQ_LOGIN,
	APP_REQ_PASS,
	APP_REQ_REGISTER,
	APP_REQ_LOGOUT,
	APP_REQ_HOOK,		/* reply goes to an app_reply_hook */
	APP_REQ_COUNT
};

struct app;
struct feature;

/*
 * A client on the connected socket fd (the app owns it from now on), that
 * tells the server it listens on udp_port, writes into m and asks the
 * feature modules in features (feature.h; NULL-ended, kept) for events,
 * typed lines, descriptors and timers.  NULL on failure (fd is then
 * still the caller's).
 */
struct app	*app_new(struct model *m, int fd, unsigned udp_port,
		     const struct feature *const *features);
/*
 * Where to connect again (net_connect's host and port) after a lost
 * connection or a server shutdown when retry is true (the screen; plain
 * mode with --reconnect), and whether an idle logout offers to log in
 * again with Enter (offer: the screen) instead of ending the program.
 */
void		 app_set_server(struct app *a, const char *host,
		     const char *port, bool retry, bool offer);
/*
 * What the status bar should say about the connection now, into buf:
 * "disconnected - reconnecting in N s (attempt K)", the idle warning, or
 * "" when all is well.  Returns true when something is said (the screen
 * then redraws every second).
 */
bool		 app_status(const struct app *a, char *buf, size_t len);
/*
 * Commands of the frontend's windows (/query, /close, /clear, /me): the
 * screen registers fn, which returns false for a word it does not know.
 */
typedef bool app_ui_fn(void *arg, const char *word, int argc, char **argv);
void		 app_set_ui(struct app *a, app_ui_fn *fn, void *arg);
/* Run one; false when no frontend takes it (plain mode). */
bool		 app_ui_command(struct app *a, const char *word, int argc,
		     char **argv);
/* Close the connection and free the app (not the model). */
void		 app_free(struct app *a);

/* The server socket, and whether output is waiting for POLLOUT. */
int		 app_fd(const struct app *a);
bool		 app_wants_write(const struct app *a);
/* Write queued requests; a failed write ends the session. */
void		 app_flush(struct app *a);
/* The server socket is readable (or hung up): read and handle lines. */
void		 app_readable(struct app *a);

/*
 * True when the next input line is wanted: something is asked (see
 * model_input), no request is waiting for its reply and no upload runs
 * (edge_busy).  Plain mode reads
 * only then, so that scripts run in a fixed order.
 */
bool		 app_wants_input(const struct app *a);
/* One input line (without its LF), for whatever is being asked. */
void		 app_input(struct app *a, char *line);
/* The input ended: log out when logged in, else give up the login. */
void		 app_input_eof(struct app *a);
/* True when the client should stop; *status is then the exit status. */
bool		 app_done(const struct app *a, int *status);

/* For command handlers (cmds.c). */
struct model	*app_model(struct app *a);
/* Send a request of that kind; 0, or -1 after showing why it failed. */
int		 app_send(struct app *a, enum app_req kind, const char *verb,
		     const char *args);
/*
 * A handler for the reply lines of one request: data lines, then the
 * final OK or ERR (msg->kind says which).  Modules with requests of their
 * own use it instead of adding a kind here.
 */
typedef void app_reply_hook(struct app *a, void *arg,
    const struct proto_msg *msg);
/* Send a request whose reply goes to hook(a, arg, ...); 0 or -1 (shown). */
int		 app_send_hook(struct app *a, app_reply_hook *hook, void *arg,
		     const char *verb, const char *args);
/*
 * The poll interface every frontend uses.  app_poll_fill() puts the
 * descriptors the client needs watched into pfd (the server socket first;
 * later peer-to-peer sockets) and returns how many; the frontend adds its
 * own (the keyboard) after them, waits at most app_poll_timeout() ms (-1:
 * no limit) and hands the same array back to app_poll_done(), which reads,
 * writes and runs timers.
 */
#define APP_POLL_MAX	100
int		 app_poll_fill(struct app *a, struct pollfd *pfd, int max);
int		 app_poll_timeout(struct app *a);
void		 app_poll_done(struct app *a, const struct pollfd *pfd, int n);

/* Show a final reply: its text, or "Error: TEXT" for an ERR. */
void		 app_show_reply(struct app *a, const struct proto_msg *msg);
/* Send LOGOUT and quit once it is answered. */
void		 app_logout(struct app *a);

/*
 * Work that moves on without input or replies (the edge uploader queues
 * its next chunks): frontends call it once per loop pass, before reading
 * input and before polling.
 */
void		 app_pump(struct app *a);
/* app_send_hook with a binary payload of len <= PROTO_BLOB_MAX bytes. */
int		 app_send_blob_hook(struct app *a, app_reply_hook *hook,
		     void *arg, const char *verb, const char *args,
		     const void *blob, size_t len);
/* Bytes of requests queued and not yet written; requests unanswered. */
size_t		 app_out_queued(const struct app *a);
size_t		 app_pending(const struct app *a);

#endif /* APP_H */
