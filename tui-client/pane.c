/*
 * pane.c - wrapping and the scroll position of the message pane; no
 * curses, so Check tests the bounds.  Lines hold at most MODEL_LINE_MAX
 * bytes, so walking one line's rows is cheap; walking the scrollback is
 * bounded by the pane's height except when clamping at the top.
 */
#include <string.h>
#include <wchar.h>

#include "pane.h"

static size_t	 pane_index(const struct pane *p, const struct model *m,
		     size_t *hidden);
static size_t	 pane_line_rows(const struct model *m, size_t i, int cols);
static void	 pane_set(struct pane *p, const struct model *m, size_t idx,
		     size_t hidden);

/* The character at s: length, width, and whether it is shown as '?'. */
size_t
pane_char(const char *s, size_t n, int *cols, bool *bad)
{
	mbstate_t st;
	wchar_t wc;
	size_t r;
	int w;

	memset(&st, 0, sizeof(st));
	r = mbrtowc(&wc, s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*cols = 1;
		*bad = true;
		return 1;
	}
	if ((w = wcwidth(wc)) < 0) {
		*cols = 1;
		*bad = true;
		return r;
	}
	*cols = w;
	*bad = false;
	return r;
}

/* Display width of n bytes. */
int
pane_width(const char *s, size_t n)
{
	size_t off = 0;
	int w, total = 0;
	bool bad;

	while (off < n) {
		off += pane_char(s + off, n - off, &w, &bad);
		total += w;
	}
	return total;
}

/* Bytes of the longest start that fits in cols columns. */
size_t
pane_fit(const char *s, size_t n, int cols)
{
	size_t off = 0, len;
	int w, used = 0;
	bool bad;

	while (off < n) {
		len = pane_char(s + off, n - off, &w, &bad);
		if (used + w > cols)
			break;
		used += w;
		off += len;
	}
	return off;
}

/* One wrapped row starting at s. */
size_t
pane_wrap(const char *s, size_t n, int cols, size_t *next)
{
	size_t off = 0, len, space = 0;
	bool bad, have_space = false;
	int w, used = 0;

	while (off < n) {
		len = pane_char(s + off, n - off, &w, &bad);
		if (used + w > cols && off > 0)
			break;
		if (s[off] == ' ' && off > 0) {
			space = off;
			have_space = true;
		}
		used += w;
		off += len;
	}
	if (off >= n) {
		*next = n;
		return n;
	}
	/* The row is full: the break after the next char is a space too. */
	if (s[off] == ' ') {
		*next = off + 1;
		return off;
	}
	if (have_space) {
		*next = space + 1;
		return space;
	}
	*next = off;
	return off;
}

/* Rows a text takes. */
size_t
pane_rows(const char *text, int cols)
{
	size_t n = strlen(text), off = 0, next, rows = 0;

	if (cols < 1)
		cols = 1;
	do {
		pane_wrap(text + off, n - off, cols, &next);
		off += next;
		rows++;
	} while (off < n);
	return rows;
}

/* A view following the newest line. */
void
pane_init(struct pane *p)
{
	memset(p, 0, sizeof(*p));
	p->follow = true;
}

/* Back to the newest line. */
void
pane_follow(struct pane *p)
{
	p->follow = true;
	p->hidden = 0;
}

/* Rows of line i. */
static size_t
pane_line_rows(const struct model *m, size_t i, int cols)
{
	const struct model_line *l = model_line_at(m, i);

	return l != NULL ? pane_rows(l->text, cols) : 1;
}

/* Where the bottom of the view is: line index, and its hidden rows. */
static size_t
pane_index(const struct pane *p, const struct model *m, size_t *hidden)
{
	const struct model_line *first = model_line_at(m, 0);
	size_t count = model_line_count(m), idx;

	*hidden = 0;
	if (p->follow || first == NULL)
		return count > 0 ? count - 1 : 0;
	if (p->bottom_seq < first->seq)
		return 0;		/* the anchor scrolled out of memory */
	idx = (size_t)(p->bottom_seq - first->seq);
	if (idx >= count)
		return count - 1;
	*hidden = p->hidden;
	return idx;
}

/* Anchor the view at (idx, hidden); the newest row means follow. */
static void
pane_set(struct pane *p, const struct model *m, size_t idx, size_t hidden)
{
	const struct model_line *l = model_line_at(m, idx);

	if (l == NULL || (idx + 1 == model_line_count(m) && hidden == 0)) {
		pane_follow(p);
		return;
	}
	p->follow = false;
	p->bottom_seq = l->seq;
	p->hidden = hidden;
}

/* The rows to show, top to bottom. */
size_t
pane_layout(struct pane *p, const struct model *m, int cols, int rows,
    struct pane_row *out)
{
	size_t count = model_line_count(m), idx, hidden, nrows, take, j;
	size_t filled = 0, need, off, next, len, first;
	const struct model_line *l;

	if (rows <= 0 || cols <= 0 || count == 0)
		return 0;
	/* A view scrolled back may need clamping (a resize, old lines gone). */
	if (!p->follow)
		pane_scroll(p, m, cols, rows, 0);
	need = (size_t)rows;
	idx = pane_index(p, m, &hidden);
	l = model_line_at(m, idx);
	if (l->seq > p->seen_seq && hidden == 0)
		p->seen_seq = l->seq;
	/* Fill from the bottom row up, then move the rows to the top. */
	for (;;) {
		l = model_line_at(m, idx);
		nrows = pane_rows(l->text, cols);
		if (hidden >= nrows)
			hidden = nrows - 1;
		take = nrows - hidden;
		if (take > need - filled)
			take = need - filled;
		first = nrows - hidden - take;
		len = strlen(l->text);
		off = 0;
		for (j = 0; j < nrows - hidden; j++) {
			size_t shown = pane_wrap(l->text + off, len - off,
			    cols, &next);

			if (j >= first) {
				struct pane_row *r;

				r = &out[need - filled - take + (j - first)];
				r->line = idx;
				r->off = off;
				r->len = shown;
			}
			off += next;
		}
		filled += take;
		hidden = 0;
		if (filled == need || idx == 0)
			break;
		idx--;
	}
	if (filled < need)
		memmove(out, out + (need - filled), filled * sizeof(*out));
	return filled;
}

/* The view's top one screen row later (toward the newest); false at the
   end. */
static bool
pane_row_down(const struct model *m, int cols, size_t *idx, size_t *hidden)
{
	if (*hidden > 0)
		(*hidden)--;
	else if (*idx + 1 < model_line_count(m)) {
		(*idx)++;
		*hidden = pane_line_rows(m, *idx, cols) - 1;
	} else
		return false;
	return true;
}

/* Scroll by delta rows (> 0: back). */
void
pane_scroll(struct pane *p, const struct model *m, int cols, int rows,
    int delta)
{
	size_t count = model_line_count(m), idx, hidden, above, i;
	int k;

	if (count == 0 || cols <= 0 || rows <= 0)
		return;
	idx = pane_index(p, m, &hidden);
	if (hidden >= pane_line_rows(m, idx, cols))
		hidden = pane_line_rows(m, idx, cols) - 1;
	for (k = 0; k < delta; k++) {		/* up */
		if (hidden + 1 < pane_line_rows(m, idx, cols))
			hidden++;
		else if (idx > 0) {
			idx--;
			hidden = 0;
		} else
			break;
	}
	for (k = 0; k > delta; k--)		/* down */
		if (!pane_row_down(m, cols, &idx, &hidden))
			break;
	/* Never leave empty rows above the oldest line: move down. */
	above = pane_line_rows(m, idx, cols) - hidden;
	for (i = idx; i > 0 && above < (size_t)rows; i--)
		above += pane_line_rows(m, i - 1, cols);
	while (above < (size_t)rows && pane_row_down(m, cols, &idx, &hidden))
		above++;
	pane_set(p, m, idx, hidden);
}

/* Lines added since the newest line shown. */
unsigned long
pane_unseen(const struct pane *p, const struct model *m)
{
	const struct model_line *l;
	size_t count = model_line_count(m);

	if (p->follow || count == 0)
		return 0;
	l = model_line_at(m, count - 1);
	return l->seq > p->seen_seq ? l->seq - p->seen_seq : 0;
}

/* Lines below the view. */
size_t
pane_below(const struct pane *p, const struct model *m)
{
	size_t count = model_line_count(m), idx, hidden;

	if (p->follow || count == 0)
		return 0;
	idx = pane_index(p, m, &hidden);
	return count - 1 - idx;
}
