/*
 * proto_ev.c - the server's events: one encoder per event, one decoder
 * for all of them (see proto_ev.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto_ev.h"

/* Words in a TIME ("23 Feb 2021 16:01:20"). */
#define EV_TIME_WORDS	4

/* The fixed words of the two INFO notices the client tells apart. */
#define EV_OFFCOUNT_ONE	"message arrived while you were offline"
#define EV_OFFCOUNT_N	"messages arrived while you were offline"
#define EV_UNDEL_HEAD	"Your message to "
#define EV_UNDEL_MID	" could not be delivered: "

/* printf into out; the length, or -1 when it did not fit. */
static int __attribute__((format(printf, 3, 4)))
ev_printf(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (n == 0)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n) {
		out[0] = '\0';
		return -1;
	}
	return len;
}

/* "* HELLO firmware-server PROTO 1" */
int
proto_ev_hello_encode(char *out, size_t n, const char *server, int version)
{
	return ev_printf(out, n, "* %s %s PROTO %d\n", PROTO_EV_HELLO, server,
	    version);
}

/* "* ONLINE USER IP UDPPORT TIME" */
int
proto_ev_online_encode(char *out, size_t n, const char *user,
    const char *ip, int port, const char *time)
{
	return ev_printf(out, n, "* %s %s %s %d %s\n", PROTO_EV_ONLINE, user,
	    ip, port, time);
}

/* "* OFFLINE USER REASON" */
int
proto_ev_offline_encode(char *out, size_t n, const char *user,
    const char *reason)
{
	return ev_printf(out, n, "* %s %s%s%s\n", PROTO_EV_OFFLINE, user,
	    *reason != '\0' ? " " : "", reason);
}

/* "* IDLE SECONDS" */
int
proto_ev_idle_encode(char *out, size_t n, int seconds)
{
	return ev_printf(out, n, "* %s %d\n", PROTO_EV_IDLE, seconds);
}

/* "* NAME CODE TEXT" for BYE and ERR. */
static int
ev_code_encode(char *out, size_t n, const char *name, const char *code,
    const char *text)
{
	return ev_printf(out, n, "* %s %s%s%s\n", name, code,
	    *text != '\0' ? " " : "", text);
}

/* "* BYE CODE TEXT" */
int
proto_ev_bye_encode(char *out, size_t n, const char *code, const char *text)
{
	return ev_code_encode(out, n, PROTO_EV_BYE, code, text);
}

/* "* ERR CODE TEXT": an error that answers no request. */
int
proto_ev_err_encode(char *out, size_t n, const char *code, const char *text)
{
	return ev_code_encode(out, n, "ERR", code, text);
}

/* "* INFO TEXT" */
int
proto_ev_info_encode(char *out, size_t n, const char *text)
{
	return ev_printf(out, n, "* %s%s%s\n", PROTO_EV_INFO,
	    *text != '\0' ? " " : "", text);
}

/* "* INFO N message(s) arrived while you were offline" */
int
proto_ev_offcount_encode(char *out, size_t n, unsigned long count)
{
	return ev_printf(out, n, "* %s %lu %s\n", PROTO_EV_INFO, count,
	    count == 1 ? EV_OFFCOUNT_ONE : EV_OFFCOUNT_N);
}

/* "* INFO Your message to USER@BOARD could not be delivered: REASON" */
int
proto_ev_undelivered_encode(char *out, size_t n, const char *to,
    const char *reason)
{
	return ev_printf(out, n, "* %s " EV_UNDEL_HEAD "%s" EV_UNDEL_MID "%s\n",
	    PROTO_EV_INFO, to, reason);
}

/* "* MSG FROM TIME id:ID TEXT" ("* MSG FROM TIME TEXT" without an id) */
int
proto_ev_msg_encode(char *out, size_t n, const char *from, const char *time,
    const char *id, const char *text)
{
	if (id == NULL)
		return ev_printf(out, n, "* %s %s %s %s\n", PROTO_EV_MSG, from,
		    time, text);
	return ev_printf(out, n, "* %s %s %s " PROTO_MSGID_PREFIX "%s %s\n",
	    PROTO_EV_MSG, from, time, id, text);
}

/* "* BCAST FROM TIME TEXT" */
int
proto_ev_bcast_encode(char *out, size_t n, const char *from,
    const char *time, const char *text)
{
	return ev_printf(out, n, "* %s %s %s %s\n", PROTO_EV_BCAST, from, time,
	    text);
}

/* "* GINVITE GROUP FROM MEMBER..." */
int
proto_ev_ginvite_encode(char *out, size_t n, const char *group,
    const char *from, const char *members)
{
	return ev_printf(out, n, "* %s %s %s %s\n", PROTO_EV_GINVITE, group,
	    from, members);
}

/* "* GMSG GROUP FROM TIME TEXT" */
int
proto_ev_gmsg_encode(char *out, size_t n, const char *group,
    const char *from, const char *time, const char *text)
{
	return ev_printf(out, n, "* %s %s %s %s %s\n", PROTO_EV_GMSG, group,
	    from, time, text);
}

/* "* FILEOFFER FROM XID SIZE IP PORT SECRET NAME" */
int
proto_ev_fileoffer_encode(char *out, size_t n, const char *from,
    unsigned long xid, long long size, const char *ip, int port,
    const char *secret, const char *name)
{
	return ev_printf(out, n, "* %s %s %lu %lld %s %d %s %s\n",
	    PROTO_EV_FILEOFFER, from, xid, size, ip, port, secret, name);
}

/* "* PRIVASK FROM SECRET" */
int
proto_ev_privask_encode(char *out, size_t n, const char *from,
    const char *secret)
{
	return ev_printf(out, n, "* %s %s %s\n", PROTO_EV_PRIVASK, from,
	    secret);
}

/* "* PRIVREPLY USER yes IP PORT SECRET" or "* PRIVREPLY USER no" */
int
proto_ev_privreply_encode(char *out, size_t n, const char *user, bool yes,
    const char *ip, int port, const char *secret)
{
	if (!yes)
		return ev_printf(out, n, "* %s %s no\n", PROTO_EV_PRIVREPLY,
		    user);
	return ev_printf(out, n, "* %s %s yes %s %d %s\n", PROTO_EV_PRIVREPLY,
	    user, ip, port, secret);
}

/* "* PRIVEND USER REASON" */
int
proto_ev_privend_encode(char *out, size_t n, const char *user,
    const char *reason)
{
	return ev_printf(out, n, "* %s %s%s%s\n", PROTO_EV_PRIVEND, user,
	    *reason != '\0' ? " " : "", reason);
}

/* Encode a decoded event again. */
int
proto_ev_encode(const struct proto_ev *ev, char *out, size_t n)
{
	const struct proto_ev_fileoffer *fo = &ev->u.fileoffer;
	const struct proto_ev_privreply *pr = &ev->u.privreply;

	switch (ev->type) {
	case PROTO_EVT_HELLO:
		return proto_ev_hello_encode(out, n, ev->u.hello.server,
		    ev->u.hello.version);
	case PROTO_EVT_ONLINE:
		return proto_ev_online_encode(out, n, ev->u.online.user,
		    ev->u.online.ip, ev->u.online.port, ev->u.online.time);
	case PROTO_EVT_OFFLINE:
		return proto_ev_offline_encode(out, n, ev->u.offline.user,
		    ev->u.offline.hidden ? PROTO_OFF_HIDDEN :
		    ev->u.offline.reason);
	case PROTO_EVT_IDLE:
		return proto_ev_idle_encode(out, n, ev->u.idle);
	case PROTO_EVT_BYE:
	case PROTO_EVT_ERR:
		return ev_code_encode(out, n, ev->type == PROTO_EVT_BYE ?
		    PROTO_EV_BYE : "ERR", ev->u.bye.code, ev->u.bye.text);
	case PROTO_EVT_INFO:
		return proto_ev_info_encode(out, n, ev->u.info);
	case PROTO_EVT_OFFCOUNT:
		return proto_ev_offcount_encode(out, n, ev->u.offcount);
	case PROTO_EVT_UNDELIVERED:
		return proto_ev_undelivered_encode(out, n, ev->u.undelivered.to,
		    ev->u.undelivered.reason);
	case PROTO_EVT_MSG:
		return proto_ev_msg_encode(out, n, ev->u.msg.from,
		    ev->u.msg.time, ev->u.msg.id, ev->u.msg.text);
	case PROTO_EVT_BCAST:
		return proto_ev_bcast_encode(out, n, ev->u.msg.from,
		    ev->u.msg.time, ev->u.msg.text);
	case PROTO_EVT_GINVITE:
		return proto_ev_ginvite_encode(out, n, ev->u.ginvite.group,
		    ev->u.ginvite.from, ev->u.ginvite.members);
	case PROTO_EVT_GMSG:
		return proto_ev_gmsg_encode(out, n, ev->u.gmsg.group,
		    ev->u.gmsg.from, ev->u.gmsg.time, ev->u.gmsg.text);
	case PROTO_EVT_FILEOFFER:
		return proto_ev_fileoffer_encode(out, n, fo->from, fo->xid,
		    fo->size, fo->ip, fo->port, fo->secret, fo->name);
	case PROTO_EVT_PRIVASK:
		return proto_ev_privask_encode(out, n, ev->u.privask.from,
		    ev->u.privask.secret);
	case PROTO_EVT_PRIVREPLY:
		return proto_ev_privreply_encode(out, n, pr->user, pr->yes,
		    pr->ip, pr->port, pr->secret);
	case PROTO_EVT_PRIVEND:
		return proto_ev_privend_encode(out, n, ev->u.privend.user,
		    ev->u.privend.reason);
	case PROTO_EVT_NONE:
		break;
	}
	if (n > 0)
		out[0] = '\0';
	return -1;
}

/* The next word at *p, cut off in place; NULL when there is none. */
static char *
ev_word(char **p)
{
	char *w = *p, *sp;

	if (*w == '\0' || *w == ' ')
		return NULL;
	if ((sp = strchr(w, ' ')) != NULL) {
		*sp = '\0';
		*p = sp + 1;
	} else
		*p = w + strlen(w);
	return w;
}

/* The rest at *p, which must not be empty; NULL when it is. */
static char *
ev_rest(char **p)
{
	char *r = *p;

	if (*r == '\0')
		return NULL;
	*p = r + strlen(r);
	return r;
}

/* The rest at *p after one space, "" when there is nothing more. */
static char *
ev_rest_opt(char **p)
{
	char *r = *p;

	*p = r + strlen(r);
	return r;
}

/* A TIME: four words at *p, cut off after the fourth; NULL if malformed. */
static char *
ev_time(char **p)
{
	char *t = *p, *q = *p;
	int i;

	for (i = 0; i < EV_TIME_WORDS; i++) {
		if (*q == '\0' || *q == ' ')
			return NULL;
		while (*q != '\0' && *q != ' ')
			q++;
		if (i < EV_TIME_WORDS - 1) {
			if (*q != ' ')
				return NULL;
			q++;
		}
	}
	if ((size_t)(q - t) > PROTO_TIME_MAX)
		return NULL;
	if (*q == ' ')
		*q++ = '\0';
	*p = q;
	return t;
}

/* A decimal word at *p in [min, max]. */
static bool
ev_int(char **p, long long min, long long max, long long *out)
{
	char *w = ev_word(p);

	return w != NULL && proto_parse_int(w, min, max, out) == 0;
}

/* A user or USER@BOARD word at *p; NULL if it is not one. */
static char *
ev_addr(char **p)
{
	char *w = ev_word(p);

	return w != NULL && proto_valid_addr(w) ? w : NULL;
}

/* A group name word at *p ([A-Za-z0-9]{1,PROTO_GROUP_MAX}). */
static char *
ev_group(char **p)
{
	char *w = ev_word(p);
	size_t i;

	if (w == NULL || strlen(w) > PROTO_GROUP_MAX)
		return NULL;
	for (i = 0; w[i] != '\0'; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		    (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9')))
			return NULL;
	return w;
}

/* A secret word at *p: PROTO_SECRET_HEX lower-case hex digits. */
static char *
ev_secret(char **p)
{
	char *w = ev_word(p);
	size_t i;

	if (w == NULL || strlen(w) != PROTO_SECRET_HEX)
		return NULL;
	for (i = 0; w[i] != '\0'; i++)
		if (!((w[i] >= '0' && w[i] <= '9') || (w[i] >= 'a' &&
		    w[i] <= 'f')))
			return NULL;
	return w;
}

/* Decode "USER IP UDPPORT TIME" in place. */
enum proto_err
proto_ev_user_decode(char *text, struct proto_ev_user *u)
{
	char *p = text;
	long long port;

	memset(u, 0, sizeof(*u));
	if ((u->user = ev_addr(&p)) == NULL || (u->ip = ev_word(&p)) == NULL ||
	    strlen(u->ip) > PROTO_IP_MAX || !ev_int(&p, 0, 65535, &port) ||
	    (u->time = ev_time(&p)) == NULL || *p != '\0')
		return PROTO_ERR_FIELD;
	u->port = (int)port;
	return PROTO_OK;
}

/* INFO: one of the two notices the client tells apart, or plain text. */
static void
ev_info_decode(char *text, struct proto_ev *ev)
{
	size_t len = strlen(text), hl = strlen(EV_UNDEL_HEAD);
	char *sp, *mid, *p;
	long long count;

	if ((sp = strchr(text, ' ')) != NULL) {
		*sp = '\0';
		if (proto_parse_int(text, 0, 0xffffffffLL, &count) == 0 &&
		    strcmp(sp + 1, count == 1 ? EV_OFFCOUNT_ONE :
		    EV_OFFCOUNT_N) == 0) {
			ev->type = PROTO_EVT_OFFCOUNT;
			ev->u.offcount = (unsigned long)count;
			return;
		}
		*sp = ' ';
	}
	if (len > hl && strncmp(text, EV_UNDEL_HEAD, hl) == 0 &&
	    (mid = strstr(text + hl, EV_UNDEL_MID)) != NULL) {
		*mid = '\0';
		p = text + hl;
		if (strchr(p, '@') != NULL && proto_valid_addr(p)) {
			ev->type = PROTO_EVT_UNDELIVERED;
			ev->u.undelivered.to = p;
			ev->u.undelivered.reason = mid + strlen(EV_UNDEL_MID);
			return;
		}
		*mid = ' ';	/* put back what was cut */
	}
	ev->type = PROTO_EVT_INFO;
	ev->u.info = text;
}

/* True when s is a message id. */
bool
proto_ev_valid_msgid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n > 0 && n <= PROTO_MSGID_MAX && s[n] == '\0';
}

/*
 * MSG's id at *p: a word "id:ID" with text after it, cut off; NULL (and
 * *p untouched) otherwise, so the line of a server before ids, whose text
 * comes right after TIME, still reads as it did.
 */
static const char *
ev_msgid(char **p)
{
	size_t pl = strlen(PROTO_MSGID_PREFIX);
	char *w = *p, *sp;

	if (strncmp(w, PROTO_MSGID_PREFIX, pl) != 0 ||
	    (sp = strchr(w, ' ')) == NULL || sp[1] == '\0')
		return NULL;
	*sp = '\0';
	if (!proto_ev_valid_msgid(w + pl)) {
		*sp = ' ';
		return NULL;
	}
	*p = sp + 1;
	return w + pl;
}

/* The fields of the events with a FROM TIME TEXT tail (MSG: an id may
   come before TEXT). */
static bool
ev_msg_decode(char **p, struct proto_ev_msg *m, bool dm)
{
	if ((m->from = ev_addr(p)) == NULL || (m->time = ev_time(p)) == NULL)
		return false;
	if (dm)
		m->id = ev_msgid(p);
	return (m->text = ev_rest(p)) != NULL;
}

/* FILEOFFER's fields. */
static bool
ev_fileoffer_decode(char **p, struct proto_ev_fileoffer *fo)
{
	long long xid, port;

	if ((fo->from = ev_word(p)) == NULL || !proto_valid_user(fo->from) ||
	    !ev_int(p, 1, 0xffffffffLL, &xid) ||
	    !ev_int(p, 0, 0x7fffffffffffffffLL, &fo->size) ||
	    (fo->ip = ev_word(p)) == NULL || strlen(fo->ip) > PROTO_IP_MAX ||
	    !ev_int(p, 1, 65535, &port) || (fo->secret = ev_secret(p)) == NULL ||
	    (fo->name = ev_rest(p)) == NULL ||
	    strlen(fo->name) > PROTO_FILENAME_MAX)
		return false;
	fo->xid = (unsigned long)xid;
	fo->port = (int)port;
	return true;
}

/* PRIVREPLY's fields. */
static bool
ev_privreply_decode(char **p, struct proto_ev_privreply *pr)
{
	long long port;
	char *ans;

	if ((pr->user = ev_addr(p)) == NULL || (ans = ev_word(p)) == NULL)
		return false;
	if (strcmp(ans, "no") == 0)
		return true;
	if (strcmp(ans, "yes") != 0 || (pr->ip = ev_word(p)) == NULL ||
	    strlen(pr->ip) > PROTO_IP_MAX || !ev_int(p, 1, 65535, &port) ||
	    (pr->secret = ev_secret(p)) == NULL)
		return false;
	pr->yes = true;
	pr->port = (int)port;
	return true;
}

/* Decode an event's text by its name. */
enum proto_err
proto_ev_decode(const char *name, char *text, struct proto_ev *ev)
{
	char *p = text, *w;
	long long v = 0;
	bool ok;

	memset(ev, 0, sizeof(*ev));
	if (strcmp(name, PROTO_EV_HELLO) == 0) {
		ev->type = PROTO_EVT_HELLO;
		ok = (ev->u.hello.server = ev_word(&p)) != NULL &&
		    (w = ev_word(&p)) != NULL && strcmp(w, "PROTO") == 0 &&
		    ev_int(&p, 0, 0x7fffffff, &v);
		ev->u.hello.version = (int)v;
	} else if (strcmp(name, PROTO_EV_ONLINE) == 0) {
		ev->type = PROTO_EVT_ONLINE;
		ok = proto_ev_user_decode(text, &ev->u.online) == PROTO_OK;
		p = "";
	} else if (strcmp(name, PROTO_EV_OFFLINE) == 0) {
		ev->type = PROTO_EVT_OFFLINE;
		ok = (ev->u.offline.user = ev_addr(&p)) != NULL;
		ev->u.offline.reason = ev_rest_opt(&p);
		ev->u.offline.hidden = strcmp(ev->u.offline.reason,
		    PROTO_OFF_HIDDEN) == 0;
	} else if (strcmp(name, PROTO_EV_IDLE) == 0) {
		ev->type = PROTO_EVT_IDLE;
		ok = ev_int(&p, 0, 0x7fffffff, &v);
		ev->u.idle = (int)v;
	} else if (strcmp(name, PROTO_EV_BYE) == 0 ||
	    strcmp(name, "ERR") == 0) {
		ev->type = *name == 'B' ? PROTO_EVT_BYE : PROTO_EVT_ERR;
		ok = (ev->u.bye.code = ev_word(&p)) != NULL;
		ev->u.bye.text = ev_rest_opt(&p);
	} else if (strcmp(name, PROTO_EV_INFO) == 0) {
		ev_info_decode(text, ev);
		ok = true;
		p = "";
	} else if (strcmp(name, PROTO_EV_MSG) == 0 ||
	    strcmp(name, PROTO_EV_BCAST) == 0) {
		ev->type = *name == 'M' ? PROTO_EVT_MSG : PROTO_EVT_BCAST;
		ok = ev_msg_decode(&p, &ev->u.msg,
		    ev->type == PROTO_EVT_MSG);
	} else if (strcmp(name, PROTO_EV_GINVITE) == 0) {
		ev->type = PROTO_EVT_GINVITE;
		ok = (ev->u.ginvite.group = ev_group(&p)) != NULL &&
		    (ev->u.ginvite.from = ev_addr(&p)) != NULL &&
		    (ev->u.ginvite.members = ev_rest(&p)) != NULL;
	} else if (strcmp(name, PROTO_EV_GMSG) == 0) {
		ev->type = PROTO_EVT_GMSG;
		ok = (ev->u.gmsg.group = ev_group(&p)) != NULL &&
		    (ev->u.gmsg.from = ev_addr(&p)) != NULL &&
		    (ev->u.gmsg.time = ev_time(&p)) != NULL &&
		    (ev->u.gmsg.text = ev_rest(&p)) != NULL;
	} else if (strcmp(name, PROTO_EV_FILEOFFER) == 0) {
		ev->type = PROTO_EVT_FILEOFFER;
		ok = ev_fileoffer_decode(&p, &ev->u.fileoffer);
	} else if (strcmp(name, PROTO_EV_PRIVASK) == 0) {
		ev->type = PROTO_EVT_PRIVASK;
		ok = (ev->u.privask.from = ev_word(&p)) != NULL &&
		    proto_valid_user(ev->u.privask.from) &&
		    (ev->u.privask.secret = ev_secret(&p)) != NULL;
	} else if (strcmp(name, PROTO_EV_PRIVREPLY) == 0) {
		ev->type = PROTO_EVT_PRIVREPLY;
		ok = ev_privreply_decode(&p, &ev->u.privreply);
	} else if (strcmp(name, PROTO_EV_PRIVEND) == 0) {
		ev->type = PROTO_EVT_PRIVEND;
		ok = (ev->u.privend.user = ev_addr(&p)) != NULL;
		ev->u.privend.reason = ev_rest_opt(&p);
	} else
		return PROTO_ERR_EVENT;
	if (!ok || *p != '\0') {
		memset(ev, 0, sizeof(*ev));
		return PROTO_ERR_FIELD;
	}
	return PROTO_OK;
}

/* Decode one whole line the server sent. */
enum proto_err
proto_ev_parse(char *line, struct proto_ev *ev)
{
	struct proto_msg msg;
	enum proto_err e;

	memset(ev, 0, sizeof(*ev));
	if ((e = proto_parse_msg(line, &msg)) != PROTO_OK)
		return e;
	if (msg.kind == PROTO_MSG_EVENT)
		return proto_ev_decode(msg.code, msg.text, ev);
	/* "* ERR CODE TEXT", checked by proto_parse_msg() above. */
	if (msg.kind == PROTO_MSG_ERR && strcmp(msg.tag, "*") == 0 &&
	    strncmp(line, "* ERR ", 6) == 0)
		return proto_ev_decode("ERR", line + 6, ev);
	return PROTO_ERR_KIND;
}

/* Two optional strings are equal (both NULL, or the same text). */
static bool
ev_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* True when a and b are the same event with the same fields. */
bool
proto_ev_equal(const struct proto_ev *a, const struct proto_ev *b)
{
	const struct proto_ev_fileoffer *fa = &a->u.fileoffer,
	    *fb = &b->u.fileoffer;
	const struct proto_ev_privreply *ra = &a->u.privreply,
	    *rb = &b->u.privreply;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case PROTO_EVT_HELLO:
		return ev_streq(a->u.hello.server, b->u.hello.server) &&
		    a->u.hello.version == b->u.hello.version;
	case PROTO_EVT_ONLINE:
		return ev_streq(a->u.online.user, b->u.online.user) &&
		    ev_streq(a->u.online.ip, b->u.online.ip) &&
		    a->u.online.port == b->u.online.port &&
		    ev_streq(a->u.online.time, b->u.online.time);
	case PROTO_EVT_OFFLINE:
		return ev_streq(a->u.offline.user, b->u.offline.user) &&
		    ev_streq(a->u.offline.reason, b->u.offline.reason) &&
		    a->u.offline.hidden == b->u.offline.hidden;
	case PROTO_EVT_IDLE:
		return a->u.idle == b->u.idle;
	case PROTO_EVT_BYE:
	case PROTO_EVT_ERR:
		return ev_streq(a->u.bye.code, b->u.bye.code) &&
		    ev_streq(a->u.bye.text, b->u.bye.text);
	case PROTO_EVT_INFO:
		return ev_streq(a->u.info, b->u.info);
	case PROTO_EVT_OFFCOUNT:
		return a->u.offcount == b->u.offcount;
	case PROTO_EVT_UNDELIVERED:
		return ev_streq(a->u.undelivered.to, b->u.undelivered.to) &&
		    ev_streq(a->u.undelivered.reason, b->u.undelivered.reason);
	case PROTO_EVT_MSG:
	case PROTO_EVT_BCAST:
		return ev_streq(a->u.msg.from, b->u.msg.from) &&
		    ev_streq(a->u.msg.time, b->u.msg.time) &&
		    ev_streq(a->u.msg.id, b->u.msg.id) &&
		    ev_streq(a->u.msg.text, b->u.msg.text);
	case PROTO_EVT_GINVITE:
		return ev_streq(a->u.ginvite.group, b->u.ginvite.group) &&
		    ev_streq(a->u.ginvite.from, b->u.ginvite.from) &&
		    ev_streq(a->u.ginvite.members, b->u.ginvite.members);
	case PROTO_EVT_GMSG:
		return ev_streq(a->u.gmsg.group, b->u.gmsg.group) &&
		    ev_streq(a->u.gmsg.from, b->u.gmsg.from) &&
		    ev_streq(a->u.gmsg.time, b->u.gmsg.time) &&
		    ev_streq(a->u.gmsg.text, b->u.gmsg.text);
	case PROTO_EVT_FILEOFFER:
		return ev_streq(fa->from, fb->from) && fa->xid == fb->xid &&
		    fa->size == fb->size && ev_streq(fa->ip, fb->ip) &&
		    fa->port == fb->port && ev_streq(fa->secret, fb->secret) &&
		    ev_streq(fa->name, fb->name);
	case PROTO_EVT_PRIVASK:
		return ev_streq(a->u.privask.from, b->u.privask.from) &&
		    ev_streq(a->u.privask.secret, b->u.privask.secret);
	case PROTO_EVT_PRIVREPLY:
		return ev_streq(ra->user, rb->user) && ra->yes == rb->yes &&
		    ev_streq(ra->ip, rb->ip) && ra->port == rb->port &&
		    ev_streq(ra->secret, rb->secret);
	case PROTO_EVT_PRIVEND:
		return ev_streq(a->u.privend.user, b->u.privend.user) &&
		    ev_streq(a->u.privend.reason, b->u.privend.reason);
	case PROTO_EVT_NONE:
		break;
	}
	return true;
}

/* A WHO line: "USER IP UDPPORT TIME". */
int
proto_ev_who_encode(char *out, size_t n, const char *user, const char *ip,
    int port, const char *time)
{
	return ev_printf(out, n, "%s %s %d %s", user, ip, port, time);
}

/* A WHOSINCE line: "USER online" or "USER TIME". */
int
proto_ev_since_encode(char *out, size_t n, const char *user, bool online,
    const char *time)
{
	return ev_printf(out, n, "%s %s", user, online ? "online" : time);
}

/* A READPOSTS line: "N USER no|yes TIME TEXT". */
int
proto_ev_post_encode(char *out, size_t n, unsigned long num,
    const char *user, bool edited, const char *time, const char *text)
{
	return ev_printf(out, n, "%lu %s %s %s %s", num, user,
	    edited ? "yes" : "no", time, text);
}

/* SENDFILE's OK: "XID IP PORT SECRET". */
int
proto_ev_fileok_encode(char *out, size_t n, unsigned long xid,
    const char *ip, int port, const char *secret)
{
	return ev_printf(out, n, "%lu %s %d %s", xid, ip, port, secret);
}

/* Decode a WHOSINCE line in place. */
enum proto_err
proto_ev_since_decode(char *text, struct proto_ev_since *r)
{
	char *p = text;

	memset(r, 0, sizeof(*r));
	if ((r->user = ev_addr(&p)) == NULL)
		goto bad;
	if (strcmp(p, "online") == 0)
		r->online = true;
	else if ((r->time = ev_time(&p)) == NULL || *p != '\0')
		goto bad;
	return PROTO_OK;
bad:
	memset(r, 0, sizeof(*r));
	return PROTO_ERR_FIELD;
}

/* Decode a READPOSTS line in place. */
enum proto_err
proto_ev_post_decode(char *text, struct proto_ev_post *r)
{
	char *p = text, *ed;
	long long num;

	memset(r, 0, sizeof(*r));
	if (!ev_int(&p, 1, 0xffffffffLL, &num) ||
	    (r->user = ev_addr(&p)) == NULL || (ed = ev_word(&p)) == NULL ||
	    (strcmp(ed, "yes") != 0 && strcmp(ed, "no") != 0) ||
	    (r->time = ev_time(&p)) == NULL || (r->text = ev_rest(&p)) == NULL) {
		memset(r, 0, sizeof(*r));
		return PROTO_ERR_FIELD;
	}
	r->n = (unsigned long)num;
	r->edited = *ed == 'y';
	return PROTO_OK;
}

/* Decode SENDFILE's OK text in place. */
enum proto_err
proto_ev_fileok_decode(char *text, struct proto_ev_fileok *r)
{
	char *p = text;
	long long xid, port;

	memset(r, 0, sizeof(*r));
	if (!ev_int(&p, 1, 0xffffffffLL, &xid) || (r->ip = ev_word(&p)) ==
	    NULL || strlen(r->ip) > PROTO_IP_MAX || !ev_int(&p, 1, 65535,
	    &port) || (r->secret = ev_secret(&p)) == NULL || *p != '\0') {
		memset(r, 0, sizeof(*r));
		return PROTO_ERR_FIELD;
	}
	r->xid = (unsigned long)xid;
	r->port = (int)port;
	return PROTO_OK;
}
