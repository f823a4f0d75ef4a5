/*
 * split.c - long texts cut at word boundaries.
 */
#include <stdbool.h>

#include "split.h"

/* True for a UTF-8 continuation byte. */
static bool
split_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* The next part of at most max bytes; *next: the start of the one after. */
size_t
split_next(const char *s, size_t n, size_t max, size_t *next)
{
	size_t len, end;

	/* Leading spaces are dropped. */
	for (end = 0; end < n && s[end] == ' '; end++)
		;
	if (end > 0) {
		len = split_next(s + end, n - end, max, next);
		*next += end;
		return len;
	}
	if (n <= max || max == 0) {
		len = max == 0 ? 0 : n;
		while (len > 0 && s[len - 1] == ' ')
			len--;
		*next = max == 0 ? 0 : n;
		return len;
	}
	/* The last space that keeps the part within max. */
	for (end = max; end > 0 && s[end] != ' '; end--)
		;
	if (end > 0) {
		len = end;
		while (len > 0 && s[len - 1] == ' ')
			len--;
		while (end < n && s[end] == ' ')
			end++;
		if (len > 0) {
			*next = end;
			return len;
		}
	}
	/* One word longer than max: cut between characters. */
	for (len = max; len > 0 && split_cont((unsigned char)s[len]); len--)
		;
	if (len == 0)
		len = max;	/* not UTF-8 at all: bytes it is */
	*next = len;
	return len;
}
