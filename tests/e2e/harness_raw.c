/*
 * harness_raw.c - the e2e harness's raw socket driver: protocol lines
 * written to and read from the server's port (see harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

struct raw *
raw_connect(struct srv *s)
{
	static int count;
	struct raw *r;
	char label[32];
	int fd;

	fd = e2e_tcp_connect(s->port);
	if (fd == -1) {
		e2e_set_error("connect 127.0.0.1:%d: %s", s->port,
		    strerror(errno));
		return NULL;
	}
	r = e2e_xcalloc(1, sizeof(*r));
	r->srv = s;
	snprintf(label, sizeof(label), "raw connection %d", ++count);
	stream_init(&r->in, fd, label);
	return r;
}

static void
raw_explain(struct raw *r, const char *what)
{
	r->why[0] = '\0';
	e2e_bcat(r->why, sizeof(r->why), "%s: %s\n  lines received:\n",
	    r->in.label, what);
	stream_tail(&r->in, r->why, sizeof(r->why));
	srv_note(r->srv, r->why, sizeof(r->why));
	e2e_bcat(r->why, sizeof(r->why), "  server log (%s):\n", r->srv->log);
	e2e_bcat(r->why, sizeof(r->why), "%s", srv_log_tail(r->srv, 8));
}

const char *
raw_why(struct raw *r)
{
	return r->why[0] != '\0' ? r->why : "(no failure recorded)";
}

bool
raw_send_bytes(struct raw *r, const void *buf, size_t len)
{
	const char *p = buf;
	char what[200];
	ssize_t n;

	while (len > 0) {
		n = send(r->in.fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(what, sizeof(what), "send: %s",
			    strerror(errno));
			raw_explain(r, what);
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool
raw_send(struct raw *r, const char *line)
{
	size_t len = strlen(line);
	char *buf = e2e_xcalloc(1, len + 2);
	bool ok;

	memcpy(buf, line, len);
	buf[len] = '\n';
	ok = raw_send_bytes(r, buf, len + 1);
	free(buf);
	return ok;
}

const char *
raw_next(struct raw *r, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];

	while (r->in.pos >= r->in.n) {
		if (r->in.eof) {
			raw_explain(r, "connection closed, no more lines");
			return NULL;
		}
		if (e2e_remaining(deadline) == 0) {
			snprintf(what, sizeof(what), "no line within %d ms",
			    ms);
			raw_explain(r, what);
			return NULL;
		}
		stream_fill(&r->in, e2e_remaining(deadline));
	}
	return r->in.line[r->in.pos++];
}

bool
raw_expect(struct raw *r, const char *prefix, int ms)
{
	const char *line = raw_next(r, ms);
	char what[400];

	if (line == NULL) {
		snprintf(what, sizeof(what), "expected a line starting with "
		    "\"%s\"; ", prefix);
		e2e_bcat(what, sizeof(what), "%s", r->in.eof ?
		    "the connection was closed" : "nothing came");
		raw_explain(r, what);
		return false;
	}
	if (strncmp(line, prefix, strlen(prefix)) != 0) {
		snprintf(what, sizeof(what), "expected a line starting with "
		    "\"%s\", got \"%.200s\"", prefix, line);
		raw_explain(r, what);
		return false;
	}
	return true;
}

bool
raw_expect_closed(struct raw *r, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];

	while (!r->in.eof) {
		if (e2e_remaining(deadline) == 0) {
			snprintf(what, sizeof(what), "still open after %d ms",
			    ms);
			raw_explain(r, what);
			return false;
		}
		stream_fill(&r->in, e2e_remaining(deadline));
	}
	return true;
}

void
raw_close(struct raw *r)
{
	if (r == NULL)
		return;
	stream_free(&r->in);
	free(r);
}

/*
 * A raw connection from a given loopback source address (127.0.0.2, ...),
 * so that a test can play a second machine.  NULL on failure.
 */
struct raw *
raw_connect_from(struct srv *s, const char *src)
{
	struct sockaddr_in sa;
	struct raw *r;
	char label[48];
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		e2e_set_error("bind %s: %s", src, strerror(errno));
		close(fd);
		return NULL;
	}
	sa.sin_port = htons((unsigned short)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		e2e_set_error("connect from %s: %s", src, strerror(errno));
		close(fd);
		return NULL;
	}
	r = e2e_xcalloc(1, sizeof(*r));
	r->srv = s;
	snprintf(label, sizeof(label), "raw connection from %s", src);
	stream_init(&r->in, fd, label);
	return r;
}
