/*
 * fuzz_fed.c - libFuzzer harness for the federation codec: the first
 * byte picks a topic kind, the rest is a payload from the broker (or, when
 * the first byte is odd, a topic and a payload split at the first NUL).
 * Whatever decodes must encode again to the same bytes (a batch record
 * by record; a feature list to the words this board knows, which decode
 * the same again).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fed_codec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const topics[] = {
	"fs/v1/board/lab2", "fs/v1/presence/lab2/bob", "fs/v1/dm/lab1/lab2",
	"fs/v1/ack/lab1/lab2", "fs/v1/bcast/lab2", "fs/v1/edge/lab2/bob/1",
	"fs/v1/dmb/lab1/lab2", "fs/v1/feat/lab2",
};
#define NTOPICS	(sizeof(topics) / sizeof(topics[0]))

static char batch[FED_BATCH_MAX + 1];

/* A decoded batch built again from its records must be the same bytes. */
static void
rebatch(const struct fed_rec *head, const uint8_t *data, size_t size)
{
	static struct fed_rec r;
	size_t off = 0, len = 0;
	unsigned n = 0;

	while (fed_batch_next(head, data, size, &off, &r)) {
		if (fed_batch_add(batch, sizeof(batch), &len, &r) == -1)
			__builtin_trap();
		n++;
	}
	if (n != head->count || len != size || memcmp(batch, data, size) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char topic[FED_TOPIC_MAX + 64], out[FED_PAYLOAD_MAX + 1];
	const uint8_t *nul;
	static struct fed_rec r, again;
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
		strcpy(topic, topics[(data[0] >> 1) % NTOPICS]);
		data++;
		size--;
	}
	if (fed_decode("fs", topic, data, size, &r) != FED_OK)
		return 0;
	if (r.kind == FED_K_DMB) {
		rebatch(&r, data, size);
		return 0;
	}
	len = fed_encode(&r, out, sizeof(out));
	if (r.kind == FED_K_FEAT) {
		if (r.feat == 0)
			return 0;	/* nothing this board knows: not encoded */
		if (len < 0 || fed_decode("fs", topic, out, (size_t)len,
		    &again) != FED_OK || again.feat != r.feat)
			__builtin_trap();
		return 0;
	}
	if (r.kind == FED_K_PRESENCE && !r.online) {
		if (len != 0)
			__builtin_trap();
		return 0;
	}
	if (len < 0 || (size_t)len != size || memcmp(out, data, size) != 0)
		__builtin_trap();
	return 0;
}
