/*
 * fed_codec.c - build and check the federation's topics and payloads.
 * Everything from the broker is untrusted: every field is bounds-checked
 * and validated, and a record about board B is accepted only on B's
 * topics with B inside (a board can only speak for itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fed_codec.h"
#include "proto.h"

#define FED_FIELDS_MAX	8	/* fields before a DM's text */

static const char *fed_kind_word[] = {
	[FED_K_BOARD] = "board",
	[FED_K_PRESENCE] = "presence",
	[FED_K_DM] = "dm",
	[FED_K_ACK] = "ack",
	[FED_K_BCAST] = "bcast",
	[FED_K_EDGE] = "edge",
	[FED_K_DMB] = "dmb",
	[FED_K_FEAT] = "feat",
};

/* The feature words, bit i = FED_FEAT bit (1 << i). */
static const char *fed_feat_word[] = { "dmb" };

static const char *fed_ack_word[FED_ACK_NSTATUS] = {
	[FED_ACK_OK] = "ok",
	[FED_ACK_NOUSER] = "nouser",
	[FED_ACK_BLOCKED] = "blocked",
	[FED_ACK_FULL] = "full",
};

/* True for the bytes of a topic level we use. */
static bool
fed_level_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A topic prefix: levels of [A-Za-z0-9_-] joined by single '/'. */
bool
fed_valid_prefix(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > FED_PREFIX_MAX || s[0] == '/' || s[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '/') {
			if (s[i + 1] == '/')
				return false;
		} else if (!fed_level_char((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* [0-9a-z]{1,FED_EPOCH_MAX} */
bool
fed_valid_epoch(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= FED_EPOCH_MAX || !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return i > 0;
}

/* USER@BOARD into its parts. */
int
fed_split_addr(const char *addr, char *user, char *board)
{
	const char *at = strchr(addr, '@');
	size_t n;

	if (at == NULL || !proto_valid_addr(addr))
		return -1;
	n = (size_t)(at - addr);
	memcpy(user, addr, n);
	user[n] = '\0';
	snprintf(board, PROTO_BOARD_MAX + 1, "%s", at + 1);
	return 0;
}

/* The topic of a record of kind published by board. */
int
fed_topic(char *out, size_t len, const char *prefix, enum fed_kind kind,
    const char *board, const char *sub)
{
	bool to = kind == FED_K_DM || kind == FED_K_DMB || kind == FED_K_ACK;
	int n;

	if (sub != NULL)
		n = snprintf(out, len, "%s/v1/%s/%s/%s", prefix,
		    fed_kind_word[kind], to ? sub : board, to ? board : sub);
	else
		n = snprintf(out, len, "%s/v1/%s/%s", prefix,
		    fed_kind_word[kind], board);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* True when the text may travel: no NUL, CR or LF, within the limit. */
static bool
fed_valid_text(const char *s)
{
	size_t n = strlen(s);

	return n <= PROTO_TEXT_MAX && strpbrk(s, "\r\n") == NULL &&
	    proto_valid_utf8(s, n);
}

/* An IPv4 or IPv6 literal's characters (the address is only shown). */
static bool
fed_valid_ip(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= FED_IP_MAX &&
	    strspn(s, "0123456789abcdefABCDEF:.") == n;
}

/* The payload of r. */
int
fed_encode(const struct fed_rec *r, char *out, size_t len)
{
	int n = -1;

	if (!proto_valid_board(r->board))
		return -1;
	switch (r->kind) {
	case FED_K_BOARD:
		if (!fed_valid_epoch(r->epoch))
			return -1;
		n = snprintf(out, len, FED_VERSION " %s %s %s", r->board,
		    r->epoch, r->online ? "online" : "offline");
		break;
	case FED_K_PRESENCE:
		if (!r->online) {
			if (len == 0)
				return -1;
			out[0] = '\0';
			return 0;
		}
		if (!fed_valid_epoch(r->epoch) || !proto_valid_user(r->user) ||
		    !fed_valid_ip(r->ip) || r->udp < 0 || r->udp > 65535)
			return -1;
		n = snprintf(out, len, FED_VERSION " %s %s %s %s %d %lld",
		    r->board, r->epoch, r->user, r->ip, r->udp, r->time);
		break;
	case FED_K_DM:
		if (!fed_valid_epoch(r->epoch) || !proto_valid_user(r->user) ||
		    !proto_valid_user(r->to) || !fed_valid_text(r->text))
			return -1;
		n = snprintf(out, len, FED_VERSION " %s %s %llu %lld %s %s %s",
		    r->board, r->epoch, r->seq, r->time, r->user, r->to,
		    r->text);
		break;
	case FED_K_ACK:
		if (!fed_valid_epoch(r->epoch) || r->status >= FED_ACK_NSTATUS)
			return -1;
		n = snprintf(out, len, FED_VERSION " %s %s %llu %s", r->board,
		    r->epoch, r->seq, fed_ack_word[r->status]);
		break;
	case FED_K_BCAST:
		if (!fed_valid_epoch(r->epoch) || !proto_valid_user(r->user) ||
		    !fed_valid_text(r->text))
			return -1;
		n = snprintf(out, len, FED_VERSION " %s %s %llu %lld %s %s",
		    r->board, r->epoch, r->seq, r->time, r->user, r->text);
		break;
	case FED_K_FEAT:
		if (!fed_valid_epoch(r->epoch) || (r->feat & FED_FEAT_DMB) == 0)
			return -1;	/* the one feature there is */
		n = snprintf(out, len, FED_VERSION " %s %s %s", r->board,
		    r->epoch, fed_feat_word[0]);
		break;
	case FED_K_EDGE:
	case FED_K_DMB:
	case FED_K_NKINDS:
		return -1;
	}
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Add DM r to a batch. */
int
fed_batch_add(char *out, size_t cap, size_t *len, const struct fed_rec *r)
{
	size_t sep = *len > 0, room;
	int n;

	if (cap > FED_BATCH_MAX + 1)
		cap = FED_BATCH_MAX + 1;
	if (r->kind != FED_K_DM || *len + sep >= cap)
		return -1;
	room = cap - *len - sep;
	if ((n = fed_encode(r, out + *len + sep, room)) <= 0)
		return -1;
	if (sep)
		out[*len] = '\n';
	*len += sep + (size_t)n;
	return 0;
}

/* A whole unsigned number (no sign, no leading zeros), at most max. */
static int
fed_parse_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 20 ||
	    (s[0] == '0' && s[1] != '\0'))
		return -1;		/* one spelling per number */
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || *v > max)
		return -1;		/* 20 digits may pass 2^64 - 1 */
	return 0;
}

/*
 * Split the topic after "PREFIX/v1/" into its kind and levels.  Returns
 * the number of levels after the kind, or -1.
 */
static int
fed_topic_split(const char *prefix, const char *topic, enum fed_kind *kind,
    char lv[3][PROTO_BOARD_MAX + 1])
{
	size_t plen = strlen(prefix), n;
	const char *p, *slash;
	int i, nlv = 0;

	if (strlen(topic) >= FED_TOPIC_MAX || strncmp(topic, prefix, plen) != 0 ||
	    strncmp(topic + plen, "/v1/", 4) != 0)
		return -1;
	p = topic + plen + 4;
	if ((slash = strchr(p, '/')) == NULL)
		return -1;
	for (i = 0; i < FED_K_NKINDS; i++)
		if (strlen(fed_kind_word[i]) == (size_t)(slash - p) &&
		    strncmp(p, fed_kind_word[i], (size_t)(slash - p)) == 0)
			break;
	if (i == FED_K_NKINDS)
		return -1;
	*kind = (enum fed_kind)i;
	for (p = slash + 1; nlv < 3; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > PROTO_BOARD_MAX)
			return -1;
		memcpy(lv[nlv], p, n);
		lv[nlv++][n] = '\0';
		if (slash == NULL)
			return nlv;
	}
	return -1;
}

/* True when s is a list of feature words (single spaces); *feat gets the
   ones this board knows. */
static bool
fed_parse_feat(const char *s, unsigned *feat)
{
	size_t n, i, words = 0;

	*feat = 0;
	for (;;) {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (n == 0 || n > FED_FEAT_WORD_MAX ||
		    ++words > FED_FEAT_WORDS_MAX ||
		    (s[n] != ' ' && s[n] != '\0'))
			return false;
		for (i = 0; i < sizeof(fed_feat_word) / sizeof(fed_feat_word[0]);
		    i++)
			if (strlen(fed_feat_word[i]) == n &&
			    strncmp(s, fed_feat_word[i], n) == 0)
				*feat |= 1U << i;
		if (s[n] == '\0')
			return true;
		s += n + 1;
	}
}

/*
 * The fields of one payload (len bytes) into r, whose kind and topic
 * names are set.  Single-space separated; a text (DM, BCAST) or a word
 * list (FEAT), last, keeps its own spaces.
 */
static enum fed_err
fed_decode_payload(struct fed_rec *r, const char *payload, size_t len)
{
	char buf[FED_PAYLOAD_MAX + 1], *f[FED_FIELDS_MAX];
	unsigned long long v;
	int nf = 0, want, i;

	if (len > FED_PAYLOAD_MAX)
		return FED_E_SIZE;
	memcpy(buf, payload, len);
	buf[len] = '\0';
	if (strlen(buf) != len || strpbrk(buf, "\r\n") != NULL)
		return FED_E_FORMAT;
	switch (r->kind) {
	case FED_K_BOARD:	want = 4; break;
	case FED_K_PRESENCE:	want = 7; break;
	case FED_K_DM:		want = 8; break;
	case FED_K_ACK:		want = 5; break;
	case FED_K_FEAT:	want = 4; break;
	default:		want = 7; break;
	}
	f[nf++] = buf;
	for (i = 0; buf[i] != '\0' && nf < want; i++)
		if (buf[i] == ' ') {
			buf[i] = '\0';
			f[nf++] = buf + i + 1;
		}
	if (strcmp(f[0], FED_VERSION) != 0)
		return FED_E_VERSION;
	if (nf != want)
		return FED_E_FORMAT;
	if (r->kind != FED_K_DM && r->kind != FED_K_BCAST &&
	    r->kind != FED_K_FEAT && strchr(f[want - 1], ' ') != NULL)
		return FED_E_FORMAT;
	for (i = 1; i < want - 1; i++)
		if (f[i][0] == '\0')
			return FED_E_FORMAT;
	if (!proto_valid_board(f[1]))
		return FED_E_FORMAT;
	if (strcmp(f[1], r->board) != 0)
		return FED_E_SPOOF;
	if (!fed_valid_epoch(f[2]))
		return FED_E_FORMAT;
	snprintf(r->epoch, sizeof(r->epoch), "%s", f[2]);
	switch (r->kind) {
	case FED_K_BOARD:
		if (strcmp(f[3], "online") == 0)
			r->online = true;
		else if (strcmp(f[3], "offline") != 0)
			return FED_E_FORMAT;
		break;
	case FED_K_PRESENCE:
		if (!proto_valid_user(f[3]) || !fed_valid_ip(f[4]) ||
		    fed_parse_num(f[5], 65535, &v) == -1)
			return FED_E_FORMAT;
		if (strcmp(f[3], r->user) != 0)
			return FED_E_SPOOF;
		snprintf(r->ip, sizeof(r->ip), "%s", f[4]);
		r->udp = (int)v;
		if (fed_parse_num(f[6], (1ULL << 40), &v) == -1)
			return FED_E_FORMAT;
		r->time = (long long)v;
		r->online = true;
		break;
	case FED_K_DM:
		if (fed_parse_num(f[3], ~0ULL, &r->seq) == -1 || r->seq == 0 ||
		    fed_parse_num(f[4], (1ULL << 40), &v) == -1 ||
		    !proto_valid_user(f[5]) || !proto_valid_user(f[6]) ||
		    !fed_valid_text(f[7]))
			return FED_E_FORMAT;
		r->time = (long long)v;
		snprintf(r->user, sizeof(r->user), "%s", f[5]);
		snprintf(r->to, sizeof(r->to), "%s", f[6]);
		snprintf(r->text, sizeof(r->text), "%s", f[7]);
		break;
	case FED_K_ACK:
		if (fed_parse_num(f[3], ~0ULL, &r->seq) == -1 || r->seq == 0)
			return FED_E_FORMAT;
		for (i = 0; i < FED_ACK_NSTATUS; i++)
			if (strcmp(f[4], fed_ack_word[i]) == 0)
				break;
		if (i == FED_ACK_NSTATUS)
			return FED_E_FORMAT;
		r->status = (enum fed_ack)i;
		break;
	case FED_K_BCAST:
		if (fed_parse_num(f[3], ~0ULL, &r->seq) == -1 ||
		    fed_parse_num(f[4], (1ULL << 40), &v) == -1 ||
		    !proto_valid_user(f[5]) || !fed_valid_text(f[6]))
			return FED_E_FORMAT;
		r->time = (long long)v;
		snprintf(r->user, sizeof(r->user), "%s", f[5]);
		snprintf(r->text, sizeof(r->text), "%s", f[6]);
		break;
	case FED_K_FEAT:
		if (!fed_parse_feat(f[3], &r->feat))
			return FED_E_FORMAT;
		break;
	case FED_K_EDGE:
	case FED_K_DMB:
	case FED_K_NKINDS:
		return FED_E_TOPIC;
	}
	return FED_OK;
}

/* The length of the line at p (len bytes left): up to a LF or the end. */
static size_t
fed_line_len(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);

	return nl != NULL ? (size_t)(nl - p) : len;
}

/*
 * A batch: every line a DM of the topic's board, one outbox id, the
 * numbers consecutive (a gap or a repeat inside is refused: the origin
 * never sends one), no empty line, within the limits.
 */
static enum fed_err
fed_decode_batch(struct fed_rec *r, const char *p, size_t len)
{
	struct fed_rec d;
	size_t off = 0, n;
	enum fed_err e;

	if (len > FED_BATCH_MAX)
		return FED_E_SIZE;
	if (len == 0 || p[len - 1] == '\n')
		return FED_E_FORMAT;
	while (off < len) {
		if ((n = fed_line_len(p + off, len - off)) == 0)
			return FED_E_FORMAT;	/* an empty line */
		memset(&d, 0, sizeof(d));
		d.kind = FED_K_DM;
		memcpy(d.board, r->board, sizeof(d.board));
		if ((e = fed_decode_payload(&d, p + off, n)) != FED_OK)
			return e;
		if (r->count == 0) {
			memcpy(r->epoch, d.epoch, sizeof(r->epoch));
			r->seq = d.seq;
		} else if (strcmp(d.epoch, r->epoch) != 0 ||
		    d.seq != r->seq + r->count)
			return FED_E_FORMAT;
		if (++r->count > FED_BATCH_RECORDS)
			return FED_E_SIZE;
		off += n + 1;
	}
	return FED_OK;
}

/* Decode one message from the broker. */
enum fed_err
fed_decode(const char *prefix, const char *topic, const void *payload,
    size_t len, struct fed_rec *r)
{
	char lv[3][PROTO_BOARD_MAX + 1];
	int nlv;

	memset(r, 0, sizeof(*r));
	if ((nlv = fed_topic_split(prefix, topic, &r->kind, lv)) == -1)
		return FED_E_TOPIC;
	switch (r->kind) {
	case FED_K_BOARD:
	case FED_K_BCAST:
	case FED_K_FEAT:
		if (nlv != 1 || !proto_valid_board(lv[0]))
			return FED_E_TOPIC;
		snprintf(r->board, sizeof(r->board), "%s", lv[0]);
		break;
	case FED_K_PRESENCE:
		if (nlv != 2 || !proto_valid_board(lv[0]) ||
		    !proto_valid_user(lv[1]))
			return FED_E_TOPIC;
		snprintf(r->board, sizeof(r->board), "%s", lv[0]);
		snprintf(r->user, sizeof(r->user), "%s", lv[1]);
		break;
	case FED_K_DM:
	case FED_K_DMB:
	case FED_K_ACK:
		if (nlv != 2 || !proto_valid_board(lv[0]) ||
		    !proto_valid_board(lv[1]))
			return FED_E_TOPIC;
		snprintf(r->dest, sizeof(r->dest), "%s", lv[0]);
		snprintf(r->board, sizeof(r->board), "%s", lv[1]);
		break;
	case FED_K_EDGE:
	case FED_K_NKINDS:
		return FED_E_TOPIC;
	}
	if (r->kind == FED_K_DMB)
		return fed_decode_batch(r, payload, len);
	if (len > FED_PAYLOAD_MAX)
		return FED_E_SIZE;
	if (len == 0 && r->kind == FED_K_PRESENCE)
		return FED_OK;		/* logged out */
	return fed_decode_payload(r, payload, len);
}

/* The next record of a checked batch. */
bool
fed_batch_next(const struct fed_rec *head, const void *payload, size_t len,
    size_t *off, struct fed_rec *r)
{
	const char *p = payload;
	size_t n;

	if (*off >= len)
		return false;
	n = fed_line_len(p + *off, len - *off);
	memset(r, 0, sizeof(*r));
	r->kind = FED_K_DM;
	memcpy(r->board, head->board, sizeof(r->board));
	memcpy(r->dest, head->dest, sizeof(r->dest));
	if (fed_decode_payload(r, p + *off, n) != FED_OK) {
		*off = len;
		return false;
	}
	*off += n + 1;
	return true;
}

/* A short description of a decoding error, for the log. */
const char *
fed_strerror(enum fed_err e)
{
	switch (e) {
	case FED_OK:		return "ok";
	case FED_E_TOPIC:	return "unknown or malformed topic";
	case FED_E_SIZE:	return "payload too long";
	case FED_E_VERSION:	return "another payload version";
	case FED_E_FORMAT:	return "malformed payload";
	case FED_E_SPOOF:	return "names inside do not match the topic";
	}
	return "?";
}

/* The word of an ACK status. */
const char *
fed_ack_name(enum fed_ack a)
{
	return a < FED_ACK_NSTATUS ? fed_ack_word[a] : "?";
}
