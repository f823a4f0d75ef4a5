/*
 * fuzz_proto.c - libFuzzer harness for the wire codec: the bytes are a
 * stream cut into frames; every line is parsed as a request and as a
 * server line, and split into words.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_frame f;
	struct proto_req req;
	struct proto_msg msg;
	enum proto_err err;
	char *line, *argv[PROTO_ARGS_MAX], sample[64];
	const char *buf = (const char *)data;
	size_t off = 0;

	while (off < size && proto_frame(buf + off, size - off, &f, &err) == 1) {
		if ((line = malloc(f.line_len + 1)) == NULL)
			return 0;
		memcpy(line, buf + off, f.line_len);
		line[f.line_len] = '\0';
		proto_sanitize(sample, sizeof(sample), line, f.line_len);
		if (proto_parse_req(line, f.line_len, &req) == PROTO_OK)
			proto_split(req.args, argv, PROTO_ARGS_MAX, true);
		memcpy(line, buf + off, f.line_len);
		line[f.line_len] = '\0';
		proto_parse_msg(line, &msg);
		memcpy(line, buf + off, f.line_len);
		line[f.line_len] = '\0';
		proto_split(line, argv, 8, false);
		proto_valid_user(line);
		free(line);
		off += f.total;
	}
	return 0;
}
