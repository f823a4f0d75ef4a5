/*
 * cmd_p2p.c - the server's part of peer to peer: it introduces two clients
 * and never carries their data.
 *
 *   SENDFILE USER SIZE NAME   the sender learns the receiver's address,
 *                             UDP port and a fresh transfer id and secret;
 *                             the receiver gets "* FILEOFFER" with the
 *                             sender's address, the same id and secret.
 *   PRIVREQ USER              USER is asked ("* PRIVASK FROM SECRET").
 *   PRIVANSWER USER yes PORT  the requester gets "* PRIVREPLY ... yes" with
 *   PRIVANSWER USER no        the answerer's address and port, or "no".
 *   PRIVSTOP USER             the peer gets "* PRIVEND ME stopped".
 *
 * The server remembers private chats (asked or running) in a small bounded
 * table, so that when one side logs out, times out or drops, the other is
 * told with "* PRIVEND" even if their direct connection lingers.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "log.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"

/*
 * Private chats (asked or running) one user takes part in, either side;
 * over: ERR limit for that user only.  The server-wide table holds
 * CMD_P2P_PRIV_MAX, enough for 1,024 users online each at that cap, so a few
 * accounts can no longer fill it for everyone.
 */
#define CMD_P2P_PRIV_PER_USER	16
#define CMD_P2P_PRIV_MAX	(1024 * CMD_P2P_PRIV_PER_USER / 2)

enum cmd_p2p_priv_state {
	CMD_P2P_PRIV_FREE = 0,
	CMD_P2P_PRIV_ASKED,		/* PRIVASK sent, no answer yet */
	CMD_P2P_PRIV_OPEN,		/* accepted: the clients talk directly */
};

struct cmd_p2p_priv {
	enum cmd_p2p_priv_state	 state;
	char			 from[PROTO_USER_MAX + 1];	/* requester */
	char			 to[PROTO_USER_MAX + 1];	/* asked */
	char			 secret[PROTO_SECRET_HEX + 1];
};

static struct cmd_p2p_priv	 cmd_p2p_privs[CMD_P2P_PRIV_MAX];
static unsigned long		 cmd_p2p_next_xid;

/* Fill hex with a fresh 128-bit secret; 0, or -1 when no randomness. */
static int
cmd_p2p_secret(char hex[PROTO_SECRET_HEX + 1])
{
	unsigned char raw[PROTO_SECRET_HEX / 2];
	size_t got = 0, i;
	ssize_t r;

	while (got < sizeof(raw)) {
		r = getrandom(raw + got, sizeof(raw) - got, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("getrandom");
			return -1;
		}
		got += (size_t)r;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/*
 * The online account named by a peer-to-peer command, after the common
 * checks (no such user, self, blocked by them, offline); NULL after
 * replying.
 */
static struct account *
cmd_p2p_peer(struct cmd_ctx *ctx, const char *name, const char *what)
{
	struct account *to;

	if ((to = cmd_other_user(ctx, name, what)) == NULL)
		return NULL;
	if (blocks_has(ctx->srv->state->blocks, to->name, ctx->s->name)) {
		cmd_err(ctx, PROTO_E_DENIED, "%s has blocked you", to->name);
		return NULL;
	}
	if (!cmd_online(to)) {
		cmd_err(ctx, PROTO_E_OFFLINE, "%s is offline", to->name);
		return NULL;
	}
	return to;
}

/* True when a file name offered is one plain name (no '/', not . or ..). */
static bool
cmd_p2p_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= PROTO_FILENAME_MAX && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* SENDFILE USER SIZE NAME */
void
cmd_sendfile(struct cmd_ctx *ctx)
{
	struct account *to;
	struct session *r;
	const char *name = ctx->argv[2];
	char secret[PROTO_SECRET_HEX + 1], ev[PROTO_LINE_MAX + 1];
	long long size;
	unsigned long xid;
	int n;

	if (proto_parse_int(ctx->argv[1], 0, 0x7fffffffffffffffLL, &size) ==
	    -1) {
		cmd_err(ctx, PROTO_E_ARGS, "SIZE must be a byte count");
		return;
	}
	if (!cmd_p2p_name_ok(name)) {
		cmd_err(ctx, PROTO_E_ARGS, "NAME must be a file name of 1 to %d "
		    "bytes without '/'", PROTO_FILENAME_MAX);
		return;
	}
	if ((to = cmd_p2p_peer(ctx, ctx->argv[0], "send a file to")) == NULL)
		return;
	r = to->session;
	if (r->udp_port <= 0 || ctx->s->udp_port <= 0) {
		cmd_err(ctx, PROTO_E_STATE, "%s has no UDP port for files",
		    r->udp_port <= 0 ? to->name : "your client");
		return;
	}
	if (cmd_p2p_secret(secret) == -1) {
		cmd_err(ctx, PROTO_E_IO, "no randomness for a secret");
		return;
	}
	/* Ids only need to be unique per client; the secret does the rest. */
	xid = ++cmd_p2p_next_xid & 0xffffffffUL;
	if (xid == 0)
		xid = cmd_p2p_next_xid = 1;
	if ((n = proto_ev_fileoffer_encode(ev, sizeof(ev), ctx->s->name, xid,
	    size, conn_ip(ctx->s->conn), ctx->s->udp_port, secret, name)) > 0)
		conn_write(r->conn, ev, (size_t)n);
	/* It fits: the fields are bounded, ev holds a whole line. */
	proto_ev_fileok_encode(ev, sizeof(ev), xid, conn_ip(r->conn),
	    r->udp_port, secret);
	cmd_ok(ctx, "%s", ev);
	snprintf(ctx->note, sizeof(ctx->note), "file %lu to %s, %lld bytes",
	    xid, to->name, size);
	explicit_bzero(secret, sizeof(secret));
}

/* The private chat between a and b (either way round), or NULL. */
static struct cmd_p2p_priv *
cmd_p2p_priv_find(const char *a, const char *b)
{
	struct cmd_p2p_priv *p;
	size_t i;

	for (i = 0; i < CMD_P2P_PRIV_MAX; i++) {
		p = &cmd_p2p_privs[i];
		if (p->state == CMD_P2P_PRIV_FREE)
			continue;
		if ((strcmp(p->from, a) == 0 && strcmp(p->to, b) == 0) ||
		    (strcmp(p->from, b) == 0 && strcmp(p->to, a) == 0))
			return p;
	}
	return NULL;
}

/* Forget a private chat. */
static void
cmd_p2p_priv_free(struct cmd_p2p_priv *p)
{
	explicit_bzero(p, sizeof(*p));
}

/* Private chats (asked or running) that name takes part in. */
static int
cmd_p2p_priv_count(const char *name)
{
	const struct cmd_p2p_priv *p;
	size_t i;
	int n = 0;

	for (i = 0; i < CMD_P2P_PRIV_MAX; i++) {
		p = &cmd_p2p_privs[i];
		if (p->state != CMD_P2P_PRIV_FREE && (strcmp(p->from, name) == 0 ||
		    strcmp(p->to, name) == 0))
			n++;
	}
	return n;
}

/* PRIVREQ USER */
void
cmd_privreq(struct cmd_ctx *ctx)
{
	struct account *to;
	struct cmd_p2p_priv *p = NULL;
	char ev[PROTO_LINE_MAX + 1];
	size_t i;
	int n;

	if ((to = cmd_p2p_peer(ctx, ctx->argv[0], "chat privately with")) ==
	    NULL)
		return;
	if ((p = cmd_p2p_priv_find(ctx->s->name, to->name)) != NULL) {
		cmd_err(ctx, PROTO_E_EXISTS, "a private chat with %s is %s "
		    "already", to->name, p->state == CMD_P2P_PRIV_OPEN ? "running" :
		    "being asked for");
		return;
	}
	if (cmd_p2p_priv_count(ctx->s->name) >= CMD_P2P_PRIV_PER_USER) {
		cmd_err(ctx, PROTO_E_LIMIT, "you take part in %d private chats "
		    "(asked or running), the most one user may; stop one "
		    "first", CMD_P2P_PRIV_PER_USER);
		return;
	}
	if (cmd_p2p_priv_count(to->name) >= CMD_P2P_PRIV_PER_USER) {
		cmd_err(ctx, PROTO_E_LIMIT, "%s takes part in %d private chats "
		    "(asked or running), the most one user may; try again later",
		    to->name, CMD_P2P_PRIV_PER_USER);
		return;
	}
	for (i = 0; i < CMD_P2P_PRIV_MAX && p == NULL; i++)
		if (cmd_p2p_privs[i].state == CMD_P2P_PRIV_FREE)
			p = &cmd_p2p_privs[i];
	if (p == NULL) {
		cmd_err(ctx, PROTO_E_LIMIT, "too many private chats on this "
		    "server; try again later");
		return;
	}
	if (cmd_p2p_secret(p->secret) == -1) {
		cmd_err(ctx, PROTO_E_IO, "no randomness for a secret");
		return;
	}
	p->state = CMD_P2P_PRIV_ASKED;
	snprintf(p->from, sizeof(p->from), "%s", ctx->s->name);
	snprintf(p->to, sizeof(p->to), "%s", to->name);
	if ((n = proto_ev_privask_encode(ev, sizeof(ev), p->from,
	    p->secret)) > 0)
		conn_write(to->session->conn, ev, (size_t)n);
	cmd_ok(ctx, "Asked %s for a private chat; waiting for the answer",
	    to->name);
}

/* PRIVANSWER USER yes PORT | PRIVANSWER USER no */
void
cmd_privanswer(struct cmd_ctx *ctx)
{
	struct cmd_p2p_priv *p;
	struct account *from;
	const char *who = ctx->argv[0], *ans = ctx->argv[1];
	long long port = 0;
	bool yes = strcmp(ans, "yes") == 0;
	char ev[PROTO_LINE_MAX + 1];
	int n;

	if ((!yes && strcmp(ans, "no") != 0) || (yes && (ctx->argc != 3 ||
	    proto_parse_int(ctx->argv[2], 1, 65535, &port) == -1)) ||
	    (!yes && ctx->argc != 2)) {
		cmd_err(ctx, PROTO_E_ARGS, "usage: PRIVANSWER USER yes PORT | "
		    "PRIVANSWER USER no");
		return;
	}
	p = cmd_p2p_priv_find(who, ctx->s->name);
	if (p == NULL || p->state != CMD_P2P_PRIV_ASKED ||
	    strcmp(p->to, ctx->s->name) != 0) {
		cmd_err(ctx, PROTO_E_NOTFOUND, "%s has not asked you for a "
		    "private chat", who);
		return;
	}
	from = accounts_find(ctx->srv->accounts, p->from);
	if (from == NULL || !cmd_online(from)) {
		cmd_p2p_priv_free(p);
		cmd_err(ctx, PROTO_E_OFFLINE, "%s is offline", who);
		return;
	}
	if ((n = proto_ev_privreply_encode(ev, sizeof(ev), ctx->s->name, yes,
	    conn_ip(ctx->s->conn), (int)port, p->secret)) > 0)
		conn_write(from->session->conn, ev, (size_t)n);
	if (!yes) {
		cmd_p2p_priv_free(p);
		cmd_ok(ctx, "Private chat with %s declined", who);
		return;
	}
	p->state = CMD_P2P_PRIV_OPEN;
	cmd_ok(ctx, "Private chat with %s accepted", who);
}

/* PRIVSTOP USER */
void
cmd_privstop(struct cmd_ctx *ctx)
{
	struct cmd_p2p_priv *p;
	struct account *peer;
	const char *other;
	char ev[PROTO_LINE_MAX + 1];
	int n;

	p = cmd_p2p_priv_find(ctx->s->name, ctx->argv[0]);
	if (p == NULL) {
		cmd_err(ctx, PROTO_E_NOTFOUND, "no private chat with %s",
		    ctx->argv[0]);
		return;
	}
	other = strcmp(p->from, ctx->s->name) == 0 ? p->to : p->from;
	peer = accounts_find(ctx->srv->accounts, other);
	if (peer != NULL && cmd_online(peer) && (n = proto_ev_privend_encode(ev,
	    sizeof(ev), ctx->s->name, "stopped")) > 0)
		conn_write(peer->session->conn, ev, (size_t)n);
	cmd_ok(ctx, "Private chat with %s stopped", other);
	cmd_p2p_priv_free(p);
}

/*
 * A logged-in session ends (logout, idle timeout, lost): every private
 * chat it had, asked or running, ends and the peer is told why.
 */
void
cmd_p2p_session_closed(struct session *s, const char *why)
{
	struct cmd_p2p_priv *p;
	struct account *peer;
	const char *other;
	char ev[PROTO_LINE_MAX + 1];
	size_t i;
	int n;

	for (i = 0; i < CMD_P2P_PRIV_MAX; i++) {
		p = &cmd_p2p_privs[i];
		if (p->state == CMD_P2P_PRIV_FREE || (strcmp(p->from, s->name) != 0 &&
		    strcmp(p->to, s->name) != 0))
			continue;
		other = strcmp(p->from, s->name) == 0 ? p->to : p->from;
		peer = accounts_find(s->srv->accounts, other);
		/* A peer logged out in the same pass (both idle timeouts
		   due at once) is told too: its output still goes out. */
		if (peer != NULL && peer->session != NULL &&
		    peer->session != s) {
			if (p->state == CMD_P2P_PRIV_ASKED && strcmp(p->from,
			    s->name) != 0)
				n = proto_ev_privreply_encode(ev, sizeof(ev),
				    s->name, false, NULL, 0, NULL);
			else
				n = proto_ev_privend_encode(ev, sizeof(ev),
				    s->name, why);
			if (n > 0)
				conn_write(peer->session->conn, ev, (size_t)n);
		}
		cmd_p2p_priv_free(p);
	}
}
