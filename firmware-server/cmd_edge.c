/*
 * cmd_edge.c - edge data: UPLOAD UPDATA UPEND STATS DELETE.
 *
 * A user's files live in DATA_DIR/edge/USERDIR/ (see edge_user_dir): the
 * data as ID.txt and its aggregates as ID.stats.  An upload streams into
 * ID.txt.part: every UPDATA chunk is checked (edge_scan), folded into the
 * aggregates and written at once, so the server holds one chunk at a time
 * whatever the size.  UPEND syncs the data, writes ID.stats atomically,
 * renames the part over ID.txt and appends to upload-log.txt; until then
 * nothing exists under the final name, and a session that ends half-way
 * (or a bad line, or a short upload) removes the part.  STATS answers from
 * ID.stats without reading the data, so it never stalls the loop.
 *
 * ID.stats names the inode and size of the data it describes: a crash
 * between writing it and the final rename leaves stats that no longer
 * match, and STATS or DELETE then recount the data once (logged).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "cmd.h"
#include "edge_data.h"
#include "fed.h"
#include "log.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "timefmt.h"

/* Start the disk writing every so many bytes, so the final sync is short. */
#define CMD_EDGE_WRITEBACK	(8 * 1024 * 1024)
/* Read size when a file must be recounted. */
#define CMD_EDGE_READ		65536

/* The files of one user and ID. */
struct cmd_edge_paths {
	char	dir[STORE_PATH_MAX];	/* DATA_DIR/edge/USERDIR */
	char	data[STORE_PATH_MAX];	/* .../ID.txt */
	char	part[STORE_PATH_MAX];	/* .../ID.txt.part */
	char	stats[STORE_PATH_MAX];	/* .../ID.stats */
};

/* An upload in progress; at most one per session (s->edge_up). */
struct cmd_edge_upload {
	long long		 id;
	int			 fd;		/* the part, open for writing */
	uint64_t		 size;		/* announced by UPLOAD */
	uint64_t		 got;		/* received so far */
	uint64_t		 flushed;	/* handed to writeback up to here */
	struct edge_scan	 scan;
	struct cmd_edge_paths	 paths;
};

/* Build the paths of user's file id; 0, or -1 when they do not fit. */
static int
cmd_edge_paths(const struct server *srv, const char *user, long long id,
    struct cmd_edge_paths *p)
{
	char udir[EDGE_NAME_MAX], name[EDGE_NAME_MAX], base[STORE_PATH_MAX];
	int n;

	if (edge_user_dir(user, udir, sizeof(udir)) == -1 ||
	    store_path(base, srv->cfg.data_dir, "edge") == -1)
		return -1;
	n = snprintf(p->dir, sizeof(p->dir), "%s/%s", base, udir);
	if (n < 0 || (size_t)n >= sizeof(p->dir))
		return -1;
	if (edge_data_name(id, name, sizeof(name)) == -1 ||
	    store_path(p->data, p->dir, name) == -1)
		return -1;
	n = snprintf(p->part, sizeof(p->part), "%s.part", p->data);
	if (n < 0 || (size_t)n >= sizeof(p->part))
		return -1;
	if (edge_stats_name(id, name, sizeof(name)) == -1 ||
	    store_path(p->stats, p->dir, name) == -1)
		return -1;
	return 0;
}

/* fsync the directory dir (after a rename or an unlink in it). */
static int
cmd_edge_sync_dir(const char *dir)
{
	int fd, r;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* Append "USER; TIME; ID; COUNT" to a log in the data directory. */
static int
cmd_edge_log(const struct server *srv, const char *file, const char *user,
    long long id, uint64_t count)
{
	char path[STORE_PATH_MAX], when[TIMEFMT_LEN], line[160];

	if (store_path(path, srv->cfg.data_dir, file) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(line, sizeof(line), "%s; %s; %lld; %llu", user,
	    timefmt_format(time(NULL), when), id, (unsigned long long)count);
	return store_append_line(path, line);
}

/* Drop an upload: close and remove the part, free it. */
static void
cmd_edge_abort(struct session *s, const char *why)
{
	struct cmd_edge_upload *up = s->edge_up;

	if (up == NULL)
		return;
	if (up->fd != -1)
		close(up->fd);
	if (unlink(up->paths.part) == -1 && errno != ENOENT)
		log_warn("cannot remove %s", up->paths.part);
	log_info("%s: upload of file %lld cancelled after %llu of %llu bytes: "
	    "%s", s->name, up->id, (unsigned long long)up->got,
	    (unsigned long long)up->size, why);
	free(up);
	s->edge_up = NULL;
}

/* The session ends: an upload in progress is dropped, nothing logged. */
void
cmd_edge_session_closed(struct session *s)
{
	cmd_edge_abort(s, "the connection ended");
}

/* Argument ID; replies ERR args and returns -1 when malformed. */
static int
cmd_edge_id(struct cmd_ctx *ctx, const char *arg, long long *id)
{
	if (edge_id_parse(arg, id) == 0)
		return 0;
	cmd_err(ctx, PROTO_E_ARGS, "ID must be a non-negative integer, "
	    "not '%.32s'", arg);
	return -1;
}

/* Paths of the session user's file id; replies ERR io on failure. */
static int
cmd_edge_user_paths(struct cmd_ctx *ctx, long long id,
    struct cmd_edge_paths *p)
{
	if (cmd_edge_paths(ctx->srv, ctx->s->name, id, p) == 0)
		return 0;
	cmd_err(ctx, PROTO_E_IO, "path of file %lld too long", id);
	return -1;
}

/* UPLOAD ID SIZE: check, then open ID.txt.part for the chunks. */
void
cmd_upload(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct cmd_edge_upload *up;
	struct cmd_edge_paths p;
	char base[STORE_PATH_MAX];
	long long id, size;
	int fd;

	if (s->edge_up != NULL) {
		cmd_err(ctx, PROTO_E_STATE, "an upload (file %lld) is already "
		    "in progress", s->edge_up->id);
		return;
	}
	if (cmd_edge_id(ctx, ctx->argv[0], &id) == -1)
		return;
	if (proto_parse_int(ctx->argv[1], 0, (long long)EDGE_SIZE_MAX,
	    &size) == -1) {
		cmd_err(ctx, PROTO_E_ARGS, "SIZE must be an integer from 0 to "
		    "%llu, not '%.32s'", (unsigned long long)EDGE_SIZE_MAX,
		    ctx->argv[1]);
		return;
	}
	if (cmd_edge_user_paths(ctx, id, &p) == -1)
		return;

	if (store_path(base, ctx->srv->cfg.data_dir, "edge") == -1 ||
	    store_mkdir(base) == -1 || store_mkdir(p.dir) == -1) {
		log_warn("%s: cannot create %s", s->name, p.dir);
		cmd_err(ctx, PROTO_E_IO, "cannot store files now");
		return;
	}
	fd = open(p.part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("%s: cannot create %s", s->name, p.part);
		cmd_err(ctx, PROTO_E_IO, "cannot store files now");
		return;
	}
	if ((up = calloc(1, sizeof(*up))) == NULL) {
		close(fd);
		unlink(p.part);
		cmd_err(ctx, PROTO_E_IO, "out of memory");
		return;
	}
	up->id = id;
	up->fd = fd;
	up->size = (uint64_t)size;
	up->paths = p;
	edge_scan_init(&up->scan);
	s->edge_up = up;
	cmd_ok(ctx, "send %lld bytes for file %lld", size, id);
}

/* UPDATA ID {N}: check a chunk, fold it into the aggregates, write it. */
void
cmd_updata(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct cmd_edge_upload *up = s->edge_up;
	char why[160];
	long long id;

	if (cmd_edge_id(ctx, ctx->argv[0], &id) == -1)
		return;
	if (up == NULL || up->id != id) {
		cmd_err(ctx, PROTO_E_STATE, "no upload of file %lld in progress",
		    id);
		return;
	}
	if (ctx->blob_len > up->size - up->got) {
		cmd_err(ctx, PROTO_E_LIMIT, "more than the %llu bytes announced "
		    "for file %lld; upload cancelled",
		    (unsigned long long)up->size, id);
		cmd_edge_abort(s, "more bytes than announced");
		return;
	}
	if (edge_scan_feed(&up->scan, ctx->blob, ctx->blob_len) == -1) {
		snprintf(why, sizeof(why), "line %llu: %s",
		    (unsigned long long)up->scan.err_line, up->scan.err);
		cmd_err(ctx, PROTO_E_DATA, "file %lld refused: %s (integers "
		    "only, one per line)", id, why);
		cmd_edge_abort(s, why);
		return;
	}
	if (fdio_write_all(up->fd, ctx->blob, ctx->blob_len) == -1) {
		log_warn("%s: cannot write %s", s->name, up->paths.part);
		cmd_err(ctx, PROTO_E_IO, "cannot store file %lld now; upload "
		    "cancelled", id);
		cmd_edge_abort(s, "write error");
		return;
	}
	up->got += ctx->blob_len;
	/* Start writing back what came so far without waiting for it. */
	if (up->got - up->flushed >= CMD_EDGE_WRITEBACK) {
		(void)sync_file_range(up->fd, (off_t)up->flushed,
		    (off_t)(up->got - up->flushed), SYNC_FILE_RANGE_WRITE);
		up->flushed = up->got;
	}
	cmd_ok(ctx, "%llu", (unsigned long long)up->got);
}

/* Make the finished part the file: data, stats, rename; 0 or -1 (errno). */
static int
cmd_edge_commit(struct cmd_edge_upload *up)
{
	char text[EDGE_STATS_TEXT_MAX];
	struct stat st;
	int n;

	if (fdatasync(up->fd) == -1 || fstat(up->fd, &st) == -1)
		return -1;
	if (close(up->fd) == -1) {
		up->fd = -1;
		return -1;
	}
	up->fd = -1;
	n = edge_stats_encode(&up->scan.st, (uint64_t)st.st_ino,
	    (uint64_t)st.st_size, text, sizeof(text));
	if (n == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	if (store_write_atomic(up->paths.stats, text, (size_t)n, true) == -1)
		return -1;
	if (rename(up->paths.part, up->paths.data) == -1)
		return -1;
	return cmd_edge_sync_dir(up->paths.dir);
}

/* UPEND ID: all bytes came: store the file and log it. */
void
cmd_upend(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct cmd_edge_upload *up = s->edge_up;
	char why[160];
	long long id;
	uint64_t count, bytes;

	if (cmd_edge_id(ctx, ctx->argv[0], &id) == -1)
		return;
	if (up == NULL || up->id != id) {
		cmd_err(ctx, PROTO_E_STATE, "no upload of file %lld in progress",
		    id);
		return;
	}
	if (up->got != up->size) {
		snprintf(why, sizeof(why), "incomplete: %llu of %llu bytes "
		    "received", (unsigned long long)up->got,
		    (unsigned long long)up->size);
		cmd_err(ctx, PROTO_E_DATA, "file %lld %s; upload cancelled", id,
		    why);
		cmd_edge_abort(s, why);
		return;
	}
	if (edge_scan_finish(&up->scan) == -1) {
		snprintf(why, sizeof(why), "line %llu: %s",
		    (unsigned long long)up->scan.err_line, up->scan.err);
		cmd_err(ctx, PROTO_E_DATA, "file %lld refused: %s (integers "
		    "only, one per line)", id, why);
		cmd_edge_abort(s, why);
		return;
	}
	if (cmd_edge_commit(up) == -1) {
		log_warn("%s: cannot store %s", s->name, up->paths.data);
		cmd_err(ctx, PROTO_E_IO, "cannot store file %lld now", id);
		cmd_edge_abort(s, "commit failed");
		return;
	}
	count = up->scan.st.count;
	bytes = up->got;
	fed_edge_stored(ctx->srv, s->name, id, &up->scan.st, time(NULL));
	free(up);
	s->edge_up = NULL;
	if (cmd_edge_log(ctx->srv, "upload-log.txt", s->name, id, count) == -1) {
		log_warn("%s: cannot append to upload-log.txt", s->name);
		cmd_err(ctx, PROTO_E_IO, "file %lld stored, but upload-log.txt "
		    "could not be written", id);
		return;
	}
	cmd_ok(ctx, "file %lld stored: %llu integer%s, %llu bytes", id,
	    (unsigned long long)count, count == 1 ? "" : "s",
	    (unsigned long long)bytes);
}

/*
 * Count the data file at fd from the start (stale or missing stats, after
 * a crash): blocks the loop for as long as the read takes, once.
 */
static int
cmd_edge_recount(int fd, struct edge_stats *out)
{
	static char chunk[CMD_EDGE_READ];
	struct edge_scan sc;
	ssize_t n;
	off_t off = 0;

	edge_scan_init(&sc);
	for (;;) {
		n = pread(fd, chunk, sizeof(chunk), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		if (edge_scan_feed(&sc, chunk, (size_t)n) == -1)
			break;
		off += n;
	}
	if (edge_scan_finish(&sc) == -1) {
		errno = EINVAL;
		return -1;
	}
	*out = sc.st;
	return 0;
}

/*
 * The aggregates of user's file: from ID.stats when it describes the data
 * file, else recounted (and ID.stats rewritten).  Returns 0, -1 with errno
 * ENOENT when there is no such file, or -1 with another errno.
 */
static int
cmd_edge_stats(const struct session *s, const struct cmd_edge_paths *p,
    struct edge_stats *st)
{
	char text[EDGE_STATS_TEXT_MAX];
	struct stat sb;
	uint64_t ino, size;
	ssize_t n;
	int fd, sfd, saved, r;

	if ((fd = open(p->data, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if ((sfd = open(p->stats, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(sfd, text, sizeof(text) - 1);
		close(sfd);
		if (n > 0) {
			text[n] = '\0';
			if (edge_stats_decode(text, st, &ino, &size) == 0 &&
			    ino == (uint64_t)sb.st_ino &&
			    size == (uint64_t)sb.st_size) {
				close(fd);
				return 0;
			}
		}
	}
	log_warnx("%s: %s has no valid stats, recounting it", s->name,
	    p->data);
	if (cmd_edge_recount(fd, st) == -1)
		goto fail;
	close(fd);
	if ((r = edge_stats_encode(st, (uint64_t)sb.st_ino,
	    (uint64_t)sb.st_size, text, sizeof(text))) != -1 &&
	    store_write_atomic(p->stats, text, (size_t)r, true) == -1)
		log_warn("cannot write %s", p->stats);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Look up the session user's file id for STATS or DELETE; 0 or -1 (replied). */
static int
cmd_edge_lookup(struct cmd_ctx *ctx, long long id, struct cmd_edge_paths *p,
    struct edge_stats *st)
{
	if (cmd_edge_user_paths(ctx, id, p) == -1)
		return -1;
	if (cmd_edge_stats(ctx->s, p, st) == 0)
		return 0;
	if (errno == ENOENT)
		cmd_err(ctx, PROTO_E_NOTFOUND, "no file %lld on the server "
		    "(upload it first)", id);
	else {
		log_warn("%s: cannot read %s", ctx->s->name, p->data);
		cmd_err(ctx, PROTO_E_IO, "cannot read file %lld now", id);
	}
	return -1;
}

/* STATS ID OP: SUM, AVERAGE, MAX or MIN over the user's file. */
void
cmd_stats(struct cmd_ctx *ctx)
{
	struct cmd_edge_paths p;
	struct edge_stats st;
	char result[EDGE_RESULT_MAX];
	long long id;
	int op;

	if (cmd_edge_id(ctx, ctx->argv[0], &id) == -1)
		return;
	if ((op = edge_op_parse(ctx->argv[1])) == -1) {
		cmd_err(ctx, PROTO_E_ARGS, "unknown operation '%.32s' (SUM, "
		    "AVERAGE, MAX or MIN)", ctx->argv[1]);
		return;
	}
	if (cmd_edge_lookup(ctx, id, &p, &st) == -1)
		return;
	if (edge_op_result(&st, op, result, sizeof(result)) == -1) {
		cmd_err(ctx, PROTO_E_DATA, "file %lld holds no integers: no %s",
		    id, edge_op_name(op));
		return;
	}
	cmd_ok(ctx, "%s of file %lld = %s (%llu integer%s)", edge_op_name(op),
	    id, result, (unsigned long long)st.count, st.count == 1 ? "" : "s");
}

/* DELETE ID: remove the user's file and log it. */
void
cmd_delete(struct cmd_ctx *ctx)
{
	struct cmd_edge_paths p;
	struct edge_stats st;
	long long id;

	if (cmd_edge_id(ctx, ctx->argv[0], &id) == -1)
		return;
	if (cmd_edge_lookup(ctx, id, &p, &st) == -1)
		return;
	if (unlink(p.data) == -1) {
		log_warn("%s: cannot remove %s", ctx->s->name, p.data);
		cmd_err(ctx, PROTO_E_IO, "cannot delete file %lld now", id);
		return;
	}
	if (unlink(p.stats) == -1 && errno != ENOENT)
		log_warn("%s: cannot remove %s", ctx->s->name, p.stats);
	if (cmd_edge_sync_dir(p.dir) == -1)
		log_warn("%s: cannot sync %s", ctx->s->name, p.dir);
	fed_edge_deleted(ctx->srv, ctx->s->name, id);
	if (cmd_edge_log(ctx->srv, "deletion-log.txt", ctx->s->name, id,
	    st.count) == -1) {
		log_warn("%s: cannot append to deletion-log.txt", ctx->s->name);
		cmd_err(ctx, PROTO_E_IO, "file %lld deleted, but "
		    "deletion-log.txt could not be written", id);
		return;
	}
	cmd_ok(ctx, "file %lld deleted (%llu integer%s)", id,
	    (unsigned long long)st.count, st.count == 1 ? "" : "s");
}

/*
 * At start: remove the ".part" files that uploads cut short by a crash
 * left in DATA_DIR/edge/USER/.  Nothing acknowledged lives in them (a file
 * gets its final name only at UPEND), and they would otherwise wait for
 * the same ID to be uploaded again.  Returns how many were removed.
 */
int
cmd_edge_clean_parts(const char *data_dir)
{
	char base[STORE_PATH_MAX], udir[STORE_PATH_MAX], path[STORE_PATH_MAX];
	struct dirent *u, *f;
	DIR *top, *sub;
	size_t len;
	int removed = 0;

	if (store_path(base, data_dir, "edge") == -1 ||
	    (top = opendir(base)) == NULL)
		return 0;
	while ((u = readdir(top)) != NULL) {
		if (u->d_name[0] == '.' || store_path(udir, base, u->d_name) == -1 ||
		    (sub = opendir(udir)) == NULL)
			continue;
		while ((f = readdir(sub)) != NULL) {
			len = strlen(f->d_name);
			if (len < 5 || strcmp(f->d_name + len - 5, ".part") != 0 ||
			    store_path(path, udir, f->d_name) == -1)
				continue;
			if (unlink(path) == 0) {
				log_warnx("removed %s: an upload cut short by a "
				    "crash", path);
				removed++;
			} else
				log_warn("cannot remove %s", path);
		}
		closedir(sub);
	}
	closedir(top);
	return removed;
}
