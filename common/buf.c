/*
 * buf.c - bounded byte buffers.  Memory grows geometrically from
 * BUF_INITIAL up to the buffer's limit and is freed as soon as the buffer
 * empties, so thousands of idle connections hold no buffer memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_INITIAL	512

static int	 buf_room(struct buf *b, size_t n);
static void	 buf_release_if_empty(struct buf *b);
static int	 buf_reserve(struct buf *b, size_t n);

/* Set up an empty buffer that may hold at most max bytes. */
void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

/*
 * Make room for n more bytes after the stored ones.  The caller has checked
 * the limit.  Moves the data to the front before growing, and never
 * allocates more than max bytes.
 */
static int
buf_room(struct buf *b, size_t n)
{
	size_t need = b->len + n, cap;
	char *p;

	if (b->data != NULL && b->cap - b->off - b->len >= n)
		return 0;
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
		if (b->cap - b->len >= n)
			return 0;
	}
	cap = b->cap > 0 ? b->cap : BUF_INITIAL;
	while (cap < need) {
		if (cap > b->max / 2) {
			cap = b->max;
			break;
		}
		cap *= 2;
	}
	if (cap > b->max)
		cap = b->max;	/* need <= max, checked by the caller */
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Give the memory back when nothing is stored. */
static void
buf_release_if_empty(struct buf *b)
{
	if (b->len == 0) {
		free(b->data);
		b->data = NULL;
		b->off = 0;
		b->cap = 0;
	}
}

/* Room for n more bytes within the limit (ENOBUFS), or -1 with nothing
   kept. */
static int
buf_reserve(struct buf *b, size_t n)
{
	if (n > b->max - b->len) {
		errno = ENOBUFS;
		return -1;
	}
	if (buf_room(b, n) == -1) {
		buf_release_if_empty(b);
		return -1;
	}
	return 0;
}

/* Append n bytes, or nothing at all over the limit. */
int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->off + b->len, p, n);
	b->len += n;
	return 0;
}

/*
 * Append formatted text.  The first vsnprintf goes straight into the free
 * tail; only when that is too small does the buffer grow and format again.
 * The terminating NUL is not stored; when the text fills the buffer up to
 * its limit exactly there is no byte for it, so that case goes through a
 * temporary copy.
 */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t avail, n;
	char *tail, *tmp;
	int r;

	avail = b->data != NULL ? b->cap - b->off - b->len : 0;
	tail = avail > 0 ? b->data + b->off + b->len : NULL;
	va_start(ap, fmt);
	r = vsnprintf(tail, avail, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	n = (size_t)r;
	if (n == 0)
		return 0;
	if (n < avail) {
		b->len += n;
		return 0;
	}
	if (buf_reserve(b, n) == -1)
		return -1;
	tail = b->data + b->off + b->len;
	if (b->cap - b->off - b->len > n) {
		va_start(ap, fmt);
		vsnprintf(tail, n + 1, fmt, ap);
		va_end(ap);
	} else {
		if ((tmp = malloc(n + 1)) == NULL) {
			buf_release_if_empty(b);
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(tmp, n + 1, fmt, ap);
		va_end(ap);
		memcpy(tail, tmp, n);
		free(tmp);
	}
	b->len += n;
	return 0;
}

/* Drop n bytes from the front; free the memory when nothing is left. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		buf_release_if_empty(b);
		return;
	}
	b->off += n;
	b->len -= n;
}

/* Release the memory; the buffer stays usable with the same limit. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->off = 0;
	b->len = 0;
	b->cap = 0;
}
