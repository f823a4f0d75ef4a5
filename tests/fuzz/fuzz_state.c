/*
 * fuzz_state.c - libFuzzer harness for the parsers of the server's state
 * files: every input line as a messagelog.txt line and a groups.txt line;
 * what parses must format back to a line that parses the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "groups.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board_post p, q;
	struct group gr, back;
	char *line, err[256], out[8192];
	size_t n, m;

	if (size > 4096 || (line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (board_parse(line, &n, &p, err, sizeof(err)) == 0 &&
	    board_format(&p, n, out, sizeof(out)) == 0) {
		if (board_parse(out, &m, &q, err, sizeof(err)) != 0 || m != n ||
		    strcmp(q.user, p.user) != 0 || q.edited != p.edited)
			abort();
	}
	memcpy(line, data, size);
	line[size] = '\0';
	if (groups_parse(line, &gr, err, sizeof(err)) == 0 &&
	    groups_format(&gr, out, sizeof(out)) == 0) {
		if (groups_parse(out, &back, err, sizeof(err)) != 0 ||
		    back.nmembers != gr.nmembers)
			abort();
	}
	free(line);
	return 0;
}
