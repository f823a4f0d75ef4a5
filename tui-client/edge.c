/*
 * edge.c - EDG, UED, SCS and DTE in the client.
 *
 * UED on the wire: "UPLOAD ID SIZE", then "UPDATA ID {N}" chunks sent
 * without waiting for their replies, then "UPEND ID".  edge_pump() queues
 * chunks only while less than EDGE_OUT_LOW bytes wait to be written and
 * enough request slots are free, so the client holds at most one chunk
 * being read plus the bounded output queue.  Each UPDATA reply says how
 * many bytes the server has; that drives the progress bar.  The first ERR
 * ends the upload; later replies of the same upload carry an old serial
 * number and are ignored.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "fdio.h"
#include "app.h"
#include "edge.h"
#include "model.h"
#include "net.h"

/* Bytes of the buffer EDG writes through. */
#define EDGE_GEN_BUF	65536

static const char *const edge_ops[] = { "SUM", "AVERAGE", "MAX", "MIN" };

/* Where the upload is. */
enum edge_up_state {
	EDGE_UP_IDLE = 0,
	EDGE_UP_START,		/* UPLOAD sent */
	EDGE_UP_SEND,		/* sending chunks */
	EDGE_UP_END,		/* UPEND sent */
};

/* The one upload of this client. */
static struct {
	enum edge_up_state	 state;
	unsigned long		 serial;	/* changes when an upload ends */
	long long		 id;
	int			 fd;
	uint64_t		 size;
	uint64_t		 queued;	/* bytes handed to net */
	uint64_t		 acked;		/* bytes the server has */
	int			 xfer;		/* model transfer id, or -1 */
	int64_t			 last_report_ms;
	char			 name[PATH_MAX];
} edge_up = { .fd = -1, .xfer = -1 };

/* The EDG being written, if any. */
static struct edge_gen	edge_gen_job = { .fd = -1 };
static bool		edge_gen_on;
static int		edge_gen_xfer = -1;

static void	edge_gen_pump(struct app *a);

/* One chunk read from the file. */
static char edge_chunk[EDGE_CHUNK];

/* "<user>-<ID>.txt". */
int
edge_local_name(const char *user, long long id, char *buf, size_t len)
{
	int n;

	if (id < 0 || !proto_valid_user(user))
		return -1;
	n = snprintf(buf, len, "%s-%lld.txt", user, id);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* splitmix64: a small, good generator for test data (not for secrets). */
static uint64_t
edge_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* v and a LF at p; returns the bytes written (at most 12). */
static size_t
edge_put_int(char *p, int32_t v)
{
	char tmp[12];
	uint32_t u = v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		p[i++] = '-';
	while (n > 0)
		p[i++] = tmp[--n];
	p[i++] = '\n';
	return i;
}

/* Start writing n random integers to path (through path.tmp). */
int
edge_gen_open(struct edge_gen *g, const char *path, long long n)
{
	memset(g, 0, sizeof(*g));
	g->fd = -1;
	if (n < 1 || snprintf(g->path, sizeof(g->path), "%s", path) >=
	    (int)sizeof(g->path)) {
		errno = n < 1 ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	snprintf(g->tmp, sizeof(g->tmp), "%s.tmp", path);
	g->n = n;
	if (getrandom(&g->seed, sizeof(g->seed), 0) != sizeof(g->seed))
		g->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if ((g->buf = malloc(EDGE_GEN_BUF)) == NULL)
		return -1;
	/* Never through a link someone left at path.tmp (it would truncate
	   the file it points at): ELOOP instead. */
	if ((g->fd = open(g->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		free(g->buf);
		g->buf = NULL;
		return -1;
	}
	return 0;
}

/* Give up: close and remove the temporary file. */
void
edge_gen_abort(struct edge_gen *g)
{
	int saved = errno;

	free(g->buf);
	g->buf = NULL;
	if (g->fd != -1) {
		close(g->fd);
		unlink(g->tmp);
	}
	g->fd = -1;
	errno = saved;
}

/* Write up to max more integers; 1 when the file is complete. */
int
edge_gen_step(struct edge_gen *g, long long max)
{
	size_t used = 0;
	long long end = g->n - g->done > max ? g->done + max : g->n;
	int fd;

	for (; g->done < end; g->done++) {
		if (EDGE_GEN_BUF - used < 12) {
			if (fdio_write_all(g->fd, g->buf, used) == -1)
				goto fail;
			g->bytes += used;
			used = 0;
		}
		used += edge_put_int(g->buf + used,
		    (int32_t)(uint32_t)(edge_rand(&g->seed) >> 32));
	}
	if (fdio_write_all(g->fd, g->buf, used) == -1)
		goto fail;
	g->bytes += used;
	if (g->done < g->n)
		return 0;
	free(g->buf);
	g->buf = NULL;
	fd = g->fd;
	g->fd = -1;
	if (close(fd) == -1 || rename(g->tmp, g->path) == -1) {
		int saved = errno;

		unlink(g->tmp);
		errno = saved;
		return -1;
	}
	return 1;
fail:
	edge_gen_abort(g);
	return -1;
}

/* Write n random integers to path, replacing it whole. */
int
edge_generate(const char *path, long long n)
{
	struct edge_gen g;
	int r;

	if (edge_gen_open(&g, path, n) == -1)
		return -1;
	while ((r = edge_gen_step(&g, EDGE_GEN_STEP)) == 0)
		;
	return r == 1 ? 0 : -1;
}

/* Check an ID argument; 0, or -1 with a message. */
static int
edge_check_one_id(const char *word, const char *arg, long long *id,
    char *err, size_t errlen)
{
	if (proto_parse_int(arg, 0, LLONG_MAX, id) == 0)
		return 0;
	snprintf(err, errlen, "%s: ID must be a non-negative integer, not "
	    "'%.32s'", word, arg);
	return -1;
}

/* EDG ID N: ID an integer >= 0, N from 1 to EDGE_GEN_MAX. */
int
edge_check_gen(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	long long id, n;

	if (edge_check_one_id(word, argv[0], &id, err, errlen) == -1)
		return -1;
	if (proto_parse_int(argv[1], 1, EDGE_GEN_MAX, &n) == 0)
		return 0;
	snprintf(err, errlen, "%s: N must be a positive integer (at most "
	    "%lld), not '%.32s'", word, EDGE_GEN_MAX, argv[1]);
	return -1;
}

/* UED ID, DTE ID. */
int
edge_check_id(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	long long id;

	return edge_check_one_id(word, argv[0], &id, err, errlen);
}

/* The index of operation s in edge_ops (any case), or -1. */
static int
edge_op_index(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(edge_ops) / sizeof(edge_ops[0]); i++)
		if (strcasecmp(s, edge_ops[i]) == 0)
			return (int)i;
	return -1;
}

/* SCS ID OP. */
int
edge_check_stats(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	long long id;

	if (edge_check_one_id(word, argv[0], &id, err, errlen) == -1)
		return -1;
	if (edge_op_index(argv[1]) != -1)
		return 0;
	snprintf(err, errlen, "%s: unknown operation '%.32s' (use SUM, "
	    "AVERAGE, MAX or MIN)", word, argv[1]);
	return -1;
}

/* This user's file name for the ID argument; -1 after showing why. */
static int
edge_name_for(struct app *a, const char *word, const char *arg, long long *id,
    char *name, size_t len)
{
	struct model *m = app_model(a);

	if (proto_parse_int(arg, 0, LLONG_MAX, id) == -1 ||
	    edge_local_name(model_self(m), *id, name, len) == -1) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s: bad ID '%.32s'",
		    word, arg);
		return -1;
	}
	return 0;
}

/* EDG ID N: write the file and say where. */
void
edge_do_gen(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	char name[PATH_MAX], label[MODEL_XFER_LABEL_MAX];
	long long id, n;

	(void)argc;
	if (edge_name_for(a, "EDG", argv[0], &id, name, sizeof(name)) == -1 ||
	    proto_parse_int(argv[1], 1, EDGE_GEN_MAX, &n) == -1)
		return;
	if (edge_gen_on) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: EDG: %s is still "
		    "being written", edge_gen_job.path);
		return;
	}
	if (edge_gen_open(&edge_gen_job, name, n) == -1) {
		if (errno == ELOOP)
			model_add_line(m, MODEL_LINE_ERROR, "Error: EDG: %s.tmp "
			    "is a symbolic link; nothing was written (remove "
			    "it if it is yours)", name);
		else
			model_add_line(m, MODEL_LINE_ERROR, "Error: EDG: cannot "
			    "write %s: %s", name, strerror(errno));
		return;
	}
	edge_gen_on = true;
	edge_gen_xfer = -1;
	if (n > EDGE_GEN_STEP) {
		/* A bar for the big ones; the total in bytes is not known
		   ahead, so it shows bytes written and the rate. */
		snprintf(label, sizeof(label), "EDG %lld", id);
		edge_gen_xfer = model_xfer_start(m, MODEL_XFER_SEND, label, 0,
		    mono_now_ms());
		model_add_line(m, MODEL_LINE_INFO, "Writing %lld random "
		    "integers to %s", n, name);
	}
	edge_gen_pump(a);
}

/* Write the next part of the EDG file; say when it is done. */
static void
edge_gen_pump(struct app *a)
{
	struct model *m = app_model(a);
	char cwd[PATH_MAX];
	long long n = edge_gen_job.n;
	int r;

	if (!edge_gen_on)
		return;
	if (app_done(a, NULL)) {
		edge_gen_abort(&edge_gen_job);
		r = -2;
	} else if ((r = edge_gen_step(&edge_gen_job, EDGE_GEN_STEP)) == 0) {
		if (edge_gen_xfer != -1)
			model_xfer_progress(m, edge_gen_xfer,
			    edge_gen_job.bytes, mono_now_ms());
		return;
	}
	edge_gen_on = false;
	if (edge_gen_xfer != -1)
		model_xfer_end(m, edge_gen_xfer, r == 1, mono_now_ms());
	if (r == -1)
		model_add_line(m, MODEL_LINE_ERROR, "Error: EDG: cannot write "
		    "%s: %s", edge_gen_job.path, strerror(errno));
	if (r != 1)
		return;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), ".");
	model_add_line(m, MODEL_LINE_NORMAL, "Wrote %lld random integer%s to "
	    "%s/%s", n, n == 1 ? "" : "s", cwd, edge_gen_job.path);
}

/* 0 while EDG has more to write. */
int
edge_poll_timeout(void)
{
	return edge_gen_on ? 0 : -1;
}

/* The upload ended: close, end the progress bar, ignore later replies. */
static void
edge_up_end(struct app *a, bool ok)
{
	if (edge_up.fd != -1)
		close(edge_up.fd);
	edge_up.fd = -1;
	if (edge_up.xfer != -1)
		model_xfer_end(app_model(a), edge_up.xfer, ok, mono_now_ms());
	edge_up.xfer = -1;
	edge_up.state = EDGE_UP_IDLE;
	edge_up.serial++;
}

/* The connection to the server is gone: the upload cannot go on. */
void
edge_lost(struct app *a)
{
	if (edge_up.state == EDGE_UP_IDLE)
		return;
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: UED %lld: "
	    "the connection was lost; upload it again", edge_up.id);
	edge_up_end(a, false);
}

/* True when a reply belongs to the upload running now. */
static bool
edge_up_current(void *arg)
{
	return edge_up.state != EDGE_UP_IDLE &&
	    (unsigned long)(uintptr_t)arg == edge_up.serial;
}

/* A server error ends the upload. */
static void
edge_up_failed(struct app *a, const struct proto_msg *msg)
{
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: upload of %s "
	    "failed: %s", edge_up.name, msg->text[0] ? msg->text : msg->code);
	edge_up_end(a, false);
}

/* Reply to UPLOAD: start sending, or stop. */
static void
edge_on_start(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (!edge_up_current(arg) || msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		edge_up_failed(a, msg);
		return;
	}
	edge_up.state = EDGE_UP_SEND;
	edge_pump(a);
}

/* Reply to a chunk: "OK BYTES" so far, for the progress bar. */
static void
edge_on_chunk(struct app *a, void *arg, const struct proto_msg *msg)
{
	long long got;
	int64_t now;

	if (!edge_up_current(arg) || msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		edge_up_failed(a, msg);
		return;
	}
	if (proto_parse_int(msg->text, 0, LLONG_MAX, &got) == -1)
		return;
	edge_up.acked = (uint64_t)got;
	now = mono_now_ms();
	if (edge_up.xfer != -1 && (now - edge_up.last_report_ms >=
	    EDGE_PROGRESS_MS || edge_up.acked == edge_up.size)) {
		edge_up.last_report_ms = now;
		model_xfer_progress(app_model(a), edge_up.xfer, edge_up.acked,
		    now);
	}
	/* A slot is free again: keep the pipe full between loop passes. */
	edge_pump(a);
}

/* Reply to UPEND: stored (with the count), or refused. */
static void
edge_on_end(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (!edge_up_current(arg) || msg->kind == PROTO_MSG_DATA)
		return;
	if (msg->kind == PROTO_MSG_ERR) {
		edge_up_failed(a, msg);
		return;
	}
	model_add_line(app_model(a), MODEL_LINE_NORMAL, "Uploaded %s: %s",
	    edge_up.name, msg->text);
	edge_up_end(a, true);
}

/* A reply nobody waits for (UPEND after a local read error). */
static void
edge_on_ignore(struct app *a, void *arg, const struct proto_msg *msg)
{
}

/* UED ID: open the file and announce it; edge_pump sends the rest. */
void
edge_do_upload(struct app *a, int argc, char **argv)
{
	struct model *m = app_model(a);
	char name[PATH_MAX], args[64], label[MODEL_XFER_LABEL_MAX];
	struct stat st;
	long long id;
	int fd;

	if (edge_up.state != EDGE_UP_IDLE) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: UED: an upload "
		    "(file %lld) is already running", edge_up.id);
		return;
	}
	if (edge_name_for(a, "UED", argv[0], &id, name, sizeof(name)) == -1)
		return;
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			model_add_line(m, MODEL_LINE_ERROR, "Error: UED: no "
			    "local file %s (make one with EDG %lld N)", name,
			    id);
		else
			model_add_line(m, MODEL_LINE_ERROR, "Error: UED: "
			    "cannot open %s: %s", name, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		model_add_line(m, MODEL_LINE_ERROR, "Error: UED: %s is not a "
		    "regular file", name);
		close(fd);
		return;
	}
	snprintf(args, sizeof(args), "%lld %lld", id, (long long)st.st_size);
	edge_up.serial++;
	if (app_send_hook(a, edge_on_start, (void *)(uintptr_t)edge_up.serial,
	    PROTO_V_UPLOAD, args) == -1) {
		close(fd);
		return;
	}
	edge_up.state = EDGE_UP_START;
	edge_up.id = id;
	edge_up.fd = fd;
	edge_up.size = (uint64_t)st.st_size;
	edge_up.queued = edge_up.acked = 0;
	edge_up.last_report_ms = 0;
	snprintf(edge_up.name, sizeof(edge_up.name), "%s", name);
	snprintf(label, sizeof(label), "UED %lld", id);
	model_add_line(m, MODEL_LINE_INFO, "Uploading %s (%lld bytes) as "
	    "file %lld", name, (long long)st.st_size, id);
	edge_up.xfer = model_xfer_start(m, MODEL_XFER_SEND, label,
	    edge_up.size, mono_now_ms());
}

/* True while an upload runs. */
bool
edge_busy(void)
{
	return edge_up.state != EDGE_UP_IDLE || edge_gen_on;
}

/* Read the next chunk; its length, or -1 after showing why. */
static ssize_t
edge_read_chunk(struct app *a)
{
	uint64_t left = edge_up.size - edge_up.queued;
	size_t want = left < sizeof(edge_chunk) ? (size_t)left :
	    sizeof(edge_chunk);
	ssize_t n;

	do
		n = pread(edge_up.fd, edge_chunk, want, (off_t)edge_up.queued);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		return n;
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: UED: reading "
	    "%s: %s", edge_up.name, n == 0 ? "the file got shorter" :
	    strerror(errno));
	return -1;
}

/* Queue chunks while there is room, then UPEND. */
void
edge_pump(struct app *a)
{
	char idtext[32];
	ssize_t n;
	void *serial = (void *)(uintptr_t)edge_up.serial;

	edge_gen_pump(a);
	if (edge_up.state == EDGE_UP_IDLE)
		return;
	if (app_done(a, NULL)) {
		edge_up_end(a, false);
		return;
	}
	if (edge_up.state != EDGE_UP_SEND)
		return;
	snprintf(idtext, sizeof(idtext), "%lld", edge_up.id);
	while (edge_up.queued < edge_up.size &&
	    app_out_queued(a) < EDGE_OUT_LOW &&
	    app_pending(a) + EDGE_PENDING_SPARE < NET_PENDING_MAX) {
		if ((n = edge_read_chunk(a)) == -1) {
			/* The server drops the part when UPEND comes short. */
			app_send_hook(a, edge_on_ignore, NULL, PROTO_V_UPEND,
			    idtext);
			edge_up_end(a, false);
			return;
		}
		if (app_send_blob_hook(a, edge_on_chunk, serial,
		    PROTO_V_UPDATA, idtext, edge_chunk, (size_t)n) == -1) {
			edge_up_end(a, false);
			return;
		}
		edge_up.queued += (uint64_t)n;
	}
	if (edge_up.queued == edge_up.size) {
		if (app_send_hook(a, edge_on_end, serial, PROTO_V_UPEND,
		    idtext) == -1) {
			edge_up_end(a, false);
			return;
		}
		edge_up.state = EDGE_UP_END;
	}
}

/* The reply to SCS or DTE: the server's sentence, or its error. */
static void
edge_on_reply(struct app *a, void *arg, const struct proto_msg *msg)
{
	if (msg->kind == PROTO_MSG_OK)
		model_add_line(app_model(a), MODEL_LINE_NORMAL, "%s",
		    msg->text);
	else if (msg->kind == PROTO_MSG_ERR)
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: %s",
		    msg->text[0] ? msg->text : msg->code);
}

/* SCS ID OP. */
void
edge_do_stats(struct app *a, int argc, char **argv)
{
	char args[80];
	long long id;
	int op;

	if (proto_parse_int(argv[0], 0, LLONG_MAX, &id) == -1 ||
	    (op = edge_op_index(argv[1])) == -1)
		return;
	snprintf(args, sizeof(args), "%lld %s", id, edge_ops[op]);
	app_send_hook(a, edge_on_reply, NULL, PROTO_V_STATS, args);
}

/* DTE ID. */
void
edge_do_delete(struct app *a, int argc, char **argv)
{
	char args[32];
	long long id;

	if (proto_parse_int(argv[0], 0, LLONG_MAX, &id) == -1)
		return;
	snprintf(args, sizeof(args), "%lld", id);
	app_send_hook(a, edge_on_reply, NULL, PROTO_V_DELETE, args);
}

const struct feature edge_feature = {
	.name = "edge",
	.poll_timeout = edge_poll_timeout,
	.pump = edge_pump,
	.busy = edge_busy,
	.lost = edge_lost,
};
