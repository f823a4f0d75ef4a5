/*
 * notify.c - sd_notify(3)'s protocol in a few calls: one datagram per
 * message on a SOCK_DGRAM AF_UNIX socket.  State is static: a process has
 * one service manager.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

#define NOTIFY_MSG_MAX		512	/* bytes in one message */

static struct {
	int			fd;		/* -1 when off */
	struct sockaddr_un	addr;
	socklen_t		addrlen;
	int64_t			wd_interval_ms;	/* 0: no watchdog */
	int64_t			wd_next_ms;	/* next keep-alive due */
	bool			warned;		/* a send failure was logged */
} notify = { .fd = -1 };

/* Parse a decimal number of microseconds; 0 when absent or bad. */
static uint64_t
notify_parse_usec(const char *s)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > UINT64_MAX / 10 - 1)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

/* Whether $WATCHDOG_PID, when set, names this process. */
static bool
notify_watchdog_is_ours(void)
{
	const char *s = getenv("WATCHDOG_PID");

	if (s == NULL || *s == '\0')
		return true;
	return notify_parse_usec(s) == (uint64_t)getpid();
}

/* Open the socket named by $NOTIFY_SOCKET; set up the watchdog. */
int
notify_init(int64_t now_ms)
{
	const char *path = getenv("NOTIFY_SOCKET");
	uint64_t usec;
	size_t len;

	notify_close();
	if (path == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    len >= sizeof(notify.addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not an absolute path or an @name "
		    "shorter than %zu bytes; not notifying", path,
		    sizeof(notify.addr.sun_path));
		return -1;
	}
	memset(&notify.addr, 0, sizeof(notify.addr));
	notify.addr.sun_family = AF_UNIX;
	memcpy(notify.addr.sun_path, path, len);
	if (path[0] == '@') {
		/* Abstract: a leading NUL, and the length says where it ends. */
		notify.addr.sun_path[0] = '\0';
		notify.addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len);
	} else
		notify.addrlen = (socklen_t)sizeof(notify.addr);
	notify.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify.fd == -1) {
		log_warn("notify socket");
		return -1;
	}
	usec = notify_parse_usec(getenv("WATCHDOG_USEC"));
	if (usec > 0 && notify_watchdog_is_ours()) {
		/* Half the period, as sd_watchdog_enabled(3) advises. */
		notify.wd_interval_ms = (int64_t)(usec / 2000);
		if (notify.wd_interval_ms < 1)
			notify.wd_interval_ms = 1;
		notify.wd_next_ms = now_ms + notify.wd_interval_ms;
		log_info("systemd watchdog: a keep-alive every %lld ms",
		    (long long)notify.wd_interval_ms);
	}
	return 0;
}

/* Whether there is a service manager to tell. */
bool
notify_enabled(void)
{
	return notify.fd != -1;
}

/* Send one datagram. */
int
notify_send(const char *msg)
{
	ssize_t n;

	if (notify.fd == -1)
		return 0;
	do {
		n = sendto(notify.fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (struct sockaddr *)&notify.addr, notify.addrlen);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		/* Once: a manager that went away must not flood the log. */
		if (!notify.warned)
			log_warn("cannot notify the service manager");
		notify.warned = true;
		return -1;
	}
	notify.warned = false;
	return 0;
}

/* Format, then send. */
int
notify_sendf(const char *fmt, ...)
{
	char msg[NOTIFY_MSG_MAX];
	va_list ap;

	if (notify.fd == -1)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return notify_send(msg);
}

/* Send WATCHDOG=1 when due; the poll timeout up to the next one. */
int
notify_watchdog(int timeout_ms, int64_t now_ms)
{
	int64_t left;

	if (notify.fd == -1 || notify.wd_interval_ms == 0)
		return timeout_ms;
	if (now_ms >= notify.wd_next_ms) {
		notify_send("WATCHDOG=1");
		notify.wd_next_ms = now_ms + notify.wd_interval_ms;
	}
	left = notify.wd_next_ms - now_ms;
	if (timeout_ms < 0 || left < timeout_ms)
		return (int)left;
	return timeout_ms;
}

/* Forget the service manager. */
void
notify_close(void)
{
	if (notify.fd != -1)
		close(notify.fd);
	notify.fd = -1;
	notify.wd_interval_ms = 0;
	notify.warned = false;
}
