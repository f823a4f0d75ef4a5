/*
 * cmd_table.c - the command table, the table of features and dispatch.
 *
 * Commands are data: each verb has the states it is allowed in, its
 * argument counts and whether the last argument is the rest of the line.
 * cmd_dispatch() parses the line, makes the generic checks, runs the
 * handler and writes one log line (who, what, result).
 *
 * Features are data too: what a feature does when the server starts, at
 * each loop pass, when a user logs in or out and when a session ends is
 * one row of cmd_features[].  This file sits above the handlers: it names
 * them, and nothing below it names this file.  server_init() hands both
 * tables to the lower floors (srv->dispatch, srv->features), so session.c
 * calls the handlers and the features without naming them, and no circle
 * runs between the files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "log.h"
#include "server.h"
#include "session.h"


#define ST(x)		(1u << SESS_##x)
#define ST_LOGIN	(ST(USER) | ST(PASSWORD) | ST(REGISTER))
#define ST_ANY		(ST(HELLO) | ST_LOGIN | ST(ACTIVE))

#define CMD_REST	0x1	/* the last argument is the rest of the line */
#define CMD_SECRET	0x2	/* never log the arguments */
#define CMD_IDLE	0x4	/* not user activity (idle timer keeps running) */
#define CMD_BLOB	0x8	/* may carry a " {N}" payload */
#define CMD_QUIET	0x10	/* logged at debug level (one per upload chunk) */

struct cmd_entry {
	const char	*verb;
	unsigned	 states;	/* mask of 1 << enum sess_state */
	int		 min_args;
	int		 max_args;
	unsigned	 flags;
	void		(*handler)(struct cmd_ctx *);
	const char	*usage;
};

static const struct cmd_entry cmd_table[] = {
	{ PROTO_V_HELLO, ST(HELLO), 1, 1, 0, cmd_hello, "HELLO VERSION" },
	{ PROTO_V_LOGIN, ST_LOGIN, 1, 2, 0, cmd_login, "LOGIN USER [UDPPORT]" },
	{ PROTO_V_PASS, ST(PASSWORD), 1, 1, CMD_REST | CMD_SECRET, cmd_pass,
	    "PASS PASSWORD" },
	{ PROTO_V_REGISTER, ST(REGISTER), 1, 1, CMD_REST | CMD_SECRET,
	    cmd_register, "REGISTER NEWPASSWORD" },
	{ PROTO_V_WHO, ST(ACTIVE), 0, 0, 0, cmd_who, "WHO" },
	{ PROTO_V_WHOSINCE, ST(ACTIVE), 1, 1, 0, cmd_whosince,
	    "WHOSINCE SECONDS" },
	{ PROTO_V_LOGOUT, ST_ANY, 0, 0, 0, cmd_logout, "LOGOUT" },
	{ PROTO_V_PING, ST_ANY, 0, 0, CMD_IDLE, cmd_ping, "PING" },
	{ PROTO_V_UPLOAD, ST(ACTIVE), 2, 2, 0, cmd_upload, "UPLOAD ID SIZE" },
	{ PROTO_V_UPDATA, ST(ACTIVE), 1, 1, CMD_BLOB | CMD_QUIET, cmd_updata,
	    "UPDATA ID {N}" },
	{ PROTO_V_UPEND, ST(ACTIVE), 1, 1, 0, cmd_upend, "UPEND ID" },
	{ PROTO_V_STATS, ST(ACTIVE), 2, 2, 0, cmd_stats,
	    "STATS ID SUM|AVERAGE|MAX|MIN" },
	{ PROTO_V_DELETE, ST(ACTIVE), 1, 1, 0, cmd_delete, "DELETE ID" },
	{ PROTO_V_MSGTO, ST(ACTIVE), 2, 2, CMD_REST, cmd_msgto,
	    "MSGTO USER TEXT" },
	{ PROTO_V_BROADCAST, ST(ACTIVE), 1, 1, CMD_REST, cmd_broadcast,
	    "BROADCAST TEXT" },
	{ PROTO_V_BLOCK, ST(ACTIVE), 1, 1, 0, cmd_block, "BLOCK USER" },
	{ PROTO_V_UNBLOCK, ST(ACTIVE), 1, 1, 0, cmd_unblock, "UNBLOCK USER" },
	{ PROTO_V_POST, ST(ACTIVE), 1, 1, CMD_REST, cmd_post, "POST TEXT" },
	{ PROTO_V_DELPOST, ST(ACTIVE), 2, 2, CMD_REST, cmd_delpost,
	    "DELPOST N DD Mon YYYY HH:MM:SS" },
	{ PROTO_V_EDITPOST, ST(ACTIVE), 6, 6, CMD_REST, cmd_editpost,
	    "EDITPOST N DD Mon YYYY HH:MM:SS TEXT" },
	{ PROTO_V_READPOSTS, ST(ACTIVE), 1, 1, CMD_REST, cmd_readposts,
	    "READPOSTS DD Mon YYYY HH:MM:SS" },
	{ PROTO_V_GCREATE, ST(ACTIVE), 2, 1 + PROTO_GROUP_INVITE_MAX, 0,
	    cmd_gcreate, "GCREATE NAME USER..." },
	{ PROTO_V_GJOIN, ST(ACTIVE), 1, 1, 0, cmd_gjoin, "GJOIN NAME" },
	{ PROTO_V_GMSG, ST(ACTIVE), 2, 2, CMD_REST, cmd_gmsg,
	    "GMSG NAME TEXT" },
	{ PROTO_V_SENDFILE, ST(ACTIVE), 3, 3, CMD_REST, cmd_sendfile,
	    "SENDFILE USER SIZE NAME" },
	{ PROTO_V_PRIVREQ, ST(ACTIVE), 1, 1, 0, cmd_privreq, "PRIVREQ USER" },
	{ PROTO_V_PRIVANSWER, ST(ACTIVE), 2, 3, 0, cmd_privanswer,
	    "PRIVANSWER USER yes PORT | PRIVANSWER USER no" },
	{ PROTO_V_PRIVSTOP, ST(ACTIVE), 1, 1, 0, cmd_privstop,
	    "PRIVSTOP USER" },
};

/* The entry of a verb, or NULL. */
static const struct cmd_entry *
cmd_lookup(const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (strcmp(cmd_table[i].verb, verb) == 0)
			return &cmd_table[i];
	return NULL;
}

/* Start-up: remove the uploads a crash cut short. */
static int
cmd_table_edge_start(struct server *srv)
{
	cmd_edge_clean_parts(srv->cfg.data_dir);
	return 0;
}

/* A user logged out: federation tells the other boards. */
static void
cmd_table_fed_logout(struct session *s, const char *why)
{
	fed_user_offline(s);
}

/* After the pass's deliveries: federation's inbox records of them. */
static void
cmd_table_fed_pass_sent(struct server *srv)
{
	fed_pass_sent();
}

/* After the pass's output: federation's records of what was sent. */
static void
cmd_table_fed_pass_end(struct server *srv)
{
	fed_pass_end();
}

/*
 * Every feature's hooks, walked in this order: logins and logouts reach
 * the private chats before federation hears of them, as before.
 */
const struct cmd_feature cmd_features[] = {
	{ .name = "edge", .start = cmd_table_edge_start,
	    .closed = cmd_edge_session_closed },
	{ .name = "auth", .closed = cmd_auth_session_closed },
	{ .name = "p2p", .logout = cmd_p2p_session_closed },
	{ .name = "fed", .start = fed_init, .pass = fed_pass,
	    .sent = cmd_table_fed_pass_sent, .pass_end = cmd_table_fed_pass_end, .stop = fed_stop,
	    .login = fed_user_online, .logout = cmd_table_fed_logout },
	{ .name = NULL },
};

/*
 * True when a request line (valid or not) may carry a password: its second
 * word is PASS or REGISTER in any case, or the session is waiting for one
 * (a mistyped verb there is most likely followed by the password).
 */
static bool
cmd_line_secret(const struct session *s, const char *line, size_t len)
{
	static const char *verbs[] = { PROTO_V_PASS, PROTO_V_REGISTER };
	const char *sp, *verb, *end;
	size_t i, vlen;

	if (s->state == SESS_PASSWORD || s->state == SESS_REGISTER)
		return true;
	if ((sp = memchr(line, ' ', len)) == NULL)
		return false;
	verb = sp + 1;
	end = line + len;
	for (vlen = 0; verb + vlen < end && verb[vlen] != ' '; vlen++)
		;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (vlen == strlen(verbs[i]) &&
		    strncasecmp(verb, verbs[i], vlen) == 0)
			return true;
	return false;
}

/* A log sample of a refused line: with a password possibly in it, only
   what comes before the second space, then "***". */
static void
cmd_bad_sample(const struct session *s, char *dst, size_t n,
    const char *line, size_t len)
{
	const char *sp;
	size_t keep;

	if (!cmd_line_secret(s, line, len)) {
		proto_sanitize(dst, n, line, len);
		return;
	}
	keep = 0;
	if ((sp = memchr(line, ' ', len)) != NULL &&
	    (sp = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - line))) != NULL)
		keep = (size_t)(sp - line);
	else if (sp != NULL)
		keep = len;	/* "TAG VERB" and nothing after it */
	if (keep > 40)
		keep = 40;
	proto_sanitize(dst, n > 5 ? n - 4 : n, line, keep);
	if (n > 5)
		strcat(dst, " ***");
}

/* What a session in state st must do before anything else. */
static const char *
cmd_state_hint(enum sess_state st)
{
	switch (st) {
	case SESS_HELLO:
		return "say HELLO 1 first";
	case SESS_USER:
		return "log in first (LOGIN USER)";
	case SESS_PASSWORD:
		return "send PASS PASSWORD first";
	case SESS_REGISTER:
		return "send REGISTER NEWPASSWORD first";
	case SESS_ACTIVE:
		return "already logged in";
	default:
		return "not now";
	}
}

/* Handle one frame. */
void
cmd_dispatch(struct session *s, char *line, size_t len, const char *blob,
    size_t blob_len)
{
	struct cmd_ctx ctx;
	struct proto_req req;
	const struct cmd_entry *ce;
	enum proto_err perr;
	char sample[64], args[128];
	int n;

	memset(&ctx, 0, sizeof(ctx));
	ctx.srv = s->srv;
	ctx.s = s;
	ctx.tag = "*";
	ctx.blob = blob;
	ctx.blob_len = blob_len;
	if ((perr = proto_parse_req(line, len, &req)) != PROTO_OK) {
		if (perr == PROTO_ERR_EMPTY)
			return;		/* an empty line is not a request */
		if (req.tag[0] != '\0' && perr != PROTO_ERR_TAG)
			ctx.tag = req.tag;
		cmd_bad_sample(s, sample, sizeof(sample), line, len);
		if (cmd_line_secret(s, line, len) && (perr == PROTO_ERR_UTF8 ||
		    perr == PROTO_ERR_CTRL))
			cmd_err(&ctx, PROTO_E_PROTO, "%s: a password must be "
			    "valid UTF-8 without control characters",
			    proto_strerror(perr));
		else
			cmd_err(&ctx, PROTO_E_PROTO, "%s", proto_strerror(perr));
		log_info("%s: bad request \"%s\": %s", session_who(s), sample,
		    proto_strerror(perr));
		return;
	}
	ctx.tag = req.tag;
	ctx.verb = req.verb;
	ce = cmd_lookup(req.verb);
	/* Sampled now: splitting the arguments cuts the line up. */
	if ((ce != NULL && (ce->flags & CMD_SECRET)) ||
	    (ce == NULL && req.args[0] != '\0' &&
	    cmd_line_secret(s, line, len)))
		snprintf(args, sizeof(args), " ***");
	else if (req.args[0] != '\0') {
		args[0] = ' ';
		proto_sanitize(args + 1, sizeof(args) - 1, req.args,
		    strlen(req.args));
	} else
		args[0] = '\0';
	if (ce == NULL) {
		cmd_err(&ctx, PROTO_E_UNKNOWN, "unknown command %s", req.verb);
	} else if (req.has_blob && !(ce->flags & CMD_BLOB)) {
		cmd_err(&ctx, PROTO_E_ARGS, "%s takes no payload", ce->verb);
	} else if ((ce->states & (1u << s->state)) == 0) {
		cmd_err(&ctx, PROTO_E_STATE, "%s", cmd_state_hint(s->state));
	} else {
		if (req.args[0] == '\0')
			n = 0;
		else if (ce->max_args == 0)
			n = -1;
		else
			n = proto_split(req.args, ctx.argv, ce->max_args,
			    (ce->flags & CMD_REST) != 0);
		if (n == -1 || n < ce->min_args || n > ce->max_args) {
			cmd_err(&ctx, PROTO_E_ARGS, "usage: %s", ce->usage);
		} else {
			ctx.argc = n;
			if (s->state == SESS_ACTIVE && !(ce->flags & CMD_IDLE))
				session_touch(s);
			ce->handler(&ctx);
		}
	}
	if (ce != NULL && (ce->flags & (CMD_IDLE | CMD_QUIET)))
		log_debug("%s %s%s -> %s", session_who(s), req.verb, args,
		    ctx.result ? ctx.result : "-");
	else
		log_info("%s %s%s -> %s%s%s", session_who(s), req.verb, args,
		    ctx.result ? ctx.result : "-", ctx.note[0] ? ": " : "",
		    ctx.note);
}