/*
 * ui_priv.h - what the screen's two files share: the state of the screen
 * (ui.c: loop, keys, input; ui_draw.c: layout and views).  Not for other
 * modules.
 */
#ifndef UI_PRIV_H
#define UI_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "app.h"
#include "input.h"
#include "model.h"
#include "pane.h"
#include "win.h"

#define UI_NOTE_MAX	160	/* a short notice in the status bar */
#define UI_ROWS_MAX	512	/* message pane rows drawn; taller: cut */
#define UI_XFER_MS	250	/* progress bars redrawn at most this often */
#define UI_USERS_MIN_COLS 60	/* narrower: no users panel */
#define UI_USERS_COLS	18	/* width of the users panel */

/* Parts of the screen; ui_draw.c's view table has one entry for each. */
enum ui_view_id {
	UI_VIEW_LOGIN = 0,	/* banner above the messages before login */
	UI_VIEW_PANE,		/* messages with scrollback */
	UI_VIEW_USERS,		/* users online, right side */
	UI_VIEW_XFERS,		/* a progress bar per transfer */
	UI_VIEW_BAR,		/* status bar */
	UI_VIEW_INPUT,		/* the input line */
	UI_VIEW_COUNT
};

struct ui_rect {
	int	 y, x, h, w;	/* h or w 0: not shown */
};

struct ui {
	struct app	*app;
	struct model	*m;
	const char	*where;
	struct input	 in;
	struct wins	 wins;		/* 1: status; conversations */
	bool		 msg_asked;	/* "MSG USER ..." asked this session */
	char		 post[INPUT_LINE_MAX + 1];	/* that line, meanwhile */
	bool		 esc;		/* ESC came: the next key is Alt-KEY */
	int64_t		 esc_ms;
	int		 key_alt_left;	/* curses codes of Alt-Left/Right */
	int		 key_alt_right;
	int64_t		 quit_ms;	/* the first Ctrl-C, for the second */
	bool		 pasting;	/* between the paste's markers */
	char		*paste;		/* its text (allocated at the first) */
	size_t		 paste_len;
	struct ui_rect	 rect[UI_VIEW_COUNT];

	bool		 colors;	/* the terminal has colours */
	bool		 utf8;		/* the locale is UTF-8 */
	bool		 dirty;		/* redraw in this pass */
	bool		 xfer_dirty;	/* progress moved: redraw soon */
	int64_t		 last_draw_ms;

	enum model_input mode;		/* as seen at the last prompt */
	bool		 stashed;	/* a command line waits for a question */
	char		 stash[INPUT_LINE_MAX + 1];
	char		 note[UI_NOTE_MAX];	/* one-off notice for the bar */

	/*
	 * After a one-key y/n answer: the rest of "yes" / "no" and an Enter
	 * typed right after belong to the answer, not to the next line.
	 */
	const char	*swallow;
	int64_t		 swallow_until;

	bool		 hold;		/* ended badly: wait for a key */
	bool		 quit;		/* leave now */
	bool		 stdin_gone;

	/* Scratch for drawing and completion (too big for the stack). */
	struct pane_row	 rows[UI_ROWS_MAX];
	const struct model_user *sorted[MODEL_USERS_MAX];
	const char	*cands[MODEL_RECENT_MAX + MODEL_USERS_MAX + 64];
};

/* Set up colour pairs (after start_color). */
void	 ui_draw_init(struct ui *u);
/* Lay the views out for the terminal's size now. */
void	 ui_layout(struct ui *u);
/* Draw every visible view and update the terminal once. */
void	 ui_draw(struct ui *u);

/* ui_win.c: the window on show, its lines and view. */
struct model *ui_lines(struct ui *u);
struct pane *ui_pane(struct ui *u);
void	 ui_win_init(struct ui *u);
const char *ui_win_time_format(void);
void	 ui_win_free(struct ui *u);
void	 ui_win_goto(struct ui *u, size_t i);
void	 ui_win_on_line(struct ui *u, const struct model_line *l);
bool	 ui_win_submit(struct ui *u, char *line, size_t size);
void	 ui_win_say(struct ui *u, const char *text, char *line, size_t size);
void	 ui_win_send(struct ui *u, const char *line);

/* ui_alt.c: Alt keys, window keys, Ctrl-Y, Ctrl-C. */
void	 ui_alt_init(struct ui *u);
bool	 ui_alt_key(struct ui *u, bool fkey, wint_t wc);
bool	 ui_swallow(struct ui *u, bool fkey, wint_t wc);
void	 ui_alt_help(struct ui *u);
void	 ui_alt_esc(struct ui *u);
void	 ui_alt_prev_win(struct ui *u);
void	 ui_alt_next_win(struct ui *u);
void	 ui_alt_yank(struct ui *u);
void	 ui_alt_interrupt(struct ui *u);

/* ui_paste.c: bracketed paste. */
void	 ui_paste_init(struct ui *u);
void	 ui_paste_end(struct ui *u);
bool	 ui_paste_key(struct ui *u, bool fkey, wint_t wc);

#endif /* UI_PRIV_H */
