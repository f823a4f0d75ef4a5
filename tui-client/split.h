/*
 * split.h - cutting a long text into parts that fit a limit in bytes, at
 * word boundaries when it can (a word longer than the limit is cut between
 * characters, never inside a UTF-8 character).  Pure; Check tests it.
 */
#ifndef SPLIT_H
#define SPLIT_H

#include <stddef.h>

/*
 * The next part of s[0..n): returns its length (<= max, > 0 unless n is
 * 0 or only spaces) and sets *next to where the part after it starts
 * (spaces between the parts are dropped).
 */
size_t	 split_next(const char *s, size_t n, size_t max, size_t *next);

#endif /* SPLIT_H */
