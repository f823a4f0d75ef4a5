/*
 * pane.h - the message pane without curses: how a line of UTF-8 text wraps
 * into rows of a given width, and where the view of the scrollback is.
 *
 * The view is anchored to a line (by its sequence number) and a count of
 * that line's rows hidden below the view, so lines that arrive while the
 * user reads back do not move what is shown; only in "follow" mode does
 * the view stay at the newest line.  Widths follow the C library's locale
 * (mbrtowc, wcwidth): a byte that is not a character, or a control
 * character, takes one column and is shown as '?'.
 */
#ifndef PANE_H
#define PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct pane {
	bool		 follow;	/* showing the newest line */
	unsigned long	 bottom_seq;	/* else: the line at the bottom */
	size_t		 hidden;	/* its rows below the view */
	unsigned long	 seen_seq;	/* newest line shown so far */
};

/* One row of the pane: bytes [off, off + len) of line `line`. */
struct pane_row {
	size_t	 line;		/* index for model_line_at */
	size_t	 off;
	size_t	 len;
};

/*
 * The character at s (n > 0 bytes left): returns its length in bytes
 * (>= 1) and its width in *cols (0 for a combining mark); *bad is true
 * when it must be shown as '?'.
 */
size_t	 pane_char(const char *s, size_t n, int *cols, bool *bad);
/* Display width of n bytes of s. */
int	 pane_width(const char *s, size_t n);
/* Bytes of the longest start of s[0..n) that fits in cols columns. */
size_t	 pane_fit(const char *s, size_t n, int cols);
/*
 * One row of wrapped text starting at s: returns the bytes to show and
 * sets *next to where the next row starts.  Breaks after the last space
 * that fits (the space is not shown), else inside the word; a row always
 * takes at least one character.
 */
size_t	 pane_wrap(const char *s, size_t n, int cols, size_t *next);
/* Rows text takes at that width (at least 1). */
size_t	 pane_rows(const char *text, int cols);

/* A view that follows the newest line. */
void	 pane_init(struct pane *p);
/*
 * The rows to show in a pane of cols x rows, top to bottom, into out
 * (room for rows entries); returns how many (fewer when the scrollback
 * is short).  Also records the newest line shown (for pane_unseen).
 */
size_t	 pane_layout(struct pane *p, const struct model *m, int cols,
	     int rows, struct pane_row *out);
/*
 * Scroll by delta rows: > 0 back towards older lines, < 0 towards newer
 * ones.  Never further back than the first row of the oldest line at the
 * top of the view; reaching the newest row turns follow mode on.
 */
void	 pane_scroll(struct pane *p, const struct model *m, int cols,
	     int rows, int delta);
/* Back to the newest line. */
void	 pane_follow(struct pane *p);
/* Lines added since the newest line shown (0 in follow mode). */
unsigned long pane_unseen(const struct pane *p, const struct model *m);
/* Lines below the view (0 in follow mode). */
size_t	 pane_below(const struct pane *p, const struct model *m);

#endif /* PANE_H */
