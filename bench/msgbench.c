/*
 * msgbench.c - figures for the messaging milestone:
 *   1. posts per second one client sustains with the default fsync policy
 *      (every post on disk before its OK), 32 requests in flight;
 *   2. how long the server takes to start with 10,000 stored board posts
 *      and 10,000 stored direct messages;
 *   3. EDITPOST latency with 10,000 and 100,000 stored 2-KB posts, and the
 *      latency of another client's PING sent meanwhile (one of each in
 *      flight at a time).
 * It starts the real server (BUILD/firmware-server) in a temporary
 * directory on a free loopback port and prints one line per figure.
 *
 *   build/msgbench [BUILD_DIR] [POSTS]     (make bench-msg)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

/* Start the server in dir on port. */
static pid_t
start_server(const char *bin, const char *dir, int port)
{
	char p[16];
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	if ((pid = fork()) == 0) {
		freopen("/dev/null", "w", stderr);
		execl(bin, bin, "-d", dir, "-p", p, "-l", "warn", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Read lines from fd until one starts with prefix; returns 0 or -1. */
static int
read_until(int fd, char *buf, size_t *have, size_t cap, const char *prefix,
    int *oks)
{
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', *have)) != NULL) {
			size_t len = (size_t)(nl - buf) + 1;

			if (oks != NULL && strstr(buf, " OK Message #") != NULL &&
			    (size_t)(strstr(buf, " OK Message #") - buf) < len)
				(*oks)++;
			if (prefix != NULL && strncmp(buf, prefix,
			    strlen(prefix)) == 0) {
				memmove(buf, buf + len, *have - len);
				*have -= len;
				return 0;
			}
			memmove(buf, buf + len, *have - len);
			*have -= len;
			if (oks != NULL)
				return 0;
		}
		if ((n = read(fd, buf + *have, cap - *have)) <= 0)
			return -1;
		*have += (size_t)n;
	}
}

/* One client of the edit figure: its socket, what it read, its timings. */
struct bench_peer {
	int	 fd;
	char	 buf[8192];
	size_t	 have;
	double	 sent_at;
	double	 lat[4096];
	int	 n;
};

/* Log in as user (password user123) on a new connection; -1 on failure. */
static int
bench_login(struct bench_peer *p, int port, const char *user)
{
	memset(p, 0, sizeof(*p));
	if ((p->fd = bench_connect(port, bench_now_s() + 300, 1000)) == -1)
		return -1;
	dprintf(p->fd, "1 HELLO 1\n2 LOGIN %s\n3 PASS %s123\n", user, user);
	return read_until(p->fd, p->buf, &p->have, sizeof(p->buf), "3 OK",
	    NULL);
}

/* Read what is there; true when a whole "r..." reply line came. */
static int
bench_reply(struct bench_peer *p)
{
	char *nl;
	ssize_t n;
	int got = 0;

	if ((n = read(p->fd, p->buf + p->have, sizeof(p->buf) - p->have)) <= 0)
		return -1;
	p->have += (size_t)n;
	while ((nl = memchr(p->buf, '\n', p->have)) != NULL) {
		size_t len = (size_t)(nl - p->buf) + 1;

		if (p->buf[0] == 'r')
			got = 1;
		memmove(p->buf, p->buf + len, p->have - len);
		p->have -= len;
	}
	return got;
}

/* Sort helper for the percentiles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the median and the maximum of p's timings. */
static void
bench_print(const char *what, struct bench_peer *p)
{
	if (p->n == 0) {
		printf("  %s: none answered\n", what);
		return;
	}
	qsort(p->lat, (size_t)p->n, sizeof(double), cmp_double);
	printf("  %s: %d, median %.2f ms, max %.2f ms\n", what, p->n,
	    p->lat[p->n / 2] * 1000, p->lat[p->n - 1] * 1000);
}

/*
 * 3. EDITPOST latency with posts stored 2-KB posts: alice edits posts 1..
 * edits one after the other while bob pings; both one request in flight.
 */
static int
bench_edit(const char *bin, const char *top, int posts, int edits)
{
	static char text[2001];
	struct bench_peer a, b;
	struct pollfd pfd[2];
	char dir[512], path[600];
	int port, i, done = 0;
	double t0;
	FILE *fp;
	pid_t pid;

	memset(text, 'x', 2000);
	snprintf(dir, sizeof(dir), "%s/edit%d", top, posts);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/credentials.txt", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, "alice alice123\nbob bob123\n");
	fclose(fp);
	snprintf(path, sizeof(path), "%s/messagelog.txt", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	for (i = 1; i <= posts; i++)
		fprintf(fp, "%d; 23 Feb 2021 16:01:20; alice; %d %s; no\n", i, i,
		    text);
	fclose(fp);
	port = bench_free_port();
	t0 = bench_now_s();
	pid = start_server(bin, dir, port);
	if (bench_login(&a, port, "alice") == -1 ||
	    bench_login(&b, port, "bob") == -1)
		return -1;
	printf("edit: %d posts of 2 KB stored (server up and logged in after "
	    "%.1f s)\n", posts, bench_now_s() - t0);
	text[200] = '\0';
	a.sent_at = b.sent_at = bench_now_s();
	dprintf(a.fd, "r%d EDITPOST %d 23 Feb 2021 16:01:20 edited %s\n", done,
	    done + 1, text);
	dprintf(b.fd, "r PING\n");
	while (done < edits) {
		pfd[0].fd = a.fd;
		pfd[1].fd = b.fd;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, 60000) <= 0)
			return -1;
		if (pfd[0].revents) {
			switch (bench_reply(&a)) {
			case -1:
				return -1;
			case 1:
				a.lat[a.n++] = bench_now_s() - a.sent_at;
				if (++done < edits) {
					a.sent_at = bench_now_s();
					dprintf(a.fd, "r%d EDITPOST %d 23 Feb 2021 "
					    "16:01:20 edited %s\n", done,
					    done + 1, text);
				}
			}
		}
		if (pfd[1].revents) {
			switch (bench_reply(&b)) {
			case -1:
				return -1;
			case 1:
				if (b.n < (int)(sizeof(b.lat) / sizeof(b.lat[0])))
					b.lat[b.n++] = bench_now_s() - b.sent_at;
				b.sent_at = bench_now_s();
				dprintf(b.fd, "r PING\n");
			}
		}
	}
	bench_print("EDITPOST (alice, one at a time)", &a);
	bench_print("PING meanwhile (bob)", &b);
	close(a.fd);
	close(b.fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	/* The next start replays the journal and rewrites the files. */
	port = bench_free_port();
	t0 = bench_now_s();
	pid = start_server(bin, dir, port);
	if ((a.fd = bench_connect(port, bench_now_s() + 300, 1000)) == -1)
		return -1;
	printf("  restart with those edits in the journal: listening after "
	    "%.2f s\n", bench_now_s() - t0);
	close(a.fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *build = argc > 1 ? argv[1] : "build";
	int posts = argc > 2 ? atoi(argv[2]) : 2000;
	char dir[] = "/tmp/fs-bench-XXXXXX", bin[256], path[512], line[256];
	char buf[65536];
	size_t have = 0;
	int port, fd, sent = 0, oks = 0, i, window;
	double t0, t1;
	FILE *fp;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	snprintf(bin, sizeof(bin), "%s/firmware-server", build);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/credentials.txt", dir);
	fp = fopen(path, "w");
	fprintf(fp, "alice alice123\nbob bob123\n");
	fclose(fp);

	/* 1. Posts per second. */
	port = bench_free_port();
	pid = start_server(bin, dir, port);
	if ((fd = bench_connect(port, bench_now_s() + 10, 1000)) == -1)
		return 1;
	dprintf(fd, "1 HELLO 1\n2 LOGIN alice\n3 PASS alice123\n");
	if (read_until(fd, buf, &have, sizeof(buf), "3 OK", NULL) == -1)
		return 1;
	for (window = 1; window <= 32; window *= 32) {
		int n = window == 1 ? posts / 10 : posts;

		sent = oks = 0;
		t0 = bench_now_s();
		while (oks < n) {
			while (sent < n && sent - oks < window) {
				dprintf(fd, "p%d POST benchmark post number "
				    "%d\n", sent, sent);
				sent++;
			}
			if (read_until(fd, buf, &have, sizeof(buf), NULL,
			    &oks) == -1)
				return 1;
		}
		t1 = bench_now_s();
		printf("posts: %d acknowledged in %.2f s = %.0f posts/s "
		    "(on disk before each OK, %d request%s in flight)\n", n,
		    t1 - t0, n / (t1 - t0), window, window == 1 ? "" : "s");
	}
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	/* 2. Start-up time with 10,000 posts and 10,000 messages stored. */
	snprintf(path, sizeof(path), "%s/messagelog.txt", dir);
	fp = fopen(path, "w");
	for (i = 1; i <= 10000; i++)
		fprintf(fp, "%d; 23 Feb 2021 16:01:20; alice; stored post %d; "
		    "no\n", i, i);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/messages.txt", dir);
	fp = fopen(path, "w");
	for (i = 1; i <= 10000; i++)
		fprintf(fp, "%d; 23 Feb 2021 16:01:20; alice; bob; stored "
		    "message %d\n", i, i);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/offline.txt", dir);
	fp = fopen(path, "w");
	for (i = 1; i <= 1000; i++)
		fprintf(fp, "%d; 23 Feb 2021 16:01:20; alice; bob; stored "
		    "message %d\n", i, i);
	fclose(fp);
	port = bench_free_port();
	t0 = bench_now_s();
	pid = start_server(bin, dir, port);
	if ((fd = bench_connect(port, bench_now_s() + 30, 1000)) == -1)
		return 1;
	t1 = bench_now_s();
	have = 0;
	read_until(fd, buf, &have, sizeof(buf), "* HELLO", NULL);
	printf("restart: listening %.1f ms after exec with 10,000 posts, "
	    "10,000 messages and 1,000 waiting messages stored\n",
	    (t1 - t0) * 1000);
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	/* 3. EDITPOST with 10,000 and 100,000 posts, PING meanwhile. */
	if (bench_edit(bin, dir, 10000, 200) == -1 ||
	    bench_edit(bin, dir, 100000, 50) == -1)
		printf("edit: failed\n");
	snprintf(line, sizeof(line), "rm -rf %s", dir);
	return system(line) == 0 ? 0 : 1;
}
