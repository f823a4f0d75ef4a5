/*
 * msgid.h - the direct messages the client has shown lately, by id: a
 * bounded set, so that a message the server delivers again (after a
 * crash, or a login cut short while waiting messages came) is shown once.
 *
 * A key is the sender and the server's id; the set remembers the last
 * `keep` keys (a ring, oldest forgotten first) with a hash table over
 * them.  Keys are kept as 128 bits of their SHA-256, so memory is fixed
 * (keep * 16 bytes + a table of 2 * keep slots) and two different keys
 * never meet by chance or by design.  Pure: no I/O, no curses.
 */
#ifndef MSGID_H
#define MSGID_H

#include <stdbool.h>
#include <stddef.h>

#define MSGID_KEEP	4096	/* ids remembered; more than a login's
				   waiting messages (1000) */

struct msgid_set;

/* A set remembering the last keep ids (1..65536); NULL without memory. */
struct msgid_set *msgid_new(size_t keep);
void		 msgid_free(struct msgid_set *s);

/*
 * True when from's message id is among the last keep remembered (a
 * repeat: do not show it); else remember it, forgetting the oldest when
 * full, and return false.
 */
bool		 msgid_seen(struct msgid_set *s, const char *from,
		     const char *id);

/* Ids remembered now. */
size_t		 msgid_count(const struct msgid_set *s);

#endif /* MSGID_H */
