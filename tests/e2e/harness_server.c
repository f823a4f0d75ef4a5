/*
 * harness_server.c - the e2e harness's server driver: the real
 * firmware-server in its own temporary directory on a free port, started,
 * restarted, run to its end, stopped (see harness.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

#define START_TRIES	5	/* ports tried when a server fails to start */
#define READY_MS	10000	/* wait for a server's port to accept */

/* The server to run: $E2E_SERVER_BIN when set (make test-valgrind runs a
   dynamically linked one), else the build's. */
static const char *
e2e_server_bin(void)
{
	const char *p = getenv("E2E_SERVER_BIN");

	return p != NULL && *p != '\0' ? p : E2E_SERVER_BIN;
}

struct srv *
srv_prepare(const char *credentials)
{
	struct srv *s = e2e_xcalloc(1, sizeof(*s));
	char path[400];

	s->pid = -1;
	s->status = -1;
	snprintf(s->dir, sizeof(s->dir), "%s/fs-e2e-XXXXXX",
	    e2e_run_dir());
	if (mkdtemp(s->dir) == NULL) {
		e2e_set_error("mkdtemp %s: %s", s->dir, strerror(errno));
		free(s);
		return NULL;
	}
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	if (credentials != NULL) {
		snprintf(path, sizeof(path), "%s/credentials.txt", s->dir);
		if (!e2e_write_file(path, credentials)) {
			e2e_set_error("write %s: %s", path, strerror(errno));
			e2e_rm_tree(s->dir);
			free(s);
			return NULL;
		}
	}
	s->port = e2e_free_tcp_port();
	if (s->port == -1) {
		e2e_set_error("no free TCP port: %s", strerror(errno));
		e2e_rm_tree(s->dir);
		free(s);
		return NULL;
	}
	return s;
}

bool
srv_write_file(struct srv *s, const char *name, const char *content)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return e2e_write_file(path, content);
}

char *
srv_read_file(struct srv *s, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return e2e_read_file(path);
}

const char *
srv_log_tail(struct srv *s, int nlines)
{
	static char out[4096];
	char *text;

	if (s == NULL)
		return "";
	text = e2e_read_file(s->log);
	e2e_tail_of(text, nlines, out, sizeof(out));
	free(text);
	if (out[0] == '\0')
		snprintf(out, sizeof(out), "    (empty)\n");
	return out;
}

/* Build a NULL-terminated argv: bin, then args. */
static void
make_argv(char **argv, const char *bin, const char *const args[])
{
	size_t i = 0;

	argv[i++] = (char *)bin;
	for (; args[i - 1] != NULL && i < MAX_ARGS - 1; i++)
		argv[i] = (char *)args[i - 1];
	argv[i] = NULL;
}

static void
free_args(struct srv *s)
{
	size_t i;

	for (i = 0; s->args[i] != NULL; i++) {
		free(s->args[i]);
		s->args[i] = NULL;
	}
}

static void
save_args(struct srv *s, const char *const args[])
{
	size_t i;

	free_args(s);
	for (i = 0; args[i] != NULL && i < sizeof(s->args) /
	    sizeof(s->args[0]) - 1; i++)
		s->args[i] = e2e_xstrdup(args[i]);
	s->args[i] = NULL;
}

bool
srv_restart(struct srv *s)
{
	srv_terminate(s, SIGTERM);
	return srv_run(s, (const char *const *)s->args);
}

/* The inode of the socket listening on TCP port in file (/proc/net/tcp
   or tcp6), or 0. */
static unsigned long
listen_inode(const char *file, int port)
{
	char line[512];
	unsigned long inode = 0, ino;
	unsigned lport, state;
	FILE *fp;

	if ((fp = fopen(file, "r")) == NULL)
		return 0;
	while (inode == 0 && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, " %*u: %*x:%x %*x:%*x %x %*x:%*x %*x:%*x "
		    "%*x %*u %*u %lu", &lport, &state, &ino) == 3 &&
		    (int)lport == port && state == 0x0A)	/* LISTEN */
			inode = ino;
	fclose(fp);
	return inode;
}

/* Is the socket listening on port one of pid's descriptors? */
static bool
holds_listener(pid_t pid, int port)
{
	char dir[64], path[64 + 256], link[64], want[64];
	unsigned long inode;
	struct dirent *e;
	bool found = false;
	ssize_t n;
	DIR *d;

	if ((inode = listen_inode("/proc/net/tcp", port)) == 0 &&
	    (inode = listen_inode("/proc/net/tcp6", port)) == 0)
		return false;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

/*
 * Is the server the one listening on port?  A port that accepts is no
 * proof: under valgrind the server takes seconds to exit after "cannot
 * listen ... in use", and meanwhile the process that took the port (in
 * parallel runs, another test's server) answers the connect, so the test
 * went on against a stranger's server.  Until its exec, the child still
 * holds this process's descriptors: a listener of ours is not its own.
 */
static bool
listens_on(pid_t pid, int port)
{
	return holds_listener(pid, port) && !holds_listener(getpid(), port);
}

bool
srv_run(struct srv *s, const char *const args[])
{
	char *argv[MAX_ARGS];
	long long deadline;
	int log_fd, fd, st;

	s->died = false;
	if (args != (const char *const *)s->args)
		save_args(s, args);
	make_argv(argv, "firmware-server", args);
	log_fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd == -1) {
		e2e_set_error("open %s: %s", s->log, strerror(errno));
		return false;
	}
	s->pid = e2e_spawn(e2e_server_bin(), argv, s->dir, -1, log_fd);
	close(log_fd);
	if (s->pid == -1)
		return false;
	deadline = e2e_now_ms() + e2e_scale(READY_MS);
	for (;;) {
		st = e2e_wait_pid(s->pid, 0);
		if (st != -2) {
			s->pid = -1;
			s->status = st;
			e2e_set_error("firmware-server (port %d, dir %s) exited "
			    "with status %d before accepting connections; "
			    "its output:\n%s", s->port, s->dir, st,
			    srv_log_tail(s, 10));
			return false;
		}
		fd = e2e_tcp_connect(s->port);
		if (fd != -1) {
			close(fd);
			if (listens_on(s->pid, s->port))
				return true;
		}
		if (e2e_now_ms() >= deadline)
			break;
		e2e_nap(20);
	}
	e2e_kill_wait(s->pid);
	s->pid = -1;
	e2e_set_error("firmware-server (port %d, dir %s) did not accept "
	    "connections within %d ms; its output:\n%s", s->port, s->dir,
	    e2e_scale(READY_MS), srv_log_tail(s, 10));
	return false;
}

int
srv_exec(struct srv *s, const char *const args[], int timeout_ms, char **out)
{
	char *argv[MAX_ARGS];
	char path[400];
	int fd, st;
	pid_t pid;

	if (out != NULL)
		*out = NULL;
	make_argv(argv, "firmware-server", args);
	snprintf(path, sizeof(path), "%s/exec.out", s->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		e2e_set_error("open %s: %s", path, strerror(errno));
		return -1;
	}
	pid = e2e_spawn(e2e_server_bin(), argv, s->dir, -1, fd);
	close(fd);
	if (pid == -1)
		return -1;
	st = e2e_wait_pid(pid, timeout_ms);
	if (st == -2) {
		e2e_kill_wait(pid);
		st = -1;
	}
	if (out != NULL)
		*out = e2e_read_file(path);
	return st;
}

/* Merge our [server] and [storage] keys into the body. */
static char *
make_ini(struct srv *s, const char *body)
{
	char server_keys[128], storage_keys[400], header[64];
	bool have_server = false, have_storage = false;
	size_t size = (body ? strlen(body) : 0) + 1024;
	char *ini = e2e_xcalloc(1, size);
	const char *p = body ? body : "";

	snprintf(server_keys, sizeof(server_keys),
	    "listen = 127.0.0.1\nport = %d\n", s->port);
	snprintf(storage_keys, sizeof(storage_keys), "data_dir = %s\n",
	    s->dir);
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		e2e_bcat(ini, size, "%.*s\n", (int)len, p);
		snprintf(header, sizeof(header), "%.*s",
		    (int)(len < sizeof(header) - 1 ? len : sizeof(header) - 1),
		    p);
		if (!have_server && strcmp(header, "[server]") == 0) {
			e2e_bcat(ini, size, "%s", server_keys);
			have_server = true;
		} else if (!have_storage && strcmp(header, "[storage]") == 0) {
			e2e_bcat(ini, size, "%s", storage_keys);
			have_storage = true;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!have_server)
		e2e_bcat(ini, size, "[server]\n%s", server_keys);
	if (!have_storage)
		e2e_bcat(ini, size, "[storage]\n%s", storage_keys);
	return ini;
}

/* After a failed srv_run(): did it fail because the port was taken? */
static bool
port_was_taken(struct srv *s)
{
	char *text = e2e_read_file(s->log);
	bool taken;

	taken = text != NULL && (strcasestr(text, "in use") != NULL ||
	    strcasestr(text, "EADDRINUSE") != NULL);
	free(text);
	if (taken && truncate(s->log, 0) != 0)	/* next try: clean log */
		taken = false;
	return taken;
}

struct srv *
srv_start(const char *ini_body, const char *credentials)
{
	struct srv *s = srv_prepare(credentials);

	if (s == NULL)
		return NULL;
	if (srv_start_prepared(s, ini_body))
		return s;
	e2e_rm_tree(s->dir);
	free_args(s);
	free(s);
	return NULL;
}

bool
srv_start_prepared(struct srv *s, const char *ini_body)
{
	char ini_path[400], *ini;
	int tries;

	snprintf(ini_path, sizeof(ini_path), "%s/server.ini", s->dir);
	for (tries = 0; tries < START_TRIES; tries++) {
		const char *argv[] = { "-c", ini_path, NULL };

		if (tries > 0)
			s->port = e2e_free_tcp_port();
		ini = make_ini(s, ini_body);
		if (!e2e_write_file(ini_path, ini)) {
			e2e_set_error("write %s: %s", ini_path, strerror(errno));
			free(ini);
			break;
		}
		free(ini);
		if (srv_run(s, argv))
			return true;
		if (!port_was_taken(s))
			break;
	}
	return false;
}

struct srv *
srv_start_pos(const char *credentials, ...)
{
	const char *argv[MAX_ARGS];
	char port[16];
	struct srv *s;
	va_list ap;
	int tries, n;

	s = srv_prepare(credentials);
	if (s == NULL)
		return NULL;
	for (tries = 0; tries < START_TRIES; tries++) {
		if (tries > 0)
			s->port = e2e_free_tcp_port();
		snprintf(port, sizeof(port), "%d", s->port);
		n = 0;
		argv[n++] = port;
		va_start(ap, credentials);
		while (n < MAX_ARGS - 2 &&
		    (argv[n] = va_arg(ap, const char *)) != NULL)
			n++;
		va_end(ap);
		argv[n] = NULL;
		if (srv_run(s, argv))
			return s;
		if (!port_was_taken(s))
			break;
	}
	e2e_rm_tree(s->dir);
	free_args(s);
	free(s);
	return NULL;
}

struct srv *
e2e_srv_start_ok(struct srv *s)
{
	ck_assert_msg(s != NULL, "server did not start: %s", e2e_error());
	return s;
}

int
srv_terminate(struct srv *s, int sig)
{
	int st;

	if (s == NULL)
		return -1;
	s->note[0] = '\0';
	if (s->pid == -1) {
		if (s->died)
			snprintf(s->note, sizeof(s->note), "it had ended before, "
			    "with status %d, while the test still used it",
			    s->status);
		return s->died ? -1 : s->status;
	}
	kill(s->pid, sig);
	st = e2e_wait_pid(s->pid, e2e_scale(10000));
	if (st == -1)
		snprintf(s->note, sizeof(s->note), "waitpid: %s",
		    strerror(errno));
	if (st == -2) {
		e2e_proc_state(s->pid, s->note, sizeof(s->note),
		    e2e_scale(10000), sig);
		e2e_kill_wait(s->pid);
		st = -1;
	}
	s->pid = -1;
	s->status = st;
	return st;
}

int
srv_stop(struct srv *s)
{
	int st;

	if (s == NULL)
		return -1;
	st = srv_terminate(s, SIGTERM);
	e2e_rm_tree(s->dir);
	free_args(s);
	free(s);
	return st;
}

/* Say so when the server is no longer running (reaps it if it ended). */
void
srv_note(struct srv *s, char *buf, size_t size)
{
	int wstatus;

	if (s == NULL)
		return;
	if (s->pid != -1 && waitpid(s->pid, &wstatus, WNOHANG) == s->pid) {
		e2e_bcat(buf, size, "  NOTE: the server (pid %d) has ended with "
		    "status %d while the test still used it (a crash, or "
		    "stopped from outside the test?)\n", (int)s->pid,
		    e2e_exit_code(wstatus));
		s->pid = -1;
		s->status = e2e_exit_code(wstatus);
		s->died = true;
	} else if (s->died)
		e2e_bcat(buf, size, "  NOTE: the server ended early, with status "
		    "%d\n", s->status);
}
