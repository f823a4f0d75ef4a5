/*
 * p2p_io.c - datagrams in and out of the peer-to-peer UDP socket, in
 * batches, with the kernel's UDP segmentation offloads when it has them.
 *
 * Out: during a poll pass every datagram is built in (or copied to) the
 * next slot of one queue; the slots are P2P_DGRAM_MAX bytes apart, so the
 * full-size DATA datagrams of a run lie end to end.  p2p_io_flush() cuts
 * the queue into messages for one sendmmsg(): a run of datagrams to the
 * same peer, all of one size but the last (which may be shorter), at most
 * P2P_IO_GSO_SEGS of them and P2P_IO_GSO_BYTES in all, is one message
 * with a UDP_SEGMENT control message; anything else is a message of its
 * own.  The kernel then builds one socket buffer for the whole run
 * instead of one per datagram, and cuts it where the segment size says,
 * each piece with its own UDP header: the datagrams the peer gets are the
 * ones we built, MAC and all.  Whatever loses datagrams on purpose (the
 * FS_TEST_* hooks in p2p.c) does so before they reach the queue, so a
 * GSO run is just the datagrams that survived.
 *
 * In: with UDP_GRO on, the kernel may hand over several datagrams of one
 * sender in one buffer (on loopback: a GSO run arrives whole) and says the
 * segment size in a UDP_GRO control message; p2p_io_recv() passes it up
 * and p2p.c splits the buffer (p2p_gro_pieces), checking every piece like
 * a datagram of its own.  A buffer without that message is one datagram.
 *
 * Refusals: a kernel before 4.18 (GSO) or 5.0 (GRO) refuses the socket
 * options, and even a kernel that has them can refuse a GSO send for a
 * route (no checksum offload: EIO; a path MTU below the segment: EINVAL).
 * Either way GSO is off from then on for the process, and the refused
 * run goes again as single datagrams: no datagram is lost to the switch.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "p2p_io.h"
#include "p2p_wire.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103	/* <linux/udp.h>, for older C libraries */
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif
#ifndef SOL_UDP
#define SOL_UDP		17
#endif

#define P2P_IO_SOCKBUF	(8 * 1024 * 1024)	/* SO_RCVBUF, SO_SNDBUF asked */
#define P2P_IO_RX_SMALL	(P2P_DGRAM_MAX + 1)	/* one datagram; a longer one
						   shows as too long */

/* A control message buffer of the right size and alignment. */
union p2p_io_ctl {
	char		 buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr	 align;
};

static struct {
	int			 fd;
	long			 rcvbuf;
	bool			 gso;		/* on until the kernel refuses */
	bool			 gro;
	bool			 refuse;	/* FS_TEST_GSO=refuse */
	bool			 blocked;	/* the kernel said EAGAIN */
	char			 why[96];	/* why GSO is off */
	uint64_t		 sent;
	struct p2p_io_stats	 st;
} io = { .fd = -1, .rcvbuf = 212992 };

/* The queue of datagrams to send; slot i at buf[i]. */
static struct {
	bool			 on;		/* in a poll pass: queue */
	int			 n;
	unsigned char		 buf[P2P_IO_OUT_MAX][P2P_DGRAM_MAX];
	size_t			 len[P2P_IO_OUT_MAX];
	struct sockaddr_storage	 sa[P2P_IO_OUT_MAX];
	socklen_t		 salen[P2P_IO_OUT_MAX];
	/* One flush's messages. */
	struct mmsghdr		 msg[P2P_IO_OUT_MAX];
	struct iovec		 iov[P2P_IO_OUT_MAX];
	union p2p_io_ctl	 ctl[P2P_IO_OUT_MAX];
	int			 first[P2P_IO_OUT_MAX];	/* its first slot */
	int			 count[P2P_IO_OUT_MAX];	/* its datagrams */
} out;

/* Receive buffers: P2P_IO_RX_MAX small ones, or fewer big ones (GRO). */
static struct {
	unsigned char		 mem[P2P_IO_RX_BYTES];
	struct mmsghdr		 msg[P2P_IO_RX_MAX];
	struct iovec		 iov[P2P_IO_RX_MAX];
	struct sockaddr_storage	 from[P2P_IO_RX_MAX];
	union p2p_io_ctl	 ctl[P2P_IO_RX_MAX];
} in;

/* An environment test hook: true when name is set to value. */
static bool
p2p_io_env(const char *name, const char *value)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, value) == 0;
}

/* GSO off for good; say why once. */
static void
p2p_io_gso_off(const char *why)
{
	if (!io.gso)
		return;
	io.gso = false;
	snprintf(io.why, sizeof(io.why), "%s", why);
	log_info("UDP GSO off (%s): one datagram per message", why);
}

/* Take the socket, size its buffers, ask for GSO and GRO. */
void
p2p_io_setup(int fd)
{
	socklen_t len;
	int size, zero = 0, one = 1;
	char why[80];

	io.fd = fd;
	io.blocked = false;
	/* Room for a window's worth of datagrams.  An unprivileged process
	   gets at most net.core.rmem_max / wmem_max (the kernel doubles the
	   value for its bookkeeping); one with CAP_NET_ADMIN may force more
	   (the FORCE options fail with EPERM otherwise, and the plain ones
	   are tried).  What we got is read back: the receiver advertises a
	   window that fits in it (p2p_rwnd). */
	size = P2P_IO_SOCKBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	len = sizeof(size);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) == 0)
		io.rcvbuf = size;
	log_debug("UDP receive buffer %ld bytes", io.rcvbuf);

	/* GSO: a segment size of 0 on the socket is "none" and asks nothing
	   of the kernel but to know the option; sends carry their own. */
	io.gso = true;
	io.why[0] = '\0';
	io.refuse = p2p_io_env("FS_TEST_GSO", "refuse");
	if (p2p_io_env("FS_TEST_GSO", "off"))
		p2p_io_gso_off("FS_TEST_GSO=off");
	else if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero,
	    sizeof(zero)) == -1) {
		snprintf(why, sizeof(why), "UDP_SEGMENT: %s", strerror(errno));
		p2p_io_gso_off(why);
	}
	io.gro = !p2p_io_env("FS_TEST_GRO", "off") &&
	    setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
	log_debug("UDP GSO %s, GRO %s", io.gso ? "on" : "off",
	    io.gro ? "on" : "off");
}

/* SO_RCVBUF as read back. */
long
p2p_io_rcvbuf(void)
{
	return io.rcvbuf;
}

/* True while GSO is in use. */
bool
p2p_io_gso(void)
{
	return io.gso;
}

/* True when the kernel may hand us coalesced buffers. */
bool
p2p_io_gro(void)
{
	return io.gro;
}

/* Why GSO is off; "" while on. */
const char *
p2p_io_gso_why(void)
{
	return io.why;
}

/* The offloads' counters. */
const struct p2p_io_stats *
p2p_io_stats(void)
{
	return &io.st;
}

/* Datagrams the kernel took. */
uint64_t
p2p_io_sent(void)
{
	return io.sent;
}

/* True while the socket has no room. */
bool
p2p_io_blocked(void)
{
	return io.blocked;
}

/* POLLOUT said there is room again. */
void
p2p_io_unblock(void)
{
	io.blocked = false;
}

/* True when slots a and b go to the same endpoint. */
static bool
p2p_io_same_peer(int a, int b)
{
	return out.salen[a] == out.salen[b] &&
	    memcmp(&out.sa[a], &out.sa[b], out.salen[a]) == 0;
}

/*
 * How many slots from i one message takes: a GSO run while GSO is on
 * (all of one size but the last, which may be shorter; one peer; within
 * the kernel's limits), else 1.
 */
static int
p2p_io_run(int i)
{
	size_t seg = out.len[i], total = seg;
	int k = 1;

	if (!io.gso)
		return 1;
	while (i + k < out.n && k < P2P_IO_GSO_SEGS &&
	    out.len[i + k] <= seg && total + out.len[i + k] <=
	    P2P_IO_GSO_BYTES && p2p_io_same_peer(i, i + k)) {
		total += out.len[i + k];
		if (out.len[i + k++] < seg)
			break;		/* a shorter one ends the run */
	}
	return k;
}

/* Messages for the slots from i (at most one sendmmsg's worth). */
static int
p2p_io_build(int i)
{
	struct msghdr *h;
	struct cmsghdr *c;
	uint16_t seg;
	int m, j, k;

	for (m = 0; i < out.n; m++, i += k) {
		k = p2p_io_run(i);
		out.first[m] = i;
		out.count[m] = k;
		h = &out.msg[m].msg_hdr;
		memset(&out.msg[m], 0, sizeof(out.msg[m]));
		h->msg_name = &out.sa[i];
		h->msg_namelen = out.salen[i];
		for (j = 0; j < k; j++) {
			out.iov[i + j].iov_base = out.buf[i + j];
			out.iov[i + j].iov_len = out.len[i + j];
		}
		h->msg_iov = &out.iov[i];
		h->msg_iovlen = (size_t)k;
		if (k == 1)
			continue;
		seg = (uint16_t)out.len[i];
		h->msg_control = out.ctl[m].buf;
		h->msg_controllen = CMSG_SPACE(sizeof(seg));
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	}
	return m;
}

/* True for what a kernel without (working) GSO answers a GSO send. */
static bool
p2p_io_gso_refusal(int err)
{
	return err == EIO || err == EINVAL || err == ENOPROTOOPT ||
	    err == EOPNOTSUPP || err == EMSGSIZE || err == ENOSYS ||
	    err == EPROTONOSUPPORT;
}

/*
 * Send the queue.  Datagrams the kernel refuses are lost like any other
 * (the transfers find out and send them again), and when it has no room
 * the rest of the queue is dropped and sending waits for POLLOUT; a GSO
 * run it refuses turns GSO off and goes again as single datagrams.
 */
static void
p2p_io_flush(void)
{
	char why[80];
	int i = 0, m, r, k, err;

	while (i < out.n && !io.blocked) {
		m = p2p_io_build(i);
		if (io.refuse && out.count[0] > 1) {
			io.refuse = false;
			r = -1;
			errno = EIO;	/* the test hook: as a kernel would */
		} else
			r = sendmmsg(io.fd, out.msg, (unsigned)m, 0);
		if (r == -1) {
			err = errno;
			if (err == EINTR)
				continue;
			if (err == EAGAIN || err == EWOULDBLOCK ||
			    err == ENOBUFS) {
				io.blocked = true;
				break;
			}
			if (out.count[0] > 1 && p2p_io_gso_refusal(err)) {
				snprintf(why, sizeof(why), "a GSO send "
				    "failed: %s", strerror(err));
				p2p_io_gso_off(why);
				continue;	/* again, one by one */
			}
			i += out.count[0];	/* that one is refused */
			continue;
		}
		for (k = 0; k < r; k++) {
			io.sent += (uint64_t)out.count[k];
			if (out.count[k] > 1) {
				io.st.gso_msgs++;
				io.st.gso_dgrams += (uint64_t)out.count[k];
			}
		}
		i = r < m ? out.first[r] : out.n;
	}
	out.n = 0;
}

/* Queue from now on. */
void
p2p_io_begin(void)
{
	out.on = true;
}

/* Send the queue; send at once from now on. */
void
p2p_io_end(void)
{
	p2p_io_flush();
	out.on = false;
}

/* The slot the next datagram is built in; NULL while blocked. */
unsigned char *
p2p_io_slot(void)
{
	if (io.blocked)
		return NULL;
	return out.buf[out.n];
}

/* Queue the datagram built in the slot. */
int
p2p_io_put(size_t len, const struct sockaddr_storage *sa, socklen_t salen)
{
	int i = out.n;

	if (io.blocked) {
		errno = EAGAIN;
		return -1;
	}
	out.len[i] = len;
	memcpy(&out.sa[i], sa, salen);
	out.salen[i] = salen;
	out.n++;
	if (out.n == P2P_IO_OUT_MAX || !out.on)
		p2p_io_flush();
	if (!out.on && io.blocked) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* Copy a datagram into the queue. */
int
p2p_io_send(const unsigned char *buf, size_t len,
    const struct sockaddr_storage *sa, socklen_t salen)
{
	unsigned char *slot = p2p_io_slot();

	if (slot == NULL || len > P2P_DGRAM_MAX) {
		errno = slot == NULL ? EAGAIN : EMSGSIZE;
		return -1;
	}
	memcpy(slot, buf, len);
	return p2p_io_put(len, sa, salen);
}

/* The segment size in a message's UDP_GRO control message; 0 if none. */
static size_t
p2p_io_gro_size(struct msghdr *h)
{
	struct cmsghdr *c;
	int v;

	if (h->msg_controllen == 0 || (h->msg_flags & MSG_CTRUNC))
		return 0;
	for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
		    c->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		return v > 0 ? (size_t)v : 0;
	}
	return 0;
}

/* Receive buffers in the current mode. */
int
p2p_io_rx_slots(void)
{
	size_t size = io.gro ? P2P_IO_RX_BIG : P2P_IO_RX_SMALL;

	return sizeof(in.mem) / size < P2P_IO_RX_MAX ?
	    (int)(sizeof(in.mem) / size) : P2P_IO_RX_MAX;
}

/* One recvmmsg into the receive buffers. */
int
p2p_io_recv(struct p2p_io_rx *rx, int max)
{
	size_t size = io.gro ? P2P_IO_RX_BIG : P2P_IO_RX_SMALL;
	int slots = p2p_io_rx_slots(), i, n;

	if (slots > max)
		slots = max;
	for (i = 0; i < slots; i++) {
		in.iov[i].iov_base = in.mem + (size_t)i * size;
		in.iov[i].iov_len = size;
		memset(&in.msg[i], 0, sizeof(in.msg[i]));
		in.msg[i].msg_hdr.msg_name = &in.from[i];
		in.msg[i].msg_hdr.msg_namelen = sizeof(in.from[i]);
		in.msg[i].msg_hdr.msg_iov = &in.iov[i];
		in.msg[i].msg_hdr.msg_iovlen = 1;
		if (io.gro) {
			in.msg[i].msg_hdr.msg_control = in.ctl[i].buf;
			in.msg[i].msg_hdr.msg_controllen = sizeof(in.ctl[i].buf);
		}
	}
	do
		n = recvmmsg(io.fd, in.msg, (unsigned)slots, MSG_DONTWAIT, NULL);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		log_warn("UDP receive");
		return -1;
	}
	for (i = 0; i < n; i++) {
		rx[i].buf = in.iov[i].iov_base;
		rx[i].len = in.msg[i].msg_len;
		rx[i].from = &in.from[i];
		rx[i].gso = io.gro ? p2p_io_gro_size(&in.msg[i].msg_hdr) : 0;
		if (rx[i].gso > 0 && rx[i].gso < rx[i].len) {
			io.st.gro_bufs++;
			io.st.gro_dgrams += (rx[i].len + rx[i].gso - 1) /
			    rx[i].gso;
		}
	}
	return n;
}

/* Forget what was found out (tests). */
void
p2p_io_reset(void)
{
	memset(&io, 0, sizeof(io));
	io.fd = -1;
	io.rcvbuf = 212992;
	out.n = 0;
	out.on = false;
}
