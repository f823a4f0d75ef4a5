/*
 * harness.c - end-to-end test harness (see harness.h).
 */
#include <arpa/inet.h>
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

#define MAX_ARGS	32
#define START_TRIES	5	/* ports tried when a server fails to start */
#define READY_MS	10000	/* wait for a server's port to accept */
#define TAIL_LINES	15	/* transcript lines in a failure message */
#define TAIL_WIDTH	200	/* bytes of each of those lines */

static char	 run_dir[200];	/* parent of the temp dirs ("" = /tmp) */
static char	 err_buf[4096];	/* e2e_error() */

static int	 given_ports[256];
static size_t	 n_given;

/* ---- small helpers ----------------------------------------------------- */

long long
e2e_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
e2e_scale(int ms)
{
	const char *env = getenv("CK_TIMEOUT_MULTIPLIER");
	long k = env != NULL ? strtol(env, NULL, 10) : 1;

	if (k < 1 || k > 100)
		k = 1;
	return (int)(ms * k);
}

void
e2e_nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
remaining(long long deadline)
{
	long long left = deadline - e2e_now_ms();

	return left < 0 ? 0 : (int)left;
}

static void
set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
}

const char *
e2e_error(void)
{
	return err_buf[0] != '\0' ? err_buf : "no error recorded";
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		perror("e2e: calloc");
		abort();
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		perror("e2e: strdup");
		abort();
	}
	return p;
}

/* Append to a bounded string buffer. */
static void
bcat(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bcat(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

bool
e2e_is_time(const char *s)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	regex_t re;
	bool ok;
	size_t i;

	if (regcomp(&re, "^[0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
	    "[0-9]{2}:[0-9]{2}:[0-9]{2}$", REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok)
		return false;
	for (i = 0; i < 12; i++)
		if (strncmp(s + 3, mon[i], 3) == 0)
			return true;
	return false;
}

/* ---- directories and files --------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void
rm_tree(const char *dir)
{
	if (dir[0] == '\0')
		return;
	if (getenv("E2E_KEEP") != NULL) {
		fprintf(stderr, "e2e: keeping %s\n", dir);
		return;
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
e2e_fixture_setup(void)
{
	char tmpl[] = "/tmp/fs-e2e-run-XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("e2e: mkdtemp");
		run_dir[0] = '\0';
		return;
	}
	snprintf(run_dir, sizeof(run_dir), "%s", tmpl);
}

void
e2e_fixture_teardown(void)
{
	rm_tree(run_dir);
	run_dir[0] = '\0';
}

static bool
write_file(const char *path, const char *content)
{
	FILE *fp = fopen(path, "w");
	size_t len = strlen(content);
	bool ok;

	if (fp == NULL)
		return false;
	ok = fwrite(content, 1, len, fp) == len;
	if (fclose(fp) != 0)
		ok = false;
	return ok;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

/* The last n lines of text, each cut to TAIL_WIDTH, into out. */
static void
tail_of(const char *text, int n, char *out, size_t size)
{
	const char *p, *start;
	int count = 0;

	out[0] = '\0';
	if (text == NULL || *text == '\0')
		return;
	p = text + strlen(text);
	if (p > text && p[-1] == '\n')
		p--;
	start = p;
	while (start > text) {
		if (start[-1] == '\n' && ++count == n)
			break;
		start--;
	}
	while (*start != '\0') {
		const char *eol = strchr(start, '\n');
		size_t len = eol ? (size_t)(eol - start) : strlen(start);

		bcat(out, size, "    | %.*s%s\n",
		    (int)(len > TAIL_WIDTH ? TAIL_WIDTH : len), start,
		    len > TAIL_WIDTH ? "..." : "");
		if (eol == NULL)
			break;
		start = eol + 1;
	}
}

/* ---- ports ------------------------------------------------------------- */

static int
free_port(int type)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int tries, fd, port;
	size_t i;

	for (tries = 0; tries < 50; tries++) {
		fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return -1;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
		    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
		port = ntohs(sa.sin_port);
		for (i = 0; i < n_given; i++)
			if (given_ports[i] == port)
				break;
		if (i < n_given)
			continue;
		if (n_given < sizeof(given_ports) / sizeof(given_ports[0]))
			given_ports[n_given++] = port;
		return port;
	}
	return -1;
}

int
e2e_free_tcp_port(void)
{
	return free_port(SOCK_STREAM);
}

int
e2e_free_udp_port(void)
{
	return free_port(SOCK_DGRAM);
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sa;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- processes --------------------------------------------------------- */

/* Status as the harness reports it. */
static int
exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/*
 * With E2E_VALGRIND set, run the program under valgrind memcheck: any
 * invalid access or definite leak makes it exit 99, which the tests see as
 * a wrong exit status.  Returns only if valgrind cannot be run.
 */
static void
e2e_exec_valgrind(const char *path, char *const argv[])
{
	char *vargv[48];
	int n = 0, i;

	vargv[n++] = "valgrind";
	vargv[n++] = "--quiet";
	vargv[n++] = "--error-exitcode=99";
	vargv[n++] = "--leak-check=full";
	vargv[n++] = "--errors-for-leak-kinds=definite";
	vargv[n++] = "--show-leak-kinds=definite";
	vargv[n++] = (char *)path;
	for (i = 1; argv[i] != NULL && n < 47; i++)
		vargv[n++] = argv[i];
	vargv[n] = NULL;
	execvp("valgrind", vargv);
}

/* The server to run: $E2E_SERVER_BIN when set (make test-valgrind runs a
   dynamically linked one), else the build's. */
static const char *
e2e_server_bin(void)
{
	const char *p = getenv("E2E_SERVER_BIN");

	return p != NULL && *p != '\0' ? p : E2E_SERVER_BIN;
}

/*
 * fork + exec bin with argv in cwd; stdin from in_fd (-1: /dev/null),
 * stdout and stderr to out_fd.  The child dies with the test process.
 */
static pid_t
spawn(const char *bin, char *const argv[], const char *cwd, int in_fd,
    int out_fd)
{
	char path[PATH_MAX];
	pid_t parent = getpid(), pid;

	if (realpath(bin, path) == NULL) {
		set_error("%s: %s (build it first: make)", bin,
		    strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		set_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		int null_fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (in_fd == -1) {
			null_fd = open("/dev/null", O_RDONLY);
			if (null_fd != -1) {
				dup2(null_fd, 0);
				close(null_fd);
			}
		} else
			dup2(in_fd, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		if (chdir(cwd) == -1) {
			dprintf(2, "e2e: chdir %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		if (getenv("E2E_VALGRIND") != NULL)
			e2e_exec_valgrind(path, argv);
		execv(path, argv);
		dprintf(2, "e2e: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for pid up to ms; -2 when still running, else exit_code(). */
static int
wait_pid(pid_t pid, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	int wstatus;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &wstatus, WNOHANG);
		if (r == pid)
			return exit_code(wstatus);
		if (r == -1 && errno != EINTR)
			return -1;
		if (e2e_now_ms() >= deadline)
			return -2;
		e2e_nap(10);
	}
}

static void
kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/* Say what pid is doing (it did not exit within ms of signal sig). */
static void
proc_state(pid_t pid, char *buf, size_t size, int ms, int sig)
{
	char path[64], state[80] = "?", wchan[64] = "?", *nl;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(state, sizeof(state), fp) != NULL &&
		    strncmp(state, "State:", 6) != 0)
			;
		fclose(fp);
	}
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(wchan, sizeof(wchan), fp) == NULL)
			snprintf(wchan, sizeof(wchan), "?");
		fclose(fp);
	}
	if ((nl = strchr(state, '\n')) != NULL)
		*nl = '\0';
	snprintf(buf, size, "did not exit within %d ms of signal %d (%s, "
	    "waiting in %s); killed", ms, sig, state, wchan);
}

/* ---- server ------------------------------------------------------------ */

struct srv *
srv_prepare(const char *credentials)
{
	struct srv *s = xcalloc(1, sizeof(*s));
	char path[400];

	s->pid = -1;
	s->status = -1;
	snprintf(s->dir, sizeof(s->dir), "%s/fs-e2e-XXXXXX",
	    run_dir[0] != '\0' ? run_dir : "/tmp");
	if (mkdtemp(s->dir) == NULL) {
		set_error("mkdtemp %s: %s", s->dir, strerror(errno));
		free(s);
		return NULL;
	}
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	if (credentials != NULL) {
		snprintf(path, sizeof(path), "%s/credentials.txt", s->dir);
		if (!write_file(path, credentials)) {
			set_error("write %s: %s", path, strerror(errno));
			rm_tree(s->dir);
			free(s);
			return NULL;
		}
	}
	s->port = e2e_free_tcp_port();
	if (s->port == -1) {
		set_error("no free TCP port: %s", strerror(errno));
		rm_tree(s->dir);
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
	return write_file(path, content);
}

char *
srv_read_file(struct srv *s, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return read_file(path);
}

const char *
srv_log_tail(struct srv *s, int nlines)
{
	static char out[4096];
	char *text;

	if (s == NULL)
		return "";
	text = read_file(s->log);
	tail_of(text, nlines, out, sizeof(out));
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
		s->args[i] = xstrdup(args[i]);
	s->args[i] = NULL;
}

bool
srv_restart(struct srv *s)
{
	srv_terminate(s, SIGTERM);
	return srv_run(s, (const char *const *)s->args);
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
		set_error("open %s: %s", s->log, strerror(errno));
		return false;
	}
	s->pid = spawn(e2e_server_bin(), argv, s->dir, -1, log_fd);
	close(log_fd);
	if (s->pid == -1)
		return false;
	deadline = e2e_now_ms() + e2e_scale(READY_MS);
	for (;;) {
		st = wait_pid(s->pid, 0);
		if (st != -2) {
			s->pid = -1;
			s->status = st;
			set_error("firmware-server (port %d, dir %s) exited "
			    "with status %d before accepting connections; "
			    "its output:\n%s", s->port, s->dir, st,
			    srv_log_tail(s, 10));
			return false;
		}
		fd = tcp_connect(s->port);
		if (fd != -1) {
			close(fd);
			return true;
		}
		if (e2e_now_ms() >= deadline)
			break;
		e2e_nap(20);
	}
	kill_wait(s->pid);
	s->pid = -1;
	set_error("firmware-server (port %d, dir %s) did not accept "
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
		set_error("open %s: %s", path, strerror(errno));
		return -1;
	}
	pid = spawn(e2e_server_bin(), argv, s->dir, -1, fd);
	close(fd);
	if (pid == -1)
		return -1;
	st = wait_pid(pid, timeout_ms);
	if (st == -2) {
		kill_wait(pid);
		st = -1;
	}
	if (out != NULL)
		*out = read_file(path);
	return st;
}

/* Merge our [server] and [storage] keys into the body. */
static char *
make_ini(struct srv *s, const char *body)
{
	char server_keys[128], storage_keys[400], header[64];
	bool have_server = false, have_storage = false;
	size_t size = (body ? strlen(body) : 0) + 1024;
	char *ini = xcalloc(1, size);
	const char *p = body ? body : "";

	snprintf(server_keys, sizeof(server_keys),
	    "listen = 127.0.0.1\nport = %d\n", s->port);
	snprintf(storage_keys, sizeof(storage_keys), "data_dir = %s\n",
	    s->dir);
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		bcat(ini, size, "%.*s\n", (int)len, p);
		snprintf(header, sizeof(header), "%.*s",
		    (int)(len < sizeof(header) - 1 ? len : sizeof(header) - 1),
		    p);
		if (!have_server && strcmp(header, "[server]") == 0) {
			bcat(ini, size, "%s", server_keys);
			have_server = true;
		} else if (!have_storage && strcmp(header, "[storage]") == 0) {
			bcat(ini, size, "%s", storage_keys);
			have_storage = true;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!have_server)
		bcat(ini, size, "[server]\n%s", server_keys);
	if (!have_storage)
		bcat(ini, size, "[storage]\n%s", storage_keys);
	return ini;
}

/* After a failed srv_run(): did it fail because the port was taken? */
static bool
port_was_taken(struct srv *s)
{
	char *text = read_file(s->log);
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
	rm_tree(s->dir);
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
		if (!write_file(ini_path, ini)) {
			set_error("write %s: %s", ini_path, strerror(errno));
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
	rm_tree(s->dir);
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
	st = wait_pid(s->pid, e2e_scale(10000));
	if (st == -1)
		snprintf(s->note, sizeof(s->note), "waitpid: %s",
		    strerror(errno));
	if (st == -2) {
		proc_state(s->pid, s->note, sizeof(s->note),
		    e2e_scale(10000), sig);
		kill_wait(s->pid);
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
	rm_tree(s->dir);
	free_args(s);
	free(s);
	return st;
}

/* ---- line streams ------------------------------------------------------ */

static void
stream_init(struct stream *st, int fd, const char *label)
{
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	snprintf(st->label, sizeof(st->label), "%s", label);
}

static void
stream_push(struct stream *st, const char *text, size_t len)
{
	char *line;

	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (st->n == st->cap) {
		char **nl;

		st->cap = st->cap ? st->cap * 2 : 64;
		nl = realloc(st->line, st->cap * sizeof(*nl));
		if (nl == NULL) {
			perror("e2e: realloc");
			abort();
		}
		st->line = nl;
	}
	line = xcalloc(1, len + 1);
	memcpy(line, text, len);
	st->line[st->n++] = line;
}

/* Cut complete lines out of the partial buffer. */
static void
stream_cut(struct stream *st)
{
	char *nl;
	size_t len;

	while ((nl = memchr(st->part, '\n', st->plen)) != NULL) {
		len = (size_t)(nl - st->part);
		stream_push(st, st->part, len);
		memmove(st->part, nl + 1, st->plen - len - 1);
		st->plen -= len + 1;
	}
	if (st->plen == sizeof(st->part)) {	/* an endless line */
		stream_push(st, st->part, st->plen);
		st->plen = 0;
	}
}

/* Wait up to ms for input, read what there is.  false on timeout. */
static bool
stream_fill(struct stream *st, int ms)
{
	struct pollfd pfd;
	ssize_t n;
	int r;

	if (st->eof || st->fd == -1)
		return false;
	pfd.fd = st->fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, ms);
	if (r == -1 && errno == EINTR)
		return true;
	if (r <= 0)
		return false;
	n = read(st->fd, st->part + st->plen, sizeof(st->part) - st->plen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		st->eof = true;
		if (st->plen > 0) {
			stream_push(st, st->part, st->plen);
			st->plen = 0;
		}
		return true;
	}
	st->plen += (size_t)n;
	stream_cut(st);
	return true;
}

/* Read whatever is there without waiting. */
static void
stream_drain(struct stream *st)
{
	while (!st->eof && st->fd != -1 && stream_fill(st, 0))
		;
}

enum match { M_SUB, M_EXACT, M_PREFIX };

static bool
matches(const char *line, const char *pat, enum match how)
{
	switch (how) {
	case M_EXACT:
		return strcmp(line, pat) == 0;
	case M_PREFIX:
		return strncmp(line, pat, strlen(pat)) == 0;
	case M_SUB:
	default:
		return strstr(line, pat) != NULL;
	}
}

/* Index of the first pattern some line from pos on matches; -1 on
   timeout (*eof tells whether the stream ended). */
static int
stream_expect(struct stream *st, const char *const pats[], size_t npats,
    enum match how, int ms, bool *eof)
{
	long long deadline = e2e_now_ms() + ms;
	size_t i;

	*eof = false;
	for (;;) {
		while (st->pos < st->n) {
			const char *line = st->line[st->pos++];

			for (i = 0; i < npats; i++)
				if (matches(line, pats[i], how))
					return (int)i;
		}
		if (st->eof || st->fd == -1) {
			*eof = true;
			return -1;
		}
		if (remaining(deadline) == 0)
			return -1;
		stream_fill(st, remaining(deadline));
	}
}

static void
stream_tail(struct stream *st, char *buf, size_t size)
{
	size_t i = st->n > TAIL_LINES ? st->n - TAIL_LINES : 0;

	if (st->n == 0)
		bcat(buf, size, "    (no output at all)\n");
	if (i > 0)
		bcat(buf, size, "    (%zu earlier lines not shown)\n", i);
	for (; i < st->n; i++) {
		size_t len = strlen(st->line[i]);

		bcat(buf, size, "    | %.*s%s\n",
		    (int)(len > TAIL_WIDTH ? TAIL_WIDTH : len), st->line[i],
		    len > TAIL_WIDTH ? "..." : "");
	}
	if (st->plen > 0)
		bcat(buf, size, "    | %.*s   (no newline yet)\n",
		    (int)(st->plen > TAIL_WIDTH ? TAIL_WIDTH : st->plen),
		    st->part);
}

static void
stream_free(struct stream *st)
{
	size_t i;

	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	for (i = 0; i < st->n; i++)
		free(st->line[i]);
	free(st->line);
	st->line = NULL;
	st->n = st->cap = st->pos = 0;
}

/* ---- plain client ------------------------------------------------------ */

struct cli *
cli_start(struct srv *s, ...)
{
	char *argv[MAX_ARGS];
	char port[16], cwd[400];
	int in_pipe[2], out_pipe[2], n = 0;
	struct cli *c;
	va_list ap;

	snprintf(port, sizeof(port), "%d", s->port);
	argv[n++] = (char *)"tui-client";
	argv[n++] = (char *)"--plain";
	argv[n++] = (char *)"127.0.0.1";
	argv[n++] = port;
	va_start(ap, s);
	while (n < MAX_ARGS - 2 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;

	snprintf(cwd, sizeof(cwd), "%s/client", s->dir);
	if (mkdir(cwd, 0755) == -1 && errno != EEXIST) {
		set_error("mkdir %s: %s", cwd, strerror(errno));
		return NULL;
	}
	if (pipe2(in_pipe, O_CLOEXEC) == -1)
		return NULL;
	if (pipe2(out_pipe, O_CLOEXEC) == -1) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->status = -1;
	c->pid = spawn(E2E_CLIENT_BIN, argv, cwd, in_pipe[0], out_pipe[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	if (c->pid == -1) {
		close(in_pipe[1]);
		close(out_pipe[0]);
		free(c);
		return NULL;
	}
	c->in = in_pipe[1];
	stream_init(&c->out, out_pipe[0], "client");
	fcntl(c->out.fd, F_SETFL, fcntl(c->out.fd, F_GETFL) | O_NONBLOCK);
	return c;
}

void
cli_label(struct cli *c, const char *label)
{
	snprintf(c->out.label, sizeof(c->out.label), "client %s", label);
}

/* Say so when the server is no longer running (reaps it if it ended). */
static void
srv_note(struct srv *s, char *buf, size_t size)
{
	int wstatus;

	if (s == NULL)
		return;
	if (s->pid != -1 && waitpid(s->pid, &wstatus, WNOHANG) == s->pid) {
		bcat(buf, size, "  NOTE: the server (pid %d) has ended with "
		    "status %d while the test still used it (a crash, or "
		    "stopped from outside the test?)\n", (int)s->pid,
		    exit_code(wstatus));
		s->pid = -1;
		s->status = exit_code(wstatus);
		s->died = true;
	} else if (s->died)
		bcat(buf, size, "  NOTE: the server ended early, with status "
		    "%d\n", s->status);
}

static void
cli_explain(struct cli *c, const char *what)
{
	c->why[0] = '\0';
	bcat(c->why, sizeof(c->why), "%s (pid %d", c->out.label, (int)c->pid);
	if (c->pid == -1)
		bcat(c->why, sizeof(c->why), ", exited with status %d",
		    c->status);
	bcat(c->why, sizeof(c->why), "): %s\n  last output lines:\n", what);
	stream_tail(&c->out, c->why, sizeof(c->why));
	if (c->srv != NULL) {
		srv_note(c->srv, c->why, sizeof(c->why));
		bcat(c->why, sizeof(c->why), "  server log (%s):\n",
		    c->srv->log);
		bcat(c->why, sizeof(c->why), "%s", srv_log_tail(c->srv, 8));
	}
}

const char *
cli_why(struct cli *c)
{
	return c->why[0] != '\0' ? c->why : "(no failure recorded)";
}

bool
cli_send(struct cli *c, const char *line)
{
	size_t len = strlen(line), off = 0;
	char *buf = xcalloc(1, len + 2);
	ssize_t n;

	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (c->in != -1 && off < len) {
		n = write(c->in, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			char what[300];

			snprintf(what, sizeof(what), "cannot send \"%s\": %s",
			    line, strerror(errno));
			free(buf);
			stream_drain(&c->out);
			cli_explain(c, what);
			return false;
		}
		off += (size_t)n;
	}
	free(buf);
	if (c->in == -1) {
		cli_explain(c, "cannot send: stdin already closed");
		return false;
	}
	return true;
}

static bool
cli_expect_how(struct cli *c, const char *pat, enum match how, int ms)
{
	const char *pats[1] = { pat };
	char what[400];
	bool eof;

	if (stream_expect(&c->out, pats, 1, how, ms, &eof) == 0)
		return true;
	snprintf(what, sizeof(what), "no line %s \"%s\" %s",
	    how == M_EXACT ? "equal to" : "containing", pat,
	    eof ? "before its output ended" : "");
	if (!eof)
		bcat(what, sizeof(what), "within %d ms", ms);
	cli_explain(c, what);
	return false;
}

bool
cli_expect(struct cli *c, const char *sub, int ms)
{
	return cli_expect_how(c, sub, M_SUB, ms);
}

bool
cli_expect_line(struct cli *c, const char *line, int ms)
{
	return cli_expect_how(c, line, M_EXACT, ms);
}

int
cli_expect_any(struct cli *c, int ms, ...)
{
	const char *pats[16];
	char what[600];
	size_t n = 0, i;
	va_list ap;
	bool eof;
	int r;

	va_start(ap, ms);
	while (n < 16 && (pats[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	r = stream_expect(&c->out, pats, n, M_SUB, ms, &eof);
	if (r >= 0)
		return r;
	snprintf(what, sizeof(what), "no line containing any of");
	for (i = 0; i < n; i++)
		bcat(what, sizeof(what), " \"%s\"", pats[i]);
	bcat(what, sizeof(what), eof ? " before its output ended" :
	    " within %d ms", ms);
	cli_explain(c, what);
	return -1;
}

const char *
cli_last(struct cli *c)
{
	return c->out.pos > 0 ? c->out.line[c->out.pos - 1] : "";
}

size_t
cli_mark(struct cli *c)
{
	return c->out.pos;
}

const char *
cli_saw(struct cli *c, size_t from, const char *sub)
{
	size_t i;

	for (i = from; i < c->out.pos; i++)
		if (strstr(c->out.line[i], sub) != NULL)
			return c->out.line[i];
	return NULL;
}

const char *
cli_saw_re(struct cli *c, size_t from, const char *re)
{
	const char *found = NULL;
	regex_t rx;
	size_t i;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "e2e: bad regex %s\n", re);
		return NULL;
	}
	for (i = from; i < c->out.pos && found == NULL; i++)
		if (regexec(&rx, c->out.line[i], 0, NULL, 0) == 0)
			found = c->out.line[i];
	regfree(&rx);
	return found;
}

const char *
cli_lines(struct cli *c, size_t from)
{
	static char buf[4096];
	size_t i;

	buf[0] = '\0';
	for (i = from; i < c->out.pos; i++)
		bcat(buf, sizeof(buf), "    | %.*s\n", TAIL_WIDTH,
		    c->out.line[i]);
	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "    (no lines)\n");
	return buf;
}

int
cli_wait(struct cli *c, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];
	int st;

	if (c->pid == -1)
		return c->status;
	for (;;) {
		st = wait_pid(c->pid, 0);
		if (st != -2)
			break;
		if (remaining(deadline) == 0) {
			kill_wait(c->pid);
			c->pid = -1;
			c->status = -1;
			stream_drain(&c->out);
			snprintf(what, sizeof(what), "did not exit within "
			    "%d ms (killed)", ms);
			cli_explain(c, what);
			return -1;
		}
		/* Keep reading so that it never blocks on a full pipe. */
		if (!stream_fill(&c->out, remaining(deadline) < 20 ?
		    remaining(deadline) : 20) && c->out.eof)
			e2e_nap(5);
	}
	c->pid = -1;
	c->status = st;
	stream_drain(&c->out);
	snprintf(what, sizeof(what), "exited with status %d", st);
	cli_explain(c, what);
	return st;
}

int
cli_close_wait(struct cli *c, int ms)
{
	if (c->in != -1) {
		close(c->in);
		c->in = -1;
	}
	return cli_wait(c, ms);
}

void
cli_free(struct cli *c)
{
	if (c == NULL)
		return;
	if (c->in != -1)
		close(c->in);
	if (c->pid != -1)
		kill_wait(c->pid);
	stream_free(&c->out);
	free(c);
}

/* ---- raw protocol connection ------------------------------------------- */

struct raw *
raw_connect(struct srv *s)
{
	static int count;
	struct raw *r;
	char label[32];
	int fd;

	fd = tcp_connect(s->port);
	if (fd == -1) {
		set_error("connect 127.0.0.1:%d: %s", s->port,
		    strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->srv = s;
	snprintf(label, sizeof(label), "raw connection %d", ++count);
	stream_init(&r->in, fd, label);
	return r;
}

static void
raw_explain(struct raw *r, const char *what)
{
	r->why[0] = '\0';
	bcat(r->why, sizeof(r->why), "%s: %s\n  lines received:\n",
	    r->in.label, what);
	stream_tail(&r->in, r->why, sizeof(r->why));
	srv_note(r->srv, r->why, sizeof(r->why));
	bcat(r->why, sizeof(r->why), "  server log (%s):\n", r->srv->log);
	bcat(r->why, sizeof(r->why), "%s", srv_log_tail(r->srv, 8));
}

const char *
raw_why(struct raw *r)
{
	return r->why[0] != '\0' ? r->why : "(no failure recorded)";
}

bool
raw_send_bytes(struct raw *r, const void *buf, size_t len)
{
	const char *p = buf;
	char what[200];
	ssize_t n;

	while (len > 0) {
		n = send(r->in.fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(what, sizeof(what), "send: %s",
			    strerror(errno));
			raw_explain(r, what);
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool
raw_send(struct raw *r, const char *line)
{
	size_t len = strlen(line);
	char *buf = xcalloc(1, len + 2);
	bool ok;

	memcpy(buf, line, len);
	buf[len] = '\n';
	ok = raw_send_bytes(r, buf, len + 1);
	free(buf);
	return ok;
}

const char *
raw_next(struct raw *r, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];

	while (r->in.pos >= r->in.n) {
		if (r->in.eof) {
			raw_explain(r, "connection closed, no more lines");
			return NULL;
		}
		if (remaining(deadline) == 0) {
			snprintf(what, sizeof(what), "no line within %d ms",
			    ms);
			raw_explain(r, what);
			return NULL;
		}
		stream_fill(&r->in, remaining(deadline));
	}
	return r->in.line[r->in.pos++];
}

bool
raw_expect(struct raw *r, const char *prefix, int ms)
{
	const char *line = raw_next(r, ms);
	char what[400];

	if (line == NULL) {
		snprintf(what, sizeof(what), "expected a line starting with "
		    "\"%s\"; ", prefix);
		bcat(what, sizeof(what), "%s", r->in.eof ?
		    "the connection was closed" : "nothing came");
		raw_explain(r, what);
		return false;
	}
	if (strncmp(line, prefix, strlen(prefix)) != 0) {
		snprintf(what, sizeof(what), "expected a line starting with "
		    "\"%s\", got \"%.200s\"", prefix, line);
		raw_explain(r, what);
		return false;
	}
	return true;
}

bool
raw_expect_closed(struct raw *r, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	char what[200];

	while (!r->in.eof) {
		if (remaining(deadline) == 0) {
			snprintf(what, sizeof(what), "still open after %d ms",
			    ms);
			raw_explain(r, what);
			return false;
		}
		stream_fill(&r->in, remaining(deadline));
	}
	return true;
}

void
raw_close(struct raw *r)
{
	if (r == NULL)
		return;
	stream_free(&r->in);
	free(r);
}

/*
 * A raw connection from a given loopback source address (127.0.0.2, ...),
 * so that a test can play a second machine.  NULL on failure.
 */
struct raw *
raw_connect_from(struct srv *s, const char *src)
{
	struct sockaddr_in sa;
	struct raw *r;
	char label[48];
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		set_error("bind %s: %s", src, strerror(errno));
		close(fd);
		return NULL;
	}
	sa.sin_port = htons((unsigned short)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		set_error("connect from %s: %s", src, strerror(errno));
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->srv = s;
	snprintf(label, sizeof(label), "raw connection from %s", src);
	stream_init(&r->in, fd, label);
	return r;
}
