/*
 * fed_nolink.c - the broker link of a build without libmosquitto: a
 * configured broker is refused at start-up with the reason.
 */
#include <stdio.h>

#include "fed_link.h"

/* This build cannot federate. */
bool
fed_link_available(void)
{
	return false;
}

/* Refuse: there is no MQTT library in this build. */
int
fed_link_start(struct loop *l, const struct config *cfg, const char *id,
    const struct fed_link_cb *cb, char *err, size_t errlen)
{
	snprintf(err, errlen, "this firmware-server was built without "
	    "libmosquitto (make FED=1 with libmosquitto-dev installed)");
	return -1;
}

/* Nothing to do. */
int
fed_link_pass(int64_t now_ms)
{
	return -1;
}

/* Never up. */
bool
fed_link_up(void)
{
	return false;
}

/* Nothing queued. */
void
fed_link_flush(void)
{
}

/* Never sent. */
int
fed_link_publish(const char *topic, const void *payload, size_t len,
    int qos, bool retain)
{
	return -1;
}

/* Never subscribed. */
int
fed_link_subscribe(const char *pattern, int qos)
{
	return -1;
}

/* Nothing queued. */
size_t
fed_link_backlog(void)
{
	return 0;
}

/* Nothing to stop. */
void
fed_link_stop(void)
{
}
