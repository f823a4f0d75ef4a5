/*
 * config.c - the server's settings, driven by one table.
 *
 * Every setting is one row of settings[] below: section, key, type, bounds,
 * default and one line of help.  The defaults, the INI loader and its error
 * messages, config_set (command-line overrides), --help and the sample
 * etc/firmware-server.ini are all generated from that row, so they cannot
 * disagree (tmux options-table.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "accounts.h"
#include "config.h"
#include "fed_codec.h"
#include "log.h"
#include "proto.h"

#define CONFIG_FILE_MAX		(64 * 1024)	/* bytes in a config file */
#define CONFIG_NAME_MAX		64	/* section and key names we keep */
#define CONFIG_SAMPLE_MAX	40	/* bytes of a bad value echoed back */

enum config_type {
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_STRING,
	CONFIG_PATH,
	CONFIG_LOGLEVEL,
};

/* Extra check for a string setting: NULL when fine, else the reason. */
typedef const char *(*config_check)(const char *value);

struct config_entry {
	const char	*section;
	const char	*key;
	enum config_type type;
	long		 min;		/* CONFIG_INT; strings: -1 = may
					   be empty (a feature left off) */
	long		 max;		/* CONFIG_INT: value; strings: length */
	const char	*def;		/* default, parsed like a value */
	const char	*help;		/* one line for --help, sample */
	size_t		 off;		/* offsetof the field */
	size_t		 size;		/* sizeof the field */
	config_check	 check;		/* optional, strings only */
};

#define SIZEOF(f)	sizeof(((struct config *)0)->f)
#define FIELD(f)	offsetof(struct config, f), SIZEOF(f)

static const char *check_listen(const char *);
static const char *check_board(const char *);
static const char *check_prefix(const char *);
static const char *check_broker(const char *);

/* Keep the rows grouped by section: the sample prints them in this order. */
static const struct config_entry settings[] = {
	{ "server", "listen", CONFIG_STRING, 0, SIZEOF(listen) - 1, "0.0.0.0",
	  "address to listen on: an IPv4 or IPv6 literal, or * for any",
	  FIELD(listen), check_listen },
	{ "server", "port", CONFIG_INT, 1, 65535, "4000",
	  "TCP port to listen on", FIELD(port), NULL },
	{ "server", "max_clients", CONFIG_INT, 1, 100000, "1024",
	  "most clients connected at once; more are turned away",
	  FIELD(max_clients), NULL },
	{ "server", "idle_timeout", CONFIG_INT, 0, 86400, "0",
	  "seconds of silence before a client is disconnected, 0 = off",
	  FIELD(idle_timeout), NULL },
	{ "server", "login_timeout", CONFIG_INT, 0, 3600, "60",
	  "seconds a new connection has to log in, 0 = off",
	  FIELD(login_timeout), NULL },
	{ "server", "address_pending", CONFIG_INT, 0, 100000, "16",
	  "connections from one address that have not logged in yet; more "
	  "are turned away, 0 = no limit", FIELD(address_pending), NULL },
	{ "accounts", "credentials", CONFIG_PATH, 0, CONFIG_PATH_MAX - 1,
	  "credentials.txt",
	  "file of \"username password\" lines, relative to storage.data_dir",
	  FIELD(credentials), NULL },
	{ "accounts", "attempts", CONFIG_INT, 1, 5, "3",
	  "failed logins in a row before the user name is blocked",
	  FIELD(attempts), NULL },
	{ "accounts", "block_seconds", CONFIG_INT, 1, 86400, "10",
	  "seconds a user name stays blocked after too many failed logins",
	  FIELD(block_seconds), NULL },
	{ "accounts", "registration", CONFIG_BOOL, 0, 0, "no",
	  "let unknown users create an account from the client",
	  FIELD(registration), NULL },
	{ "accounts", "address_attempts", CONFIG_INT, 0, 1000, "10",
	  "failed logins from one address (any names) before it is refused "
	  "for a while, 0 = off", FIELD(address_attempts), NULL },
	{ "accounts", "address_block_seconds", CONFIG_INT, 1, 86400, "60",
	  "seconds an address is refused; also how long its failures count",
	  FIELD(address_block_seconds), NULL },
	{ "accounts", "registrations_per_hour", CONFIG_INT, 0, 100000, "5",
	  "accounts one address may register within an hour, 0 = no limit",
	  FIELD(registrations_per_hour), NULL },
	{ "accounts", "max_accounts", CONFIG_INT, 1, ACCOUNTS_MAX, "10000",
	  "registration is refused once the credentials hold this many accounts",
	  FIELD(max_accounts), NULL },
	{ "storage", "data_dir", CONFIG_PATH, 0, CONFIG_PATH_MAX - 1, ".",
	  "directory the server keeps its files in",
	  FIELD(data_dir), NULL },
	{ "storage", "fsync_interval_ms", CONFIG_INT, 0, 10000, "0",
	  "0: appends reach the disk before their reply; N: fsync'd within "
	  "N ms (fewer SD-card writes; a power cut may lose the last N ms)",
	  FIELD(fsync_interval_ms), NULL },
	{ "limits", "output_limit_kb", CONFIG_INT, 16, 65536, "1024",
	  "KiB of output queued for one client at most",
	  FIELD(output_limit_kb), NULL },
	{ "limits", "output_budget_mb", CONFIG_INT, 1, 65536, "16",
	  "MiB of output queued for all clients together; past it, a client "
	  "with over 64 KiB waiting is dropped", FIELD(output_budget_mb), NULL },
	{ "log", "level", CONFIG_LOGLEVEL, 0, 0, "info",
	  "least important kind of message that is logged",
	  FIELD(log_level), NULL },
	{ "tls", "listen", CONFIG_STRING, 0, SIZEOF(tls_listen) - 1, "0.0.0.0",
	  "address of the TLS listener: an IPv4 or IPv6 literal, or *",
	  FIELD(tls_listen), check_listen },
	{ "tls", "port", CONFIG_INT, 0, 65535, "0",
	  "TCP port of the TLS 1.3 listener (implicit TLS), 0 = off",
	  FIELD(tls_port), NULL },
	{ "tls", "cert", CONFIG_PATH, 0, CONFIG_PATH_MAX - 1, "tls-cert.pem",
	  "PEM certificate (chain), relative to storage.data_dir; made "
	  "self-signed at first start when it and the key are missing",
	  FIELD(tls_cert), NULL },
	{ "tls", "key", CONFIG_PATH, 0, CONFIG_PATH_MAX - 1, "tls-key.pem",
	  "PEM private key of the certificate, relative to storage.data_dir "
	  "(made with it, mode 0600)", FIELD(tls_key), NULL },
	{ "federation", "broker", CONFIG_STRING, -1, SIZEOF(fed_broker) - 1, "",
	  "HOST:PORT of the MQTT broker boards federate through; empty = off",
	  FIELD(fed_broker), check_broker },
	{ "federation", "board", CONFIG_STRING, -1, SIZEOF(fed_board) - 1, "",
	  "this board's name ([A-Za-z0-9_-], at most 32); empty = host name",
	  FIELD(fed_board), check_board },
	{ "federation", "prefix", CONFIG_STRING, 1, SIZEOF(fed_prefix) - 1,
	  "fs", "first levels of every topic (docs/FEDERATION.md)",
	  FIELD(fed_prefix), check_prefix },
	{ "federation", "username", CONFIG_STRING, -1, SIZEOF(fed_username) - 1,
	  "", "user name at the broker; empty = anonymous",
	  FIELD(fed_username), NULL },
	{ "federation", "password_file", CONFIG_PATH, -1, CONFIG_PATH_MAX - 1,
	  "", "file whose first line is the broker password, relative to "
	  "storage.data_dir", FIELD(fed_password_file), NULL },
	{ "federation", "tls", CONFIG_BOOL, 0, 0, "no",
	  "TLS to the broker (verified against ca, or the system's CAs)",
	  FIELD(fed_tls), NULL },
	{ "federation", "ca", CONFIG_PATH, -1, CONFIG_PATH_MAX - 1, "",
	  "CA certificate file for tls; empty = the system's",
	  FIELD(fed_ca), NULL },
	{ "federation", "keepalive", CONFIG_INT, 5, 600, "10",
	  "MQTT keep-alive seconds; a dead board leaves the lists within 1.5x",
	  FIELD(fed_keepalive), NULL },
	{ "federation", "homeassistant", CONFIG_BOOL, 0, 0, "no",
	  "also publish Home Assistant discovery for each edge file's average",
	  FIELD(fed_homeassistant), NULL },
};
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* State of one INI load, shared by the line reader and the handler. */
struct config_load {
	struct config	*c;
	const char	*name;		/* file name for messages */
	const char	*text;		/* whole file, pre-checked */
	size_t		 len;
	size_t		 pos;		/* next byte the reader hands out */
	int		 lineno;	/* line inih is working on */
	const char	*line;		/* that line, raw */
	size_t		 linelen;
	char		 prev_key[CONFIG_NAME_MAX];	/* inih's prev_name */
	int		 seen[NSETTINGS];	/* line each key was set on */
	int		 errline;	/* first error found by us, 0 if none */
	char		*err;
	size_t		 errlen;
};

/* "*" or an IPv4/IPv6 literal. */
static const char *
check_listen(const char *value)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strcmp(value, "*") == 0 ||
	    inet_pton(AF_INET, value, &a4) == 1 ||
	    inet_pton(AF_INET6, value, &a6) == 1)
		return NULL;
	return "must be an IPv4 or IPv6 address, or *";
}

/* Empty, or a board name (it is an MQTT topic level). */
static const char *
check_board(const char *value)
{
	if (value[0] == '\0' || proto_valid_board(value))
		return NULL;
	return "must be 1 to 32 letters, digits, '_' or '-'";
}

/* Topic levels of [A-Za-z0-9_-] joined by '/'. */
static const char *
check_prefix(const char *value)
{
	if (fed_valid_prefix(value))
		return NULL;
	return "must be topic levels of letters, digits, '_' or '-' joined "
	    "by '/' (no wildcards, no leading or trailing '/')";
}

/* Empty, or HOST:PORT with a port in 1..65535. */
static const char *
check_broker(const char *value)
{
	const char *colon = strrchr(value, ':');
	char *end;
	long p;

	if (value[0] == '\0')
		return NULL;
	if (colon == NULL || colon == value || colon[1] == '\0')
		return "must be HOST:PORT (e.g. 127.0.0.1:1883)";
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return "the port must be from 1 to 65535";
	return NULL;
}

/* Printf into err when there is room; err may be NULL with errlen 0. */
static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copy a short, printable sample of untrusted text for a message. */
static const char *
sample(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	if (s[i] != '\0' && i >= 3)
		memcpy(buf + i - 3, "...", 3);
	return buf;
}

/* Parse decimal digits only, no sign, no spaces; 0 or -1. */
static int
parse_int(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v <= max)	/* stop growing once out of range */
			v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* yes/no, true/false, on/off, 1/0 in any case; 0 or -1. */
static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/*
 * Check value against e and, when it passes, store it in c.  Returns NULL,
 * or the reason it was refused (written into buf when it needs numbers).
 * Nothing is stored on failure.
 */
static const char *
entry_set(struct config *c, const struct config_entry *e, const char *value,
    char *buf, size_t size)
{
	char *field = (char *)c + e->off;
	enum log_level level;
	const char *why;
	size_t len, i, limit;
	long n;
	bool b;

	switch (e->type) {
	case CONFIG_INT:
		if (parse_int(value, e->min, e->max, &n) == -1) {
			snprintf(buf, size, "must be an integer from %ld "
			    "to %ld", e->min, e->max);
			return buf;
		}
		*(int *)(void *)field = (int)n;
		return NULL;
	case CONFIG_BOOL:
		if (parse_bool(value, &b) == -1)
			return "must be yes or no (or true/false, on/off, 1/0)";
		*(bool *)(void *)field = b;
		return NULL;
	case CONFIG_LOGLEVEL:
		if (log_level_parse(value, &level) == -1)
			return "must be error, warn, info or debug";
		*(int *)(void *)field = (int)level;
		return NULL;
	case CONFIG_STRING:
	case CONFIG_PATH:
		len = strlen(value);
		if (len == 0 && e->min < 0) {
			*(char *)field = '\0';
			return NULL;
		}
		if (len == 0)
			return "must not be empty";
		limit = (size_t)e->max;
		if (limit > e->size - 1)
			limit = e->size - 1;
		if (len > limit) {
			snprintf(buf, size, "longer than %zu bytes", limit);
			return buf;
		}
		for (i = 0; i < len; i++) {
			if (iscntrl((unsigned char)value[i]))
				return "contains a control character";
		}
		if (e->check != NULL && (why = e->check(value)) != NULL)
			return why;
		memcpy(field, value, len + 1);
		return NULL;
	}
	return "unknown setting type";
}

/* The row for section and key, or NULL. */
static const struct config_entry *
entry_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].section, section) == 0 &&
		    strcmp(settings[i].key, key) == 0)
			return &settings[i];
	}
	return NULL;
}

/* Whether any row lives in section. */
static bool
section_known(const char *section)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].section, section) == 0)
			return true;
	}
	return false;
}

void
config_defaults(struct config *c)
{
	const char *why;
	char buf[CONFIG_ERR_MAX];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NSETTINGS; i++) {
		why = entry_set(c, &settings[i], settings[i].def, buf,
		    sizeof(buf));
		if (why != NULL)
			fatalx("config: default of %s.%s: %s",
			    settings[i].section, settings[i].key, why);
	}
}

int
config_set(struct config *c, const char *key, const char *value,
    char *err, size_t errlen)
{
	const struct config_entry *e = NULL;
	const char *dot, *why;
	char section[CONFIG_NAME_MAX], buf[CONFIG_ERR_MAX];
	char s[CONFIG_SAMPLE_MAX];
	size_t i, n;

	if ((dot = strchr(key, '.')) != NULL) {
		n = (size_t)(dot - key);
		if (n < sizeof(section)) {
			memcpy(section, key, n);
			section[n] = '\0';
			e = entry_find(section, dot + 1);
		}
	} else {
		/* Key names are unique across sections but [tls]'s listen
		   and port, which need "tls.": the first row wins (a test
		   checks). */
		for (i = 0; i < NSETTINGS && e == NULL; i++) {
			if (strcmp(settings[i].key, key) == 0)
				e = &settings[i];
		}
	}
	if (e == NULL) {
		seterr(err, errlen, "%s: unknown setting",
		    sample(key, s, sizeof(s)));
		return -1;
	}
	if ((why = entry_set(c, e, value, buf, sizeof(buf))) != NULL) {
		seterr(err, errlen, "%s: %s", sample(key, s, sizeof(s)), why);
		return -1;
	}
	return 0;
}

/* Record the first error of a load as "NAME:LINE: text". */
static void
load_error(struct config_load *ld, int lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
load_error(struct config_load *ld, int lineno, const char *fmt, ...)
{
	char text[CONFIG_ERR_MAX];
	va_list ap;

	if (ld->errline != 0)
		return;
	ld->errline = lineno;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	seterr(ld->err, ld->errlen, "%s:%d: %s", ld->name, lineno, text);
}

/*
 * Look at a line before inih does, only to catch section headers: inih
 * calls the handler for keys alone, so an unknown (or empty) section would
 * otherwise go unnoticed, and the handler needs to know that a header has
 * reset inih's "previous key".  The rules follow inih: leading white space
 * is skipped, but an indented line after a key is a continuation of that
 * key, not a header; the name ends at ']' or at a " ;" comment (then inih
 * itself reports the line as a syntax error).
 */
static void
load_scan_section(struct config_load *ld)
{
	char name[CONFIG_NAME_MAX], s[CONFIG_SAMPLE_MAX];
	const char *p = ld->line, *end = ld->line + ld->linelen;
	const char *q;
	size_t n;

	if (ld->lineno == 1 && ld->linelen >= 3 &&
	    memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;		/* UTF-8 BOM, skipped by inih */
	else if (ld->prev_key[0] != '\0' && p < end &&
	    isspace((unsigned char)*p))
		return;			/* continuation line */
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p != '[')
		return;
	for (q = ++p; q < end && *q != ']'; q++) {
		if (*q == ';' && isspace((unsigned char)q[-1]))
			return;		/* no ']': inih's syntax error */
	}
	if (q == end)
		return;
	ld->prev_key[0] = '\0';
	n = (size_t)(q - p);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	if (!section_known(name))
		load_error(ld, ld->lineno, "unknown section [%s]",
		    sample(name, s, sizeof(s)));
}

/*
 * inih's line reader: hands out one line per call.  inih asks for the next
 * line only after it has finished the last one (calling the handler at most
 * once for it), so ld->lineno is always the line the handler is called for;
 * this is how we know line numbers without INI_HANDLER_LINENO, which the
 * system library lacks.  It holds because every line fits inih's buffer
 * (load_text refuses lines over CONFIG_LINE_MAX first), so inih never gets a
 * line in two pieces.  Returning NULL after our first error stops the parse.
 * (ini_parse_string is the same ini_parse_stream call with a reader that
 * keeps no count; guessing lines from a second, home-made INI scanner could
 * drift from inih's rules.)
 */
static char *
load_read_line(char *str, int num, void *stream)
{
	struct config_load *ld = stream;
	const char *nl;
	size_t n;

	if (ld->errline != 0 || ld->pos >= ld->len || num < 2)
		return NULL;
	nl = memchr(ld->text + ld->pos, '\n', ld->len - ld->pos);
	n = nl != NULL ? (size_t)(nl - (ld->text + ld->pos)) + 1 :
	    ld->len - ld->pos;
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;	/* cannot happen, see above */
	memcpy(str, ld->text + ld->pos, n);
	str[n] = '\0';
	ld->line = ld->text + ld->pos;
	ld->linelen = n;
	ld->pos += n;
	ld->lineno++;
	load_scan_section(ld);
	return str;
}

/* One "name = value" from inih, checked in order; 0 or -1. */
static int
load_pair(struct config_load *ld, const char *section, const char *name,
    const char *value)
{
	const struct config_entry *e;
	char buf[CONFIG_ERR_MAX], s1[CONFIG_SAMPLE_MAX], s2[CONFIG_SAMPLE_MAX];
	const char *why;
	bool indented;
	size_t i;

	indented = ld->linelen > 0 && isspace((unsigned char)ld->line[0]);
	if (indented && ld->prev_key[0] != '\0' &&
	    strcmp(ld->prev_key, name) == 0) {
		load_error(ld, ld->lineno, "indented line continues '%s' "
		    "(continuation lines are not allowed)",
		    sample(name, s1, sizeof(s1)));
		return -1;
	}
	snprintf(ld->prev_key, sizeof(ld->prev_key), "%s", name);

	if (*section == '\0') {
		load_error(ld, ld->lineno, "key '%s' is outside any section",
		    sample(name, s1, sizeof(s1)));
		return -1;
	}
	if (!section_known(section)) {
		load_error(ld, ld->lineno, "unknown section [%s]",
		    sample(section, s1, sizeof(s1)));
		return -1;
	}
	if ((e = entry_find(section, name)) == NULL) {
		load_error(ld, ld->lineno, "unknown key '%s' in section [%s]",
		    sample(name, s1, sizeof(s1)),
		    sample(section, s2, sizeof(s2)));
		return -1;
	}
	i = (size_t)(e - settings);
	if (ld->seen[i] != 0) {
		load_error(ld, ld->lineno, "'%s' already set on line %d",
		    e->key, ld->seen[i]);
		return -1;
	}
	ld->seen[i] = ld->lineno;

	if ((why = entry_set(ld->c, e, value, buf, sizeof(buf))) != NULL) {
		if (*value == '\0')
			load_error(ld, ld->lineno, "%s has no value; %s",
			    e->key, why);
		else
			load_error(ld, ld->lineno, "%s = %s: %s", e->key,
			    sample(value, s1, sizeof(s1)), why);
		return -1;
	}
	return 0;
}

/* The one place that speaks inih's "non-zero means success". */
static int
load_handler(void *user, const char *section, const char *name,
    const char *value)
{
	return load_pair(user, section, name, value) == 0;
}

/*
 * Load text[0..len) over c.  The whole text is checked for over-long lines
 * and NUL bytes first, because inih would cut such lines silently.
 */
static int
load_text(struct config *c, const char *name, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct config_load ld;
	const char *p = text, *end = text + len, *nl;
	size_t n;
	int line, r;

	for (line = 1; p < end; line++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > CONFIG_LINE_MAX) {
			seterr(err, errlen, "%s:%d: line longer than %d bytes",
			    name, line, CONFIG_LINE_MAX);
			return -1;
		}
		if (memchr(p, '\0', n) != NULL) {
			seterr(err, errlen, "%s:%d: NUL byte in line", name,
			    line);
			return -1;
		}
	}

	memset(&ld, 0, sizeof(ld));
	ld.c = c;
	ld.name = name;
	ld.text = text;
	ld.len = len;
	ld.err = err;
	ld.errlen = errlen;
	r = ini_parse_stream(load_read_line, &ld, load_handler, &ld);
	if (r < 0) {
		seterr(err, errlen, "%s: cannot parse (inih error %d)", name,
		    r);
		return -1;
	}
	/* inih returns the first line that failed, ours or its own. */
	if (r > 0 && (ld.errline == 0 || r < ld.errline)) {
		seterr(err, errlen, "%s:%d: syntax error", name, r);
		return -1;
	}
	return ld.errline != 0 ? -1 : 0;
}

int
config_load_string(struct config *c, const char *name, const char *text,
    char *err, size_t errlen)
{
	return load_text(c, name, text, strlen(text), err, errlen);
}

int
config_load_file(struct config *c, const char *path, char *err,
    size_t errlen)
{
	char *text;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells a too large file. */
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (len < CONFIG_FILE_MAX + 1) {
		n = read(fd, text + len, CONFIG_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			r = -1;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		seterr(err, errlen, "%s: larger than %d KiB", path,
		    CONFIG_FILE_MAX / 1024);
		r = -1;
		goto out;
	}
	r = load_text(c, path, text, len, err, errlen);
out:
	free(text);
	close(fd);
	return r;
}

/* "integer 1..65535" and the like, for --help and the sample. */
static const char *
entry_describe(const struct config_entry *e, char *buf, size_t size)
{
	switch (e->type) {
	case CONFIG_INT:
		snprintf(buf, size, "integer %ld..%ld", e->min, e->max);
		break;
	case CONFIG_BOOL:
		snprintf(buf, size, "yes or no");
		break;
	case CONFIG_STRING:
		snprintf(buf, size, "text, at most %ld bytes", e->max);
		break;
	case CONFIG_PATH:
		snprintf(buf, size, "path, at most %ld bytes", e->max);
		break;
	case CONFIG_LOGLEVEL:
		snprintf(buf, size, "error, warn, info or debug");
		break;
	}
	return buf;
}

void
config_print_help(FILE *fp)
{
	char head[CONFIG_ERR_MAX], desc[128];
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		snprintf(head, sizeof(head), "%s.%s = %s", settings[i].section,
		    settings[i].key, settings[i].def);
		fprintf(fp, "  %-29s (%s)\n      %s\n", head,
		    entry_describe(&settings[i], desc, sizeof(desc)),
		    settings[i].help);
	}
}

void
config_print_sample(FILE *fp)
{
	const char *section = NULL;
	char desc[128];
	size_t i;

	fprintf(fp, "; firmware-server.ini - settings of firmware-server.\n"
	    ";\n"
	    "; Generated from the settings table in firmware-server/config.c\n"
	    "; (firmware-server --help lists the same).  Every key is shown\n"
	    "; with its built-in default; a key left out keeps its default.\n"
	    "; Lines are at most %d bytes; a comment after a value needs a\n"
	    "; space before its ';'.\n", CONFIG_LINE_MAX);
	for (i = 0; i < NSETTINGS; i++) {
		if (section == NULL ||
		    strcmp(section, settings[i].section) != 0) {
			section = settings[i].section;
			fprintf(fp, "\n[%s]\n", section);
		}
		fprintf(fp, "\n; %s\n; %s\n%s = %s\n", settings[i].help,
		    entry_describe(&settings[i], desc, sizeof(desc)),
		    settings[i].key, settings[i].def);
	}
}
