/*
 * proto.c - the wire codec: cutting frames from a byte stream and parsing
 * request and reply lines.  Pure code: no I/O, no logging, no allocation.
 * Every read of peer bytes is bounded by the length the caller gives or by
 * the NUL the caller guarantees.
 */
#include <limits.h>
#include <string.h>

#include "proto.h"

static bool	 proto_is_alnum(unsigned char c);
static bool	 proto_is_alpha(unsigned char c);
static bool	 proto_is_digit(unsigned char c);
static bool	 proto_is_ctrl(unsigned char c);
static int	 proto_marker(const char *line, size_t len, size_t *start,
		     size_t *n, bool *canonical);
static size_t	 proto_span(const char *s, bool (*ok)(unsigned char));
static bool	 proto_is_verb_char(unsigned char c);
static bool	 proto_is_upper(unsigned char c);
static bool	 proto_is_lower(unsigned char c);
static enum proto_err proto_check_bytes(const char *line, size_t len);
static enum proto_err proto_parse_err(char *p, struct proto_msg *msg);

/* ASCII letter or digit, independent of the locale. */
static bool
proto_is_alnum(unsigned char c)
{
	return proto_is_alpha(c) || proto_is_digit(c);
}

/* ASCII letter, independent of the locale. */
static bool
proto_is_alpha(unsigned char c)
{
	return proto_is_upper(c) || proto_is_lower(c);
}

/* ASCII upper-case letter. */
static bool
proto_is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/* ASCII lower-case letter. */
static bool
proto_is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

/* ASCII decimal digit. */
static bool
proto_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A character allowed in a verb: a letter or '/'. */
static bool
proto_is_verb_char(unsigned char c)
{
	return proto_is_alpha(c) || c == '/';
}

/* A control byte that no line may carry (TAB included). */
static bool
proto_is_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Length of the run of characters at the start of s accepted by ok. */
static size_t
proto_span(const char *s, bool (*ok)(unsigned char))
{
	size_t i = 0;

	while (s[i] != '\0' && ok((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * Look for a " {N}" payload marker at the end of line (len bytes).
 * Returns 0 when there is none, 1 with *start (offset of the space) and *n
 * set when there is one, -1 when N is over PROTO_BLOB_MAX.  *canonical is
 * false when N has a leading zero ("{007}"): still a marker, so the stream
 * stays in step, but the request is refused as malformed.
 */
static int
proto_marker(const char *line, size_t len, size_t *start, size_t *n,
    bool *canonical)
{
	size_t i, first, ndig;
	unsigned long v = 0;

	if (len < 4 || line[len - 1] != '}')
		return 0;
	i = len - 1;
	while (i > 0 && proto_is_digit((unsigned char)line[i - 1]))
		i--;
	first = i;
	ndig = len - 1 - first;
	if (ndig == 0 || first < 2 || line[first - 1] != '{' ||
	    line[first - 2] != ' ')
		return 0;
	/* Saturate instead of overflowing on a long run of digits. */
	for (i = first; i < len - 1; i++) {
		if (v <= PROTO_BLOB_MAX)
			v = v * 10 + (unsigned long)(line[i] - '0');
	}
	if (v > PROTO_BLOB_MAX)
		return -1;
	*start = first - 2;
	*n = (size_t)v;
	*canonical = !(ndig > 1 && line[first] == '0');
	return 1;
}

/* Cut one frame (a line and its optional payload) from the front of buf. */
int
proto_frame(const char *buf, size_t len, struct proto_frame *f,
    enum proto_err *err)
{
	const char *lf;
	size_t scan, lf_at, line_len, start, n;
	bool canonical;
	int r;

	*err = PROTO_OK;
	scan = len < PROTO_LINE_MAX ? len : PROTO_LINE_MAX;
	lf = scan > 0 ? memchr(buf, '\n', scan) : NULL;
	if (lf == NULL) {
		if (len >= PROTO_LINE_MAX) {
			*err = PROTO_ERR_TOOLONG;
			return -1;
		}
		return 0;
	}
	lf_at = (size_t)(lf - buf);
	line_len = lf_at;
	if (line_len > 0 && buf[line_len - 1] == '\r')
		line_len--;

	memset(f, 0, sizeof(*f));
	f->line_len = line_len;
	f->blob_off = lf_at + 1;
	f->total = lf_at + 1;

	r = proto_marker(buf, line_len, &start, &n, &canonical);
	if (r == -1) {
		*err = PROTO_ERR_TOOLONG;
		return -1;
	}
	if (r == 1) {
		if (len - f->blob_off < n)
			return 0;
		f->blob_len = n;
		f->total += n;
	}
	return 1;
}

/* Refuse control bytes, then invalid UTF-8, in len bytes of a line. */
static enum proto_err
proto_check_bytes(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (proto_is_ctrl((unsigned char)line[i]))
			return PROTO_ERR_CTRL;
	}
	if (!proto_valid_utf8(line, len))
		return PROTO_ERR_UTF8;
	return PROTO_OK;
}

/*
 * True when the well-formed UTF-8 s (len bytes) holds a C1 control
 * (U+0080-U+009F: C2 80-C2 9F) or a bidirectional override or isolate
 * (U+202A-U+202E: E2 80 AA-AE; U+2066-U+2069: E2 81 A6-A9), which would
 * let one user's text rearrange or hide what a terminal shows around it.
 */
static bool
proto_has_unsafe(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return true;
		if (u[i] == 0xe2 && i + 2 < len && ((u[i + 1] == 0x80 &&
		    u[i + 2] >= 0xaa && u[i + 2] <= 0xae) || (u[i + 1] == 0x81 &&
		    u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			return true;
	}
	return false;
}

/* True when s (len bytes) is text a peer may send and a terminal may show. */
bool
proto_valid_text(const char *s, size_t len)
{
	return proto_check_bytes(s, len) == PROTO_OK &&
	    !proto_has_unsafe(s, len);
}

/* Bytes of s (len bytes of UTF-8) that fit in max without cutting a
   character. */
size_t
proto_utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len <= max)
		return len;
	/* Back off over continuation bytes to the start of a character. */
	while (max > 0 && (u[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Parse "TAG VERB[ ARGS][ {N}]" (len bytes) in place. */
enum proto_err
proto_parse_req(char *line, size_t len, struct proto_req *req)
{
	size_t taglen, verblen, i, start, n;
	bool tag_ok, canonical;
	enum proto_err e;
	char *p;
	int r;

	memset(req, 0, sizeof(*req));
	req->args = line + len;
	if (len == 0)
		return PROTO_ERR_EMPTY;

	/* Read the tag first so that even a refused line can be answered. */
	taglen = proto_span(line, proto_is_alnum);
	tag_ok = taglen >= 1 && taglen <= PROTO_TAG_MAX &&
	    (line[taglen] == ' ' || line[taglen] == '\0');
	if (tag_ok)
		memcpy(req->tag, line, taglen);

	/* A NUL would hide the rest of the line from every check below. */
	if (memchr(line, '\0', len) != NULL)
		return PROTO_ERR_CTRL;
	if ((e = proto_check_bytes(line, len)) != PROTO_OK)
		return e;
	if (proto_has_unsafe(line, len))
		return PROTO_ERR_CTRL;
	if (!tag_ok)
		return PROTO_ERR_TAG;
	if (line[taglen] != ' ')
		return PROTO_ERR_VERB;

	p = line + taglen + 1;
	verblen = proto_span(p, proto_is_verb_char);
	if (verblen < 1 || verblen > PROTO_VERB_MAX ||
	    (p[verblen] != ' ' && p[verblen] != '\0'))
		return PROTO_ERR_VERB;
	for (i = 0; i < verblen; i++) {
		char c = p[i];

		req->verb[i] = proto_is_lower((unsigned char)c) ?
		    (char)(c - 'a' + 'A') : c;
	}
	req->verb[verblen] = '\0';
	p += verblen;
	if (*p == '\0')
		return PROTO_OK;

	/* p is at the space after the verb: a marker may start right here. */
	r = proto_marker(p, strlen(p), &start, &n, &canonical);
	if (r == -1)
		return PROTO_ERR_TOOLONG;
	if (r == 1) {
		if (!canonical)
			return PROTO_ERR_BLOB;
		req->has_blob = true;
		req->blob_len = n;
		p[start] = '\0';
	}
	req->args = *p == '\0' ? p : p + 1;
	return PROTO_OK;
}

/* Parse the " CODE[ TEXT]" that follows "ERR" in a final reply. */
static enum proto_err
proto_parse_err(char *p, struct proto_msg *msg)
{
	size_t n;

	msg->kind = PROTO_MSG_ERR;
	if (*p == '\0')
		return PROTO_ERR_CODE;
	p++;
	n = proto_span(p, proto_is_lower);
	if (n < 1 || n > PROTO_CODE_MAX || (p[n] != ' ' && p[n] != '\0'))
		return PROTO_ERR_CODE;
	memcpy(msg->code, p, n);
	p += n;
	msg->text = *p == '\0' ? p : p + 1;
	return PROTO_OK;
}

/* Parse a server line: an event, a data line or a final reply. */
enum proto_err
proto_parse_msg(char *line, struct proto_msg *msg)
{
	size_t len, taglen, n;
	enum proto_err e;
	char *p;

	memset(msg, 0, sizeof(*msg));
	len = strlen(line);
	msg->text = line + len;
	if (len == 0)
		return PROTO_ERR_EMPTY;
	if ((e = proto_check_bytes(line, len)) != PROTO_OK)
		return e;

	if (line[0] == '*') {
		if (line[1] != ' ' && line[1] != '\0')
			return PROTO_ERR_TAG;
		msg->tag[0] = '*';
		p = line + 2;
		/*
		 * "* ERR CODE TEXT" answers a request whose tag could not be
		 * read (PROTOCOL.md): it is a final reply, not an event.
		 */
		if (line[1] != '\0' && strncmp(p, "ERR", 3) == 0 &&
		    (p[3] == ' ' || p[3] == '\0'))
			return proto_parse_err(p + 3, msg);
		msg->kind = PROTO_MSG_EVENT;
		if (line[1] == '\0')
			return PROTO_ERR_CODE;
		n = proto_span(p, proto_is_upper);
		if (n < 1 || n > PROTO_CODE_MAX ||
		    (p[n] != ' ' && p[n] != '\0'))
			return PROTO_ERR_CODE;
		memcpy(msg->code, p, n);
		p += n;
		msg->text = *p == '\0' ? p : p + 1;
		return PROTO_OK;
	}

	taglen = proto_span(line, proto_is_alnum);
	if (taglen < 1 || taglen > PROTO_TAG_MAX || line[taglen] != ' ')
		return PROTO_ERR_TAG;
	memcpy(msg->tag, line, taglen);
	p = line + taglen + 1;

	if (p[0] == '.' && (p[1] == ' ' || p[1] == '\0')) {
		msg->kind = PROTO_MSG_DATA;
		p += 1;
	} else if (strncmp(p, "OK", 2) == 0 && (p[2] == ' ' || p[2] == '\0')) {
		msg->kind = PROTO_MSG_OK;
		p += 2;
	} else if (strncmp(p, "ERR", 3) == 0 &&
	    (p[3] == ' ' || p[3] == '\0')) {
		return proto_parse_err(p + 3, msg);
	} else
		return PROTO_ERR_KIND;
	msg->text = *p == '\0' ? p : p + 1;
	return PROTO_OK;
}

/* Split s in place into at most max words separated by single spaces. */
int
proto_split(char *s, char **argv, int max, bool rest)
{
	char *p = s, *sp;
	int n = 0;

	if (*s == '\0')
		return 0;
	for (;;) {
		if (n >= max)
			return -1;
		if (rest && n == max - 1) {
			/* The remainder, spaces and all, is the last word. */
			if (*p == '\0')
				return -1;
			argv[n++] = p;
			return n;
		}
		sp = strchr(p, ' ');
		if (sp == p || *p == '\0')
			return -1;
		argv[n++] = p;
		if (sp == NULL)
			return n;
		*sp = '\0';
		p = sp + 1;
	}
}

/* True when s is a valid user name. */
bool
proto_valid_user(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= PROTO_USER_MAX)
			return false;
		if (!proto_is_alnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return i > 0;
}

/* True when s is a board name: like a user name, without '.' (MQTT). */
bool
proto_valid_board(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= PROTO_BOARD_MAX)
			return false;
		if (!proto_is_alnum(c) && c != '_' && c != '-')
			return false;
	}
	return i > 0;
}

/* True when s is USER or USER@BOARD. */
bool
proto_valid_addr(const char *s)
{
	const char *at = strchr(s, '@');
	char user[PROTO_USER_MAX + 1];
	size_t n;

	if (at == NULL)
		return proto_valid_user(s);
	n = (size_t)(at - s);
	if (n == 0 || n > PROTO_USER_MAX)
		return false;
	memcpy(user, s, n);
	user[n] = '\0';
	return proto_valid_user(user) && proto_valid_board(at + 1);
}

/*
 * True when s (len bytes) is well-formed UTF-8: shortest form only, no
 * surrogates, nothing above U+10FFFF, no sequence cut short.
 */
bool
proto_valid_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, need, k;
	unsigned long cp, min;

	while (i < len) {
		unsigned char c = u[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else
			return false;	/* continuation, C0/C1, F5..FF */
		if (len - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* Replace every byte of s that is not part of a whole UTF-8 character
   by '?' (text cut with "%.40s" may end inside one). */
void
proto_utf8_scrub(char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		for (n = 1; n <= 4 && i + n <= len; n++)
			if (proto_valid_utf8(s + i, n))
				break;
		if (n > 4 || i + n > len) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
}

/* Parse a whole string as a decimal integer within [min, max]. */
int
proto_parse_int(const char *s, long long min, long long max,
    long long *out)
{
	unsigned long long acc = 0, limit, d;
	bool neg = false;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '-') {
		if (min >= 0)
			return -1;
		neg = true;
		s++;
	}
	if (*s == '\0')
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX;
	for (; *s != '\0'; s++) {
		if (!proto_is_digit((unsigned char)*s))
			return -1;
		d = (unsigned long long)(*s - '0');
		if (acc > (limit - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	if (neg)
		v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)acc;
	else
		v = (long long)acc;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Copy a printable-ASCII sample of src into dst, marking a cut with "...". */
void
proto_sanitize(char *dst, size_t n, const char *src, size_t len)
{
	size_t i, keep, room;
	bool cut;

	if (n == 0)
		return;
	room = n - 1;
	cut = len > room;
	keep = len;
	if (cut)
		keep = room > 3 ? room - 3 : 0;
	for (i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (cut) {
		while (i < room)
			dst[i++] = '.';
	}
	dst[i] = '\0';
}

/* A short English description of a codec error. */
const char *
proto_strerror(enum proto_err err)
{
	switch (err) {
	case PROTO_OK:
		return "no error";
	case PROTO_ERR_EMPTY:
		return "empty line";
	case PROTO_ERR_TOOLONG:
		return "line or payload too long";
	case PROTO_ERR_TAG:
		return "missing or invalid tag";
	case PROTO_ERR_VERB:
		return "missing or invalid verb";
	case PROTO_ERR_KIND:
		return "reply kind is not ., OK or ERR";
	case PROTO_ERR_CODE:
		return "missing or invalid code";
	case PROTO_ERR_BLOB:
		return "malformed {N} payload marker";
	case PROTO_ERR_UTF8:
		return "invalid UTF-8";
	case PROTO_ERR_CTRL:
		return "control character in line (C0, C1, NUL or a bidi "
		    "override)";
	case PROTO_ERR_EVENT:
		return "unknown event";
	case PROTO_ERR_FIELD:
		return "malformed event fields";
	}
	return "unknown error";
}
