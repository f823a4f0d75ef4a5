/*
 * lgtls.h - TLS for the load generator's connections (OpenSSL, TLS 1.3,
 * no certificate check: a benchmark on loopback, not a client).
 */
#ifndef LGTLS_H
#define LGTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lgtls;

/* The one client context; -1 when OpenSSL fails. */
int		 lgtls_init(void);
/* A TLS stream over a non-blocking socket that is connecting. */
struct lgtls	*lgtls_new(int fd);
void		 lgtls_free(struct lgtls *t);
/* Like recv() / send(): bytes, 0 at the end (read), or -1 with errno
   (EAGAIN while the engine waits: lgtls_wants_out() then says whether
   for the socket to be writable). */
ssize_t		 lgtls_recv(struct lgtls *t, void *p, size_t len);
ssize_t		 lgtls_send(struct lgtls *t, const void *p, size_t len);
/* True when the last call waits for the socket to take output. */
bool		 lgtls_wants_out(const struct lgtls *t);
/* True when the last send waits for input (the handshake). */
bool		 lgtls_send_waits_in(const struct lgtls *t);

#endif
