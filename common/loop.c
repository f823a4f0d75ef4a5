/*
 * loop.c - a ppoll() loop over an array of pollfd kept in step with a
 * per-descriptor table, in the manner of Redis' ae and ngIRCd's io.
 *
 * Removing a descriptor moves the last pollfd into its slot.  When that
 * happens during dispatch, the moved entry would be skipped or visited
 * twice, so loop_del() only marks the slot while dispatch runs and the
 * array is compacted once dispatch is over.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"

struct loop_fd {
	loop_cb	*cb;
	void	*arg;
	int	 slot;		/* index in pfds, -1 when not watched */
};

struct loop {
	struct pollfd	*pfds;
	int		 npfds;
	int		 cappfds;
	struct loop_fd	*fds;	/* indexed by descriptor */
	int		 capfds;
	int		 dispatching;
	int		 ndead;	/* slots marked dead during dispatch */
};

/* A new, empty loop. */
struct loop *
loop_new(void)
{
	return calloc(1, sizeof(struct loop));
}

/* Free the loop (not the descriptors). */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->pfds);
	free(l->fds);
	free(l);
}

/* Grow the descriptor table so that fd fits. */
static int
loop_grow_fds(struct loop *l, int fd)
{
	struct loop_fd *n;
	int cap, i;

	if (fd < l->capfds)
		return 0;
	cap = l->capfds ? l->capfds : 64;
	while (cap <= fd)
		cap *= 2;
	if ((n = realloc(l->fds, (size_t)cap * sizeof(*n))) == NULL)
		return -1;
	for (i = l->capfds; i < cap; i++)
		n[i].slot = -1;
	l->fds = n;
	l->capfds = cap;
	return 0;
}

/* Watch fd for events. */
int
loop_add(struct loop *l, int fd, short events, loop_cb *cb, void *arg)
{
	struct pollfd *n;
	int cap;

	if (fd < 0 || loop_grow_fds(l, fd) == -1)
		return -1;
	if (l->fds[fd].slot != -1) {
		errno = EEXIST;
		return -1;
	}
	if (l->npfds == l->cappfds) {
		cap = l->cappfds ? l->cappfds * 2 : 64;
		if ((n = realloc(l->pfds, (size_t)cap * sizeof(*n))) == NULL)
			return -1;
		l->pfds = n;
		l->cappfds = cap;
	}
	l->pfds[l->npfds].fd = fd;
	l->pfds[l->npfds].events = events;
	l->pfds[l->npfds].revents = 0;
	l->fds[fd].cb = cb;
	l->fds[fd].arg = arg;
	l->fds[fd].slot = l->npfds++;
	return 0;
}

/* Change the events watched on fd. */
void
loop_mod(struct loop *l, int fd, short events)
{
	if (fd >= 0 && fd < l->capfds && l->fds[fd].slot != -1)
		l->pfds[l->fds[fd].slot].events = events;
}

/* Remove the pollfd in slot s by moving the last one into it. */
static void
loop_remove_slot(struct loop *l, int s)
{
	int last = l->npfds - 1;

	if (s != last) {
		l->pfds[s] = l->pfds[last];
		l->fds[l->pfds[s].fd].slot = s;
	}
	l->npfds--;
}

/* Stop watching fd. */
void
loop_del(struct loop *l, int fd)
{
	int s;

	if (fd < 0 || fd >= l->capfds || (s = l->fds[fd].slot) == -1)
		return;
	l->fds[fd].slot = -1;
	if (l->dispatching) {
		/* Compacted after dispatch; a negative fd is ignored by poll. */
		l->pfds[s].fd = -1;
		l->pfds[s].revents = 0;
		l->ndead++;
		return;
	}
	loop_remove_slot(l, s);
}

/* Drop the slots marked dead during dispatch. */
static void
loop_compact(struct loop *l)
{
	int s;

	for (s = l->npfds - 1; s >= 0 && l->ndead > 0; s--) {
		if (l->pfds[s].fd == -1) {
			loop_remove_slot(l, s);
			l->ndead--;
		}
	}
	l->ndead = 0;
}

/* Wait for events and dispatch them. */
int
loop_once(struct loop *l, int timeout_ms, const sigset_t *mask)
{
	struct timespec ts, *tsp = NULL;
	int n, s, ran = 0, fd;
	short rev;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	n = ppoll(l->pfds, (nfds_t)l->npfds, tsp, mask);
	if (n <= 0)
		return n;
	l->dispatching = 1;
	/* Entries added by callbacks land past the end and wait a pass. */
	for (s = 0; s < l->npfds && n > 0; s++) {
		if ((rev = l->pfds[s].revents) == 0 || (fd = l->pfds[s].fd) < 0)
			continue;
		l->pfds[s].revents = 0;
		n--;
		l->fds[fd].cb(fd, rev, l->fds[fd].arg);
		ran++;
	}
	l->dispatching = 0;
	if (l->ndead > 0)
		loop_compact(l);
	return ran;
}
