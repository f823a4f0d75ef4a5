/*
 * tmux.h - drive the real tui-client screen in a detached tmux for
 * end-to-end tests: start it in a pane of a given size with a UTF-8
 * locale, type, press keys, resize, read the screen, and wait for text by
 * polling capture-pane against a deadline (never a fixed sleep).
 *
 * Every struct tmx is its own tmux server on its own socket (-S, in a
 * directory made by the fixture), so tests running at the same time never
 * meet.  tmx_free() kills the server; the fixture's teardown kills every
 * server left in the directory by a test that failed half-way.  The tmux
 * configuration has no status line (the pane is the whole window).  The
 * client's exit status is written to a file by the shell that runs it:
 * tmux's own pane_dead_status was seen never to arrive here (the pane's
 * program left as a zombie), so the tests do not depend on it.
 */
#ifndef E2E_TMUX_H
#define E2E_TMUX_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define TMX_SCREEN_MAX	65536	/* bytes of one capture kept */

#define TMX_SESSIONS_MAX 8	/* sessions of one tmux server */

struct tmx {
	char	 sock[300];		/* the server's socket */
	struct {
		char	 name[32];
		char	 status[420];	/* file the exit status goes to */
	} sess[TMX_SESSIONS_MAX];
	char	 screen[TMX_SCREEN_MAX];	/* the last capture */
	char	 why[TMX_SCREEN_MAX + 512];	/* the last failure */
};

/* Unchecked fixture: e2e_fixture_setup plus the socket directory; the
   teardown kills every tmux server there, then e2e_fixture_teardown. */
void		 tmx_fixture_setup(void);
void		 tmx_fixture_teardown(void);

/* A new tmux server socket name (the server starts with the first pane). */
struct tmx	*tmx_new(void);
/* Kill the tmux server and free t.  NULL is fine. */
void		 tmx_free(struct tmx *t);

/*
 * Start "tui-client 127.0.0.1 PORT" (no --plain: the screen) in a new
 * session named name, cols x rows, LANG=C.UTF-8, in a directory of the
 * server's temp dir.  env: NULL or "NAME=value" put before the program
 * (e.g. "NO_COLOR=1").  false on failure (tmx_why says).
 */
bool		 tmx_start(struct tmx *t, const char *name, int cols, int rows,
		     struct srv *s, const char *env);

/* The same on port, with extra (NULL, or arguments for the shell, after
   the port) for the client. */
bool		 tmx_start_args(struct tmx *t, const char *name, int cols,
		     int rows, struct srv *s, int port, const char *env,
		     const char *extra);

/* Type text literally / press one key by tmux's name ("Enter", "PPage"). */
bool		 tmx_type(struct tmx *t, const char *name, const char *text);
bool		 tmx_key(struct tmx *t, const char *name, const char *key);
/* Paste text (LF between lines) with tmux's paste-buffer -p: bracketed
   when the program turned bracketed paste on. */
bool		 tmx_paste(struct tmx *t, const char *name, const char *text);
/* Type text, then Enter. */
bool		 tmx_line(struct tmx *t, const char *name, const char *text);
/* Resize the session's window (the program gets SIGWINCH). */
bool		 tmx_resize(struct tmx *t, const char *name, int cols, int rows);

/* Capture the screen into t->screen (escapes: with attributes as SGR). */
const char	*tmx_capture(struct tmx *t, const char *name, bool escapes);
/* Row y of the last capture, into buf ("" when there is no such row). */
const char	*tmx_row(const struct tmx *t, int y, char *buf, size_t len);

/* Wait until the screen shows sub / no longer shows sub.  false on
   timeout, with the screen in tmx_why(). */
bool		 tmx_wait(struct tmx *t, const char *name, const char *sub,
		     int ms);
bool		 tmx_wait_gone(struct tmx *t, const char *name, const char *sub,
		     int ms);

/* Wait until row y reads text (trailing spaces cut) / the screen shows
   sub exactly n times.  false on timeout, with the screen in tmx_why(). */
bool		 tmx_wait_row(struct tmx *t, const char *name, int y,
		     const char *text, int ms);
bool		 tmx_wait_count(struct tmx *t, const char *name,
		     const char *sub, int n, int ms);

/* True while the pane's program runs. */
bool		 tmx_alive(struct tmx *t, const char *name);
/* Wait for the program to exit: its status, or -1 on timeout. */
int		 tmx_wait_exit(struct tmx *t, const char *name, int ms);

/* Why the last wait failed, with the screen. */
const char	*tmx_why(const struct tmx *t);

/* The login dialogue (step_dialogue) on the started screen name, up to
   "Welcome USER"; fails the test when a step does not come. */
void		 tmx_log_in(struct tmx *t, const char *name, const char *user,
		     const char *pass);
/* Start the screen as name (cols x rows) on s and log in as user. */
void		 tmx_login(struct tmx *t, struct srv *s, const char *name,
		     int cols, int rows, const char *user, const char *pass);

/* Assertions in the harness's style. */
#define TMX_WAIT(t, n, sub)						\
	ck_assert_msg(tmx_wait((t), (n), (sub), E2E_WAIT_MS), "%s", tmx_why(t))
#define TMX_GONE(t, n, sub)						\
	ck_assert_msg(tmx_wait_gone((t), (n), (sub), E2E_WAIT_MS), "%s",	\
	    tmx_why(t))
#define TMX_ROW(t, n, y, text)						\
	ck_assert_msg(tmx_wait_row((t), (n), (y), (text), E2E_WAIT_MS), "%s", \
	    tmx_why(t))
#define TMX_COUNT(t, n, sub, k)						\
	ck_assert_msg(tmx_wait_count((t), (n), (sub), (k), E2E_WAIT_MS), "%s", \
	    tmx_why(t))
#define TMX_LINE(t, n, text)						\
	ck_assert_msg(tmx_line((t), (n), (text)), "%s", tmx_why(t))
#define TMX_TYPE(t, n, text)						\
	ck_assert_msg(tmx_type((t), (n), (text)), "%s", tmx_why(t))
#define TMX_KEY(t, n, key)						\
	ck_assert_msg(tmx_key((t), (n), (key)), "%s", tmx_why(t))

#endif /* E2E_TMUX_H */
