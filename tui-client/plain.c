/*
 * plain.c - the plain frontend: one ppoll() loop over the server socket
 * and standard input.  Every model line is written to standard output at
 * once; questions ("Username:", "Password:") are written as lines too.
 *
 * Standard input is read only while the app wants a line, so that a piped
 * script is answered step by step; the socket is always watched, so that
 * events are shown as they come.  Standard input stays blocking (it may be
 * shared with other processes); poll() says when a read will not block.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "log.h"
#include "sig.h"
#include "p2p.h"
#include "plain.h"
#include "progress.h"

/* Bytes of standard input held while a line is incomplete. */
#define PLAIN_IN_MAX	PROTO_LINE_MAX
/* A running transfer's progress line at most this often. */
#define PLAIN_XFER_MS	250

struct plain {
	struct app	*app;
	struct model	*model;
	char		 in[PLAIN_IN_MAX];
	size_t		 len;
	bool		 skipping;	/* dropping the rest of a long line */
	bool		 eof;		/* standard input ended */
	bool		 eof_told;	/* app_input_eof called */
	bool		 tty;		/* standard input is a terminal */
	bool		 echo_off;	/* terminal echo disabled by us */
	struct termios	 saved;		/* terminal settings to restore */
	struct {
		int	 id;		/* 0: free */
		int64_t	 last_ms;	/* when its last line was written */
	} xfer_shown[MODEL_XFER_MAX];
};

static volatile sig_atomic_t plain_signals;

static void	 plain_on_signal(int sig);
static void	 plain_on_line(void *arg, const struct model_line *line);
static void	 plain_on_prompt(void *arg);
static void	 plain_on_xfer(void *arg, const struct model_xfer *x,
		     bool ended);
static void	 plain_set_echo(struct plain *p, bool on);
static int	 plain_take_line(struct plain *p, char *out);
static void	 plain_read_stdin(struct plain *p);
static void	 plain_feed(struct plain *p);

/* Count SIGINT/SIGTERM/SIGHUP; the loop acts on them. */
static void
plain_on_signal(int sig)
{
	plain_signals++;
}

/* Show a model line at once. */
static void
plain_on_line(void *arg, const struct model_line *line)
{
	fputs(line->text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Show a question as a line, with the terminal's echo off for secrets. */
static void
plain_on_prompt(void *arg)
{
	struct plain *p = arg;
	enum model_input in = model_input(p->model);

	if (in == MODEL_INPUT_NONE)
		return;
	plain_set_echo(p, in != MODEL_INPUT_SECRET);
	if (in == MODEL_INPUT_ASK || in == MODEL_INPUT_SECRET) {
		fputs(model_prompt(p->model), stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
}

/*
 * A progress line for a running transfer, at most every PLAIN_XFER_MS
 * per transfer ("UED 1: 45% 12.0 MB of 26.7 MB, 3.1 MB/s, 5 s left"),
 * and always a last one when it ends.
 */
static void
plain_on_xfer(void *arg, const struct model_xfer *x, bool ended)
{
	struct plain *p = arg;
	char line[PROGRESS_TEXT_MAX + MODEL_XFER_LABEL_MAX];
	int64_t now = mono_now_ms();
	size_t i, slot = MODEL_XFER_MAX;

	for (i = 0; i < MODEL_XFER_MAX; i++) {
		if (p->xfer_shown[i].id == x->id)
			break;
		if (p->xfer_shown[i].id == 0 && slot == MODEL_XFER_MAX)
			slot = i;
	}
	if (i < MODEL_XFER_MAX)
		slot = i;
	else if (slot < MODEL_XFER_MAX) {
		/* New: its first line waits a full interval (no "0%" spam). */
		p->xfer_shown[slot].id = x->id;
		p->xfer_shown[slot].last_ms = now;
	}
	if (ended) {
		if (slot < MODEL_XFER_MAX)
			p->xfer_shown[slot].id = 0;
	} else if (slot == MODEL_XFER_MAX ||
	    now - p->xfer_shown[slot].last_ms < PLAIN_XFER_MS)
		return;
	else
		p->xfer_shown[slot].last_ms = now;
	progress_line(x, ended, line, sizeof(line));
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Turn the terminal's echo on or off (only when stdin is a terminal). */
static void
plain_set_echo(struct plain *p, bool on)
{
	struct termios t;

	if (!p->tty || on != p->echo_off)
		return;
	if (on) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &p->saved);
		p->echo_off = false;
		return;
	}
	if (tcgetattr(STDIN_FILENO, &p->saved) == -1)
		return;
	t = p->saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		p->echo_off = true;
}

/*
 * Take the next complete line from the input buffer into out (at least
 * PLAIN_LINE_MAX + 1 bytes).  Returns 1 with a line, 0 when more input is
 * needed.  A line over PLAIN_LINE_MAX is reported once and skipped.
 */
static int
plain_take_line(struct plain *p, char *out)
{
	char *nl;
	size_t n;

	for (;;) {
		nl = memchr(p->in, '\n', p->len);
		if (nl == NULL) {
			if (p->skipping) {
				p->len = 0;
				if (p->eof)
					p->skipping = false;
				return 0;
			}
			if (p->len > PLAIN_LINE_MAX) {
				model_add_line(p->model, MODEL_LINE_ERROR,
				    "Error: line too long");
				p->skipping = true;
				p->len = 0;
				continue;
			}
			if (!p->eof || p->len == 0)
				return 0;
			/* A last line without LF. */
			n = p->len;
			memcpy(out, p->in, n);
			p->len = 0;
		} else {
			n = (size_t)(nl - p->in);
			if (p->skipping || n > PLAIN_LINE_MAX) {
				if (!p->skipping)
					model_add_line(p->model,
					    MODEL_LINE_ERROR,
					    "Error: line too long");
				p->skipping = false;
				memmove(p->in, nl + 1, p->len - n - 1);
				p->len -= n + 1;
				continue;
			}
			memcpy(out, p->in, n);
			memmove(p->in, nl + 1, p->len - n - 1);
			p->len -= n + 1;
		}
		if (n > 0 && out[n - 1] == '\r')
			n--;
		out[n] = '\0';
		return 1;
	}
}

/* Read what standard input has (poll said it will not block). */
static void
plain_read_stdin(struct plain *p)
{
	ssize_t r;

	/* plain_take_line keeps len <= PLAIN_LINE_MAX < sizeof(in). */
	r = read(STDIN_FILENO, p->in + p->len, sizeof(p->in) - p->len);
	if (r == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("standard input");
		p->eof = true;
		return;
	}
	if (r == 0)
		p->eof = true;
	else
		p->len += (size_t)r;
}

/* Hand buffered lines to the app while it wants them; then end of input. */
static void
plain_feed(struct plain *p)
{
	char line[PLAIN_LINE_MAX + 1];

	while (app_wants_input(p->app)) {
		if (plain_take_line(p, line) == 1) {
			app_input(p->app, line);
			explicit_bzero(line, sizeof(line));
			continue;
		}
		/* A script's files to peers are sent before it logs out. */
		if (p->eof && !p->eof_told && !p2p_sending()) {
			p->eof_told = true;
			app_input_eof(p->app);
		}
		break;
	}
}

/* Run the client in plain mode until it is done. */
int
plain_run(struct app *a, struct model *m)
{
	struct plain p;
	struct model_cbs cbs = {
		.on_line = plain_on_line,
		.on_prompt = plain_on_prompt,
		.on_xfer = plain_on_xfer,
		.arg = &p,
	};
	sigset_t old;
	struct pollfd fds[APP_POLL_MAX + 1];
	struct timespec ts;
	int status = APP_EXIT_ERROR, handled = 0, r, n, ms;
	int64_t sig_checked = 0;

	memset(&p, 0, sizeof(p));
	p.app = a;
	p.model = m;
	p.tty = isatty(STDIN_FILENO) == 1;
	model_set_cbs(m, &cbs);

	/* Signals are blocked except inside ppoll(): no lost wake-up. */
	if (sig_setup(plain_on_signal, 0, &old) == -1)
		sigprocmask(SIG_BLOCK, NULL, &old);

	for (;;) {
		if (plain_signals > handled) {
			/* First: log out as at end of input; second: quit. */
			if (handled++ > 0 || p.eof_told)
				break;
			p.eof = p.eof_told = true;
			app_input_eof(a);
		}
		app_pump(a);
		plain_feed(&p);
		if (app_done(a, &status))
			break;
		app_flush(a);
		if (app_done(a, &status))
			break;

		n = app_poll_fill(a, fds, APP_POLL_MAX);
		fds[n].fd = app_wants_input(a) && !p.eof ? STDIN_FILENO : -1;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		ms = app_poll_timeout(a);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		r = ppoll(fds, (nfds_t)n + 1, ms < 0 ? NULL : &ts, &old);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("ppoll");
			break;
		}
		/* ppoll() lets a signal in only when it would sleep: a
		   server that floods would keep SIGTERM out for good. */
		if (r > 0)
			sig_deliver_busy(&old, &sig_checked);
		app_poll_done(a, fds, n);
		if (fds[n].revents != 0 && !app_done(a, NULL))
			plain_read_stdin(&p);
	}

	plain_set_echo(&p, true);
	sigprocmask(SIG_SETMASK, &old, NULL);
	memset(&cbs, 0, sizeof(cbs));
	model_set_cbs(m, &cbs);
	explicit_bzero(p.in, sizeof(p.in));
	return status;
}
