/*
 * store.h - files on disk, written so that a power cut never leaves one
 * half-written: whole files are replaced through a temporary file and
 * rename(), appends are flushed to the disk before the caller answers.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_PATH_MAX	512

/*
 * Replace path with data: write path.tmp, fsync it (when durable), rename
 * it over path and fsync the directory (when durable).  Returns 0, or -1
 * with errno set and nothing changed at path.
 */
int	store_write_atomic(const char *path, const void *data, size_t len,
	    bool durable);

/*
 * Append one line (without its LF) to path, creating it (mode 0600) when
 * missing.  When the file does not end with a LF, one is added first so
 * that earlier lines stay as they were.  The data is written (one write())
 * before returning; its fsync() comes from store_sync_due() or
 * store_sync_all(), which the server calls before it sends any reply.
 * Returns 0, or -1 with errno set.
 */
int	store_append_line(const char *path, const char *line);

/*
 * fsync policy for store_append_line: 0 (the default) fsyncs all appends
 * of a loop pass at its end, before the replies are written (group
 * commit); N > 0 leaves appended data in the kernel (safe from a crash of
 * the server, not from a power cut) and fsyncs it within N ms, to spare an
 * SD card.
 */
void	store_set_sync_interval(int ms);
/* fsync what is due at now_ms; returns ms until the next, or -1. */
int	store_sync_due(int64_t now_ms);
/* fsync everything still pending (at shutdown). */
void	store_sync_all(void);

/* dir/name into out (size STORE_PATH_MAX), or name when it is absolute.
   Returns 0, or -1 when it does not fit. */
int	store_path(char *out, const char *dir, const char *name);

/* Create dir (mode 0700) when missing.  Returns 0 or -1. */
int	store_mkdir(const char *dir);

#endif /* STORE_H */
