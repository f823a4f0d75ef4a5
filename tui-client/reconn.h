/*
 * reconn.h - the arithmetic of reconnecting, with no I/O: the backoff
 * before each attempt (1 s doubling to 30 s, with jitter) and a bounded
 * queue of lines typed while the connection is down, sent in order after
 * the login.  app_reconn.c does the connecting; Check tests this alone.
 */
#ifndef RECONN_H
#define RECONN_H

#include <stdbool.h>
#include <stdint.h>

#define RECONN_FIRST_MS	1000	/* wait before the first attempt */
#define RECONN_MAX_MS	30000	/* the wait never grows past this */
#define RECONN_JITTER	5	/* +-1/5 of the wait, so clients spread */
#define RECONN_QUEUE_MAX 32	/* lines kept while down; over: refused */

struct reconn {
	int	 attempt;		/* attempts made since the loss */
	int64_t	 at_ms;			/* when the next one is due */
	int	 nq;
	char	*queue[RECONN_QUEUE_MAX];	/* oldest first */
};

/*
 * The wait before attempt (1, 2, ...): 1 s, 2 s, 4 s ... capped at 30 s,
 * then moved by up to a fifth either way from rnd (any 32-bit value);
 * never above RECONN_MAX_MS.
 */
int64_t	 reconn_delay_ms(int attempt, uint32_t rnd);
/* Count an attempt and set when the next one is due. */
void	 reconn_schedule(struct reconn *r, int64_t now_ms, uint32_t rnd);
/* Whole seconds left before the next attempt (rounded up, >= 0). */
int	 reconn_seconds_left(const struct reconn *r, int64_t now_ms);
/* Keep a line for later; -1 when the queue is full or out of memory. */
int	 reconn_push(struct reconn *r, const char *line);
/* The oldest line kept (malloc'd, the caller frees it), or NULL. */
char	*reconn_pop(struct reconn *r);
/* Forget the lines kept and the attempts. */
void	 reconn_reset(struct reconn *r);

#endif /* RECONN_H */
