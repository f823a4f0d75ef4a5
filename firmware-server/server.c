/*
 * server.c - start-up, the listening socket and the main loop.
 *
 * One pass of the loop: expire timers, send what may go at once (other
 * users' deliveries: conn_send_ready), write what the pass appended and
 * start syncing it (store_commit), release replies whose data is on disk
 * (conn_release), flush and free connections (conn_pass_end), write the
 * pass's log lines in one write(), then wait in epoll_pwait() with the
 * signals unblocked, so a signal can only arrive while waiting and is seen
 * right after.  epoll_pwait() does not take a signal when descriptors are
 * ready, so a loop that is never idle lets signals in every
 * SIG_CHECK_MS (sig_deliver_busy()).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "accounts.h"
#include "cmd.h"
#include "conn.h"
#include "hasher.h"
#include "lockout.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "proto_ev.h"
#include "reload.h"
#include "server.h"
#include "session.h"
#include "sig.h"
#include "state.h"
#include "store.h"
#include "syncq.h"
#include "tls.h"
#include "userlog.h"

/* Unknown names whose failed logins are remembered. */
#define SERVER_UNKNOWN_MAX	4096
/* Connections waiting to be accepted: a burst of a class logging in at
   once must not overflow it (the kernel caps it at net.core.somaxconn). */
#define SERVER_BACKLOG		4096

/* A descriptor held in reserve: when accept() fails for want of
   descriptors, it is closed to take the connection and refuse it politely
   instead of leaving it in the backlog, where poll() would report it again
   at once, pass after pass. */
static int server_spare_fd = -1;

static volatile sig_atomic_t server_sig_stop;
static volatile sig_atomic_t server_sig_hup;

/* The sooner of two poll timeouts, where -1 means none. */
static int
server_min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Every feature's pass hook; the soonest of their timeouts, or -1. */
static int
server_features_pass(struct server *srv)
{
	const struct cmd_feature *f;
	int timeout = -1;

	for (f = srv->features; f->name != NULL; f++)
		if (f->pass != NULL)
			timeout = server_min_timeout(timeout, f->pass(srv));
	return timeout;
}

/*
 * Every feature's hook after output went out: the pass's deliveries
 * (sent, before the disk work) or all of its output (at the pass's end).
 */
static void
server_features_after(struct server *srv, bool sent)
{
	const struct cmd_feature *f;

	for (f = srv->features; f->name != NULL; f++) {
		void (*hook)(struct server *) = sent ? f->sent : f->pass_end;

		if (hook != NULL)
			hook(srv);
	}
}

/* Record a signal for the loop. */
static void
server_on_signal(int sig)
{
	if (sig == SIGHUP)
		server_sig_hup = 1;
	else
		server_sig_stop = 1;
}

/* Open a listening socket on addr (a literal or "*") and port. */
static int
server_listen(const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, on = 1, off = 0;

	memset(&ss, 0, sizeof(ss));
	if (strcmp(addr, "*") == 0) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		log_errorx("listen = %s: not an IPv4 or IPv6 address", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6 && strcmp(addr, "*") == 0)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, SERVER_BACKLOG) == -1) {
		log_warn("cannot listen on %s port %d", addr, port);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Out of descriptors: use the spare one to accept the waiting connection,
 * tell it why and close it, then take the spare back.  Existing clients
 * are not affected and accept() works again as soon as descriptors free.
 */
static void
server_accept_starved(int lfd, struct server *srv)
{
	char busy[PROTO_LINE_MAX + 1];
	int fd, n;

	log_warnx("accept: out of file descriptors (%d sessions); refusing "
	    "a connection", srv->nsessions);
	if (server_spare_fd == -1)
		return;
	close(server_spare_fd);
	server_spare_fd = -1;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		n = proto_ev_bye_encode(busy, sizeof(busy), PROTO_E_LIMIT,
		    "the server is out of resources; try again later");
		if (n > 0 && send(fd, busy, (size_t)n, MSG_NOSIGNAL) == -1)
			(void)0;
		close(fd);
	}
	server_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Accept what the backlog holds (TLS when lfd is the TLS listener). */
static void
server_accept(int lfd, short revents, void *arg)
{
	struct server *srv = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	char full[PROTO_LINE_MAX + 1];
	int fd, i, n;

	/* A bounded batch per pass keeps one burst from starving the rest. */
	for (i = 0; i < 64; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				server_accept_starved(lfd, srv);
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (srv->nsessions >= srv->cfg.max_clients) {
			log_warnx("refused a connection: %d clients (max_clients)",
			    srv->nsessions);
			n = proto_ev_bye_encode(full, sizeof(full),
			    PROTO_E_LIMIT, "the server is full; try again later");
			if (n > 0 && send(fd, full, (size_t)n, MSG_NOSIGNAL) ==
			    -1)
				(void)0;
			close(fd);
			continue;
		}
		if (session_accept(srv, fd, (struct sockaddr *)&ss,
		    lfd == srv->tls_lfd) == -1) {
			log_warnx("cannot take a connection: out of memory");
			close(fd);
		}
	}
}

/* Syncs finished; conn_release() at the end of the pass sends what
   waited for them. */
static void
server_synced(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	(void)arg;
	store_sync_ready();
}

/* The TLS context (the key made at first start) and its listener. */
static int
server_tls_init(struct server *srv, const struct config *cfg)
{
	char fp[TLS_FP_LEN], err[CONFIG_ERR_MAX];

	if (tls_setup(cfg->data_dir, cfg->tls_cert, cfg->tls_key, fp, err,
	    sizeof(err)) == -1) {
		log_errorx("tls: %s", err);
		return -1;
	}
	if ((srv->tls_lfd = server_listen(cfg->tls_listen,
	    cfg->tls_port)) == -1 ||
	    loop_add(srv->loop, srv->tls_lfd, POLLIN, server_accept,
	    srv) == -1)
		return -1;
	log_info("tls: port %d, certificate %s", cfg->tls_port, fp);
	return 0;
}

/* Set up everything the loop needs. */
int
server_init(struct server *srv, const struct config *cfg)
{
	const struct cmd_feature *f;
	char err[CONFIG_ERR_MAX];
	int efd;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->lfd = -1;
	srv->tls_lfd = -1;
	srv->dispatch = cmd_dispatch;
	srv->features = cmd_features;
	/* First, while the process is small and holds few descriptors. */
	if (hasher_start() == -1)
		log_warn("cannot start the password hasher; hashing in the "
		    "main loop");
	TAILQ_INIT(&srv->pending);
	TAILQ_INIT(&srv->idle);
	TAILQ_INIT(&srv->active);
	TAILQ_INIT(&srv->auth_wait);
	TAILQ_INIT(&srv->auth_busy);
	if (store_mkdir(cfg->data_dir) == -1) {
		log_warn("data directory %s", cfg->data_dir);
		return -1;
	}
	if (store_path(srv->creds_path, cfg->data_dir, cfg->credentials) == -1 ||
	    store_path(srv->userlog_path, cfg->data_dir, "userlog.txt") == -1) {
		log_errorx("data_dir path too long: %s", cfg->data_dir);
		return -1;
	}
	srv->accounts = accounts_load(srv->creds_path, cfg->registration, err,
	    sizeof(err));
	if (srv->accounts == NULL) {
		log_errorx("credentials: %s", err);
		return -1;
	}
	if ((srv->state = calloc(1, sizeof(*srv->state))) == NULL) {
		log_errorx("out of memory");
		return -1;
	}
	if (state_load(srv->state, cfg->data_dir, err, sizeof(err)) == -1) {
		log_errorx("%s", err);
		return -1;
	}
	store_set_sync_interval(cfg->fsync_interval_ms);
	conn_set_budget((size_t)cfg->output_budget_mb * 1024 * 1024);
	/* Syncs run in the kernel while the loop goes on; without AIO the
	   store fsyncs in place at the end of each pass. */
	if ((efd = syncq_open()) == -1)
		log_info("asynchronous fsync unavailable (%s): syncing in the "
		    "loop", strerror(errno));
	if ((srv->unknown = lockout_table_new(SERVER_UNKNOWN_MAX)) == NULL ||
	    (srv->addresses = lockout_table_new(SERVER_UNKNOWN_MAX)) == NULL ||
	    (srv->registrations = lockout_table_new(SERVER_UNKNOWN_MAX)) ==
	    NULL || (srv->loop = loop_new()) == NULL) {
		log_errorx("out of memory");
		return -1;
	}
	/* The active-user list starts empty, whatever a crash left. */
	if (userlog_clear(srv) == -1)
		return -1;
	/* TLS first: once the plain port accepts, scripts take the server
	   as started, so the TLS port must already be listening. */
	if (cfg->tls_port != 0 && server_tls_init(srv, cfg) == -1)
		return -1;
	if ((srv->lfd = server_listen(cfg->listen, cfg->port)) == -1)
		return -1;
	server_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (loop_add(srv->loop, srv->lfd, POLLIN, server_accept, srv) == -1 ||
	    hasher_watch(srv->loop) == -1 ||
	    (efd != -1 &&
	    loop_add(srv->loop, efd, POLLIN, server_synced, srv) == -1)) {
		log_warn("loop_add");
		return -1;
	}
	for (f = srv->features; f->name != NULL; f++)
		if (f->start != NULL && f->start(srv) == -1)
			return -1;
	log_info("firmware-server listening on %s port %d; data in %s; "
	    "%zu accounts; attempts %d, block %d s, idle timeout %d s%s, "
	    "registration %s", cfg->listen, cfg->port, cfg->data_dir,
	    accounts_count(srv->accounts), cfg->attempts, cfg->block_seconds,
	    cfg->idle_timeout, cfg->idle_timeout ? "" : " (off)",
	    cfg->registration ? "on" : "off");
	return 0;
}

/* Run until told to stop. */
int
server_run(struct server *srv)
{
	const struct cmd_feature *f;
	sigset_t waitmask;
	int64_t sig_checked = 0;
	int timeout, status = 0, ran;

	if (sig_setup(server_on_signal, 0, &waitmask) == -1) {
		log_warn("signals");
		return -1;
	}

	/* Listening since server_init(): tell systemd (Type=notify). */
	log_set_batch(true);
	notify_init(mono_now_ms());
	notify_sendf("READY=1\nSTATUS=listening on %s port %d",
	    srv->cfg.listen, srv->cfg.port);
	while (!server_sig_stop) {
		timeout = server_min_timeout(session_timers(srv),
		    server_features_pass(srv));
		/* Deliveries first: only the replies that acknowledge
		   stored data wait for the disk, not other users. */
		conn_send_ready();
		server_features_after(srv, true);	/* what went out */
		timeout = server_min_timeout(timeout,
		    store_commit(mono_now_ms()));
		if (store_failed() != 0) {
			log_errorx("stopping: storage failed (%s); replies "
			    "waiting for it are not sent",
			    strerror(store_failed()));
			status = -1;
			break;
		}
		conn_release(store_gen_done());
		timeout = notify_watchdog(timeout, mono_now_ms());
		conn_pass_end();
		server_features_after(srv, false);	/* what was just sent */
		/* What the connections closed in conn_pass_end() changed. */
		timeout = server_min_timeout(timeout, session_pass_end(srv));
		log_flush();	/* the pass's log lines, after its sends */
		if ((ran = loop_once(srv->loop, timeout, &waitmask)) == -1 &&
		    errno != EINTR) {
			log_warn("epoll_pwait");
			break;
		}
		/* epoll_pwait() lets a signal in only when it would sleep:
		   under a flood it never does. */
		if (ran > 0)
			sig_deliver_busy(&waitmask, &sig_checked);
		if (server_sig_hup) {
			server_sig_hup = 0;
			reload_run(srv);
		}
	}
	log_set_batch(false);
	notify_send("STOPPING=1");
	log_info("stopping: %d sessions, %d logged in", srv->nsessions,
	    srv->nactive);
	srv->stopping = true;
	session_bye_all(srv, "shutdown", "The server is shutting down");
	store_sync_all();
	if (store_failed() != 0)
		status = -1;
	conn_release(store_gen_done());
	conn_close_all("server shutdown");
	server_features_after(srv, false);	/* what conn_close_all() sent */
	store_sync_all();
	for (f = srv->features; f->name != NULL; f++)
		if (f->stop != NULL)
			f->stop(srv);
	(void)userlog_clear(srv);
	return status;
}

/* Free what server_init() made. */
void
server_free(struct server *srv)
{
	if (srv->lfd != -1)
		close(srv->lfd);
	if (srv->tls_lfd != -1)
		close(srv->tls_lfd);
	tls_cleanup();
	if (server_spare_fd != -1) {
		close(server_spare_fd);
		server_spare_fd = -1;
	}
	hasher_stop();
	loop_free(srv->loop);
	syncq_close();
	lockout_table_free(srv->addresses);
	lockout_table_free(srv->registrations);
	accounts_free(srv->accounts);
	lockout_table_free(srv->unknown);
	notify_close();
	if (srv->state != NULL) {
		state_free(srv->state);
		free(srv->state);
	}
}
