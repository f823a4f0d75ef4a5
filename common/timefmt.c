/*
 * timefmt.c - "DD Mon YYYY HH:MM:SS" in local time, both ways.  Month names
 * come from our own table so the output never depends on the C locale.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

#define TIMEFMT_EXPECTED \
	"expected DD Mon YYYY HH:MM:SS, e.g. 23 Feb 2021 16:01:20"

static const char *const timefmt_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static bool	 timefmt_digit(char c);
static int	 timefmt_digits(const char **sp, int min, int max, int *out);
static bool	 timefmt_leap(int year);
static int	 timefmt_mdays(int mon, int year);
static int	 timefmt_clamp(int v, int lo, int hi);

/* ASCII decimal digit, independent of the locale. */
static bool
timefmt_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Read between min and max digits at *sp into *out and advance *sp.
 * Returns -1 when the number of digits is outside [min, max].
 */
static int
timefmt_digits(const char **sp, int min, int max, int *out)
{
	const char *s = *sp;
	int n = 0, v = 0;

	while (timefmt_digit(s[n])) {
		if (n == max)
			return -1;
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n < min)
		return -1;
	*sp = s + n;
	*out = v;
	return 0;
}

/* Gregorian leap year. */
static bool
timefmt_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days in month mon (0-11) of year. */
static int
timefmt_mdays(int mon, int year)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	if (mon == 1 && timefmt_leap(year))
		return 29;
	return days[mon];
}

/* Keep v within [lo, hi] so a field never overflows its width. */
static int
timefmt_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Format t as local time into buf (TIMEFMT_LEN bytes). */
char *
timefmt_format(time_t t, char *buf)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(buf, TIMEFMT_LEN, "?? ??? ???? ??:??:??");
		return buf;
	}
	snprintf(buf, TIMEFMT_LEN, "%02d %s %04d %02d:%02d:%02d",
	    timefmt_clamp(tm.tm_mday, 0, 99), timefmt_months[tm.tm_mon],
	    timefmt_clamp(tm.tm_year + 1900, 0, 9999),
	    timefmt_clamp(tm.tm_hour, 0, 99), timefmt_clamp(tm.tm_min, 0, 99),
	    timefmt_clamp(tm.tm_sec, 0, 99));
	return buf;
}

/* Parse "DD Mon YYYY HH:MM:SS" strictly as local time. */
int
timefmt_parse(const char *s, time_t *out, char *err, size_t errlen)
{
	int day, mon, year, hour, min, sec, i;
	size_t mlen;
	struct tm tm;
	time_t t;

	if (errlen > 0)
		err[0] = '\0';

	if (timefmt_digits(&s, 1, 2, &day) == -1 || *s++ != ' ')
		goto bad;

	mlen = strcspn(s, " ");
	mon = -1;
	for (i = 0; i < 12 && mlen == 3; i++) {
		if (strncmp(s, timefmt_months[i], 3) == 0)
			mon = i;
	}
	if (mon == -1) {
		char sample[16];
		size_t k;

		/* Echo a short printable sample of what was found. */
		for (k = 0; k < mlen && k < sizeof(sample) - 1; k++) {
			unsigned char c = (unsigned char)s[k];

			sample[k] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		}
		sample[k] = '\0';
		if (mlen == 0)
			goto bad;
		snprintf(err, errlen, "unknown month '%s%s' (expected Jan..Dec)",
		    sample, mlen > k ? "..." : "");
		return -1;
	}
	s += 3;
	if (*s++ != ' ')
		goto bad;

	if (timefmt_digits(&s, 4, 4, &year) == -1 || *s++ != ' ')
		goto bad;
	if (timefmt_digits(&s, 2, 2, &hour) == -1 || *s++ != ':')
		goto bad;
	if (timefmt_digits(&s, 2, 2, &min) == -1 || *s++ != ':')
		goto bad;
	if (timefmt_digits(&s, 2, 2, &sec) == -1)
		goto bad;
	if (*s != '\0') {
		snprintf(err, errlen, "trailing text after the seconds");
		return -1;
	}

	if (year < 1970) {
		snprintf(err, errlen, "year %d is out of range 1970-9999", year);
		return -1;
	}
	if (day < 1 || day > 31) {
		snprintf(err, errlen, "day %d is out of range 1-31", day);
		return -1;
	}
	if (day > timefmt_mdays(mon, year)) {
		snprintf(err, errlen, "day %d does not exist in %s %d", day,
		    timefmt_months[mon], year);
		return -1;
	}
	if (hour > 23) {
		snprintf(err, errlen, "hour %02d is out of range 00-23", hour);
		return -1;
	}
	if (min > 59) {
		snprintf(err, errlen, "minute %02d is out of range 00-59", min);
		return -1;
	}
	if (sec > 59) {
		snprintf(err, errlen, "second %02d is out of range 00-59", sec);
		return -1;
	}

	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = day;
	tm.tm_mon = mon;
	tm.tm_year = year - 1900;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	/* -1 is also a valid time just before the epoch east of UTC. */
	errno = 0;
	t = mktime(&tm);
	if (t == (time_t)-1 && errno != 0) {
		snprintf(err, errlen, "%02d %s %04d %02d:%02d:%02d cannot be "
		    "represented on this system", day, timefmt_months[mon],
		    year, hour, min, sec);
		return -1;
	}
	*out = t;
	return 0;

bad:
	snprintf(err, errlen, "%s", TIMEFMT_EXPECTED);
	return -1;
}
