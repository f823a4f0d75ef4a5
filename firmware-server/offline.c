/*
 * offline.c - the queue of messages for users who are not logged in.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offline.h"

struct offline {
	struct offline_msg	*m;
	size_t			 n, cap;
};

/* An empty queue. */
struct offline *
offline_new(void)
{
	return calloc(1, sizeof(struct offline));
}

/* Free the queue. */
void
offline_free(struct offline *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
		free(q->m[i].text);
	free(q->m);
	free(q);
}

/* Messages waiting. */
size_t
offline_count(const struct offline *q)
{
	return q->n;
}

/* Messages waiting for user. */
size_t
offline_count_for(const struct offline *q, const char *user)
{
	size_t i, c = 0;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->m[i].to, user) == 0)
			c++;
	return c;
}

/* Message i. */
const struct offline_msg *
offline_at(const struct offline *q, size_t i)
{
	return i < q->n ? &q->m[i] : NULL;
}

/* Queue a message. */
int
offline_add(struct offline *q, unsigned long seq, const char *id,
    time_t when, const char *from, const char *to, const char *text)
{
	struct offline_msg *nm, *m;
	size_t cap;

	if (q->n >= OFFLINE_MAX ||
	    offline_count_for(q, to) >= OFFLINE_PER_USER_MAX)
		return -1;
	if (q->n == q->cap) {
		cap = q->cap ? q->cap * 2 : 16;
		if ((nm = realloc(q->m, cap * sizeof(*nm))) == NULL)
			return -1;
		q->m = nm;
		q->cap = cap;
	}
	m = &q->m[q->n];
	if ((m->text = strdup(text)) == NULL)
		return -1;
	m->seq = seq;
	/* A number alone has no dot, so it is never a newer id (which has
	   one or two, see cmd_msg.c and fed_msg.c). */
	if (id != NULL && *id != '\0')
		snprintf(m->id, sizeof(m->id), "%s", id);
	else
		snprintf(m->id, sizeof(m->id), "%lu", seq);
	m->time = when;
	snprintf(m->from, sizeof(m->from), "%s", from);
	snprintf(m->to, sizeof(m->to), "%s", to);
	q->n++;
	return 0;
}

/* Hand user's messages numbered up to seq to fn (when not NULL), oldest
   first, and drop them; the others keep their order. */
static size_t
offline_remove(struct offline *q, const char *user, unsigned long seq,
    void (*fn)(const struct offline_msg *, void *), void *arg)
{
	size_t i, j = 0, taken = 0;

	for (i = 0; i < q->n; i++) {
		if (q->m[i].seq <= seq && strcmp(q->m[i].to, user) == 0) {
			if (fn != NULL)
				fn(&q->m[i], arg);
			free(q->m[i].text);
			taken++;
		} else
			q->m[j++] = q->m[i];
	}
	q->n = j;
	return taken;
}

/* Deliver and drop user's messages. */
size_t
offline_take(struct offline *q, const char *user,
    void (*fn)(const struct offline_msg *, void *), void *arg)
{
	return offline_remove(q, user, ULONG_MAX, fn, arg);
}

/* The first message for user numbered after seq: binary search on the
   numbers (they grow in order of arrival), then a scan. */
const struct offline_msg *
offline_next(const struct offline *q, const char *user, unsigned long seq)
{
	size_t lo = 0, hi = q->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (q->m[mid].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < q->n; lo++)
		if (strcmp(q->m[lo].to, user) == 0)
			return &q->m[lo];
	return NULL;
}

/* Drop user's messages numbered up to seq. */
size_t
offline_drop(struct offline *q, const char *user, unsigned long seq)
{
	return offline_remove(q, user, seq, NULL, NULL);
}
