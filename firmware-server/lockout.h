/*
 * lockout.h - the rules of failed logins: after ATTEMPTS consecutive
 * failures a name is blocked for the block duration.  Pure arithmetic on
 * a clock the caller passes in (milliseconds, monotonic), so that tests
 * can drive it.
 */
#ifndef LOCKOUT_H
#define LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lockout {
	int	failures;	/* consecutive failures so far */
	int64_t	until_ms;	/* blocked until then; 0 when not blocked */
	int64_t	last_fail_ms;	/* time of the last failure */
};

/* Longest key of a lockout table: a user name or an IPv6 address. */
#define LOCKOUT_KEY_MAX	64

/* True while blocked; an expired block is cleared (failures back to 0). */
bool		 lockout_blocked(struct lockout *lk, int64_t now_ms);
/* Milliseconds of block left (0 when not blocked). */
int64_t		 lockout_remaining_ms(const struct lockout *lk, int64_t now_ms);
/* Count one failure; true when this failure starts a block. */
bool		 lockout_fail(struct lockout *lk, int attempts, int64_t block_ms,
		     int64_t now_ms);
/* A successful login: the count starts again. */
void		 lockout_clear(struct lockout *lk);
/* Forget failures older than window_ms when not blocked (for addresses,
   whose failures need not be consecutive). */
void		 lockout_decay(struct lockout *lk, int64_t window_ms,
		     int64_t now_ms);

/*
 * Failures of names that have no account, or of client addresses, kept in
 * a table of bounded size so that guessing cannot grow memory.  When the table is full the
 * entry that failed longest ago and is not blocked makes room.
 */
struct lockout_table;

struct lockout_table *lockout_table_new(size_t max);
void		 lockout_table_free(struct lockout_table *t);
/* The entry of name, created when create is true (NULL otherwise). */
struct lockout	*lockout_table_get(struct lockout_table *t, const char *name,
		     int64_t now_ms, bool create);
size_t		 lockout_table_size(const struct lockout_table *t);

#endif /* LOCKOUT_H */
