/*
 * check_e2e_notify.c - the server under a service manager: the test plays
 * systemd with its own AF_UNIX datagram socket named in $NOTIFY_SOCKET
 * (a path, or an @name in the abstract namespace) and checks READY=1 once
 * listening, WATCHDOG=1 at half of $WATCHDOG_USEC, RELOADING=1 and READY=1
 * around a SIGHUP reload, STOPPING=1 on SIGTERM; then what SIGHUP reloads
 * (credentials, settings) and $STATE_DIRECTORY as the data directory.
 *
 * The environment is set with setenv() in the test's own process (Check
 * forks one per test), which the server inherits.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS		"alice alice123\nbob bob123\n"
#define INI_BASIC	"[accounts]\nregistration = no\n"
#define MSG_RETRY	"Error: Invalid password. Please try again"

/* The fake service manager: a bound datagram socket. */
struct mgr {
	int	fd;
	char	name[200];	/* what NOTIFY_SOCKET says */
	char	seen[8192];	/* every message so far, for failure messages */
};

/* Bind a socket for the server to notify, in dir or (abstract) by name. */
static void
mgr_open(struct mgr *m, const char *dir, bool abstract)
{
	struct sockaddr_un sun;
	socklen_t len;
	static int count;

	memset(m, 0, sizeof(*m));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (abstract)
		snprintf(m->name, sizeof(m->name), "@fs-e2e-notify-%d-%d",
		    (int)getpid(), count++);
	else
		snprintf(m->name, sizeof(m->name), "%s/notify.sock", dir);
	ck_assert_uint_lt(strlen(m->name), sizeof(sun.sun_path));
	memcpy(sun.sun_path, m->name, strlen(m->name));
	if (abstract) {
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(m->name));
	} else
		len = sizeof(sun);
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(m->fd, -1);
	ck_assert_msg(bind(m->fd, (struct sockaddr *)&sun, len) == 0,
	    "bind %s: %s", m->name, strerror(errno));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", m->name, 1), 0);
}

/* The next message within ms into buf; false on timeout. */
static bool
mgr_recv(struct mgr *m, char *buf, size_t size, int ms)
{
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	long long deadline = e2e_now_ms() + ms;
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(deadline - e2e_now_ms());
		if (left < 0)
			left = 0;
		if (poll(&pfd, 1, left) == 1) {
			n = recv(m->fd, buf, size - 1, 0);
			if (n >= 0) {
				buf[n] = '\0';
				if (strlen(m->seen) + (size_t)n + 8 <
				    sizeof(m->seen)) {
					strcat(m->seen, "[");
					strcat(m->seen, buf);
					strcat(m->seen, "] ");
				}
				return true;
			}
		}
		if (e2e_now_ms() >= deadline)
			return false;
	}
}

/* True when msg holds the line "line" (messages are newline-separated). */
static bool
has_line(const char *msg, const char *line)
{
	size_t n = strlen(line);
	const char *p = msg;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == msg || p[-1] == '\n') && (p[n] == '\0' ||
		    p[n] == '\n'))
			return true;
		p++;
	}
	return false;
}

/*
 * Wait for a message with the line want; messages before it are passed
 * over, except that one holding the line never is a failure (NULL: none).
 */
static void
mgr_expect(struct mgr *m, const char *want, const char *never, int ms)
{
	char buf[1024];
	long long deadline = e2e_now_ms() + ms;

	for (;;) {
		ck_assert_msg(mgr_recv(m, buf, sizeof(buf),
		    (int)(deadline - e2e_now_ms())), "no %s within %d ms; "
		    "messages: %s", want, ms, m->seen);
		ck_assert_msg(never == NULL || !has_line(buf, never),
		    "%s before %s; messages: %s", never, want, m->seen);
		if (has_line(buf, want))
			return;
	}
}

/* Close the socket, forget the environment. */
static void
mgr_close(struct mgr *m)
{
	char path[256];

	close(m->fd);
	if (m->name[0] == '/') {
		snprintf(path, sizeof(path), "%s", m->name);
		unlink(path);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* Wait until the server's log holds text. */
static void
log_expect(struct srv *s, const char *text)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	char *log;
	bool found;

	for (;;) {
		log = srv_read_file(s, "server.log");
		found = log != NULL && strstr(log, text) != NULL;
		free(log);
		if (found)
			return;
		ck_assert_msg(e2e_now_ms() < deadline, "'%s' not in the log:\n%s",
		    text, srv_log_tail(s, 12));
		e2e_nap(20);
	}
}

/* SIGHUP, then wait for the reload to finish (READY=1 after RELOADING=1). */
static void
hup(struct srv *s, struct mgr *m)
{
	ck_assert_int_eq(kill(s->pid, SIGHUP), 0);
	mgr_expect(m, "RELOADING=1", NULL, E2E_WAIT_MS);
	mgr_expect(m, "READY=1", NULL, E2E_WAIT_MS);
}

/* ---- tests ------------------------------------------------------------- */

/* READY=1 once it accepts, STOPPING=1 on SIGTERM; no WATCHDOG without
   WATCHDOG_USEC.  Socket by path. */
START_TEST(test_ready_stopping_path)
{
	struct srv *s = srv_prepare(CREDS);
	struct raw *r;
	struct mgr m;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, false);
	unsetenv("WATCHDOG_USEC");
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", "WATCHDOG=1", E2E_WAIT_MS);
	ck_assert_msg(strstr(m.seen, "STATUS=listening on 127.0.0.1 port")
	    != NULL, "no STATUS in READY: %s", m.seen);
	r = raw_connect(s);
	ck_assert_msg(r != NULL, "cannot connect after READY=1");
	raw_close(r);
	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);
	mgr_expect(&m, "STOPPING=1", "WATCHDOG=1", E2E_WAIT_MS);
	srv_stop(s);
	mgr_close(&m);
}
END_TEST

/* The same over an abstract socket (@name), stopped by SIGINT. */
START_TEST(test_ready_stopping_abstract)
{
	struct srv *s = srv_prepare(CREDS);
	struct mgr m;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, true);
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", NULL, E2E_WAIT_MS);
	ck_assert_int_eq(srv_terminate(s, SIGINT), 0);
	mgr_expect(&m, "STOPPING=1", NULL, E2E_WAIT_MS);
	srv_stop(s);
	mgr_close(&m);
}
END_TEST

/* WATCHDOG_USEC=300000: a keep-alive about every 150 ms, while idle. */
START_TEST(test_watchdog)
{
	struct srv *s = srv_prepare(CREDS);
	long long t0, t;
	char buf[256];
	struct mgr m;
	int n = 0;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, true);
	setenv("WATCHDOG_USEC", "300000", 1);
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", NULL, E2E_WAIT_MS);
	t0 = e2e_now_ms();
	while (n < 5) {
		ck_assert_msg(mgr_recv(&m, buf, sizeof(buf), E2E_WAIT_MS),
		    "only %d keep-alives; messages: %s", n, m.seen);
		ck_assert_msg(has_line(buf, "WATCHDOG=1"), "unexpected %s", buf);
		n++;
	}
	t = e2e_now_ms() - t0;
	/* Five at 150 ms are 600..750 ms; allow for a loaded machine. */
	ck_assert_msg(t >= 500, "5 keep-alives in %lld ms: too fast", t);
	ck_assert_msg(t <= e2e_scale(3000), "5 keep-alives took %lld ms", t);
	srv_stop(s);
	mgr_close(&m);
}
END_TEST

/* WATCHDOG_PID names another process: no keep-alives. */
START_TEST(test_watchdog_other_pid)
{
	struct srv *s = srv_prepare(CREDS);
	char buf[256];
	struct mgr m;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, false);
	setenv("WATCHDOG_USEC", "100000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", NULL, E2E_WAIT_MS);
	ck_assert_msg(!mgr_recv(&m, buf, sizeof(buf), 500),
	    "got %s with WATCHDOG_PID=1", buf);
	srv_stop(s);
	mgr_close(&m);
}
END_TEST

/*
 * SIGHUP reloads the credentials: a new account can log in, a removed one
 * cannot, a changed password takes effect, and a logged-in user whose
 * account was removed stays online.  A broken file changes nothing.
 */
START_TEST(test_reload_credentials)
{
	struct srv *s = srv_prepare(CREDS);
	struct cli *a, *b, *c;
	struct mgr m;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, false);
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", NULL, E2E_WAIT_MS);
	a = step_login(s, "alice", "alice123", 0);
	b = step_login(s, "bob", "bob123", 0);

	/* bob removed (while online), alice's password changed, carol new. */
	ck_assert(srv_write_file(s, "credentials.txt",
	    "alice newpass\ncarol carol123\n"));
	hup(s, &m);
	log_expect(s, "reload: credentials");
	log_expect(s, "2 accounts, 1 new, 1 removed");
	c = step_login(s, "carol", "carol123", 0);
	EXPECT_LINE(a, "carol logged in");
	EXPECT_LINE(b, "carol logged in");	/* still online */
	SEND(b, "whoelse");
	EXPECT(b, "carol");
	cli_free(b);
	EXPECT(a, "bob logged out");
	cli_free(step_log_in(step_client(s, "bob", 0), "bob", "bob123",
	    MSG_RETRY));
	SEND(a, "logout");
	EXPECT_LINE(a, "Goodbye alice");
	cli_free(a);
	cli_free(step_log_in(step_client(s, "alice", 0), "alice", "alice123",
	    MSG_RETRY));
	cli_free(step_login(s, "alice", "newpass", 0));

	SEND(c, "logout");
	EXPECT_LINE(c, "Goodbye carol");
	cli_free(c);

	/* A bad line: the old set stays, the log says where. */
	ck_assert(srv_write_file(s, "credentials.txt",
	    "alice newpass\nnopassword\n"));
	hup(s, &m);
	log_expect(s, "credentials unchanged");
	log_expect(s, "credentials.txt:2: no password");
	cli_free(step_login(s, "carol", "carol123", 0));
	ck_assert_int_eq(srv_stop(s), 0);
	mgr_close(&m);
}
END_TEST

/* SIGHUP reloads settings: attempts and registration apply at once, the
   port needs a restart and keeps its value. */
START_TEST(test_reload_settings)
{
	struct srv *s = srv_prepare(CREDS);
	struct cli *c;
	struct mgr m;
	char ini[400];

	ck_assert_msg(s != NULL, "%s", e2e_error());
	mgr_open(&m, s->dir, false);
	ck_assert_msg(srv_start_prepared(s, INI_BASIC), "%s", e2e_error());
	mgr_expect(&m, "READY=1", NULL, E2E_WAIT_MS);
	snprintf(ini, sizeof(ini), "[server]\nlisten = 127.0.0.1\nport = %d\n"
	    "[accounts]\nattempts = 1\nregistration = yes\n[storage]\n"
	    "data_dir = %s\n[log]\nlevel = debug\n", s->port + 1, s->dir);
	ck_assert(srv_write_file(s, "server.ini", ini));
	hup(s, &m);
	log_expect(s, "server.port changed");
	log_expect(s, "attempts 1, block");
	log_expect(s, "registration on");
	/* Still on the old port: a client logs in there. */
	cli_free(step_login(s, "alice", "alice123", 0));
	/* One failure now blocks. */
	c = cli_start(s, NULL);
	ck_assert_ptr_nonnull(c);
	EXPECT(c, "Username:");
	SEND(c, "bob");
	EXPECT(c, "Password:");
	SEND(c, "wrong");
	EXPECT(c, "blocked");
	cli_free(c);

	/* A broken INI: the settings stay, the log says where. */
	ck_assert(srv_write_file(s, "server.ini", "[server]\nport = x\n"));
	hup(s, &m);
	log_expect(s, "settings unchanged");
	log_expect(s, "server.ini:2:");
	ck_assert_int_eq(srv_stop(s), 0);
	mgr_close(&m);
}
END_TEST

/* No data_dir in the INI: $STATE_DIRECTORY is the data directory; -d
   still wins over it. */
START_TEST(test_state_directory)
{
	struct srv *s = srv_prepare(NULL);
	char ini[200], state[400], ini_path[400], other[400], *t;
	const char *argv[] = { "-c", ini_path, NULL, NULL, NULL };
	struct stat st;

	ck_assert_msg(s != NULL, "%s", e2e_error());
	snprintf(state, sizeof(state), "%s/state", s->dir);
	snprintf(other, sizeof(other), "%s/other", s->dir);
	snprintf(ini_path, sizeof(ini_path), "%s/server.ini", s->dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	snprintf(ini, sizeof(ini), "[server]\nlisten = 127.0.0.1\nport = %d\n"
	    "[accounts]\nregistration = yes\n", s->port);
	ck_assert(srv_write_file(s, "server.ini", ini));
	setenv("STATE_DIRECTORY", state, 1);
	ck_assert_msg(srv_run(s, argv), "%s", e2e_error());
	log_expect(s, "; data in ");
	t = srv_read_file(s, "state/userlog.txt");
	ck_assert_msg(t != NULL, "no userlog.txt in $STATE_DIRECTORY:\n%s",
	    srv_log_tail(s, 5));
	free(t);
	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);

	argv[2] = "-d";
	argv[3] = other;
	ck_assert_msg(srv_run(s, argv), "%s", e2e_error());
	ck_assert_int_eq(srv_terminate(s, SIGTERM), 0);
	ck_assert_int_eq(stat(other, &st), 0);
	t = srv_read_file(s, "other/userlog.txt");
	ck_assert_ptr_nonnull(t);
	free(t);
	unsetenv("STATE_DIRECTORY");
	srv_stop(s);
}
END_TEST

Suite *
suite_e2e_notify(void)
{
	Suite *s = suite_create("e2e_notify");
	TCase *tc;

	tc = tcase_create("notify");
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ready_stopping_path);
	tcase_add_test(tc, test_ready_stopping_abstract);
	tcase_add_test(tc, test_watchdog);
	tcase_add_test(tc, test_watchdog_other_pid);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload");
	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reload_credentials);
	tcase_add_test(tc, test_reload_settings);
	tcase_add_test(tc, test_state_directory);
	suite_add_tcase(s, tc);
	return s;
}
