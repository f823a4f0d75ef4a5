/*
 * fuzz_privwire.c - libFuzzer harness for the input path of private chat
 * frames: any bytes as a stream of frames (each opened, none may read
 * past what is held), and what opens must seal and open again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privwire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct privwire req, ans;
	static int ready;
	unsigned char f[PRIVWIRE_FRAME_MAX];
	char out[PRIVWIRE_TEXT_MAX + 1], back[PRIVWIRE_TEXT_MAX + 1];
	size_t off = 0, n, m, fl;
	int k;

	if (!ready) {
		if (privwire_init(&req, "000102030405060708090a0b0c0d0e0f",
		    true) == -1 || privwire_init(&ans,
		    "000102030405060708090a0b0c0d0e0f", false) == -1)
			abort();
		ready = 1;
	}
	ans.open_ctr = 0;
	while ((k = privwire_open(&ans, data + off, size - off, out, &n)) > 0) {
		if ((size_t)k > size - off || n > PRIVWIRE_TEXT_MAX)
			abort();
		off += (size_t)k;
	}
	/* A frame made from the input's first bytes must come back. */
	m = size < PRIVWIRE_TEXT_MAX ? size : PRIVWIRE_TEXT_MAX;
	req.open_ctr = 0;
	ans.open_ctr = 0;
	ans.seal_ctr = 0;
	if ((fl = privwire_seal(&ans, data, m, f)) == 0 ||
	    privwire_open(&req, f, fl, back, &n) != (int)fl || n != m ||
	    memcmp(back, data, m) != 0)
		abort();
	return 0;
}
