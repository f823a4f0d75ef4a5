/*
 * mono.h - the one clock both programs measure time with: monotonic, so
 * timers and timeouts never jump with the wall clock.
 */
#ifndef MONO_H
#define MONO_H

#include <stdint.h>

/* Monotonic milliseconds. */
int64_t	mono_now_ms(void);
/* Monotonic microseconds. */
int64_t	mono_now_us(void);

#endif
