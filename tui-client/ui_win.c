/*
 * ui_win.c - the screen's conversation windows (no curses here): lines
 * routed to their window, plain text typed in a window turned into the
 * conversation's command and echoed as our own line, the window commands
 * (/query /close /clear /me), and the one question about "MSG USER ...".
 *
 * The status window shows the model itself; a conversation window keeps
 * copies of its lines in a model of its own (win.c), so the pane code
 * draws both the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ask.h"
#include "cmds.h"
#include "msgs.h"
#include "split.h"
#include "ui.h"
#include "ui_priv.h"

static char	ui_win_stamp[32] = "%H:%M";	/* lines' time format */
static char	ui_win_logs[512];		/* log directory, "" none */

/* The look of the screen, set before it runs (from the INI file). */
void
ui_set_look(const char *time_format, const char *log_dir)
{
	snprintf(ui_win_stamp, sizeof(ui_win_stamp), "%s", time_format);
	snprintf(ui_win_logs, sizeof(ui_win_logs), "%s", log_dir);
}

/* The time format of the lines. */
const char *
ui_win_time_format(void)
{
	return ui_win_stamp;
}

/*
 * Append a conversation's line to LOG_DIR/CONV.log (irssi's autolog):
 * the date and time, then the line.  A failure is said once.
 */
static void
ui_win_log(struct ui *u, const struct model_line *l)
{
	static bool warned;
	char path[600], when[32], line[MODEL_LINE_MAX + 40];
	struct tm tm;
	time_t now = time(NULL);
	ssize_t w;
	int fd, n;

	if (ui_win_logs[0] == '\0' || l->conv == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.log", ui_win_logs, l->conv);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s %s\n", when, l->text);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	w = fd == -1 ? -1 : write(fd, line, (size_t)n);
	if ((fd == -1 || w != n) && !warned) {
		warned = true;
		model_add_line(u->m, MODEL_LINE_ERROR, "Error: cannot write "
		    "the log %s: %s", path, strerror(errno));
	}
	if (fd != -1)
		close(fd);
}

/* The lines of the window on show. */
struct model *
ui_lines(struct ui *u)
{
	struct win *w = &u->wins.w[u->wins.cur];

	return w->lines != NULL ? w->lines : u->m;
}

/* The view of the window on show. */
struct pane *
ui_pane(struct ui *u)
{
	return &u->wins.w[u->wins.cur].pane;
}

/* Show window i (0-based); a note when there is none. */
void
ui_win_goto(struct ui *u, size_t i)
{
	if (win_show(&u->wins, i) == -1)
		snprintf(u->note, sizeof(u->note), "no window %zu", i + 1);
	u->dirty = true;
}

/* A line of the model: into its conversation's window too. */
void
ui_win_on_line(struct ui *u, const struct model_line *l)
{
	struct win *cur = &u->wins.w[u->wins.cur];

	win_route(&u->wins, l, model_self(u->m));
	ui_win_log(u, l);
	/* Replies and errors also show where the command was typed. */
	if (l->conv == NULL && cur->lines != NULL &&
	    (l->kind == MODEL_LINE_ERROR || l->kind == MODEL_LINE_NORMAL ||
	    l->kind == MODEL_LINE_INFO))
		model_add_copy(cur->lines, l);
}

/* Our own words in conversation sigil+name: "<alice> text". */
static void
ui_win_echo(struct ui *u, char sigil, const char *name, const char *text,
    bool action)
{
	msgs_conv(u->m, sigil, name, true);
	if (action)
		model_add_line(u->m, MODEL_LINE_MESSAGE, "* %s %s",
		    model_self(u->m), text);
	else
		model_add_line(u->m, MODEL_LINE_MESSAGE, "<%s> %s",
		    model_self(u->m), text);
}

/*
 * Text for the conversation on show, whatever it looks like: its command
 * goes into line, and our own words into the window.
 */
void
ui_win_say(struct ui *u, const char *text, char *line, size_t size)
{
	const struct win *w = &u->wins.w[u->wins.cur];
	char out[INPUT_LINE_MAX + 64];

	snprintf(out, sizeof(out), "%s %s %.*s", w->conv[0] == '@' ?
	    "/msgto" : w->conv[0] == '#' ? "/groupmsg" : "/private",
	    w->conv + 1, INPUT_LINE_MAX, text);
	if (w->conv[0] != '~')
		ui_win_echo(u, w->conv[0], w->conv + 1, text, false);
	snprintf(line, size, "%s", out);
}

/*
 * A command line to the app.  The text of a message longer than the
 * protocol allows goes as several messages, cut at word boundaries.
 */
void
ui_win_send(struct ui *u, const char *line)
{
	char copy[INPUT_LINE_MAX + 64], part[PROTO_LINE_MAX];
	char err[CMDS_ERR_MAX];
	struct cmds_call call;
	const char *text;
	size_t head, n, len, next;

	snprintf(copy, sizeof(copy), "%s", line);
	if (strlen(line) <= PROTO_TEXT_MAX ||
	    cmds_parse(copy, &call, err, sizeof(err)) != CMDS_OK ||
	    !call.entry->rest || call.argc != call.entry->max_args ||
	    strlen(call.argv[call.argc - 1]) <= PROTO_TEXT_MAX) {
		snprintf(copy, sizeof(copy), "%s", line);
		app_input(u->app, copy);
		return;
	}
	/* "WORD ARGS " again, then each part of the text after it. */
	text = call.argv[call.argc - 1];
	head = (size_t)(text - copy);
	n = strlen(text);
	while (n > 0) {
		len = split_next(text, n, PROTO_TEXT_MAX, &next);
		if (len > 0) {
			snprintf(part, sizeof(part), "%.*s%.*s", (int)head,
			    line, (int)len, text);
			app_input(u->app, part);
		}
		text += next;
		n -= next;
	}
}

/* The answer to "post it publicly?": post it, or give it back to edit. */
static void
ui_win_post_answer(struct app *a, void *arg, bool yes)
{
	struct ui *u = arg;
	char line[INPUT_LINE_MAX + 16];
	char *rest = u->post + 4;		/* after "MSG " */

	if (yes)
		app_input(a, u->post);
	else {
		/* Back on the line (the question has gone), to edit. */
		snprintf(line, sizeof(line), "/msg %s", rest);
		line[INPUT_LINE_MAX] = '\0';
		input_set(&u->in, line);
	}
	explicit_bzero(u->post, sizeof(u->post));
}

/*
 * "MSG bob ..." in the status window, bob a user we know: the board's
 * word, but a direct message may have been meant.  Asked once a session.
 */
static bool
ui_win_msg_question(struct ui *u, const char *line, const char *word,
    const char *arg)
{
	char q[256], name[PROTO_USER_MAX + 1];
	size_t n = strcspn(arg, " ");

	if (u->msg_asked || u->wins.cur != 0 || strcmp(word, "MSG") != 0 ||
	    n == 0 || n > PROTO_USER_MAX)
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)n, arg);
	if (model_user_find(u->m, name) == NULL)
		return false;
	u->msg_asked = true;
	snprintf(u->post, sizeof(u->post), "%s", line);
	snprintf(q, sizeof(q), "MSG posts on the public board; for a direct "
	    "message use /msg %s. Post it publicly? (y/n)", name);
	ask_push(u->app, q, "Post it publicly? (y/n)", ui_win_post_answer, u);
	return true;
}

/*
 * A command line about to go to the app.  Returns false when it was
 * taken here (a question asked); else line may have been rewritten: plain
 * text in a conversation window becomes its command.  Our own messages
 * are echoed into their window.
 */
bool
ui_win_submit(struct ui *u, char *line, size_t size)
{
	char copy[INPUT_LINE_MAX + 1], out[MODEL_CONV_MAX + 8];
	char *word, *a1, *rest = NULL, *save = NULL;
	const struct win *w = &u->wins.w[u->wins.cur];
	const char *p = line + strspn(line, " ");
	int i;

	if (*p == '\0')
		return true;
	snprintf(copy, sizeof(copy), "%s", p);
	word = strtok_r(copy, " ", &save);
	a1 = strtok_r(NULL, " ", &save);
	if (a1 != NULL)
		rest = save + strspn(save, " ");
	if (cmds_find(word) == NULL && w->conv[0] != '\0' && *p != '/') {
		/* Plain text: to this window's conversation. */
		ui_win_say(u, p, line, size);
		return true;
	}
	if (a1 != NULL && ui_win_msg_question(u, p, word, p + strlen(word) +
	    strspn(p + strlen(word), " ")))
		return false;
	if (a1 != NULL && rest != NULL && *rest != '\0' &&
	    proto_valid_user(a1) && (strcasecmp(word, "/msg") == 0 ||
	    strcasecmp(word, "/msgto") == 0 || strcmp(word, "message") == 0))
		ui_win_echo(u, '@', a1, rest, false);
	else if (a1 != NULL && rest != NULL && *rest != '\0' &&
	    strcasecmp(word, "/groupmsg") == 0)
		ui_win_echo(u, '#', a1, rest, false);
	else if (a1 != NULL && (strcasecmp(word, "/join") == 0 ||
	    strcasecmp(word, "/joingroup") == 0 ||
	    strcasecmp(word, "/creategroup") == 0)) {
		snprintf(out, sizeof(out), "#%s", a1);
		if ((i = win_open(&u->wins, out)) != -1)
			ui_win_goto(u, (size_t)i);
	}
	return true;
}

/* /query /close /clear /me, from the command table through the app. */
static bool
ui_win_command(void *arg, const char *word, int argc, char **argv)
{
	struct ui *u = arg;
	const struct win *w = &u->wins.w[u->wins.cur];
	char conv[MODEL_CONV_MAX], line[INPUT_LINE_MAX + 64];
	int i;

	if (strcmp(word, "/query") == 0) {
		snprintf(conv, sizeof(conv), "@%s", argv[0]);
		if ((i = win_open(&u->wins, conv)) == -1)
			model_add_line(u->m, MODEL_LINE_ERROR, "Error: %d "
			    "windows are open; /close one", WIN_MAX);
		else
			ui_win_goto(u, (size_t)i);
	} else if (strcmp(word, "/close") == 0) {
		if (win_close(&u->wins, u->wins.cur) == -1)
			snprintf(u->note, sizeof(u->note),
			    "the status window stays");
	} else if (strcmp(word, "/clear") == 0) {
		model_clear_lines(ui_lines(u));
		pane_init(ui_pane(u));
	} else if (strcmp(word, "/me") == 0) {
		if (w->conv[0] == '\0' || w->conv[0] == '~') {
			model_add_line(u->m, MODEL_LINE_ERROR, "Error: /me "
			    "works in a direct or group window");
			return true;
		}
		snprintf(line, sizeof(line), "%s %s * %s %s",
		    w->conv[0] == '@' ? "/msgto" : "/groupmsg", w->conv + 1,
		    model_self(u->m), argv[0]);
		ui_win_echo(u, w->conv[0], w->conv + 1, argv[0], true);
		app_input(u->app, line);
	} else
		return false;
	u->dirty = true;
	return true;
}

/* Window 1 only; the app hands us the window commands. */
void
ui_win_init(struct ui *u)
{
	win_init(&u->wins);
	app_set_ui(u->app, ui_win_command, u);
}

/* Free the windows. */
void
ui_win_free(struct ui *u)
{
	app_set_ui(u->app, NULL, NULL);
	win_free(&u->wins);
}
