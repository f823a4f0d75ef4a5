/*
 * fdio.h - small helpers around file descriptors that both programs use.
 */
#ifndef FDIO_H
#define FDIO_H

#include <stddef.h>

/* Write all len bytes of p to fd, retrying after EINTR and short writes.
   Returns 0, or -1 with errno set (some bytes may have been written). */
int	fdio_write_all(int fd, const void *p, size_t len);

#endif /* FDIO_H */
