/*
 * check_e2e_p2pcrypt.c - what crosses between two real clients is
 * encrypted: a packet capture on the loopback interface (AF_PACKET, so
 * the test needs CAP_NET_RAW and says so when it has not) records every
 * UDP datagram to and from the two clients' ports while a file goes
 * from alice to bob, and the file's bytes appear in none of them.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
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
static void
cap_drain(int fd, int pa, int pb, const char *needle, size_t *bytes,
    size_t *hits)
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
		    ip->protocol != IPPROTO_UDP)
			continue;
		hl = (size_t)ip->ihl * 4;
		if ((size_t)n < hl + sizeof(*udp))
			continue;
		udp = (const struct udphdr *)(pkt + hl);
		sp = ntohs(udp->source);
		dp = ntohs(udp->dest);
		if (sp != pa && sp != pb && dp != pa && dp != pb)
			continue;
		p = pkt + hl + sizeof(*udp);
		end = pkt + n;
		*bytes += (size_t)(end - p);
		while ((p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
			(*hits)++;
			p += nl;
		}
	}
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

Suite *
suite_e2e_p2pcrypt(void)
{
	Suite *s = suite_create("e2e_p2pcrypt");
	TCase *tc = tcase_create("capture");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_p2p_capture_sees_no_clear_text);
	suite_add_tcase(s, tc);
	return s;
}
