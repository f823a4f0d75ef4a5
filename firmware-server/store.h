/*
 * store.h - files on disk, written so that a power cut never leaves one
 * half-written: whole files are replaced through a temporary file and
 * rename(), appends are flushed to the disk before the caller answers.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>

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
 * that earlier lines stay as they were.  fsync()s before returning.
 * Returns 0, or -1 with errno set.
 */
int	store_append_line(const char *path, const char *line);

/* dir/name into out (size STORE_PATH_MAX), or name when it is absolute.
   Returns 0, or -1 when it does not fit. */
int	store_path(char *out, const char *dir, const char *name);

/* Create dir (mode 0700) when missing.  Returns 0 or -1. */
int	store_mkdir(const char *dir);

#endif /* STORE_H */
