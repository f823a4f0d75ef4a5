/*
 * ui_draw.c - the screen's layout and views.  A frame is drawn whole into
 * stdscr (werase, then every visible view of ui_views[] in order) and sent
 * with one wnoutrefresh + doupdate; curses sends only what changed.  Every
 * view clips to its rectangle, so any terminal size, down to one cell,
 * draws without wrapping or scrolling.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mono.h"
#include "cmds.h"
#include "progress.h"
#include "ui_priv.h"

/* Colour pairs. */
enum {
	UI_PAIR_ERROR = 1,
	UI_PAIR_INFO,
	UI_PAIR_PRESENCE,
	UI_PAIR_BAR,
	UI_PAIR_PROMPT,
	UI_PAIR_FILL,
	UI_PAIR_PRIVATE,
	UI_PAIR_MESSAGE,
};

/* How a kind of line looks, with colours and without. */
struct ui_style {
	short	 pair;		/* 0: the terminal's colours */
	attr_t	 color_attr;
	attr_t	 mono_attr;
};

/* Indexed by enum model_line_kind; kinds not listed look NORMAL. */
static const struct ui_style ui_line_styles[] = {
	[MODEL_LINE_NORMAL] =	{ 0, A_NORMAL, A_NORMAL },
	[MODEL_LINE_ERROR] =	{ UI_PAIR_ERROR, A_BOLD, A_BOLD | A_UNDERLINE },
	[MODEL_LINE_INFO] =	{ UI_PAIR_INFO, A_NORMAL, A_NORMAL },
	[MODEL_LINE_PRESENCE] =	{ UI_PAIR_PRESENCE, A_NORMAL, A_DIM },
	[MODEL_LINE_MESSAGE] =	{ UI_PAIR_MESSAGE, A_BOLD, A_BOLD },
	[MODEL_LINE_PRIVATE] =	{ UI_PAIR_PRIVATE, A_BOLD, A_BOLD },
	[MODEL_LINE_DAY] =	{ UI_PAIR_INFO, A_NORMAL, A_NORMAL },
	[MODEL_LINE_SENT] =	{ 0, A_NORMAL, A_NORMAL },
};

typedef bool ui_visible_fn(const struct ui *u);
typedef void ui_draw_fn(struct ui *u, const struct ui_rect *r);

struct ui_view {
	const char	*name;
	ui_visible_fn	*visible;	/* NULL: whenever it has room */
	ui_draw_fn	*draw;
};

static ui_visible_fn	 ui_login_visible;
static ui_draw_fn	 ui_draw_login;
static ui_draw_fn	 ui_draw_pane;
static ui_draw_fn	 ui_draw_users;
static ui_draw_fn	 ui_draw_xfers;
static ui_draw_fn	 ui_draw_bar;
static ui_draw_fn	 ui_draw_input;

/* Every part of the screen, in drawing order. */
static const struct ui_view ui_views[UI_VIEW_COUNT] = {
	[UI_VIEW_LOGIN] = { "login", ui_login_visible, ui_draw_login },
	[UI_VIEW_PANE] = { "messages", NULL, ui_draw_pane },
	[UI_VIEW_USERS] = { "users", NULL, ui_draw_users },
	[UI_VIEW_XFERS] = { "transfers", NULL, ui_draw_xfers },
	[UI_VIEW_BAR] = { "status", NULL, ui_draw_bar },
	[UI_VIEW_INPUT] = { "input", NULL, ui_draw_input },
};

/* Colour pairs; the terminal's own background where it allows. */
void
ui_draw_init(struct ui *u)
{
	short bg = COLOR_BLACK;

	if (!u->colors)
		return;
	if (use_default_colors() == OK)
		bg = -1;
	init_pair(UI_PAIR_ERROR, COLOR_RED, bg);
	init_pair(UI_PAIR_INFO, COLOR_CYAN, bg);
	init_pair(UI_PAIR_PRESENCE, COLOR_GREEN, bg);
	init_pair(UI_PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
	init_pair(UI_PAIR_PROMPT, COLOR_YELLOW, bg);
	init_pair(UI_PAIR_FILL, COLOR_BLACK, COLOR_GREEN);
	init_pair(UI_PAIR_PRIVATE, COLOR_MAGENTA, bg);
	init_pair(UI_PAIR_MESSAGE, COLOR_WHITE, bg);
}

/* The attributes for a colour pair, or the monochrome ones. */
static attr_t
ui_attr(const struct ui *u, short pair, attr_t color_attr, attr_t mono_attr)
{
	if (u->colors)
		return COLOR_PAIR(pair) | color_attr;
	return mono_attr;
}

/* The look of a line kind. */
static attr_t
ui_line_attr(const struct ui *u, enum model_line_kind kind)
{
	const struct ui_style *s = &ui_line_styles[MODEL_LINE_NORMAL];

	if ((size_t)kind < sizeof(ui_line_styles) / sizeof(ui_line_styles[0]))
		s = &ui_line_styles[kind];
	return ui_attr(u, s->pair, s->color_attr, s->mono_attr);
}

/*
 * Write n bytes of UTF-8 at (y, x), at most cols columns; characters that
 * are not printable show as '?'.  Returns the columns used.
 */
static int
ui_put(int y, int x, int cols, const char *s, size_t n, attr_t attr)
{
	size_t off = 0, len;
	int w, used = 0;
	bool bad;

	if (cols <= 0)
		return 0;
	attrset(attr);
	move(y, x);
	while (off < n) {
		len = pane_char(s + off, n - off, &w, &bad);
		if (used + w > cols)
			break;
		if (bad)
			addch('?');
		else
			addnstr(s + off, (int)len);
		used += w;
		off += len;
	}
	attrset(A_NORMAL);
	return used;
}

/* ui_put for a C string. */
static int
ui_puts(int y, int x, int cols, const char *s, attr_t attr)
{
	return ui_put(y, x, cols, s, strlen(s), attr);
}

/* Blank cols cells at (y, x) with attr. */
static void
ui_fill(int y, int x, int cols, attr_t attr)
{
	attrset(attr);
	for (; cols > 0; cols--)
		mvaddch(y, x++, ' ');
	attrset(A_NORMAL);
}

/* Split the terminal among the views. */
void
ui_layout(struct ui *u)
{
	struct ui_rect *r = u->rect;
	int h = LINES, w = COLS, top = 0, bottom, nbars, uw = 0;

	memset(u->rect, 0, sizeof(u->rect));
	if (h <= 0 || w <= 0)
		return;
	r[UI_VIEW_INPUT] = (struct ui_rect){ h - 1, 0, 1, w };
	bottom = h - 1;
	if (h >= 2) {
		r[UI_VIEW_BAR] = (struct ui_rect){ h - 2, 0, 1, w };
		bottom = h - 2;
	}
	/* Progress bars: as many as leave the pane two rows per bar. */
	nbars = (int)model_xfer_count(u->m);
	if (nbars > (h - 3) / 2)
		nbars = (h - 3) / 2 > 0 ? (h - 3) / 2 : 0;
	if (nbars > 0) {
		bottom -= nbars;
		r[UI_VIEW_XFERS] = (struct ui_rect){ bottom, 0, nbars, w };
	}
	if (w >= UI_USERS_MIN_COLS && bottom > 0 &&
	    model_state(u->m) == MODEL_STATE_ACTIVE) {
		uw = UI_USERS_COLS;
		r[UI_VIEW_USERS] = (struct ui_rect){ 0, w - uw, bottom, uw };
		uw++;		/* the separator */
	}
	if (ui_login_visible(u) && bottom >= 10) {
		r[UI_VIEW_LOGIN] = (struct ui_rect){ 0, 0, 4, w - uw };
		top = 4;
	}
	if (bottom > top)
		r[UI_VIEW_PANE] = (struct ui_rect){ top, 0, bottom - top,
		    w - uw };
}

/* The login banner shows until the session is logged in. */
static bool
ui_login_visible(const struct ui *u)
{
	enum model_state st = model_state(u->m);

	return st == MODEL_STATE_CONNECTING || st == MODEL_STATE_LOGIN;
}

/* "tui-client - host:port" and how to log in or register. */
static void
ui_draw_login(struct ui *u, const struct ui_rect *r)
{
	char title[160];
	attr_t a = ui_attr(u, UI_PAIR_PROMPT, A_BOLD, A_BOLD);

	snprintf(title, sizeof(title), "tui-client - %s", u->where);
	ui_puts(r->y, r->x + 1, r->w - 1, title, a);
	ui_puts(r->y + 1, r->x + 1, r->w - 1,
	    "Log in with your user name and password. A name the server",
	    A_NORMAL);
	ui_puts(r->y + 2, r->x + 1, r->w - 1,
	    "does not know makes a new account if it allows registration.",
	    A_NORMAL);
	mvhline(r->y + 3, r->x, ACS_HLINE, r->w);
}

/* The messages, wrapped, from the view's position. */
static void
ui_draw_pane(struct ui *u, const struct ui_rect *r)
{
	const struct model_line *l;
	int h = r->h < UI_ROWS_MAX ? r->h : UI_ROWS_MAX;
	size_t n, i;

	struct model *lm = ui_lines(u);

	n = pane_layout(ui_pane(u), lm, r->w, h, u->rows);
	for (i = 0; i < n; i++) {
		l = model_line_at(lm, u->rows[i].line);
		ui_put(r->y + (int)i, r->x, r->w, l->text + u->rows[i].off,
		    u->rows[i].len, ui_line_attr(u, l->kind));
	}
}

/* Sort users by name for the panel. */
static int
ui_user_cmp(const void *a, const void *b)
{
	const struct model_user *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/*
 * A name for the panel in w columns: one too long ends with an ellipsis
 * ("..." without UTF-8); a blocked one says so when there is room.
 */
static void
ui_user_name(char *buf, size_t len, int w, const char *name, bool blocked,
    bool utf8)
{
	const char *dots = utf8 ? "\u2026" : "...";
	int dw = utf8 ? 1 : 3, nw = pane_width(name, strlen(name));

	if (w <= 0) {
		buf[0] = '\0';
		return;
	}
	if (nw <= w) {
		snprintf(buf, len, "%s%s", name, blocked &&
		    nw + 10 <= w ? " (blocked)" : "");
		return;
	}
	snprintf(buf, len, "%.*s%s", (int)pane_fit(name, strlen(name),
	    w > dw ? w - dw : 0), name, w > dw ? dots : "");
}

/* Users online, by name; '*' marks a private chat, 'x' a user blocked. */
static void
ui_draw_users(struct ui *u, const struct ui_rect *r)
{
	size_t n = model_user_count(u->m), i, shown;
	char line[PROTO_ADDR_MAX + 48];	/* "*bob@lab2", "x alice (blocked)" */
	int y;
	bool priv, blocked;

	mvvline(r->y, r->x - 1, ACS_VLINE, r->h);
	snprintf(line, sizeof(line), "Online (%zu)", n);
	ui_puts(r->y, r->x + 1, r->w - 1, line, A_BOLD);
	for (i = 0; i < n; i++)
		u->sorted[i] = model_user_at(u->m, i);
	qsort(u->sorted, n, sizeof(u->sorted[0]), ui_user_cmp);
	shown = r->h > 1 ? (size_t)r->h - 1 : 0;
	if (n > shown && shown > 0)
		shown--;		/* room for "+N more" */
	for (i = 0, y = r->y + 1; i < n && i < shown; i++, y++) {
		priv = model_private_has(u->m, u->sorted[i]->name);
		blocked = model_blocked_has(u->m, u->sorted[i]->name);
		ui_user_name(line, sizeof(line), r->w - 1, u->sorted[i]->name,
		    blocked, u->utf8);
		ui_puts(y, r->x, 1, priv ? "*" : blocked ? "x" : " ",
		    A_NORMAL);
		ui_puts(y, r->x + 1, r->w - 1, line, priv ?
		    ui_attr(u, UI_PAIR_PRIVATE, A_BOLD, A_BOLD) :
		    blocked ? A_DIM : A_NORMAL);
	}
	if (i < n && y < r->y + r->h) {
		snprintf(line, sizeof(line), " +%zu more", n - i);
		ui_puts(y, r->x, r->w, line, A_DIM);
	} else if (n == 0 && r->h > 1)
		ui_puts(r->y + 1, r->x + 1, r->w - 1, "(nobody else)", A_DIM);
}

/* One progress bar: direction, label, bar, percent, bytes, rate, ETA. */
static void
ui_draw_xfer(struct ui *u, const struct model_xfer *x, int y, int w)
{
	char stats[PROGRESS_TEXT_MAX], label[MODEL_XFER_LABEL_MAX + 8];
	int used, statw, barw, fill;
	attr_t fa = ui_attr(u, UI_PAIR_FILL, A_NORMAL, A_REVERSE);

	snprintf(label, sizeof(label), "%s %s ",
	    x->dir == MODEL_XFER_SEND ? (u->utf8 ? "\u2191" : "^") :
	    (u->utf8 ? "\u2193" : "v"), x->label);
	progress_stats(x, stats, sizeof(stats));
	used = ui_puts(y, 0, w < 30 ? w : 30, label, A_BOLD);
	statw = pane_width(stats, strlen(stats));
	barw = w - used - statw - 3;
	if (barw > 40)
		barw = 40;
	if (barw >= 8) {
		fill = progress_fill(x, barw);
		ui_puts(y, used, 1, "[", A_NORMAL);
		ui_fill(y, used + 1, fill, fa);
		ui_puts(y, used + 1 + barw, 1, "]", A_NORMAL);
		used += barw + 3;
	}
	ui_puts(y, used, w - used, stats, A_NORMAL);
}

/* The running transfers that fit. */
static void
ui_draw_xfers(struct ui *u, const struct ui_rect *r)
{
	const struct model_xfer *x;
	int i;

	for (i = 0; i < r->h && (x = model_xfer_at(u->m, (size_t)i)) != NULL;
	    i++)
		ui_draw_xfer(u, x, r->y + i, r->w);
}

/* Who we are, how many are online, and where the view is. */
static void
ui_draw_bar(struct ui *u, const struct ui_rect *r)
{
	attr_t a = ui_attr(u, UI_PAIR_BAR, A_NORMAL, A_REVERSE);
	attr_t hot = ui_attr(u, UI_PAIR_BAR, A_BOLD, A_REVERSE | A_BOLD);
	char left[UI_NOTE_MAX * 2 + 96], right[96], conn[96];
	unsigned long unseen = pane_unseen(ui_pane(u), ui_lines(u));
	size_t below = pane_below(ui_pane(u), ui_lines(u)), nx;
	char wl[UI_NOTE_MAX];
	int rw;

	ui_fill(r->y, r->x, r->w, a);
	if (u->hold)
		snprintf(left, sizeof(left),
		    " Session ended. Press any key to quit.");
	else if (model_state(u->m) == MODEL_STATE_ACTIVE &&
	    app_status(u->app, conn, sizeof(conn))) {
		snprintf(left, sizeof(left), " %s | %s", model_self(u->m),
		    conn);
		a = hot;
	} else if (model_state(u->m) == MODEL_STATE_ACTIVE) {
		nx = model_xfer_count(u->m);
		/* The window list once there is more than the status one. */
		wl[0] = '\0';
		if (u->wins.n > 1) {
			wl[0] = ' ';
			win_bar(&u->wins, wl + 1, sizeof(wl) - 3);
			strcat(wl, " |");
		}
		snprintf(left, sizeof(left), " %s | %zu online%s |%s %s",
		    model_self(u->m), model_user_count(u->m),
		    nx > 0 ? " | transfers" : "", wl,
		    u->note[0] != '\0' ? u->note : "/help, F1 keys");
	} else
		snprintf(left, sizeof(left), " %s",
		    u->note[0] != '\0' ? u->note : "not logged in");
	right[0] = '\0';
	if (below > 0)
		snprintf(right, sizeof(right), " %lu new, %zu below (PgDn) ",
		    unseen, below);
	rw = pane_width(right, strlen(right));
	if (rw > r->w)
		rw = r->w;
	ui_puts(r->y, r->x, r->w - rw, left, u->hold ? hot : a);
	if (rw > 0)
		ui_puts(r->y, r->x + r->w - rw, rw, right, hot);
}

/*
 * The prompt and the line, scrolled sideways to keep the cursor in view;
 * a secret shows one '*' per character.  Leaves the cursor in place.
 */
static void
ui_draw_input(struct ui *u, const struct ui_rect *r)
{
	enum model_input mode = model_input(u->m);
	const struct input *in = &u->in;
	char prompt[MODEL_PROMPT_MAX + 4], stars[INPUT_LINE_MAX + 1];
	const char *text = in->buf, *p;
	size_t start = 0, cur = in->cur, len = in->len, i, k;
	int pw, avail, curw, w, maxw;
	bool bad;
	attr_t pa = ui_attr(u, UI_PAIR_PROMPT, A_BOLD, A_BOLD);

	if (mode == MODEL_INPUT_COMMAND)
		snprintf(prompt, sizeof(prompt), "> ");
	else if (mode == MODEL_INPUT_NONE)
		snprintf(prompt, sizeof(prompt), "%s", u->hold ? "" : ". ");
	else
		snprintf(prompt, sizeof(prompt), "%s ", model_prompt(u->m));
	if (mode == MODEL_INPUT_SECRET) {
		/* One star per character, so the cursor maps one to one. */
		for (i = 0, k = 0, cur = 0; i < in->len; k++) {
			if (i == in->cur)
				cur = k;
			i += pane_char(in->buf + i, in->len - i, &w, &bad);
			stars[k] = '*';
		}
		if (in->cur == in->len)
			cur = k;
		stars[k] = '\0';
		text = stars;
		len = k;
	}
	/*
	 * A question may take all but a few columns (its answer is short);
	 * when even that is too narrow, its end shows, where "(y/n)" is.
	 */
	maxw = mode == MODEL_INPUT_ASK ? r->w - 3 : r->w / 2;
	if (maxw < 1)
		maxw = 1;
	p = prompt;
	pw = pane_width(p, strlen(p));
	while (pw > maxw && *p != '\0') {
		i = pane_char(p, strlen(p), &w, &bad);
		p += i;
		pw -= w;
	}
	pw = ui_puts(r->y, r->x, maxw, p, mode == MODEL_INPUT_COMMAND ?
	    A_BOLD : pa);
	avail = r->w - pw;
	if (avail <= 0)
		return;
	/* Drop characters from the left until the cursor fits. */
	curw = pane_width(text, cur);
	while (curw > avail - 1 && start < cur) {
		i = pane_char(text + start, cur - start, &w, &bad);
		start += i;
		curw -= w;
	}
	ui_put(r->y, r->x + pw, avail, text + start, len - start, A_NORMAL);
	move(r->y, r->x + pw + (curw < avail ? curw : avail - 1));
}

/* One frame: every visible view, then one update of the terminal. */
void
ui_draw(struct ui *u)
{
	const struct ui_rect *r;
	int cy = 0, cx = 0;
	size_t i;

	ui_layout(u);
	erase();
	for (i = 0; i < UI_VIEW_COUNT; i++) {
		r = &u->rect[i];
		if (r->h <= 0 || r->w <= 0 || i == UI_VIEW_INPUT)
			continue;
		if (ui_views[i].visible != NULL && !ui_views[i].visible(u))
			continue;
		ui_views[i].draw(u, r);
	}
	/* The input line last: it leaves the cursor where typing goes. */
	r = &u->rect[UI_VIEW_INPUT];
	if (r->h > 0 && r->w > 0) {
		ui_views[UI_VIEW_INPUT].draw(u, r);
		getyx(stdscr, cy, cx);
	}
	move(cy, cx);
	wnoutrefresh(stdscr);
	doupdate();
	u->last_draw_ms = mono_now_ms();
	u->dirty = u->xfer_dirty = false;
}
