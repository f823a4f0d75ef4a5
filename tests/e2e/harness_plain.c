/*
 * harness_plain.c - the e2e harness's plain client driver: the real
 * tui-client --plain, its stdin written, its output expected line by
 * line (see harness.h).
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

struct cli *
cli_start(struct srv *s, ...)
{
	char *argv[MAX_ARGS];
	char port[16], cwd[400];
	int in_pipe[2], out_pipe[2], n = 0;
	struct cli *c;
	va_list ap;

	snprintf(port, sizeof(port), "%d", s->port);
	argv[n++] = (char *)"tui-client";
	argv[n++] = (char *)"--plain";
	argv[n++] = (char *)"127.0.0.1";
	argv[n++] = port;
	va_start(ap, s);
	while (n < MAX_ARGS - 2 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;

	snprintf(cwd, sizeof(cwd), "%s/client", s->dir);
	if (mkdir(cwd, 0755) == -1 && errno != EEXIST) {
		e2e_set_error("mkdir %s: %s", cwd, strerror(errno));
		return NULL;
	}
	if (pipe2(in_pipe, O_CLOEXEC) == -1)
		return NULL;
	if (pipe2(out_pipe, O_CLOEXEC) == -1) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		return NULL;
	}
	c = e2e_xcalloc(1, sizeof(*c));
	c->srv = s;
	c->status = -1;
	c->pid = e2e_spawn(E2E_CLIENT_BIN, argv, cwd, in_pipe[0], out_pipe[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	if (c->pid == -1) {
		close(in_pipe[1]);
		close(out_pipe[0]);
		free(c);
		return NULL;
	}
	c->in = in_pipe[1];
	stream_init(&c->out, out_pipe[0], "client");
	fcntl(c->out.fd, F_SETFL, fcntl(c->out.fd, F_GETFL) | O_NONBLOCK);
	return c;
}

void
cli_label(struct cli *c, const char *label)
{
	snprintf(c->out.label, sizeof(c->out.label), "client %s", label);
}

static void
cli_explain(struct cli *c, const char *what)
{
	c->why[0] = '\0';
	e2e_bcat(c->why, sizeof(c->why), "%s (pid %d", c->out.label, (int)c->pid);
	if (c->pid == -1)
		e2e_bcat(c->why, sizeof(c->why), ", exited with status %d",
		    c->status);
	e2e_bcat(c->why, sizeof(c->why), "): %s\n  last output lines:\n", what);
	stream_tail(&c->out, c->why, sizeof(c->why));
	if (c->srv != NULL) {
		srv_note(c->srv, c->why, sizeof(c->why));
		e2e_bcat(c->why, sizeof(c->why), "  server log (%s):\n",
		    c->srv->log);
		e2e_bcat(c->why, sizeof(c->why), "%s", srv_log_tail(c->srv, 8));
	}
}

const char *
cli_why(struct cli *c)
{
	return c->why[0] != '\0' ? c->why : "(no failure recorded)";
}

bool
cli_send(struct cli *c, const char *line)
{
	size_t len = strlen(line), off = 0;
	char *buf = e2e_xcalloc(1, len + 2);
	ssize_t n;

	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (c->in != -1 && off < len) {
		n = write(c->in, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			char what[300];

			snprintf(what, sizeof(what), "cannot send \"%s\": %s",
			    line, strerror(errno));
			free(buf);
			stream_drain(&c->out);
			cli_explain(c, what);
			return false;
		}
		off += (size_t)n;
	}
	free(buf);
	if (c->in == -1) {
		cli_explain(c, "cannot send: stdin already closed");
		return false;
	}
	return true;
}

static bool
cli_expect_how(struct cli *c, const char *pat, enum match how, int ms)
{
	const char *pats[1] = { pat };
	char what[400];
	bool eof;

	if (stream_expect(&c->out, pats, 1, how, ms, &eof) == 0)
		return true;
	snprintf(what, sizeof(what), "no line %s \"%s\" %s",
	    how == M_EXACT ? "equal to" : "containing", pat,
	    eof ? "before its output ended" : "");
	if (!eof)
		e2e_bcat(what, sizeof(what), "within %d ms", ms);
	cli_explain(c, what);
	return false;
}

bool
cli_expect(struct cli *c, const char *sub, int ms)
{
	return cli_expect_how(c, sub, M_SUB, ms);
}

bool
cli_expect_line(struct cli *c, const char *line, int ms)
{
	return cli_expect_how(c, line, M_EXACT, ms);
}

int
cli_expect_any(struct cli *c, int ms, ...)
{
	const char *pats[16];
	char what[600];
	size_t n = 0, i;
	va_list ap;
	bool eof;
	int r;

	va_start(ap, ms);
	while (n < 16 && (pats[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	r = stream_expect(&c->out, pats, n, M_SUB, ms, &eof);
	if (r >= 0)
		return r;
	snprintf(what, sizeof(what), "no line containing any of");
	for (i = 0; i < n; i++)
		e2e_bcat(what, sizeof(what), " \"%s\"", pats[i]);
	e2e_bcat(what, sizeof(what), eof ? " before its output ended" :
	    " within %d ms", ms);
	cli_explain(c, what);
	return -1;
}

const char *
cli_last(struct cli *c)
{
	return c->out.pos > 0 ? c->out.line[c->out.pos - 1] : "";
}

size_t
cli_mark(struct cli *c)
{
	return c->out.pos;
}

const char *
cli_saw(struct cli *c, size_t from, const char *sub)
{
	size_t i;

	for (i = from; i < c->out.pos; i++)
		if (strstr(c->out.line[i], sub) != NULL)
			return c->out.line[i];
	return NULL;
}

const char *
cli_saw_re(struct cli *c, size_t from, const char *re)
{
	const char *found = NULL;
	regex_t rx;
	size_t i;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "e2e: bad regex %s\n", re);
		return NULL;
	}
	for (i = from; i < c->out.pos && found == NULL; i++)
		if (regexec(&rx, c->out.line[i], 0, NULL, 0) == 0)
			found = c->out.line[i];
	regfree(&rx);
	return found;
}

const char *
cli_lines(struct cli *c, size_t from)
{
	static char buf[4096];
	size_t i;

	buf[0] = '\0';
	for (i = from; i < c->out.pos; i++)
		e2e_bcat(buf, sizeof(buf), "    | %.*s\n", TAIL_WIDTH,
		    c->out.line[i]);
	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "    (no lines)\n");
	return buf;
}

int
cli_wait(struct cli *c, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];
	int st;

	if (c->pid == -1)
		return c->status;
	for (;;) {
		st = e2e_wait_pid(c->pid, 0);
		if (st != -2)
			break;
		if (e2e_remaining(deadline) == 0) {
			e2e_kill_wait(c->pid);
			c->pid = -1;
			c->status = -1;
			stream_drain(&c->out);
			snprintf(what, sizeof(what), "did not exit within "
			    "%d ms (killed)", ms);
			cli_explain(c, what);
			return -1;
		}
		/* Keep reading so that it never blocks on a full pipe. */
		if (!stream_fill(&c->out, e2e_remaining(deadline) < 20 ?
		    e2e_remaining(deadline) : 20) && c->out.eof)
			e2e_nap(5);
	}
	c->pid = -1;
	c->status = st;
	stream_drain(&c->out);
	snprintf(what, sizeof(what), "exited with status %d", st);
	cli_explain(c, what);
	return st;
}

int
cli_close_wait(struct cli *c, int ms)
{
	if (c->in != -1) {
		close(c->in);
		c->in = -1;
	}
	return cli_wait(c, ms);
}

void
cli_free(struct cli *c)
{
	if (c == NULL)
		return;
	if (c->in != -1)
		close(c->in);
	if (c->pid != -1)
		e2e_kill_wait(c->pid);
	stream_free(&c->out);
	free(c);
}
