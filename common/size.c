/*
 * size.c - byte counts in words.  One table of units for both styles:
 * messages say "2.0 MB" with a fixed decimal, progress bars keep three
 * significant digits so that their width does not jump.
 */
#include <inttypes.h>
#include <stdio.h>

#include "size.h"

static const char *const size_units[] = { "kB", "MB", "GB", "TB" };
#define SIZE_NUNITS	(sizeof(size_units) / sizeof(size_units[0]))
/* SIZE_TENTHS stops at GB, as the messages always have. */
#define SIZE_GB		2

/* Write n in style into buf. */
void
size_format(uint64_t n, enum size_style style, char *buf, size_t len)
{
	size_t u = 0, top = style == SIZE_TENTHS ? SIZE_GB : SIZE_NUNITS - 1;
	double v = (double)n / 1000.0, unit = 1000.0;
	uint64_t k = n / 1000;

	if (n < 1000) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return;
	}
	/* The unit from integers: 999,999 bytes stays in kB. */
	while (k >= 1000 && u < top) {
		k /= 1000;
		v /= 1000.0;
		unit *= 1000.0;
		u++;
	}
	/* One division for a fixed decimal, so that it rounds once. */
	if (style == SIZE_TENTHS)
		v = (double)n / unit;
	if (style == SIZE_TENTHS)
		snprintf(buf, len, u == SIZE_GB ? "%.2f %s" : "%.1f %s", v,
		    size_units[u]);
	else if (v < 10.0)
		snprintf(buf, len, "%.2f %s", v, size_units[u]);
	else if (v < 100.0)
		snprintf(buf, len, "%.1f %s", v, size_units[u]);
	else
		snprintf(buf, len, "%.0f %s", v, size_units[u]);
}
