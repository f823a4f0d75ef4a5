/*
 * ui_alt.c - the screen's keys for daily use: Alt (ESC-prefixed) keys for
 * words, windows and the ends of the scrollback, Ctrl-N/P between
 * windows, Ctrl-Y, and a Ctrl-C / Ctrl-D that ask before logging out.
 * ui.c's key table calls these; F1 lists them from ui_alt_keys[].
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mono.h"
#include "ui_priv.h"

#define UI_ESC_MS	300	/* ESC then a key within this: Alt-key */
#define UI_QUIT_MS	2000	/* a second Ctrl-C within this: quit */

typedef void ui_alt_fn(struct ui *u);

/* An Alt binding: the key after ESC (a character or a KEY_* code). */
struct ui_alt_key {
	int		 key;
	bool		 fkey;
	ui_alt_fn	*fn;
	const char	*help;		/* for F1; NULL: not listed */
};

static ui_alt_fn ui_alt_word_left, ui_alt_word_right, ui_alt_kill_right,
    ui_alt_kill_left, ui_alt_top, ui_alt_bottom;

#define CTRL_H	0x08

static const struct ui_alt_key ui_alt_keys[] = {
	{ 'b', false, ui_alt_word_left,
	    "Alt-B/F: a word left/right" },
	{ 'f', false, ui_alt_word_right, NULL },
	{ 'd', false, ui_alt_kill_right, "Alt-D: delete the next word" },
	{ 0x7f, false, ui_alt_kill_left,
	    "Alt-Backspace: delete the word before" },
	{ CTRL_H, false, ui_alt_kill_left, NULL },
	{ KEY_BACKSPACE, true, ui_alt_kill_left, NULL },
	{ '<', false, ui_alt_top,
	    "Alt-< / Alt->: top / bottom of the scrollback "
	    "(also Alt-Home / Alt-End)" },
	{ '>', false, ui_alt_bottom, NULL },
	{ KEY_HOME, true, ui_alt_top, NULL },
	{ KEY_END, true, ui_alt_bottom, NULL },
	{ KEY_LEFT, true, ui_alt_prev_win, NULL },
	{ KEY_RIGHT, true, ui_alt_next_win, NULL },
};

/* Alt-B. */
static void
ui_alt_word_left(struct ui *u)
{
	input_word_left(&u->in);
}

/* Alt-F. */
static void
ui_alt_word_right(struct ui *u)
{
	input_word_right(&u->in);
}

/* Alt-D. */
static void
ui_alt_kill_right(struct ui *u)
{
	input_kill_word_right(&u->in);
	if (model_input(u->m) == MODEL_INPUT_SECRET)
		input_kill_forget(&u->in);
}

/* Alt-Backspace. */
static void
ui_alt_kill_left(struct ui *u)
{
	input_kill_word(&u->in);
	if (model_input(u->m) == MODEL_INPUT_SECRET)
		input_kill_forget(&u->in);
}

/* Alt-<: the oldest line of this window. */
static void
ui_alt_top(struct ui *u)
{
	const struct ui_rect *r;

	ui_layout(u);
	r = &u->rect[UI_VIEW_PANE];
	pane_scroll(ui_pane(u), ui_lines(u), r->w, r->h, INT_MAX);
}

/* Alt->: back to the newest line. */
static void
ui_alt_bottom(struct ui *u)
{
	pane_follow(ui_pane(u));
}

/* Alt-Left, Ctrl-P: the window before. */
void
ui_alt_prev_win(struct ui *u)
{
	win_next(&u->wins, -1);
}

/* Alt-Right, Ctrl-N: the window after. */
void
ui_alt_next_win(struct ui *u)
{
	win_next(&u->wins, 1);
}

/* Ctrl-Y: put back what the last kill cut. */
void
ui_alt_yank(struct ui *u)
{
	input_yank(&u->in);
}

/* ESC: the next key, if it comes at once, is an Alt-key. */
void
ui_alt_esc(struct ui *u)
{
	u->esc = true;
	u->esc_ms = mono_now_ms();
}

/* Ctrl-C (and Ctrl-D on an empty line): ask first; twice in 2 s: quit. */
void
ui_alt_interrupt(struct ui *u)
{
	int64_t now = mono_now_ms();

	if (model_state(u->m) != MODEL_STATE_ACTIVE) {
		app_input_eof(u->app);
		u->quit = true;
		return;
	}
	if (u->quit_ms != 0 && now - u->quit_ms <= UI_QUIT_MS) {
		app_input_eof(u->app);	/* logs out; the reply ends it */
		u->quit_ms = 0;
		return;
	}
	u->quit_ms = now;
	snprintf(u->note, sizeof(u->note),
	    "press Ctrl-C again to log out and quit (or type /quit)");
}

/*
 * A key after ESC: true when it was an Alt binding (or Alt-digit, a
 * window); false, with the ESC forgotten, for anything else.
 */
bool
ui_alt_key(struct ui *u, bool fkey, wint_t wc)
{
	size_t i;

	if (fkey && u->key_alt_left > 0 && (int)wc == u->key_alt_left) {
		ui_alt_prev_win(u);
		return true;
	}
	if (fkey && u->key_alt_right > 0 && (int)wc == u->key_alt_right) {
		ui_alt_next_win(u);
		return true;
	}
	if (!u->esc)
		return false;
	u->esc = false;
	if (mono_now_ms() - u->esc_ms > UI_ESC_MS)
		return false;
	if (!fkey && wc >= '0' && wc <= '9') {
		ui_win_goto(u, wc == '0' ? 9 : (size_t)(wc - '1'));
		return true;
	}
	for (i = 0; i < sizeof(ui_alt_keys) / sizeof(ui_alt_keys[0]); i++) {
		if (ui_alt_keys[i].fkey == fkey &&
		    (wint_t)ui_alt_keys[i].key == wc) {
			ui_alt_keys[i].fn(u);
			return true;
		}
	}
	return false;
}

/*
 * True when the key finishes a one-key answer ("es" after y, "o" after
 * n, then Enter) and is dropped; any other key ends that.
 */
bool
ui_swallow(struct ui *u, bool fkey, wint_t wc)
{
	bool enter = fkey ? wc == KEY_ENTER : wc == '\r' || wc == '\n';

	if (u->swallow == NULL)
		return false;
	if (mono_now_ms() > u->swallow_until)
		u->swallow = NULL;
	else if (enter) {
		u->swallow = NULL;
		return true;
	} else if (!fkey && *u->swallow != '\0' &&
	    (wc | 0x20) == (wint_t)*u->swallow) {
		u->swallow++;
		return true;
	} else
		u->swallow = NULL;
	return false;
}

/* Curses' codes for Alt-Left/Right (xterm's sequences), when it has them. */
void
ui_alt_init(struct ui *u)
{
	u->key_alt_left = key_defined("\033[1;3D");
	u->key_alt_right = key_defined("\033[1;3C");
}

/* F1's lines for these keys. */
void
ui_alt_help(struct ui *u)
{
	size_t i;

	for (i = 0; i < sizeof(ui_alt_keys) / sizeof(ui_alt_keys[0]); i++)
		if (ui_alt_keys[i].help != NULL)
			model_add_line(u->m, MODEL_LINE_INFO, "  %s",
			    ui_alt_keys[i].help);
	model_add_line(u->m, MODEL_LINE_INFO, "  Alt-1..9, Alt-0: window 1..10; "
	    "Alt-Left/Right, Ctrl-P/N: the window before/after");
}
