/*
 * fed.c - federation: the broker link's callbacks, the other boards and
 * their online users, name resolution, and what local users' logins and
 * logouts tell the other boards.
 *
 * Presence is retained on the broker, so a board that joins late learns
 * who is online at once.  Each connection of a board has a new epoch; a
 * presence record counts only while its board is online with the same
 * epoch, so records a dead board left behind never show.  The board's
 * last will (retained "offline" with its epoch) takes its users off every
 * list when its link dies without a clean logout; a board that sees its
 * own stale records cleans them up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "accounts.h"
#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "fed_codec.h"
#include "fed_int.h"
#include "fed_link.h"
#include "log.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "timefmt.h"

#define FED_BOARDS_MAX		256	/* other boards known; more: ignored */
#define FED_USERS_MAX		8192	/* remote users known; over: the
					   longest offline is forgotten */

struct fed_board {
	char		 name[PROTO_BOARD_MAX + 1];
	char		 epoch[FED_EPOCH_MAX + 1];
	bool		 online;
	char		 feat_epoch[FED_EPOCH_MAX + 1];	/* of its FEAT */
	unsigned	 feat;		/* FED_FEAT_* it announced */
};

struct fed_user {
	struct fed_board *board;
	char		 name[PROTO_USER_MAX + 1];
	char		 epoch[FED_EPOCH_MAX + 1];
	char		 ip[FED_IP_MAX + 1];
	int		 udp;
	time_t		 login_time;
	bool		 present;	/* its board says it is logged in */
	bool		 shown;		/* in the lists (present, board up) */
	time_t		 last_seen;	/* when it left the lists */
	int64_t		 last_seen_ms;
};

static struct {
	struct server	*srv;
	bool		 on;
	char		 board[PROTO_BOARD_MAX + 1];
	char		 prefix[FED_PREFIX_MAX + 1];
	char		 epoch[FED_EPOCH_MAX + 1];
	char		 will_topic[FED_TOPIC_MAX];
	char		 will[128];
	unsigned	 nconnect;
	int64_t		 down_ms;	/* link lost at, 0: up or never */
	bool		 grace_over;	/* remote users dropped after loss */
	struct fed_board boards[FED_BOARDS_MAX];
	size_t		 nboards;
	struct fed_user	*users;
	size_t		 nusers;
} F;

/* Federation is configured and running. */
bool
fed_enabled(void)
{
	return F.on;
}

/* This board's name. */
const char *
fed_board(void)
{
	return F.board;
}

/* The topic prefix. */
const char *
fed_prefix(void)
{
	return F.prefix;
}

/* The link's epoch. */
const char *
fed_epoch(void)
{
	return F.epoch;
}

/* Queue an encoded event line (len bytes, none when -1) to every
   logged-in local user. */
static void
fed_event_all(const char *ev, int len)
{
	struct session *s;

	if (len <= 0)
		return;
	TAILQ_FOREACH(s, &F.srv->active, active_entry)
		if (!conn_closing(s->conn))
			conn_write(s->conn, ev, (size_t)len);
}

/* Publish r on its topic. */
int
fed_publish(struct fed_rec *r, const char *sub, int qos, bool retain)
{
	char topic[FED_TOPIC_MAX], payload[FED_PAYLOAD_MAX + 1];
	int n;

	snprintf(r->board, sizeof(r->board), "%s", F.board);
	if (fed_topic(topic, sizeof(topic), F.prefix, r->kind, F.board,
	    sub) == -1 || (n = fed_encode(r, payload, sizeof(payload))) == -1) {
		log_warnx("federation: cannot encode a %d record", r->kind);
		return -1;
	}
	return fed_link_publish(topic, payload, (size_t)n, qos, retain);
}

/* Publish a prebuilt payload on this board's topic of kind. */
int
fed_publish_payload(enum fed_kind kind, const char *sub, const char *payload,
    size_t len)
{
	char topic[FED_TOPIC_MAX];

	if (fed_topic(topic, sizeof(topic), F.prefix, kind, F.board,
	    sub) == -1)
		return -1;
	return fed_link_publish(topic, payload, len, 0, false);
}

/* The board named name, added when new; NULL when the table is full. */
static struct fed_board *
fed_board_get(const char *name, bool add)
{
	size_t i;

	for (i = 0; i < F.nboards; i++)
		if (strcmp(F.boards[i].name, name) == 0)
			return &F.boards[i];
	if (!add || F.nboards == FED_BOARDS_MAX)
		return NULL;
	memset(&F.boards[F.nboards], 0, sizeof(F.boards[0]));
	snprintf(F.boards[F.nboards].name, PROTO_BOARD_MAX + 1, "%s", name);
	return &F.boards[F.nboards++];
}

/* True when board is online now. */
bool
fed_board_online(const char *board)
{
	struct fed_board *b = fed_board_get(board, false);

	return b != NULL && b->online;
}

/* True when board is online and reads batches of DMs (its FEAT record
   is of its current connection). */
bool
fed_board_batches(const char *board)
{
	struct fed_board *b = fed_board_get(board, false);

	return b != NULL && b->online && (b->feat & FED_FEAT_DMB) &&
	    strcmp(b->feat_epoch, b->epoch) == 0;
}

/* What a board's software understands (older boards publish none). */
static void
fed_on_feat(const struct fed_rec *r)
{
	struct fed_board *b;

	if (strcmp(r->board, F.board) == 0 ||
	    (b = fed_board_get(r->board, true)) == NULL)
		return;
	snprintf(b->feat_epoch, sizeof(b->feat_epoch), "%s", r->epoch);
	b->feat = r->feat;
}

/* Each DM of a checked batch, in order. */
static void
fed_on_batch(const struct fed_rec *head, const void *payload, size_t len)
{
	struct fed_rec *r;
	size_t off = 0;

	if ((r = malloc(sizeof(*r))) == NULL) {
		log_warnx("federation: out of memory; a batch is dropped");
		return;
	}
	while (fed_batch_next(head, payload, len, &off, r))
		fed_msg_on_dm(r);
	free(r);
}

/* Show or hide u as its board and record say; tell local users. */
static void
fed_user_update(struct fed_user *u)
{
	bool shown = u->present && u->board->online &&
	    strcmp(u->epoch, u->board->epoch) == 0;
	char when[TIMEFMT_LEN], addr[PROTO_ADDR_MAX + 1],
	    ev[PROTO_LINE_MAX + 1];

	if (shown == u->shown)
		return;
	u->shown = shown;
	snprintf(addr, sizeof(addr), "%s@%s", u->name, u->board->name);
	if (shown) {
		fed_event_all(ev, proto_ev_online_encode(ev, sizeof(ev), addr,
		    u->ip, u->udp, timefmt_format(u->login_time, when)));
		log_info("federation: %s@%s is online", u->name,
		    u->board->name);
	} else {
		u->last_seen = time(NULL);
		u->last_seen_ms = mono_now_ms();
		fed_event_all(ev, proto_ev_offline_encode(ev, sizeof(ev), addr,
		    u->present ? SESS_OFF_LOST : SESS_OFF_LOGOUT));
		log_info("federation: %s@%s is offline", u->name,
		    u->board->name);
	}
}

/* Update every user of board b (NULL: of every board). */
static void
fed_users_update(struct fed_board *b)
{
	size_t i;

	for (i = 0; i < F.nusers; i++)
		if (b == NULL || F.users[i].board == b)
			fed_user_update(&F.users[i]);
}

/* The record of user on board b; added when add (reusing the one offline
   longest when the table is full).  NULL when none. */
static struct fed_user *
fed_user_get(struct fed_board *b, const char *name, bool add)
{
	struct fed_user *u, *old = NULL;
	size_t i;

	for (i = 0; i < F.nusers; i++) {
		u = &F.users[i];
		if (u->board == b && strcmp(u->name, name) == 0)
			return u;
		if (!u->present && !u->shown && (old == NULL ||
		    u->last_seen_ms < old->last_seen_ms))
			old = u;
	}
	if (!add)
		return NULL;
	if (F.nusers < FED_USERS_MAX)
		u = &F.users[F.nusers++];
	else if ((u = old) == NULL)
		return NULL;
	memset(u, 0, sizeof(*u));
	u->board = b;
	snprintf(u->name, sizeof(u->name), "%s", name);
	return u;
}

/* Our own retained record from an earlier run: clear it, or renew it when
   the user is online here now. */
static void
fed_own_presence(const struct fed_rec *r)
{
	struct account *a;
	struct fed_rec out;

	if (!r->online || strcmp(r->epoch, F.epoch) == 0)
		return;
	a = accounts_find(F.srv->accounts, r->user);
	if (a != NULL && a->session != NULL &&
	    a->session->state == SESS_ACTIVE) {
		fed_user_online(a->session);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.kind = FED_K_PRESENCE;
	fed_publish(&out, r->user, 1, true);
}

/* A board's state. */
static void
fed_on_board(const struct fed_rec *r)
{
	struct fed_board *b;
	struct fed_rec out;

	if (strcmp(r->board, F.board) == 0) {
		/* An old will overwrote our state: say it again. */
		if (!r->online && strcmp(r->epoch, F.epoch) != 0) {
			memset(&out, 0, sizeof(out));
			out.kind = FED_K_BOARD;
			out.online = true;
			snprintf(out.epoch, sizeof(out.epoch), "%s", F.epoch);
			fed_publish(&out, NULL, 1, true);
		}
		return;
	}
	if ((b = fed_board_get(r->board, r->online)) == NULL)
		return;
	if (!r->online && strcmp(r->epoch, b->epoch) != 0)
		return;		/* the will of an older connection */
	if (b->online != r->online || strcmp(b->epoch, r->epoch) != 0)
		log_info("federation: board %s is %s", b->name,
		    r->online ? "online" : "offline");
	b->online = r->online;
	snprintf(b->epoch, sizeof(b->epoch), "%s", r->epoch);
	fed_users_update(b);
	if (b->online)
		fed_msg_board_online(b->name);
}

/* A user's presence. */
static void
fed_on_presence(const struct fed_rec *r)
{
	struct fed_board *b;
	struct fed_user *u;

	if (strcmp(r->board, F.board) == 0) {
		fed_own_presence(r);
		return;
	}
	if ((b = fed_board_get(r->board, r->online)) == NULL ||
	    (u = fed_user_get(b, r->user, r->online)) == NULL)
		return;
	u->present = r->online;
	if (r->online) {
		if (u->shown && strcmp(u->epoch, r->epoch) != 0) {
			u->present = false;	/* off with the old epoch */
			fed_user_update(u);
			u->present = true;
		}
		snprintf(u->epoch, sizeof(u->epoch), "%s", r->epoch);
		snprintf(u->ip, sizeof(u->ip), "%s", r->ip);
		u->udp = r->udp;
		u->login_time = (time_t)r->time;
	}
	fed_user_update(u);
}

/* A short, printable sample of bad input for the log. */
static void
fed_sample(char *out, size_t len, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < len && i < 60; i++)
		o += (size_t)snprintf(out + o, len - o, b[i] >= 0x20 &&
		    b[i] < 0x7f ? "%c" : "\\x%02x", b[i]);
	out[o] = '\0';
}

/* A message from the broker. */
static void
fed_on_message(const char *topic, const void *payload, size_t len)
{
	struct fed_rec *r;
	enum fed_err e;
	char sample[320], tsample[320];

	if ((r = malloc(sizeof(*r))) == NULL) {
		log_warnx("federation: out of memory; a record is dropped");
		return;
	}
	e = fed_decode(F.prefix, topic, payload, len, r);
	if (e != FED_OK) {
		fed_sample(sample, sizeof(sample), payload, len);
		fed_sample(tsample, sizeof(tsample), topic, strlen(topic));
		log_warnx("federation: ignored a record on %s: %s: \"%s\"",
		    tsample, fed_strerror(e), sample);
		free(r);
		return;
	}
	switch (r->kind) {
	case FED_K_BOARD:
		fed_on_board(r);
		break;
	case FED_K_PRESENCE:
		fed_on_presence(r);
		break;
	case FED_K_DM:
		if (strcmp(r->dest, F.board) == 0 &&
		    strcmp(r->board, F.board) != 0)
			fed_msg_on_dm(r);
		break;
	case FED_K_ACK:
		if (strcmp(r->dest, F.board) == 0 &&
		    strcmp(r->board, F.board) != 0)
			fed_msg_on_ack(r);
		break;
	case FED_K_DMB:
		if (strcmp(r->dest, F.board) == 0 &&
		    strcmp(r->board, F.board) != 0)
			fed_on_batch(r, payload, len);
		break;
	case FED_K_BCAST:
		if (strcmp(r->board, F.board) != 0)
			fed_msg_on_bcast(r);
		break;
	case FED_K_FEAT:
		fed_on_feat(r);
		break;
	case FED_K_EDGE:
	case FED_K_NKINDS:
		break;
	}
	free(r);
}

/* Before each connection: a new epoch and the last will that ends it. */
static void
fed_on_connecting(const char **topic, const char **payload)
{
	struct fed_rec r;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(F.epoch, sizeof(F.epoch), "%llx%x%x",
	    (unsigned long long)ts.tv_sec, (unsigned)(ts.tv_nsec / 1000),
	    ++F.nconnect);
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_BOARD;
	snprintf(r.board, sizeof(r.board), "%s", F.board);
	snprintf(r.epoch, sizeof(r.epoch), "%s", F.epoch);
	fed_topic(F.will_topic, sizeof(F.will_topic), F.prefix, FED_K_BOARD,
	    F.board, NULL);
	if (fed_encode(&r, F.will, sizeof(F.will)) == -1)
		F.will[0] = '\0';
	*topic = F.will_topic;
	*payload = F.will;
}

/* Subscribe to "PREFIX/v1/KIND/rest". */
static void
fed_subscribe(const char *kind, const char *rest)
{
	char pat[FED_TOPIC_MAX];

	snprintf(pat, sizeof(pat), "%s/v1/%s/%s", F.prefix, kind, rest);
	if (fed_link_subscribe(pat, 1) == -1)
		log_warnx("federation: cannot subscribe to %s", pat);
}

/* Connected: subscribe, say we are online, republish our users. */
static void
fed_on_up(void)
{
	struct session *s;
	struct fed_rec r;
	char mine[PROTO_BOARD_MAX + 3];

	F.down_ms = 0;
	F.grace_over = false;
	snprintf(mine, sizeof(mine), "%s/+", F.board);
	/* Features before boards: a board's FEAT is known when it shows
	   online (retained messages come in the order of the subscriptions). */
	fed_subscribe("feat", "+");
	fed_subscribe("board", "+");
	fed_subscribe("presence", "+/+");
	fed_subscribe("dm", mine);
	fed_subscribe("dmb", mine);
	fed_subscribe("ack", mine);
	fed_subscribe("bcast", "+");
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_FEAT;
	r.feat = FED_FEAT_DMB;
	snprintf(r.epoch, sizeof(r.epoch), "%s", F.epoch);
	fed_publish(&r, NULL, 1, true);
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_BOARD;
	r.online = true;
	snprintf(r.epoch, sizeof(r.epoch), "%s", F.epoch);
	fed_publish(&r, NULL, 1, true);
	TAILQ_FOREACH(s, &F.srv->active, active_entry)
		if (!conn_closing(s->conn))
			fed_user_online(s);
	fed_msg_up();
}

/* The link is gone: remote users stay listed for the grace period. */
static void
fed_on_down(void)
{
	F.down_ms = mono_now_ms();
	fed_msg_down();
}

/* The board's name: the setting, else the host name. */
static int
fed_pick_board(const struct config *cfg)
{
	char host[256];

	if (cfg->fed_board[0] != '\0') {
		snprintf(F.board, sizeof(F.board), "%s", cfg->fed_board);
		return 0;
	}
	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (!proto_valid_board(host)) {
		log_errorx("federation: the host name \"%s\" is not a board "
		    "name; set [federation] board", host);
		return -1;
	}
	snprintf(F.board, sizeof(F.board), "%s", host);
	return 0;
}

/* Start federating when a broker is configured. */
int
fed_init(struct server *srv)
{
	static const struct fed_link_cb cb = {
		.connecting = fed_on_connecting,
		.up = fed_on_up,
		.down = fed_on_down,
		.message = fed_on_message,
	};
	const struct config *cfg = &srv->cfg;
	char err[CONFIG_ERR_MAX], id[PROTO_BOARD_MAX + 8];

	memset(&F, 0, sizeof(F));
	F.srv = srv;
	if (cfg->fed_broker[0] == '\0')
		return 0;
	if (fed_pick_board(cfg) == -1)
		return -1;
	snprintf(F.prefix, sizeof(F.prefix), "%s", cfg->fed_prefix);
	if ((F.users = calloc(FED_USERS_MAX, sizeof(*F.users))) == NULL) {
		log_errorx("federation: out of memory");
		return -1;
	}
	if (fed_msg_init(srv) == -1)
		return -1;
	snprintf(id, sizeof(id), "fs-%s", F.board);
	if (fed_link_start(srv->loop, cfg, id, &cb, err, sizeof(err)) == -1) {
		log_errorx("federation: %s", err);
		return -1;
	}
	F.on = true;
	log_info("federation: board %s, broker %s, topics under %s/v1/",
	    F.board, cfg->fed_broker, F.prefix);
	return 0;
}

/* Once per pass: the link, the grace period, the outbox. */
int
fed_pass(struct server *srv)
{
	int64_t now = mono_now_ms(), grace;
	int t, m;
	size_t i;

	if (!F.on)
		return -1;
	/* Publish first (acknowledgements, the outbox), then the link
	   writes it in the same pass. */
	m = fed_msg_pass(now);
	t = fed_link_pass(now);
	grace = (int64_t)srv->cfg.fed_keepalive * 1500;
	if (F.down_ms != 0 && !F.grace_over) {
		if (now - F.down_ms >= grace) {
			F.grace_over = true;
			log_info("federation: broker gone for %lld ms; remote "
			    "users leave the lists", (long long)grace);
			for (i = 0; i < F.nboards; i++)
				F.boards[i].online = false;
			fed_users_update(NULL);
		} else if (t == -1 || t > grace - (now - F.down_ms))
			t = (int)(grace - (now - F.down_ms));
	}
	if (m != -1 && (t == -1 || m < t))
		t = m;
	return t;
}

/* Record the live remote deliveries just sent (conn_send_ready()), so that
   a crash repeats at most what those sends showed. */
void
fed_pass_sent(void)
{
	if (F.on)
		fed_msg_pass_sent();
}

/* After the pass's output was sent. */
void
fed_pass_end(void)
{
	if (F.on) {
		fed_msg_pass_end();
		/* What handlers published goes out before the loop waits. */
		fed_link_flush();
	}
}

/* Leave: our users log out, the board says it is offline. */
void
fed_stop(struct server *srv)
{
	struct fed_rec r;

	if (!F.on)
		return;
	if (fed_link_up()) {
		memset(&r, 0, sizeof(r));
		r.kind = FED_K_BOARD;
		snprintf(r.epoch, sizeof(r.epoch), "%s", F.epoch);
		fed_publish(&r, NULL, 1, true);
	}
	fed_link_stop();
	fed_msg_free();
	free(F.users);
	F.users = NULL;
	F.on = false;
}

/* A local user logged in: a retained presence record. */
void
fed_user_online(struct session *s)
{
	struct fed_rec r;

	if (!F.on || !fed_link_up())
		return;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_PRESENCE;
	r.online = true;
	snprintf(r.epoch, sizeof(r.epoch), "%s", F.epoch);
	snprintf(r.user, sizeof(r.user), "%s", s->name);
	snprintf(r.ip, sizeof(r.ip), "%s", conn_ip(s->conn));
	r.udp = s->udp_port;
	r.time = (long long)s->login_time;
	fed_publish(&r, s->name, 1, true);
}

/* A local user logged out: its record is cleared. */
void
fed_user_offline(struct session *s)
{
	struct fed_rec r;

	if (!F.on || !fed_link_up())
		return;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_PRESENCE;
	fed_publish(&r, s->name, 1, true);
}

/* Every remote user known. */
void
fed_users_each(void (*fn)(const struct fed_user_view *u, void *arg),
    void *arg)
{
	struct fed_user_view v;
	size_t i;

	for (i = 0; i < F.nusers; i++) {
		const struct fed_user *u = &F.users[i];

		if (!u->shown && u->last_seen_ms == 0)
			continue;
		snprintf(v.addr, sizeof(v.addr), "%s@%s", u->name,
		    u->board->name);
		v.ip = u->ip;
		v.udp = u->udp;
		v.login_time = u->login_time;
		v.online = u->shown;
		v.last_seen = u->last_seen;
		v.last_seen_ms = u->last_seen_ms;
		fn(&v, arg);
	}
}

/* True when addr (USER@BOARD) is online. */
bool
fed_remote_online(const char *addr)
{
	char user[PROTO_USER_MAX + 1], board[PROTO_BOARD_MAX + 1];
	struct fed_board *b;
	struct fed_user *u;

	if (fed_split_addr(addr, user, board) == -1 ||
	    (b = fed_board_get(board, false)) == NULL ||
	    (u = fed_user_get(b, user, false)) == NULL)
		return false;
	return u->shown;
}

/* What a name in a command means (see fed.h). */
enum fed_resolve
fed_resolve(struct cmd_ctx *ctx, const char *name, const char *what,
    struct account **acct, char *addr)
{
	char user[PROTO_USER_MAX + 1], board[PROTO_BOARD_MAX + 1];
	char list[512];
	size_t i, n = 0, o = 0;

	if (fed_split_addr(name, user, board) == 0) {
		if (F.on && strcmp(board, F.board) == 0)
			name = user;
		else if (!F.on) {
			cmd_err(ctx, PROTO_E_NOUSER, "no such user: %s (this "
			    "board is not federated)", name);
			return FED_R_ERROR;
		} else {
			snprintf(addr, PROTO_ADDR_MAX + 1, "%s", name);
			return FED_R_REMOTE;
		}
	}
	if (!F.on || (proto_valid_user(name) &&
	    accounts_find(F.srv->accounts, name) != NULL)) {
		*acct = cmd_other_user(ctx, name, what);
		return *acct != NULL ? FED_R_LOCAL : FED_R_ERROR;
	}
	list[0] = '\0';
	for (i = 0; proto_valid_user(name) && i < F.nusers; i++) {
		const struct fed_user *u = &F.users[i];

		if (!u->shown || strcmp(u->name, name) != 0)
			continue;
		if (n++ == 0)
			snprintf(addr, PROTO_ADDR_MAX + 1, "%s@%s", u->name,
			    u->board->name);
		if (o < sizeof(list) - PROTO_ADDR_MAX - 3)
			o += (size_t)snprintf(list + o, sizeof(list) - o,
			    "%s%s@%s", o ? ", " : "", u->name, u->board->name);
	}
	if (n == 1)
		return FED_R_REMOTE;
	if (n == 0)
		cmd_err(ctx, PROTO_E_NOUSER, "no such user: %s", name);
	else
		cmd_err(ctx, PROTO_E_NOUSER, "%s is online on %zu boards: %s; "
		    "say which (USER@BOARD)", name, n, list);
	return FED_R_ERROR;
}
