/*
 * progress.h - how a transfer's progress reads, for the screen's bars and
 * plain mode's progress lines: sizes, rates, time left, percent and the
 * filled part of a bar.  Pure text, no curses, no I/O.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define PROGRESS_TEXT_MAX	128	/* any text made here fits */

/* "3.1 MB/s"; "-" when the rate is not known yet. */
void	 progress_rate(double bytes_per_s, char *buf, size_t len);
/* "5 s", "2 min 05 s", "1 h 02 min"; "?" when ms < 0. */
void	 progress_eta(int64_t ms, char *buf, size_t len);
/* Whole percent done (100 only when done >= total); -1 when total is 0. */
int	 progress_percent(const struct model_xfer *x);
/* Cells of a bar of `cells` that are filled (0..cells). */
int	 progress_fill(const struct model_xfer *x, int cells);
/* "45% 12.0 MB of 26.7 MB, 3.1 MB/s, 5 s left" (no label). */
void	 progress_stats(const struct model_xfer *x, char *buf, size_t len);
/* "UED 1: " + the stats, or the final line once ended (ok or not). */
void	 progress_line(const struct model_xfer *x, bool ended, char *buf,
	     size_t len);

#endif /* PROGRESS_H */
