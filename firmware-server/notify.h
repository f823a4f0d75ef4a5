/*
 * notify.h - systemd's service notification protocol, without libsystemd:
 * "READY=1", "STOPPING=1", "WATCHDOG=1" and "STATUS=..." datagrams sent to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (a leading '@' names a socket
 * in the abstract namespace).  Without $NOTIFY_SOCKET every call does
 * nothing, so the server behaves the same outside systemd.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Read $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID and open the
 * socket.  The watchdog is on when WATCHDOG_USEC is a positive number and
 * WATCHDOG_PID is unset or our pid; keep-alives then go out every half
 * period.  Returns 0, or -1 (logged) when $NOTIFY_SOCKET is unusable.
 */
int	 notify_init(int64_t now_ms);

/* True when notifications go somewhere. */
bool	 notify_enabled(void);

/* Send one message ("READY=1\nSTATUS=..."); 0, or -1 (logged once). */
int	 notify_send(const char *msg);

/* printf-style notify_send. */
int	 notify_sendf(const char *fmt, ...)
	     __attribute__((format(printf, 1, 2)));

/*
 * The watchdog timer, once per loop pass: sends WATCHDOG=1 when it is due
 * and returns timeout_ms (a poll timeout, -1 = none) shortened to the next
 * keep-alive.  With the watchdog off it returns timeout_ms unchanged, so
 * an idle server still sleeps without a limit.
 */
int	 notify_watchdog(int timeout_ms, int64_t now_ms);

/* Close the socket. */
void	 notify_close(void);

#endif /* NOTIFY_H */
