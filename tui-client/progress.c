/*
 * progress.c - progress text for transfers, shared by the screen and plain
 * mode.  The arithmetic (smoothed rate, time left) is in model.c; this only
 * turns it into words.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "progress.h"
#include "size.h"

/* A rate per second. */
void
progress_rate(double bytes_per_s, char *buf, size_t len)
{
	char b[24];

	if (!(bytes_per_s > 0.0)) {
		snprintf(buf, len, "-");
		return;
	}
	size_format((uint64_t)(bytes_per_s + 0.5), SIZE_SIG3, b, sizeof(b));
	snprintf(buf, len, "%s/s", b);
}

/* Time left in words. */
void
progress_eta(int64_t ms, char *buf, size_t len)
{
	int64_t s;

	if (ms < 0) {
		snprintf(buf, len, "?");
		return;
	}
	s = (ms + 999) / 1000;		/* never "0 s" while bytes remain */
	if (s < 60)
		snprintf(buf, len, "%" PRId64 " s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 " min %02" PRId64 " s", s / 60,
		    s % 60);
	else
		snprintf(buf, len, "%" PRId64 " h %02" PRId64 " min", s / 3600,
		    s / 60 % 60);
}

/* Whole percent done. */
int
progress_percent(const struct model_xfer *x)
{
	if (x->total == 0)
		return -1;
	if (x->done >= x->total)
		return 100;
	/* Floor, so 99.9% reads 99 and not 100 before the end. */
	return (int)((double)x->done * 100.0 / (double)x->total);
}

/* Filled cells of a bar. */
int
progress_fill(const struct model_xfer *x, int cells)
{
	int f;

	if (cells <= 0 || x->total == 0)
		return 0;
	if (x->done >= x->total)
		return cells;
	f = (int)((double)x->done * (double)cells / (double)x->total);
	return f < cells ? f : cells - 1;
}

/* "45% 12.0 MB of 26.7 MB, 3.1 MB/s, 5 s left". */
void
progress_stats(const struct model_xfer *x, char *buf, size_t len)
{
	char done[32], total[32], rate[32], eta[32];
	int pct = progress_percent(x);

	size_format(x->done, SIZE_SIG3, done, sizeof(done));
	progress_rate(x->rate, rate, sizeof(rate));
	progress_eta(x->eta_ms, eta, sizeof(eta));
	if (pct < 0) {
		snprintf(buf, len, "%s, %s", done, rate);
		return;
	}
	size_format(x->total, SIZE_SIG3, total, sizeof(total));
	snprintf(buf, len, "%d%% %s of %s, %s, %s left", pct, done, total,
	    rate, eta);
}

/* A progress line for plain mode, or the final one. */
void
progress_line(const struct model_xfer *x, bool ended, char *buf, size_t len)
{
	char stats[PROGRESS_TEXT_MAX], size[32], rate[32];
	int64_t ms = (ended ? x->end_ms : x->last_ms) - x->start_ms;
	double avg;

	if (!ended) {
		progress_stats(x, stats, sizeof(stats));
		snprintf(buf, len, "%s: %s", x->label, stats);
		return;
	}
	size_format(x->done, SIZE_SIG3, size, sizeof(size));
	if (!x->ok) {
		snprintf(buf, len, "%s: stopped after %s", x->label, size);
		return;
	}
	avg = ms > 0 ? (double)x->done * 1000.0 / (double)ms : 0.0;
	progress_rate(avg, rate, sizeof(rate));
	progress_eta(ms, stats, sizeof(stats));
	snprintf(buf, len, "%s: done, %s in %s (%s)", x->label, size,
	    ms > 0 ? stats : "0 s", rate);
}
