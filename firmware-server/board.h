/*
 * board.h - the message board's rules, in memory and without I/O: posts
 * numbered from 1, delete and edit by the author only with the post's
 * current timestamp, delete renumbers, edit re-times and marks.  The
 * files that keep it are state.c's business.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "proto.h"

#define BOARD_POSTS_MAX	100000	/* posts held; over: POST is refused */

struct board_post {
	time_t	 time;		/* posted, or last edited */
	char	 user[PROTO_USER_MAX + 1];
	char	*text;
	bool	 edited;
};

enum board_err {
	BOARD_OK = 0,
	BOARD_NOPOST,		/* no post with that number */
	BOARD_NOTAUTHOR,	/* someone else's post */
	BOARD_MISMATCH,		/* the timestamp is not the post's */
	BOARD_FULL,		/* BOARD_POSTS_MAX reached */
	BOARD_NOMEM,
};

struct board;

struct board	*board_new(void);
void		 board_free(struct board *b);
size_t		 board_count(const struct board *b);
/* Post number n (1-based); NULL when there is none. */
const struct board_post *board_get(const struct board *b, size_t n);
/* Add a post at the end; *n is its number. */
enum board_err	 board_add(struct board *b, const char *user, const char *text,
		     time_t when, bool edited, size_t *n);
/* May user change post n whose timestamp they say is when? */
enum board_err	 board_check(const struct board *b, size_t n, const char *user,
		     time_t when);
/* Remove post n; the later ones move up by one. */
void		 board_delete(struct board *b, size_t n);
/* Replace the text of post n, set its time and mark it edited. */
enum board_err	 board_edit(struct board *b, size_t n, const char *text,
		     time_t when);
/* The first post strictly later than since, from number from (1-based);
   0 when none is left. */
size_t		 board_next_after(const struct board *b, size_t from,
		     time_t since);

/* "N; TIME; USER; TEXT; no|yes" (without LF) into out; -1 when too long. */
int		 board_format(const struct board_post *p, size_t n, char *out,
		     size_t outlen);
/*
 * Parse one messagelog.txt line in place.  The text may itself hold
 * "; ": the number, time and user are cut from the left and the flag
 * from the right.  Returns 0, or -1 with a reason in err.
 */
int		 board_parse(char *line, size_t *n, struct board_post *p,
		     char *err, size_t errlen);

#endif /* BOARD_H */
