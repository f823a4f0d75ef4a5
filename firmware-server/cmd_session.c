/*
 * cmd_session.c - HELLO, LOGIN, PASS, REGISTER, LOGOUT, PING: the way in
 * and out.  Each handler checks first and acts after.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "mono.h"
#include "accounts.h"
#include "cmd.h"
#include "conn.h"
#include "hasher.h"
#include "lockout.h"
#include "log.h"
#include "server.h"
#include "session.h"

#define MSG_BLOCKED	"Your account is blocked due to multiple login " \
			"failures. Please try again later"
#define MSG_NOW_BLOCKED	"Invalid password. Your account has been blocked. " \
			"Please try again later"
#define MSG_BAD_PASS	"Invalid password. Please try again"
#define MSG_ADDR_BLOCKED "Too many failed logins from your address. " \
			"Please try again later"

/* HELLO VERSION */
void
cmd_hello(struct cmd_ctx *ctx)
{
	long long v;

	if (proto_parse_int(ctx->argv[0], 0, 1000000, &v) == -1 ||
	    v != PROTO_VERSION) {
		cmd_err(ctx, PROTO_E_VERSION, "this server speaks protocol %d "
		    "only", PROTO_VERSION);
		session_end(ctx->s, SESS_OFF_LOST, NULL, NULL);
		return;
	}
	session_enter_state(ctx->s, SESS_USER);
	cmd_ok(ctx, "firmware-server protocol %d", PROTO_VERSION);
}

/* The failure record of a name: its account's, or the unknown-name table's. */
static struct lockout *
cmd_lockout_of(struct server *srv, struct account *acct, const char *name,
    bool create)
{
	if (acct != NULL)
		return &acct->lock;
	return lockout_table_get(srv->unknown, name, mono_now_ms(), create);
}

/* The failure record of the session's address; NULL when that is off. */
static struct lockout *
cmd_address_lockout(struct cmd_ctx *ctx, bool create)
{
	struct server *srv = ctx->srv;
	struct lockout *lk;
	int64_t now = mono_now_ms();

	if (srv->cfg.address_attempts == 0)
		return NULL;
	lk = lockout_table_get(srv->addresses, conn_ip(ctx->s->conn), now,
	    create);
	if (lk != NULL)
		lockout_decay(lk, (int64_t)srv->cfg.address_block_seconds * 1000,
		    now);
	return lk;
}

/*
 * Seconds (rounded up) a block has left.  The generations' sentences stay
 * word for word; the " (in N s)" after them is ours, so that a user knows
 * how long to wait.
 */
static long long
cmd_block_left_s(const struct lockout *lk)
{
	return (lockout_remaining_ms(lk, mono_now_ms()) + 999) / 1000;
}

/*
 * Why the session may not log in now, or NULL: its address or its name
 * is blocked (*left_s: for how many more seconds).  Checked when PASS
 * arrives, again when its turn in the gate comes and again when its hash
 * comes back, so that attempts that overlap end as if they had come one
 * by one.
 */
static const char *
cmd_login_refusal(struct cmd_ctx *ctx, struct account *acct,
    const char *name, long long *left_s)
{
	struct lockout *lk = cmd_address_lockout(ctx, false);

	if (lk != NULL && lockout_blocked(lk, mono_now_ms())) {
		*left_s = cmd_block_left_s(lk);
		return MSG_ADDR_BLOCKED;
	}
	lk = cmd_lockout_of(ctx->srv, acct, name, false);
	if (lk != NULL && lockout_blocked(lk, mono_now_ms())) {
		*left_s = cmd_block_left_s(lk);
		return MSG_BLOCKED;
	}
	return NULL;
}

/* True (after replying) when the session may not log in now. */
static bool
cmd_refuse_login(struct cmd_ctx *ctx, struct account *acct, const char *name)
{
	long long left_s = 0;
	const char *why = cmd_login_refusal(ctx, acct, name, &left_s);

	if (why == NULL)
		return false;
	session_enter_state(ctx->s, SESS_USER);
	cmd_err(ctx, PROTO_E_BLOCKED, "%s (in %lld s)", why, left_s);
	return true;
}

/* LOGIN USER [UDPPORT] */
void
cmd_login(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct account *acct;
	const char *name = ctx->argv[0];
	long long port = 0;

	if (!proto_valid_user(name)) {
		cmd_err(ctx, PROTO_E_ARGS, "a user name is 1 to %d letters, "
		    "digits, '.', '_' or '-'", PROTO_USER_MAX);
		return;
	}
	if (ctx->argc > 1 && proto_parse_int(ctx->argv[1], 0, 65535, &port)) {
		cmd_err(ctx, PROTO_E_ARGS, "UDPPORT must be 0 to 65535");
		return;
	}
	acct = accounts_find(ctx->srv->accounts, name);
	if (cmd_refuse_login(ctx, acct, name))
		return;
	/* A name already online is told only after the right password
	   (cmd_pass_result()), so LOGIN does not tell who is online. */
	strcpy(s->name, name);
	s->udp_port = (int)port;
	if (acct == NULL && ctx->srv->cfg.registration) {
		session_enter_state(s, SESS_REGISTER);
		cmd_ok(ctx, "register New user %s: choose a password", name);
		return;
	}
	/* With registration off an unknown name is treated like any other,
	   so the reply does not tell whether the name exists. */
	session_enter_state(s, SESS_PASSWORD);
	cmd_ok(ctx, "password Enter your password");
}

/* PASS once the password is checked: log in, or count the failure. */
static void
cmd_pass_result(struct cmd_ctx *ctx, struct account *acct, bool ok)
{
	struct session *s = ctx->s;
	struct server *srv = ctx->srv;
	struct lockout *lk;

	if (acct != NULL && ok) {
		if (acct->session != NULL) {
			session_enter_state(s, SESS_USER);
			cmd_err(ctx, PROTO_E_INUSE, "%s is already logged in",
			    s->name);
			return;
		}
		session_login(s, acct);
		cmd_ok(ctx, "Welcome %s", s->name);
		session_idle_notice(s);
		cmd_deliver_offline(s);
		return;
	}
	if ((lk = cmd_address_lockout(ctx, true)) != NULL &&
	    lockout_fail(lk, srv->cfg.address_attempts,
	    (int64_t)srv->cfg.address_block_seconds * 1000, mono_now_ms()))
		log_warnx("[%s]: %d failed logins, address refused for %d s",
		    conn_ip(s->conn), srv->cfg.address_attempts,
		    srv->cfg.address_block_seconds);
	lk = cmd_lockout_of(srv, acct, s->name, true);
	if (lk != NULL && lockout_fail(lk, srv->cfg.attempts,
	    (int64_t)srv->cfg.block_seconds * 1000, mono_now_ms())) {
		log_info("%s: %d failed logins, blocked for %d s", s->name,
		    srv->cfg.attempts, srv->cfg.block_seconds);
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_BLOCKED, "%s (in %lld s)",
		    MSG_NOW_BLOCKED, cmd_block_left_s(lk));
		return;
	}
	cmd_err(ctx, PROTO_E_AUTH, MSG_BAD_PASS);
}

/*
 * The gate in front of the hasher.  A PASS or REGISTER that needs a hash
 * waits on srv->auth_wait until no other hash of its name and none of its
 * address is in flight (and fewer than CMD_AUTH_INFLIGHT are), then goes
 * to the hasher from srv->auth_busy.  So attempts on one name, or from one
 * address, are checked one at a time, in the order they came, each seeing
 * the failures (and blocks) of the ones before: 60 PASS sent at once fare
 * exactly as 60 sent one after another.  Distinct names from distinct
 * addresses still overlap.
 */
#define CMD_AUTH_INFLIGHT	4	/* hashes handed to the hasher at once */
#define CMD_REG_PENDING_MAX	8	/* registrations waiting or hashing */
#define CMD_REG_WINDOW_MS	(3600 * 1000)

/* Where a PASS or REGISTER is in the gate. */
enum cmd_auth_state {
	CMD_AUTH_NONE,
	CMD_AUTH_WAITING,	/* on srv->auth_wait */
	CMD_AUTH_HASHING,	/* on srv->auth_busy, the hasher has it */
};

/* What the gate keeps for a session (s->auth), made at its first PASS or
   REGISTER and freed when the session ends. */
struct cmd_auth {
	struct session		*s;
	enum cmd_auth_state	 state;
	bool			 reg;		/* it is a REGISTER */
	char			*secret;	/* its password while waiting */
	unsigned		 job;		/* the hasher's, or 0 */
	TAILQ_ENTRY(cmd_auth)	 entry;		/* srv->auth_wait or auth_busy */
};

static void	cmd_auth_pump(struct server *srv);

/* A yescrypt setting (salt) for unknown names, made once. */
static const char *
cmd_dummy_setting(void)
{
	static char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (setting[0] == '\0' && crypt_gensalt_rn("$y$", 0, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		setting[0] = '\0';	/* then a new salt every time */
	return setting;
}

/* True while a hash of s's name or from s's address is in flight. */
static bool
cmd_auth_busy(struct server *srv, const struct session *s)
{
	const struct cmd_auth *o;

	TAILQ_FOREACH(o, &srv->auth_busy, entry)
		if (strcmp(o->s->name, s->name) == 0 ||
		    strcmp(conn_ip(o->s->conn), conn_ip(s->conn)) == 0)
			return true;
	return false;
}

/* Forget the password that waited. */
static void
cmd_auth_wipe(struct session *s)
{
	struct cmd_auth *a = s->auth;

	if (a != NULL && a->secret != NULL) {
		explicit_bzero(a->secret, strlen(a->secret));
		free(a->secret);
		a->secret = NULL;
	}
}

/* s leaves the gate (waiting or hashing). */
static void
cmd_auth_leave(struct session *s)
{
	struct server *srv = s->srv;
	struct cmd_auth *a = s->auth;

	if (a->state == CMD_AUTH_WAITING)
		TAILQ_REMOVE(&srv->auth_wait, a, entry);
	else if (a->state == CMD_AUTH_HASHING) {
		TAILQ_REMOVE(&srv->auth_busy, a, entry);
		srv->nauth_busy--;
	}
	if (a->state != CMD_AUTH_NONE && a->reg)
		srv->nreg_pending--;
	a->state = CMD_AUTH_NONE;
	a->job = 0;
	cmd_auth_wipe(s);
}

/* Queue the request in ctx (PASS, or REGISTER when reg) for the gate. */
static void
cmd_auth_enqueue(struct cmd_ctx *ctx, bool reg)
{
	struct session *s = ctx->s;
	struct server *srv = ctx->srv;
	struct cmd_auth *a = s->auth;

	if (a == NULL && (a = s->auth = calloc(1, sizeof(*a))) != NULL)
		a->s = s;
	if (a == NULL || (a->secret = strdup(ctx->argv[0])) == NULL) {
		cmd_err(ctx, PROTO_E_IO, "out of memory; try again later");
		return;
	}
	cmd_reply_later(ctx);
	a->reg = reg;
	a->state = CMD_AUTH_WAITING;
	TAILQ_INSERT_TAIL(&srv->auth_wait, a, entry);
	if (reg)
		srv->nreg_pending++;
	cmd_auth_pump(srv);
}

/* Hand s's password to the hasher; cb answers. */
static void
cmd_auth_hash(struct session *s, const char *setting, hasher_cb *cb)
{
	struct server *srv = s->srv;
	struct cmd_auth *a = s->auth;
	char *secret = a->secret;

	a->secret = NULL;
	a->state = CMD_AUTH_HASHING;
	TAILQ_INSERT_TAIL(&srv->auth_busy, a, entry);
	srv->nauth_busy++;
	if (a->reg)
		srv->nreg_pending++;
	/* Without a child, cb runs (and s leaves the gate) before this
	   returns. */
	a->job = hasher_submit(setting, secret, cb, s);
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

/* Checks made once more on a REGISTER when its hash comes back too. */
static bool
cmd_refuse_register(struct cmd_ctx *ctx);

/* The hasher's answer to PASS (the account is looked up again: a reload
   may have changed it meanwhile; so may the blocks). */
static void
cmd_pass_hashed(void *arg, const char *hash)
{
	struct session *s = arg;
	struct server *srv = s->srv;
	struct session_mark m;
	struct cmd_ctx ctx;
	struct account *acct;

	cmd_auth_leave(s);
	if (cmd_resume(&ctx, s, "PASS", &m)) {
		acct = accounts_find(srv->accounts, s->name);
		if (!cmd_refuse_login(&ctx, acct, s->name))
			cmd_pass_result(&ctx, acct, acct != NULL &&
			    accounts_hash_matches(acct, hash));
		cmd_resumed(&ctx, &m);
	}
	cmd_auth_pump(srv);
}

/* The hasher's answer to REGISTER: store the account and log in. */
static void
cmd_register_hashed(void *arg, const char *hash)
{
	struct session *s = arg;
	struct server *srv = s->srv;
	struct session_mark m;
	struct cmd_ctx ctx;
	struct account *acct = NULL;
	struct lockout *lk;
	char err[256] = "cannot hash the password";

	cmd_auth_leave(s);
	if (!cmd_resume(&ctx, s, "REGISTER", &m)) {
		cmd_auth_pump(srv);
		return;
	}
	if (cmd_refuse_register(&ctx)) {
		cmd_resumed(&ctx, &m);
		cmd_auth_pump(srv);
		return;
	}
	if (hash != NULL)
		acct = accounts_register_hash(srv->accounts, s->name, hash,
		    err, sizeof(err));
	if (acct == NULL) {
		log_warnx("cannot register %s: %s", s->name, err);
		session_enter_state(s, SESS_USER);
		cmd_err(&ctx, PROTO_E_IO, "the account could not be saved; "
		    "try again later");
	} else {
		/* Counted per address: the hour starts at its first one. */
		lk = lockout_table_get(srv->registrations, conn_ip(s->conn),
		    mono_now_ms(), true);
		if (lk != NULL) {
			if (lk->failures++ == 0)
				lk->last_fail_ms = mono_now_ms();
		}
		log_info("%s registered a new account", s->name);
		session_login(s, acct);
		cmd_ok(&ctx, "Welcome %s", s->name);
		session_idle_notice(s);
	}
	cmd_resumed(&ctx, &m);
	cmd_auth_pump(srv);
}

/* Its turn has come: s leaves the wait, is answered or hashed. */
static void
cmd_auth_start(struct session *s)
{
	struct server *srv = s->srv;
	struct session_mark m;
	struct cmd_ctx ctx;
	struct account *acct = accounts_find(srv->accounts, s->name);
	struct cmd_auth *a = s->auth;
	bool reg = a->reg;

	TAILQ_REMOVE(&srv->auth_wait, a, entry);
	a->state = CMD_AUTH_NONE;
	if (reg)
		srv->nreg_pending--;
	if (!cmd_resume(&ctx, s, reg ? "REGISTER" : "PASS", &m)) {
		cmd_auth_wipe(s);	/* closing: nobody to answer */
		return;
	}
	/* The checks again, with what the attempts before it changed. */
	if (reg ? cmd_refuse_register(&ctx) :
	    cmd_refuse_login(&ctx, acct, s->name)) {
		cmd_auth_wipe(s);
		cmd_resumed(&ctx, &m);
		return;
	}
	if (!reg && acct != NULL && !accounts_hashed(acct)) {
		cmd_pass_result(&ctx, acct, accounts_verify(acct,
		    a->secret));
		cmd_auth_wipe(s);
		cmd_resumed(&ctx, &m);
		return;
	}
	/* To the hasher: the reply waits again.  An unknown name costs a
	   hash too (with a setting of our own), so the reply time does not
	   tell that it is unknown. */
	conn_wait(s->conn, true);
	if (reg)
		cmd_auth_hash(s, NULL, cmd_register_hashed);
	else
		cmd_auth_hash(s, acct ? acct->secret : cmd_dummy_setting(),
		    cmd_pass_hashed);
}

/* Start every waiting request whose name and address are free, in order. */
static void
cmd_auth_pump(struct server *srv)
{
	static bool running, again;
	struct cmd_auth *a, *next;

	if (running) {
		again = true;	/* a callback ran inside the loop below */
		return;
	}
	running = true;
	do {
		again = false;
		for (a = TAILQ_FIRST(&srv->auth_wait); a != NULL &&
		    srv->nauth_busy < CMD_AUTH_INFLIGHT && !srv->stopping;
		    a = next) {
			next = TAILQ_NEXT(a, entry);
			if (!cmd_auth_busy(srv, a->s))
				cmd_auth_start(a->s);
		}
	} while (again);
	running = false;
}

/* The session is going: out of the gate, and let the next one in. */
void
cmd_auth_session_closed(struct session *s)
{
	struct cmd_auth *a = s->auth;
	bool was_in = a != NULL && a->state != CMD_AUTH_NONE;

	if (a == NULL)
		return;
	if (a->job != 0)
		hasher_cancel(a->job);
	cmd_auth_leave(s);
	free(a);
	s->auth = NULL;
	if (was_in)
		cmd_auth_pump(s->srv);
}

/* PASS PASSWORD.  A hashed password is checked by the hasher child, so
   the loop goes on meanwhile. */
void
cmd_pass(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct account *acct = accounts_find(ctx->srv->accounts, s->name);

	/* Refused, not cut: the hasher takes PROTO_PASS_MAX bytes. */
	if (strlen(ctx->argv[0]) > PROTO_PASS_MAX) {
		cmd_err(ctx, PROTO_E_ARGS, "a password is at most %d bytes",
		    PROTO_PASS_MAX);
		return;
	}
	if (cmd_refuse_login(ctx, acct, s->name))
		return;
	if (acct != NULL && !accounts_hashed(acct) &&
	    !cmd_auth_busy(ctx->srv, s)) {
		cmd_pass_result(ctx, acct, accounts_verify(acct, ctx->argv[0]));
		return;
	}
	cmd_auth_enqueue(ctx, false);
}

/* Why a registration is refused now (after replying), or false. */
static bool
cmd_refuse_register(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct server *srv = ctx->srv;
	struct lockout *lk;
	int64_t now = mono_now_ms();

	if (cmd_refuse_login(ctx, NULL, s->name))
		return true;
	if (accounts_find(srv->accounts, s->name) != NULL) {
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_EXISTS, "%s was registered meanwhile; "
		    "log in again", s->name);
		return true;
	}
	if (accounts_count(srv->accounts) >= (size_t)srv->cfg.max_accounts) {
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_LIMIT, "the server holds its maximum of "
		    "%d accounts; ask its administrator", srv->cfg.max_accounts);
		return true;
	}
	lk = lockout_table_get(srv->registrations, conn_ip(s->conn), now,
	    false);
	if (lk != NULL && now - lk->last_fail_ms >= CMD_REG_WINDOW_MS)
		lk->failures = 0;
	if (srv->cfg.registrations_per_hour > 0 && lk != NULL &&
	    lk->failures >= srv->cfg.registrations_per_hour) {
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_LIMIT, "%d accounts were registered from "
		    "your address within the hour; try again later",
		    lk->failures);
		return true;
	}
	return false;
}

/* REGISTER NEWPASSWORD */
void
cmd_register(struct cmd_ctx *ctx)
{
	char err[256];

	if (cmd_refuse_register(ctx))
		return;
	if (!accounts_password_ok(ctx->argv[0], err, sizeof(err))) {
		cmd_err(ctx, PROTO_E_ARGS, "%s", err);
		return;
	}
	if (ctx->srv->nreg_pending >= CMD_REG_PENDING_MAX) {
		cmd_err(ctx, PROTO_E_LIMIT, "too many registrations at once; "
		    "try again in a moment");
		return;
	}
	cmd_auth_enqueue(ctx, true);
}

/* LOGOUT */
void
cmd_logout(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;

	if (s->state == SESS_ACTIVE)
		cmd_ok(ctx, "Goodbye %s", s->name);
	else
		cmd_ok(ctx, "Goodbye");
	session_end(s, SESS_OFF_LOGOUT, NULL, NULL);
}

/* PING */
void
cmd_ping(struct cmd_ctx *ctx)
{
	cmd_ok(ctx, "pong");
}
