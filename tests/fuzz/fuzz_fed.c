/*
 * fuzz_fed.c - libFuzzer harness for the federation codec: the first
 * byte picks a topic kind, the rest is a payload from the broker (or, when
 * the first byte is odd, a topic and a payload split at the first NUL).
 * Whatever decodes must encode again to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fed_codec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const topics[] = {
	"fs/v1/board/lab2", "fs/v1/presence/lab2/bob", "fs/v1/dm/lab1/lab2",
	"fs/v1/ack/lab1/lab2", "fs/v1/bcast/lab2", "fs/v1/edge/lab2/bob/1",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char topic[FED_TOPIC_MAX + 64], out[FED_PAYLOAD_MAX + 1];
	const uint8_t *nul;
	struct fed_rec r;
	size_t n;
	int len;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		nul = memchr(data + 1, '\0', size - 1);
		n = nul ? (size_t)(nul - data - 1) : size - 1;
		if (n >= sizeof(topic))
			return 0;
		memcpy(topic, data + 1, n);
		topic[n] = '\0';
		data += 1 + n + (nul != NULL);
		size -= 1 + n + (nul != NULL);
	} else {
		strcpy(topic, topics[(data[0] >> 1) % 6]);
		data++;
		size--;
	}
	if (fed_decode("fs", topic, data, size, &r) != FED_OK)
		return 0;
	len = fed_encode(&r, out, sizeof(out));
	if (r.kind == FED_K_PRESENCE && !r.online) {
		if (len != 0)
			__builtin_trap();
		return 0;
	}
	if (len < 0 || (size_t)len != size || memcmp(out, data, size) != 0)
		__builtin_trap();
	return 0;
}
