/*
 * history.h - the rule behind whoelsesince: who was online at any moment
 * of the last S seconds.  Only each user's latest logout matters, so the
 * history since start costs one number per account.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#define HISTORY_NEVER	INT64_MIN	/* never logged out since start */

/*
 * True when a user was online at some moment in [now - window, now]:
 * online now, or logged out at or after now - window.
 */
bool	history_seen_within(bool online, int64_t last_logout_ms,
	    int64_t now_ms, int64_t window_ms);

#endif /* HISTORY_H */
