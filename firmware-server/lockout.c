/*
 * lockout.c - failed-login arithmetic and the bounded table of unknown
 * names.
 */
#include <stdlib.h>
#include <string.h>

#include "lockout.h"
#include "proto.h"

/* True while blocked; clears an expired block. */
bool
lockout_blocked(struct lockout *lk, int64_t now_ms)
{
	if (lk->until_ms == 0)
		return false;
	if (now_ms < lk->until_ms)
		return true;
	lk->until_ms = 0;
	lk->failures = 0;
	return false;
}

/* Milliseconds of block left. */
int64_t
lockout_remaining_ms(const struct lockout *lk, int64_t now_ms)
{
	if (lk->until_ms == 0 || now_ms >= lk->until_ms)
		return 0;
	return lk->until_ms - now_ms;
}

/* Count one failure. */
bool
lockout_fail(struct lockout *lk, int attempts, int64_t block_ms,
    int64_t now_ms)
{
	if (lockout_blocked(lk, now_ms))
		return false;
	lk->last_fail_ms = now_ms;
	if (++lk->failures < attempts)
		return false;
	lk->until_ms = now_ms + block_ms;
	if (lk->until_ms == 0)
		lk->until_ms = 1;
	return true;
}

/* Forget old failures. */
void
lockout_decay(struct lockout *lk, int64_t window_ms, int64_t now_ms)
{
	if (lk->until_ms == 0 && lk->failures > 0 &&
	    now_ms - lk->last_fail_ms >= window_ms)
		lk->failures = 0;
}

/* Forget the failures. */
void
lockout_clear(struct lockout *lk)
{
	lk->failures = 0;
	lk->until_ms = 0;
}

struct lockout_entry {
	char		name[LOCKOUT_KEY_MAX + 1];
	struct lockout	lk;
	int64_t		last_ms;	/* time of the last lookup */
};

struct lockout_table {
	struct lockout_entry	*e;
	size_t			 n;
	size_t			 max;
};

/* A table of at most max names. */
struct lockout_table *
lockout_table_new(size_t max)
{
	struct lockout_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->e = calloc(max ? max : 1, sizeof(*t->e))) == NULL) {
		free(t);
		return NULL;
	}
	t->max = max ? max : 1;
	return t;
}

/* Free the table. */
void
lockout_table_free(struct lockout_table *t)
{
	if (t != NULL) {
		free(t->e);
		free(t);
	}
}

/* Number of names held. */
size_t
lockout_table_size(const struct lockout_table *t)
{
	return t->n;
}

/* The slot to reuse when full: oldest unblocked, else the block ending first. */
static size_t
lockout_table_victim(struct lockout_table *t, int64_t now_ms)
{
	size_t i, best = 0;
	bool best_free = false, is_free;

	for (i = 0; i < t->n; i++) {
		is_free = !lockout_blocked(&t->e[i].lk, now_ms);
		if (is_free && (!best_free || t->e[i].last_ms < t->e[best].last_ms)) {
			best = i;
			best_free = true;
		} else if (!best_free && !is_free &&
		    t->e[i].lk.until_ms < t->e[best].lk.until_ms)
			best = i;
	}
	return best;
}

/* Find or create the entry of name. */
struct lockout *
lockout_table_get(struct lockout_table *t, const char *name, int64_t now_ms,
    bool create)
{
	struct lockout_entry *e;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->e[i].name, name) == 0) {
			t->e[i].last_ms = now_ms;
			return &t->e[i].lk;
		}
	}
	if (!create || strlen(name) > LOCKOUT_KEY_MAX)
		return NULL;
	e = t->n < t->max ? &t->e[t->n++] : &t->e[lockout_table_victim(t, now_ms)];
	memset(e, 0, sizeof(*e));
	strcpy(e->name, name);
	e->last_ms = now_ms;
	return &e->lk;
}
