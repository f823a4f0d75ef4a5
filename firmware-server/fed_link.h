/*
 * fed_link.h - the one connection to the MQTT broker, driven from the
 * server's epoll loop (no threads): connect, reconnect with backoff,
 * publish, subscribe.  fed_link.c uses libmosquitto; fed_nolink.c stands
 * in where the server is built without it.
 */
#ifndef FED_LINK_H
#define FED_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct config;

struct fed_link_cb {
	/* Before each connection attempt: the last will to leave. */
	void	(*connecting)(const char **will_topic, const char **will_payload);
	/* Connected (subscribe and announce here). */
	void	(*up)(void);
	/* The connection is gone (a reconnection is scheduled). */
	void	(*down)(void);
	/* A message arrived. */
	void	(*message)(const char *topic, const void *payload, size_t len);
};

/* True when this build can federate. */
bool	fed_link_available(void);
/* Start connecting to cfg's broker as client id; 0, or -1 with err. */
int	fed_link_start(struct loop *l, const struct config *cfg,
	    const char *id, const struct fed_link_cb *cb, char *err,
	    size_t errlen);
/* Once per loop pass: keep-alive, reconnect, poll interest.  Returns ms
   until it is next due, or -1. */
int	fed_link_pass(int64_t now_ms);
bool	fed_link_up(void);
/* Write what is queued now (before the loop waits). */
void	fed_link_flush(void);
/* Queue a publication (QoS 0 or 1); 0, or -1 when the link is down. */
int	fed_link_publish(const char *topic, const void *payload, size_t len,
	    int qos, bool retain);
int	fed_link_subscribe(const char *pattern, int qos);
/* Messages queued in the library and not yet written. */
size_t	fed_link_backlog(void);
/* Disconnect cleanly (no last will) and free. */
void	fed_link_stop(void);

#endif /* FED_LINK_H */
