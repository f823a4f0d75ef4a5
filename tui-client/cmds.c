/*
 * cmds.c - the command table and its generic checks.
 *
 * Words are split on runs of spaces here rather than with proto_split,
 * which refuses double spaces: that is right for the wire, not for what a
 * person types.  The handlers are thin: they turn a checked command into a
 * request through app.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "cmds.h"
#include "edge.h"
#include "msgs.h"
#include "who.h"
#include "p2p.h"
#include "privchat.h"
#include "proto.h"

static cmds_check_fn	 cmds_check_seconds;
static cmds_handler_fn	 cmds_do_who;
static cmds_handler_fn	 cmds_do_whosince;
static cmds_handler_fn	 cmds_do_logout;
static cmds_handler_fn	 cmds_do_help;
static cmds_check_fn	 cmds_check_user;
static cmds_handler_fn	 cmds_do_query, cmds_do_close, cmds_do_clear,
			 cmds_do_me, cmds_do_whois;
static bool	 cmds_word_matches(const struct cmds_entry *e,
		     const char *typed, const char *word);
static char	*cmds_skip_space(char *p);
static char	*cmds_end_word(char *p);

static const struct cmds_entry cmds_table[] = {
	{
		.words = { "/who", "whoelse", "ATU", "AED", "/activeuser",
		    "/names", NULL },
		.args = "",
		.min_args = 0, .max_args = 0,
		.help = "the other users online, with login time, address "
		    "and UDP port",
		.handler = cmds_do_who,
	},
	{
		.words = { "/whosince", "whoelsesince", NULL },
		.args = "SECONDS",
		.min_args = 1, .max_args = 1,
		.help = "the other users online at any moment in the last "
		    "SECONDS seconds",
		.check = cmds_check_seconds,
		.handler = cmds_do_whosince,
	},
	{
		.words = { "/msgto", "message", "/msg", NULL },
		.args = "USER TEXT",
		.min_args = 2, .max_args = 2, .rest = true,
		.help = "send TEXT to USER (kept for them if offline)",
		.handler = msgs_do_message,
	},
	{
		.words = { "/broadcast", "broadcast", NULL },
		.args = "TEXT",
		.min_args = 1, .max_args = 1, .rest = true,
		.help = "send TEXT to everyone online",
		.handler = msgs_do_broadcast,
	},
	{
		.words = { "/block", "block", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "refuse USER's messages and hide from USER",
		.handler = msgs_do_block,
	},
	{
		.words = { "/unblock", "unblock", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "undo block USER",
		.handler = msgs_do_unblock,
	},
	{
		.words = { "/post", "MSG", NULL },
		.args = "TEXT",
		.min_args = 1, .max_args = 1, .rest = true,
		.help = "post TEXT on the message board",
		.handler = msgs_do_post,
	},
	{
		.words = { "/delpost", "DLT", NULL },
		.args = "N DD Mon YYYY HH:MM:SS",
		.min_args = 5, .max_args = 5,
		.help = "delete your board message N, giving its timestamp",
		.check = msgs_check_post_ref,
		.handler = msgs_do_delpost,
	},
	{
		.words = { "/editpost", "EDT", NULL },
		.args = "N DD Mon YYYY HH:MM:SS TEXT",
		.min_args = 6, .max_args = 6, .rest = true,
		.help = "replace the text of your board message N",
		.check = msgs_check_post_ref,
		.handler = msgs_do_editpost,
	},
	{
		.words = { "/read", "RDM", NULL },
		.args = "DD Mon YYYY HH:MM:SS",
		.min_args = 4, .max_args = 4,
		.help = "board messages posted or edited after that time",
		.check = msgs_check_timestamp,
		.handler = msgs_do_readposts,
	},
	{
		.words = { "/creategroup", NULL },
		.args = "NAME USER...",
		.min_args = 2, .max_args = 1 + PROTO_GROUP_INVITE_MAX,
		.help = "create group NAME and invite the users (online)",
		.handler = msgs_do_gcreate,
	},
	{
		.words = { "/joingroup", "/join", NULL },
		.args = "NAME",
		.min_args = 1, .max_args = 1,
		.help = "join a group you were invited to",
		.handler = msgs_do_gjoin,
	},
	{
		.words = { "/groupmsg", NULL },
		.args = "NAME TEXT",
		.min_args = 2, .max_args = 2, .rest = true,
		.help = "send TEXT to the members of group NAME",
		.handler = msgs_do_gmsg,
	},
	{
		.words = { "/logout", "logout", "OUT", "/quit", NULL },
		.args = "",
		.anycase = true,
		.min_args = 0, .max_args = 0,
		.help = "log out and quit",
		.handler = cmds_do_logout,
	},
	{
		.words = { "/gen", "EDG", NULL },
		.args = "ID N",
		.min_args = 2, .max_args = 2,
		.help = "write N random integers, one per line, to "
		    "USER-ID.txt here",
		.check = edge_check_gen,
		.handler = edge_do_gen,
	},
	{
		.words = { "/upload", "UED", NULL },
		.args = "ID",
		.min_args = 1, .max_args = 1,
		.help = "upload USER-ID.txt to the server as file ID",
		.check = edge_check_id,
		.handler = edge_do_upload,
	},
	{
		.words = { "/stats", "SCS", NULL },
		.args = "ID SUM|AVERAGE|MAX|MIN",
		.min_args = 2, .max_args = 2,
		.help = "the sum, average, maximum or minimum of uploaded "
		    "file ID, computed by the server",
		.check = edge_check_stats,
		.handler = edge_do_stats,
	},
	{
		.words = { "/deldata", "DTE", NULL },
		.args = "ID",
		.min_args = 1, .max_args = 1,
		.help = "delete uploaded file ID from the server",
		.check = edge_check_id,
		.handler = edge_do_delete,
	},
	{
		.words = { "/sendfile", "UPD", "UVF", "/p2pvideo", NULL },
		.args = "USER FILE",
		.min_args = 2, .max_args = 2, .rest = true,
		.help = "send FILE straight to USER's client (UDP, verified "
		    "end to end)",
		.handler = p2p_do_sendfile,
	},
	{
		.words = { "/transfers", NULL },
		.args = "",
		.min_args = 0, .max_args = 0,
		.help = "file transfers running, and datagrams dropped",
		.handler = p2p_do_transfers,
	},
	{
		.words = { "/startprivate", "startprivate", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "ask USER for a private chat (a direct connection)",
		.handler = privchat_do_start,
	},
	{
		.words = { "/private", "private", NULL },
		.args = "USER TEXT",
		.min_args = 2, .max_args = 2, .rest = true,
		.help = "send TEXT in the private chat with USER",
		.handler = privchat_do_send,
	},
	{
		.words = { "/stopprivate", "stopprivate", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "end the private chat with USER",
		.handler = privchat_do_stop,
	},
	{
		.words = { "/query", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "open a window for direct messages with USER (the "
		    "screen); plain text there goes to USER",
		.check = cmds_check_user,
		.handler = cmds_do_query,
	},
	{
		.words = { "/close", NULL },
		.args = "",
		.min_args = 0, .max_args = 0,
		.help = "close this conversation window (the screen)",
		.handler = cmds_do_close,
	},
	{
		.words = { "/clear", NULL },
		.args = "",
		.min_args = 0, .max_args = 0,
		.help = "empty this window's scrollback (the screen)",
		.handler = cmds_do_clear,
	},
	{
		.words = { "/me", NULL },
		.args = "TEXT",
		.min_args = 1, .max_args = 1, .rest = true,
		.help = "say \"* you TEXT\" in this conversation",
		.handler = cmds_do_me,
	},
	{
		.words = { "/whois", NULL },
		.args = "USER",
		.min_args = 1, .max_args = 1,
		.help = "when USER logged in, from where, and the UDP port",
		.check = cmds_check_user,
		.handler = cmds_do_whois,
	},
	{
		.words = { "/help", NULL },
		.args = "",
		.min_args = 0, .max_args = 0,
		.help = "this list",
		.handler = cmds_do_help,
	},
};

#define CMDS_COUNT	(sizeof(cmds_table) / sizeof(cmds_table[0]))

/* SECONDS must be a non-negative integer. */
static int
cmds_check_seconds(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	long long v;

	if (proto_parse_int(argv[0], 0, 0x7fffffffffffffffLL, &v) == 0)
		return 0;
	snprintf(err, errlen,
	    "%s: SECONDS must be a non-negative integer, not '%.32s'", word,
	    argv[0]);
	return -1;
}

/* whoelse, ATU, AED, /activeuser, /who. */
static void
cmds_do_who(struct app *app, int argc, char **argv)
{
	who_send(app, false);
}

/* whoelsesince SECONDS (checked already; sent without leading zeros). */
static void
cmds_do_whosince(struct app *app, int argc, char **argv)
{
	char num[32];
	long long v;

	if (proto_parse_int(argv[0], 0, 0x7fffffffffffffffLL, &v) == -1)
		return;
	snprintf(num, sizeof(num), "%lld", v);
	who_send_since(app, num);
}

/* logout, OUT, /logout, /quit. */
static void
cmds_do_logout(struct app *app, int argc, char **argv)
{
	app_logout(app);
}

/* USER must be a valid user name. */
static int
cmds_check_user(const char *word, int argc, char **argv, char *err,
    size_t errlen)
{
	if (proto_valid_user(argv[0]))
		return 0;
	snprintf(err, errlen, "%s: '%.40s' is not a user name", word, argv[0]);
	return -1;
}

/* A command for the screen's windows: the frontend runs it, if it can. */
static void
cmds_ui(struct app *app, const char *word, int argc, char **argv)
{
	if (!app_ui_command(app, word, argc, argv))
		model_add_line(app_model(app), MODEL_LINE_ERROR, "Error: %s "
		    "works in the screen only (for a direct message: /msg "
		    "USER TEXT)", word);
}

/* /query USER. */
static void
cmds_do_query(struct app *app, int argc, char **argv)
{
	cmds_ui(app, "/query", argc, argv);
}

/* /close. */
static void
cmds_do_close(struct app *app, int argc, char **argv)
{
	cmds_ui(app, "/close", argc, argv);
}

/* /clear. */
static void
cmds_do_clear(struct app *app, int argc, char **argv)
{
	cmds_ui(app, "/clear", argc, argv);
}

/* /me TEXT. */
static void
cmds_do_me(struct app *app, int argc, char **argv)
{
	cmds_ui(app, "/me", argc, argv);
}

/* /whois USER: from the user list, no request. */
static void
cmds_do_whois(struct app *app, int argc, char **argv)
{
	struct model *m = app_model(app);
	const struct model_user *u = model_user_find(m, argv[0]);

	if (u == NULL)
		model_add_line(m, MODEL_LINE_INFO, "%s is not online (or "
		    "not visible to you)", argv[0]);
	else
		model_add_line(m, MODEL_LINE_INFO, "%s: online since %s, "
		    "from %s, UDP port %u", u->name, u->since, u->ip, u->port);
}

/* /help: one line per entry. */
static void
cmds_do_help(struct app *app, int argc, char **argv)
{
	char line[512];
	size_t i;

	model_add_line(app_model(app), MODEL_LINE_INFO,
	    "Commands (slash commands may be typed in any case):");
	for (i = 0; i < CMDS_COUNT; i++) {
		cmds_help_line(&cmds_table[i], line, sizeof(line));
		model_add_line(app_model(app), MODEL_LINE_INFO, "  %s", line);
	}
}

/* Exact match, or any case for slash commands and logout words. */
static bool
cmds_word_matches(const struct cmds_entry *e, const char *typed,
    const char *word)
{
	if (word[0] == '/' || e->anycase)
		return strcasecmp(typed, word) == 0;
	return strcmp(typed, word) == 0;
}

/* The entry a command word belongs to. */
const struct cmds_entry *
cmds_find(const char *word)
{
	size_t i, j;

	for (i = 0; i < CMDS_COUNT; i++) {
		for (j = 0; cmds_table[i].words[j] != NULL; j++) {
			if (cmds_word_matches(&cmds_table[i], word,
			    cmds_table[i].words[j]))
				return &cmds_table[i];
		}
	}
	return NULL;
}

/* Number of entries. */
size_t
cmds_count(void)
{
	return CMDS_COUNT;
}

/* Entry i, or NULL. */
const struct cmds_entry *
cmds_at(size_t i)
{
	return i < CMDS_COUNT ? &cmds_table[i] : NULL;
}

/* "/whosince SECONDS (or whoelsesince SECONDS): what it does". */
void
cmds_help_line(const struct cmds_entry *e, char *buf, size_t len)
{
	size_t used, j;
	const char *sep = *e->args != '\0' ? " " : "";
	int n;

	n = snprintf(buf, len, "%s%s%s", e->words[0], sep, e->args);
	for (j = 1; e->words[j] != NULL && n >= 0 && (size_t)n < len; j++) {
		used = (size_t)n;
		n += snprintf(buf + used, len - used, "%s%s%s%s",
		    j == 1 ? " (or " : ", ", e->words[j], sep, e->args);
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s: %s",
		    e->words[1] != NULL ? ")" : "", e->help);
}

/* Skip spaces and tabs. */
static char *
cmds_skip_space(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The end of the word at p. */
static char *
cmds_end_word(char *p)
{
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* Cut a command line into words and run the generic checks. */
enum cmds_status
cmds_parse(char *line, struct cmds_call *call, char *err, size_t errlen)
{
	const struct cmds_entry *e;
	char *p, *end;

	memset(call, 0, sizeof(*call));
	err[0] = '\0';
	p = cmds_skip_space(line);
	if (*p == '\0')
		return CMDS_EMPTY;
	call->word = p;
	end = cmds_end_word(p);
	p = *end != '\0' ? end + 1 : end;
	*end = '\0';
	if ((e = cmds_find(call->word)) == NULL) {
		snprintf(err, errlen,
		    "unknown command '%.64s' (type /help for the list)",
		    call->word);
		return CMDS_UNKNOWN;
	}
	call->entry = e;

	for (;;) {
		p = cmds_skip_space(p);
		if (*p == '\0')
			break;
		if (e->rest && call->argc == e->max_args - 1) {
			/* The rest of the line, inner spaces kept. */
			call->argv[call->argc++] = p;
			end = p + strlen(p);
			while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			break;
		}
		if (call->argc >= e->max_args || call->argc >= CMDS_ARGS_MAX) {
			call->argc++;	/* too many: reported below */
			break;
		}
		call->argv[call->argc++] = p;
		end = cmds_end_word(p);
		p = *end != '\0' ? end + 1 : end;
		*end = '\0';
	}
	if (call->argc < e->min_args || call->argc > e->max_args) {
		snprintf(err, errlen, "usage: %s%s%s", call->word,
		    *e->args != '\0' ? " " : "", e->args);
		return CMDS_USAGE;
	}
	if (e->check != NULL &&
	    e->check(call->word, call->argc, call->argv, err, errlen) == -1)
		return CMDS_INVALID;
	return CMDS_OK;
}

/* Parse line and run its handler, or show the error. */
void
cmds_run(struct app *app, char *line)
{
	char err[CMDS_ERR_MAX];
	struct cmds_call call;
	enum cmds_status st;

	st = cmds_parse(line, &call, err, sizeof(err));
	if (st == CMDS_EMPTY)
		return;
	if (st != CMDS_OK) {
		model_add_line(app_model(app), MODEL_LINE_ERROR, "Error: %s",
		    err);
		return;
	}
	call.entry->handler(app, call.argc, call.argv);
}

/* Every line the questions left is a command line. */
static bool
cmds_take(struct app *a, char *line)
{
	cmds_run(a, line);
	return true;
}

/* True when line is /quit, /logout or one of their aliases. */
static bool
cmds_quits(const char *line)
{
	char copy[PROTO_LINE_MAX], err[CMDS_ERR_MAX];
	struct cmds_call call;

	snprintf(copy, sizeof(copy), "%s", line);
	return cmds_parse(copy, &call, err, sizeof(err)) == CMDS_OK &&
	    strcmp(call.entry->words[0], "/logout") == 0;
}

const struct feature cmds_feature = {
	.name = "cmds",
	.input = cmds_take,
	.quits = cmds_quits,
};
