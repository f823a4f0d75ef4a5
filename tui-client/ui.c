/*
 * ui.c - the screen's loop, keys and input line.
 *
 * One ppoll() over the server socket, the terminal and a pipe that catches
 * our own log lines (stderr would scribble over the screen).  Keys are
 * read without blocking and looked up in ui_keys[]; printable characters
 * go into the input line.  Model callbacks only mark the screen dirty, and
 * ui_draw() runs at most once per pass; progress alone redraws at most
 * every UI_XFER_MS, so a fast transfer never starves typing.
 *
 * Questions (model_input() ASK or SECRET) take the input line: a command
 * being typed is put aside and comes back once the question is answered.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "mono.h"
#include "ask.h"
#include "cmds.h"
#include "log.h"
#include "sig.h"
#include "ui.h"
#include "ui_priv.h"

#define UI_ESCDELAY_MS	50	/* wait for the rest of an escape sequence */
#define UI_LOG_MAX	1024	/* bytes of one caught log line */
#define UI_GONE_MS	5000	/* terminal gone: wait this long for logout */
#define UI_SWALLOW_MS	2000	/* "es" / "o" + Enter after a one-key answer */

typedef void ui_key_fn(struct ui *u);

/* A key binding: a curses KEY_* code, or a character (controls). */
struct ui_key {
	int		 key;
	bool		 fkey;		/* key is a KEY_* code */
	ui_key_fn	*fn;
	const char	*help;		/* for F1; NULL: not listed */
};

static ui_key_fn ui_key_enter, ui_key_left, ui_key_right, ui_key_home,
    ui_key_end, ui_key_backspace, ui_key_delete, ui_key_ctrl_d,
    ui_key_kill_start, ui_key_kill_end, ui_key_kill_word, ui_key_up,
    ui_key_down, ui_key_pgup, ui_key_pgdn, ui_key_line_up, ui_key_line_down,
    ui_key_tab, ui_key_redraw, ui_key_interrupt, ui_key_resize, ui_key_help;

#define CTRL(c)	((c) & 0x1f)

/* Every key the screen knows; anything else printable is typed. */
static const struct ui_key ui_keys[] = {
	{ '\r', false, ui_key_enter, "Enter: send the line / answer" },
	{ '\n', false, ui_key_enter, NULL },
	{ KEY_ENTER, true, ui_key_enter, NULL },
	{ '\t', false, ui_key_tab,
	    "Tab: complete a command or user name (again: next)" },
	{ KEY_LEFT, true, ui_key_left, "Left/Right, Ctrl-B/F: move" },
	{ KEY_RIGHT, true, ui_key_right, NULL },
	{ CTRL('b'), false, ui_key_left, NULL },
	{ CTRL('f'), false, ui_key_right, NULL },
	{ KEY_HOME, true, ui_key_home, "Home/End, Ctrl-A/E: start/end" },
	{ KEY_END, true, ui_key_end, NULL },
	{ CTRL('a'), false, ui_key_home, NULL },
	{ CTRL('e'), false, ui_key_end, NULL },
	{ KEY_BACKSPACE, true, ui_key_backspace,
	    "Backspace/Delete: delete a character" },
	{ 0x7f, false, ui_key_backspace, NULL },
	{ CTRL('h'), false, ui_key_backspace, NULL },
	{ KEY_DC, true, ui_key_delete, NULL },
	{ CTRL('d'), false, ui_key_ctrl_d,
	    "Ctrl-D: delete; on an empty line, like Ctrl-C" },
	{ CTRL('u'), false, ui_key_kill_start,
	    "Ctrl-U: delete to the start of the line" },
	{ CTRL('k'), false, ui_key_kill_end, "Ctrl-K: delete to the end" },
	{ CTRL('w'), false, ui_key_kill_word, "Ctrl-W: delete a word" },
	{ CTRL('y'), false, ui_alt_yank,
	    "Ctrl-Y: put back what Ctrl-U/K/W, Alt-D/Backspace cut" },
	{ KEY_UP, true, ui_key_up, "Up/Down: history" },
	{ KEY_DOWN, true, ui_key_down, NULL },
	{ CTRL('p'), false, ui_alt_prev_win, NULL },
	{ CTRL('n'), false, ui_alt_next_win, NULL },
	{ 0x1b, false, ui_alt_esc, NULL },
	{ KEY_PPAGE, true, ui_key_pgup,
	    "PgUp/PgDn: scroll messages (Shift-Up/Down: a line)" },
	{ KEY_NPAGE, true, ui_key_pgdn, NULL },
	{ KEY_SR, true, ui_key_line_up, NULL },
	{ KEY_SF, true, ui_key_line_down, NULL },
	{ CTRL('l'), false, ui_key_redraw, "Ctrl-L: redraw the screen" },
	{ CTRL('c'), false, ui_key_interrupt,
	    "Ctrl-C: twice within 2 s: log out and quit" },
	{ KEY_RESIZE, true, ui_key_resize, NULL },
	{ KEY_F(1), true, ui_key_help, "F1: this list" },
};

static volatile sig_atomic_t ui_signals;
static SCREEN	*ui_screen;		/* the terminal, while the screen runs */

/* Count SIGTERM/SIGHUP/SIGINT; the loop acts on them. */
static void
ui_on_signal(int sig)
{
	ui_signals++;
}

/* A new model line: redraw. */
static void
ui_on_line(void *arg, const struct model_line *line)
{
	struct ui *u = arg;

	ui_win_on_line(u, line);
	u->dirty = true;
}

/* The user list changed: redraw. */
static void
ui_on_users(void *arg)
{
	struct ui *u = arg;

	u->dirty = true;
}

/* Progress: redraw soon; a start or an end: now (the layout changes). */
static void
ui_on_xfer(void *arg, const struct model_xfer *x, bool ended)
{
	struct ui *u = arg;

	if (ended || x->done == 0)
		u->dirty = true;
	else
		u->xfer_dirty = true;
}

/*
 * The question changed.  A command line being typed when a question
 * comes is put aside and restored when command input is back.
 */
static void
ui_on_prompt(void *arg)
{
	struct ui *u = arg;
	enum model_input now = model_input(u->m);

	if ((now == MODEL_INPUT_ASK || now == MODEL_INPUT_SECRET) &&
	    u->mode != MODEL_INPUT_ASK && u->mode != MODEL_INPUT_SECRET &&
	    u->in.len > 0 && !u->stashed) {
		snprintf(u->stash, sizeof(u->stash), "%s", u->in.buf);
		u->stashed = true;
		input_clear(&u->in);
	} else if (now == MODEL_INPUT_COMMAND && u->stashed) {
		input_set(&u->in, u->stash);
		explicit_bzero(u->stash, sizeof(u->stash));
		u->stashed = false;
	}
	u->mode = now;
	u->dirty = true;
}

/* True when the question is answered with one key, y or n. */
static bool
ui_is_yes_no(const struct ui *u)
{
	const char *p = model_prompt(u->m);

	return model_input(u->m) == MODEL_INPUT_ASK &&
	    (strstr(p, "(y/n)") != NULL || strstr(p, "[y/n]") != NULL);
}

/* Remember names given to commands that take a user, for completion. */
static void
ui_touch_names(struct ui *u, const char *line)
{
	char copy[INPUT_LINE_MAX + 64], *word, *name, *save = NULL;
	const struct cmds_entry *e;

	snprintf(copy, sizeof(copy), "%s", line);
	if ((word = strtok_r(copy, " ", &save)) == NULL ||
	    (e = cmds_find(word)) == NULL ||
	    strncmp(e->args, "USER", 4) != 0 ||
	    (name = strtok_r(NULL, " ", &save)) == NULL)
		return;
	if (proto_valid_user(name) && strcmp(name, model_self(u->m)) != 0)
		model_recent_touch(u->m, name);
}

/* Hand a finished line to the app, echoing what is not secret. */
static void
ui_submit(struct ui *u, const char *text)
{
	char line[INPUT_LINE_MAX + 64];	/* room for "/msgto USER " */
	enum model_input mode = model_input(u->m);

	snprintf(line, sizeof(line), "%s", text);
	input_clear(&u->in);
	if (mode == MODEL_INPUT_COMMAND) {
		input_history_add(&u->in, line);
		/* Conversation text is echoed as our own line instead. */
		if (line[strspn(line, " ")] != '\0' &&
		    (u->wins.cur == 0 || line[strspn(line, " ")] == '/'))
			model_add_line(u->m, MODEL_LINE_INFO, "> %s", line);
		ui_touch_names(u, line);
		if (!ui_win_submit(u, line, sizeof(line))) {
			explicit_bzero(line, sizeof(line));
			u->dirty = true;
			return;
		}
	} else if (mode == MODEL_INPUT_ASK && ui_is_yes_no(u))
		/* The question itself is in the pane already (ask.c). */
		model_add_line(u->m, MODEL_LINE_INFO, "  answered %s",
		    (line[0] | 0x20) == 'y' ? "yes" :
		    (line[0] | 0x20) == 'n' ? "no" : line);
	else if (mode == MODEL_INPUT_ASK)
		model_add_line(u->m, MODEL_LINE_INFO, "%s %s",
		    model_prompt(u->m), line);
	pane_follow(ui_pane(u));
	if (mode == MODEL_INPUT_COMMAND)
		ui_win_send(u, line);
	else
		app_input(u->app, line);
	explicit_bzero(line, sizeof(line));
	u->dirty = true;
}

/* Enter: send the line, unless nothing is asked yet (it is kept). */
static void
ui_key_enter(struct ui *u)
{
	if (model_input(u->m) == MODEL_INPUT_NONE) {
		snprintf(u->note, sizeof(u->note), "wait...");
		return;
	}
	ui_submit(u, u->in.buf);
}

/* Cursor and editing keys. */
static void
ui_key_left(struct ui *u)
{
	input_left(&u->in);
}

/* Right arrow. */
static void
ui_key_right(struct ui *u)
{
	input_right(&u->in);
}

/* Home. */
static void
ui_key_home(struct ui *u)
{
	input_home(&u->in);
}

/* End. */
static void
ui_key_end(struct ui *u)
{
	input_end(&u->in);
}

/* Backspace. */
static void
ui_key_backspace(struct ui *u)
{
	input_backspace(&u->in);
}

/* Delete. */
static void
ui_key_delete(struct ui *u)
{
	input_delete(&u->in);
}

/* Ctrl-D: delete, or log out on an empty command line. */
static void
ui_key_ctrl_d(struct ui *u)
{
	if (u->in.len == 0 && model_input(u->m) == MODEL_INPUT_COMMAND)
		ui_alt_interrupt(u);
	else
		input_delete(&u->in);
}

/* Ctrl-U. */
static void
ui_key_kill_start(struct ui *u)
{
	input_kill_start(&u->in);
	if (model_input(u->m) == MODEL_INPUT_SECRET)
		input_kill_forget(&u->in);
}

/* Ctrl-K. */
static void
ui_key_kill_end(struct ui *u)
{
	input_kill_end(&u->in);
	if (model_input(u->m) == MODEL_INPUT_SECRET)
		input_kill_forget(&u->in);
}

/* Ctrl-W. */
static void
ui_key_kill_word(struct ui *u)
{
	input_kill_word(&u->in);
	if (model_input(u->m) == MODEL_INPUT_SECRET)
		input_kill_forget(&u->in);
}

/* Up: older history, for command lines only (never answers). */
static void
ui_key_up(struct ui *u)
{
	if (model_input(u->m) == MODEL_INPUT_COMMAND)
		input_history_prev(&u->in);
}

/* Down: newer history. */
static void
ui_key_down(struct ui *u)
{
	if (model_input(u->m) == MODEL_INPUT_COMMAND)
		input_history_next(&u->in);
}

/* Scroll the message pane by n rows (> 0: back). */
static void
ui_scroll(struct ui *u, int n)
{
	const struct ui_rect *r;

	ui_layout(u);
	r = &u->rect[UI_VIEW_PANE];
	pane_scroll(ui_pane(u), ui_lines(u), r->w, r->h, n);
}

/* PgUp: a page back, keeping one row of context. */
static void
ui_key_pgup(struct ui *u)
{
	int h = u->rect[UI_VIEW_PANE].h;

	ui_scroll(u, h > 2 ? h - 1 : 1);
}

/* PgDn: a page forward. */
static void
ui_key_pgdn(struct ui *u)
{
	int h = u->rect[UI_VIEW_PANE].h;

	ui_scroll(u, -(h > 2 ? h - 1 : 1));
}

/* Shift-Up: one row back. */
static void
ui_key_line_up(struct ui *u)
{
	ui_scroll(u, 1);
}

/* Shift-Down: one row forward. */
static void
ui_key_line_down(struct ui *u)
{
	ui_scroll(u, -1);
}

/* The candidates for Tab: command words first in a line, else names. */
static size_t
ui_candidates(struct ui *u)
{
	const struct cmds_entry *e;
	const struct model_user *usr;
	size_t n = 0, max = sizeof(u->cands) / sizeof(u->cands[0]), i, j;
	const char *self = model_self(u->m);

	if (input_at_first_word(&u->in)) {
		for (i = 0; (e = cmds_at(i)) != NULL; i++)
			for (j = 0; e->words[j] != NULL && n < max; j++)
				u->cands[n++] = e->words[j];
		return n;
	}
	/* Names: most recent first, then the others by newest login. */
	for (i = 0; i < model_recent_count(u->m) && n < max; i++)
		if (strcmp(model_recent_at(u->m, i), self) != 0)
			u->cands[n++] = model_recent_at(u->m, i);
	for (i = model_user_count(u->m); i > 0 && n < max; i--) {
		usr = model_user_at(u->m, i - 1);
		u->cands[n++] = usr->name;
	}
	return n;
}

/* Tab: complete, listing the matches when there are several. */
static void
ui_key_tab(struct ui *u)
{
	size_t n, i, off;

	if (model_input(u->m) != MODEL_INPUT_COMMAND)
		return;
	n = input_complete(&u->in, u->cands, ui_candidates(u), true);
	if (n == 0) {
		snprintf(u->note, sizeof(u->note), "no completion");
		beep();
		return;
	}
	if (n == 1)
		return;
	off = (size_t)snprintf(u->note, sizeof(u->note), "Tab:");
	for (i = 0; i < u->in.comp_n && off < sizeof(u->note); i++)
		off += (size_t)snprintf(u->note + off, sizeof(u->note) - off,
		    " %s", u->in.comp[i]);
}

/* Ctrl-L: repaint everything. */
static void
ui_key_redraw(struct ui *u)
{
	clearok(curscr, TRUE);
}

/* Ctrl-C: asks first; see ui_alt_interrupt. */
static void
ui_key_interrupt(struct ui *u)
{
	ui_alt_interrupt(u);
}

/* The terminal changed size: curses knows; lay out again. */
static void
ui_key_resize(struct ui *u)
{
	ui_layout(u);
}

/* F1: the key list, from the table. */
static void
ui_key_help(struct ui *u)
{
	size_t i;

	model_add_line(u->m, MODEL_LINE_INFO, "Keys:");
	for (i = 0; i < sizeof(ui_keys) / sizeof(ui_keys[0]); i++)
		if (ui_keys[i].help != NULL)
			model_add_line(u->m, MODEL_LINE_INFO, "  %s",
			    ui_keys[i].help);
	ui_alt_help(u);
	model_add_line(u->m, MODEL_LINE_INFO,
	    "Type /help for the commands.");
	pane_follow(ui_pane(u));
}

/* A character typed: a y/n question takes it as the answer. */
static void
ui_type(struct ui *u, wint_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (u->in.len == 0 && ui_is_yes_no(u) &&
	    (wc == L'y' || wc == L'Y' || wc == L'n' || wc == L'N')) {
		mb[0] = (char)(wc == L'Y' ? 'y' : wc == L'N' ? 'n' : wc);
		mb[1] = '\0';
		u->swallow = mb[0] == 'y' ? "es" : "o";
		u->swallow_until = mono_now_ms() + UI_SWALLOW_MS;
		ui_submit(u, mb);
		return;
	}
	memset(&st, 0, sizeof(st));
	if ((n = wcrtomb(mb, (wchar_t)wc, &st)) == (size_t)-1)
		return;
	if (input_insert(&u->in, mb, n) == -1) {
		snprintf(u->note, sizeof(u->note), "line full");
		beep();
	}
}

/* One key from curses. */
static void
ui_key(struct ui *u, int r, wint_t wc)
{
	bool fkey = r == KEY_CODE_YES;
	size_t i;

	u->dirty = true;
	if (u->hold) {
		if (wc != KEY_RESIZE || !fkey)
			u->quit = true;
		return;
	}
	if (!fkey || wc != KEY_RESIZE)
		u->note[0] = '\0';
	if (ui_paste_key(u, fkey, wc) || ui_swallow(u, fkey, wc) ||
	    ui_alt_key(u, fkey, wc))
		return;
	for (i = 0; i < sizeof(ui_keys) / sizeof(ui_keys[0]); i++) {
		if (ui_keys[i].fkey == fkey && (wint_t)ui_keys[i].key == wc) {
			ui_keys[i].fn(u);
			return;
		}
	}
	if (!fkey && wc >= 0x20 && wc != 0x7f)
		ui_type(u, wc);
}

/* Read every key that is waiting. */
static void
ui_read_keys(struct ui *u)
{
	wint_t wc;
	int r;

	while ((r = wget_wch(stdscr, &wc)) != ERR) {
		ui_key(u, r, wc);
		if (u->quit)
			break;
	}
}

/* Turn caught log lines into error lines in the pane. */
static void
ui_read_log(struct ui *u, int fd, char *buf, size_t *len)
{
	char *nl;
	ssize_t r;

	while ((r = read(fd, buf + *len, UI_LOG_MAX - 1 - *len)) > 0) {
		*len += (size_t)r;
		buf[*len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			model_add_line(u->m, MODEL_LINE_ERROR, "%s", buf);
			*len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, *len + 1);
		}
		if (*len == UI_LOG_MAX - 1) {
			model_add_line(u->m, MODEL_LINE_ERROR, "%s", buf);
			*len = 0;
		}
	}
}

/* Catch stderr in a non-blocking pipe; the read end, or -1. */
static int
ui_catch_stderr(int *saved)
{
	int p[2];

	*saved = -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	if ((*saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1) {
		if (*saved != -1)
			close(*saved);
		*saved = -1;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

/* Start curses; false when the terminal cannot be used. */
static bool
ui_start(struct ui *u)
{
	const char *cs, *nc;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	u->utf8 = cs != NULL && strcmp(cs, "UTF-8") == 0;
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL)
		return false;
	set_term(ui_screen);
	set_escdelay(UI_ESCDELAY_MS);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* NO_COLOR (no-color.org) asks for monochrome on a colour terminal. */
	nc = getenv("NO_COLOR");
	u->colors = (nc == NULL || nc[0] == '\0') && has_colors() &&
	    start_color() == OK && COLORS >= 8;
	ui_draw_init(u);
	ui_alt_init(u);
	ui_paste_init(u);
	return true;
}

/* Set up signals: counted, and blocked except inside ppoll (curses'
   SIGWINCH handler too, so it runs there). */
static void
ui_signals_setup(sigset_t *old)
{
	if (sig_setup(ui_on_signal, SIGWINCH, old) == -1)
		sigprocmask(SIG_BLOCK, NULL, old);
}

/* The poll timeout: none, or until progress bars are due. */
static int
ui_timeout(const struct ui *u)
{
	int64_t left;

	char conn[96];

	if (u->stdin_gone)
		return 100;		/* to notice the logout deadline */
	/* A countdown in the status bar: redraw every second. */
	if (!u->hold && app_status(u->app, conn, sizeof(conn)))
		return 1000 - (int)(mono_now_ms() % 1000);
	if (!u->xfer_dirty)
		return -1;
	left = UI_XFER_MS - (mono_now_ms() - u->last_draw_ms);
	return left > 0 ? (int)left : 0;
}

/* The loop: network, keys, log pipe, one frame per pass. */
static int
ui_loop(struct ui *u, int logfd, const sigset_t *old)
{
	char logbuf[UI_LOG_MAX], note[96];
	size_t loglen = 0;
	struct pollfd fds[APP_POLL_MAX + 2];
	struct timespec ts, *tsp;
	int status = APP_EXIT_ERROR, handled = 0, t, n, at, r;
	int64_t gone_deadline = 0, sig_checked = 0;

	for (;;) {
		if (ui_signals > handled) {
			/* First: log out; a second one, or one once ended: quit. */
			if (handled++ > 0 || u->hold)
				break;
			app_input_eof(u->app);
		}
		if (u->stdin_gone && !u->hold && mono_now_ms() > gone_deadline)
			break;		/* no terminal, no logout reply: stop */
		if (!u->hold && app_done(u->app, &status)) {
			if (status == APP_EXIT_OK || u->stdin_gone)
				break;
			u->hold = true;		/* let the reason be read */
			u->dirty = true;
		}
		if (u->quit)
			break;
		if (!u->hold) {
			app_pump(u->app);
			app_flush(u->app);
		}
		if (u->dirty || (u->xfer_dirty && ui_timeout(u) == 0) ||
		    app_status(u->app, note, sizeof(note)))
			ui_draw(u);

		/* The app's descriptors (server, transfers, private chats)
		   first, then the terminal and the log pipe. */
		n = u->hold ? 0 : app_poll_fill(u->app, fds, APP_POLL_MAX);
		fds[n].fd = u->stdin_gone ? -1 : STDIN_FILENO;
		fds[n].events = POLLIN;
		fds[n + 1].fd = logfd;
		fds[n + 1].events = POLLIN;
		fds[n].revents = fds[n + 1].revents = 0;
		tsp = NULL;
		t = ui_timeout(u);
		at = u->hold ? -1 : app_poll_timeout(u->app);
		if (at >= 0 && (t < 0 || at < t))
			t = at;
		if (t >= 0) {
			ts.tv_sec = t / 1000;
			ts.tv_nsec = (long)(t % 1000) * 1000000;
			tsp = &ts;
		}
		if ((r = ppoll(fds, (nfds_t)n + 2, tsp, old)) == -1 &&
		    errno != EINTR) {
			log_warn("ppoll");
			break;
		}
		/* A signal gets in only when ppoll() would sleep (see
		   sig_deliver()): not while a server floods. */
		if (r > 0)
			sig_deliver_busy(old, &sig_checked);
		if (n > 0)
			app_poll_done(u->app, fds, n);
		if (fds[n + 1].revents != 0)
			ui_read_log(u, logfd, logbuf, &loglen);
		if (fds[n].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/*
			 * The terminal is gone (a hung-up tty polls readable
			 * too, but only ever reads 0): log out, and give the
			 * server a few seconds to answer.
			 */
			u->stdin_gone = true;
			if (u->hold)
				break;
			gone_deadline = mono_now_ms() + UI_GONE_MS;
			app_input_eof(u->app);
			continue;
		}
		/* Also after EINTR: a resize comes as KEY_RESIZE. */
		ui_read_keys(u);
	}
	if (!app_done(u->app, &status))
		status = APP_EXIT_ERROR;
	return status;
}

/* Run the screen until the session ends. */
int
ui_run(struct app *a, struct model *m, const char *where)
{
	struct model_cbs cbs;
	const struct model_line *last;
	struct ui *u;
	sigset_t old;
	int status, logfd, saved_err;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	u->app = a;
	u->m = m;
	u->where = where;
	input_init(&u->in);
	ui_win_init(u);
	u->mode = model_input(m);
	if (!ui_start(u)) {
		ui_win_free(u);
		free(u);
		return -1;
	}
	ask_set_echo(true);
	model_set_stamp(m, ui_win_time_format());
	memset(&cbs, 0, sizeof(cbs));
	cbs.on_line = ui_on_line;
	cbs.on_prompt = ui_on_prompt;
	cbs.on_users = ui_on_users;
	cbs.on_xfer = ui_on_xfer;
	cbs.arg = u;
	model_set_cbs(m, &cbs);
	ui_signals_setup(&old);
	logfd = ui_catch_stderr(&saved_err);
	u->dirty = true;

	status = ui_loop(u, logfd, &old);

	ui_paste_end(u);
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
	if (saved_err != -1) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	if (logfd != -1)
		close(logfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	memset(&cbs, 0, sizeof(cbs));
	model_set_cbs(m, &cbs);
	/* Leave the last word on the terminal: "Bye", or why it ended. */
	if (model_line_count(m) > 0) {
		last = model_line_at(m, model_line_count(m) - 1);
		printf("%s\n", last->text);
	}
	input_free(&u->in);
	ui_win_free(u);
	explicit_bzero(u->stash, sizeof(u->stash));
	free(u);
	return status;
}
