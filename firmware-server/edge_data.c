/*
 * edge_data.c - edge data, the pure part: streaming line checks, aggregates
 * with a 128-bit sum, results as text, stats records and file names.
 *
 * The checker is a byte-at-a-time state machine with its state in struct
 * edge_scan, so a line cut between two chunks needs no carry buffer and a
 * line of a million leading zeros costs no memory.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "edge_data.h"
#include "proto.h"

static const char *const edge_op_names[EDGE_OP_COUNT] = {
	[EDGE_OP_SUM] = "SUM", [EDGE_OP_AVERAGE] = "AVERAGE",
	[EDGE_OP_MAX] = "MAX", [EDGE_OP_MIN] = "MIN",
};

/* Start checking a new file. */
void
edge_scan_init(struct edge_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->line = 1;
}

/*
 * The state machine, with everything in locals so that the compiler keeps
 * it in registers (a store through sc could alias the input bytes).
 * Returns 0, or -1 after recording the failure.
 */
int
edge_scan_feed(struct edge_scan *sc, const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + len;
	struct edge_stats st = sc->st;
	uint64_t mag = sc->mag, line = sc->line, limit;
	unsigned nd = sc->ndigits, d;
	bool neg = sc->neg, cr = sc->cr, partial = sc->partial;
	const char *why = NULL;
	int64_t v;

	if (sc->err != NULL)
		return -1;
	for (; s < end; s++) {
		/*
		 * Fast path for a whole line of at most 18 digits (which
		 * cannot overflow) at hand; anything else takes the byte
		 * machine below from the same place.
		 */
		if (nd == 0 && !neg && !partial && end - s >= 22) {
			const unsigned char *q = s + (*s == '-');
			uint64_t m = 0;
			unsigned k = 0;

			while (k < 18 && (d = (unsigned)q[k] - '0') < 10) {
				m = m * 10 + d;
				k++;
			}
			if (k > 0 && (q[k] == '\n' ||
			    (q[k] == '\r' && q[k + 1] == '\n'))) {
				v = *s == '-' ? -(int64_t)m : (int64_t)m;
				edge_stats_add(&st, v);
				line++;
				s = q + k + (q[k] == '\r');	/* at the LF */
				continue;
			}
		}
		d = (unsigned)*s - '0';
		if (d < 10 && !cr) {
			/* Below limit / 10 nothing can overflow: no division. */
			if (mag >= (uint64_t)INT64_MAX / 10) {
				limit = neg ? (uint64_t)INT64_MAX + 1 :
				    (uint64_t)INT64_MAX;
				if (mag > (limit - d) / 10) {
					why = "out of the 64-bit range";
					break;
				}
			}
			mag = mag * 10 + d;
			nd++;
			partial = true;
			continue;
		}
		if (*s == '\n') {
			if (nd == 0) {
				why = neg ? "a '-' without digits" :
				    "empty line";
				break;
			}
			if (neg)
				v = mag == (uint64_t)INT64_MAX + 1 ?
				    INT64_MIN : -(int64_t)mag;
			else
				v = (int64_t)mag;
			edge_stats_add(&st, v);
			line++;
			mag = 0;
			nd = 0;
			neg = cr = partial = false;
			continue;
		}
		partial = true;
		if (cr) {
			why = "a carriage return inside the line";
			break;
		}
		if (*s == '\r')
			cr = true;
		else if (*s == '-' && nd == 0 && !neg)
			neg = true;
		else {
			why = "not an integer";
			break;
		}
	}
	sc->st = st;
	sc->mag = mag;
	sc->line = line;
	sc->ndigits = nd;
	sc->neg = neg;
	sc->cr = cr;
	sc->partial = partial;
	if (why != NULL) {
		sc->err = why;
		sc->err_line = line;
		return -1;
	}
	return 0;
}

/* The file ended. */
int
edge_scan_finish(struct edge_scan *sc)
{
	if (sc->err != NULL)
		return -1;
	if (sc->partial)
		return edge_scan_feed(sc, "\n", 1);
	return 0;
}

/* The operation named s, in any case. */
int
edge_op_parse(const char *s)
{
	int i;

	for (i = 0; i < EDGE_OP_COUNT; i++)
		if (strcasecmp(s, edge_op_names[i]) == 0)
			return i;
	return -1;
}

/* The name of op. */
const char *
edge_op_name(enum edge_op op)
{
	return op < EDGE_OP_COUNT ? edge_op_names[op] : "?";
}

/* v as a 128-bit integer (sign-extended). */
struct edge_i128
edge_i128_from_i64(int64_t v)
{
	struct edge_i128 r = { v < 0 ? UINT64_MAX : 0, (uint64_t)v };

	return r;
}

/* a == b. */
bool
edge_i128_eq(struct edge_i128 a, struct edge_i128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* True when v is negative. */
static bool
edge_i128_neg_p(struct edge_i128 v)
{
	return (v.hi >> 63) != 0;
}

/* -v, two's complement (also the magnitude of a negative v, unsigned). */
static struct edge_i128
edge_i128_negate(struct edge_i128 v)
{
	v.hi = ~v.hi;
	v.lo = ~v.lo;
	if (++v.lo == 0)
		v.hi++;
	return v;
}

/* |v| as an unsigned 128-bit value, also for the most negative v. */
static struct edge_i128
edge_u128_abs(struct edge_i128 v)
{
	return edge_i128_neg_p(v) ? edge_i128_negate(v) : v;
}

/* True when the unsigned value is zero. */
static bool
edge_u128_zero(struct edge_i128 v)
{
	return v.hi == 0 && v.lo == 0;
}

/*
 * Unsigned n / d (d > 0): the quotient, and the remainder in *rem.  The
 * high word divides directly; the low word by shift and subtract, where
 * the running remainder stays below d (a bit shifted out of it means
 * "2^64 more", which is why the subtraction is then due).
 */
static struct edge_i128
edge_u128_divmod(struct edge_i128 n, uint64_t d, uint64_t *rem)
{
	struct edge_i128 q = { n.hi / d, 0 };
	uint64_t r = n.hi % d, top;
	int i;

	for (i = 63; i >= 0; i--) {
		top = r >> 63;
		r = (r << 1) | ((n.lo >> i) & 1);
		if (top != 0 || r >= d) {
			r -= d;
			q.lo |= (uint64_t)1 << i;
		}
	}
	*rem = r;
	return q;
}

/* The full 128-bit product of two 64-bit values. */
static struct edge_i128
edge_u128_mul64(uint64_t a, uint64_t b)
{
	uint64_t al = a & 0xffffffffu, ah = a >> 32;
	uint64_t bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
	struct edge_i128 r;

	r.lo = (mid << 32) | (ll & 0xffffffffu);
	r.hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return r;
}

/* Unsigned 128-bit value in decimal into buf; returns its length. */
static size_t
edge_u128_format(struct edge_i128 v, char *buf)
{
	char tmp[EDGE_I128_MAX];
	size_t n = 0, i;
	uint64_t digit;

	do {
		v = edge_u128_divmod(v, 10, &digit);
		tmp[n++] = (char)('0' + (int)digit);
	} while (!edge_u128_zero(v));
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* v in decimal. */
char *
edge_i128_format(struct edge_i128 v, char *buf)
{
	if (edge_i128_neg_p(v)) {
		buf[0] = '-';
		edge_u128_format(edge_u128_abs(v), buf + 1);
	} else
		edge_u128_format(v, buf);
	return buf;
}

/* Parse a decimal 128-bit integer. */
int
edge_i128_parse(const char *s, struct edge_i128 *out)
{
	struct edge_i128 acc = { 0, 0 }, t;
	bool neg = false;
	uint64_t hi8;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		/* acc * 10 + digit, refusing anything at or past 2^128. */
		t = edge_u128_mul64(acc.lo, 10);
		hi8 = acc.hi;
		if (hi8 > UINT64_MAX / 10 || t.hi > UINT64_MAX - hi8 * 10)
			return -1;
		t.hi += hi8 * 10;
		t.lo += (uint64_t)(*s - '0');
		if (t.lo < (uint64_t)(*s - '0') && ++t.hi == 0)
			return -1;
		acc = t;
	}
	/* At most 2^127 - 1, or 2^127 on the negative side. */
	if (acc.hi > (uint64_t)INT64_MAX + (neg && acc.lo == 0 ? 1 : 0))
		return -1;
	*out = neg ? edge_i128_negate(acc) : acc;
	return 0;
}

/* Greatest common divisor. */
static uint64_t
edge_gcd(uint64_t a, uint64_t b)
{
	uint64_t t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * AVERAGE: |sum| / count split into a whole part and EDGE_AVG_DECIMALS
 * decimals, rounded half away from zero with integers only (the
 * remainder is below count < 2^64, so remainder * 10^7 fits 128 bits).
 */
static void
edge_average(const struct edge_stats *st, char *buf, size_t len)
{
	struct edge_i128 mag = edge_u128_abs(st->sum), q, t;
	uint64_t r, frac, scale = 1, rest, g;
	char whole[EDGE_I128_MAX], num[EDGE_I128_MAX];
	bool neg = edge_i128_neg_p(st->sum);
	const char *sign;
	int i, n;

	for (i = 0; i < EDGE_AVG_DECIMALS; i++)
		scale *= 10;
	q = edge_u128_divmod(mag, st->count, &r);
	/* r * 10 * scale / count < 10 * scale: fits 64 bits. */
	frac = edge_u128_divmod(edge_u128_mul64(r, scale * 10), st->count,
	    &rest).lo;
	frac = (frac + 5) / 10;
	if (frac == scale) {
		if (++q.lo == 0)
			q.hi++;
		frac = 0;
	}
	sign = neg && (!edge_u128_zero(q) || frac != 0) ? "-" : "";
	edge_u128_format(q, whole);
	n = snprintf(buf, len, "%s%s.%0*llu", sign, whole, EDGE_AVG_DECIMALS,
	    (unsigned long long)frac);
	edge_u128_divmod(edge_u128_mul64(r, scale), st->count, &rest);
	if (rest == 0 || n < 0 || (size_t)n >= len)
		return;		/* the decimals are exact */
	g = edge_gcd(st->count, r);	/* gcd(mag, count) = gcd(count, mag % count) */
	t = edge_u128_divmod(mag, g, &rest);
	edge_u128_format(t, num);
	snprintf(buf + n, len - (size_t)n, ", exactly %s%s/%llu",
	    neg ? "-" : "", num, (unsigned long long)(st->count / g));
}

/* The result of op as text. */
int
edge_op_result(const struct edge_stats *st, enum edge_op op, char *buf,
    size_t len)
{
	char num[EDGE_I128_MAX];

	if (op == EDGE_OP_SUM) {
		snprintf(buf, len, "%s", edge_i128_format(st->sum, num));
		return 0;
	}
	if (st->count == 0)
		return -1;
	switch (op) {
	case EDGE_OP_AVERAGE:
		edge_average(st, buf, len);
		return 0;
	case EDGE_OP_MAX:
		snprintf(buf, len, "%lld", (long long)st->max);
		return 0;
	case EDGE_OP_MIN:
		snprintf(buf, len, "%lld", (long long)st->min);
		return 0;
	default:
		return -1;
	}
}

/* The stats record. */
int
edge_stats_encode(const struct edge_stats *st, uint64_t ino, uint64_t size,
    char *buf, size_t len)
{
	char sum[EDGE_I128_MAX];
	int n;

	n = snprintf(buf, len, "edge1 %llu %llu %llu %s %lld %lld\n",
	    (unsigned long long)ino, (unsigned long long)size,
	    (unsigned long long)st->count, edge_i128_format(st->sum, sum),
	    (long long)st->min, (long long)st->max);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* Parse an unsigned 64-bit decimal field; 0 or -1. */
static int
edge_u64_parse(const char *s, uint64_t *out)
{
	struct edge_i128 v;

	if (*s == '-' || edge_i128_parse(s, &v) == -1 || v.hi != 0)
		return -1;
	*out = v.lo;
	return 0;
}

/* Read a stats record back. */
int
edge_stats_decode(const char *text, struct edge_stats *st, uint64_t *ino,
    uint64_t *size)
{
	char copy[EDGE_STATS_TEXT_MAX], *w[8], *nl;
	long long mn, mx;
	int n;

	if (strlen(text) >= sizeof(copy))
		return -1;
	strcpy(copy, text);
	if ((nl = strchr(copy, '\n')) != NULL) {
		if (nl[1] != '\0')
			return -1;
		*nl = '\0';
	}
	n = proto_split(copy, w, 7, false);
	if (n != 7 || strcmp(w[0], "edge1") != 0)
		return -1;
	if (edge_u64_parse(w[1], ino) == -1 ||
	    edge_u64_parse(w[2], size) == -1 ||
	    edge_u64_parse(w[3], &st->count) == -1 ||
	    edge_i128_parse(w[4], &st->sum) == -1 ||
	    proto_parse_int(w[5], LLONG_MIN, LLONG_MAX, &mn) == -1 ||
	    proto_parse_int(w[6], LLONG_MIN, LLONG_MAX, &mx) == -1)
		return -1;
	st->min = mn;
	st->max = mx;
	return 0;
}

/* A file ID. */
int
edge_id_parse(const char *s, long long *id)
{
	return proto_parse_int(s, 0, LLONG_MAX, id);
}

/* The directory name of a user's files. */
int
edge_user_dir(const char *user, char *buf, size_t len)
{
	int n;

	if (!proto_valid_user(user))
		return -1;
	n = snprintf(buf, len, "%s%s", user[0] == '.' ? "=" : "", user);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* "ID.txt". */
int
edge_data_name(long long id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%lld.txt", id);

	return id < 0 || n < 0 || (size_t)n >= len ? -1 : 0;
}

/* "ID.stats". */
int
edge_stats_name(long long id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%lld.stats", id);

	return id < 0 || n < 0 || (size_t)n >= len ? -1 : 0;
}
