/*
 * store.c - atomic replacement and durable appends (OpenSMTPD queue_fs
 * style: temp file, fsync, rename, fsync the directory).
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "syncq.h"
#include "store.h"

/*
 * Appends, inside the server's loop (store_set_sync_interval() turns this
 * on; elsewhere every append is written and fsync'd at once):
 *
 * - A record is first given disk space (fallocate() beyond the end of the
 *   file, in STORE_RESERVE steps), so a full disk is an error for that
 *   very request, and then gathered in memory.
 * - store_commit(), at the end of the pass, writes what each file
 *   gathered with one write() and starts one fdatasync() per file through
 *   syncq, which does not block the loop.  The appends of a pass form a
 *   generation; store_gen_done() tells which generations are on disk.
 *   While one generation is being synced, the next one gathers.
 * - The server holds each reply that follows an append until its
 *   generation is done (conn_hold()), so no acknowledgement goes out
 *   before its data is on disk.
 *
 * Descriptors stay open across passes (at most STORE_CACHE_MAX); at the
 * first use in a pass the path is stat()ed, so a file replaced or changed
 * by someone else is opened again.
 */
#define STORE_CACHE_MAX	16
#define STORE_RESERVE	(64 * 1024)	/* disk space reserved at a time */
#define STORE_GATHER_MAX (256 * 1024)	/* gathered bytes per file at most */

struct store_fd {
	char		*path;		/* NULL: a free slot */
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;		/* bytes written to the file */
	off_t		 reserved;	/* space allocated up to here */
	bool		 ends_lf;	/* written + gathered end with a LF */
	bool		 no_reserve;	/* fallocate() unsupported: write at once */
	bool		 dirty;		/* written data not yet synced */
	uint64_t	 seen;		/* the pass that last checked it */
	char		*gather;	/* records waiting for the pass end */
	size_t		 glen, gcap;
};

static struct store_fd	 store_cache[STORE_CACHE_MAX];
static bool		 store_caching;	/* in the server's loop */
static int		 store_sync_ms;
static uint64_t		 store_pass = 1;
static uint64_t		 store_gen = 1;		/* the generation gathering */
static uint64_t		 store_gen_busy;	/* the one being synced; 0: none */
static uint64_t		 store_gen_ok;		/* the newest one on disk */
static uint64_t		 store_nappends;
static int		 store_err;		/* a failed write or sync */
static int64_t		 store_dirty_since = -1;
static int64_t		 store_clock;

/* fsync the directory that holds path, so a rename or a new file lasts. */
int
store_sync_dir(const char *path)
{
	char copy[STORE_PATH_MAX];
	int fd, r;

	if (strlen(path) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(copy, path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* A write or sync failed after its records were accepted. */
static void
store_fail(int err)
{
	if (store_err == 0)
		store_err = err ? err : EIO;
}

/*
 * Write what e gathered.  The space was reserved, so a failure here is
 * the device's: the partial record is cut off and the store is failed.
 */
static int
store_write_gathered(struct store_fd *e)
{
	if (e->glen == 0)
		return 0;
	if (fdio_write_all(e->fd, e->gather, e->glen) == -1) {
		store_fail(errno);
		if (ftruncate(e->fd, e->size) == -1)
			(void)0;
		e->glen = 0;
		return -1;
	}
	e->size += (off_t)e->glen;
	e->glen = 0;
	e->dirty = true;
	return 0;
}

/* Close a cached descriptor; what it gathered is written and synced. */
static void
store_cache_drop(struct store_fd *e, bool keep)
{
	if (e->path == NULL)
		return;
	if (keep && store_write_gathered(e) == 0 && e->dirty &&
	    fdatasync(e->fd) == -1)
		store_fail(errno);
	close(e->fd);
	free(e->path);
	free(e->gather);
	memset(e, 0, sizeof(*e));
}

/* Forget path's descriptor and what it gathered: the file is replaced by
   one made from memory, which holds those records too. */
static void
store_cache_forget(const char *path)
{
	int i;

	for (i = 0; i < STORE_CACHE_MAX; i++)
		if (store_cache[i].path != NULL &&
		    strcmp(store_cache[i].path, path) == 0)
			store_cache_drop(&store_cache[i], false);
}

/* Where the file ends, and whether with a LF; e->fd is open. */
static int
store_cache_measure(struct store_fd *e, const struct stat *st)
{
	char last = '\n';

	if (st->st_size > 0 && pread(e->fd, &last, 1, st->st_size - 1) != 1)
		return -1;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->reserved = st->st_size;	/* nothing known beyond */
	e->ends_lf = last == '\n';
	return 0;
}

/*
 * The open descriptor for appending to path: from the cache (checked once
 * per pass), or opened now, creating the file and syncing its directory
 * when new.  NULL with errno set.
 */
static struct store_fd *
store_cache_get(const char *path)
{
	struct store_fd *e = NULL;
	struct stat st;
	int i, fd, saved, created;

	for (i = 0; i < STORE_CACHE_MAX; i++) {
		if (store_cache[i].path != NULL &&
		    strcmp(store_cache[i].path, path) == 0) {
			e = &store_cache[i];
			if (e->seen == store_pass)
				return e;
			if (stat(path, &st) == 0 && st.st_dev == e->dev &&
			    st.st_ino == e->ino) {
				if (st.st_size != e->size &&
				    store_cache_measure(e, &st) == -1)
					return NULL;
				e->seen = store_pass;
				return e;
			}
			store_cache_drop(e, true);	/* replaced: reopen */
			break;
		}
	}
	if (e == NULL) {		/* a free slot, or a clean one */
		for (i = 0, e = NULL; i < STORE_CACHE_MAX && e == NULL; i++)
			if (store_cache[i].path == NULL)
				e = &store_cache[i];
		for (i = 0; i < STORE_CACHE_MAX && e == NULL; i++)
			if (!store_cache[i].dirty && store_cache[i].glen == 0)
				e = &store_cache[i];
		if (e == NULL)
			e = &store_cache[store_pass % STORE_CACHE_MAX];
		store_cache_drop(e, true);
	}
	created = access(path, F_OK) == -1;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return NULL;
	e->fd = fd;
	if (fstat(fd, &st) == -1 || store_cache_measure(e, &st) == -1 ||
	    (created && store_sync_dir(path) == -1) ||
	    (e->path = strdup(path)) == NULL) {
		saved = errno;
		close(fd);
		memset(e, 0, sizeof(*e));
		errno = saved;
		return NULL;
	}
	e->seen = store_pass;
	return e;
}

/*
 * Make sure need more bytes after what e holds have disk space.  0, or -1
 * with errno (ENOSPC: the disk is full).  Where fallocate() is not
 * supported, e->no_reserve is set and the caller writes at once.
 */
static int
store_reserve(struct store_fd *e, size_t need)
{
	off_t from = e->size + (off_t)e->glen;
	off_t len = (off_t)need > STORE_RESERVE ? (off_t)need : STORE_RESERVE;

	if (e->no_reserve || from + (off_t)need <= e->reserved)
		return 0;
	while (fallocate(e->fd, FALLOC_FL_KEEP_SIZE, from, len) == -1) {
		if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) {
			e->no_reserve = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if ((errno != ENOSPC && errno != EDQUOT) || len == (off_t)need)
			return -1;
		len = (off_t)need;	/* nearly full: just this record */
	}
	e->reserved = from + len;
	return 0;
}
/* Replace path with data, atomically. */
int
store_write_atomic(const char *path, const void *data, size_t len,
    bool durable)
{
	char tmp[STORE_PATH_MAX];
	int fd = -1, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	store_cache_forget(path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1)
		return -1;
	if (fdio_write_all(fd, data, len) == -1)
		goto fail;
	if (durable && fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	if (durable && store_sync_dir(path) == -1)
		return -1;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

/* Set the fsync interval for appends; only the server calls this. */
void
store_set_sync_interval(int ms)
{
	store_sync_ms = ms > 0 ? ms : 0;
	store_caching = true;
}

/* Append one line without the loop: written and fsync'd now. */
static int
store_append_now(const char *path, const char *line)
{
	struct store_fd e;
	struct stat st;
	struct iovec iov[3];
	size_t len = strlen(line);
	int n = 0, saved, created;
	ssize_t w;

	memset(&e, 0, sizeof(e));
	created = access(path, F_OK) == -1;
	if ((e.fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (fstat(e.fd, &st) == -1 || store_cache_measure(&e, &st) == -1 ||
	    (created && store_sync_dir(path) == -1))
		goto fail;
	if (!e.ends_lf)
		iov[n++] = (struct iovec){ (void *)"\n", 1 };
	iov[n++] = (struct iovec){ (void *)line, len };
	iov[n++] = (struct iovec){ (void *)"\n", 1 };
	/* One write() of the whole record, so a crash leaves all or none
	   of it on most file systems; the reader tolerates a torn tail. */
	w = writev(e.fd, iov, n);
	if (w != (ssize_t)(len + 1 + !e.ends_lf)) {
		if (w >= 0)
			errno = ENOSPC;
		/* Take back a partial record (a full disk), keep the rest. */
		saved = errno;
		if (w > 0 && ftruncate(e.fd, e.size) == -1)
			(void)0;
		errno = saved;
		goto fail;
	}
	if (fsync(e.fd) == -1)
		goto fail;
	return close(e.fd);
fail:
	saved = errno;
	close(e.fd);
	errno = saved;
	return -1;
}

/* Add bytes to what e gathers; -1 (ENOMEM) leaves e as it was. */
static int
store_gather(struct store_fd *e, const char *p, size_t n)
{
	size_t cap;
	char *g;

	if (e->glen + n > e->gcap) {
		cap = e->gcap ? e->gcap : 4096;
		while (cap < e->glen + n)
			cap *= 2;
		if ((g = realloc(e->gather, cap)) == NULL)
			return -1;
		e->gather = g;
		e->gcap = cap;
	}
	memcpy(e->gather + e->glen, p, n);
	e->glen += n;
	return 0;
}

/*
 * Append one line.  In the loop the record is given its disk space now
 * and written at the end of the pass (see the top of this file); a full
 * disk fails this call and changes nothing.
 */
int
store_append_line(const char *path, const char *line)
{
	struct store_fd *e;
	size_t len = strlen(line), need;
	size_t mark;
	bool was_lf;

	if (!store_caching)
		return store_append_now(path, line);
	if (store_err != 0) {
		errno = store_err;
		return -1;
	}
	if ((e = store_cache_get(path)) == NULL)
		return -1;
	need = len + 1 + !e->ends_lf;
	if (store_reserve(e, need) == -1)
		return -1;
	if (e->glen + need > STORE_GATHER_MAX &&
	    store_write_gathered(e) == -1) {
		errno = store_err;
		return -1;
	}
	mark = e->glen;
	was_lf = e->ends_lf;
	if ((!e->ends_lf && store_gather(e, "\n", 1) == -1) ||
	    store_gather(e, line, len) == -1 ||
	    store_gather(e, "\n", 1) == -1) {
		e->glen = mark;
		errno = ENOMEM;
		return -1;
	}
	e->ends_lf = true;
	/* Without reserved space a full disk must fail this request. */
	if (e->no_reserve && store_write_gathered(e) == -1) {
		/* Nothing else was gathered: only this record is lost. */
		errno = store_err;
		store_err = 0;
		e->ends_lf = was_lf;
		return -1;
	}
	if (store_dirty_since == -1)
		store_dirty_since = store_clock;
	store_nappends++;
	return 0;
}

/* Start syncing generation store_gen: every file written since the last
   one; what syncq cannot take is fsync'd here. */
static void
store_commit_start(void)
{
	struct store_fd *e;
	int i;

	store_gen_busy = store_gen++;
	store_dirty_since = -1;
	for (i = 0; i < STORE_CACHE_MAX; i++) {
		e = &store_cache[i];
		if (e->path == NULL || !e->dirty)
			continue;
		e->dirty = false;
		if (syncq_submit(e->fd) == -1 && fdatasync(e->fd) == -1)
			store_fail(errno);
	}
	if (syncq_pending() == 0) {
		store_gen_ok = store_gen_busy;
		store_gen_busy = 0;
	}
}

/* The end of a loop pass. */
int
store_commit(int64_t now_ms)
{
	bool dirty = false;
	int64_t due;
	int i;

	store_clock = now_ms;
	store_pass++;
	for (i = 0; i < STORE_CACHE_MAX; i++) {
		if (store_cache[i].path == NULL)
			continue;
		store_write_gathered(&store_cache[i]);
		dirty |= store_cache[i].dirty;
	}
	if (store_dirty_since == -1 && !dirty)
		return -1;		/* no appends since the last generation */
	if (store_gen_busy != 0)
		return -1;		/* store_sync_ready() comes first */
	if (store_sync_ms > 0 && dirty) {
		due = store_dirty_since + store_sync_ms;
		if (now_ms < due)
			return (int)(due - now_ms);
	}
	store_commit_start();
	return -1;
}

/* Write what was gathered, without starting its sync (store_commit()
   does): for a caller that tells others of records once they are in the
   files, ahead of the sync's kernel work. */
void
store_write_now(void)
{
	int i;

	for (i = 0; i < STORE_CACHE_MAX; i++)
		if (store_cache[i].path != NULL)
			store_write_gathered(&store_cache[i]);
}

/* syncq's eventfd is readable. */
void
store_sync_ready(void)
{
	int err = 0;

	if (syncq_reap(0, &err) > 0 && err != 0)
		store_fail(err);
	if (store_gen_busy != 0 && syncq_pending() == 0) {
		store_gen_ok = store_gen_busy;
		store_gen_busy = 0;
	}
}

/* Everything on disk now (at shutdown). */
void
store_sync_all(void)
{
	int err = 0, i;

	while (syncq_pending() > 0 && syncq_reap(1, &err) >= 0)
		;
	if (err != 0)
		store_fail(err);
	store_gen_busy = 0;
	for (i = 0; i < STORE_CACHE_MAX; i++)
		if (store_cache[i].path != NULL)
			store_write_gathered(&store_cache[i]);
	store_commit_start();
	while (syncq_pending() > 0 && syncq_reap(1, &err) >= 0)
		;
	if (err != 0)
		store_fail(err);
	if (store_err == 0)
		store_gen_ok = store_gen - 1;
	store_gen_busy = 0;
	for (i = 0; i < STORE_CACHE_MAX; i++)
		store_cache_drop(&store_cache[i], true);
}

uint64_t
store_appends(void)
{
	return store_nappends;
}

uint64_t
store_gen_open(void)
{
	return store_gen;
}

uint64_t
store_gen_done(void)
{
	return store_gen_ok;
}

bool
store_holds_replies(void)
{
	return store_caching && store_sync_ms == 0;
}

int
store_failed(void)
{
	return store_err;
}
/* Join dir and name. */
int
store_path(char *out, const char *dir, const char *name)
{
	int n;

	if (name[0] == '/')
		n = snprintf(out, STORE_PATH_MAX, "%s", name);
	else
		n = snprintf(out, STORE_PATH_MAX, "%s/%s", dir, name);
	return n < 0 || n >= STORE_PATH_MAX ? -1 : 0;
}

/* Create dir when missing. */
int
store_mkdir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}
