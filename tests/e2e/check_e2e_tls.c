/*
 * check_e2e_tls.c - end-to-end tests of the TLS listener and the client's
 * trust on first use: the real firmware-server and tui-client, real
 * OpenSSL, and proxies run by the test (a recording TCP relay and a man
 * in the middle with a certificate of its own).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "e2e_tls.h"
#include "harness.h"
#include "steps.h"
#include "../suites.h"

#define CREDS	E2E_CREDS

/* A relay run by the test: plain TCP, or TLS ended with its own key. */
struct proxy {
	pid_t	 pid;
	int	 port;
	char	 rec[400];	/* every byte it relayed (MITM: decrypted
				   client bytes) */
};

/* ---- helpers ----------------------------------------------------------- */

/* Start a server with a TLS listener; *tls_port gets its port. */
static struct srv *
tls_server(const char *extra, int *tls_port)
{
	char body[512];
	struct srv *s = srv_prepare(CREDS);

	ck_assert_msg(s != NULL, "%s", e2e_error());
	*tls_port = e2e_free_tcp_port();
	snprintf(body, sizeof(body), "[accounts]\nregistration = no\n"
	    "[tls]\nlisten = 127.0.0.1\nport = %d\n%s", *tls_port,
	    extra != NULL ? extra : "");
	ck_assert_msg(srv_start_prepared(s, body), "%s", e2e_error());
	return s;
}

/* The fingerprint the server logged at start ("SHA256:" + 64 hex). */
void
e2e_tls_logged_fp(struct srv *s, char fp[80])
{
	char *log = srv_read_file(s, "server.log"), *p;

	ck_assert_ptr_nonnull(log);
	p = strstr(log, ", certificate SHA256:");
	ck_assert_msg(p != NULL, "no tls line in the log:\n%s", log);
	snprintf(fp, 80, "%.71s", p + 14);
	ck_assert_uint_eq(strspn(fp + 7, "0123456789abcdef"), 64);
	free(log);
}

/* A client on port (not the server's plain one) with extra arguments. */
static struct cli *
cli_on(struct srv *s, int port, const char *a, const char *b, const char *c)
{
	int saved = s->port;
	struct cli *cl;

	s->port = port;
	cl = cli_start(s, a, b, c, (char *)NULL);
	s->port = saved;
	ck_assert_msg(cl != NULL, "cannot start the client");
	return cl;
}

/* Point the client's trust store into the test's directory. */
static void
use_xdg(struct srv *s, const char *name, char *store, size_t size)
{
	char dir[300];

	snprintf(dir, sizeof(dir), "%s/%s", s->dir, name);
	setenv("XDG_DATA_HOME", dir, 1);
	snprintf(store, size, "%s/tui-client/known_servers", dir);
}

/* True when any line the client wrote so far contains sub. */
static bool
saw_any(struct cli *c, const char *sub)
{
	size_t i;

	for (i = 0; i < c->out.n; i++)
		if (strstr(c->out.line[i], sub) != NULL)
			return true;
	return false;
}

/* A whole file, malloc'd ("" when missing). */
static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	*len = 0;
	if (f == NULL)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* True when needle occurs in the len bytes of hay. */
static bool
contains(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}

/* Append len bytes to the record file. */
static void
record(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd != -1) {
		if (write(fd, p, len) == -1)
			(void)0;
		close(fd);
	}
}

/* Relay between a (plain fd or TLS) and b until one side ends; what
   comes from a is recorded. */
static void
relay(int afd, SSL *assl, int bfd, SSL *bssl, const char *rec)
{
	struct pollfd pfd[2] = { { afd, POLLIN, 0 }, { bfd, POLLIN, 0 } };
	char buf[16384];
	int n, i;

	for (;;) {
		if ((assl == NULL || SSL_pending(assl) == 0) &&
		    (bssl == NULL || SSL_pending(bssl) == 0) &&
		    poll(pfd, 2, -1) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			SSL *from = i == 0 ? assl : bssl, *to = i == 0 ? bssl : assl;
			int ffd = i == 0 ? afd : bfd, tfd = i == 0 ? bfd : afd;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    (from == NULL || SSL_pending(from) == 0))
				continue;
			n = from != NULL ? SSL_read(from, buf, sizeof(buf)) :
			    (int)read(ffd, buf, sizeof(buf));
			if (n <= 0)
				return;
			if (i == 0)
				record(rec, buf, (size_t)n);
			if ((to != NULL ? SSL_write(to, buf, n) :
			    (int)write(tfd, buf, (size_t)n)) != n)
				return;
		}
		pfd[0].revents = pfd[1].revents = 0;
	}
}

/*
 * Start a proxy on a port of its own to target.  With cert and key it
 * ends TLS itself with them (a man in the middle) and speaks TLS to the
 * target, recording the client's decrypted bytes; else it relays and
 * records the raw bytes of both ways (the client's first).
 */
static void
proxy_start(struct proxy *p, struct srv *s, const char *name, int target,
    const char *cert, const char *key)
{
	int lfd, cfd, sfd;

	snprintf(p->rec, sizeof(p->rec), "%s/%s.rec", s->dir, name);
	lfd = e2e_tcp_listen(&p->port);
	if ((p->pid = fork()) != 0) {
		ck_assert_int_ne(p->pid, -1);
		close(lfd);
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	while ((cfd = accept(lfd, NULL, NULL)) != -1) {
		SSL_CTX *sctx = NULL, *cctx = NULL;
		SSL *a = NULL, *b = NULL;

		if ((sfd = e2e_tcp_connect(target)) == -1) {
			close(cfd);
			continue;
		}
		if (cert != NULL) {
			sctx = SSL_CTX_new(TLS_server_method());
			cctx = SSL_CTX_new(TLS_client_method());
			SSL_CTX_use_certificate_file(sctx, cert, SSL_FILETYPE_PEM);
			SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM);
			a = SSL_new(sctx);
			b = SSL_new(cctx);
			SSL_set_fd(a, cfd);
			SSL_set_fd(b, sfd);
			if (SSL_accept(a) != 1 || SSL_connect(b) != 1)
				goto next;
		}
		relay(cfd, a, sfd, b, p->rec);
next:
		SSL_free(a);
		SSL_free(b);
		SSL_CTX_free(sctx);
		SSL_CTX_free(cctx);
		close(cfd);
		close(sfd);
	}
	_exit(0);
}

/* Stop a proxy. */
static void
proxy_stop(struct proxy *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = -1;
	}
}

/* Make a key and certificate in s->dir/name with the server binary. */
static void
other_identity(struct srv *s, const char *name, char fp[80])
{
	const char *argv[] = { "--fingerprint", "-d", name, NULL };
	char *out = NULL;

	ck_assert_int_eq(srv_exec(s, argv, E2E_EXIT_MS, &out), 0);
	ck_assert_ptr_nonnull(out);
	snprintf(fp, 80, "%.71s", out);
	free(out);
}

/* ---- tests ------------------------------------------------------------- */

/* Login and messages over TLS; the start line; --fingerprint agrees. */
START_TEST(test_tls_login_messages)
{
	const char *argv[] = { "--fingerprint", "-d", ".", NULL };
	char fp[80], *out = NULL;
	struct cli *a, *b;
	struct srv *s;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	ck_assert_int_eq(srv_exec(s, argv, E2E_EXIT_MS, &out), 0);
	ck_assert_msg(out != NULL && strncmp(out, fp, 71) == 0 &&
	    out[71] == '\n', "--fingerprint printed %s, the log %s", out, fp);
	free(out);

	b = cli_on(s, tp, "--fingerprint", fp, NULL);
	cli_label(b, "bob");
	step_log_in(b, "bob", "bob123", NULL);
	a = cli_on(s, tp, "--tls", "--fingerprint", fp);
	cli_label(a, "alice");
	step_log_in(a, "alice", "alice123", NULL);
	SEND(a, "message bob hello over tls");
	EXPECT(b, "hello over tls");
	SEND(a, "broadcast to everyone, encrypted");
	EXPECT(b, "to everyone, encrypted");
	SEND(b, "whoelse");
	EXPECT(b, "alice, 127.0.0.1");
	SEND(a, "logout");
	EXPECT_EXIT(a, 0);
	ck_assert_int_eq(cli_close_wait(b, E2E_EXIT_MS), 0);
	cli_free(a);
	cli_free(b);
	srv_stop(s);
}
END_TEST

/* A recording relay sees neither the password nor a message's text. */
START_TEST(test_tls_proxy_sees_no_clear_text)
{
	struct proxy tp_rec = { .pid = -1 }, plain_rec = { .pid = -1 };
	struct cli *a, *b, *c;
	char fp[80], *bytes;
	struct srv *s;
	size_t len;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	proxy_start(&tp_rec, s, "tls", tp, NULL, NULL);
	b = cli_on(s, tp, "--fingerprint", fp, NULL);
	cli_label(b, "bob");
	step_log_in(b, "bob", "bob123", NULL);
	a = cli_on(s, tp_rec.port, "--fingerprint", fp, NULL);
	cli_label(a, "alice");
	step_log_in(a, "alice", "alice123", NULL);
	SEND(a, "message bob the-secret-words-42");
	EXPECT(b, "the-secret-words-42");
	SEND(a, "logout");
	EXPECT_EXIT(a, 0);
	proxy_stop(&tp_rec);
	bytes = slurp(tp_rec.rec, &len);
	ck_assert_msg(len > 200, "the relay recorded only %zu bytes", len);
	ck_assert_msg(!contains(bytes, len, "alice123"), "password in clear");
	ck_assert_msg(!contains(bytes, len, "the-secret-words"),
	    "message in clear");
	ck_assert_msg(!contains(bytes, len, "alice"), "user name in clear");
	free(bytes);

	/* The control: the same relay on the plain port sees everything. */
	proxy_start(&plain_rec, s, "plain", s->port, NULL, NULL);
	c = cli_on(s, plain_rec.port, NULL, NULL, NULL);
	step_log_in(c, "carol", "carol123", NULL);
	SEND(c, "message bob plain-words-43");
	EXPECT(b, "plain-words-43");
	SEND(c, "logout");
	EXPECT_EXIT(c, 0);
	proxy_stop(&plain_rec);
	bytes = slurp(plain_rec.rec, &len);
	ck_assert_msg(contains(bytes, len, "carol123") &&
	    contains(bytes, len, "plain-words-43"),
	    "the recording relay does not record");
	free(bytes);
	ck_assert_int_eq(cli_close_wait(b, E2E_EXIT_MS), 0);
	cli_free(a);
	cli_free(b);
	cli_free(c);
	srv_stop(s);
}
END_TEST

/* A man in the middle with another certificate: refused, status 2, and
   not one protocol byte reaches it. */
START_TEST(test_tls_mitm_refused)
{
	struct proxy m = { .pid = -1 };
	char fp[80], other[80], store[400], cert[400], key[400];
	char *bytes;
	struct cli *a;
	struct srv *s;
	size_t len;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	other_identity(s, "mallory", other);
	ck_assert_str_ne(fp, other);
	snprintf(cert, sizeof(cert), "%s/mallory/tls-cert.pem", s->dir);
	snprintf(key, sizeof(key), "%s/mallory/tls-key.pem", s->dir);
	proxy_start(&m, s, "mitm", tp, cert, key);

	/* Pinned earlier (a real first contact with the server). */
	use_xdg(s, "xdg", store, sizeof(store));
	a = cli_on(s, tp, "--tls", NULL, NULL);
	EXPECT(a, "Trust this server? (y/n)");
	SEND(a, "y");
	step_log_in(a, "alice", "alice123", NULL);
	ck_assert_int_eq(cli_close_wait(a, E2E_EXIT_MS), 0);
	cli_free(a);

	/* The MITM's port is a new name: asked about, with its own print. */
	a = cli_on(s, m.port, "--tls", NULL, NULL);
	EXPECT(a, other);
	EXPECT(a, "Trust this server? (y/n)");
	SEND(a, "n");
	EXPECT_EXIT(a, 2);
	cli_free(a);

	/* The same address pinned to the real server: refused at once. */
	{
		char pin[300];
		FILE *f = fopen(store, "a");

		ck_assert_ptr_nonnull(f);
		snprintf(pin, sizeof(pin), "# a comment\n127.0.0.1:%d %s\n",
		    m.port, fp);
		fputs(pin, f);
		fclose(f);
	}
	a = cli_on(s, m.port, "--tls", NULL, NULL);
	EXPECT(a, other);
	ck_assert_msg(strstr(cli_last(a), fp) != NULL &&
	    strstr(cli_last(a), "known_servers:3") != NULL,
	    "both fingerprints and the line to remove: %s", cli_last(a));
	EXPECT_EXIT(a, 2);
	ck_assert(!saw_any(a, "Username"));
	ck_assert(!saw_any(a, "Trust this server"));
	cli_free(a);

	/* --fingerprint too. */
	a = cli_on(s, m.port, "--fingerprint", fp, NULL);
	EXPECT_EXIT(a, 2);
	cli_free(a);
	proxy_stop(&m);
	bytes = slurp(m.rec, &len);
	ck_assert_msg(len == 0, "the MITM got %zu protocol bytes", len);
	free(bytes);
	srv_stop(s);
}
END_TEST

/* Trust on first use: y pins, the next run does not ask; n exits 2. */
START_TEST(test_tls_tofu)
{
	char fp[80], store[400], want[200], *text;
	struct cli *a;
	struct srv *s;
	size_t len;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	use_xdg(s, "xdg-no", store, sizeof(store));
	a = cli_on(s, tp, "--tls", NULL, NULL);
	EXPECT(a, fp);
	EXPECT(a, "Trust this server? (y/n)");
	SEND(a, "n");
	EXPECT_EXIT(a, 2);
	ck_assert(!saw_any(a, "Username"));
	ck_assert_int_eq(access(store, F_OK), -1);
	cli_free(a);

	use_xdg(s, "xdg", store, sizeof(store));
	a = cli_on(s, tp, "--tls", NULL, NULL);
	EXPECT(a, "Trust this server? (y/n)");
	SEND(a, "maybe");
	EXPECT(a, "Please answer y or n");
	SEND(a, "y");
	step_log_in(a, "alice", "alice123", NULL);
	ck_assert_int_eq(cli_close_wait(a, E2E_EXIT_MS), 0);
	cli_free(a);
	text = slurp(store, &len);
	snprintf(want, sizeof(want), "127.0.0.1:%d %s\n", tp, fp);
	ck_assert_str_eq(text, want);
	free(text);

	a = cli_on(s, tp, "--tls", NULL, NULL);
	step_log_in(a, "alice", "alice123", NULL);
	ck_assert(!saw_any(a, "Trust this server"));
	ck_assert_int_eq(cli_close_wait(a, E2E_EXIT_MS), 0);
	cli_free(a);
	srv_stop(s);
}
END_TEST

/* A wrong or malformed --fingerprint; a TLS client on the plain port. */
START_TEST(test_tls_wrong_fingerprint)
{
	char fp[80], wrong[80];
	struct cli *a;
	struct srv *s;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	snprintf(wrong, sizeof(wrong), "%s", fp);
	wrong[7] = wrong[7] == '0' ? '1' : '0';
	a = cli_on(s, tp, "--fingerprint", wrong, NULL);
	EXPECT(a, wrong);
	ck_assert_msg(strstr(cli_last(a), fp) != NULL, "%s", cli_last(a));
	EXPECT_EXIT(a, 2);
	cli_free(a);

	a = cli_on(s, tp, "--fingerprint", "SHA256:abc", NULL);
	EXPECT(a, "64 hex digits");
	EXPECT_EXIT(a, 1);
	cli_free(a);

	/* Never a fallback to plain. */
	a = cli_on(s, s->port, "--fingerprint", fp, NULL);
	EXPECT(a, "TLS handshake failed");
	EXPECT_EXIT(a, 1);
	ck_assert(!saw_any(a, "Username"));
	cli_free(a);
	srv_stop(s);
}
END_TEST

/* The key is made once (0600) and reused by every later start. */
START_TEST(test_tls_key_once)
{
	char fp[80], fp2[80], *k1, *k2, key[400];
	struct stat st;
	struct srv *s;
	size_t l1, l2;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	snprintf(key, sizeof(key), "%s/tls-key.pem", s->dir);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	k1 = slurp(key, &l1);
	ck_assert_msg(srv_restart(s), "%s", e2e_error());
	k2 = slurp(key, &l2);
	ck_assert(l1 > 0 && l1 == l2 && memcmp(k1, k2, l1) == 0);
	{
		/* The second start's line is the last one in the log. */
		char *log = srv_read_file(s, "server.log"), *p, *last = NULL;

		for (p = log; (p = strstr(p, ", certificate ")) != NULL; p++)
			last = p;
		ck_assert_ptr_nonnull(last);
		snprintf(fp2, sizeof(fp2), "%.71s", last + 14);
		ck_assert_ptr_ne(last, strstr(log, ", certificate "));
		free(log);
	}
	ck_assert_str_eq(fp, fp2);
	free(k1);
	free(k2);
	srv_stop(s);
}
END_TEST

/* A file send and a private chat between two clients on the TLS port
   (their secrets travel over TLS). */
START_TEST(test_tls_file_and_private_chat)
{
	char fp[80], path[400], *sent, *got;
	struct cli *a, *b;
	struct srv *s;
	size_t ls, lg, i;
	FILE *f;
	int tp;

	s = tls_server(NULL, &tp);
	e2e_tls_logged_fp(s, fp);
	a = cli_on(s, tp, "--fingerprint", fp, NULL);
	cli_label(a, "alice");
	step_log_in(a, "alice", "alice123", NULL);
	b = cli_on(s, tp, "--fingerprint", fp, NULL);
	cli_label(b, "bob");
	step_log_in(b, "bob", "bob123", NULL);
	snprintf(path, sizeof(path), "%s/client/tls.bin", s->dir);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	for (i = 0; i < 100000; i++)
		fputc((int)((i * 7919) >> 3) & 0xff, f);
	fclose(f);
	SEND(a, "UPD bob tls.bin");
	EXPECT_MS(b, "Received tls.bin from alice", 3 * E2E_WAIT_MS);
	EXPECT_MS(a, "sent to bob", 3 * E2E_WAIT_MS);
	sent = slurp(path, &ls);
	snprintf(path, sizeof(path), "%s/client/alice_tls.bin", s->dir);
	got = slurp(path, &lg);
	ck_assert(ls == 100000 && ls == lg && memcmp(sent, got, ls) == 0);
	free(sent);
	free(got);

	SEND(a, "startprivate bob");
	EXPECT(b, "alice wants to chat privately. Accept? (y/n)");
	SEND(b, "y");
	EXPECT(a, "Private chat with bob started");
	SEND(a, "private bob over a secret from tls");
	EXPECT_LINE(b, "alice (private): over a secret from tls");
	SEND(b, "stopprivate alice");
	EXPECT(a, "Private chat with bob ended");
	SEND(a, "logout");
	EXPECT_EXIT(a, 0);
	ck_assert_int_eq(cli_close_wait(b, E2E_EXIT_MS), 0);
	cli_free(a);
	cli_free(b);
	srv_stop(s);
}
END_TEST

/* Run a start that must fail; its output must name want. */
static void
start_fails(struct srv *s, const char *cert, const char *key,
    const char *want)
{
	char port[32], c[300], k[300];
	const char *argv[] = { "-d", ".", "-p", port, "-o", "tls.port=1",
	    "-o", c, "-o", k, NULL };
	char *out = NULL;

	snprintf(port, sizeof(port), "%d", s->port);
	snprintf(c, sizeof(c), "tls.cert=%s", cert);
	snprintf(k, sizeof(k), "tls.key=%s", key);
	ck_assert_int_eq(srv_exec(s, argv, E2E_EXIT_MS, &out), 1);
	ck_assert_msg(out != NULL && strstr(out, want) != NULL,
	    "expected \"%s\" in:\n%s", want, out);
	free(out);
}

/* Unreadable, broken, mismatched or unwritable files stop the start,
   named. */
START_TEST(test_tls_bad_files)
{
	struct srv *s = srv_prepare(CREDS);
	char fp[80], *text;

	ck_assert_ptr_nonnull(s);
	other_identity(s, "a", fp);
	other_identity(s, "b", fp);
	start_fails(s, "a/tls-cert.pem", "b/tls-key.pem",
	    "key ./b/tls-key.pem does not match certificate ./a/tls-cert.pem");
	start_fails(s, "a/tls-cert.pem", "missing.pem",
	    "key ./missing.pem: No such file");
	ck_assert(srv_write_file(s, "junk.pem", "not a certificate\n"));
	start_fails(s, "junk.pem", "a/tls-key.pem", "certificate ./junk.pem:");
	start_fails(s, "a/tls-key.pem", "a/tls-key.pem", "certificate "
	    "./a/tls-key.pem:");
	start_fails(s, "a", "a/tls-key.pem", "certificate ./a:");
	/* Neither exists and they cannot be made: named, and no key is
	   left without its certificate. */
	start_fails(s, "nodir/c.pem", "nodir/k.pem",
	    "cannot write ./nodir/k.pem: No such file");
	start_fails(s, "nodir/c.pem", "k.pem",
	    "cannot write ./nodir/c.pem: No such file");
	text = srv_read_file(s, "k.pem");
	ck_assert_msg(text == NULL, "a key left without its certificate");
	srv_stop(s);
}
END_TEST

/* A silent TLS connection is dropped after login_timeout and does not
   hold up anyone meanwhile. */
START_TEST(test_tls_handshake_timeout)
{
	/* 2 s, scaled (under valgrind the real client's own handshake and
	   login can take longer). */
	int secs = e2e_scale(2000) / 1000;
	char fp[80], byte, ini[64];
	long long t0;
	struct cli *a;
	struct srv *s;
	int tp, fd;
	ssize_t n;

	snprintf(ini, sizeof(ini), "[server]\nlogin_timeout = %d\n", secs);
	s = tls_server(ini, &tp);
	e2e_tls_logged_fp(s, fp);
	fd = e2e_tcp_connect(tp);
	ck_assert_int_ne(fd, -1);
	t0 = e2e_now_ms();
	a = cli_on(s, tp, "--fingerprint", fp, NULL);
	step_log_in(a, "alice", "alice123", NULL);
	ck_assert_int_eq(cli_close_wait(a, E2E_EXIT_MS), 0);
	cli_free(a);
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, secs * 1000 + e2e_scale(13000)), 1);
	}
	n = read(fd, &byte, 1);
	ck_assert_msg(n <= 0, "the server sent a byte before the handshake");
	ck_assert_msg(e2e_now_ms() - t0 >= secs * 1000 - 500,
	    "closed after %lld ms",
	    e2e_now_ms() - t0);
	close(fd);
	srv_stop(s);
}
END_TEST

/*
 * A client that closes TCP without TLS's close_notify has just gone, as on
 * the plain port: the log says so, not "TLS error: unexpected eof".
 */
START_TEST(test_tls_drop_without_close_notify)
{
	struct srv *s;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	char buf[64], *log;
	int tp, fd, n;

	s = tls_server("[log]\nlevel = debug\n", &tp);
	fd = e2e_tcp_connect(tp);
	ck_assert_int_ne(fd, -1);
	SSL_set_fd(ssl, fd);
	ck_assert_int_eq(SSL_connect(ssl), 1);
	n = SSL_read(ssl, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strncmp(buf, "* HELLO", 7) == 0, "greeting: %s", buf);
	/* A FIN without close_notify (close() could send a reset instead,
	   when bytes such as session tickets lie unread). */
	shutdown(fd, SHUT_WR);
	step_file_has(s, "server.log", "disconnected (connection closed by "
	    "peer)");
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	log = srv_read_file(s, "server.log");
	ck_assert_msg(log != NULL && strstr(log, "TLS error") == NULL,
	    "log:\n%s", log != NULL ? log : "(missing)");
	free(log);
	srv_stop(s);
}
END_TEST

Suite *
suite_e2e_tls(void)
{
	Suite *s = suite_create("e2e_tls");
	TCase *tc = tcase_create("tls");

	tcase_add_unchecked_fixture(tc, e2e_fixture_setup,
	    e2e_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tls_login_messages);
	tcase_add_test(tc, test_tls_proxy_sees_no_clear_text);
	tcase_add_test(tc, test_tls_mitm_refused);
	tcase_add_test(tc, test_tls_tofu);
	tcase_add_test(tc, test_tls_wrong_fingerprint);
	tcase_add_test(tc, test_tls_key_once);
	tcase_add_test(tc, test_tls_bad_files);
	tcase_add_test(tc, test_tls_handshake_timeout);
	tcase_add_test(tc, test_tls_drop_without_close_notify);
	tcase_add_test(tc, test_tls_file_and_private_chat);
	e2e_tls_ca_tests(tc);
	suite_add_tcase(s, tc);
	return s;
}
