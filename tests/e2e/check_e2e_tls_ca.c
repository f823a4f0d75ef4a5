/*
 * check_e2e_tls_ca.c - more end-to-end tests of the TLS link, added to
 * the e2e_tls suite: a client that verifies the server against a CA and
 * a host name (`[tls] ca`), with a CA and certificates the test makes
 * with the openssl program; and a client that resumes its TLS session
 * when it reconnects, through a relay that the test can cut.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "e2e_tls.h"

#define CREDS								\
	"alice alice123\n"						\
	"bob bob123\n"

/* ---- helpers ----------------------------------------------------------- */

/* Run a shell command in s's directory; true when it exits 0. */
static bool
in_dir(struct srv *s, const char *cmd)
{
	char line[2048];

	snprintf(line, sizeof(line), "cd '%s' && { %s; } >openssl.out 2>&1",
	    s->dir, cmd);
	return system(line) == 0;
}

/*
 * Make, with the openssl program, a CA (NAME.pem, NAME.key) in s's
 * directory.
 */
static void
make_ca(struct srv *s, const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout %s.key -out %s.pem "
	    "-days 30 -subj '/CN=%s'", name, name, name);
	ck_assert_msg(in_dir(s, cmd), "openssl could not make the CA %s",
	    name);
}

/* A server key and certificate NAME.key / NAME.pem for host, signed by ca. */
static void
make_cert(struct srv *s, const char *name, const char *host, const char *ca)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "printf 'subjectAltName=DNS:%s\\n' >%s.ext "
	    "&& openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout %s.key -out %s.csr -subj '/CN=%s' && openssl x509 -req "
	    "-in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial -days 30 "
	    "-extfile %s.ext -out %s.pem", host, name, name, name, host, name,
	    ca, ca, name, name);
	ck_assert_msg(in_dir(s, cmd), "openssl could not make %s", name);
}

/* Start a server whose TLS listener uses s->dir/NAME.pem and .key. */
static struct srv *
ca_server(struct srv *s, const char *name, int *tls_port)
{
	char body[1024];

	*tls_port = e2e_free_tcp_port();
	snprintf(body, sizeof(body), "[accounts]\nregistration = no\n"
	    "[log]\nlevel = debug\n"
	    "[tls]\nlisten = 127.0.0.1\nport = %d\ncert = %s/%s.pem\n"
	    "key = %s/%s.key\n", *tls_port, s->dir, name, s->dir, name);
	ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	return s;
}

/*
 * Run "tui-client --plain --tls -c INI HOST PORT" with stdin kept open
 * until its output shows until (or it exits), then close stdin and wait.
 * out gets what it printed; returns its exit status.
 */
static int
run_client(struct srv *s, const char *ini, const char *host, int port,
    const char *until, char *out, size_t size)
{
	char portbuf[16], bin[PATH_MAX];
	char *argv[] = { bin, (char *)"--plain",
	    (char *)"--tls", (char *)"-c", (char *)ini, (char *)host, portbuf,
	    NULL };
	int in[2], o[2], st;
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	snprintf(portbuf, sizeof(portbuf), "%d", port);
	ck_assert_ptr_nonnull(realpath(E2E_CLIENT_BIN, bin));
	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(o[1], 2);
		if (chdir(s->dir) == -1)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_ne(pid, -1);
	close(in[0]);
	close(o[1]);
	out[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = o[0], .events = POLLIN };
		long long left = deadline - e2e_now_ms();

		if (strstr(out, until) != NULL || left <= 0 ||
		    poll(&p, 1, (int)left) <= 0)
			break;
		if ((n = read(o[0], out + len, size - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		out[len] = '\0';
	}
	close(in[1]);		/* end of input: the client logs out */
	while ((n = read(o[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(o[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Write the client's INI with `[tls] ca = FILE` into s's directory. */
static void
client_ini(struct srv *s, const char *name, const char *ca, char *path,
    size_t size)
{
	char body[600];

	snprintf(body, sizeof(body), "[tls]\nca = %s/%s\n", s->dir, ca);
	ck_assert(srv_write_file(s, name, body));
	snprintf(path, size, "%s/%s", s->dir, name);
}

/* ---- a relay the test can cut ------------------------------------------ */

static volatile sig_atomic_t	cut;

/* SIGUSR1: end the connection being relayed. */
static void
on_cut(int sig)
{
	(void)sig;
	cut = 1;
}

/* Relay bytes both ways between a and b until either ends or a cut. */
static void
pipe_bytes(int a, int b)
{
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
	char buf[16384];
	ssize_t n;
	int i;

	while (!cut && poll(p, 2, -1) > 0) {
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((n = read(p[i].fd, buf, sizeof(buf))) <= 0 ||
			    write(p[1 - i].fd, buf, (size_t)n) != n)
				return;
		}
	}
}

/*
 * A child that relays each connection to target in turn; SIGUSR1 closes
 * the current one.  Returns its pid; *port gets its port.
 */
static pid_t
relay_start(int target, int *port)
{
	struct sigaction sa = { .sa_handler = on_cut };
	int lfd, cfd, sfd;
	pid_t pid;

	lfd = e2e_tcp_listen(port);
	if ((pid = fork()) != 0) {
		ck_assert_int_ne(pid, -1);
		close(lfd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: poll() returns */
	for (;;) {
		if ((cfd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		sfd = e2e_tcp_connect(target);
		cut = 0;
		if (sfd != -1)
			pipe_bytes(cfd, sfd);
		close(cfd);
		if (sfd != -1)
			close(sfd);
	}
}

/* Number of lines of the server's log that contain sub. */
int
e2e_tls_log_count(struct srv *s, const char *sub)
{
	char *log = srv_read_file(s, "server.log"), *p;
	int n = 0;

	ck_assert_ptr_nonnull(log);
	for (p = log; (p = strstr(p, sub)) != NULL; p += strlen(sub))
		n++;
	free(log);
	return n;
}

/* Wait until the server's log has n lines with sub. */
bool
e2e_tls_log_wait(struct srv *s, const char *sub, int n)
{
	long long deadline = e2e_now_ms() + E2E_WAIT_MS;

	while (e2e_tls_log_count(s, sub) < n) {
		if (e2e_now_ms() > deadline)
			return false;
		e2e_nap(20);
	}
	return true;
}

/* ---- tests ------------------------------------------------------------- */

/*
 * `[tls] ca`: a server certificate for "localhost" signed by the test's
 * CA is taken when the client connects to localhost; the same client is
 * refused (status 2, a reason, never the login prompt) when the name it
 * connects to is not in the certificate, and when the certificate comes
 * from a CA it was not given.  A server certificate that is good for
 * another name is refused too.
 */
START_TEST(test_tls_ca_host_name)
{
	char ini[400], other_ini[400], out[8192];
	struct srv *s, *s2;
	int tp, tp2, rc;

	s = srv_prepare(CREDS);
	ck_assert_msg(s != NULL, "%s", e2e_error());
	make_ca(s, "ca");
	make_ca(s, "other-ca");
	make_cert(s, "srv", "localhost", "ca");
	make_cert(s, "elsewhere", "board.example", "ca");
	ca_server(s, "srv", &tp);
	client_ini(s, "client.ini", "ca.pem", ini, sizeof(ini));
	client_ini(s, "other.ini", "other-ca.pem", other_ini,
	    sizeof(other_ini));

	rc = run_client(s, ini, "localhost", tp, "Username", out, sizeof(out));
	ck_assert_msg(strstr(out, "Username") != NULL,
	    "the right name was refused (%d): %s", rc, out);

	rc = run_client(s, ini, "127.0.0.1", tp, "\n", out, sizeof(out));
	ck_assert_msg(rc == 2 && strstr(out, "not trusted") != NULL &&
	    strstr(out, "127.0.0.1 checked against [tls] ca") != NULL &&
	    strstr(out, "Username") == NULL,
	    "an address not in the certificate (%d): %s", rc, out);

	rc = run_client(s, other_ini, "localhost", tp, "\n", out, sizeof(out));
	ck_assert_msg(rc == 2 && strstr(out, "not trusted") != NULL &&
	    strstr(out, "local issuer") != NULL &&
	    strstr(out, "Username") == NULL,
	    "a certificate from another CA (%d): %s", rc, out);

	/* Signed by the right CA, but for another name. */
	s2 = srv_prepare(CREDS);
	ck_assert_msg(s2 != NULL, "%s", e2e_error());
	ck_assert(in_dir(s2, "true"));
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "cp '%s'/elsewhere.pem '%s'/"
		    "elsewhere.key .", s->dir, s->dir);
		ck_assert(in_dir(s2, cmd));
	}
	ca_server(s2, "elsewhere", &tp2);
	rc = run_client(s2, ini, "localhost", tp2, "\n", out, sizeof(out));
	ck_assert_msg(rc == 2 && strstr(out, "hostname mismatch") != NULL &&
	    strstr(out, "Username") == NULL,
	    "a certificate for another name (%d): %s", rc, out);

	/* A CA file that does not exist: an error that names it. */
	client_ini(s, "missing.ini", "no-such-ca.pem", ini, sizeof(ini));
	rc = run_client(s, ini, "localhost", tp, "\n", out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "no-such-ca.pem") != NULL &&
	    strstr(out, "Username") == NULL,
	    "a missing CA file (%d): %s", rc, out);
	srv_stop(s2);
	srv_stop(s);
}
END_TEST

/*
 * A client that loses its connection resumes its TLS session when it
 * connects again (the ticket kept in memory): the server logs a full
 * handshake, then a resumed one; a new client process starts with a full
 * handshake again.
 */
START_TEST(test_tls_session_resumed)
{
	char fp[80];
	struct cli *a, *b;
	struct srv *s;
	int tp, rp, saved;
	pid_t relay;

	s = srv_prepare(CREDS);
	ck_assert_msg(s != NULL, "%s", e2e_error());
	tp = e2e_free_tcp_port();
	{
		char body[300];

		snprintf(body, sizeof(body), "[accounts]\nregistration = no\n"
		    "[log]\nlevel = debug\n[tls]\nlisten = 127.0.0.1\n"
		    "port = %d\n", tp);
		ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	}
	e2e_tls_logged_fp(s, fp);
	relay = relay_start(tp, &rp);

	saved = s->port;
	s->port = rp;
	a = cli_start(s, "--reconnect", "--tls", "--fingerprint", fp,
	    (char *)NULL);
	s->port = saved;
	ck_assert_ptr_nonnull(a);
	cli_label(a, "alice");
	EXPECT(a, "Username");
	SEND(a, "alice");
	EXPECT(a, "Password");
	SEND(a, "alice123");
	EXPECT(a, "Welcome");
	ck_assert_int_eq(e2e_tls_log_count(s,
	    "handshake done, full handshake"), 1);
	ck_assert_int_eq(e2e_tls_log_count(s, "session resumed"), 0);

	ck_assert_int_eq(kill(relay, SIGUSR1), 0);
	EXPECT(a, "reconnected");
	ck_assert_msg(e2e_tls_log_wait(s, "handshake done, session resumed", 1),
	    "the reconnect made a full handshake:\n%s", srv_log_tail(s, 20));
	ck_assert_int_eq(e2e_tls_log_count(s,
	    "handshake done, full handshake"), 1);

	/* Another process has no ticket: a full handshake. */
	saved = s->port;
	s->port = tp;
	b = cli_start(s, "--tls", "--fingerprint", fp, (char *)NULL);
	s->port = saved;
	ck_assert_ptr_nonnull(b);
	cli_label(b, "bob");
	EXPECT(b, "Username");
	SEND(b, "bob");
	EXPECT(b, "Password");
	SEND(b, "bob123");
	EXPECT(b, "Welcome");
	ck_assert_int_eq(e2e_tls_log_count(s,
	    "handshake done, full handshake"), 2);
	SEND(b, "message alice still here after the resumption");
	EXPECT(a, "still here after the resumption");

	SEND(a, "logout");
	EXPECT_EXIT(a, 0);
	SEND(b, "logout");
	EXPECT_EXIT(b, 0);
	cli_free(a);
	cli_free(b);
	kill(relay, SIGKILL);
	waitpid(relay, NULL, 0);
	srv_stop(s);
}
END_TEST

/* Add this file's tests to the e2e_tls suite's case. */
void
e2e_tls_ca_tests(TCase *tc)
{
	tcase_add_test(tc, test_tls_ca_host_name);
	tcase_add_test(tc, test_tls_session_resumed);
}
