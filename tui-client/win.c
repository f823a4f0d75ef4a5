/*
 * win.c - the screen's windows: the status window and one per
 * conversation, each with its own scrollback and view, and the activity
 * marks of the status bar.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "win.h"

/* Window 1, the status window, on show. */
void
win_init(struct wins *ws)
{
	memset(ws, 0, sizeof(*ws));
	pane_init(&ws->w[0].pane);
	ws->n = 1;
}

/* Free every conversation window's lines. */
void
win_free(struct wins *ws)
{
	size_t i;

	for (i = 1; i < ws->n; i++)
		model_free(ws->w[i].lines);
	ws->n = 1;
	ws->cur = 0;
}

/* [A-Za-z0-9]{1,PROTO_GROUP_MAX}, a group's name. */
static bool
win_valid_group(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > PROTO_GROUP_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

/* A conversation key: a sigil and a user or group name. */
bool
win_valid_conv(const char *conv)
{
	if (conv == NULL || strlen(conv) >= MODEL_CONV_MAX)
		return false;
	if (conv[0] == '@' || conv[0] == '~')
		return proto_valid_user(conv + 1);
	if (conv[0] == '#')
		return win_valid_group(conv + 1);
	return false;
}

/* The window of conv, or -1. */
int
win_find(const struct wins *ws, const char *conv)
{
	size_t i;

	for (i = 1; i < ws->n; i++)
		if (strcmp(ws->w[i].conv, conv) == 0)
			return (int)i;
	return -1;
}

/* The window of conv, opened when needed. */
int
win_open(struct wins *ws, const char *conv)
{
	struct win *w;
	int i;

	if ((i = win_find(ws, conv)) != -1)
		return i;
	if (ws->n >= WIN_MAX || !win_valid_conv(conv))
		return -1;
	w = &ws->w[ws->n];
	memset(w, 0, sizeof(*w));
	if ((w->lines = model_new(WIN_LINES)) == NULL)
		return -1;
	snprintf(w->conv, sizeof(w->conv), "%s", conv);
	pane_init(&w->pane);
	return (int)ws->n++;
}

/* Close a conversation window. */
int
win_close(struct wins *ws, size_t i)
{
	if (i == 0 || i >= ws->n)
		return -1;
	model_free(ws->w[i].lines);
	memmove(&ws->w[i], &ws->w[i + 1], (ws->n - i - 1) * sizeof(ws->w[0]));
	ws->n--;
	if (ws->cur == i)
		ws->cur = i - 1;
	else if (ws->cur > i)
		ws->cur--;
	return 0;
}

/* Show window i. */
int
win_show(struct wins *ws, size_t i)
{
	if (i >= ws->n)
		return -1;
	ws->cur = i;
	ws->w[i].act = WIN_ACT_NONE;
	return 0;
}

/* The next (dir > 0) or previous window. */
void
win_next(struct wins *ws, int dir)
{
	win_show(ws, (ws->cur + ws->n + (dir > 0 ? 1 : ws->n - 1)) % ws->n);
}

/* True when text names self as a whole word. */
static bool
win_mentions(const char *text, const char *self)
{
	size_t n = strlen(self);
	const char *p = text;

	if (n == 0)
		return false;
	while ((p = strstr(p, self)) != NULL) {
		bool left = p == text || strchr(" ,.:;!?@(<'\"", p[-1]) != NULL;
		bool right = strchr(" ,.:;!?)>'\"", p[n]) != NULL;

		if (left && right)
			return true;
		p += n;
	}
	return false;
}

/* Raise window i's mark to at least act, unless it is on show. */
static void
win_mark(struct wins *ws, size_t i, enum win_act act)
{
	if (i != ws->cur && ws->w[i].act < act)
		ws->w[i].act = act;
}

/* A status-window line: to its conversation, marks updated. */
int
win_route(struct wins *ws, const struct model_line *l, const char *self)
{
	bool msg = l->kind == MODEL_LINE_MESSAGE ||
	    l->kind == MODEL_LINE_PRIVATE;
	enum win_act act = !msg ? WIN_ACT_LINES :
	    !l->own && win_mentions(l->text, self) ? WIN_ACT_MENTION :
	    WIN_ACT_MSG;
	int i;

	if (l->kind == MODEL_LINE_DAY) {
		/* A new day shows in every window, without a mark. */
		for (i = 1; i < (int)ws->n; i++)
			model_add_copy(ws->w[i].lines, l);
		return 0;
	}
	if (l->conv == NULL) {
		if (!l->own && l->kind != MODEL_LINE_SENT)
			win_mark(ws, 0, act);
		return 0;
	}
	/* A message or our own words open the window; notices do not. */
	if ((msg || l->own) ? (i = win_open(ws, l->conv)) == -1 :
	    (i = win_find(ws, l->conv)) == -1)
		return 0;
	model_add_copy(ws->w[i].lines, l);
	if (!l->own)
		win_mark(ws, (size_t)i, act);
	return i;
}

/* "status", "bob", "study", "bob (private)". */
const char *
win_label(const struct wins *ws, size_t i, char *buf, size_t len)
{
	const char *c = i < ws->n ? ws->w[i].conv : "";

	if (i == 0 || c[0] == '\0')
		snprintf(buf, len, "status");
	else if (c[0] == '~')
		snprintf(buf, len, "%s (private)", c + 1);
	else
		snprintf(buf, len, "%s", c + 1);
	return buf;
}

/* "(1:status) [2:bob*] [3:study!]": the one on show in parentheses. */
size_t
win_bar(const struct wins *ws, char *buf, size_t len)
{
	static const char marks[] = { [WIN_ACT_NONE] = '\0',
	    [WIN_ACT_LINES] = '+', [WIN_ACT_MSG] = '*',
	    [WIN_ACT_MENTION] = '!' };
	char label[MODEL_CONV_MAX + 16], mark[2];
	size_t i, off = 0;
	int r;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < ws->n && off < len; i++) {
		win_label(ws, i, label, sizeof(label));
		if (ws->w[i].conv[0] == '~')
			snprintf(label, sizeof(label), "%s~", ws->w[i].conv + 1);
		mark[0] = marks[ws->w[i].act];
		mark[1] = '\0';
		r = snprintf(buf + off, len - off, "%s%c%zu:%s%s%c",
		    i > 0 ? " " : "", i == ws->cur ? '(' : '[', i + 1, label,
		    mark, i == ws->cur ? ')' : ']');
		if (r < 0)
			break;
		off += (size_t)r;
	}
	return off < len ? off : len - 1;
}
