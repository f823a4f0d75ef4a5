/*
 * udpblast.c - the ceiling for bench/p2pbench.sh: one process blasts
 * datagrams of the same size as a file transfer's at another over
 * loopback, as fast as sendto() goes, with no acknowledgements, no
 * retransmissions and no disk; the receiver counts what arrives.
 *
 *   udpblast BYTES DGRAM   prints "blast: R MB/s received (L % lost)"
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
receiver(int fd, long long total, size_t dgram)
{
	char buf[65536];
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
	printf("blast: %.1f MB/s received (%.1f %% lost, %zu-byte datagrams)\n",
	    last > first ? (double)got / 1e6 / (last - first) : 0.0,
	    100.0 * (double)(total - got) / (double)total, dgram);
}

/* Fork a receiver, blast at it, wait. */
int
main(int argc, char *argv[])
{
	long long total, sent = 0;
	size_t dgram;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char buf[65536];
	int rfd, sfd, size = 8 * 1024 * 1024;
	pid_t pid;

	if (argc != 3 || (total = atoll(argv[1])) <= 0 ||
	    (dgram = (size_t)atoi(argv[2])) == 0 || dgram > sizeof(buf)) {
		fprintf(stderr, "usage: udpblast BYTES DGRAM\n");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(rfd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(rfd, (struct sockaddr *)&a, &al) == -1) {
		perror("udpblast: bind");
		return 1;
	}
	if ((pid = fork()) == 0) {
		receiver(rfd, total, dgram);
		fflush(stdout);
		_exit(0);
	}
	close(rfd);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(buf, 0xa5, sizeof(buf));
	usleep(100000);
	while (sent < total) {
		if (sendto(sfd, buf, dgram, 0, (struct sockaddr *)&a,
		    sizeof(a)) > 0)
			sent += (long long)dgram;
	}
	waitpid(pid, NULL, 0);
	return 0;
}
