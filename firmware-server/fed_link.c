/*
 * fed_link.c - the broker link with libmosquitto's external-loop API:
 * the server's epoll loop watches mosquitto_socket(), calls
 * mosquitto_loop_read() / mosquitto_loop_write() when it is ready and
 * mosquitto_loop_misc() once per pass (keep-alive); POLLOUT is asked for
 * only while mosquitto_want_write().  No mosquitto_loop_start(): no
 * threads.  A lost link is retried with a doubling backoff (0.5 s to 30 s).
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "config.h"
#include "fed_link.h"
#include "log.h"
#include "loop.h"
#include "store.h"

#define FED_LINK_BACKOFF_MIN_MS	500
#define FED_LINK_BACKOFF_MAX_MS	30000
#define FED_LINK_CONNECT_MS	10000	/* to get CONNACK, else retry */
#define FED_LINK_INFLIGHT	1000	/* QoS 1 messages unacknowledged */
#define FED_LINK_PASS_MS	1000	/* loop_misc at least this often */
#define FED_LINK_PASSWORD_MAX	256
#define FED_LINK_READ_BATCH	1024	/* packets read per wake-up at most */

enum fed_link_state { FED_LINK_DOWN, FED_LINK_CONNECTING, FED_LINK_UP };

static struct {
	struct mosquitto	*m;
	struct loop		*loop;
	struct fed_link_cb	 cb;
	enum fed_link_state	 state;
	char			 host[256];
	int			 port;
	int			 keepalive;
	int			 fd;		/* watched in the loop, or -1 */
	short			 events;
	int64_t			 retry_ms;	/* DOWN: next attempt */
	int64_t			 since_ms;	/* CONNECTING: started */
	int			 backoff_ms;
	int64_t			 now_ms;
	size_t			 queued;	/* publications not yet written */
} fl = { .fd = -1 };

static void	fed_link_lost(const char *why);

/* This build can federate. */
bool
fed_link_available(void)
{
	return true;
}

/* Stop watching the socket. */
static void
fed_link_unwatch(void)
{
	if (fl.fd != -1) {
		loop_del(fl.loop, fl.fd);
		fl.fd = -1;
	}
}

/* Watch the library's socket for what it needs now. */
static void
fed_link_watch(void);

/* The socket is ready. */
static void
fed_link_ready(int fd, short revents, void *arg)
{
	int rc = MOSQ_ERR_SUCCESS, avail, i;

	/* libmosquitto reads about one packet per call: go on while the
	   socket holds more, up to a bounded batch per pass. */
	if (revents & (POLLIN | POLLERR | POLLHUP))
		for (i = 0; i < FED_LINK_READ_BATCH; i++) {
			rc = mosquitto_loop_read(fl.m, 64);
			if (rc != MOSQ_ERR_SUCCESS || fl.state == FED_LINK_DOWN ||
			    mosquitto_socket(fl.m) != fd ||
			    ioctl(fd, FIONREAD, &avail) == -1 || avail <= 0)
				break;
		}
	if (rc == MOSQ_ERR_SUCCESS && fl.state != FED_LINK_DOWN &&
	    (revents & POLLOUT))
		rc = mosquitto_loop_write(fl.m, 64);
	if (rc != MOSQ_ERR_SUCCESS && fl.state != FED_LINK_DOWN)
		fed_link_lost(rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
	else if (fl.state != FED_LINK_DOWN)
		fed_link_watch();
}

static void
fed_link_watch(void)
{
	int fd = mosquitto_socket(fl.m);
	short ev = POLLIN;

	if (fd != fl.fd)
		fed_link_unwatch();
	if (fd == -1)
		return;
	if (mosquitto_want_write(fl.m))
		ev |= POLLOUT;
	if (fl.fd == -1) {
		if (loop_add(fl.loop, fd, ev, fed_link_ready, NULL) == -1) {
			log_warn("federation: loop_add");
			return;
		}
		fl.fd = fd;
	} else if (ev != fl.events)
		loop_mod(fl.loop, fd, ev);
	fl.events = ev;
}

/* The link is gone: tell the federation, retry later. */
static void
fed_link_lost(const char *why)
{
	bool was_up = fl.state == FED_LINK_UP;

	fed_link_unwatch();
	fl.state = FED_LINK_DOWN;
	fl.retry_ms = fl.now_ms + fl.backoff_ms;
	log_warnx("federation: broker %s:%d %s (%s); retrying in %d ms",
	    fl.host, fl.port, was_up ? "lost" : "unreachable", why,
	    fl.backoff_ms);
	fl.backoff_ms *= 2;
	if (fl.backoff_ms > FED_LINK_BACKOFF_MAX_MS)
		fl.backoff_ms = FED_LINK_BACKOFF_MAX_MS;
	if (was_up && fl.cb.down != NULL)
		fl.cb.down();
}

/* CONNACK. */
static void
fed_link_on_connect(struct mosquitto *m, void *obj, int rc)
{
	if (rc != 0) {
		fed_link_lost(mosquitto_connack_string(rc));
		return;
	}
	fl.state = FED_LINK_UP;
	fl.backoff_ms = FED_LINK_BACKOFF_MIN_MS;
	log_info("federation: connected to broker %s:%d", fl.host, fl.port);
	if (fl.cb.up != NULL)
		fl.cb.up();
}

/* A message from the broker. */
static void
fed_link_on_message(struct mosquitto *m, void *obj,
    const struct mosquitto_message *msg)
{
	if (fl.cb.message != NULL && msg->topic != NULL && msg->payloadlen >= 0)
		fl.cb.message(msg->topic, msg->payload, (size_t)msg->payloadlen);
}

/* A publication was written (QoS 0) or acknowledged (QoS 1). */
static void
fed_link_on_publish(struct mosquitto *m, void *obj, int mid)
{
	if (fl.queued > 0)
		fl.queued--;
}

/* Try to connect now. */
static void
fed_link_attempt(void)
{
	const char *wt = NULL, *wp = NULL;
	int rc;

	if (fl.cb.connecting != NULL)
		fl.cb.connecting(&wt, &wp);
	if (wt != NULL && wp != NULL)
		mosquitto_will_set(fl.m, wt, (int)strlen(wp), wp, 1, true);
	fl.queued = 0;
	fl.state = FED_LINK_CONNECTING;
	fl.since_ms = fl.now_ms;
	rc = mosquitto_connect_async(fl.m, fl.host, fl.port, fl.keepalive);
	if (rc != MOSQ_ERR_SUCCESS) {
		fed_link_lost(rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		return;
	}
	fed_link_watch();
}

/* Split HOST:PORT (an IPv6 host in brackets). */
static int
fed_link_parse_broker(const char *s, char *host, size_t hlen, int *port)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t n;
	char *end;
	long p;

	if (colon == NULL || colon == s)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[' && colon[-1] == ']') {
		h = s + 1;
		n -= 2;
	}
	if (n == 0 || n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

/* Read the broker password: the file's first line. */
static int
fed_link_password(const struct config *cfg, char *pw, size_t len,
    char *err, size_t errlen)
{
	char path[STORE_PATH_MAX];
	FILE *fp;

	if (store_path(path, cfg->data_dir, cfg->fed_password_file) == -1 ||
	    (fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "password_file %s: %s",
		    cfg->fed_password_file, strerror(errno));
		return -1;
	}
	if (fgets(pw, (int)len, fp) == NULL)
		pw[0] = '\0';
	fclose(fp);
	pw[strcspn(pw, "\r\n")] = '\0';
	return 0;
}

/* Set up the client and start the first connection. */
int
fed_link_start(struct loop *l, const struct config *cfg, const char *id,
    const struct fed_link_cb *cb, char *err, size_t errlen)
{
	char pw[FED_LINK_PASSWORD_MAX];
	int rc;

	if (fed_link_parse_broker(cfg->fed_broker, fl.host, sizeof(fl.host),
	    &fl.port) == -1) {
		snprintf(err, errlen, "broker = %s: not HOST:PORT",
		    cfg->fed_broker);
		return -1;
	}
	mosquitto_lib_init();
	if ((fl.m = mosquitto_new(id, true, NULL)) == NULL) {
		snprintf(err, errlen, "mosquitto_new: %s", strerror(errno));
		return -1;
	}
	fl.loop = l;
	fl.cb = *cb;
	fl.keepalive = cfg->fed_keepalive;
	fl.backoff_ms = FED_LINK_BACKOFF_MIN_MS;
	mosquitto_int_option(fl.m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(fl.m, FED_LINK_INFLIGHT);
	mosquitto_connect_callback_set(fl.m, fed_link_on_connect);
	mosquitto_message_callback_set(fl.m, fed_link_on_message);
	mosquitto_publish_callback_set(fl.m, fed_link_on_publish);
	if (cfg->fed_username[0] != '\0') {
		pw[0] = '\0';
		if (cfg->fed_password_file[0] != '\0' &&
		    fed_link_password(cfg, pw, sizeof(pw), err, errlen) == -1)
			return -1;
		rc = mosquitto_username_pw_set(fl.m, cfg->fed_username,
		    pw[0] != '\0' ? pw : NULL);
		explicit_bzero(pw, sizeof(pw));
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "username: %s",
			    mosquitto_strerror(rc));
			return -1;
		}
	}
	if (cfg->fed_tls) {
		rc = mosquitto_tls_set(fl.m, cfg->fed_ca[0] ? cfg->fed_ca : NULL,
		    cfg->fed_ca[0] ? NULL : "/etc/ssl/certs", NULL, NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "tls: %s", rc == MOSQ_ERR_ERRNO ?
			    strerror(errno) : mosquitto_strerror(rc));
			return -1;
		}
	}
	fl.state = FED_LINK_DOWN;
	fl.retry_ms = 0;
	return 0;
}

/* Keep-alive, reconnection and poll interest, once per pass. */
int
fed_link_pass(int64_t now_ms)
{
	int rc;

	if (fl.m == NULL)
		return -1;
	fl.now_ms = now_ms;
	if (fl.state == FED_LINK_DOWN) {
		if (now_ms < fl.retry_ms)
			return (int)(fl.retry_ms - now_ms);
		fed_link_attempt();
		if (fl.state == FED_LINK_DOWN)
			return (int)(fl.retry_ms - now_ms);
	}
	if (fl.state == FED_LINK_CONNECTING &&
	    now_ms - fl.since_ms > FED_LINK_CONNECT_MS) {
		fed_link_lost("no answer to CONNECT");
		return fl.backoff_ms;
	}
	rc = mosquitto_loop_misc(fl.m);
	if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(fl.m) == -1) {
		fed_link_lost(rc == MOSQ_ERR_SUCCESS ? "keep-alive timed out" :
		    mosquitto_strerror(rc));
		return (int)(fl.retry_ms - now_ms);
	}
	/* What handlers published this pass goes out now. */
	if (mosquitto_want_write(fl.m)) {
		rc = mosquitto_loop_write(fl.m, 64);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
			fed_link_lost(rc == MOSQ_ERR_ERRNO ? strerror(errno) :
			    mosquitto_strerror(rc));
			return (int)(fl.retry_ms - now_ms);
		}
	}
	fed_link_watch();
	return FED_LINK_PASS_MS;
}

/* Write what handlers queued this pass, and ask for POLLOUT if the
   kernel did not take it all. */
void
fed_link_flush(void)
{
	int rc;

	if (fl.m == NULL || fl.state == FED_LINK_DOWN ||
	    !mosquitto_want_write(fl.m))
		return;
	rc = mosquitto_loop_write(fl.m, 64);
	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
		fed_link_lost(rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		return;
	}
	fed_link_watch();
}

/* Connected and CONNACK'd. */
bool
fed_link_up(void)
{
	return fl.state == FED_LINK_UP;
}

/* Queue a publication. */
int
fed_link_publish(const char *topic, const void *payload, size_t len, int qos,
    bool retain)
{
	int rc;

	if (fl.state != FED_LINK_UP)
		return -1;
	rc = mosquitto_publish(fl.m, NULL, topic, (int)len, payload, qos,
	    retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warnx("federation: publish %s: %s", topic,
		    mosquitto_strerror(rc));
		return -1;
	}
	fl.queued++;
	return 0;
}

/* Subscribe to a pattern. */
int
fed_link_subscribe(const char *pattern, int qos)
{
	if (fl.state != FED_LINK_UP ||
	    mosquitto_subscribe(fl.m, NULL, pattern, qos) != MOSQ_ERR_SUCCESS)
		return -1;
	return 0;
}

/* Publications not yet acknowledged by the broker. */
size_t
fed_link_backlog(void)
{
	return fl.queued;
}

/* Leave cleanly: the last will is not sent. */
void
fed_link_stop(void)
{
	int i;

	if (fl.m == NULL)
		return;
	if (fl.state == FED_LINK_UP) {
		/* A bounded try: a broker that stopped reading must not hold
		   up the shutdown (the socket is non-blocking). */
		mosquitto_disconnect(fl.m);
		for (i = 0; i < 100 && mosquitto_want_write(fl.m) &&
		    mosquitto_loop_write(fl.m, 64) == MOSQ_ERR_SUCCESS; i++)
			;
	}
	fed_link_unwatch();
	mosquitto_destroy(fl.m);
	fl.m = NULL;
	mosquitto_lib_cleanup();
	fl.state = FED_LINK_DOWN;
}
