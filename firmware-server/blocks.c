/*
 * blocks.c - a sorted array of pairs; lookups are binary searches, so the
 * presence broadcast can ask for every recipient cheaply.
 */
#include <stdlib.h>
#include <string.h>

#include "blocks.h"

struct blocks_pair {
	char	blocker[PROTO_USER_MAX + 1];
	char	blocked[PROTO_ADDR_MAX + 1];	/* USER or USER@BOARD */
};

struct blocks {
	struct blocks_pair	*p;
	size_t			 n, cap;
};

/* An empty set. */
struct blocks *
blocks_new(void)
{
	return calloc(1, sizeof(struct blocks));
}

/* Free the set. */
void
blocks_free(struct blocks *b)
{
	if (b != NULL) {
		free(b->p);
		free(b);
	}
}

/* Order of pairs: by blocker, then blocked. */
static int
blocks_cmp(const struct blocks_pair *p, const char *blocker,
    const char *blocked)
{
	int c = strcmp(p->blocker, blocker);

	return c != 0 ? c : strcmp(p->blocked, blocked);
}

/* Index of the pair, or where it would go (*found says which). */
static size_t
blocks_find(const struct blocks *b, const char *blocker, const char *blocked,
    bool *found)
{
	size_t lo = 0, hi = b->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = blocks_cmp(&b->p[mid], blocker, blocked);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Does blocker block blocked? */
bool
blocks_has(const struct blocks *b, const char *blocker, const char *blocked)
{
	bool found;

	blocks_find(b, blocker, blocked, &found);
	return found;
}

/* Add a pair. */
int
blocks_add(struct blocks *b, const char *blocker, const char *blocked)
{
	struct blocks_pair *np;
	size_t i, cap;
	bool found;

	if (strlen(blocker) > PROTO_USER_MAX || strlen(blocked) > PROTO_USER_MAX)
		return -1;
	i = blocks_find(b, blocker, blocked, &found);
	if (found)
		return 0;
	if (b->n >= BLOCKS_MAX)
		return -1;
	if (b->n == b->cap) {
		cap = b->cap ? b->cap * 2 : 16;
		if ((np = realloc(b->p, cap * sizeof(*np))) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memmove(&b->p[i + 1], &b->p[i], (b->n - i) * sizeof(b->p[0]));
	strcpy(b->p[i].blocker, blocker);
	strcpy(b->p[i].blocked, blocked);
	b->n++;
	return 1;
}

/* Remove a pair. */
int
blocks_remove(struct blocks *b, const char *blocker, const char *blocked)
{
	size_t i;
	bool found;

	i = blocks_find(b, blocker, blocked, &found);
	if (!found)
		return 0;
	memmove(&b->p[i], &b->p[i + 1], (b->n - i - 1) * sizeof(b->p[0]));
	b->n--;
	return 1;
}

/* Number of pairs. */
size_t
blocks_count(const struct blocks *b)
{
	return b->n;
}

/* Pair i. */
void
blocks_at(const struct blocks *b, size_t i, const char **blocker,
    const char **blocked)
{
	*blocker = b->p[i].blocker;
	*blocked = b->p[i].blocked;
}
