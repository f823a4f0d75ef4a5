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
 * that earlier lines stay as they were.  Outside the server's loop the
 * record is written and fsync'd before returning.  In the loop it is given
 * its disk space now, written at the end of the pass by store_commit() and
 * synced as part of generation store_gen_open(); the caller's reply must
 * wait until store_gen_done() reaches it (see conn_hold()).
 * Returns 0, or -1 with errno set (ENOSPC: the disk is full) and nothing
 * appended.
 */
int	store_append_line(const char *path, const char *line);

/*
 * Turn on the loop's mode (gathered appends, generations).  ms = 0 (the
 * default) syncs each generation as soon as the previous one is done and
 * replies wait for it; N > 0 leaves appended data in the kernel (safe from
 * a crash of the server, not from a power cut) for at most N ms and
 * replies do not wait, to spare an SD card.
 */
void	store_set_sync_interval(int ms);
/*
 * The end of a loop pass: write what was gathered and start syncing the
 * generation when due.  Returns ms until the next deadline, or -1.
 */
int	store_commit(int64_t now_ms);
/* Write what was gathered now; its sync starts at store_commit(). */
void	store_write_now(void);
/* Call when syncq's eventfd (from syncq_open()) is readable. */
void	store_sync_ready(void);
/* Write and sync everything now, waiting (at shutdown, and before a
   record that depends on earlier appends to other files). */
void	store_sync_all(void);
/* How many appends were accepted so far (a request's appends show as a
   change across its handling). */
uint64_t store_appends(void);
/* The generation now gathering, and the newest one on disk. */
uint64_t store_gen_open(void);
uint64_t store_gen_done(void);
/* True when replies that follow an append wait for its generation. */
bool	store_holds_replies(void);
/* 0, or the errno of a write or sync that failed after its records were
   accepted: the server must stop rather than acknowledge them. */
int	store_failed(void);

/* dir/name into out (size STORE_PATH_MAX), or name when it is absolute.
   Returns 0, or -1 when it does not fit. */
int	store_path(char *out, const char *dir, const char *name);

/* fsync the directory that holds path (after a rename, a new file or an
   unlink).  Returns 0 or -1. */
int	store_sync_dir(const char *path);

/* Create dir (mode 0700) when missing.  Returns 0 or -1. */
int	store_mkdir(const char *dir);

#endif /* STORE_H */
