/*
 * fuzz_sanitize.c - libFuzzer harness for the client's sanitizer: any
 * bytes come out as well-formed UTF-8 with no control character and no
 * bidi override, never longer than they went in; the password check
 * never crashes and accepts only what the sanitizer leaves alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "sanitize.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *copy;
	size_t n;
	int bad;

	if (size > 8192 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	if ((copy = strdup(s)) == NULL) {
		free(s);
		return 0;
	}
	bad = sanitize_text(s);
	if (strlen(s) > n || !proto_valid_utf8(s, strlen(s)))
		abort();
	/* Nothing unsafe is left: a second pass changes nothing. */
	if (sanitize_text(s) != 0)
		abort();
	if (sanitize_password(copy) == NULL && (bad != 0 ||
	    strlen(copy) > PROTO_PASS_MAX))
		abort();
	free(copy);
	free(s);
	return 0;
}
