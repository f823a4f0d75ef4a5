/*
 * reconn.c - backoff and the queue of lines typed while disconnected.
 */
#include <stdlib.h>
#include <string.h>

#include "reconn.h"

/* The wait before an attempt: doubling, capped, with jitter. */
int64_t
reconn_delay_ms(int attempt, uint32_t rnd)
{
	int64_t base = RECONN_FIRST_MS, span, d;

	while (--attempt > 0 && base < RECONN_MAX_MS)
		base *= 2;
	if (base > RECONN_MAX_MS)
		base = RECONN_MAX_MS;
	span = base / RECONN_JITTER;
	d = base - span + (int64_t)(rnd % (uint32_t)(2 * span + 1));
	return d > RECONN_MAX_MS ? RECONN_MAX_MS : d;
}

/* Count an attempt and set the time of the next one. */
void
reconn_schedule(struct reconn *r, int64_t now_ms, uint32_t rnd)
{
	r->attempt++;
	r->at_ms = now_ms + reconn_delay_ms(r->attempt, rnd);
}

/* Seconds before the next attempt, rounded up. */
int
reconn_seconds_left(const struct reconn *r, int64_t now_ms)
{
	int64_t left = r->at_ms - now_ms;

	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Keep a line for after the login. */
int
reconn_push(struct reconn *r, const char *line)
{
	char *copy;

	if (r->nq >= RECONN_QUEUE_MAX || (copy = strdup(line)) == NULL)
		return -1;
	r->queue[r->nq++] = copy;
	return 0;
}

/* The oldest line kept, or NULL. */
char *
reconn_pop(struct reconn *r)
{
	char *line;

	if (r->nq == 0)
		return NULL;
	line = r->queue[0];
	memmove(&r->queue[0], &r->queue[1],
	    (size_t)(r->nq - 1) * sizeof(r->queue[0]));
	r->nq--;
	return line;
}

/* Forget everything. */
void
reconn_reset(struct reconn *r)
{
	while (r->nq > 0)
		free(r->queue[--r->nq]);
	r->attempt = 0;
	r->at_ms = 0;
}
