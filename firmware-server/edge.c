/*
 * edge.c - edge data, the pure part: streaming line checks, aggregates
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

#include "edge.h"
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
				if (st.count == 0 || v < st.min)
					st.min = v;
				if (st.count == 0 || v > st.max)
					st.max = v;
				st.sum += v;
				st.count++;
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
			if (st.count == 0 || v < st.min)
				st.min = v;
			if (st.count == 0 || v > st.max)
				st.max = v;
			st.sum += v;
			st.count++;
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

/* Unsigned 128-bit value in decimal into buf; returns its length. */
static size_t
edge_u128_format(unsigned __int128 v, char *buf)
{
	char tmp[EDGE_I128_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* The magnitude of v, also for the most negative value. */
static unsigned __int128
edge_u128_abs(__int128 v)
{
	return v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
}

/* v in decimal. */
char *
edge_i128_format(__int128 v, char *buf)
{
	if (v < 0) {
		buf[0] = '-';
		edge_u128_format(edge_u128_abs(v), buf + 1);
	} else
		edge_u128_format((unsigned __int128)v, buf);
	return buf;
}

/* Parse a decimal 128-bit integer. */
int
edge_i128_parse(const char *s, __int128 *out)
{
	unsigned __int128 acc = 0, limit, d;
	bool neg = false;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		return -1;
	/* 2^127 - 1, and 2^127 for the negative side. */
	limit = ((unsigned __int128)1 << 127) - (neg ? 0 : 1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned __int128)(*s - '0');
		if (acc > (limit - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	*out = neg ? (__int128)(-acc) : (__int128)acc;
	return 0;
}

/* Greatest common divisor. */
static unsigned __int128
edge_gcd(unsigned __int128 a, unsigned __int128 b)
{
	unsigned __int128 t;

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
	unsigned __int128 mag = edge_u128_abs(st->sum), q, r, frac, scale = 1;
	unsigned __int128 g;
	char whole[EDGE_I128_MAX], num[EDGE_I128_MAX], den[EDGE_I128_MAX];
	const char *sign;
	int i, n;

	for (i = 0; i < EDGE_AVG_DECIMALS; i++)
		scale *= 10;
	q = mag / st->count;
	r = mag % st->count;
	frac = (r * scale * 10 / st->count + 5) / 10;
	if (frac == scale) {
		q++;
		frac = 0;
	}
	sign = st->sum < 0 && (q != 0 || frac != 0) ? "-" : "";
	edge_u128_format(q, whole);
	n = snprintf(buf, len, "%s%s.%0*llu", sign, whole, EDGE_AVG_DECIMALS,
	    (unsigned long long)frac);
	if (r * scale % st->count == 0 || n < 0 || (size_t)n >= len)
		return;		/* the decimals are exact */
	g = edge_gcd(mag, st->count);
	edge_u128_format(mag / g, num);
	edge_u128_format(st->count / g, den);
	snprintf(buf + n, len - (size_t)n, ", exactly %s%s/%s",
	    st->sum < 0 ? "-" : "", num, den);
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
	__int128 v;

	if (*s == '-' || edge_i128_parse(s, &v) == -1 || v > (__int128)UINT64_MAX)
		return -1;
	*out = (uint64_t)v;
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
