/*
 * fuzz_proto_ev.c - libFuzzer harness for the event codec: the bytes are
 * one server line; what parses must encode again, and the encoded line
 * must parse to the same event.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_ev.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, again[PROTO_LINE_MAX * 2];
	struct proto_ev ev, ev2;
	int n;

	if (size >= PROTO_LINE_MAX || memchr(data, '\0', size) != NULL)
		return 0;
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (proto_ev_parse(line, &ev) == PROTO_OK) {
		n = proto_ev_encode(&ev, again, sizeof(again));
		if (n <= 0 || again[n - 1] != '\n')
			abort();
		again[n - 1] = '\0';
		if (proto_ev_parse(again, &ev2) != PROTO_OK ||
		    !proto_ev_equal(&ev, &ev2))
			abort();
	}
	free(line);
	return 0;
}
