/*
 * hasher.h - password hashing outside the loop.  A yescrypt hash takes
 * tens of milliseconds (more on a board) and about 16 MiB; done in the
 * loop it would stall every other client at each login.  A child process,
 * forked at start before anything else is open, does the hashing; the
 * loop hands it requests over a socket pair and goes on.  If the child
 * cannot be started or dies, hashing falls back to the loop, and nothing
 * is lost: requests still waiting are hashed there.
 */
#ifndef HASHER_H
#define HASHER_H

#include <stdbool.h>

struct loop;

/* The result: the crypt(3) string, or NULL when hashing failed. */
typedef void	hasher_cb(void *arg, const char *hash);

/* Fork the child (call early, before descriptors pile up); -1 when it
   could not be started (hashing then happens in the loop). */
int		hasher_start(void);
/* Watch the child's socket in l. */
int		hasher_watch(struct loop *l);
/* Stop the child and wait for it. */
void		hasher_stop(void);
/* True when a child does the hashing. */
bool		hasher_running(void);
/*
 * Hash password with setting (a stored crypt string to verify against, or
 * NULL for a new yescrypt salt).  cb(arg, hash) comes later from the loop,
 * or before this returns when there is no child.  Returns a job number
 * (> 0) for hasher_cancel(), or 0 when cb was already called.
 */
unsigned	hasher_submit(const char *setting, const char *password,
		    hasher_cb *cb, void *arg);
/* The caller is gone: cb will not be called for job. */
void		hasher_cancel(unsigned job);
/* The same hashing, in this process (the child's work, and tests). */
int		hasher_hash_now(const char *setting, const char *password,
		    char *out, size_t outlen);

#endif /* HASHER_H */
