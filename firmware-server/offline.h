/*
 * offline.h - direct messages waiting for their recipient's next login,
 * in memory and in order.  state.c keeps them in offline.txt.
 */
#ifndef OFFLINE_H
#define OFFLINE_H

#include <stddef.h>
#include <time.h>

#include "proto.h"

#define OFFLINE_PER_USER_MAX	1000	/* waiting for one user; over: refused */
#define OFFLINE_MAX		100000	/* waiting in all; over: refused */

struct offline_msg {
	unsigned long	 seq;		/* number in messages.txt */
	char		 id[PROTO_MSGID_MAX + 1];	/* its id in * MSG */
	time_t		 time;
	char		 from[PROTO_ADDR_MAX + 1];	/* or USER@BOARD */
	char		 to[PROTO_USER_MAX + 1];
	char		*text;
};

struct offline;

struct offline	*offline_new(void);
void		 offline_free(struct offline *q);
size_t		 offline_count(const struct offline *q);
/* Messages waiting for user. */
size_t		 offline_count_for(const struct offline *q, const char *user);
/* Message i in order of arrival. */
const struct offline_msg *offline_at(const struct offline *q, size_t i);
/*
 * Queue a message with its id (the one its * MSG carries, every time it
 * is delivered); id NULL or "" for a record of a server before ids: its
 * number is its id then.  0, or -1 (the limits, or out of memory).
 */
int		 offline_add(struct offline *q, unsigned long seq,
		     const char *id, time_t when, const char *from,
		     const char *to, const char *text);
/*
 * Hand every message for user to fn, oldest first, then drop them.
 * Returns how many there were.
 */
size_t		 offline_take(struct offline *q, const char *user,
		     void (*fn)(const struct offline_msg *m, void *arg),
		     void *arg);
/* The oldest message for user numbered after seq, or NULL.  Numbers grow
   in order of arrival (they are messages.txt's). */
const struct offline_msg *offline_next(const struct offline *q,
		     const char *user, unsigned long seq);
/* Drop user's messages numbered up to seq; returns how many. */
size_t		 offline_drop(struct offline *q, const char *user,
		     unsigned long seq);

#endif /* OFFLINE_H */
