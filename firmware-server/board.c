/*
 * board.c - the message board in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "timefmt.h"

struct board {
	struct board_post	*p;
	size_t			 n, cap;
};

/* An empty board. */
struct board *
board_new(void)
{
	return calloc(1, sizeof(struct board));
}

/* Free the board and its posts. */
void
board_free(struct board *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		free(b->p[i].text);
	free(b->p);
	free(b);
}

/* Number of posts. */
size_t
board_count(const struct board *b)
{
	return b->n;
}

/* Post number n. */
const struct board_post *
board_get(const struct board *b, size_t n)
{
	return n >= 1 && n <= b->n ? &b->p[n - 1] : NULL;
}

/* Add a post. */
enum board_err
board_add(struct board *b, const char *user, const char *text, time_t when,
    bool edited, size_t *n)
{
	struct board_post *np, *p;
	size_t cap;

	if (b->n >= BOARD_POSTS_MAX)
		return BOARD_FULL;
	if (b->n == b->cap) {
		cap = b->cap ? b->cap * 2 : 64;
		if ((np = realloc(b->p, cap * sizeof(*np))) == NULL)
			return BOARD_NOMEM;
		b->p = np;
		b->cap = cap;
	}
	p = &b->p[b->n];
	if ((p->text = strdup(text)) == NULL)
		return BOARD_NOMEM;
	snprintf(p->user, sizeof(p->user), "%s", user);
	p->time = when;
	p->edited = edited;
	*n = ++b->n;
	return BOARD_OK;
}

/* Check a delete or edit request. */
enum board_err
board_check(const struct board *b, size_t n, const char *user, time_t when)
{
	const struct board_post *p = board_get(b, n);

	if (p == NULL)
		return BOARD_NOPOST;
	if (strcmp(p->user, user) != 0)
		return BOARD_NOTAUTHOR;
	if (p->time != when)
		return BOARD_MISMATCH;
	return BOARD_OK;
}

/* Remove post n. */
void
board_delete(struct board *b, size_t n)
{
	if (n < 1 || n > b->n)
		return;
	free(b->p[n - 1].text);
	memmove(&b->p[n - 1], &b->p[n], (b->n - n) * sizeof(b->p[0]));
	b->n--;
}

/* Edit post n. */
enum board_err
board_edit(struct board *b, size_t n, const char *text, time_t when)
{
	char *t;

	if (n < 1 || n > b->n)
		return BOARD_NOPOST;
	if ((t = strdup(text)) == NULL)
		return BOARD_NOMEM;
	free(b->p[n - 1].text);
	b->p[n - 1].text = t;
	b->p[n - 1].time = when;
	b->p[n - 1].edited = true;
	return BOARD_OK;
}

/* The next post later than since. */
size_t
board_next_after(const struct board *b, size_t from, time_t since)
{
	size_t i;

	for (i = from ? from : 1; i <= b->n; i++)
		if (b->p[i - 1].time > since)
			return i;
	return 0;
}

/* One messagelog.txt line. */
int
board_format(const struct board_post *p, size_t n, char *out, size_t outlen)
{
	char when[TIMEFMT_LEN];
	int r;

	r = snprintf(out, outlen, "%zu; %s; %s; %s; %s", n,
	    timefmt_format(p->time, when), p->user, p->text,
	    p->edited ? "yes" : "no");
	return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

/* Parse one messagelog.txt line. */
int
board_parse(char *line, size_t *n, struct board_post *p, char *err,
    size_t errlen)
{
	char *f[3], *rest, *sep, *flag;
	long long num;
	int i;

	rest = line;
	for (i = 0; i < 3; i++) {
		if ((sep = strstr(rest, "; ")) == NULL) {
			snprintf(err, errlen, "expected N; TIME; USER; TEXT; "
			    "no|yes");
			return -1;
		}
		*sep = '\0';
		f[i] = rest;
		rest = sep + 2;
	}
	if ((sep = strrchr(rest, ';')) == NULL || sep[1] != ' ') {
		snprintf(err, errlen, "missing the edited flag (no|yes)");
		return -1;
	}
	*sep = '\0';
	flag = sep + 2;
	if (proto_parse_int(f[0], 1, BOARD_POSTS_MAX, &num) == -1) {
		snprintf(err, errlen, "bad message number '%.20s'", f[0]);
		return -1;
	}
	if (timefmt_parse(f[1], &p->time, err, errlen) == -1)
		return -1;
	if (!proto_valid_user(f[2])) {
		snprintf(err, errlen, "bad user name '%.40s'", f[2]);
		return -1;
	}
	if (strcmp(flag, "yes") == 0)
		p->edited = true;
	else if (strcmp(flag, "no") == 0)
		p->edited = false;
	else {
		snprintf(err, errlen, "edited flag must be no or yes, not "
		    "'%.10s'", flag);
		return -1;
	}
	*n = (size_t)num;
	snprintf(p->user, sizeof(p->user), "%s", f[2]);
	p->text = rest;
	return 0;
}
