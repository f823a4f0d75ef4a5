/*
 * timefmt.h - the one timestamp format of the system: "DD Mon YYYY HH:MM:SS"
 * (for example "23 Feb 2021 16:01:20"), in the server's local time.
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <time.h>

#define TIMEFMT_LEN	21	/* "23 Feb 2021 16:01:20" and a NUL */

/* Format t as local time into buf (TIMEFMT_LEN bytes).  Returns buf. */
char	*timefmt_format(time_t t, char *buf);

/*
 * Parse s strictly: day of one or two digits, English month abbreviation
 * (Jan..Dec, first letter upper case), four-digit year, two-digit hour,
 * minute and second, single spaces.  The day must exist in that month and
 * year.  Returns 0 and sets *out, or -1 and writes a reason such as
 * "unknown month 'Foo' (expected Jan..Dec)" into err.
 */
int	 timefmt_parse(const char *s, time_t *out, char *err, size_t errlen);

#endif /* TIMEFMT_H */
