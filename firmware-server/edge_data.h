/*
 * edge_data.h - edge data, the pure part: checking an uploaded data file
 * as it streams in (integers, one per line), the aggregates kept beside it
 * (count, exact 128-bit sum, minimum, maximum), their text forms, and the
 * file-name rules.  No I/O, no allocation: Check tests it alone.
 */
#ifndef EDGE_DATA_H
#define EDGE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest upload a client may announce (a sanity bound, not a quota). */
#define EDGE_SIZE_MAX		(1ULL << 40)	/* 1 TiB */
/* Decimals of AVERAGE, rounded half away from zero. */
#define EDGE_AVG_DECIMALS	6
/* Text of a 128-bit integer: 39 digits, a sign and a NUL. */
#define EDGE_I128_MAX		41
/* Text of one result of an operation ("-0.666667, exactly -2/3"). */
#define EDGE_RESULT_MAX		128
/* Bytes of a stats file (see edge_stats_encode). */
#define EDGE_STATS_TEXT_MAX	256
/* Bytes of a per-user directory name or a data file name. */
#define EDGE_NAME_MAX		64

/*
 * A signed 128-bit integer in two's complement.  Written out rather than
 * __int128, which 32-bit boards (armhf) do not have.
 */
struct edge_i128 {
	uint64_t	hi;
	uint64_t	lo;
};

/* a += v, for the sum of a file (kept inline: once per integer). */
static inline void
edge_i128_add64(struct edge_i128 *a, int64_t v)
{
	uint64_t old = a->lo;

	a->lo += (uint64_t)v;
	a->hi += (uint64_t)(a->lo < old) + (v < 0 ? UINT64_MAX : 0);
}

/*
 * The aggregates of a file.  The sum of up to 2^64 values of 64 bits fits
 * in 128 bits, so it cannot overflow for any file that fits a disk.
 */
struct edge_stats {
	uint64_t	count;
	struct edge_i128 sum;
	int64_t		min;	/* meaningful when count > 0 */
	int64_t		max;
};

/* One more value into the aggregates (inline: once per integer). */
static inline void
edge_stats_add(struct edge_stats *st, int64_t v)
{
	if (st->count == 0 || v < st->min)
		st->min = v;
	if (st->count == 0 || v > st->max)
		st->max = v;
	edge_i128_add64(&st->sum, v);
	st->count++;
}

/*
 * A data file checked as it streams in, in pieces of any size: each line
 * is an optional '-' and one or more digits, in the 64-bit signed range;
 * a CR just before the LF is allowed; the last line may lack its LF; an
 * empty file is allowed (no integers).  Nothing else is: no spaces, no
 * '+', no empty lines.
 */
struct edge_scan {
	struct edge_stats st;
	uint64_t	line;		/* current line, from 1 */
	uint64_t	mag;		/* magnitude of the number so far */
	unsigned	ndigits;	/* digits on this line so far */
	bool		neg;		/* this line began with '-' */
	bool		cr;		/* a CR was the last byte */
	bool		partial;	/* bytes seen since the last LF */
	const char	*err;		/* why it failed; NULL while fine */
	uint64_t	err_line;	/* the line that failed */
};

/* Start checking a new file. */
void	 edge_scan_init(struct edge_scan *sc);
/* Check and count the next len bytes; 0, or -1 once a line is bad. */
int	 edge_scan_feed(struct edge_scan *sc, const char *p, size_t len);
/* The file ended: count a last line without LF; 0 or -1. */
int	 edge_scan_finish(struct edge_scan *sc);

/* The operations of SCS. */
enum edge_op {
	EDGE_OP_SUM = 0,
	EDGE_OP_AVERAGE,
	EDGE_OP_MAX,
	EDGE_OP_MIN,
	EDGE_OP_COUNT
};

/* The operation named s (any case), or -1. */
int	 edge_op_parse(const char *s);
/* Its name in upper case. */
const char *edge_op_name(enum edge_op op);
/*
 * The result of op over st as text: SUM exactly, MAX and MIN exactly,
 * AVERAGE as a decimal rounded half away from zero to EDGE_AVG_DECIMALS
 * places ("2.500000") followed, when that is not exact, by ", exactly N/D"
 * with the reduced fraction ("2.333333, exactly 7/3").
 * Returns 0, or -1 when st holds no integers and op is not SUM.
 */
int	 edge_op_result(const struct edge_stats *st, enum edge_op op,
	     char *buf, size_t len);

/* v as a 128-bit integer. */
struct edge_i128 edge_i128_from_i64(int64_t v);
/* True when a and b are equal. */
bool	 edge_i128_eq(struct edge_i128 a, struct edge_i128 b);
/* v in decimal into buf (at least EDGE_I128_MAX bytes); returns buf. */
char	*edge_i128_format(struct edge_i128 v, char *buf);
/* Parse a decimal 128-bit integer (optional '-'); 0 or -1. */
int	 edge_i128_parse(const char *s, struct edge_i128 *out);

/*
 * The stats file beside a data file: one line
 * "edge1 INODE SIZE COUNT SUM MIN MAX".  INODE and SIZE name the data file
 * it belongs to, so stats left by a crash between the two renames are
 * recognised as stale.  Returns the length, or -1 when it does not fit.
 */
int	 edge_stats_encode(const struct edge_stats *st, uint64_t ino,
	     uint64_t size, char *buf, size_t len);
/* Read it back; 0, or -1 when malformed. */
int	 edge_stats_decode(const char *text, struct edge_stats *st,
	     uint64_t *ino, uint64_t *size);

/* Parse a file ID: a non-negative decimal integer; 0 or -1. */
int	 edge_id_parse(const char *s, long long *id);
/*
 * The directory of a user's files under DATA_DIR/edge: the user name,
 * with '=' before it when it starts with '.' (so "." and ".." stay
 * names; '=' is never part of a user name, so no two users share one).
 * Returns 0, or -1 when name is not a valid user name.
 */
int	 edge_user_dir(const char *user, char *buf, size_t len);
/* "ID.txt" (the data) or "ID.stats"; 0, or -1 when it does not fit. */
int	 edge_data_name(long long id, char *buf, size_t len);
int	 edge_stats_name(long long id, char *buf, size_t len);

#endif /* EDGE_DATA_H */
