/*
 * check_p2p_io.c - the peer-to-peer socket's batching (part of the p2p
 * suite): how a buffer the kernel coalesced (UDP_GRO) is cut into
 * datagrams, with a short last piece, segment sizes that cannot be ours
 * and a forged piece among good ones, each piece checked and counted on
 * its own; and real datagrams through a loopback socket with GSO as the
 * kernel allows, with GSO refused at the first send (the fallback must
 * send every datagram once), and with GSO and GRO turned off.  Whatever
 * the kernel (or qemu-user) does, every datagram must arrive once, intact
 * and in order.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2p_int.h"
#include "p2p_io.h"
#include "p2p_wire.h"
#include "../suites.h"

/* Splitting: one piece unless coalesced; a short last piece; bounds. */
START_TEST(test_gro_pieces)
{
	size_t seg;

	ck_assert_uint_eq(p2p_gro_pieces(0, 0, &seg), 1);
	ck_assert_uint_eq(seg, 0);
	ck_assert_uint_eq(p2p_gro_pieces(700, 0, &seg), 1);
	ck_assert_uint_eq(seg, 700);
	/* A segment size not below the length: one datagram. */
	ck_assert_uint_eq(p2p_gro_pieces(700, 700, &seg), 1);
	ck_assert_uint_eq(p2p_gro_pieces(700, 65535, &seg), 1);
	ck_assert_uint_eq(seg, 700);
	ck_assert_uint_eq(p2p_gro_pieces(5 * 1236, 1236, &seg), 5);
	ck_assert_uint_eq(seg, 1236);
	ck_assert_uint_eq(p2p_gro_pieces(4 * 1236 + 37, 1236, &seg), 5);
	ck_assert_uint_eq(p2p_gro_pieces(65000, 1, &seg), 65000);
	ck_assert_uint_eq(seg, 1);
	ck_assert(!p2p_gro_fits(1));
	ck_assert(!p2p_gro_fits(P2P_HDR_LEN + P2P_MAC_LEN - 1));
	ck_assert(p2p_gro_fits(P2P_HDR_LEN + P2P_MAC_LEN));
	ck_assert(p2p_gro_fits(P2P_DGRAM_MAX));
	ck_assert(!p2p_gro_fits(P2P_DGRAM_MAX + 1));
}
END_TEST

/* A sending transfer waiting for its receiver, at 127.0.0.1:port. */
static struct p2p_xfer *
waiting_sender(const unsigned char *secret, struct sockaddr_storage *from,
    unsigned port)
{
	struct p2p_xfer *x = &p2p_ctx()->xfers[0];
	struct sockaddr_in *sin = (struct sockaddr_in *)from;

	memset(x, 0, sizeof(*x));
	x->state = P2P_S_HELLO;
	x->role = P2P_SEND;
	x->xid = 77;
	x->fd = -1;
	x->model_id = -1;
	ck_assert_int_eq(p2p_aead_init(&x->aead, secret, 77, true), 0);
	memset(from, 0, sizeof(*from));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	x->sa = *from;
	x->salen = sizeof(*sin);
	return x;
}

/* "Wait": an ACK with flag WAIT and a bitmap of blen bytes. */
static size_t
wait_ack(struct p2p_aead *k, uint32_t xid, uint32_t pktno, size_t blen,
    unsigned char *out)
{
	unsigned char bits[16];
	struct p2p_pkt p;

	memset(&p, 0, sizeof(p));
	memset(bits, 0, sizeof(bits));
	p.type = P2P_T_ACK;
	p.flags = P2P_F_WAIT;
	p.xid = xid;
	p.pktno = pktno;
	p.payload = bits;
	p.len = (uint16_t)blen;
	return p2p_encode(&p, k, out);
}

/*
 * A coalesced buffer: four ACKs of 52 bytes and a short last one of 44.
 * The second is forged (its tag broken), the third names another
 * transfer: three are taken, and each of the other two is counted once
 * under its own reason, as if they had come alone.  The same buffer
 * again: every piece is a replay now, and none is taken.
 */
START_TEST(test_gro_input)
{
	unsigned char secret[P2P_SECRET_LEN], buf[5 * 52], copy[5 * 52];
	struct sockaddr_storage from, other;
	struct p2p_aead peer;
	size_t off = 0, n;
	int i;

	memset(secret, 0x42, sizeof(secret));
	waiting_sender(secret, &from, 4000);
	ck_assert_int_eq(p2p_aead_init(&peer, secret, 77, false), 0);
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	for (i = 0; i < 4; i++) {
		n = wait_ack(&peer, i == 2 ? 78 : 77, (uint32_t)i + 1, 8,
		    buf + off);
		ck_assert_uint_eq(n, 52);
		off += n;
	}
	buf[52 + 48] ^= 1;		/* the second one's tag */
	off += wait_ack(&peer, 77, 5, 0, buf + off);
	ck_assert_uint_eq(off, 4 * 52 + 44);
	memcpy(copy, buf, off);
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, 52, &from, 1), 5);
	ck_assert_uint_eq(p2p_ctx()->counters.received, 3);
	ck_assert_uint_eq(p2p_ctx()->counters.mac, 1);
	ck_assert_uint_eq(p2p_ctx()->counters.unknown, 1);
	ck_assert_uint_eq(p2p_ctx()->counters.malformed, 0);
	ck_assert_int_eq(p2p_ctx()->xfers[0].state, P2P_S_HELLO);
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, copy, off, 52, &from, 1), 5);
	ck_assert_uint_eq(p2p_ctx()->counters.received, 0);
	ck_assert_uint_eq(p2p_ctx()->counters.replayed, 3);
	ck_assert_uint_eq(p2p_ctx()->counters.mac, 1);
	p2p_aead_free(&peer);
	memcpy(buf, copy, off);

	/* From another port: every piece is from the wrong sender. */
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	other = from;
	((struct sockaddr_in *)&other)->sin_port = htons(4001);
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, 52, &other, 1), 5);
	ck_assert_uint_eq(p2p_ctx()->counters.endpoint, 4);
	ck_assert_uint_eq(p2p_ctx()->counters.unknown, 1);
	ck_assert_uint_eq(p2p_ctx()->counters.received, 0);

	/* The wrong segment size: pieces that are nobody's datagrams. */
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, 40, &from, 1), 7);
	ck_assert_uint_eq(p2p_ctx()->counters.received, 0);
	ck_assert_uint_eq(p2p_ctx()->counters.malformed, 7);
	/* Sizes that cannot be ours are counted without being looked at. */
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, 3, &from, 1),
	    (off + 2) / 3);
	ck_assert_uint_eq(p2p_ctx()->counters.malformed, (off + 2) / 3);
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, P2P_DGRAM_MAX + 1,
	    &from, 1), 1);		/* not below the length: one piece */
	ck_assert_uint_eq(p2p_ctx()->counters.malformed, 1);
	/* No segment size: the whole buffer is one (malformed) datagram. */
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, buf, off, 0, &from, 1), 1);
	ck_assert_uint_eq(p2p_ctx()->counters.malformed, 1);
	ck_assert_uint_eq(p2p_ctx()->counters.received, 0);
	/* The last one alone is one datagram (taken before: a replay). */
	memset(&p2p_ctx()->counters, 0, sizeof(p2p_ctx()->counters));
	ck_assert_uint_eq(p2p_input_buf(NULL, buf + 4 * 52, 44, 52, &from, 1),
	    1);
	ck_assert_uint_eq(p2p_ctx()->counters.replayed, 1);
	p2p_aead_free(&p2p_ctx()->xfers[0].aead);
	memset(&p2p_ctx()->xfers[0], 0, sizeof(p2p_ctx()->xfers[0]));
}
END_TEST

#define IO_DGRAMS	150	/* > 2 GSO runs, < P2P_IO_OUT_MAX */

/* Length of test datagram i: runs of full ones, a short one ending a
   run, small ones, single odd ones. */
static size_t
io_len(int i)
{
	if (i == 60)
		return 500;
	if (i >= 100 && i < 120)
		return 44;
	if (i % 37 == 36)
		return 1000 + (size_t)i;
	return P2P_DGRAM_MAX;
}

/* A UDP socket on 127.0.0.1, non-blocking, handed to p2p_io; its
   address in self. */
static int
io_socket(struct sockaddr_storage *self, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)self;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ne(fd, -1);
	memset(self, 0, sizeof(*self));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*sin);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)self, *len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)self, len), 0);
	p2p_io_reset();
	p2p_io_setup(fd);
	return fd;
}

/*
 * Send IO_DGRAMS numbered datagrams to ourselves in one pass (half built
 * in place, half copied in), then read them back through p2p_io_recv and
 * p2p_gro_pieces: all there, once, in order, byte for byte.
 */
static void
io_roundtrip(void)
{
	static unsigned char want[P2P_DGRAM_MAX];
	struct sockaddr_storage self;
	struct p2p_io_rx rx[P2P_IO_RX_MAX];
	struct pollfd pfd;
	socklen_t slen;
	unsigned char *slot;
	size_t seg, k, npieces, off, plen;
	int fd = io_socket(&self, &slen), i, n, got = 0, idle = 0;

	p2p_io_begin();
	for (i = 0; i < IO_DGRAMS; i++) {
		memset(want, i, sizeof(want));
		if (i % 2 == 0) {
			ck_assert((slot = p2p_io_slot()) != NULL);
			memcpy(slot, want, io_len(i));
			ck_assert_int_eq(p2p_io_put(io_len(i), &self, slen), 0);
		} else
			ck_assert_int_eq(p2p_io_send(want, io_len(i), &self,
			    slen), 0);
	}
	p2p_io_end();
	ck_assert_uint_eq(p2p_io_sent(), IO_DGRAMS);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < IO_DGRAMS && idle < 20) {
		if ((n = p2p_io_recv(rx, P2P_IO_RX_MAX)) == 0) {
			idle++;
			poll(&pfd, 1, 100);
			continue;
		}
		ck_assert_int_gt(n, 0);
		for (i = 0; i < n; i++) {
			npieces = p2p_gro_pieces(rx[i].len, rx[i].gso, &seg);
			for (k = 0, off = 0; k < npieces; k++, off += seg) {
				plen = rx[i].len - off < seg ? rx[i].len - off :
				    seg;
				ck_assert_int_lt(got, IO_DGRAMS);
				ck_assert_uint_eq(plen, io_len(got));
				memset(want, got, plen);
				ck_assert_msg(memcmp(rx[i].buf + off, want, plen)
				    == 0, "datagram %d differs", got);
				got++;
			}
		}
	}
	ck_assert_int_eq(got, IO_DGRAMS);
	ck_assert_int_eq(p2p_io_recv(rx, P2P_IO_RX_MAX), 0);	/* no more */
	close(fd);
}

/* As the kernel allows: when it says GSO is on, runs went as GSO. */
START_TEST(test_io_loopback)
{
	unsetenv("FS_TEST_GSO");
	unsetenv("FS_TEST_GRO");
	io_roundtrip();
	if (p2p_io_gso()) {
		ck_assert_str_eq(p2p_io_gso_why(), "");
		ck_assert_uint_gt(p2p_io_stats()->gso_msgs, 1);
		ck_assert_uint_lt(p2p_io_stats()->gso_msgs, IO_DGRAMS / 4);
	}
}
END_TEST

/* GSO refused at the first GSO send: off from then on, said why, and
   every datagram still went, once. */
START_TEST(test_io_gso_refused)
{
	setenv("FS_TEST_GSO", "refuse", 1);
	io_roundtrip();
	unsetenv("FS_TEST_GSO");
	ck_assert(!p2p_io_gso());
	ck_assert_uint_eq(p2p_io_stats()->gso_msgs, 0);
	/* On a kernel without UDP_SEGMENT the option said so first. */
	ck_assert_msg(strstr(p2p_io_gso_why(), "a GSO send failed") != NULL ||
	    strstr(p2p_io_gso_why(), "UDP_SEGMENT") != NULL, "%s",
	    p2p_io_gso_why());
}
END_TEST

/* GSO out, GRO off: the kernel cuts the runs before they are queued. */
START_TEST(test_io_gro_off)
{
	setenv("FS_TEST_GRO", "off", 1);
	io_roundtrip();
	unsetenv("FS_TEST_GRO");
	ck_assert(!p2p_io_gro());
	ck_assert_uint_eq(p2p_io_stats()->gro_bufs, 0);
}
END_TEST

/* Both offloads off: one datagram per message, as before them. */
START_TEST(test_io_offloads_off)
{
	setenv("FS_TEST_GSO", "off", 1);
	setenv("FS_TEST_GRO", "off", 1);
	io_roundtrip();
	unsetenv("FS_TEST_GSO");
	unsetenv("FS_TEST_GRO");
	ck_assert(!p2p_io_gso() && !p2p_io_gro());
	ck_assert_str_eq(p2p_io_gso_why(), "FS_TEST_GSO=off");
	ck_assert_uint_eq(p2p_io_stats()->gso_msgs, 0);
	ck_assert_uint_eq(p2p_io_stats()->gro_bufs, 0);
}
END_TEST

/* The p2p suite's test case for the socket's batching. */
TCase *
tcase_p2p_io(void)
{
	TCase *tc = tcase_create("p2p_io");

	tcase_add_test(tc, test_gro_pieces);
	tcase_add_test(tc, test_gro_input);
	tcase_add_test(tc, test_io_loopback);
	tcase_add_test(tc, test_io_gso_refused);
	tcase_add_test(tc, test_io_gro_off);
	tcase_add_test(tc, test_io_offloads_off);
	return tc;
}
