/*
 * mono.c - the monotonic clock (see mono.h).
 */
#include <time.h>

#include "mono.h"

/* Monotonic milliseconds. */
int64_t
mono_now_ms(void)
{
	return mono_now_us() / 1000;
}

/* Monotonic microseconds. */
int64_t
mono_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
