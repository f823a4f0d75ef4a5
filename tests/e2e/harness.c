/*
 * harness.c - end-to-end test harness (see harness.h): what its drivers
 * share (clock, errors, temporary directories and files, ports, child
 * processes).  The drivers: harness_server.c, harness_plain.c,
 * harness_raw.c, tmux.c; the line streams they read: harness_stream.c.
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
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

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

long
e2e_proc_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':' &&
		    sscanf(line + flen + 1, "%ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

int
e2e_remaining(long long deadline)
{
	long long left = deadline - e2e_now_ms();

	return left < 0 ? 0 : (int)left;
}

void
e2e_set_error(const char *fmt, ...)
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

void *
e2e_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		perror("e2e: calloc");
		abort();
	}
	return p;
}

char *
e2e_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		perror("e2e: strdup");
		abort();
	}
	return p;
}

void
e2e_bcat(char *buf, size_t size, const char *fmt, ...)
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

/* One entry of a tree being removed.  A directory still mounted (a test
   that failed before unmounting its small tmpfs) is detached first, so
   no mount is left behind under /tmp. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) == -1 && errno == EBUSY && flag == FTW_DP &&
	    umount2(path, MNT_DETACH) == 0)
		remove(path);
	return 0;
}

void
e2e_rm_tree(const char *dir)
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
	e2e_rm_tree(run_dir);
	run_dir[0] = '\0';
}

/* Where a temporary directory goes: the tcase's, or /tmp outside one. */
const char *
e2e_run_dir(void)
{
	return run_dir[0] != '\0' ? run_dir : "/tmp";
}

bool
e2e_write_file(const char *path, const char *content)
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

char *
e2e_read_file(const char *path)
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
void
e2e_tail_of(const char *text, int n, char *out, size_t size)
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

		e2e_bcat(out, size, "    | %.*s%s\n",
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

int
e2e_tcp_connect(int port)
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

int
e2e_tcp_listen(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    listen(fd, 16) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0,
	    "listen on 127.0.0.1: %s", strerror(errno));
	*port = ntohs(sa.sin_port);
	return fd;
}

/* ---- processes --------------------------------------------------------- */

/* Status as the harness reports it. */
int
e2e_exit_code(int wstatus)
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

/*
 * fork + exec bin with argv in cwd; stdin from in_fd (-1: /dev/null),
 * stdout and stderr to out_fd.  The child dies with the test process.
 */
pid_t
e2e_spawn(const char *bin, char *const argv[], const char *cwd, int in_fd,
    int out_fd)
{
	char path[PATH_MAX];
	pid_t parent = getpid(), pid;

	if (realpath(bin, path) == NULL) {
		e2e_set_error("%s: %s (build it first: make)", bin,
		    strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		e2e_set_error("fork: %s", strerror(errno));
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

/* Wait for pid up to ms; -2 when still running, else e2e_exit_code(). */
int
e2e_wait_pid(pid_t pid, int ms)
{
	long long deadline = e2e_now_ms() + ms;
	int wstatus;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &wstatus, WNOHANG);
		if (r == pid)
			return e2e_exit_code(wstatus);
		if (r == -1 && errno != EINTR)
			return -1;
		if (e2e_now_ms() >= deadline)
			return -2;
		e2e_nap(10);
	}
}

void
e2e_kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/* Say what pid is doing (it did not exit within ms of signal sig). */
void
e2e_proc_state(pid_t pid, char *buf, size_t size, int ms, int sig)
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
