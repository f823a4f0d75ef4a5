/*
 * buf.h - a byte buffer that grows on demand up to a named limit and gives
 * its memory back when it empties, so an idle connection costs nothing.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 off;	/* first unread byte */
	size_t	 len;	/* bytes stored after off */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* limit on len */
};

/* Set up an empty buffer that may hold at most max bytes. */
void	 buf_init(struct buf *b, size_t max);
/* Append n bytes; -1 with errno ENOBUFS (nothing appended) over the limit. */
int	 buf_append(struct buf *b, const void *p, size_t n);
/* Append formatted text; -1 with errno ENOBUFS over the limit. */
int	 buf_printf(struct buf *b, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));
/* Drop n bytes from the front; frees the memory when the buffer empties. */
void	 buf_consume(struct buf *b, size_t n);
/* The first unread byte. */
static inline char *buf_head(const struct buf *b) { return b->data + b->off; }
/* Release the memory. */
void	 buf_free(struct buf *b);

#endif /* BUF_H */
