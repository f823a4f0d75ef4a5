/*
 * udpblast.c - the ceilings for bench/p2pbench.sh: one process blasts
 * datagrams of the same size as a file transfer's at another over
 * loopback, as fast as the kernel takes them, with no acknowledgements, no
 * retransmissions and no disk; the receiver counts what arrives.
 *
 *   udpblast BYTES DGRAM        one sendto() per datagram: the ceiling of
 *                               one system call per datagram
 *   udpblast BYTES DGRAM gso    runs of datagrams in one sendmsg() with
 *                               UDP_SEGMENT, read with UDP_GRO (what the
 *                               clients do when the kernel lets them)
 *
 * prints "blast: R MB/s received (L % lost, ...)".
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif

/* Monotonic seconds. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Receive until 300 ms of silence; print the goodput. */
static void
receiver(int fd, long long total, size_t dgram, const char *mode)
{
	static char buf[65536];
	struct pollfd p = { fd, POLLIN, 0 };
	long long got = 0;
	double first = 0, last = 0;
	ssize_t r;

	while (poll(&p, 1, first == 0 ? 5000 : 300) == 1) {
		if ((r = recv(fd, buf, sizeof(buf), 0)) <= 0)
			continue;
		if (first == 0)
			first = now_s();
		last = now_s();
		got += r;
	}
	printf("blast: %.1f MB/s received (%.1f %% lost, %zu-byte datagrams, "
	    "%s)\n", last > first ? (double)got / 1e6 / (last - first) : 0.0,
	    100.0 * (double)(total - got) / (double)total, dgram, mode);
}

/* Send runs of datagrams of dgram bytes with UDP_SEGMENT; 0 or -1. */
static int
blast_gso(int fd, const struct sockaddr_in *a, char *buf, size_t dgram,
    long long total)
{
	char ctl[CMSG_SPACE(sizeof(unsigned short))];
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *c;
	size_t per = (65535 - 20 - 8) / dgram;
	long long sent = 0;
	ssize_t r;

	if (per > 64)
		per = 64;
	while (sent < total) {
		iov.iov_base = buf;
		iov.iov_len = per * dgram;
		if ((long long)iov.iov_len > total - sent)
			iov.iov_len = (size_t)(total - sent);
		memset(&m, 0, sizeof(m));
		m.msg_name = (void *)a;
		m.msg_namelen = sizeof(*a);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(unsigned short));
		*(unsigned short *)(void *)CMSG_DATA(c) = (unsigned short)dgram;
		if ((r = sendmsg(fd, &m, 0)) > 0)
			sent += r;
		else if (r == -1 && sent == 0) {
			perror("udpblast: sendmsg with UDP_SEGMENT");
			return -1;
		}
	}
	return 0;
}

/* Fork a receiver, blast at it, wait. */
int
main(int argc, char *argv[])
{
	long long total, sent = 0;
	size_t dgram;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	static char buf[65536];
	int rfd, sfd, size = 8 * 1024 * 1024, one = 1, gso;
	pid_t pid;

	if (argc < 3 || argc > 4 || (total = atoll(argv[1])) <= 0 ||
	    (dgram = (size_t)atoi(argv[2])) == 0 || dgram > sizeof(buf) ||
	    (argc == 4 && strcmp(argv[3], "gso") != 0)) {
		fprintf(stderr, "usage: udpblast BYTES DGRAM [gso]\n");
		return 1;
	}
	gso = argc == 4;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (gso && setsockopt(rfd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == -1)
		perror("udpblast: UDP_GRO");
	if (bind(rfd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(rfd, (struct sockaddr *)&a, &al) == -1) {
		perror("udpblast: bind");
		return 1;
	}
	if ((pid = fork()) == 0) {
		receiver(rfd, total, dgram, gso ? "GSO/GRO" : "one sendto each");
		fflush(stdout);
		_exit(0);
	}
	close(rfd);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(buf, 0xa5, sizeof(buf));
	usleep(100000);
	if (gso) {
		if (blast_gso(sfd, &a, buf, dgram, total) == -1) {
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			return 1;
		}
	} else {
		while (sent < total) {
			if (sendto(sfd, buf, dgram, 0, (struct sockaddr *)&a,
			    sizeof(a)) > 0)
				sent += (long long)dgram;
		}
	}
	waitpid(pid, NULL, 0);
	return 0;
}
