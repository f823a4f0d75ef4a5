/*
 * fed_edge.c - edge data to the ecosystem: each stored upload's summary is
 * published retained as JSON to PREFIX/v1/edge/BOARD/USER/FILEID, and DTE
 * clears it (an empty retained message).  With [federation] homeassistant
 * the file's average is also announced to Home Assistant's MQTT discovery
 * (homeassistant/sensor/ID/config) so it shows up as a sensor.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "edge_data.h"
#include "fed.h"
#include "fed_codec.h"
#include "fed_link.h"
#include "log.h"
#include "server.h"
#include "timefmt.h"

#define FED_EDGE_JSON_MAX	1024

/* The summary's topic. */
static int
fed_edge_topic(char *out, size_t len, const char *user, long long id)
{
	char sub[PROTO_USER_MAX + 32];

	snprintf(sub, sizeof(sub), "%s/%lld", user, id);
	return fed_topic(out, len, fed_prefix(), FED_K_EDGE, fed_board(), sub);
}

/* Home Assistant's discovery topic for the file's average. */
static void
fed_edge_ha_topic(char *out, size_t len, const char *user, long long id)
{
	char oid[128];
	size_t i;

	snprintf(oid, sizeof(oid), "fs_%s_%s_%lld_average", fed_board(), user,
	    id);
	for (i = 0; oid[i] != '\0'; i++)	/* [a-zA-Z0-9_-] only */
		if (oid[i] == '.')
			oid[i] = '_';
	snprintf(out, len, "homeassistant/sensor/%s/config", oid);
}

/* A stored upload: publish its summary (and its discovery config). */
void
fed_edge_stored(struct server *srv, const char *user, long long id,
    const struct edge_stats *st, time_t when)
{
	char topic[FED_TOPIC_MAX], ha[FED_TOPIC_MAX], json[FED_EDGE_JSON_MAX];
	char sum[EDGE_I128_MAX], avg[EDGE_RESULT_MAX], t[TIMEFMT_LEN];
	int n;

	if (!fed_enabled() || !fed_link_up() ||
	    fed_edge_topic(topic, sizeof(topic), user, id) == -1)
		return;
	edge_i128_format(st->sum, sum);
	if (st->count == 0 ||
	    edge_op_result(st, EDGE_OP_AVERAGE, avg, sizeof(avg)) == -1)
		snprintf(avg, sizeof(avg), "null");
	avg[strcspn(avg, ",")] = '\0';	/* the decimal, not the fraction */
	if (st->count == 0)
		n = snprintf(json, sizeof(json), "{\"board\":\"%s\",\"user\":"
		    "\"%s\",\"file\":%lld,\"count\":0,\"sum\":0,\"min\":null,"
		    "\"max\":null,\"average\":null,\"time\":\"%s\","
		    "\"unix_time\":%lld}", fed_board(), user, id,
		    timefmt_format(when, t), (long long)when);
	else
		n = snprintf(json, sizeof(json), "{\"board\":\"%s\",\"user\":"
		    "\"%s\",\"file\":%lld,\"count\":%llu,\"sum\":%s,\"min\":%lld,"
		    "\"max\":%lld,\"average\":%s,\"time\":\"%s\","
		    "\"unix_time\":%lld}", fed_board(), user, id,
		    (unsigned long long)st->count, sum, (long long)st->min,
		    (long long)st->max, avg, timefmt_format(when, t),
		    (long long)when);
	if (n < 0 || (size_t)n >= sizeof(json))
		return;
	fed_link_publish(topic, json, (size_t)n, 1, true);
	if (!srv->cfg.fed_homeassistant)
		return;
	fed_edge_ha_topic(ha, sizeof(ha), user, id);
	n = snprintf(json, sizeof(json), "{\"name\":\"%s file %lld average\","
	    "\"unique_id\":\"fs_%s_%s_%lld_average\",\"state_topic\":\"%s\","
	    "\"value_template\":\"{{ value_json.average }}\","
	    "\"json_attributes_topic\":\"%s\",\"device\":{\"identifiers\":"
	    "[\"fs_%s\"],\"name\":\"firmware-server %s\"}}", user, id,
	    fed_board(), user, id, topic, topic, fed_board(), fed_board());
	if (n > 0 && (size_t)n < sizeof(json))
		fed_link_publish(ha, json, (size_t)n, 1, true);
}

/* DTE: clear the summary (and the discovery config). */
void
fed_edge_deleted(struct server *srv, const char *user, long long id)
{
	char topic[FED_TOPIC_MAX];

	if (!fed_enabled() || !fed_link_up() ||
	    fed_edge_topic(topic, sizeof(topic), user, id) == -1)
		return;
	fed_link_publish(topic, "", 0, 1, true);
	if (srv->cfg.fed_homeassistant) {
		fed_edge_ha_topic(topic, sizeof(topic), user, id);
		fed_link_publish(topic, "", 0, 1, true);
	}
}
