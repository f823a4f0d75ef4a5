/*
 * fuzz_trust.c - libFuzzer harness for the client's known_servers parser
 * and the fingerprint parser (tui-client/trust.c): the store is a file a
 * user edits and anything may be in it.  A line found must hold a
 * fingerprint in normal form, and the parser must agree with itself on
 * what it found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when fp is "SHA256:" and 64 lowercase hex digits. */
static int
normal(const char *fp)
{
	size_t i;

	if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 71)
		return 0;
	for (i = 7; i < 71; i++)
		if (strchr("0123456789abcdef", fp[i]) == NULL)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "127.0.0.1:4001", "[::1]:4001",
	    "board:4001", "" };
	struct trust_entry e;
	char text[256], fp[TRUST_FP_LEN], again[TRUST_FP_LEN];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		trust_lookup_text((const char *)data, size, keys[i], &e);
		if (e.found && (e.line < 1 || !normal(e.fp)))
			abort();
		if (!e.found && e.fp[0] != '\0')
			abort();
	}
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (trust_fp_parse(text, fp) == 0) {
		if (!normal(fp) || trust_fp_parse(fp, again) != 0 ||
		    strcmp(fp, again) != 0)
			abort();
	}
	return 0;
}
