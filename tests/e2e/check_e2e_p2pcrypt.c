/*
 * check_e2e_p2pcrypt.c - what crosses between two real clients is
 * encrypted: a packet capture on the loopback interface (AF_PACKET, so
 * the test needs CAP_NET_RAW and says so when it has not) records every
 * UDP datagram to and from the two clients' ports while a file goes
 * from alice to bob, and the file's bytes appear in none of them; the
 * same for a private chat's TCP connection (neither the text nor the
 * chat's secret crosses it).  And a stranger who connects to the chat
 * port first, silent or talking, neither breaks the chat nor learns a
 * byte of it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "privwire.h"
#include "steps.h"
#include "../suites.h"

#define CREDS	"alice alice123\nbob bob123\n"
#define INI	"[accounts]\nregistration = no\n"
#define MARKER	"clear-text-of-the-file:"	/* in every segment */
#define FILE_SIZE (300 * 1000)
#define CAP_BUF	(64 * 1024 * 1024)

/* A capture socket on lo with a large buffer, or -1 (not allowed here). */
static int
cap_open(void)
{
	struct sockaddr_ll sll;
	int fd, size = CAP_BUF;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK,
	    htons(ETH_P_IP))) == -1)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

/*
 * Read what the capture holds; of the UDP packets to or from port pa or
 * pb, add their payload bytes to *bytes and the times needle occurs in
 * them to *hits.  (On lo each packet is seen going out and coming in.)
 */
/* Payload bytes kept from a capture. */
struct capbuf {
	unsigned char	 data[1 << 20];
	size_t		 len;
};

/* Keep n bytes of p in k (as many as fit). */
static void
cap_keep(struct capbuf *k, const unsigned char *p, size_t n)
{
	if (k == NULL)
		return;
	if (n > sizeof(k->data) - k->len)
		n = sizeof(k->data) - k->len;
	memcpy(k->data + k->len, p, n);
	k->len += n;
}

/* As cap_drain below, for UDP or TCP; a packet to or from not_port is
   kept in side (the server link) and not searched; the others in keep. */
static void
cap_drain_proto(int fd, int proto, int pa, int pb, int not_port,
    const char *needle, size_t *bytes, size_t *hits, struct capbuf *keep,
    struct capbuf *side)
{
	static unsigned char pkt[70000];
	const struct iphdr *ip = (const struct iphdr *)pkt;
	const struct udphdr *udp;
	size_t hl, nl = strlen(needle);
	const unsigned char *p, *end;
	ssize_t n;
	int sp, dp;

	while ((n = recv(fd, pkt, sizeof(pkt), 0)) > 0) {
		if ((size_t)n < sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != proto)
			continue;
		hl = (size_t)ip->ihl * 4;
		if ((size_t)n < hl + sizeof(*udp))
			continue;
		/* UDP and TCP both start with the two ports. */
		udp = (const struct udphdr *)(pkt + hl);
		sp = ntohs(udp->source);
		dp = ntohs(udp->dest);
		if (pa != 0 && sp != pa && sp != pb && dp != pa && dp != pb)
			continue;
		p = pkt + hl + (proto == IPPROTO_TCP ? (size_t)(pkt[hl + 12] >>
		    4) * 4 : sizeof(*udp));
		if (p > pkt + n)
			continue;
		end = pkt + n;
		if (sp == not_port || dp == not_port) {
			cap_keep(side, p, (size_t)(end - p));
			continue;
		}
		cap_keep(keep, p, (size_t)(end - p));
		*bytes += (size_t)(end - p);
		while ((p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
			(*hits)++;
			p += nl;
		}
	}
}

/* UDP between ports pa and pb. */
static void
cap_drain(int fd, int pa, int pb, const char *needle, size_t *bytes,
    size_t *hits)
{
	cap_drain_proto(fd, IPPROTO_UDP, pa, pb, -1, needle, bytes, hits, NULL,
	    NULL);
}

/* A file of size bytes in the clients' directory: the marker and a
   counter, over and over, so that every 1200-byte piece holds it. */
static void
marked_file(struct srv *s, const char *name, size_t size)
{
	char path[600];
	FILE *f;
	size_t i = 0, n = 0;

	snprintf(path, sizeof(path), "%s/client", s->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/client/%s", s->dir, name);
	ck_assert_msg((f = fopen(path, "wb")) != NULL, "%s", path);
	while (n < size)
		n += (size_t)fprintf(f, MARKER "%08zu\n", i++);
	fclose(f);
}

/* The whole file sent, the capture saw it go, and none of it in clear. */
START_TEST(test_p2p_capture_sees_no_clear_text)
{
	struct srv *s;
	struct cli *a, *b;
	int cap, pa, pb;
	size_t bytes = 0, hits = 0, junk = 0;

	if ((cap = cap_open()) == -1) {
		printf("e2e_p2pcrypt: capture skipped: no packet socket here "
		    "(%s; needs CAP_NET_RAW)\n", strerror(errno));
		return;
	}
	s = SRV_START(INI, CREDS);
	pa = e2e_free_udp_port();
	a = step_login(s, "alice", "alice123", pa);
	pb = e2e_free_udp_port();
	b = step_login(s, "bob", "bob123", pb);
	marked_file(s, "plain.txt", FILE_SIZE);
	cap_drain(cap, pa, pb, MARKER, &junk, &junk);
	SEND(a, "/sendfile bob plain.txt");
	EXPECT_MS(b, "Received plain.txt from alice", e2e_scale(60000));
	EXPECT_MS(a, "sent to bob", e2e_scale(60000));
	cap_drain(cap, pa, pb, MARKER, &bytes, &hits);
	close(cap);
	printf("e2e_p2pcrypt: captured %zu UDP payload bytes between the "
	    "peers, %zu clear-text hits\n", bytes, hits);
	ck_assert_msg(bytes >= FILE_SIZE, "the capture saw only %zu bytes",
	    bytes);
	ck_assert_msg(hits == 0, "the file's text crossed in clear %zu times",
	    hits);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

#define CHAT_TEXT	"whispered-private-words-7c1e"

/*
 * A private chat between real clients, captured: its text crosses (the
 * peer shows it) but appears in no TCP packet on lo, and the chat's
 * secret (read from the capture of the server links, where it belongs)
 * appears in no TCP packet but those of the server links.
 */
static struct capbuf	 cap_direct, cap_server;

START_TEST(test_private_capture_sees_no_clear_text)
{
	struct srv *s;
	struct cli *a, *b;
	const unsigned char *q;
	char secret[PROTO_SECRET_HEX + 1];
	size_t bytes = 0, hits = 0, junk = 0;
	int cap, i;

	if ((cap = cap_open()) == -1) {
		printf("e2e_p2pcrypt: chat capture skipped: no packet socket "
		    "here (%s; needs CAP_NET_RAW)\n", strerror(errno));
		return;
	}
	s = SRV_START(INI, CREDS);
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);
	cap_drain_proto(cap, IPPROTO_TCP, 0, 0, -1, CHAT_TEXT, &junk, &junk,
	    NULL, NULL);
	cap_direct.len = cap_server.len = 0;
	SEND(a, "startprivate bob");
	EXPECT(b, "alice wants to chat privately. Accept? (y/n)");
	SEND(b, "y");
	EXPECT(a, "Private chat with bob started");
	EXPECT(b, "Private chat with alice started");
	for (i = 0; i < 20; i++) {
		SEND(a, "private bob " CHAT_TEXT);
		EXPECT_LINE(b, "alice (private): " CHAT_TEXT);
	}
	SEND(b, "private alice " CHAT_TEXT " back");
	EXPECT_LINE(a, "bob (private): " CHAT_TEXT " back");
	cap_drain_proto(cap, IPPROTO_TCP, 0, 0, s->port, CHAT_TEXT, &bytes,
	    &hits, &cap_direct, &cap_server);
	close(cap);
	/* "* PRIVASK alice SECRET" on bob's server link. */
	q = memmem(cap_server.data, cap_server.len, "* PRIVASK alice ", 16);
	ck_assert_msg(q != NULL && q + 16 + PROTO_SECRET_HEX <=
	    cap_server.data + cap_server.len, "no PRIVASK on the server link");
	memcpy(secret, q + 16, PROTO_SECRET_HEX);
	secret[PROTO_SECRET_HEX] = '\0';
	ck_assert_ptr_null(memmem(cap_direct.data, cap_direct.len, secret,
	    PROTO_SECRET_HEX));
	printf("e2e_p2pcrypt: captured %zu TCP payload bytes off the server "
	    "link during the chat, %zu clear-text hits\n", bytes, hits);
	ck_assert_msg(bytes >= 21 * sizeof(CHAT_TEXT), "the capture saw only "
	    "%zu bytes", bytes);
	ck_assert_msg(hits == 0, "the chat's text crossed in clear %zu times",
	    hits);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* The next line of r starting with prefix, or NULL. */
static const char *
raw_find(struct raw *r, const char *prefix)
{
	const char *l;

	while ((l = raw_next(r, E2E_WAIT_MS)) != NULL)
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return l;
	return NULL;
}

/* A TCP connection to 127.0.0.1:port, blocking, or -1. */
static int
tcp_to(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bytes fd has for us within ms (0: none or closed). */
static size_t
tcp_got(int fd, int ms, unsigned char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	n = recv(fd, buf, len, MSG_DONTWAIT);
	return n > 0 ? (size_t)n : 0;
}

/*
 * The test plays alice by hand: it asks bob (a real client) for a chat,
 * and before it connects, strangers connect to bob's chat port: one
 * silent, one sending garbage, one sending the old protocol's first line
 * with a wrong secret.  Then alice connects with the sealed frames: the
 * chat opens and works both ways, and no stranger got a byte.
 */
START_TEST(test_private_stranger_first)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct raw *r = raw_connect(s);
	struct privwire w;
	unsigned char frame[PRIVWIRE_FRAME_MAX], in[PRIVWIRE_FRAME_MAX];
	char copy[600], lie[64], *wd[5], text[PRIVWIRE_TEXT_MAX + 1];
	const char *l;
	int silent, noisy, liar, fd, port, i;
	size_t fl, got = 0, n;

	RAW_EXPECT(r, "* HELLO");
	RAW_SEND(r, "1 HELLO 1");
	RAW_EXPECT(r, "1 ");
	RAW_SEND(r, "2 LOGIN alice 0");
	RAW_EXPECT(r, "2 ");
	RAW_SEND(r, "3 PASS alice123");
	RAW_EXPECT(r, "3 OK");
	RAW_SEND(r, "4 PRIVREQ bob");
	EXPECT(b, "alice wants to chat privately. Accept? (y/n)");
	SEND(b, "y");
	ck_assert_msg((l = raw_find(r, "* PRIVREPLY bob yes ")) != NULL, "%s",
	    raw_why(r));
	snprintf(copy, sizeof(copy), "%s", l + strlen("* PRIVREPLY "));
	ck_assert_int_eq(proto_split(copy, wd, 5, false), 5);
	port = atoi(wd[3]);

	ck_assert_int_ne(silent = tcp_to(port), -1);
	ck_assert_int_ne(noisy = tcp_to(port), -1);
	ck_assert_int_ne(liar = tcp_to(port), -1);
	memset(frame, 0x41, 300);
	ck_assert_int_eq(send(noisy, frame, 300, 0), 300);
	snprintf(lie, sizeof(lie), "%032d alice\n", 0);
	ck_assert_int_eq(send(liar, lie, strlen(lie), 0), (ssize_t)strlen(lie));

	ck_assert_msg(privwire_init(&w, wd[4], true) == 0, "secret '%s' of %s",
	    wd[4], l);
	ck_assert_int_ne(fd = tcp_to(port), -1);
	fl = privwire_seal(&w, "alice", 5, frame);
	ck_assert_int_eq(send(fd, frame, fl, 0), (ssize_t)fl);
	fl = privwire_seal(&w, "hello through strangers", 23, frame);
	ck_assert_int_eq(send(fd, frame, fl, 0), (ssize_t)fl);
	EXPECT(b, "Private chat with alice started");
	EXPECT_LINE(b, "alice (private): hello through strangers");
	SEND(b, "private alice the answer");
	for (i = 0; i < 100; i++) {
		got += tcp_got(fd, 100, in + got, sizeof(in) - got);
		if (privwire_open(&w, in, got, text, &n) > 0)
			break;
	}
	ck_assert_msg(i < 100, "no sealed answer (%zu bytes)", got);
	ck_assert_str_eq(text, "the answer");
	/* The answer's words are not on the wire in clear. */
	ck_assert_ptr_null(memmem(in, got, "answer", 6));
	ck_assert_uint_eq(tcp_got(silent, 200, in, sizeof(in)), 0);
	ck_assert_uint_eq(tcp_got(noisy, 200, in, sizeof(in)), 0);
	ck_assert_uint_eq(tcp_got(liar, 200, in, sizeof(in)), 0);
	close(silent);
	close(noisy);
	close(liar);
	close(fd);
	privwire_free(&w);
	raw_close(r);
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

Suite *
suite_e2e_p2pcrypt(void)
{
	Suite *s = suite_create("e2e_p2pcrypt");
	TCase *tc = tcase_create("capture");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_p2p_capture_sees_no_clear_text);
	tcase_add_test(tc, test_private_capture_sees_no_clear_text);
	tcase_add_test(tc, test_private_stranger_first);
	suite_add_tcase(s, tc);
	return s;
}
