/*
 * cmd_session.c - HELLO, LOGIN, PASS, REGISTER, LOGOUT, PING: the way in
 * and out.  Each handler checks first and acts after.
 */
#include <crypt.h>
#include <string.h>

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
	return lockout_table_get(srv->unknown, name, server_now_ms(), create);
}

/* The failure record of the session's address; NULL when that is off. */
static struct lockout *
cmd_address_lockout(struct cmd_ctx *ctx, bool create)
{
	struct server *srv = ctx->srv;
	struct lockout *lk;
	int64_t now = server_now_ms();

	if (srv->cfg.address_attempts == 0)
		return NULL;
	lk = lockout_table_get(srv->addresses, conn_ip(ctx->s->conn), now,
	    create);
	if (lk != NULL)
		lockout_decay(lk, (int64_t)srv->cfg.address_block_seconds * 1000,
		    now);
	return lk;
}

/* True (after replying) when the session's address is refused now. */
static bool
cmd_refuse_address(struct cmd_ctx *ctx)
{
	struct lockout *lk = cmd_address_lockout(ctx, false);

	if (lk == NULL || !lockout_blocked(lk, server_now_ms()))
		return false;
	session_enter_state(ctx->s, SESS_USER);
	cmd_err(ctx, PROTO_E_BLOCKED, MSG_ADDR_BLOCKED);
	return true;
}

/* True (after replying) when name is blocked now. */
static bool
cmd_refuse_blocked(struct cmd_ctx *ctx, struct account *acct, const char *name)
{
	struct lockout *lk = cmd_lockout_of(ctx->srv, acct, name, false);

	if (lk == NULL || !lockout_blocked(lk, server_now_ms()))
		return false;
	session_enter_state(ctx->s, SESS_USER);
	cmd_err(ctx, PROTO_E_BLOCKED, MSG_BLOCKED);
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
	if (cmd_refuse_address(ctx) || cmd_refuse_blocked(ctx, acct, name))
		return;
	if (acct != NULL && acct->session != NULL) {
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_INUSE, "%s is already logged in", name);
		return;
	}
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
	    (int64_t)srv->cfg.address_block_seconds * 1000, server_now_ms()))
		log_warnx("[%s]: %d failed logins, address refused for %d s",
		    conn_ip(s->conn), srv->cfg.address_attempts,
		    srv->cfg.address_block_seconds);
	lk = cmd_lockout_of(srv, acct, s->name, true);
	if (lk != NULL && lockout_fail(lk, srv->cfg.attempts,
	    (int64_t)srv->cfg.block_seconds * 1000, server_now_ms())) {
		log_info("%s: %d failed logins, blocked for %d s", s->name,
		    srv->cfg.attempts, srv->cfg.block_seconds);
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_BLOCKED, MSG_NOW_BLOCKED);
		return;
	}
	cmd_err(ctx, PROTO_E_AUTH, MSG_BAD_PASS);
}

/* The hasher's answer to PASS (the account is looked up again: a reload
   may have changed it meanwhile). */
static void
cmd_pass_hashed(void *arg, const char *hash)
{
	struct session *s = arg;
	struct session_mark m;
	struct cmd_ctx ctx;
	struct account *acct;

	if (!cmd_resume(&ctx, s, "PASS", &m))
		return;
	acct = accounts_find(s->srv->accounts, s->name);
	cmd_pass_result(&ctx, acct, acct != NULL &&
	    accounts_hash_matches(acct, hash));
	cmd_resumed(&ctx, &m);
}

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

/* PASS PASSWORD.  A hashed password is checked by the hasher child, so
   the loop goes on meanwhile. */
void
cmd_pass(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	struct account *acct = accounts_find(ctx->srv->accounts, s->name);

	if (cmd_refuse_address(ctx) || cmd_refuse_blocked(ctx, acct, s->name))
		return;
	if (acct == NULL || accounts_hashed(acct)) {
		/* An unknown name costs a hash too (with a setting of our
		   own), so the reply time does not tell that it is unknown. */
		cmd_defer(ctx);
		s->hash_job = hasher_submit(acct ? acct->secret :
		    cmd_dummy_setting(), ctx->argv[0], cmd_pass_hashed, s);
		return;
	}
	cmd_pass_result(ctx, acct, acct != NULL &&
	    accounts_verify(acct, ctx->argv[0]));
}

/* The hasher's answer to REGISTER: store the account and log in. */
static void
cmd_register_hashed(void *arg, const char *hash)
{
	struct session *s = arg;
	struct session_mark m;
	struct cmd_ctx ctx;
	struct account *acct = NULL;
	char err[256] = "cannot hash the password";

	if (!cmd_resume(&ctx, s, "REGISTER", &m))
		return;
	if (accounts_find(s->srv->accounts, s->name) != NULL) {
		session_enter_state(s, SESS_USER);
		cmd_err(&ctx, PROTO_E_EXISTS, "%s was registered meanwhile; "
		    "log in again", s->name);
		cmd_resumed(&ctx, &m);
		return;
	}
	if (hash != NULL)
		acct = accounts_register_hash(s->srv->accounts, s->name, hash,
		    err, sizeof(err));
	if (acct == NULL) {
		log_warnx("cannot register %s: %s", s->name, err);
		session_enter_state(s, SESS_USER);
		cmd_err(&ctx, PROTO_E_IO, "the account could not be saved; "
		    "try again later");
	} else {
		log_info("%s registered a new account", s->name);
		session_login(s, acct);
		cmd_ok(&ctx, "Welcome %s", s->name);
		session_idle_notice(s);
	}
	cmd_resumed(&ctx, &m);
}

/* REGISTER NEWPASSWORD */
void
cmd_register(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;
	char err[256];

	if (accounts_find(ctx->srv->accounts, s->name) != NULL) {
		session_enter_state(s, SESS_USER);
		cmd_err(ctx, PROTO_E_EXISTS, "%s was registered meanwhile; "
		    "log in again", s->name);
		return;
	}
	if (!accounts_password_ok(ctx->argv[0], err, sizeof(err))) {
		cmd_err(ctx, PROTO_E_ARGS, "%s", err);
		return;
	}
	cmd_defer(ctx);
	s->hash_job = hasher_submit(NULL, ctx->argv[0], cmd_register_hashed, s);
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
