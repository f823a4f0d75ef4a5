/*
 * loop.h - the event loop: file descriptors and a timeout, nothing about
 * the protocol.  Interest is kept in the kernel (epoll) as descriptors are
 * added, changed and removed, so a pass costs one epoll_pwait() and a walk
 * over the ready entries, however many descriptors are idle.
 */
#ifndef LOOP_H
#define LOOP_H

#include <signal.h>

struct loop;
typedef void loop_cb(int fd, short revents, void *arg);

/* A new, empty loop; NULL when out of memory. */
struct loop	*loop_new(void);
void		 loop_free(struct loop *l);
/* Watch fd for events; 0, or -1 (EEXIST, ENOMEM). */
int		 loop_add(struct loop *l, int fd, short events, loop_cb *cb,
		     void *arg);
/* Change the events watched on fd. */
void		 loop_mod(struct loop *l, int fd, short events);
/* Stop watching fd (safe from inside a callback); call before close(). */
void		 loop_del(struct loop *l, int fd);
/*
 * Wait at most timeout_ms (-1: no limit) with the signal mask set to
 * *mask (when not NULL) during the wait, then call the callback of every
 * ready descriptor.  Returns the number of callbacks run, or -1 with errno
 * EINTR when a signal arrived.
 */
int		 loop_once(struct loop *l, int timeout_ms, const sigset_t *mask);

#endif /* LOOP_H */
