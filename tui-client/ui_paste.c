/*
 * ui_paste.c - bracketed paste: the terminal marks pasted text (ESC [200~
 * ... ESC [201~), so a paste is never typed key by key into commands.  One
 * line goes into the input line to edit; several lines go to the
 * conversation on show after one question, or into the input line (joined
 * by spaces) in the status window or when the answer is no.  Long lines
 * are split into several messages when sent (ui_win_send).
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ask.h"
#include "ui_priv.h"

#define UI_PASTE_MAX	(64 * 1024)	/* bytes of one paste; over: cut */
#define UI_KEY_PASTE_BEGIN (KEY_MAX + 1)
#define UI_KEY_PASTE_END (KEY_MAX + 2)

/* Ask the terminal for bracketed paste and name its markers. */
void
ui_paste_init(struct ui *u)
{
	define_key("\033[200~", UI_KEY_PASTE_BEGIN);
	define_key("\033[201~", UI_KEY_PASTE_END);
	fputs("\033[?2004h", stdout);
	fflush(stdout);
}

/* Back to plain pastes; the buffer goes. */
void
ui_paste_end(struct ui *u)
{
	fputs("\033[?2004l", stdout);
	fflush(stdout);
	if (u->paste != NULL)
		explicit_bzero(u->paste, UI_PASTE_MAX + 1);
	free(u->paste);
	u->paste = NULL;
}

/* Put the paste into the input line, its lines joined by spaces. */
static void
ui_paste_to_input(struct ui *u)
{
	char *p;

	for (p = u->paste; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	if (input_insert(&u->in, u->paste, strlen(u->paste)) == -1)
		snprintf(u->note, sizeof(u->note), "the paste does not fit "
		    "in the line (%d bytes)", INPUT_LINE_MAX);
}

/* The answer to "send N lines to bob?". */
static void
ui_paste_answer(struct app *a, void *arg, bool yes)
{
	struct ui *u = arg;
	char line[INPUT_LINE_MAX + 64], *p, *nl;

	if (u->paste == NULL)
		return;
	if (!yes) {
		ui_paste_to_input(u);
		u->paste_len = 0;
		return;
	}
	for (p = u->paste; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (p[strspn(p, " ")] == '\0')
			continue;
		ui_win_say(u, p, line, sizeof(line));
		ui_win_send(u, line);
	}
	u->paste_len = 0;
	u->paste[0] = '\0';
}

/* The paste is complete: into the line, or a question. */
static void
ui_paste_done(struct ui *u)
{
	const struct win *w = &u->wins.w[u->wins.cur];
	char q[160];
	size_t i, lines = 1;

	while (u->paste_len > 0 && u->paste[u->paste_len - 1] == '\n')
		u->paste[--u->paste_len] = '\0';
	for (i = 0; i < u->paste_len; i++)
		if (u->paste[i] == '\n')
			lines++;
	if (u->paste_len == 0)
		return;
	if (lines == 1 || w->conv[0] == '\0' ||
	    model_input(u->m) != MODEL_INPUT_COMMAND || u->in.len > 0) {
		ui_paste_to_input(u);
		if (lines > 1)
			snprintf(u->note, sizeof(u->note), "%zu pasted lines "
			    "joined on the input line", lines);
		u->paste_len = 0;
		return;
	}
	snprintf(q, sizeof(q), "send %zu lines to %s? (y/n)", lines,
	    w->conv + 1);
	ask_push(u->app, q, "send the pasted lines? (y/n)", ui_paste_answer, u);
}

/* A key while pasting (or the paste's start): true when it was taken. */
bool
ui_paste_key(struct ui *u, bool fkey, wint_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (fkey && wc == UI_KEY_PASTE_BEGIN) {
		if (u->paste == NULL &&
		    (u->paste = malloc(UI_PASTE_MAX + 1)) == NULL)
			return true;
		u->pasting = true;
		u->swallow = NULL;	/* not the rest of a y/n answer */
		u->paste_len = 0;
		u->paste[0] = '\0';
		return true;
	}
	if (!u->pasting)
		return false;
	if (fkey && wc == UI_KEY_PASTE_END) {
		u->pasting = false;
		ui_paste_done(u);
		return true;
	}
	if (fkey && wc != KEY_ENTER)
		return true;		/* arrows and such: not text */
	if ((fkey && wc == KEY_ENTER) || wc == '\r' || wc == '\n')
		wc = '\n';
	else if (wc == '\t')
		wc = ' ';
	else if (wc < 0x20 || wc == 0x7f)
		return true;		/* no control characters */
	memset(&st, 0, sizeof(st));
	if ((n = wcrtomb(mb, (wchar_t)wc, &st)) == (size_t)-1)
		return true;
	if (u->paste_len + n > UI_PASTE_MAX) {
		snprintf(u->note, sizeof(u->note), "paste cut at %d bytes",
		    UI_PASTE_MAX);
		return true;
	}
	memcpy(u->paste + u->paste_len, mb, n);
	u->paste_len += n;
	u->paste[u->paste_len] = '\0';
	return true;
}
