/*
 * msgid.c - the ids of the direct messages shown lately (see msgid.h).
 *
 * The ring holds the keys in order of arrival; the table maps a key to
 * its ring slot by open addressing with linear probing.  When the ring is
 * full the oldest key leaves the table by backward-shift deletion (the
 * entries after it in its probe run move up), so the table never fills
 * with tombstones and a lookup stays short at any age.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "sha256.h"

#define MSGID_KEY	16	/* bytes of a key kept */

struct msgid_set {
	unsigned char	(*ring)[MSGID_KEY];
	size_t		 keep, head, n;	/* head: the oldest key */
	uint32_t	*slot;		/* ring index + 1; 0 = empty */
	size_t		 mask;		/* table size - 1 */
};

/* A set for the last keep ids. */
struct msgid_set *
msgid_new(size_t keep)
{
	struct msgid_set *s;
	size_t size = 1;

	if (keep == 0 || keep > 65536 || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	while (size < 2 * keep)
		size <<= 1;
	s->keep = keep;
	s->mask = size - 1;
	if ((s->ring = calloc(keep, MSGID_KEY)) == NULL ||
	    (s->slot = calloc(size, sizeof(*s->slot))) == NULL) {
		msgid_free(s);
		return NULL;
	}
	return s;
}

/* Free the set. */
void
msgid_free(struct msgid_set *s)
{
	if (s == NULL)
		return;
	free(s->ring);
	free(s->slot);
	free(s);
}

/* The table slot where key's probe run starts. */
static size_t
msgid_home(const struct msgid_set *s, const unsigned char *key)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & s->mask;
}

/* The table slot holding key, or of the empty slot that ends its run. */
static size_t
msgid_find(const struct msgid_set *s, const unsigned char *key)
{
	size_t i = msgid_home(s, key);

	while (s->slot[i] != 0 &&
	    memcmp(s->ring[s->slot[i] - 1], key, MSGID_KEY) != 0)
		i = (i + 1) & s->mask;
	return i;
}

/* Empty table slot i and move up the entries of its run that need it. */
static void
msgid_unlink(struct msgid_set *s, size_t i)
{
	size_t j = i, k;

	for (;;) {
		s->slot[i] = 0;
		for (;;) {
			j = (j + 1) & s->mask;
			if (s->slot[j] == 0)
				return;
			k = msgid_home(s, s->ring[s->slot[j] - 1]);
			/* It stays when its home lies cyclically in (i, j]. */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		s->slot[i] = s->slot[j];
		i = j;
	}
}

/* Seen lately, or remembered now. */
bool
msgid_seen(struct msgid_set *s, const char *from, const char *id)
{
	struct sha256 c;
	unsigned char d[SHA256_LEN];
	size_t i, r;

	/* The sender is part of the key (NUL apart, so "ab"+"c" is not
	   "a"+"bc"): even a server that repeated an id across senders
	   could not make one user's message hide another's. */
	sha256_init(&c);
	sha256_update(&c, from, strlen(from) + 1);
	sha256_update(&c, id, strlen(id));
	sha256_final(&c, d);
	i = msgid_find(s, d);
	if (s->slot[i] != 0)
		return true;
	if (s->n == s->keep) {
		/* Full: the oldest goes, its ring slot takes the new key. */
		r = s->head;
		msgid_unlink(s, msgid_find(s, s->ring[r]));
		s->head = (s->head + 1) % s->keep;
		s->n--;
		i = msgid_find(s, d);
	} else
		r = (s->head + s->n) % s->keep;
	memcpy(s->ring[r], d, MSGID_KEY);
	s->slot[i] = (uint32_t)r + 1;
	s->n++;
	return false;
}

/* Ids remembered. */
size_t
msgid_count(const struct msgid_set *s)
{
	return s->n;
}
