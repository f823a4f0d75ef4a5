/*
 * conf.c - the client's INI settings from one table.
 *
 *   [files]
 *   download_dir = .          ; received files are saved here
 *   accept_files = auto       ; auto | ask (default: ask in the screen,
 *                             ;   auto in plain mode)
 *   keep_free = auto          ; MB left free, or auto (5 %, <= 100 MB)
 *   peer_timeout = 10         ; seconds a silent peer ends a transfer
 *   [tls]
 *   enabled = no              ; yes: like --tls
 *   fingerprint =             ; like --fingerprint
 *   ca =                      ; a CA file: verify chain and host name
 *   [client]
 *   time_format = %H:%M       ; the screen's line stamps (strftime)
 *   log_dir =                 ; a log file per conversation (off)
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "proto.h"
#include "trust.h"

enum conf_type { CONF_PATH, CONF_ACCEPT, CONF_KEEP, CONF_SECONDS, CONF_TLS,
	CONF_FPR, CONF_CA, CONF_TIMEFMT, CONF_LOGDIR };

struct conf_key {
	const char	*section;
	const char	*name;
	enum conf_type	 type;
	const char	*def;
	const char	*help;
};

static const struct conf_key conf_keys[] = {
	{ "files", "download_dir", CONF_PATH, ".",
	    "directory where received files are saved (default: the "
	    "working directory)" },
	{ "files", "accept_files", CONF_ACCEPT, "",
	    "auto: take offered files at once; ask: ask y/n/a (a: always "
	    "from that user until exit); unset: ask in the screen, auto in "
	    "plain mode" },
	{ "files", "keep_free", CONF_KEEP, "auto",
	    "megabytes (0-1048576) an offered file must leave free where it "
	    "is saved, or auto: 5 % of that filesystem, at most 100 MB" },
	{ "files", "peer_timeout", CONF_SECONDS, "10",
	    "seconds (1-600) of silence from a peer that end a transfer" },
	{ "tls", "enabled", CONF_TLS, "no",
	    "yes: connect with TLS (as --tls); never falls back to plain" },
	{ "tls", "fingerprint", CONF_FPR, "",
	    "SHA256:HEX the server's certificate must have (as "
	    "--fingerprint)" },
	{ "tls", "ca", CONF_CA, "",
	    "CA file: verify the server's chain and host name instead of "
	    "pinning" },
	{ "client", "time_format", CONF_TIMEFMT, "%H:%M",
	    "the time before each line of the screen, as strftime(3) writes "
	    "it (at most 31 bytes; empty: no time)" },
	{ "client", "log_dir", CONF_LOGDIR, "",
	    "a directory for one plain-text log per conversation, appended "
	    "(empty: no logs)" },
};

#define CONF_NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

struct conf_parse {
	struct conf	*c;
	const char	*name;
	char		*err;
	size_t		 errlen;
	bool		 failed;
	char		 why[160];
};

/* Set one key from its text; NULL, or why the value is wrong. */
static const char *
conf_set(struct conf *c, const struct conf_key *k, const char *v)
{
	long long n;

	switch (k->type) {
	case CONF_PATH:
		if (v[0] == '\0' || strlen(v) >= sizeof(c->download_dir))
			return "expected a directory name";
		snprintf(c->download_dir, sizeof(c->download_dir), "%s", v);
		return NULL;
	case CONF_ACCEPT:
		if (v[0] == '\0')
			c->accept_files = CONF_ACCEPT_DEFAULT;
		else if (strcmp(v, "auto") == 0)
			c->accept_files = CONF_ACCEPT_AUTO;
		else if (strcmp(v, "ask") == 0)
			c->accept_files = CONF_ACCEPT_ASK;
		else
			return "expected auto or ask";
		return NULL;
	case CONF_KEEP:
		if (strcmp(v, "auto") == 0)
			c->keep_free_mb = CONF_KEEP_FREE_AUTO;
		else if (proto_parse_int(v, 0, 1048576, &n) == 0)
			c->keep_free_mb = n;
		else
			return "expected auto or megabytes, 0 to 1048576";
		return NULL;
	case CONF_SECONDS:
		if (proto_parse_int(v, 1, 600, &n) == -1)
			return "expected seconds, 1 to 600";
		c->peer_timeout = (int)n;
		return NULL;
	case CONF_TLS:
		if (strcmp(v, "yes") == 0)
			c->tls = true;
		else if (strcmp(v, "no") == 0)
			c->tls = false;
		else
			return "expected yes or no";
		return NULL;
	case CONF_FPR:
		c->tls_fingerprint[0] = '\0';
		if (v[0] != '\0' && trust_fp_parse(v, c->tls_fingerprint) == -1)
			return "expected SHA256: and 64 hex digits";
		return NULL;
	case CONF_CA:
		if (strlen(v) >= sizeof(c->tls_ca))
			return "path too long";
		snprintf(c->tls_ca, sizeof(c->tls_ca), "%s", v);
		return NULL;
	case CONF_TIMEFMT:
		if (strlen(v) >= sizeof(c->time_format) ||
		    strcspn(v, "\t\r\n") != strlen(v))
			return "expected a strftime format of at most 31 bytes";
		snprintf(c->time_format, sizeof(c->time_format), "%s", v);
		return NULL;
	case CONF_LOGDIR:
		if (strlen(v) >= sizeof(c->log_dir))
			return "expected a directory name";
		snprintf(c->log_dir, sizeof(c->log_dir), "%s", v);
		return NULL;
	}
	return "unknown type";
}

/* The defaults, from the table. */
void
conf_defaults(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CONF_NKEYS; i++)
		conf_set(c, &conf_keys[i], conf_keys[i].def);
}

/* inih's handler: non-zero means success (wrapped here only). */
static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse *p = user;
	const char *why = "unknown key";
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0) {
			why = conf_set(p->c, &conf_keys[i], value);
			break;
		}
	}
	if (why == NULL)
		return 1;
	/* inih gives the line number as its result: the message is
	   finished in conf_result(). */
	if (!p->failed)
		snprintf(p->why, sizeof(p->why), "[%.50s] %.50s: %s", section,
		    name, why);
	p->failed = true;
	return 0;
}

/* Turn inih's result into 0 / -1 with a message. */
static int
conf_result(struct conf_parse *p, int r)
{
	if (r == -1) {
		snprintf(p->err, p->errlen, "%s: cannot open", p->name);
		return -1;
	}
	if (r != 0 || p->failed) {
		snprintf(p->err, p->errlen, "%s:%d: %s", p->name, r,
		    p->failed ? p->why : "syntax error");
		return -1;
	}
	return 0;
}

/* Read an INI file. */
int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	struct conf_parse p = { c, path, err, errlen, false, "" };

	return conf_result(&p, ini_parse(path, conf_handler, &p));
}

/* Read INI text. */
int
conf_load_string(struct conf *c, const char *text, const char *name,
    char *err, size_t errlen)
{
	struct conf_parse p = { c, name, err, errlen, false, "" };

	return conf_result(&p, ini_parse_string(text, conf_handler, &p));
}

/* The settings for --help. */
void
conf_help(FILE *f)
{
	size_t i;

	fprintf(f, "Settings (-c FILE, an INI file):\n");
	for (i = 0; i < CONF_NKEYS; i++)
		fprintf(f, "  [%s] %s = %s\n      %s\n", conf_keys[i].section,
		    conf_keys[i].name, conf_keys[i].def[0] != '\0' ?
		    conf_keys[i].def : "(unset)", conf_keys[i].help);
}
