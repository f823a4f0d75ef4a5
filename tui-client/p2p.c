/*
 * p2p.c - peer-to-peer transfers: the table of transfers, the UDP socket,
 * the poll interface, the commands and the server's offers.  The sender's
 * engine is in p2p_send.c, the receiver's in p2p_recv.c, the datagram
 * format and the arithmetic in p2p_wire.c.
 *
 * Every datagram that comes in is checked in this order and dropped (and
 * counted) at the first failure: its form, a transfer with its id in the
 * role its type belongs to, the address and port the server announced
 * for that transfer's peer, the MAC under the transfer's secret.  Only
 * then does an engine see it.
 *
 * A buffer the kernel coalesced (UDP_GRO, see p2p_io.c) is cut into its
 * datagrams first, and each piece goes through the same checks and is
 * counted on its own, exactly like a datagram that came alone.
 *
 * Test hooks (environment, read at start): FS_TEST_LOSS, FS_TEST_DUP and
 * FS_TEST_REORDER give the percentage of datagrams this client sends that
 * are dropped, sent twice, or held back and sent after later ones;
 * FS_TEST_SEED seeds them.  They act on every datagram both ends send,
 * one by one, before p2p_io.c batches what is left into GSO runs: loss
 * stays per datagram however the survivors then travel.  FS_TEST_GSO and
 * FS_TEST_GRO are p2p_io.c's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "app.h"
#include "conf.h"
#include "log.h"
#include "model.h"
#include "p2p_int.h"
#include "p2p_io.h"
#include "proto_ev.h"

#define P2P_RECV_BATCH	1024	/* a pass stops reading past this many
				   datagrams (its last recvmmsg may bring
				   16 coalesced buffers, 832 more) */
#define P2P_HOLD_MAX	8	/* datagrams held back by FS_TEST_REORDER */

static struct p2p_ctx	 p2p_self = {
	.fd = -1,
	.family = AF_INET,
	.dir_fd = -1,
	.peer_timeout_s = 10,
	.rcvbuf = 212992,
	.keep_free_mb = CONF_KEEP_FREE_AUTO,
};

/* The one state of file transfers. */
struct p2p_ctx *
p2p_ctx(void)
{
	return &p2p_self;
}

/* How long a silent peer is waited for, in microseconds. */
int64_t
p2p_peer_timeout_us(void)
{
	return (int64_t)p2p_self.peer_timeout_s * 1000000;
}

/* The test hooks. */
static struct {
	int		 loss, dup, reorder;	/* percent */
	uint64_t	 rng;
	struct {
		unsigned char	 buf[P2P_DGRAM_MAX];
		size_t		 len;
		struct sockaddr_storage sa;
		socklen_t	 salen;
		int		 age;
	} held[P2P_HOLD_MAX];
	int		 nheld;
} p2p_hook;

/* A percentage from the environment, 0 when unset or bad. */
static int
p2p_env_pct(const char *name)
{
	const char *v = getenv(name);
	long long n;

	if (v == NULL || proto_parse_int(v, 0, 100, &n) == -1)
		return 0;
	return (int)n;
}

/* Set up with the UDP socket and the settings. */
void
p2p_setup(int udp_fd, const struct conf *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const char *seed = getenv("FS_TEST_SEED");
	int i;

	p2p_self.fd = udp_fd;
	if (getsockname(udp_fd, (struct sockaddr *)&ss, &len) == 0)
		p2p_self.family = ss.ss_family;
	fcntl(udp_fd, F_SETFL, fcntl(udp_fd, F_GETFL) | O_NONBLOCK);
	p2p_io_setup(udp_fd);
	p2p_self.rcvbuf = p2p_io_rcvbuf();
	p2p_self.accept = c->accept_files;
	p2p_self.keep_free_mb = c->keep_free_mb;
	p2p_self.peer_timeout_s = c->peer_timeout;
	if (p2p_self.dir_fd != -1)
		close(p2p_self.dir_fd);
	p2p_self.dir_fd = open(c->download_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (p2p_self.dir_fd == -1)
		log_warn("download directory %s", c->download_dir);
	for (i = 0; i < P2P_XFER_MAX; i++)
		p2p_self.xfers[i].fd = -1;
	p2p_hook.loss = p2p_env_pct("FS_TEST_LOSS");
	p2p_hook.dup = p2p_env_pct("FS_TEST_DUP");
	p2p_hook.reorder = p2p_env_pct("FS_TEST_REORDER");
	p2p_hook.rng = seed != NULL ? strtoull(seed, NULL, 10) : 0;
	p2p_hook.rng ^= 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
}

/* Unset, accept_files asks in the screen and takes files in plain mode
   (scripts and the earlier generations' habits). */
void
p2p_set_screen(bool screen)
{
	p2p_self.screen = screen;
}

/* A pseudo-random percentage for the test hooks (xorshift64). */
static int
p2p_hook_roll(void)
{
	uint64_t x = p2p_hook.rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p2p_hook.rng = x;
	return (int)(x % 100);
}

/* True while a test hook may drop, repeat or hold back datagrams. */
static bool
p2p_hooked(void)
{
	return p2p_hook.loss > 0 || p2p_hook.dup > 0 || p2p_hook.reorder > 0;
}

/* Where to build the next datagram: the output queue's slot, so that
   p2p_send_pkt() queues it without a copy; a scratch buffer when a test
   hook must see it first or the socket has no room. */
unsigned char *
p2p_pkt_buf(void)
{
	static unsigned char scratch[P2P_DGRAM_MAX];
	unsigned char *slot;

	if (p2p_hooked() || (slot = p2p_io_slot()) == NULL)
		return scratch;
	return slot;
}

/* Send held-back datagrams that waited long enough (all when force). */
static void
p2p_hook_release(bool force)
{
	int i;

	for (i = 0; i < p2p_hook.nheld; ) {
		if (!force && ++p2p_hook.held[i].age < 3) {
			i++;
			continue;
		}
		p2p_io_send(p2p_hook.held[i].buf, p2p_hook.held[i].len,
		    &p2p_hook.held[i].sa, p2p_hook.held[i].salen);
		p2p_hook.held[i] = p2p_hook.held[--p2p_hook.nheld];
	}
}

/* Encode and send a datagram of x, through the test hooks. */
int
p2p_send_pkt(struct p2p_xfer *x, struct p2p_pkt *p)
{
	unsigned char *buf = p2p_pkt_buf();
	size_t len;
	int i;

	p->xid = x->xid;
	/* 0 only once 2^32 - 1 datagram numbers are used up (a nonce must
	   never repeat): nothing more goes out, and peer_timeout ends it. */
	if ((len = p2p_encode(p, &x->aead, buf)) == 0) {
		p2p_self.counters.unsealed++;
		return 0;
	}
	if (buf == p2p_io_slot())
		return p2p_io_put(len, &x->sa, x->salen);
	if (!p2p_hooked())
		return p2p_io_send(buf, len, &x->sa, x->salen);	/* EAGAIN */
	p2p_hook_release(false);
	if (p2p_hook.loss > 0 && p2p_hook_roll() < p2p_hook.loss)
		return 0;	/* "sent", and lost on the way */
	if (p2p_hook.reorder > 0 && p2p_hook.nheld < P2P_HOLD_MAX &&
	    p2p_hook_roll() < p2p_hook.reorder) {
		i = p2p_hook.nheld++;
		memcpy(p2p_hook.held[i].buf, buf, len);
		p2p_hook.held[i].len = len;
		p2p_hook.held[i].sa = x->sa;
		p2p_hook.held[i].salen = x->salen;
		p2p_hook.held[i].age = 0;
		return 0;
	}
	if (p2p_io_send(buf, len, &x->sa, x->salen) == -1)
		return -1;
	if (p2p_hook.dup > 0 && p2p_hook_roll() < p2p_hook.dup)
		p2p_io_send(buf, len, &x->sa, x->salen);
	return 0;
}

/* True while the socket has no room. */
bool
p2p_send_blocked(void)
{
	return p2p_io_blocked();
}

/* The peer's endpoint, in our socket's family. */
int
p2p_set_peer(struct p2p_xfer *x, const char *ip, unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&x->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&x->sa;
	struct in_addr a4;

	memset(&x->sa, 0, sizeof(x->sa));
	if (port == 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, ip, &a4) == 1) {
		if (p2p_self.family == AF_INET6) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6->sin6_addr.s6_addr[12], &a4, 4);
			x->salen = sizeof(*sin6);
		} else {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			sin->sin_addr = a4;
			x->salen = sizeof(*sin);
		}
		return 0;
	}
	if (p2p_self.family == AF_INET6 &&
	    inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		x->salen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* True when a datagram came from x's peer (same address and port). */
static bool
p2p_from_peer(const struct p2p_xfer *x, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)&x->sa;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)&x->sa;

	if (ss->ss_family != x->sa.ss_family)
		return false;
	if (ss->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return a4->sin_port == b4->sin_port &&
	    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

/* Progress to the model, at most every P2P_PROGRESS_US. */
void
p2p_progress(struct app *a, struct p2p_xfer *x, uint64_t done, bool force)
{
	int64_t now = mono_now_us();

	if (x->model_id < 0 || (!force && now - x->shown_us < P2P_PROGRESS_US))
		return;
	x->shown_us = now;
	model_xfer_progress(app_model(a), x->model_id, done, now / 1000);
}

/* Free everything a transfer holds. */
void
p2p_release(struct app *a, struct p2p_xfer *x, bool ok)
{
	if (x->model_id >= 0)
		model_xfer_end(app_model(a), x->model_id, ok,
		    mono_now_us() / 1000);
	if (x->fd != -1)
		close(x->fd);
	free(x->segs);
	free(x->sent);
	free(x->cache);
	free(x->rwin);
	p2p_aead_free(&x->aead);
	explicit_bzero(x, sizeof(*x));
	x->fd = -1;
	x->model_id = -1;
}

/* The transfer a datagram of this type and id belongs to, or NULL. */
static struct p2p_xfer *
p2p_find(uint32_t xid, uint8_t type)
{
	enum p2p_role role = p2p_from_sender(type) ? P2P_RECV : P2P_SEND;
	struct p2p_xfer *x = p2p_self.xfers;
	int i;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (x[i].state != P2P_S_FREE && x[i].state != P2P_S_REQUEST &&
		    x[i].xid == xid && x[i].role == role)
			return &x[i];
	return NULL;
}

/* Check one datagram and hand it to its transfer, or drop and count it. */
static void
p2p_input(struct app *a, unsigned char *buf, size_t len,
    const struct sockaddr_storage *from, int64_t now)
{
	struct p2p_xfer *x;
	struct p2p_pkt p;

	if (p2p_decode(buf, len, &p) != P2P_D_OK) {
		p2p_self.counters.malformed++;
		return;
	}
	if ((x = p2p_find(p.xid, p.type)) == NULL) {
		p2p_self.counters.unknown++;
		return;
	}
	if (!p2p_from_peer(x, from)) {
		p2p_self.counters.endpoint++;
		return;
	}
	switch (p2p_open(&x->aead, buf, len, p.pktno)) {
	case P2P_D_OK:
		break;
	case P2P_D_REPLAY:
		p2p_self.counters.replayed++;
		return;
	default:
		p2p_self.counters.mac++;
		return;
	}
	p2p_self.counters.received++;
	x->heard_us = now;
	if (x->role == P2P_SEND)
		p2p_send_input(a, x, &p);
	else
		p2p_recv_input(a, x, &p);
}

/* One buffer read: a datagram, or datagrams the kernel coalesced with
   segment size gso, each checked alone; how many datagrams it held. */
size_t
p2p_input_buf(struct app *a, unsigned char *buf, size_t len,
    size_t gso, const struct sockaddr_storage *from, int64_t now)
{
	size_t seg, n = p2p_gro_pieces(len, gso, &seg), i, off;

	if (n > 1 && !p2p_gro_fits(seg)) {
		/* Pieces that cannot be ours. */
		p2p_self.counters.malformed += n;
		return n;
	}
	for (i = 0, off = 0; i < n; i++, off += seg)
		p2p_input(a, buf + off, len - off < seg ? len - off : seg, from,
		    now);
	return n;
}

/* Read and dispatch what the socket holds (a bounded number). */
static void
p2p_read(struct app *a)
{
	struct p2p_io_rx rx[P2P_IO_RX_MAX];
	int64_t now;
	size_t done = 0;
	int i, n;

	while (done < P2P_RECV_BATCH) {
		if ((n = p2p_io_recv(rx, P2P_IO_RX_MAX)) <= 0)
			return;
		now = mono_now_us();
		for (i = 0; i < n; i++)
			done += p2p_input_buf(a, rx[i].buf, rx[i].len,
			    rx[i].gso, rx[i].from, now);
		/* The payloads live in rx: write them out before reuse. */
		for (i = 0; i < P2P_XFER_MAX; i++)
			if (p2p_self.xfers[i].role == P2P_RECV &&
			    p2p_self.xfers[i].state == P2P_S_RECV)
				p2p_recv_flush(a, &p2p_self.xfers[i]);
		if (n < p2p_io_rx_slots())
			return;		/* drained */
	}
}

/* Transfers receiving now (they share the socket's buffer). */
int
p2p_receivers(void)
{
	int i, n = 0;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (p2p_self.xfers[i].role == P2P_RECV &&
		    p2p_self.xfers[i].state == P2P_S_RECV)
			n++;
	return n;
}

/* The UDP socket, with POLLOUT while sending waits for room. */
int
p2p_poll_fill(struct pollfd *pfd, int max)
{
	if (p2p_self.fd == -1 || max < 1)
		return 0;
	pfd[0].fd = p2p_self.fd;
	pfd[0].events = POLLIN | (p2p_io_blocked() ? POLLOUT : 0);
	pfd[0].revents = 0;
	return 1;
}

/* Milliseconds to the next timer of any transfer; -1 for none. */
int
p2p_poll_timeout(void)
{
	int64_t now = mono_now_us(), next = -1, d;
	int i;

	if (p2p_hook.nheld > 0)
		next = now + 2000;
	for (i = 0; i < P2P_XFER_MAX; i++) {
		if (p2p_self.xfers[i].state == P2P_S_FREE ||
		    p2p_self.xfers[i].state == P2P_S_REQUEST)
			continue;
		d = p2p_self.xfers[i].role == P2P_SEND ?
		    p2p_send_deadline(&p2p_self.xfers[i]) :
		    p2p_recv_deadline(&p2p_self.xfers[i]);
		/* No room in the socket: POLLOUT wakes us, not a timer. */
		if (p2p_io_blocked() && d >= 0 && d <= now)
			d = now + 10000;
		if (d >= 0 && (next < 0 || d < next))
			next = d;
	}
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999) / 1000);
}

/* Read, then let every transfer send and run its timers. */
void
p2p_poll_done(struct app *a, const struct pollfd *pfd, int n)
{
	bool readable = false, blocked = false;
	int i;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd != p2p_self.fd || p2p_self.fd == -1)
			continue;
		if (pfd[i].revents & POLLOUT)
			p2p_io_unblock();
		if (pfd[i].revents & (POLLIN | POLLERR))
			readable = true;
	}
	p2p_io_begin();
	if (readable)
		p2p_read(a);
	for (i = 0; i < P2P_XFER_MAX; i++) {
		if (p2p_self.xfers[i].state == P2P_S_FREE ||
		    p2p_self.xfers[i].state == P2P_S_REQUEST)
			continue;
		if (p2p_self.xfers[i].role == P2P_SEND) {
			if (!p2p_io_blocked())
				p2p_send_run(a, &p2p_self.xfers[i], &blocked);
		} else
			p2p_recv_run(a, &p2p_self.xfers[i]);
	}
	if (p2p_hook.nheld > 0)
		p2p_hook_release(true);
	p2p_io_end();
}

/* True while anything runs. */
bool
p2p_busy(void)
{
	int i;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (p2p_self.xfers[i].state != P2P_S_FREE &&
		    p2p_self.xfers[i].state != P2P_S_LINGER)
			return true;
	return false;
}

/* True while we send. */
bool
p2p_sending(void)
{
	int i;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (p2p_self.xfers[i].state != P2P_S_FREE &&
		    p2p_self.xfers[i].role == P2P_SEND)
			return true;
	return false;
}

/* The counters. */
const struct p2p_stats *
p2p_stats(void)
{
	p2p_self.counters.sent = p2p_io_sent();
	return &p2p_self.counters;
}

/* Stop everything: tell peers, remove partial files. */
void
p2p_shutdown(struct app *a)
{
	int i;

	for (i = 0; i < P2P_XFER_MAX; i++) {
		struct p2p_xfer *x = &p2p_self.xfers[i];

		if (x->state == P2P_S_FREE)
			continue;
		if (x->state == P2P_S_LINGER || x->state == P2P_S_REQUEST)
			p2p_release(a, x, false);
		else if (x->role == P2P_SEND)
			p2p_send_fail(a, x, "this client quit", true);
		else
			p2p_recv_fail(a, x, "this client quit", true);
	}
	if (p2p_self.dir_fd != -1) {
		close(p2p_self.dir_fd);
		p2p_self.dir_fd = -1;
	}
}

/* A free slot, or NULL after saying so. */
static struct p2p_xfer *
p2p_slot(struct app *a)
{
	int i;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (p2p_self.xfers[i].state == P2P_S_FREE) {
			p2p_self.xfers[i].fd = -1;
			p2p_self.xfers[i].model_id = -1;
			return &p2p_self.xfers[i];
		}
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: %d transfers "
	    "are running already; wait for one to end", P2P_XFER_MAX);
	return NULL;
}

/* The server's answer to SENDFILE: "XID IP UDPPORT SECRET", or an error. */
static void
p2p_reply_sendfile(struct app *a, void *arg, const struct proto_msg *msg)
{
	struct p2p_xfer *x = arg;
	char copy[PROTO_LINE_MAX];
	unsigned char secret[P2P_SECRET_LEN];
	struct proto_ev_fileok ok;

	if (msg->kind == PROTO_MSG_DATA || x->state != P2P_S_REQUEST)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: cannot "
		    "send %s to %s: %s", x->name, x->peer, msg->text[0] ?
		    msg->text : msg->code);
		p2p_release(a, x, false);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", msg->text);
	if (proto_ev_fileok_decode(copy, &ok) != PROTO_OK ||
	    p2p_parse_secret(ok.secret, secret) == -1 ||
	    p2p_set_peer(x, ok.ip, (unsigned)ok.port) == -1 ||
	    p2p_aead_init(&x->aead, secret, (uint32_t)ok.xid, true) == -1) {
		explicit_bzero(secret, sizeof(secret));
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: cannot "
		    "send %s: unexpected reply from the server", x->name);
		p2p_release(a, x, false);
		return;
	}
	explicit_bzero(secret, sizeof(secret));
	x->xid = (uint32_t)ok.xid;
	p2p_send_start(a, x);
}

/* /sendfile USER FILE (UPD, UVF, /p2pvideo): check the file, ask the server. */
void
p2p_do_sendfile(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	struct p2p_xfer *x;
	const char *path = argv[1], *base;
	char args[PROTO_LINE_MAX];
	struct stat st;
	int fd;

	if (!proto_valid_user(argv[0])) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: no such user: %.40s",
		    argv[0]);
		return;
	}
	if (strcmp(argv[0], model_self(m)) == 0) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: you cannot send a "
		    "file to yourself");
		return;
	}
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) > PROTO_FILENAME_MAX) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %.200s is not a file "
		    "name", path);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: cannot read %.200s: "
		    "%s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %.200s is not a "
		    "regular file", path);
		close(fd);
		return;
	}
	if ((x = p2p_slot(a)) == NULL) {
		close(fd);
		return;
	}
	x->state = P2P_S_REQUEST;
	x->role = P2P_SEND;
	x->fd = fd;
	x->size = (uint64_t)st.st_size;
	snprintf(x->peer, sizeof(x->peer), "%s", argv[0]);
	snprintf(x->name, sizeof(x->name), "%s", base);
	snprintf(args, sizeof(args), "%s %llu %s", x->peer,
	    (unsigned long long)x->size, x->name);
	if (app_send_hook(a, p2p_reply_sendfile, x, PROTO_V_SENDFILE,
	    args) == -1)
		p2p_release(a, x, false);
}

/* "* FILEOFFER FROM XID SIZE IP PORT SECRET NAME" */
bool
p2p_event(struct app *a, const struct proto_ev *ev)
{
	const struct proto_ev_fileoffer *fo = &ev->u.fileoffer;

	if (ev->type != PROTO_EVT_FILEOFFER)
		return false;
	p2p_recv_offer(a, fo->from, (uint32_t)fo->xid, (uint64_t)fo->size,
	    fo->ip, (unsigned)fo->port, fo->secret, fo->name,
	    p2p_self.accept == CONF_ACCEPT_ASK ||
	    (p2p_self.accept == CONF_ACCEPT_DEFAULT && p2p_self.screen));
	return true;
}

/* /transfers: what runs, and what was dropped. */
void
p2p_do_transfers(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	const struct p2p_stats *s = p2p_stats();
	const struct p2p_io_stats *io = p2p_io_stats();
	int i, n = 0;

	for (i = 0; i < P2P_XFER_MAX; i++) {
		const struct p2p_xfer *x = &p2p_self.xfers[i];

		if (x->state == P2P_S_FREE || x->state == P2P_S_LINGER)
			continue;
		n++;
		model_add_line(m, MODEL_LINE_INFO, "%s %s %s %s (%llu bytes)",
		    x->role == P2P_SEND ? "sending" : "receiving", x->name,
		    x->role == P2P_SEND ? "to" : "from", x->peer,
		    (unsigned long long)x->size);
	}
	model_add_line(m, MODEL_LINE_INFO, "%d transfer%s; datagrams sent %llu, "
	    "accepted %llu, resent %llu; dropped: %llu malformed, %llu "
	    "unknown transfer, %llu wrong sender, %llu bad MAC, %llu "
	    "replayed", n,
	    n == 1 ? "" : "s", (unsigned long long)s->sent,
	    (unsigned long long)s->received,
	    (unsigned long long)s->retransmitted,
	    (unsigned long long)s->malformed, (unsigned long long)s->unknown,
	    (unsigned long long)s->endpoint, (unsigned long long)s->mac,
	    (unsigned long long)s->replayed);
	model_add_line(m, MODEL_LINE_INFO, "UDP offload: GSO %s%s%s, GRO %s; "
	    "%llu datagrams sent in %llu GSO messages, %llu received in %llu "
	    "coalesced buffers", p2p_io_gso() ? "on" : "off",
	    p2p_io_gso() ? "" : ": ", p2p_io_gso_why(),
	    p2p_io_gro() ? "on" : "off",
	    (unsigned long long)io->gso_dgrams,
	    (unsigned long long)io->gso_msgs,
	    (unsigned long long)io->gro_dgrams,
	    (unsigned long long)io->gro_bufs);
}

const struct feature p2p_feature = {
	.name = "p2p",
	.event = p2p_event,
	.poll_fill = p2p_poll_fill,
	.poll_timeout = p2p_poll_timeout,
	.poll_done = p2p_poll_done,
	.shutdown = p2p_shutdown,
};
