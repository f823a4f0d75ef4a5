/*
 * loadgen.c - a load generator for firmware-server, ngIRCd and Mosquitto.
 *
 * One process, one epoll loop, non-blocking sockets.  It opens N client
 * connections to a server on loopback, logs them in with the server's own
 * protocol (ours: HELLO + LOGIN + PASS, pipelined; IRC: NICK + USER;
 * MQTT 3.1.1: CONNECT), subscribes the receivers (IRC JOIN, MQTT
 * SUBSCRIBE) and drives one scenario:
 *
 *   one    1 sender -> 1 receiver, 64-byte messages, flat out
 *   fan    1 sender -> 100 receivers (BROADCAST / channel / topic)
 *   idle   1,000 messages a second between two clients while -n idle
 *          clients stay connected; also server memory and wake-ups idle
 *   burst  -n connects and logins at once
 *   stall  1 sender -> 2 receivers, one of which never reads
 *
 * "Flat out" is flow-controlled: at most -w messages are in flight (sent
 * and not yet received by the slowest live receiver), so a fast sender
 * cannot simply bury a server under an unbounded backlog.
 *
 * Every payload is 64 bytes: '^', the send time (CLOCK_MONOTONIC ns) in 16
 * hex digits, then filler; the receiver's latency is receipt - send time.
 * The server (-x PID) is measured from /proc (CPU, RSS, context switches)
 * and with "perf stat -e raw_syscalls:sys_enter -p PID" for its syscalls.
 * Results are "key=value" lines on stdout; bench/run.sh makes the table.
 *
 *   loadgen -P ours|irc|mqtt -p PORT -s SCENARIO -x PID [-n N] [-d SECS]
 *           [-w WINDOW] [-r RATE] [-f FANOUT] [-B] [-T] [-E N]
 *
 * -T speaks TLS 1.3 to the port (lgtls.c): the handshake is part of each
 * connect + login, and every message is a TLS record.
 *
 * -E N (ours, "idle"; for bench/soak.sh) has N of the idle clients chat
 * beside the one stream: board posts read back and deleted, group
 * messages, one edge data upload; each is checked (see lg_x below).
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lgtls.h"

#define LG_PAYLOAD	64
#define LG_REST_MAX	8192		/* a partial frame kept between reads */
#define LG_SCRATCH	(256 * 1024)
#define LG_LAT_MAX	(8 * 1024 * 1024)
#define LG_OUT_MAX	(4 * 1024 * 1024)
#define LG_CONNECTING_MAX 256		/* logins in progress at once */
#define LG_X_FIRST	2		/* the first chatting client (-E) */
#define LG_X_GROUP	33		/* a group: its creator + 32 invited */
#define LG_X_INTS	20000		/* integers in the edge upload */
#define LG_X_FILE	1		/* its file ID, replaced every run */
#define LG_X_CHUNK	60000		/* bytes per UPDATA, at most */

enum lg_proto { LG_OURS, LG_IRC, LG_MQTT };
enum lg_role { LG_IDLE, LG_SEND, LG_RECV, LG_STALL };
enum lg_state { LG_NEW, LG_LOGIN, LG_SUB, LG_READY, LG_DEAD };

struct lg_conn {
	int		 id;
	enum lg_role	 role;
	enum lg_state	 state;
	char		*rest;		/* partial frame from the last read */
	size_t		 restlen;
	char		*out;
	size_t		 outlen, outcap;
	uint64_t	 got;		/* deliveries received */
	bool		 stalled;	/* stopped reading */
	struct lgtls	*tls;		/* -T: the TLS stream, else NULL */
};

static enum lg_proto	 lg_proto;
static int		 lg_port;
static pid_t		 lg_pid;
static struct lg_conn	*lg_conns;
static struct pollfd	*lg_pfds;		/* the interest wanted */
static struct pollfd	*lg_regs;		/* the interest in the kernel */
static int		 lg_epfd;
static int		 lg_nconns;
static int		 lg_nrecv;		/* receivers, live and stalled */
static int		 lg_ready, lg_dead, lg_inlogin;
static uint32_t		*lg_lat;		/* latencies, ns (clamped) */
static size_t		 lg_nlat;
static bool		 lg_record;
static uint64_t		 lg_delivered, lg_sent, lg_acks, lg_errs;
static uint64_t		 lg_lat_max;
static const char	*lg_topic;		/* where the sender sends */
static bool		 lg_shared;		/* receivers share a channel */
static bool		 lg_idle_recv;		/* idle clients get every message */
static char		 lg_scratch[LG_SCRATCH + LG_REST_MAX];
static bool		 lg_tls;		/* -T */

/*
 * -E: the soak's chat beside the stream of MSGTO or BROADCAST.  Clients
 * u2 ... u(N+1) each POST once; then one reads the board (READPOSTS),
 * must find every post with its author, and the authors delete them
 * again (DELPOST), highest number first and one at a time, since a
 * delete moves the later posts up: a board that only grew would make the
 * soak's RSS climb for a reason that is no leak.  They also form groups
 * of at most LG_X_GROUP (GCREATE, then GJOIN; the groups outlive the run,
 * so the next run on the same server gets "exists" for both and goes on)
 * and each sends one GMSG, which every other member must get.  The first
 * one uploads LG_X_INTS generated integers (UPLOAD, UPDATA, UPEND) and
 * compares the stored count and STATS SUM, MIN and MAX with its own.
 * Each step starts when the replies of the one before are all in, and
 * every text carries the generator's PID, so nothing of an earlier run
 * is counted.
 */
struct lg_chat {
	bool		 found;		/* its post was read back */
	unsigned long	 post_n;	/* the post's number then */
	char		 post_time[32];	/* and its time, for DELPOST */
};

static struct {
	int		 n;		/* chatting clients; 0: no -E */
	int		 ngroups;
	struct lg_chat	*chat;
	int		 reader;	/* the chatter who reads the board */
	int		 posts_ok, posts_answered, posts_found, posts_deleted;
	int		*order;		/* posts found, highest number first */
	int		 del_next;	/* the next one in order to delete */
	bool		 posts_done;
	int		 posts_errs;
	int		 creates_answered, joins_answered, gmsgs_ok;
	int		 gmsgs_answered;
	uint64_t	 gmsg_want, gmsg_got;
	int		 group_errs;
	char		*file;		/* the edge upload */
	size_t		 filelen;
	long long	 sum, min, max;
	int		 stats_ok, stats_answered;
	bool		 edge_stored, edge_failed;
} lg_x;

/* Monotonic nanoseconds. */
static uint64_t
lg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Fatal error. */
static void
lg_die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Append bytes to c's output queue. */
static void
lg_queue(struct lg_conn *c, const void *p, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 512;

		while (cap < c->outlen + n)
			cap *= 2;
		if (cap > LG_OUT_MAX)
			lg_die("output queue over its limit");
		if ((c->out = realloc(c->out, cap)) == NULL)
			lg_die("realloc");
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	lg_pfds[c - lg_conns].events |= POLLOUT;
}

/* Queue a formatted line. */
static void
lg_printf(struct lg_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
lg_printf(struct lg_conn *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		lg_queue(c, line, (size_t)n);
}

/* Encode an MQTT remaining length; returns its size. */
static size_t
lg_mqtt_len(unsigned char *p, size_t len)
{
	size_t n = 0;

	do {
		unsigned char b = len % 128;

		len /= 128;
		p[n++] = b | (len > 0 ? 0x80 : 0);
	} while (len > 0);
	return n;
}

/* Queue an MQTT packet: type byte, then the body. */
static void
lg_mqtt_packet(struct lg_conn *c, unsigned char type, const unsigned char *b,
    size_t n)
{
	unsigned char hdr[5];
	size_t h;

	hdr[0] = type;
	h = 1 + lg_mqtt_len(hdr + 1, n);
	lg_queue(c, hdr, h);
	lg_queue(c, b, n);
}

/* Put a 2-byte-length MQTT string at p; returns its size. */
static size_t
lg_mqtt_str(unsigned char *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (unsigned char)(n >> 8);
	p[1] = (unsigned char)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

/* The topic or channel a receiver listens on. */
static const char *
lg_recv_topic(const struct lg_conn *c)
{
	static char t[64];

	if (lg_shared)
		return lg_proto == LG_MQTT ? "b/all" : "#b";
	snprintf(t, sizeof(t), "b/u%d", c->id);
	return t;
}

/* Queue what logs c in. */
static void
lg_login(struct lg_conn *c)
{
	unsigned char b[128];
	char id[32];
	size_t n = 0;

	switch (lg_proto) {
	case LG_OURS:
		lg_printf(c, "1 HELLO 1\n2 LOGIN u%d\n3 PASS p%d\n", c->id,
		    c->id);
		break;
	case LG_IRC:
		lg_printf(c, "NICK u%d\r\nUSER u%d 0 * :bench\r\n", c->id,
		    c->id);
		break;
	case LG_MQTT:
		n += lg_mqtt_str(b + n, "MQTT");
		b[n++] = 4;		/* protocol level 3.1.1 */
		b[n++] = 0x02;		/* clean session */
		b[n++] = 0;		/* keep-alive 0: no pings */
		b[n++] = 0;
		snprintf(id, sizeof(id), "u%d", c->id);
		n += lg_mqtt_str(b + n, id);
		lg_mqtt_packet(c, 0x10, b, n);
		break;
	}
}

/* Logged in: subscribe when the role needs it, else ready. */
static void
lg_logged_in(struct lg_conn *c)
{
	unsigned char b[128];
	size_t n = 0;
	bool sub = false;

	lg_inlogin--;
	if (lg_proto == LG_IRC && lg_shared && c->role != LG_IDLE) {
		lg_printf(c, "JOIN #b\r\n");
		sub = true;
	} else if (lg_proto == LG_MQTT && (c->role == LG_RECV ||
	    c->role == LG_STALL)) {
		b[n++] = 0;
		b[n++] = 1;		/* packet id */
		n += lg_mqtt_str(b + n, lg_recv_topic(c));
		b[n++] = 0;		/* QoS 0 */
		lg_mqtt_packet(c, 0x82, b, n);
		sub = true;
	}
	if (sub)
		c->state = LG_SUB;
	else {
		c->state = LG_READY;
		lg_ready++;
	}
}

/* Subscribed: ready. */
static void
lg_subscribed(struct lg_conn *c)
{
	if (c->state == LG_SUB) {
		c->state = LG_READY;
		lg_ready++;
	}
}

/* A payload arrived at c at time now. */
static void
lg_delivery(struct lg_conn *c, const char *p, size_t n, uint64_t now)
{
	uint64_t ts = 0, lat;
	size_t i;

	if (n < 17 || p[0] != '^')
		return;
	for (i = 1; i < 17; i++) {
		char h = p[i];

		ts = ts * 16 + (uint64_t)(h <= '9' ? h - '0' : h - 'a' + 10);
	}
	c->got++;
	if (!lg_record)
		return;
	lg_delivered++;
	lat = now > ts ? now - ts : 0;
	if (lat > lg_lat_max)
		lg_lat_max = lat;
	if (lg_nlat < LG_LAT_MAX)
		lg_lat[lg_nlat++] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
}

/* Chatter i's connection. */
static struct lg_conn *
lg_x_conn(int i)
{
	return &lg_conns[LG_X_FIRST + i];
}

/* Chatter i's group (k = i % ngroups: sizes differ by one at most).  The
   name holds N, so a run with another -E on the same server has its own. */
static void
lg_x_group(int i, char *out, size_t len)
{
	snprintf(out, len, "soak%dg%d", lg_x.n, i % lg_x.ngroups);
}

/* Say what the server answered that the chat did not expect. */
static void
lg_x_bad(const struct lg_conn *c, const char *l)
{
	fprintf(stderr, "loadgen: u%d: unexpected: %s\n", c->id, l);
}

/* 1 for an expected answer; else 0, said, and counted in *errs. */
static int
lg_x_ok(const struct lg_conn *c, const char *l, bool ok, int *errs)
{
	if (ok)
		return 1;
	lg_x_bad(c, l);
	(*errs)++;
	return 0;
}

/*
 * Generate the edge upload: LG_X_INTS integers from -10^12 to 10^12, one
 * a line (their sum fits in 64 bits), different in every run, and what
 * STATS must answer for them.
 */
static void
lg_x_make_file(void)
{
	uint64_t x = (uint64_t)getpid() * 2654435761u + lg_now();
	size_t cap = LG_X_INTS * 16;
	long long v;
	int i;

	if ((lg_x.file = malloc(cap)) == NULL)
		lg_die("malloc");
	lg_x.min = LLONG_MAX;
	lg_x.max = LLONG_MIN;
	for (i = 0; i < LG_X_INTS; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		v = (long long)((x >> 16) % 2000000000001u) - 1000000000000;
		lg_x.filelen += (size_t)snprintf(lg_x.file + lg_x.filelen,
		    cap - lg_x.filelen, "%lld\n", v);
		lg_x.sum += v;
		if (v < lg_x.min)
			lg_x.min = v;
		if (v > lg_x.max)
			lg_x.max = v;
	}
}

/* Set the chat up for n clients (lg_x above). */
static void
lg_x_init(int n)
{
	int k, size;

	lg_x.n = n;
	lg_x.ngroups = (n + LG_X_GROUP - 1) / LG_X_GROUP;
	lg_x.reader = n - 1;
	if ((lg_x.chat = calloc((size_t)n, sizeof(*lg_x.chat))) == NULL ||
	    (lg_x.order = calloc((size_t)n, sizeof(*lg_x.order))) == NULL)
		lg_die("malloc");
	/* Each member's GMSG reaches every other member. */
	for (k = 0; k < lg_x.ngroups; k++) {
		size = (n - k + lg_x.ngroups - 1) / lg_x.ngroups;
		lg_x.gmsg_want += (uint64_t)size * (uint64_t)(size - 1);
	}
	lg_x_make_file();
}

/* Start the chat: everyone posts, the creators create their groups (the
   first ngroups chatters), the first chatter starts the upload. */
static void
lg_x_start(void)
{
	char line[1024], name[48];
	size_t off;
	int i, k;

	for (i = 0; i < lg_x.n; i++)
		lg_printf(lg_x_conn(i), "p POST soak post %d %d\n",
		    (int)getpid(), i);
	for (k = 0; k < lg_x.ngroups; k++) {
		lg_x_group(k, name, sizeof(name));
		off = (size_t)snprintf(line, sizeof(line), "c GCREATE %s", name);
		for (i = k + lg_x.ngroups; i < lg_x.n; i += lg_x.ngroups)
			off += (size_t)snprintf(line + off, sizeof(line) - off,
			    " u%d", LG_X_FIRST + i);
		off += (size_t)snprintf(line + off, sizeof(line) - off, "\n");
		lg_queue(lg_x_conn(k), line, off);
	}
	lg_printf(lg_x_conn(0), "u UPLOAD %d %zu\n", LG_X_FILE, lg_x.filelen);
}

/* True when every step of the chat has had its replies (and the group
   messages have all arrived), or there is no chat. */
static bool
lg_x_done(void)
{
	return lg_x.n == 0 || (lg_x.posts_done &&
	    lg_x.gmsgs_answered == lg_x.n && lg_x.gmsg_got >= lg_x.gmsg_want &&
	    (lg_x.edge_failed || lg_x.stats_answered == 3));
}

/* qsort order for the posts read back: highest number first. */
static int
lg_x_cmp_post(const void *a, const void *b)
{
	unsigned long x = lg_x.chat[*(const int *)a].post_n;
	unsigned long y = lg_x.chat[*(const int *)b].post_n;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Delete the next post read back, by its author, or end the posts. */
static void
lg_x_delete_next(void)
{
	struct lg_chat *ch;
	int i;

	if (lg_x.del_next >= lg_x.posts_found) {
		lg_x.posts_done = true;
		return;
	}
	i = lg_x.order[lg_x.del_next++];
	ch = &lg_x.chat[i];
	lg_printf(lg_x_conn(i), "d DELPOST %lu %s\n", ch->post_n,
	    ch->post_time);
}

/* A READPOSTS line, "N USER EDITED DD Mon YYYY HH:MM:SS TEXT": one of
   this run's posts, by its author, is found. */
static void
lg_x_post_line(const char *d)
{
	char user[64], edited[8], want[32];
	const char *t, *p;
	unsigned long num;
	int pos = 0, pid, i, w, end = 0;

	if (sscanf(d, "%lu %63s %7s %n", &num, user, edited, &pos) != 3 ||
	    pos == 0)
		return;
	t = p = d + pos;
	for (w = 0; w < 4; w++)
		if ((p = strchr(p, ' ')) == NULL)
			return;
		else
			p++;
	if (sscanf(p, "soak post %d %d%n", &pid, &i, &end) != 2 ||
	    p[end] != '\0' || pid != (int)getpid() || i < 0 || i >= lg_x.n)
		return;
	snprintf(want, sizeof(want), "u%d", LG_X_FIRST + i);
	if (strcmp(user, want) != 0 || lg_x.chat[i].found ||
	    (size_t)(p - 1 - t) >= sizeof(lg_x.chat[i].post_time))
		return;
	lg_x.chat[i].found = true;
	lg_x.chat[i].post_n = num;
	memcpy(lg_x.chat[i].post_time, t, (size_t)(p - 1 - t));
	lg_x.chat[i].post_time[p - 1 - t] = '\0';
	lg_x.order[lg_x.posts_found++] = i;
}

/* "* GMSG GROUP FROM TIME TEXT" at c: counted when it is this run's and
   to c's own group. */
static void
lg_x_gmsg(const struct lg_conn *c, const char *ev)
{
	char name[48], mark[48];
	size_t len;
	int i = c->id - LG_X_FIRST;

	if (i < 0 || i >= lg_x.n)
		return;
	lg_x_group(i, name, sizeof(name));
	len = strlen(name);
	snprintf(mark, sizeof(mark), " soak group %d ", (int)getpid());
	if (strncmp(ev, name, len) == 0 && ev[len] == ' ' &&
	    strstr(ev + len, mark) != NULL)
		lg_x.gmsg_got++;
}

/* Queue the edge upload's chunks and its end, cut wherever LG_X_CHUNK
   falls (a line may span two chunks). */
static void
lg_x_upload(struct lg_conn *c)
{
	size_t off, len;

	for (off = 0; off < lg_x.filelen; off += len) {
		len = lg_x.filelen - off;
		if (len > LG_X_CHUNK)
			len = LG_X_CHUNK;
		lg_printf(c, "v UPDATA %d {%zu}\n", LG_X_FILE, len);
		lg_queue(c, lg_x.file + off, len);
	}
	lg_printf(c, "e UPEND %d\n", LG_X_FILE);
}

/* A STATS answer, "OK OP of file ID = VALUE (COUNT integers)". */
static void
lg_x_stats(const struct lg_conn *c, const char *l)
{
	char op[16];
	long long v, want;
	int count;

	lg_x.stats_answered++;
	if (sscanf(l + 2, "OK %15s of file %*d = %lld (%d integers", op, &v,
	    &count) != 3) {
		lg_x_bad(c, l);
		lg_x.edge_failed = true;
		return;
	}
	want = strcmp(op, "SUM") == 0 ? lg_x.sum : strcmp(op, "MIN") == 0 ?
	    lg_x.min : lg_x.max;
	if (v != want || count != LG_X_INTS) {
		fprintf(stderr, "loadgen: u%d: %s, expected %lld of %d "
		    "integers\n", c->id, l, want, LG_X_INTS);
		lg_x.edge_failed = true;
		return;
	}
	lg_x.stats_ok++;
}

/*
 * A reply to the chat (tags: p POST, r READPOSTS, d DELPOST, c GCREATE,
 * j GJOIN, g GMSG, u UPLOAD, v UPDATA, e UPEND, s STATS); the last reply
 * of a step sends the next.
 */
static void
lg_x_reply(struct lg_conn *c, const char *l)
{
	char name[48];
	const char *r = l + 2;
	bool ok = strncmp(r, "OK", 2) == 0;
	bool exists = strncmp(r, "ERR exists", 10) == 0;
	unsigned long long bytes;
	int i, count;

	switch (l[0]) {
	case 'p':
		lg_x.posts_ok += lg_x_ok(c, l, ok, &lg_x.posts_errs);
		if (++lg_x.posts_answered == lg_x.n)
			lg_printf(lg_x_conn(lg_x.reader),
			    "r READPOSTS 01 Jan 2000 00:00:00\n");
		return;
	case 'r':
		if (r[0] == '.' && r[1] == ' ') {
			lg_x_post_line(r + 2);
			return;
		}
		lg_x_ok(c, l, ok, &lg_x.posts_errs);
		qsort(lg_x.order, (size_t)lg_x.posts_found,
		    sizeof(*lg_x.order), lg_x_cmp_post);
		lg_x_delete_next();
		return;
	case 'd':
		lg_x.posts_deleted += lg_x_ok(c, l, ok, &lg_x.posts_errs);
		lg_x_delete_next();
		return;
	case 'c':
	case 'j':
		/* "exists": made or joined by an earlier run. */
		lg_x_ok(c, l, ok || exists, &lg_x.group_errs);
		if (l[0] == 'c' && ++lg_x.creates_answered == lg_x.ngroups) {
			for (i = lg_x.ngroups; i < lg_x.n; i++) {
				lg_x_group(i, name, sizeof(name));
				lg_printf(lg_x_conn(i), "j GJOIN %s\n", name);
			}
			if (lg_x.n > lg_x.ngroups)
				return;
		} else if (l[0] == 'c' || ++lg_x.joins_answered <
		    lg_x.n - lg_x.ngroups)
			return;
		/* All are members now: each one talks once. */
		for (i = 0; i < lg_x.n; i++) {
			lg_x_group(i, name, sizeof(name));
			lg_printf(lg_x_conn(i), "g GMSG %s soak group %d %d\n",
			    name, (int)getpid(), i);
		}
		return;
	case 'g':
		lg_x.gmsgs_ok += lg_x_ok(c, l, ok, &lg_x.group_errs);
		lg_x.gmsgs_answered++;
		return;
	case 'u':
	case 'v':
		if (!ok) {
			lg_x_bad(c, l);
			lg_x.edge_failed = true;
		} else if (l[0] == 'u')
			lg_x_upload(c);
		return;
	case 'e':
		if (!ok || sscanf(r, "OK file %*d stored: %d integers, %llu "
		    "bytes", &count, &bytes) != 2 || count != LG_X_INTS ||
		    bytes != lg_x.filelen) {
			lg_x_bad(c, l);
			lg_x.edge_failed = true;
			return;
		}
		lg_x.edge_stored = true;
		lg_printf(c, "s STATS %d SUM\ns STATS %d MIN\ns STATS %d MAX\n",
		    LG_X_FILE, LG_X_FILE, LG_X_FILE);
		return;
	case 's':
		lg_x_stats(c, l);
		return;
	}
}

/* What the chat did, as key=value lines; *_ok is 1 when all was right
   (what was not is said on stderr too, for the soak's log). */
static void
lg_x_print(void)
{
	bool posts = lg_x.posts_ok == lg_x.n && lg_x.posts_found == lg_x.n &&
	    lg_x.posts_deleted == lg_x.n && lg_x.posts_errs == 0;
	bool group = lg_x.gmsgs_ok == lg_x.n &&
	    lg_x.gmsg_got == lg_x.gmsg_want && lg_x.group_errs == 0;

	if (!posts)
		fprintf(stderr, "loadgen: posts: %d of %d acknowledged, %d read "
		    "back, %d deleted\n", lg_x.posts_ok, lg_x.n,
		    lg_x.posts_found, lg_x.posts_deleted);
	if (!group)
		fprintf(stderr, "loadgen: groups: %d of %d GMSG acknowledged, "
		    "%llu of %llu deliveries\n", lg_x.gmsgs_ok, lg_x.n,
		    (unsigned long long)lg_x.gmsg_got,
		    (unsigned long long)lg_x.gmsg_want);
	printf("chat=%d\nposts=%d\nposts_read=%d\nposts_deleted=%d\n"
	    "posts_ok=%d\ngroups=%d\ngmsgs=%d\ngmsg_want=%llu\n"
	    "gmsg_delivered=%llu\ngroup_ok=%d\nedge_integers=%d\nedge_ok=%d\n",
	    lg_x.n, lg_x.posts_ok, lg_x.posts_found, lg_x.posts_deleted, posts,
	    lg_x.ngroups, lg_x.gmsgs_ok, (unsigned long long)lg_x.gmsg_want,
	    (unsigned long long)lg_x.gmsg_got, group, LG_X_INTS,
	    lg_x.edge_stored && lg_x.stats_ok == 3 && !lg_x.edge_failed);
}

/* One line of ours or IRC. */
static void
lg_line(struct lg_conn *c, char *l, size_t n, uint64_t now)
{
	char *caret;

	if (lg_proto == LG_OURS) {
		if (n > 2 && l[0] == '*' && l[1] == ' ') {
			if ((strncmp(l, "* MSG ", 6) == 0 ||
			    strncmp(l, "* BCAST ", 8) == 0) &&
			    (caret = memchr(l, '^', n)) != NULL)
				lg_delivery(c, caret, n - (size_t)(caret - l),
				    now);
			else if (lg_x.n > 0 && strncmp(l, "* GMSG ", 7) == 0)
				lg_x_gmsg(c, l + 7);
			return;
		}
		if (lg_x.n > 0 && n > 2 && l[1] == ' ' &&
		    strchr("prdcjguves", l[0]) != NULL) {
			lg_x_reply(c, l);
			return;
		}
		if (l[0] == 'm' && l[1] == ' ') {
			if (strncmp(l + 2, "OK", 2) == 0)
				lg_acks++;
			else
				lg_errs++;
			return;
		}
		if (c->state == LG_LOGIN && strncmp(l, "3 OK", 4) == 0)
			lg_logged_in(c);
		else if (c->state == LG_LOGIN && strncmp(l, "3 ERR", 5) == 0) {
			fprintf(stderr, "loadgen: u%d: %.*s\n", c->id, (int)n, l);
			exit(1);
		}
		return;
	}
	/* IRC */
	if (strncmp(l, "PING ", 5) == 0) {
		lg_printf(c, "PONG %.*s\r\n", (int)(n - 5), l + 5);
		return;
	}
	if ((caret = strstr(l, " PRIVMSG ")) != NULL) {
		if ((caret = strstr(caret, " :^")) != NULL)
			lg_delivery(c, caret + 2, n - (size_t)(caret + 2 - l),
			    now);
		return;
	}
	if (c->state == LG_LOGIN && strstr(l, " 001 ") != NULL)
		lg_logged_in(c);
	else if (c->state == LG_SUB && strstr(l, " 366 ") != NULL)
		lg_subscribed(c);
	else if (strncmp(l, "ERROR", 5) == 0 || strstr(l, " 433 ") != NULL) {
		fprintf(stderr, "loadgen: u%d: %.*s\n", c->id, (int)n, l);
		if (c->state != LG_READY)
			exit(1);
	}
}

/* Parse what is in buf for c; returns the bytes consumed. */
static size_t
lg_parse(struct lg_conn *c, char *buf, size_t len, uint64_t now)
{
	size_t off = 0;

	if (lg_proto != LG_MQTT) {
		char *nl;

		while (off < len && (nl = memchr(buf + off, '\n',
		    len - off)) != NULL) {
			size_t n = (size_t)(nl - (buf + off));

			if (n > 0 && buf[off + n - 1] == '\r')
				n--;
			buf[off + n] = '\0';
			lg_line(c, buf + off, n, now);
			off = (size_t)(nl - buf) + 1;
		}
		return off;
	}
	while (len - off >= 2) {
		unsigned char *p = (unsigned char *)buf + off;
		size_t rl = 0, h = 1, mul = 1;

		while (h < len - off && h < 5) {
			rl += (p[h] & 127) * mul;
			mul *= 128;
			if ((p[h++] & 128) == 0)
				break;
		}
		if ((p[h - 1] & 128) != 0 || len - off < h + rl)
			break;		/* incomplete */
		switch (p[0] >> 4) {
		case 2:			/* CONNACK */
			if (rl >= 2 && p[h + 1] != 0) {
				fprintf(stderr, "loadgen: u%d: CONNACK %d\n",
				    c->id, p[h + 1]);
				exit(1);
			}
			if (c->state == LG_LOGIN)
				lg_logged_in(c);
			break;
		case 9:			/* SUBACK */
			lg_subscribed(c);
			break;
		case 3: {		/* PUBLISH, QoS 0 */
			size_t tl = rl >= 2 ? (size_t)p[h] << 8 | p[h + 1] : 0;

			if (2 + tl <= rl)
				lg_delivery(c, (char *)p + h + 2 + tl,
				    rl - 2 - tl, now);
			break;
		}
		default:
			break;
		}
		off += h + rl;
	}
	return off;
}

/* Read what c's socket has and parse it. */
static void
lg_read(struct lg_conn *c)
{
	ssize_t n;
	size_t have, used;
	uint64_t now;
	int rounds;

	for (rounds = 0; rounds < 4; rounds++) {
		have = c->restlen;
		if (have)
			memcpy(lg_scratch, c->rest, have);
		n = c->tls != NULL ? lgtls_recv(c->tls, lg_scratch + have,
		    LG_SCRATCH) : recv(lg_pfds[c - lg_conns].fd,
		    lg_scratch + have, LG_SCRATCH, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			if (c->state != LG_DEAD) {
				if (c->state == LG_LOGIN)
					lg_inlogin--;
				if (c->state == LG_READY)
					lg_ready--;
				c->state = LG_DEAD;
				lg_dead++;
			}
			lgtls_free(c->tls);
			c->tls = NULL;
			close(lg_pfds[c - lg_conns].fd);
			lg_pfds[c - lg_conns].fd = -1;
			lg_regs[c - lg_conns].fd = -1;	/* gone from epoll */
			return;
		}
		if (n == -1) {
			if (c->tls != NULL && lgtls_wants_out(c->tls))
				lg_pfds[c - lg_conns].events |= POLLOUT;
			return;
		}
		now = lg_now();
		have += (size_t)n;
		used = lg_parse(c, lg_scratch, have, now);
		c->restlen = have - used;
		if (c->restlen > LG_REST_MAX) {
			errno = EPROTO;
			lg_die("frame too long");
		}
		if (c->restlen > 0) {
			if (c->rest == NULL &&
			    (c->rest = malloc(LG_REST_MAX)) == NULL)
				lg_die("malloc");
			memcpy(c->rest, lg_scratch + used, c->restlen);
		}
		if ((size_t)n < LG_SCRATCH)
			return;
	}
}

/* Write what c has queued. */
static void
lg_write(struct lg_conn *c)
{
	struct pollfd *pf = &lg_pfds[c - lg_conns];
	size_t off = 0;
	ssize_t n;

	while (off < c->outlen) {
		n = c->tls != NULL ? lgtls_send(c->tls, c->out + off,
		    c->outlen - off) : send(pf->fd, c->out + off,
		    c->outlen - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN)
			c->outlen = off;	/* peer gone; the read says so */
		break;
	}
	memmove(c->out, c->out + off, c->outlen - off);
	c->outlen -= off;
	/* A TLS send that waits for the server's handshake polls for
	   input; the read that follows sets POLLOUT again. */
	if (c->outlen == 0 || (c->tls != NULL && lgtls_send_waits_in(c->tls)))
		pf->events &= ~POLLOUT;
}

/* Start connecting c. */
static void
lg_connect(struct lg_conn *c)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		lg_die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)lg_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS)
		lg_die("connect");
	if (lg_tls && (c->tls = lgtls_new(fd)) == NULL)
		lg_die("TLS");
	lg_pfds[c - lg_conns].fd = fd;
	lg_pfds[c - lg_conns].events = POLLIN;
	c->state = LG_LOGIN;
	lg_inlogin++;
	lg_login(c);
}

/* Queue n messages from the sender, stamped now. */
static void
lg_send_msgs(struct lg_conn *s, int n)
{
	char msg[LG_PAYLOAD + 1], line[256];
	unsigned char b[256];
	uint64_t now = lg_now();
	size_t tl, l;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "^%016llx", (unsigned long long)now);
		memset(msg + 17, 'x', LG_PAYLOAD - 17);
		msg[LG_PAYLOAD] = '\0';
		switch (lg_proto) {
		case LG_OURS:
			if (lg_topic[0] == '*')
				l = (size_t)snprintf(line, sizeof(line),
				    "m BROADCAST %s\n", msg);
			else
				l = (size_t)snprintf(line, sizeof(line),
				    "m MSGTO %s %s\n", lg_topic, msg);
			lg_queue(s, line, l);
			break;
		case LG_IRC:
			l = (size_t)snprintf(line, sizeof(line),
			    "PRIVMSG %s :%s\r\n", lg_topic, msg);
			lg_queue(s, line, l);
			break;
		case LG_MQTT:
			tl = lg_mqtt_str(b, lg_topic);
			memcpy(b + tl, msg, LG_PAYLOAD);
			lg_mqtt_packet(s, 0x30, b, tl + LG_PAYLOAD);
			break;
		}
		lg_sent++;
	}
}

/* Messages the slowest live receiver has not had yet. */
static uint64_t
lg_inflight(void)
{
	uint64_t min = UINT64_MAX;
	int i;

	for (i = 0; i < lg_nconns; i++)
		if (((lg_conns[i].role == LG_RECV &&
		    lg_conns[i].state != LG_DEAD) || (lg_idle_recv &&
		    lg_conns[i].role == LG_IDLE &&
		    lg_conns[i].state == LG_READY)) && lg_conns[i].got < min)
			min = lg_conns[i].got;
	if (min == UINT64_MAX)
		return 0;
	return lg_sent > min ? lg_sent - min : 0;
}

/*
 * Bring the kernel's interest in line with lg_pfds (a scan in memory,
 * cheap next to a poll() of every socket in the kernel, which would make
 * the generator's own floor grow with the idle clients).
 */
static void
lg_sync_interest(void)
{
	struct epoll_event ev;
	int i;

	for (i = 0; i < lg_nconns; i++) {
		struct pollfd *want = &lg_pfds[i], *have = &lg_regs[i];

		if (want->fd == have->fd && want->events == have->events)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = (uint32_t)(unsigned short)want->events;
		ev.data.u32 = (uint32_t)i;
		if (have->fd >= 0 && want->fd != have->fd)
			(void)epoll_ctl(lg_epfd, EPOLL_CTL_DEL, have->fd, NULL);
		if (want->fd >= 0 && epoll_ctl(lg_epfd, want->fd == have->fd ?
		    EPOLL_CTL_MOD : EPOLL_CTL_ADD, want->fd, &ev) == -1)
			lg_die("epoll_ctl");
		*have = *want;
	}
}

/* One pass: wait up to wait_ns, then read and write what is ready. */
static void
lg_pass(uint64_t wait_ns)
{
	struct epoll_event ev[512];
	struct timespec ts;
	int i, n, k;

	lg_sync_interest();
	ts.tv_sec = (time_t)(wait_ns / 1000000000u);
	ts.tv_nsec = (long)(wait_ns % 1000000000u);
	if ((n = epoll_pwait2(lg_epfd, ev, 512, &ts, NULL)) == -1) {
		if (errno == EINTR)
			return;
		lg_die("epoll_pwait2");
	}
	for (k = 0; k < n; k++) {
		struct pollfd *pf;
		struct lg_conn *c;

		i = (int)ev[k].data.u32;
		pf = &lg_pfds[i];
		c = &lg_conns[i];
		pf->revents = (short)ev[k].events;
		if (pf->fd < 0 || pf->fd != lg_regs[i].fd)
			continue;
		if (c->stalled) {
			/* Not reading: an error or hangup is left for the
			   final check, so stop watching the descriptor. */
			pf->fd = -pf->fd - 1;
			continue;
		}
		if (pf->revents & POLLOUT)
			lg_write(c);
		if (pf->revents & (POLLIN | POLLHUP | POLLERR))
			lg_read(c);
		/* A TLS send that waited for the handshake may go on now. */
		if (c->tls != NULL && c->outlen > 0 &&
		    lgtls_send_waits_in(c->tls))
			pf->events |= POLLOUT;
	}
}

/* Connect conns [from, to) with at most cap logins at once; wait until
   all are ready or timeout_s pass.  Returns how many are ready. */
static int
lg_connect_all(int from, int to, int cap, double timeout_s)
{
	uint64_t deadline = lg_now() + (uint64_t)(timeout_s * 1e9);
	int next = from, want = lg_ready + (to - from);

	while (lg_ready < want && lg_now() < deadline) {
		while (next < to && lg_inlogin < cap)
			lg_connect(&lg_conns[next++]);
		lg_pass(10000000);
		if (lg_ready + lg_dead >= want + lg_dead && next >= to)
			break;
	}
	return lg_ready;
}

/* Run passes for s seconds, sending nothing. */
static void
lg_settle(double s)
{
	uint64_t end = lg_now() + (uint64_t)(s * 1e9);
	uint64_t now;

	while ((now = lg_now()) < end)
		lg_pass(end - now);
}

/* What /proc says about the server. */
struct lg_proc {
	double	cpu_s;
	long	rss_kb, hwm_kb, vcsw, ivcsw;
};

/* Sample the server's /proc entries. */
static void
lg_proc_read(struct lg_proc *p)
{
	char path[64], line[512], *s;
	unsigned long ut = 0, st = 0;
	FILE *fp;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)lg_pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL &&
		    (s = strrchr(line, ')')) != NULL)
			sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			    "%*u %lu %lu", &ut, &st);
		fclose(fp);
	}
	p->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)lg_pid);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		sscanf(line, "VmRSS: %ld", &p->rss_kb);
		sscanf(line, "VmHWM: %ld", &p->hwm_kb);
		sscanf(line, "voluntary_ctxt_switches: %ld", &p->vcsw);
		sscanf(line, "nonvoluntary_ctxt_switches: %ld", &p->ivcsw);
	}
	fclose(fp);
}

static char	lg_perf_path[64];

/* Start counting the server's syscalls with perf; -1 when it cannot. */
static pid_t
lg_perf_start(void)
{
	char pid[16];
	pid_t p;

	snprintf(lg_perf_path, sizeof(lg_perf_path), "/tmp/loadgen-perf-%d",
	    (int)getpid());
	unlink(lg_perf_path);
	snprintf(pid, sizeof(pid), "%d", (int)lg_pid);
	if ((p = fork()) == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("perf", "perf", "stat", "-x,", "-e",
		    "raw_syscalls:sys_enter", "-o", lg_perf_path, "-p", pid,
		    (char *)NULL);
		_exit(127);
	}
	return p;
}

/* Stop perf; the syscall count, or -1. */
static long long
lg_perf_stop(pid_t p)
{
	char line[256];
	long long n = -1;
	FILE *fp;

	if (p <= 0)
		return -1;
	kill(p, SIGINT);
	waitpid(p, NULL, 0);
	if ((fp = fopen(lg_perf_path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "raw_syscalls:sys_enter") != NULL &&
		    sscanf(line, "%lld,", &n) == 1)
			break;
	fclose(fp);
	unlink(lg_perf_path);
	return n;
}

/* qsort order for latencies. */
static int
lg_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Print latency percentiles in microseconds. */
static void
lg_print_latency(void)
{
	if (lg_nlat == 0) {
		printf("p50_us=NA\np99_us=NA\nmax_us=NA\n");
		return;
	}
	qsort(lg_lat, lg_nlat, sizeof(*lg_lat), lg_cmp);
	printf("p50_us=%.1f\np99_us=%.1f\nmax_us=%.1f\n",
	    lg_lat[lg_nlat / 2] / 1e3,
	    lg_lat[(size_t)((double)lg_nlat * 0.99)] / 1e3,
	    (double)lg_lat_max / 1e3);
}

/*
 * Drive traffic for dur seconds: flat out with a window (rate 0) or at a
 * fixed rate; then wait (at most 3 s) for what is in flight.  Prints the
 * figures.
 */
static void
lg_traffic(double dur, int window, int rate)
{
	struct lg_conn *snd = &lg_conns[0];
	struct lg_proc p0, p1;
	uint64_t t0, t1, end, now, due, in_window, wait;
	long long sys;
	pid_t perf;

	perf = lg_perf_start();
	lg_settle(0.3);			/* perf attaches */
	lg_proc_read(&p0);
	lg_record = true;
	t0 = lg_now();
	end = t0 + (uint64_t)(dur * 1e9);
	if (lg_x.n > 0)
		lg_x_start();
	while ((now = lg_now()) < end && snd->state == LG_READY) {
		wait = 5000000;
		if (rate == 0) {
			uint64_t f = lg_inflight();

			if (f <= (uint64_t)window / 2)
				lg_send_msgs(snd, window - (int)f);
		} else {
			due = (now - t0) * (uint64_t)rate / 1000000000u;
			if (due > lg_sent)
				lg_send_msgs(snd, due - lg_sent > 1000 ? 1000 :
				    (int)(due - lg_sent));
			wait = t0 + (lg_sent + 1) * 1000000000u /
			    (uint64_t)rate;
			wait = wait > now ? wait - now : 0;
		}
		if (snd->outlen > 0)
			lg_write(snd);
		lg_pass(wait);
	}
	in_window = lg_delivered;
	t1 = lg_now();
	end = t1 + (lg_idle_recv || lg_x.n > 0 ? 10000000000u : 3000000000u);
	while ((lg_inflight() > 0 || !lg_x_done()) && lg_now() < end)
		lg_pass(5000000);
	sys = lg_perf_stop(perf);
	lg_proc_read(&p1);
	lg_record = false;
	printf("sent=%llu\ndelivered=%llu\nrate=%.0f\n",
	    (unsigned long long)lg_sent, (unsigned long long)lg_delivered,
	    (double)in_window / ((double)(t1 - t0) / 1e9));
	lg_print_latency();
	printf("cpu_s=%.2f\ncpu_us_per_msg=%.3f\n", p1.cpu_s - p0.cpu_s,
	    lg_delivered ? (p1.cpu_s - p0.cpu_s) * 1e6 / (double)lg_delivered :
	    0.0);
	if (sys >= 0)
		printf("syscalls=%lld\nsys_per_msg=%.3f\n", sys,
		    lg_delivered ? (double)sys / (double)lg_delivered : 0.0);
	else
		printf("syscalls=NA\nsys_per_msg=NA\n");
	printf("rss_kb=%ld\nhwm_kb=%ld\nacks=%llu\nerrs=%llu\n", p1.rss_kb,
	    p1.hwm_kb, (unsigned long long)lg_acks,
	    (unsigned long long)lg_errs);
}

/* Read what the stalled receiver was sent; true when the server closed it. */
static bool
lg_stall_check(struct lg_conn *c, unsigned long long *bytes)
{
	struct pollfd *pf = &lg_pfds[c - lg_conns];
	int fd = pf->fd < 0 ? -pf->fd - 1 : pf->fd;
	uint64_t end = lg_now() + 5000000000u;
	ssize_t n;

	*bytes = 0;
	while (lg_now() < end && *bytes < (1ull << 30)) {
		n = recv(fd, lg_scratch, LG_SCRATCH, MSG_DONTWAIT);
		if (n > 0) {
			*bytes += (unsigned long long)n;
			continue;
		}
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return true;
		/* Nothing now: give the server a moment to send the rest. */
		struct pollfd one = { fd, POLLIN, 0 };
		if (poll(&one, 1, 200) == 0)
			return false;
	}
	return false;
}

/* Usage and exit. */
static void
lg_usage(void)
{
	fprintf(stderr, "usage: loadgen -P ours|irc|mqtt -p PORT -s "
	    "one|fan|idle|burst|stall -x SERVER_PID [-n N] [-d SECONDS] "
	    "[-w WINDOW] [-r RATE] [-f FANOUT] [-B] [-T] [-E CHATTERS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *scen = NULL, *proto = NULL;
	struct rlimit rl;
	struct lg_proc p0, p1, p2;
	double dur = 4;
	int ch, n = 1000, window = 256, rate = 1000, fan = 100, i, nrecv = 1;
	int nidle = 0, ready, chat = 0;
	bool bcast = false;
	uint64_t t0, t1;

	while ((ch = getopt(argc, argv, "P:p:s:x:n:d:w:r:f:BTE:")) != -1) {
		switch (ch) {
		case 'P': proto = optarg; break;
		case 'p': lg_port = atoi(optarg); break;
		case 's': scen = optarg; break;
		case 'x': lg_pid = (pid_t)atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 'w': window = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'f': fan = atoi(optarg); break;
		case 'B': bcast = true; break;
		case 'T': lg_tls = true; break;
		case 'E': chat = atoi(optarg); break;
		default: lg_usage();
		}
	}
	if (proto == NULL || scen == NULL || lg_port <= 0 || lg_pid <= 0 ||
	    n < 1 || n > 100000 || window < 2 || fan < 1 || fan > 10000)
		lg_usage();
	if (strcmp(proto, "ours") == 0)
		lg_proto = LG_OURS;
	else if (strcmp(proto, "irc") == 0)
		lg_proto = LG_IRC;
	else if (strcmp(proto, "mqtt") == 0)
		lg_proto = LG_MQTT;
	else
		lg_usage();
	signal(SIGPIPE, SIG_IGN);
	if (lg_tls && (strcmp(scen, "stall") == 0 || lgtls_init() == -1))
		lg_usage();	/* stall reads the raw socket */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	if (strcmp(scen, "one") == 0)
		nrecv = 1;
	else if (strcmp(scen, "fan") == 0)
		nrecv = fan, lg_shared = true;
	else if (strcmp(scen, "stall") == 0)
		nrecv = 2, lg_shared = true;
	else if (strcmp(scen, "idle") == 0)
		nidle = n;
	else if (strcmp(scen, "burst") == 0)
		nrecv = 0, nidle = n;
	else
		lg_usage();
	/* The chat needs our protocol and at least two idle clients (a
	   group of one could not be made). */
	if (chat != 0 && (lg_proto != LG_OURS || nidle == 0 || chat < 2 ||
	    chat > nidle))
		lg_usage();
	lg_nconns = (strcmp(scen, "burst") == 0 ? 0 : 1 + nrecv) + nidle;
	lg_nrecv = nrecv;
	if ((lg_conns = calloc((size_t)lg_nconns, sizeof(*lg_conns))) == NULL ||
	    (lg_pfds = calloc((size_t)lg_nconns, sizeof(*lg_pfds))) == NULL ||
	    (lg_regs = calloc((size_t)lg_nconns, sizeof(*lg_regs))) == NULL ||
	    (lg_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (lg_lat = malloc(LG_LAT_MAX * sizeof(*lg_lat))) == NULL)
		lg_die("malloc");
	for (i = 0; i < lg_nconns; i++) {
		lg_conns[i].id = i;
		lg_pfds[i].fd = -1;
		lg_regs[i].fd = -1;
		if (strcmp(scen, "burst") == 0 || i > nrecv)
			lg_conns[i].role = LG_IDLE;
		else if (i == 0)
			lg_conns[i].role = LG_SEND;
		else if (strcmp(scen, "stall") == 0 && i == 2)
			lg_conns[i].role = LG_STALL;
		else
			lg_conns[i].role = LG_RECV;
	}
	/* BROADCAST with idle clients (make soak) reaches them too: the
	   drain waits for them as well. */
	lg_idle_recv = bcast && lg_proto == LG_OURS &&
	    strcmp(scen, "idle") == 0;
	if (lg_shared || bcast)
		lg_topic = lg_proto == LG_OURS ? "*" :
		    lg_proto == LG_IRC ? "#b" : "b/all";
	else
		lg_topic = lg_proto == LG_OURS ? "u1" :
		    lg_proto == LG_IRC ? "u1" : "b/u1";
	if (chat > 0)
		lg_x_init(chat);
	printf("scenario=%s\nproto=%s\n", scen, proto);

	if (strcmp(scen, "burst") == 0) {
		lg_proc_read(&p0);
		t0 = lg_now();
		ready = lg_connect_all(0, lg_nconns, lg_nconns, 30);
		t1 = lg_now();
		lg_settle(0.5);
		lg_proc_read(&p1);
		printf("clients=%d\nlogged_in=%d\nlogin_s=%.3f\nlogins_per_s=%.0f\n"
		    "cpu_s=%.2f\nrss_kb=%ld\nhwm_kb=%ld\n", lg_nconns, ready,
		    (double)(t1 - t0) / 1e9, ready / ((double)(t1 - t0) / 1e9),
		    p1.cpu_s - p0.cpu_s, p1.rss_kb, p1.hwm_kb);
		return 0;
	}
	lg_proc_read(&p0);
	/* Sender and receivers first, then the idle crowd. */
	if (lg_connect_all(0, 1 + nrecv, LG_CONNECTING_MAX, 30) < 1 + nrecv) {
		fprintf(stderr, "loadgen: only %d of %d clients logged in\n",
		    lg_ready, 1 + nrecv);
		return 1;
	}
	if (nidle > 0) {
		ready = lg_connect_all(1 + nrecv, lg_nconns,
		    LG_CONNECTING_MAX, 40);
		/* Memory per idle client 1 s and 10 s after the burst: before
		   and after any trim the server does once it is quiet. */
		lg_settle(1.0);
		lg_proc_read(&p1);
		lg_settle(9.0);
		lg_proc_read(&p2);
		printf("clients=%d\nlogged_in=%d\nrss0_kb=%ld\nrss_1s_kb=%ld\n"
		    "rss_idle_kb=%ld\nper_client_1s_b=%.0f\nper_client_b=%.0f\n"
		    "wakeups_per_s=%.1f\n", lg_nconns, ready, p0.rss_kb,
		    p1.rss_kb, p2.rss_kb, (double)(p1.rss_kb - p0.rss_kb) *
		    1024.0 / lg_nconns, (double)(p2.rss_kb - p0.rss_kb) *
		    1024.0 / lg_nconns, (double)(p2.vcsw + p2.ivcsw - p1.vcsw -
		    p1.ivcsw) / 9.0);
	} else
		lg_settle(0.3);
	if (strcmp(scen, "stall") == 0) {
		lg_conns[2].stalled = true;
		lg_pfds[2].events = 0;
	}
	lg_traffic(dur, window, nidle > 0 ? rate : 0);
	if (strcmp(scen, "stall") == 0) {
		unsigned long long bytes;
		bool dropped = lg_stall_check(&lg_conns[2], &bytes);

		printf("stall_dropped=%d\nstall_bytes=%llu\n", dropped ? 1 : 0,
		    bytes);
	}
	if (lg_x.n > 0)
		lg_x_print();
	lg_settle(0.2);
	printf("held=%d\nlost=%d\n", lg_ready, lg_dead);
	return 0;
}
