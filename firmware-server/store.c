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
#include "store.h"

/* Files with appends not yet fsync'd (batch mode); over: fsync at once. */
#define STORE_DIRTY_MAX	64

static int	 store_sync_ms;
static char	*store_dirty[STORE_DIRTY_MAX];
static int	 store_ndirty;
static int64_t	 store_dirty_since;	/* -1 when nothing is pending */
static int64_t	 store_clock;		/* the last now_ms seen */

/* fsync the directory that holds path, so a rename or a new file lasts. */
static int
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

/* Files appended to in this loop pass, kept open until its end. */
#define STORE_CACHE_MAX	16

struct store_fd {
	char	*path;		/* NULL: a free slot */
	int	 fd;
	off_t	 size;		/* where the next record starts */
	bool	 ends_lf;	/* the file ends with a LF */
};

static struct store_fd	 store_cache[STORE_CACHE_MAX];
static bool		 store_caching;	/* keep descriptors for the pass */

/* Close a cached descriptor. */
static void
store_cache_drop(struct store_fd *e)
{
	if (e->path == NULL)
		return;
	close(e->fd);
	free(e->path);
	e->path = NULL;
}

/* Close every cached descriptor (the end of a pass, or a replacement). */
static void
store_cache_close(void)
{
	int i;

	for (i = 0; i < STORE_CACHE_MAX; i++)
		store_cache_drop(&store_cache[i]);
}

/* Forget path's descriptor: the file is being replaced. */
static void
store_cache_forget(const char *path)
{
	int i;

	for (i = 0; i < STORE_CACHE_MAX; i++)
		if (store_cache[i].path != NULL &&
		    strcmp(store_cache[i].path, path) == 0)
			store_cache_drop(&store_cache[i]);
}

/*
 * The open descriptor for appending to path: from the cache, or opened
 * now (creating the file and syncing its directory when new, and reading
 * its last byte so a torn tail gets a LF first).  NULL with errno set.
 */
static struct store_fd *
store_cache_get(const char *path)
{
	struct store_fd *e = NULL;
	struct stat st;
	char last = '\n';
	int i, fd, saved, created;

	for (i = 0; i < STORE_CACHE_MAX; i++) {
		if (store_cache[i].path != NULL &&
		    strcmp(store_cache[i].path, path) == 0)
			return &store_cache[i];
		if (e == NULL && store_cache[i].path == NULL)
			e = &store_cache[i];
	}
	if (e == NULL) {		/* full: evict one */
		e = &store_cache[0];
		store_cache_drop(e);
	}
	created = access(path, F_OK) == -1;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 ||
	    (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1) ||
	    (created && store_sync_dir(path) == -1) ||
	    (e->path = strdup(path)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	e->fd = fd;
	e->size = st.st_size;
	e->ends_lf = last == '\n';
	return e;
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

/* Set the fsync interval for appends. */
void
store_set_sync_interval(int ms)
{
	store_sync_ms = ms > 0 ? ms : 0;
	/* Only the server calls this: from now on store_sync_due() ends
	   each pass and closes what the pass kept open. */
	store_caching = true;
}

/*
 * Remember path for a later fsync; false: fsync now (the table is full).
 * With interval 0 the fsync comes from store_sync_due() at the end of the
 * loop pass, before any reply is written: one fsync covers every append
 * of the pass (group commit) and no acknowledgement goes out first.
 */
static bool
store_defer_sync(const char *path)
{
	int i;

	for (i = 0; i < store_ndirty; i++)
		if (strcmp(store_dirty[i], path) == 0)
			return true;
	if (store_ndirty == STORE_DIRTY_MAX ||
	    (store_dirty[store_ndirty] = strdup(path)) == NULL)
		return false;
	if (store_ndirty++ == 0)
		store_dirty_since = store_clock;
	return true;
}

/* fsync every file with pending appends. */
void
store_sync_all(void)
{
	int i, j, fd;

	for (i = 0; i < store_ndirty; i++) {
		for (j = 0; j < STORE_CACHE_MAX; j++)
			if (store_cache[j].path != NULL &&
			    strcmp(store_cache[j].path, store_dirty[i]) == 0)
				break;
		if (j < STORE_CACHE_MAX)
			fsync(store_cache[j].fd);
		else if ((fd = open(store_dirty[i], O_RDONLY | O_CLOEXEC)) != -1) {
			fsync(fd);
			close(fd);
		}
		free(store_dirty[i]);
	}
	store_ndirty = 0;
}

/* fsync what is due. */
int
store_sync_due(int64_t now_ms)
{
	int64_t due;

	store_clock = now_ms;
	if (store_ndirty == 0) {
		store_cache_close();
		return -1;
	}
	if (store_sync_ms == 0) {
		store_sync_all();
		store_cache_close();
		return -1;
	}
	due = store_dirty_since + store_sync_ms;
	if (now_ms < due) {
		store_cache_close();
		return (int)(due - now_ms);
	}
	store_sync_all();
	store_cache_close();
	return -1;
}

/*
 * Append one line, durably.  Inside the server loop the descriptor stays
 * open for the rest of the pass (see store_cache_get()), so a pass of N
 * appends to one file costs one open() and N write()s, not N of each.
 */
int
store_append_line(const char *path, const char *line)
{
	struct store_fd *e;
	struct iovec iov[3];
	size_t len = strlen(line);
	int n = 0, saved;
	ssize_t w;

	if ((e = store_cache_get(path)) == NULL)
		return -1;
	/* One write() of the whole record, so a crash leaves all or none
	   of it on most file systems; the reader tolerates a torn tail. */
	if (!e->ends_lf)
		iov[n++] = (struct iovec){ (void *)"\n", 1 };
	iov[n++] = (struct iovec){ (void *)line, len };
	iov[n++] = (struct iovec){ (void *)"\n", 1 };
	w = writev(e->fd, iov, n);
	if (w != (ssize_t)(len + 1 + !e->ends_lf)) {
		saved = w == -1 ? errno : ENOSPC;
		/* Take back a partial record (a full disk), keep the rest. */
		if (w > 0 && ftruncate(e->fd, e->size) == -1)
			(void)0;
		store_cache_drop(e);
		errno = saved;
		return -1;
	}
	e->size += w;
	e->ends_lf = true;
	if (!store_defer_sync(path) && fsync(e->fd) == -1) {
		saved = errno;
		store_cache_drop(e);
		errno = saved;
		return -1;
	}
	if (!store_caching)
		store_cache_drop(e);
	return 0;
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
