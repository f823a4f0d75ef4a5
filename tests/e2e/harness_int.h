/*
 * harness_int.h - what the harness's files (harness*.c) share and the
 * tests do not call: errors, allocation, files, child processes, streams.
 */
#ifndef E2E_HARNESS_INT_H
#define E2E_HARNESS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

#define MAX_ARGS	32	/* arguments of a started program */
#define TAIL_LINES	15	/* transcript lines in a failure message */
#define TAIL_WIDTH	200	/* bytes of each of those lines */

/* How a stream's line must match a pattern. */
enum match { M_SUB, M_EXACT, M_PREFIX };

/* ms left until deadline (e2e_now_ms() time), never below 0. */
int		 e2e_remaining(long long deadline);
/* Record the error e2e_error() returns. */
void		 e2e_set_error(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* calloc / strdup that abort the test process when memory is out. */
void		*e2e_xcalloc(size_t n, size_t size);
char		*e2e_xstrdup(const char *s);
/* Append to a bounded string buffer. */
void		 e2e_bcat(char *buf, size_t size, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* The parent directory of this tcase's temporary directories. */
const char	*e2e_run_dir(void);
/* Remove a directory tree (kept when E2E_KEEP is set). */
void		 e2e_rm_tree(const char *dir);
/* Write a whole file / read one (malloc'd, NULL when missing). */
bool		 e2e_write_file(const char *path, const char *content);
char		*e2e_read_file(const char *path);
/* The last n lines of text, each cut to TAIL_WIDTH, into out. */
void		 e2e_tail_of(const char *text, int n, char *out, size_t size);

/* A wait status as the harness reports it (see srv_exec). */
int		 e2e_exit_code(int wstatus);
/* fork + exec bin with argv in cwd; stdin from in_fd (-1: /dev/null),
   stdout and stderr to out_fd.  The child dies with the test process. */
pid_t		 e2e_spawn(const char *bin, char *const argv[], const char *cwd,
		    int in_fd, int out_fd);
/* Wait for pid up to ms; -2 when still running, else e2e_exit_code(). */
int		 e2e_wait_pid(pid_t pid, int ms);
/* SIGKILL pid and reap it. */
void		 e2e_kill_wait(pid_t pid);
/* Say what pid is doing (it did not exit within ms of signal sig). */
void		 e2e_proc_state(pid_t pid, char *buf, size_t size, int ms,
		    int sig);

/* Say so in buf when the server is no longer running (reaps it). */
void		 srv_note(struct srv *s, char *buf, size_t size);

/* Line streams (harness_stream.c). */
void		 stream_init(struct stream *st, int fd, const char *label);
void		 stream_push(struct stream *st, const char *text, size_t len);
void		 stream_cut(struct stream *st);
bool		 stream_fill(struct stream *st, int ms);
void		 stream_drain(struct stream *st);
bool		 stream_matches(const char *line, const char *pat,
		    enum match how);
int		 stream_expect(struct stream *st, const char *const pats[],
		    size_t npats, enum match how, int ms, bool *eof);
void		 stream_tail(struct stream *st, char *buf, size_t size);
void		 stream_free(struct stream *st);

#endif /* E2E_HARNESS_INT_H */
