/*
 * store.c - atomic replacement and durable appends (OpenSMTPD queue_fs
 * style: temp file, fsync, rename, fsync the directory).
 */
#include <sys/stat.h>

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
	int i, fd;

	for (i = 0; i < store_ndirty; i++) {
		if ((fd = open(store_dirty[i], O_RDONLY | O_CLOEXEC)) != -1) {
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
	if (store_ndirty == 0)
		return -1;
	if (store_sync_ms == 0) {
		store_sync_all();
		return -1;
	}
	due = store_dirty_since + store_sync_ms;
	if (now_ms < due)
		return (int)(due - now_ms);
	store_sync_all();
	return -1;
}

/* Append one line, durably. */
int
store_append_line(const char *path, const char *line)
{
	struct stat st;
	char last = '\n';
	size_t len = strlen(line);
	char *rec;
	int fd, saved, created;
	size_t off = 0;

	created = access(path, F_OK) == -1;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		goto fail;
	/* One write() of the whole record, so a crash leaves all or none
	   of it on most file systems; the reader tolerates a torn tail. */
	if ((rec = malloc(len + 2)) == NULL)
		goto fail;
	if (last != '\n')
		rec[off++] = '\n';
	memcpy(rec + off, line, len);
	off += len;
	rec[off++] = '\n';
	if (fdio_write_all(fd, rec, off) == -1) {
		saved = errno;
		free(rec);
		/* Take back a partial record (a full disk), keep the rest. */
		if (ftruncate(fd, st.st_size) == -1)
			(void)0;
		errno = saved;
		goto fail;
	}
	free(rec);
	if (!store_defer_sync(path) && fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1)
		return -1;
	if (created && store_sync_dir(path) == -1)
		return -1;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
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
