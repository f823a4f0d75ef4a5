/*
 * harness_stream.c - line streams: the output of a client or a raw
 * connection read into lines, expected lines, transcripts for messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

void
stream_init(struct stream *st, int fd, const char *label)
{
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	snprintf(st->label, sizeof(st->label), "%s", label);
}

void
stream_push(struct stream *st, const char *text, size_t len)
{
	char *line;

	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (st->n == st->cap) {
		char **nl;

		st->cap = st->cap ? st->cap * 2 : 64;
		nl = realloc(st->line, st->cap * sizeof(*nl));
		if (nl == NULL) {
			perror("e2e: realloc");
			abort();
		}
		st->line = nl;
	}
	line = e2e_xcalloc(1, len + 1);
	memcpy(line, text, len);
	st->line[st->n++] = line;
}

/* Cut complete lines out of the partial buffer. */
void
stream_cut(struct stream *st)
{
	char *nl;
	size_t len;

	while ((nl = memchr(st->part, '\n', st->plen)) != NULL) {
		len = (size_t)(nl - st->part);
		stream_push(st, st->part, len);
		memmove(st->part, nl + 1, st->plen - len - 1);
		st->plen -= len + 1;
	}
	if (st->plen == sizeof(st->part)) {	/* an endless line */
		stream_push(st, st->part, st->plen);
		st->plen = 0;
	}
}

/* Wait up to ms for input, read what there is.  false on timeout. */
bool
stream_fill(struct stream *st, int ms)
{
	struct pollfd pfd;
	ssize_t n;
	int r;

	if (st->eof || st->fd == -1)
		return false;
	pfd.fd = st->fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, ms);
	if (r == -1 && errno == EINTR)
		return true;
	if (r <= 0)
		return false;
	n = read(st->fd, st->part + st->plen, sizeof(st->part) - st->plen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		st->eof = true;
		if (st->plen > 0) {
			stream_push(st, st->part, st->plen);
			st->plen = 0;
		}
		return true;
	}
	st->plen += (size_t)n;
	stream_cut(st);
	return true;
}

/* Read whatever is there without waiting. */
void
stream_drain(struct stream *st)
{
	while (!st->eof && st->fd != -1 && stream_fill(st, 0))
		;
}

bool
stream_matches(const char *line, const char *pat, enum match how)
{
	switch (how) {
	case M_EXACT:
		return strcmp(line, pat) == 0;
	case M_PREFIX:
		return strncmp(line, pat, strlen(pat)) == 0;
	case M_SUB:
	default:
		return strstr(line, pat) != NULL;
	}
}

/* Index of the first pattern some line from pos on matches; -1 on
   timeout (*eof tells whether the stream ended). */
int
stream_expect(struct stream *st, const char *const pats[], size_t npats,
    enum match how, int ms, bool *eof)
{
	long long deadline = e2e_now_ms() + ms;
	size_t i;

	*eof = false;
	for (;;) {
		while (st->pos < st->n) {
			const char *line = st->line[st->pos++];

			for (i = 0; i < npats; i++)
				if (stream_matches(line, pats[i], how))
					return (int)i;
		}
		if (st->eof || st->fd == -1) {
			*eof = true;
			return -1;
		}
		if (e2e_remaining(deadline) == 0)
			return -1;
		stream_fill(st, e2e_remaining(deadline));
	}
}

void
stream_tail(struct stream *st, char *buf, size_t size)
{
	size_t i = st->n > TAIL_LINES ? st->n - TAIL_LINES : 0;

	if (st->n == 0)
		e2e_bcat(buf, size, "    (no output at all)\n");
	if (i > 0)
		e2e_bcat(buf, size, "    (%zu earlier lines not shown)\n", i);
	for (; i < st->n; i++) {
		size_t len = strlen(st->line[i]);

		e2e_bcat(buf, size, "    | %.*s%s\n",
		    (int)(len > TAIL_WIDTH ? TAIL_WIDTH : len), st->line[i],
		    len > TAIL_WIDTH ? "..." : "");
	}
	if (st->plen > 0)
		e2e_bcat(buf, size, "    | %.*s   (no newline yet)\n",
		    (int)(st->plen > TAIL_WIDTH ? TAIL_WIDTH : st->plen),
		    st->part);
}

void
stream_free(struct stream *st)
{
	size_t i;

	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	for (i = 0; i < st->n; i++)
		free(st->line[i]);
	free(st->line);
	st->line = NULL;
	st->n = st->cap = st->pos = 0;
}
