/*
 * fuzz_edge.c - libFuzzer harness for the edge data-file checker: any
 * bytes as an uploaded file, fed whole and in pieces of every size from
 * the first byte; both ways must agree (same verdict, line and sum).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge_data.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edge_scan whole, bits;
	char res[EDGE_RESULT_MAX];
	size_t off, step;
	int a, b = 0, op;

	edge_scan_init(&whole);
	a = edge_scan_feed(&whole, (const char *)data, size);
	if (a == 0)
		a = edge_scan_finish(&whole);
	step = size > 0 ? (size_t)data[0] % 7 + 1 : 1;
	edge_scan_init(&bits);
	for (off = 0; off < size && b == 0; off += step)
		b = edge_scan_feed(&bits, (const char *)data + off,
		    size - off < step ? size - off : step);
	if (b == 0)
		b = edge_scan_finish(&bits);
	if (a != b || (a == -1 && whole.err_line != bits.err_line) ||
	    (a == 0 && (!edge_i128_eq(whole.st.sum, bits.st.sum) ||
	    whole.st.count != bits.st.count)))
		abort();
	if (a == 0)
		for (op = 0; op < EDGE_OP_COUNT; op++)
			edge_op_result(&whole.st, op, res, sizeof(res));
	return 0;
}
