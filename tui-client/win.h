/*
 * win.h - the screen's windows without curses: window 1 is the status
 * window (every line, as the model has it); each conversation (a direct
 * message "@USER", a group "#GROUP", a private chat "~USER") has its own
 * window with its own scrollback and view.  Windows are numbered 1..n in
 * the order they opened; closing one renumbers the later ones.  Activity
 * marks say what a window not on show received: new lines, or your name.
 * Pure, so Check tests it; ui.c shows it.
 */
#ifndef WIN_H
#define WIN_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "pane.h"

#define WIN_MAX		32	/* windows open; over: lines stay in 1 only */
#define WIN_LINES	2000	/* scrollback of a conversation window */

/* What a window not on show has received since it was last shown. */
enum win_act {
	WIN_ACT_NONE = 0,
	WIN_ACT_LINES,		/* new lines (info, presence) */
	WIN_ACT_MSG,		/* a message: shown as '*' */
	WIN_ACT_MENTION,	/* a message naming you: shown as '!' */
};

struct win {
	char		 conv[MODEL_CONV_MAX];	/* "" for the status window */
	struct model	*lines;		/* NULL for the status window */
	struct pane	 pane;
	enum win_act	 act;
};

struct wins {
	struct win	 w[WIN_MAX];
	size_t		 n;		/* windows open, >= 1 */
	size_t		 cur;		/* index of the one on show */
};

/* Window 1 only, on show. */
void	 win_init(struct wins *ws);
/* Free every window's lines. */
void	 win_free(struct wins *ws);
/* Index of the window of conv, or -1. */
int	 win_find(const struct wins *ws, const char *conv);
/*
 * The window of conv, opened (at the end) when there is none; its index,
 * or -1 when WIN_MAX are open, conv is not a valid key or out of memory.
 */
int	 win_open(struct wins *ws, const char *conv);
/* Close window i (never window 1); the one before it is shown if it was. */
int	 win_close(struct wins *ws, size_t i);
/* Show window i (clears its activity); -1 when there is none. */
int	 win_show(struct wins *ws, size_t i);
/* Show the next / previous window, wrapping round. */
void	 win_next(struct wins *ws, int dir);
/*
 * A line of the status window: copied into its conversation's window
 * (opened for a message) and the activity marks updated.  self: our name
 * (a message that names it is a mention).  Returns the index of the
 * window the line went to, or -1.
 */
int	 win_route(struct wins *ws, const struct model_line *l,
	     const char *self);
/*
 * The window list for the status bar: "[1] [2:bob*] [3:study!]" with
 * the window on show in brackets as "[2:bob]" and marked by on_show.
 * Returns the bytes written (cut at len).
 */
size_t	 win_bar(const struct wins *ws, char *buf, size_t len);
/* The label of window i: "status", "bob", "study", "bob (private)". */
const char *win_label(const struct wins *ws, size_t i, char *buf,
	     size_t len);
/* True when conv is a conversation key: @USER, #GROUP or ~USER. */
bool	 win_valid_conv(const char *conv);

#endif /* WIN_H */
