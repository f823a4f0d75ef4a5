/*
 * fedbench.c - figures for federation (make bench-fed): direct messages
 * from alice to bob
 *   1. flat out (256 requests in flight), msg/s from the first send to
 *      bob's last MSG;
 *   2. at 1,000 msg/s for 3 s, p50 and p99 of send-to-MSG latency, and
 *      across boards the CPU time per message of origin, broker, home;
 * both across two boards through a real mosquitto and, for comparison,
 * on one board; and
 *   3. with the broker killed, 1,000 messages accepted into the outbox,
 *      then the time from the broker's restart to bob's last MSG;
 * ROUNDS times (default 3), then the medians, the load average, and
 * "met" or "MISSED" against the targets.
 * It starts mosquitto and BUILD/firmware-server on free loopback ports in
 * a temporary directory (under TMPDIR when set, else /tmp: a tmpfs there
 * shows what the disk's syncs cost) and prints one line per figure.
 *
 *   build/fedbench [BUILD_DIR] [FLAT_COUNT] [ROUNDS]     (make bench-fed)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

#define WINDOW	256

struct peer {
	int	 fd;
	char	 buf[1 << 16];
	size_t	 have;
};

static char dir[64];
/* What runs now, for cleanup(): the broker, lab1, lab2, the solo board. */
static pid_t procs[4];

/* Run argv quietly; its pid. */
static pid_t
run(char *const argv[])
{
	pid_t pid = fork();
	int null;

	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* A broker on port. */
static pid_t
broker(int port)
{
	char conf[128], *argv[] = { "mosquitto", "-c", conf, NULL };
	FILE *fp;
	pid_t pid;
	int fd;

	snprintf(conf, sizeof(conf), "%s/mosquitto.conf", dir);
	fp = fopen(conf, "w");
	fprintf(fp, "listener %d 127.0.0.1\nallow_anonymous true\n"
	    "persistence false\nmax_queued_messages 100000\n", port);
	fclose(fp);
	pid = procs[0] = run(argv);
	if ((fd = bench_connect(port, bench_now_s() + 10, 20000)) == -1) {
		fprintf(stderr, "fedbench: mosquitto did not start\n");
		exit(1);
	}
	close(fd);
	return pid;
}

/* A board named name (federated when mport > 0) on port. */
static pid_t
board(const char *bin, const char *name, int port, int mport)
{
	char sub[128], path[160], p[16], *argv[16];
	FILE *fp;
	int n = 0;

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/credentials.txt", sub);
	fp = fopen(path, "w");
	fprintf(fp, "alice alice123\nbob bob123\n");
	fclose(fp);
	snprintf(path, sizeof(path), "%s/server.ini", sub);
	fp = fopen(path, "w");
	fprintf(fp, "[server]\nlisten = 127.0.0.1\n[log]\nlevel = warn\n");
	if (mport > 0)
		fprintf(fp, "[federation]\nbroker = 127.0.0.1:%d\nboard = %s\n",
		    mport, name);
	fclose(fp);
	snprintf(p, sizeof(p), "%d", port);
	argv[n++] = (char *)bin;
	argv[n++] = "-c";
	argv[n++] = path;
	argv[n++] = "-d";
	argv[n++] = sub;
	argv[n++] = "-p";
	argv[n++] = p;
	argv[n] = NULL;
	return run(argv);
}

/* At exit, also after a failure: stop the broker and the boards running
   now (procs: a broker that drain() killed and reaped is replaced there
   by the new one) and remove the directory. */
static void
cleanup(void)
{
	char cmd[128];
	int i;

	for (i = 0; i < 4; i++)
		if (procs[i] > 0)
			kill(procs[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fedbench: could not remove %s\n", dir);
	}
}

/* The next line from p, waiting up to ms; NULL on timeout. */
static char *
next_line(struct peer *p, int ms)
{
	static char line[8192];
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	char *nl;
	ssize_t n;
	size_t len;

	for (;;) {
		if ((nl = memchr(p->buf, '\n', p->have)) != NULL) {
			len = (size_t)(nl - p->buf);
			memcpy(line, p->buf, len);
			line[len] = '\0';
			memmove(p->buf, nl + 1, p->have - len - 1);
			p->have -= len + 1;
			return line;
		}
		if (poll(&pfd, 1, ms) <= 0)
			return NULL;
		n = read(p->fd, p->buf + p->have, sizeof(p->buf) - p->have);
		if (n <= 0)
			return NULL;
		p->have += (size_t)n;
	}
}

/* Log in as user on port. */
static void
login(struct peer *p, int port, const char *user, const char *pass)
{
	char req[128], *l;

	memset(p, 0, sizeof(*p));
	if ((p->fd = bench_connect(port, bench_now_s() + 10, 20000)) == -1)
		exit(1);
	snprintf(req, sizeof(req), "1 HELLO 1\n2 LOGIN %s 0\n3 PASS %s\n",
	    user, pass);
	write(p->fd, req, strlen(req));
	while ((l = next_line(p, 10000)) != NULL)
		if (strncmp(l, "3 OK", 4) == 0)
			return;
	fprintf(stderr, "fedbench: %s could not log in\n", user);
	exit(1);
}

/* Send message i to "to" with its send time in it. */
static void
send_msg(struct peer *a, const char *to, int i)
{
	char req[128];
	int n;

	n = snprintf(req, sizeof(req), "%d MSGTO %s t%.9f\n", i, to, bench_now_s());
	write(a->fd, req, (size_t)n);
}

/* Drain alice's replies without waiting. */
static int
replies(struct peer *a)
{
	int n = 0;

	while (next_line(a, 0) != NULL)
		n++;
	return n;
}

/* Count bob's MSG lines until total; latencies into lat when not NULL. */
static int
receive(struct peer *b, int total, int *got, double *lat, int ms)
{
	char *l, *t;

	while (*got < total && (l = next_line(b, ms)) != NULL) {
		if (strncmp(l, "* MSG ", 6) != 0 || (t = strstr(l, " t")) == NULL)
			continue;
		if (lat != NULL)
			lat[*got] = bench_now_s() - atof(t + 2);
		(*got)++;
	}
	return *got;
}

/*
 * Flat out: msg/s.  It waits on both sockets at once: waiting on bob's
 * alone (as it did until 2026-12-04) held alice's OKs, and so her window,
 * for up to 1 ms whenever bob's messages lagged, which they do across
 * boards more than on one.
 */
static double
flat(struct peer *a, struct peer *b, const char *to, int count)
{
	struct pollfd pfd[2] = { { a->fd, POLLIN, 0 }, { b->fd, POLLIN, 0 } };
	double t0 = bench_now_s();
	int sent = 0, acked = 0, got = 0;

	while (got < count) {
		while (sent < count && sent - acked < WINDOW)
			send_msg(a, to, sent++);
		poll(pfd, 2, 1);
		acked += replies(a);
		receive(b, count, &got, NULL, 0);
		if (bench_now_s() - t0 > 120)
			break;
	}
	return got / (bench_now_s() - t0);
}

/* Compare doubles for qsort. */
static int
cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* 1,000 msg/s for 3 s: p50 and p99 into lat50, lat99 (ms). */
static void
paced(struct peer *a, struct peer *b, const char *to, const char *what,
    double *lat50, double *lat99)
{
	static double lat[3000];
	double t0 = bench_now_s();
	int sent = 0, got = 0;

	while (got < 3000 && bench_now_s() - t0 < 30) {
		while (sent < 3000 && bench_now_s() - t0 >= sent / 1000.0)
			send_msg(a, to, sent++);
		replies(a);
		receive(b, sent, &got, lat, 0);
		usleep(100);
	}
	qsort(lat, (size_t)got, sizeof(lat[0]), cmp);
	*lat50 = got ? lat[got / 2] * 1e3 : 1e9;
	*lat99 = got ? lat[got * 99 / 100] * 1e3 : 1e9;
	printf("%-10s at 1,000 msg/s: %d of 3000 delivered, p50 %.2f ms, "
	    "p99 %.2f ms\n", what, got, got ? *lat50 : 0, got ? *lat99 : 0);
}

/* Nanoseconds pid has run on a CPU (/proc/PID/schedstat), or 0. */
static unsigned long long
cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%llu", &ns) != 1)
		ns = 0;
	fclose(fp);
	return ns;
}

/* The median of n figures (sorts them). */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The load averages, as text. */
static const char *
loadavg(void)
{
	static char buf[64];
	char *sp;
	FILE *fp = fopen("/proc/loadavg", "r");

	buf[0] = '\0';
	if (fp != NULL) {
		if (fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
	}
	/* The 1, 5 and 15 minute figures: the first three fields. */
	if ((sp = strchr(buf, ' ')) != NULL && (sp = strchr(sp + 1, ' ')) !=
	    NULL && (sp = strchr(sp + 1, ' ')) != NULL)
		*sp = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? buf : "?";
}

/* The broker goes; 1,000 messages wait in the outbox; the broker comes
   back on mport: seconds until bob has them all (*got of them). */
static double
drain(pid_t *mq, int mport, struct peer *a, struct peer *b, int *got)
{
	double t0;
	int acked = 0;

	kill(*mq, SIGKILL);
	waitpid(*mq, NULL, 0);
	procs[0] = 0;
	for (int i = 0; i < 1000; i++)
		send_msg(a, "bob@lab2", i);
	while (acked < 1000 && next_line(a, 10000) != NULL)
		acked++;
	*mq = broker(mport);
	t0 = bench_now_s();
	*got = 0;
	receive(b, 1000, got, NULL, 30000);
	printf("drain after the broker's return: %d of 1000 queued messages "
	    "in %.2f s\n", *got, bench_now_s() - t0);
	return *got == 1000 ? bench_now_s() - t0 : 1e9;
}

/* One verdict line against a target. */
static void
verdict(const char *what, double v, const char *unit, bool met,
    const char *target)
{
	printf("median %-34s %10.2f %-5s target %-12s %s\n", what, v, unit,
	    target, met ? "met" : "MISSED");
}

int
main(int argc, char **argv)
{
	const char *build = argc > 1 ? argv[1] : "build";
	int count = argc > 2 ? atoi(argv[2]) : 20000;
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	int mport = bench_free_port(), p1 = bench_free_port(), p2 = bench_free_port();
	int p0 = bench_free_port(), got, r, i;
	char bin[256];
	const char *tmp;
	struct peer *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct peer *a0 = calloc(1, sizeof(*a0)), *b0 = calloc(1, sizeof(*b0));
	double flat1[16], flat2[16], p50_1[16], p99_1[16], p50_2[16], p99_2[16];
	double dr[16], m;
	unsigned long long cpu0[3];
	pid_t mq, s1, s2, s0;

	if (rounds < 1 || rounds > 16 || count < 1) {
		fprintf(stderr, "usage: fedbench [BUILD_DIR] [FLAT_COUNT] "
		    "[ROUNDS 1..16]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(bin, sizeof(bin), "%s/firmware-server", build);
	tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0' ||
	    strlen(tmp) + sizeof("/fedbench-XXXXXX") > sizeof(dir))
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/fedbench-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		return 1;
	atexit(cleanup);
	printf("load average at the start: %s\n", loadavg());
	mq = broker(mport);
	s1 = procs[1] = board(bin, "lab1", p1, mport);
	s2 = procs[2] = board(bin, "lab2", p2, mport);
	s0 = procs[3] = board(bin, "solo", p0, 0);
	login(a, p1, "alice", "alice123");
	login(b, p2, "bob", "bob123");
	login(a0, p0, "alice", "alice123");
	login(b0, p0, "bob", "bob123");
	usleep(500000);		/* presence crosses */

	for (r = 0; r < rounds; r++) {
		printf("-- round %d of %d (load average %s)\n", r + 1, rounds,
		    loadavg());
		flat1[r] = flat(a0, b0, "bob", count);
		printf("one board  flat out: %.0f msg/s (%d messages)\n",
		    flat1[r], count);
		flat2[r] = flat(a, b, "bob@lab2", count);
		printf("two boards flat out: %.0f msg/s (%d messages, through "
		    "mosquitto)\n", flat2[r], count);
		paced(a0, b0, "bob", "one board", &p50_1[r], &p99_1[r]);
		for (i = 0; i < 3; i++)
			cpu0[i] = cpu_ns(procs[i]);
		paced(a, b, "bob@lab2", "two boards", &p50_2[r], &p99_2[r]);
		/* What a message alone in its loop pass costs each process. */
		printf("two boards CPU per message at 1,000 msg/s: origin %.1f "
		    "us, broker %.1f us, home %.1f us\n",
		    (cpu_ns(procs[1]) - cpu0[1]) / 3000e3,
		    (cpu_ns(procs[0]) - cpu0[0]) / 3000e3,
		    (cpu_ns(procs[2]) - cpu0[2]) / 3000e3);
		dr[r] = drain(&mq, mport, a, b, &got);
	}

	printf("-- %d round%s; load average at the end: %s\n", rounds,
	    rounds == 1 ? "" : "s", loadavg());
	printf("median one board flat out %.0f msg/s, p50 %.2f ms, p99 %.2f ms "
	    "(for comparison)\n", median(flat1, rounds), median(p50_1, rounds),
	    median(p99_1, rounds));
	m = median(flat2, rounds);
	verdict("two boards flat out", m, "msg/s", m >= 50000, ">= 50,000");
	m = median(p50_2, rounds);
	printf("median %-34s %10.2f ms\n", "two boards p50 at 1,000 msg/s", m);
	m = median(p99_2, rounds);
	verdict("two boards p99 at 1,000 msg/s", m, "ms", m <= 2, "<= 2");
	m = median(dr, rounds);
	verdict("drain of 1,000 after the broker", m, "s", m <= 2, "<= 2");

	(void)s0;
	(void)s1;
	(void)s2;
	(void)mq;
	return 0;		/* cleanup() stops them */
}
