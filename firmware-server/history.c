/*
 * history.c - the whoelsesince window.
 */
#include "history.h"

/* Online at any moment of the window? */
bool
history_seen_within(bool online, int64_t last_logout_ms, int64_t now_ms,
    int64_t window_ms)
{
	if (online)
		return true;
	if (last_logout_ms == HISTORY_NEVER || window_ms < 0)
		return false;
	/* now - window may go below the clock's zero: that is fine. */
	return last_logout_ms >= now_ms - window_ms;
}
