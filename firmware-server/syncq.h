/*
 * syncq.h - fdatasync() without blocking the loop.  Requests go to the
 * kernel's asynchronous I/O (IOCB_CMD_FDSYNC, Linux 4.18 and later) and
 * their completions raise an eventfd that the loop polls.  Where the
 * kernel (or qemu-user, or a seccomp filter) refuses, syncq_open() fails
 * and the caller fsyncs in place as before.
 */
#ifndef SYNCQ_H
#define SYNCQ_H

/* Set up the queue; the eventfd to poll for POLLIN, or -1 (unavailable). */
int	syncq_open(void);
/* Tear it down, waiting for what is still in flight. */
void	syncq_close(void);
/* True when syncq_open() succeeded. */
int	syncq_available(void);
/*
 * Ask for an fdatasync() of fd.  The kernel holds its own reference to the
 * file, so fd may be closed at once.  0, or -1 with errno set (EINVAL: not
 * for this file; the caller fsyncs it itself).
 */
int	syncq_submit(int fd);
/* Requests submitted and not yet reaped. */
int	syncq_pending(void);
/*
 * Reap finished requests; with wait, block until at least one finishes
 * (when any is pending).  Returns the number reaped (>= 0); *err is set to
 * the first failure's errno, and left alone when all succeeded.
 */
int	syncq_reap(int wait, int *err);

#endif /* SYNCQ_H */
