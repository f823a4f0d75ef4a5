/*
 * net_tls.h - the client side of TLS (OpenSSL 3), used by net.c only:
 * a handshake at connect time that checks who answers (a pinned or given
 * fingerprint, or a CA and the host name), then recv()/send()-like calls.
 */
#ifndef NET_TLS_H
#define NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* net_tls_connect(): the server is not the one we trust (exit status 2). */
#define NET_TLS_REFUSED	(-2)

/*
 * First contact: show key ("HOST:PORT") and fp to the user and ask
 * whether to trust it; true for yes.
 */
typedef bool	net_tls_ask_fn(const char *key, const char *fp, void *arg);

/* How the server is checked. */
struct net_tls_opts {
	const char	*fingerprint;	/* "SHA256:HEX" given, or NULL */
	const char	*ca;		/* CA file: verify with the host name */
	net_tls_ask_fn	*ask;		/* NULL: an unknown server is refused */
	void		*ask_arg;
};

struct net_tls;

/*
 * A TLS stream on the connected non-blocking socket fd (the handshake is
 * not begun): 0 with *out set, or -1 with err.
 */
int		 net_tls_start(int fd, const char *host, const char *port,
		     const struct net_tls_opts *o, struct net_tls **out,
		     char *err, size_t errlen);
/*
 * Move the handshake on without blocking, and once it is done check the
 * server.  0: done and trusted; 1: wait until the socket is ready for
 * *events (POLLIN or POLLOUT) and call again; -1 with err for a network
 * or TLS failure; NET_TLS_REFUSED with err (naming both fingerprints and
 * the known_servers line) when the server is not trusted.  Not one byte
 * of the protocol is sent before this returns 0.
 */
int		 net_tls_step(struct net_tls *t, const struct net_tls_opts *o,
		     short *events, char *err, size_t errlen);
/* Like recv() and send() on a non-blocking socket (EAGAIN when the
   engine waits). */
ssize_t		 net_tls_read(struct net_tls *t, void *p, size_t len);
ssize_t		 net_tls_write(struct net_tls *t, const void *p, size_t len);
/* Decrypted bytes not read yet. */
bool		 net_tls_pending(const struct net_tls *t);
/* Free the stream (the socket stays the caller's). */
void		 net_tls_free(struct net_tls *t);

#endif /* NET_TLS_H */
