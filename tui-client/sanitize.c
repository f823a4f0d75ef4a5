/*
 * sanitize.c - keep terminal controls and bidi overrides off the screen,
 * and refuse passwords the server cannot take, before they are sent.
 */
#include <stddef.h>
#include <string.h>

#include "proto.h"
#include "sanitize.h"

#define SANITIZE_STR2(x)	#x
#define SANITIZE_STR(x)		SANITIZE_STR2(x)

/* Decode the UTF-8 character at s into *cp; its length, or 0 when the
   bytes there are not well-formed (overlong, surrogate, cut short...). */
static size_t
sanitize_decode(const unsigned char *s, unsigned long *cp)
{
	size_t need, k;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)	/* the NUL stops here too */
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

/* A character never shown raw. */
bool
sanitize_unsafe(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Replace what must not reach the terminal with '?', in place. */
int
sanitize_text(char *s)
{
	unsigned char *in = (unsigned char *)s, *out = in;
	unsigned long cp;
	size_t n;
	int bad = 0;

	while (*in != '\0') {
		if ((n = sanitize_decode(in, &cp)) == 0 || sanitize_unsafe(cp)) {
			*out++ = '?';
			in += n == 0 ? 1 : n;
			bad++;
			continue;
		}
		memmove(out, in, n);
		out += n;
		in += n;
	}
	*out = '\0';
	return bad;
}

/* Why pw cannot be sent as a password, or NULL. */
const char *
sanitize_password(const char *pw)
{
	const unsigned char *p = (const unsigned char *)pw;
	unsigned long cp;
	size_t n;

	if (strlen(pw) > PROTO_PASS_MAX)
		return "a password is at most " SANITIZE_STR(PROTO_PASS_MAX)
		    " bytes";
	for (; *p != '\0'; p += n)
		if ((n = sanitize_decode(p, &cp)) == 0 || sanitize_unsafe(cp))
			return "a password must be valid UTF-8 without control "
			    "characters";
	return NULL;
}
