/*
 * tmux.c - tmux helpers for the screen's end-to-end tests (see tmux.h).
 * tmux runs as a program with an argument vector (no shell), its output
 * read through a pipe against a deadline.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steps.h"
#include "tmux.h"

#define TMX_ARGS_MAX	24
#define TMX_CMD_MS	10000		/* one tmux command */
#define TMX_POLL_MS	40		/* between two captures */

static char	 tmx_dir[200];		/* sockets and tmux.conf */
static int	 tmx_count;

/* The fixture: the harness's, then a directory for sockets and config. */
void
tmx_fixture_setup(void)
{
	char tmpl[] = "/tmp/tui-tmx-XXXXXX", path[260];
	FILE *f;

	e2e_fixture_setup();
	if (mkdtemp(tmpl) == NULL) {
		perror("tmx: mkdtemp");
		return;
	}
	snprintf(tmx_dir, sizeof(tmx_dir), "%s", tmpl);
	snprintf(path, sizeof(path), "%s/tmux.conf", tmx_dir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs("set -g status off\n"
	    "set -g remain-on-exit on\n"
	    "set -g history-limit 100\n", f);
	fclose(f);
}

/* Run tmux with args on socket sock; output into out.  Exit status or -1. */
static int
tmx_exec(const char *sock, const char *const args[], char *out, size_t len)
{
	const char *argv[TMX_ARGS_MAX + 8];
	char conf[260];
	long long deadline = e2e_now_ms() + e2e_scale(TMX_CMD_MS);
	struct pollfd pfd;
	size_t used = 0, n = 0, i;
	int p[2], st;
	ssize_t r;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/tmux.conf", tmx_dir);
	argv[n++] = "tmux";
	argv[n++] = "-S";
	argv[n++] = sock;
	argv[n++] = "-f";
	argv[n++] = tmx_dir[0] != '\0' ? conf : "/dev/null";
	argv[n++] = "-u";
	for (i = 0; args[i] != NULL && i < TMX_ARGS_MAX; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		/*
		 * A tmux server started from here inherits the signal mask
		 * and ignored signals: with SIGCHLD held it never reaps its
		 * panes' programs, and no exit status is ever known.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		unsetenv("TMUX");
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp("tmux", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	if (out != NULL && len > 0)
		out[0] = '\0';
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		long long left = deadline - e2e_now_ms();
		char sink[4096];

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		if (out != NULL && used + 1 < len)
			r = read(p[0], out + used, len - 1 - used);
		else
			r = read(p[0], sink, sizeof(sink));
		if (r <= 0)
			break;
		if (out != NULL && used + 1 < len) {
			used += (size_t)r;
			out[used] = '\0';
		}
	}
	close(p[0]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (e2e_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		e2e_nap(5);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Kill every tmux server of the directory, remove it, then the harness's. */
void
tmx_fixture_teardown(void)
{
	static const char *const kill_args[] = { "kill-server", NULL };
	char path[600];
	struct dirent *de;
	DIR *d;

	if (tmx_dir[0] != '\0' && (d = opendir(tmx_dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmx_dir,
			    de->d_name);
			if (de->d_name[0] == 's')
				tmx_exec(path, kill_args, NULL, 0);
			unlink(path);
		}
		closedir(d);
		rmdir(tmx_dir);
		tmx_dir[0] = '\0';
	}
	e2e_fixture_teardown();
}

/* A new tmux server name. */
struct tmx *
tmx_new(void)
{
	struct tmx *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	snprintf(t->sock, sizeof(t->sock), "%s/s%d-%d",
	    tmx_dir[0] != '\0' ? tmx_dir : "/tmp", (int)getpid(), ++tmx_count);
	return t;
}

/* Kill its server and free it. */
void
tmx_free(struct tmx *t)
{
	static const char *const kill_args[] = { "kill-server", NULL };

	if (t == NULL)
		return;
	tmx_exec(t->sock, kill_args, NULL, 0);
	unlink(t->sock);
	free(t);
}

/* Run one tmux command on t's server; true when it worked. */
static bool
tmx_cmd(struct tmx *t, const char *const args[])
{
	char out[1024];
	int st = tmx_exec(t->sock, args, out, sizeof(out));

	if (st == 0)
		return true;
	snprintf(t->why, sizeof(t->why), "tmux %s failed (%d): %s", args[0],
	    st, out);
	return false;
}

/* Start the client's screen in a new session. */
bool
tmx_start(struct tmx *t, const char *name, int cols, int rows, struct srv *s,
    const char *env)
{
	return tmx_start_args(t, name, cols, rows, s, s->port, env, NULL);
}

/* tmx_start() on another port, with more arguments for the client. */
bool
tmx_start_args(struct tmx *t, const char *name, int cols, int rows,
    struct srv *s, int port, const char *env, const char *extra)
{
	char bin[PATH_MAX], cmd[PATH_MAX + 1600], dir[400], x[16], y[16];
	size_t i;
	const char *args[] = { "new-session", "-d", "-s", name, "-x", x,
	    "-y", y, "-c", dir, "-e", "LANG=C.UTF-8", cmd, NULL };

	if (realpath(E2E_CLIENT_BIN, bin) == NULL) {
		snprintf(t->why, sizeof(t->why), "%s: %s", E2E_CLIENT_BIN,
		    strerror(errno));
		return false;
	}
	snprintf(dir, sizeof(dir), "%s/tmx-%s", s->dir, name);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		snprintf(t->why, sizeof(t->why), "mkdir %s: %s", dir,
		    strerror(errno));
		return false;
	}
	for (i = 0; i < TMX_SESSIONS_MAX && t->sess[i].name[0] != '\0'; i++)
		;
	if (i == TMX_SESSIONS_MAX) {
		snprintf(t->why, sizeof(t->why), "too many sessions");
		return false;
	}
	snprintf(t->sess[i].name, sizeof(t->sess[i].name), "%s", name);
	snprintf(t->sess[i].status, sizeof(t->sess[i].status),
	    "%s/exit-status", dir);
	unlink(t->sess[i].status);
	snprintf(x, sizeof(x), "%d", cols);
	snprintf(y, sizeof(y), "%d", rows);
	snprintf(cmd, sizeof(cmd), "env %s '%s' 127.0.0.1 %d %s; "
	    "echo $? > '%s.tmp' && mv '%s.tmp' '%s'", env != NULL ? env : "",
	    bin, port, extra != NULL ? extra : "", t->sess[i].status,
	    t->sess[i].status, t->sess[i].status);
	return tmx_cmd(t, args);
}

/* Type text literally. */
bool
tmx_type(struct tmx *t, const char *name, const char *text)
{
	const char *args[] = { "send-keys", "-t", name, "-l", text, NULL };

	return tmx_cmd(t, args);
}

/* Press one key. */
bool
tmx_key(struct tmx *t, const char *name, const char *key)
{
	const char *args[] = { "send-keys", "-t", name, key, NULL };

	return tmx_cmd(t, args);
}

/* Paste text as a terminal does, bracketed when the program asked. */
bool
tmx_paste(struct tmx *t, const char *name, const char *text)
{
	const char *set[] = { "set-buffer", "-b", "tmxpaste", "--", text,
	    NULL };
	const char *paste[] = { "paste-buffer", "-p", "-b", "tmxpaste", "-t",
	    name, NULL };

	return tmx_cmd(t, set) && tmx_cmd(t, paste);
}

/* Type a line and press Enter. */
bool
tmx_line(struct tmx *t, const char *name, const char *text)
{
	return tmx_type(t, name, text) && tmx_key(t, name, "Enter");
}

/* Resize the window. */
bool
tmx_resize(struct tmx *t, const char *name, int cols, int rows)
{
	char x[16], y[16];
	const char *args[] = { "resize-window", "-t", name, "-x", x, "-y", y,
	    NULL };

	snprintf(x, sizeof(x), "%d", cols);
	snprintf(y, sizeof(y), "%d", rows);
	return tmx_cmd(t, args);
}

/* Capture the screen. */
const char *
tmx_capture(struct tmx *t, const char *name, bool escapes)
{
	const char *plain[] = { "capture-pane", "-p", "-t", name, NULL };
	const char *esc[] = { "capture-pane", "-p", "-e", "-t", name, NULL };

	if (tmx_exec(t->sock, escapes ? esc : plain, t->screen,
	    sizeof(t->screen)) != 0)
		t->screen[0] = '\0';
	return t->screen;
}

/* Row y of the last capture. */
const char *
tmx_row(const struct tmx *t, int y, char *buf, size_t len)
{
	const char *p = t->screen, *nl;

	for (; y > 0 && (nl = strchr(p, '\n')) != NULL; y--)
		p = nl + 1;
	if (y > 0) {
		buf[0] = '\0';
		return buf;
	}
	nl = strchr(p, '\n');
	snprintf(buf, len, "%.*s", (int)(nl != NULL ? nl - p :
	    (long)strlen(p)), p);
	return buf;
}

/* What a wait looks for on the screen; met() also keeps what it saw. */
struct tmx_want {
	bool		(*met)(struct tmx *, struct tmx_want *);
	const char	*sub;		/* a text */
	bool		 shown;		/* there, or gone */
	int		 y;		/* a row, and what it must read */
	char		 row[512];
	int		 n, k;		/* a count wanted, and seen */
};

static bool
tmx_met_sub(struct tmx *t, struct tmx_want *w)
{
	return (strstr(t->screen, w->sub) != NULL) == w->shown;
}

static bool
tmx_met_row(struct tmx *t, struct tmx_want *w)
{
	return strcmp(tmx_row(t, w->y, w->row, sizeof(w->row)), w->sub) == 0;
}

static bool
tmx_met_count(struct tmx *t, struct tmx_want *w)
{
	const char *p;

	for (w->k = 0, p = t->screen; (p = strstr(p, w->sub)) != NULL; w->k++)
		p += strlen(w->sub);
	return w->k == w->n;
}

/* Capture the screen until w is met, ms at most. */
static bool
tmx_poll(struct tmx *t, const char *name, struct tmx_want *w, int ms)
{
	long long deadline = e2e_now_ms() + ms;

	for (;;) {
		tmx_capture(t, name, false);
		if (w->met(t, w))
			return true;
		if (e2e_now_ms() >= deadline)
			return false;
		e2e_nap(TMX_POLL_MS);
	}
}

/* Wait until the screen shows sub (shown) or no longer does. */
static bool
tmx_wait_for(struct tmx *t, const char *name, const char *sub, bool shown,
    int ms)
{
	struct tmx_want w = { .met = tmx_met_sub, .sub = sub, .shown = shown };

	if (tmx_poll(t, name, &w, ms))
		return true;
	snprintf(t->why, sizeof(t->why),
	    "%s \"%s\" within %d ms; the screen:\n%s",
	    shown ? "did not see" : "still saw", sub, ms, t->screen);
	return false;
}

/* Wait until the screen shows sub. */
bool
tmx_wait(struct tmx *t, const char *name, const char *sub, int ms)
{
	return tmx_wait_for(t, name, sub, true, ms);
}

/* Wait until the screen no longer shows sub. */
bool
tmx_wait_gone(struct tmx *t, const char *name, const char *sub, int ms)
{
	return tmx_wait_for(t, name, sub, false, ms);
}

bool
tmx_wait_row(struct tmx *t, const char *name, int y, const char *text,
    int ms)
{
	struct tmx_want w = { .met = tmx_met_row, .sub = text, .y = y };

	if (tmx_poll(t, name, &w, ms))
		return true;
	snprintf(t->why, sizeof(t->why), "row %d is '%.200s', not '%.200s':\n"
	    "%.60000s", y, w.row, text, t->screen);
	return false;
}

bool
tmx_wait_count(struct tmx *t, const char *name, const char *sub, int n,
    int ms)
{
	struct tmx_want w = { .met = tmx_met_count, .sub = sub, .n = n };

	if (tmx_poll(t, name, &w, ms))
		return true;
	snprintf(t->why, sizeof(t->why), "'%.200s' shown %d times, not %d:\n"
	    "%.60000s", sub, w.k, n, t->screen);
	return false;
}

/* True when the session's program has ended; its status in *status. */
static bool
tmx_dead(struct tmx *t, const char *name, int *status)
{
	char buf[32];
	FILE *f;
	size_t i;

	*status = -1;
	for (i = 0; i < TMX_SESSIONS_MAX; i++)
		if (strcmp(t->sess[i].name, name) == 0)
			break;
	if (i == TMX_SESSIONS_MAX)
		return true;
	if ((f = fopen(t->sess[i].status, "r")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL)
		*status = atoi(buf);
	fclose(f);
	return true;
}

/* True while the program runs. */
bool
tmx_alive(struct tmx *t, const char *name)
{
	int st;

	return !tmx_dead(t, name, &st);
}

/* Wait for the program to exit. */
int
tmx_wait_exit(struct tmx *t, const char *name, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	int st = -1;

	while (!tmx_dead(t, name, &st)) {
		if (e2e_now_ms() >= deadline) {
			tmx_capture(t, name, false);
			snprintf(t->why, sizeof(t->why),
			    "still running after %d ms; the screen:\n%s", ms,
			    t->screen);
			return -1;
		}
		e2e_nap(TMX_POLL_MS);
	}
	return st;
}

/* Why the last wait failed. */
const char *
tmx_why(const struct tmx *t)
{
	return t->why;
}

/* One screen of a tmux server, for step_dialogue. */
struct tmx_pane {
	struct tmx	*t;
	const char	*name;
};

/* step_dialogue's wait on a screen (a screen has no lines to match whole:
   the text anywhere on it). */
static void
tmx_dialogue_wait(void *drv, const char *text, bool line)
{
	struct tmx_pane *p = drv;

	TMX_WAIT(p->t, p->name, text);
}

/* step_dialogue's typing on a screen: the text, then Enter. */
static void
tmx_dialogue_type(void *drv, const char *line)
{
	struct tmx_pane *p = drv;

	TMX_LINE(p->t, p->name, line);
}

/* The login dialogue on a started screen. */
void
tmx_log_in(struct tmx *t, const char *name, const char *user,
    const char *pass)
{
	struct tmx_pane p = { t, name };
	struct step_ui ui = { &p, tmx_dialogue_wait, tmx_dialogue_type };

	step_dialogue(&ui, user, pass, NULL);
}

/* Start the screen as name in t and log in as user. */
void
tmx_login(struct tmx *t, struct srv *s, const char *name, int cols,
    int rows, const char *user, const char *pass)
{
	ck_assert_msg(tmx_start(t, name, cols, rows, s, NULL), "%s",
	    tmx_why(t));
	tmx_log_in(t, name, user, pass);
}
