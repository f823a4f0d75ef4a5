/*
 * p2p_io.h - the peer-to-peer UDP socket's datagram I/O, below the
 * transfers: datagrams queued during a poll pass go out with sendmmsg(),
 * and a run of equal-size datagrams to one peer goes as ONE message with
 * a UDP_SEGMENT control message (GSO: the kernel cuts it into the same
 * datagrams, each with its own UDP header); datagrams come in with
 * recvmmsg(), where a buffer the kernel coalesced (UDP_GRO) carries the
 * segment size, for the caller to split with p2p_gro_pieces().  The
 * datagrams on the wire are the same either way; only system calls
 * change.
 *
 * When the kernel refuses (setsockopt fails, or a GSO send fails with
 * EIO, EINVAL, ENOPROTOOPT ...), GSO is off for the rest of the process,
 * said once in the log, and what was refused goes again one datagram per
 * message.  FS_TEST_GSO=off and FS_TEST_GRO=off (environment, read at
 * setup) turn either off; FS_TEST_GSO=refuse makes the first GSO send
 * fail as a kernel without it would, so tests reach the fallback.
 */
#ifndef P2P_IO_H
#define P2P_IO_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P2P_IO_OUT_MAX	256	/* datagrams queued before a flush */
#define P2P_IO_GSO_BYTES 65507	/* one GSO message at most: the largest
				   UDP payload over IPv4 */
#define P2P_IO_GSO_SEGS	64	/* datagrams in one GSO message at most
				   (the kernel's UDP_MAX_SEGMENTS is 64
				   or more) */
#define P2P_IO_RX_BYTES	(1024 * 1024)	/* receive buffers, both modes */
#define P2P_IO_RX_BIG	65536	/* one coalesced buffer (GRO) */
#define P2P_IO_RX_MAX	64	/* messages per recvmmsg at most */

/* What the offloads did, for /transfers and the tests. */
struct p2p_io_stats {
	uint64_t	 gso_msgs;	/* GSO messages sent */
	uint64_t	 gso_dgrams;	/* datagrams they carried */
	uint64_t	 gro_bufs;	/* coalesced buffers received */
	uint64_t	 gro_dgrams;	/* datagrams they carried */
};

/* One message read: a datagram, or datagrams coalesced by the kernel. */
struct p2p_io_rx {
	unsigned char			*buf;
	size_t				 len;
	size_t				 gso;	/* segment size; 0: one datagram */
	const struct sockaddr_storage	*from;
};

/* Take fd (non-blocking), size its buffers, find out about GSO and GRO. */
void		 p2p_io_setup(int fd);
/* SO_RCVBUF as the kernel reports it (it counts its own overhead). */
long		 p2p_io_rcvbuf(void);
/* True while GSO / GRO are in use; why GSO is off ("" while on). */
bool		 p2p_io_gso(void);
bool		 p2p_io_gro(void);
const char	*p2p_io_gso_why(void);
const struct p2p_io_stats *p2p_io_stats(void);

/* A poll pass starts: datagrams are queued from now on. */
void		 p2p_io_begin(void);
/* The pass ends: send what is queued; datagrams go at once again. */
void		 p2p_io_end(void);
/*
 * Where to build the next datagram (P2P_DGRAM_MAX bytes), or NULL while
 * the socket has no room; p2p_io_put() then queues it without a copy.
 */
unsigned char	*p2p_io_slot(void);
/* Queue the datagram of len bytes built in p2p_io_slot() for sa (sent
   at once outside a pass); 0, or -1 with errno EAGAIN when blocked. */
int		 p2p_io_put(size_t len, const struct sockaddr_storage *sa,
		     socklen_t salen);
/* Copy buf into the queue and p2p_io_put() it. */
int		 p2p_io_send(const unsigned char *buf, size_t len,
		     const struct sockaddr_storage *sa, socklen_t salen);
/* True while the kernel has no room (until p2p_io_unblock()). */
bool		 p2p_io_blocked(void);
void		 p2p_io_unblock(void);
/* Datagrams that have left (counted once the kernel took them). */
uint64_t	 p2p_io_sent(void);

/*
 * One recvmmsg(): fills rx[] (valid until the next call) and returns how
 * many messages; 0 when nothing waits, -1 on an error other than EAGAIN.
 */
int		 p2p_io_recv(struct p2p_io_rx *rx, int max);
/* Messages one p2p_io_recv() asks for (fewer came: nothing waits). */
int		 p2p_io_rx_slots(void);

/* For tests: as if a new process started (GSO and GRO found out anew). */
void		 p2p_io_reset(void);

#endif /* P2P_IO_H */
