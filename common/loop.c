/*
 * loop.c - the event loop on Linux's epoll, level-triggered, so callbacks
 * see poll() semantics (the EPOLL* bits equal the POLL* ones): a pass
 * costs one epoll_pwait() and the ready descriptors, not a scan of every
 * connection, which matters with thousands of idle clients.
 *
 * Interest is changed in the kernel only when it really changes, so the
 * per-pass loop_mod() of every busy connection costs no system call.
 * A descriptor removed during dispatch may still have an event in the
 * batch being dispatched, and its number may be reused by a descriptor
 * added in the same pass; each registration therefore carries a serial
 * number in the event's data, and a stale event is skipped.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

/* Events taken from the kernel per pass; more wait for the next one. */
#define LOOP_BATCH	256

struct loop_fd {
	loop_cb		*cb;		/* NULL: not watched */
	void		*arg;
	uint32_t	 serial;	/* of the current registration */
	short		 events;
};

struct loop {
	int		 epfd;
	struct loop_fd	*fds;		/* indexed by descriptor */
	int		 capfds;
	uint32_t	 serial;
};

/* A new, empty loop. */
struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	return l;
}

/* Free the loop (not the descriptors). */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l->fds);
	free(l);
}

/* Grow the descriptor table so that fd fits. */
static int
loop_grow_fds(struct loop *l, int fd)
{
	struct loop_fd *n;
	int cap;

	if (fd < l->capfds)
		return 0;
	cap = l->capfds ? l->capfds : 64;
	while (cap <= fd)
		cap *= 2;
	if ((n = realloc(l->fds, (size_t)cap * sizeof(*n))) == NULL)
		return -1;
	memset(n + l->capfds, 0, (size_t)(cap - l->capfds) * sizeof(*n));
	l->fds = n;
	l->capfds = cap;
	return 0;
}

/* Tell the kernel what fd's registration wants. */
static int
loop_ctl(struct loop *l, int op, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = (uint32_t)(unsigned short)l->fds[fd].events;
	ev.data.u64 = (uint64_t)l->fds[fd].serial << 32 | (uint32_t)fd;
	return epoll_ctl(l->epfd, op, fd, &ev);
}

/* Watch fd for events. */
int
loop_add(struct loop *l, int fd, short events, loop_cb *cb, void *arg)
{
	struct loop_fd *f;

	if (fd < 0 || loop_grow_fds(l, fd) == -1)
		return -1;
	f = &l->fds[fd];
	if (f->cb != NULL) {
		errno = EEXIST;
		return -1;
	}
	f->cb = cb;
	f->arg = arg;
	f->events = events;
	f->serial = ++l->serial;
	if (loop_ctl(l, EPOLL_CTL_ADD, fd) == -1) {
		f->cb = NULL;
		return -1;
	}
	return 0;
}

/* Change the events watched on fd. */
void
loop_mod(struct loop *l, int fd, short events)
{
	struct loop_fd *f;

	if (fd < 0 || fd >= l->capfds || (f = &l->fds[fd])->cb == NULL ||
	    f->events == events)
		return;
	f->events = events;
	(void)loop_ctl(l, EPOLL_CTL_MOD, fd);
}

/* Stop watching fd (safe from inside a callback). */
void
loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->capfds || l->fds[fd].cb == NULL)
		return;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].cb = NULL;
	l->fds[fd].serial = 0;
}

/* Wait for events and dispatch them. */
int
loop_once(struct loop *l, int timeout_ms, const sigset_t *mask)
{
	struct epoll_event ev[LOOP_BATCH];
	struct loop_fd *f;
	int n, i, fd, ran = 0;

	n = epoll_pwait(l->epfd, ev, LOOP_BATCH, timeout_ms < 0 ? -1 :
	    timeout_ms, mask);
	if (n <= 0)
		return n;
	for (i = 0; i < n; i++) {
		fd = (int)(uint32_t)ev[i].data.u64;
		if (fd >= l->capfds)
			continue;
		f = &l->fds[fd];
		/* Removed, or removed and its number reused, in this pass. */
		if (f->cb == NULL || f->serial != (uint32_t)(ev[i].data.u64 >> 32))
			continue;
		f->cb(fd, (short)ev[i].events, f->arg);
		ran++;
	}
	return ran;
}
