/*
 * syncq.c - asynchronous fdatasync() through Linux AIO.  glibc has no
 * wrappers for the io_* system calls, so they are called by number; no
 * library (libaio, liburing) is needed.
 */
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/aio_abi.h>

#include "syncq.h"

/* At most this many requests in flight: one per file with appends. */
#define SYNCQ_DEPTH	64

static aio_context_t	syncq_ctx;
static int		syncq_efd = -1;
static int		syncq_inflight;

int
syncq_available(void)
{
	return syncq_efd != -1;
}

int
syncq_open(void)
{
	if (syncq_efd != -1)
		return syncq_efd;
#ifdef SYS_io_setup
	syncq_ctx = 0;
	if (syscall(SYS_io_setup, SYNCQ_DEPTH, &syncq_ctx) == -1)
		return -1;
	if ((syncq_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		syscall(SYS_io_destroy, syncq_ctx);
		return -1;
	}
	return syncq_efd;
#else
	errno = ENOSYS;
	return -1;
#endif
}

void
syncq_close(void)
{
	int err = 0;

	if (syncq_efd == -1)
		return;
	while (syncq_inflight > 0 && syncq_reap(1, &err) >= 0)
		;
	syscall(SYS_io_destroy, syncq_ctx);
	close(syncq_efd);
	syncq_efd = -1;
	syncq_inflight = 0;
}

int
syncq_submit(int fd)
{
	struct iocb cb, *cbs[1] = { &cb };

	if (syncq_efd == -1 || syncq_inflight >= SYNCQ_DEPTH) {
		errno = syncq_efd == -1 ? ENOSYS : EAGAIN;
		return -1;
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_lio_opcode = IOCB_CMD_FDSYNC;
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)syncq_efd;
	if (syscall(SYS_io_submit, syncq_ctx, 1L, cbs) != 1)
		return -1;
	syncq_inflight++;
	return 0;
}

int
syncq_pending(void)
{
	return syncq_inflight;
}

int
syncq_reap(int wait, int *err)
{
	struct io_event ev[SYNCQ_DEPTH];
	struct timespec zero = { 0, 0 };
	uint64_t count;
	long n, i;

	if (syncq_efd == -1)
		return 0;
	/*
	 * Empty the eventfd first: a completion after this read raises it
	 * again, so none is missed.  Also with nothing in flight: the kernel
	 * queues a completion's event before it raises the eventfd, so an
	 * earlier call can reap an event whose raise comes after that
	 * call's read.  Left raised, the eventfd would wake the loop on
	 * every pass, a busy loop until the next sync.
	 */
	if (read(syncq_efd, &count, sizeof(count)) == -1 && errno != EAGAIN)
		return -1;
	if (syncq_inflight == 0)
		return 0;
	do
		n = syscall(SYS_io_getevents, syncq_ctx, wait ? 1L : 0L,
		    (long)SYNCQ_DEPTH, ev, wait ? NULL : &zero);
	while (n == -1 && errno == EINTR);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (ev[i].res < 0 && *err == 0)
			*err = (int)-ev[i].res;
	syncq_inflight -= (int)n;
	return (int)n;
}
