/*
 * model.c - the client's state: users online, scrollback, login state and
 * prompt.  Pure: no I/O, no logging, no curses, so Check can test it.
 *
 * The scrollback is a ring of line pointers; each line's text is its own
 * allocation of exactly its length, so 2000 short lines cost little and
 * the bound in bytes is scrollback * MODEL_LINE_MAX at worst.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "msgid.h"
#include "proto_ev.h"
#include "sanitize.h"

struct model {
	struct model_line	*lines;		/* ring of cap entries */
	size_t			 cap;
	size_t			 head;		/* oldest line */
	size_t			 count;
	unsigned long		 seq;		/* lines ever added */

	struct model_user	*users;		/* grows up to MODEL_USERS_MAX */
	size_t			 nusers;
	size_t			 users_cap;

	char			 conv[MODEL_CONV_MAX];	/* for the next line */
	bool			 conv_own;
	char			 stamp[32];	/* strftime format, "" none */
	int			 yday;		/* day of the last stamp */
	int			 year;
	time_t			(*now)(time_t *);	/* the wall clock */

	enum model_state	 state;
	char			 self[PROTO_USER_MAX + 1];
	enum model_input	 input;
	char			 prompt[MODEL_PROMPT_MAX];
	struct model_cbs	 cbs;

	struct model_xfer	 xfers[MODEL_XFER_MAX];	/* in order of start */
	size_t			 nxfers;
	int			 next_xfer;

	char	 recent[MODEL_RECENT_MAX][PROTO_USER_MAX + 1];	/* newest first */
	size_t	 nrecent;
	char	 private[MODEL_PRIVATE_MAX][PROTO_USER_MAX + 1];
	size_t	 nprivate;
	char	 blocked[MODEL_PRIVATE_MAX][PROTO_USER_MAX + 1];
	size_t	 nblocked;

	struct msgid_set	*ids;	/* direct messages shown, by id */
	char			*held;	/* an announcement waiting, or NULL */
	unsigned long		 held_for;	/* the messages it announces */
};

static void	 model_users_changed(struct model *m);
static ssize_t	 model_user_index(const struct model *m, const char *name);

/* A new model keeping at most scrollback lines. */
struct model *
model_new(size_t scrollback)
{
	struct model *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cap = scrollback > 0 ? scrollback : MODEL_SCROLLBACK_DEFAULT;
	if ((m->lines = calloc(m->cap, sizeof(*m->lines))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

/* Free the model and every line. */
void
model_free(struct model *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->count; i++)
		free(m->lines[(m->head + i) % m->cap].text);
	free(m->lines);
	free(m->users);
	msgid_free(m->ids);
	free(m->held);
	free(m);
}

/* A repeat of a direct message shown before. */
bool
model_msg_repeat(struct model *m, const char *from, const char *id)
{
	/* Without memory for the set every message is shown: never lost. */
	if (m->ids == NULL && (m->ids = msgid_new(MSGID_KEEP)) == NULL)
		return false;
	if (!msgid_seen(m->ids, from, id))
		return false;
	/* Every message the held announcement was for came again. */
	if (m->held != NULL && --m->held_for == 0) {
		free(m->held);
		m->held = NULL;
	}
	return true;
}

/* Add the held announcement now (model_add_line() took the next line's
   conversation aside first). */
static void
model_release(struct model *m)
{
	char *text = m->held;

	if (text == NULL)
		return;
	m->held = NULL;
	model_add_line(m, MODEL_LINE_INFO, "%s", text);
	free(text);
}

/* An announcement of count direct messages, shown before the first of
   them that is not a repeat, or with any other line that comes first. */
void
model_hold_info(struct model *m, unsigned long count, const char *text)
{
	model_release(m);
	if (count == 0 || (m->held = strdup(text)) == NULL) {
		model_add_line(m, MODEL_LINE_INFO, "%s", text);
		return;
	}
	m->held_for = count;
}

/* Install the frontend's hooks. */
void
model_set_cbs(struct model *m, const struct model_cbs *cbs)
{
	m->cbs = *cbs;
}

/* Tag the next line with a conversation. */
void
model_set_conv(struct model *m, const char *conv, bool own)
{
	snprintf(m->conv, sizeof(m->conv), "%s", conv != NULL ? conv : "");
	m->conv_own = own;
}

/* Store a line (text and conv in one allocation) and tell the frontend. */
static void
model_store(struct model *m, enum model_line_kind kind, const char *text,
    const char *conv, bool own)
{
	struct model_line *l;
	size_t tn = strlen(text), cn = conv != NULL ? strlen(conv) : 0;
	char *buf;

	/* Out of memory: the line is lost, the program goes on. */
	if ((buf = malloc(tn + 1 + (cn > 0 ? cn + 1 : 0))) == NULL)
		return;
	memcpy(buf, text, tn + 1);
	if (cn > 0)
		memcpy(buf + tn + 1, conv, cn + 1);
	if (m->count == m->cap) {
		free(m->lines[m->head].text);
		m->lines[m->head].text = NULL;
		m->head = (m->head + 1) % m->cap;
		m->count--;
	}
	l = &m->lines[(m->head + m->count) % m->cap];
	l->kind = kind;
	l->seq = ++m->seq;
	l->text = buf;
	l->conv = cn > 0 ? buf + tn + 1 : NULL;
	l->own = own;
	m->count++;
	if (m->cbs.on_line != NULL)
		m->cbs.on_line(m->cbs.arg, l);
}

/* Add a display line, dropping the oldest when the scrollback is full. */
void
model_add_line(struct model *m, enum model_line_kind kind, const char *fmt,
    ...)
{
	char tmp[MODEL_LINE_MAX], conv[MODEL_CONV_MAX], day[64];
	size_t off = 0;
	struct tm tm;
	time_t now;
	va_list ap;
	bool own = m->conv_own;

	snprintf(conv, sizeof(conv), "%s", m->conv);
	m->conv[0] = '\0';
	m->conv_own = false;
	model_release(m);
	if (m->stamp[0] != '\0') {
		now = m->now != NULL ? m->now(NULL) : time(NULL);
		localtime_r(&now, &tm);
		if (m->year != 0 && (tm.tm_yday != m->yday ||
		    tm.tm_year != m->year)) {
			strftime(day, sizeof(day), "Day changed to %a %d %b %Y",
			    &tm);
			m->yday = tm.tm_yday;	/* before: no recursion */
			m->year = tm.tm_year;
			model_store(m, MODEL_LINE_DAY, day, NULL, false);
		}
		m->yday = tm.tm_yday;
		m->year = tm.tm_year;
		if ((off = strftime(tmp, sizeof(tmp) - 2, m->stamp, &tm)) > 0)
			tmp[off++] = ' ';
	}
	va_start(ap, fmt);
	vsnprintf(tmp + off, sizeof(tmp) - off, fmt, ap);
	va_end(ap);
	/* Text from the server or a peer may hold controls or bidi
	   overrides: never shown raw, here or in plain mode. */
	sanitize_text(tmp);
	model_store(m, kind, tmp, conv[0] != '\0' ? conv : NULL, own);
}

/* Add a copy of a line of another model. */
void
model_add_copy(struct model *m, const struct model_line *l)
{
	model_store(m, l->kind, l->text, l->conv, l->own);
}

/* Forget every line. */
void
model_clear_lines(struct model *m)
{
	while (m->count > 0) {
		free(m->lines[m->head].text);
		m->lines[m->head].text = NULL;
		m->head = (m->head + 1) % m->cap;
		m->count--;
	}
}

/* Read the wall clock through now from here on (tests set a fake one). */
void
model_set_clock(struct model *m, time_t (*now)(time_t *))
{
	m->now = now;
}

/* True when lines carry the local time. */
bool
model_stamped(const struct model *m)
{
	return m->stamp[0] != '\0';
}

/* Stamp lines with the time in this format from now on. */
void
model_set_stamp(struct model *m, const char *fmt)
{
	snprintf(m->stamp, sizeof(m->stamp), "%s", fmt != NULL ? fmt : "");
}

/* Lines held now. */
size_t
model_line_count(const struct model *m)
{
	return m->count;
}

/* Line i, 0 being the oldest held. */
const struct model_line *
model_line_at(const struct model *m, size_t i)
{
	if (i >= m->count)
		return NULL;
	return &m->lines[(m->head + i) % m->cap];
}

/* Tell the frontend the user list changed. */
static void
model_users_changed(struct model *m)
{
	if (m->cbs.on_users != NULL)
		m->cbs.on_users(m->cbs.arg);
}

/* Index of the user with that name, or -1. */
static ssize_t
model_user_index(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nusers; i++) {
		if (strcmp(m->users[i].name, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Add a user or update the one with that name. */
int
model_user_add(struct model *m, const struct model_user *u)
{
	struct model_user *p;
	ssize_t i;
	size_t cap;

	if ((i = model_user_index(m, u->name)) != -1) {
		m->users[i] = *u;
		model_users_changed(m);
		return 0;
	}
	if (m->nusers == MODEL_USERS_MAX)
		return -1;
	if (m->nusers == m->users_cap) {
		cap = m->users_cap > 0 ? m->users_cap * 2 : 16;
		if (cap > MODEL_USERS_MAX)
			cap = MODEL_USERS_MAX;
		if ((p = realloc(m->users, cap * sizeof(*p))) == NULL)
			return -1;
		m->users = p;
		m->users_cap = cap;
	}
	m->users[m->nusers++] = *u;
	model_recent_touch(m, u->name);
	model_users_changed(m);
	return 0;
}

/* Remove a user by name, keeping the order of the others. */
int
model_user_remove(struct model *m, const char *name)
{
	ssize_t i;

	if ((i = model_user_index(m, name)) == -1)
		return -1;
	memmove(&m->users[i], &m->users[i + 1],
	    (m->nusers - (size_t)i - 1) * sizeof(*m->users));
	m->nusers--;
	model_users_changed(m);
	return 0;
}

/* Empty the user list. */
void
model_users_clear(struct model *m)
{
	m->nusers = 0;
	model_users_changed(m);
}

/* Users listed now. */
size_t
model_user_count(const struct model *m)
{
	return m->nusers;
}

/* User i in order of arrival. */
const struct model_user *
model_user_at(const struct model *m, size_t i)
{
	return i < m->nusers ? &m->users[i] : NULL;
}

/* The user with that name, or NULL. */
const struct model_user *
model_user_find(const struct model *m, const char *name)
{
	ssize_t i = model_user_index(m, name);

	return i == -1 ? NULL : &m->users[i];
}

/* Parse "USER IP UDPPORT TIME" into u. */
int
model_user_parse(const char *text, struct model_user *u)
{
	char copy[PROTO_LINE_MAX];
	struct proto_ev_user f;

	memset(u, 0, sizeof(*u));
	if (strlen(text) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", text);
	if (proto_ev_user_decode(copy, &f) != PROTO_OK)
		return -1;
	return model_user_set(u, &f);
}

/* Fill u from decoded user fields. */
int
model_user_set(struct model_user *u, const struct proto_ev_user *f)
{
	memset(u, 0, sizeof(*u));
	if (strlen(f->user) >= sizeof(u->name) ||
	    strlen(f->ip) >= sizeof(u->ip) ||
	    strlen(f->time) >= sizeof(u->since))
		return -1;
	snprintf(u->name, sizeof(u->name), "%s", f->user);
	snprintf(u->ip, sizeof(u->ip), "%s", f->ip);
	u->port = (unsigned)f->port;
	snprintf(u->since, sizeof(u->since), "%s", f->time);
	return 0;
}

/* Change the session state. */
void
model_set_state(struct model *m, enum model_state state)
{
	m->state = state;
}

/* The session state. */
enum model_state
model_state(const struct model *m)
{
	return m->state;
}

/* Remember the name we are logged in as. */
void
model_set_self(struct model *m, const char *name)
{
	snprintf(m->self, sizeof(m->self), "%s", name);
}

/* The name we are logged in as. */
const char *
model_self(const struct model *m)
{
	return m->self;
}

/* Set what the input line is for and its prompt; tell the frontend. */
void
model_set_prompt(struct model *m, enum model_input input, const char *prompt)
{
	m->input = input;
	snprintf(m->prompt, sizeof(m->prompt), "%s",
	    prompt != NULL ? prompt : "");
	sanitize_text(m->prompt);
	if (m->cbs.on_prompt != NULL)
		m->cbs.on_prompt(m->cbs.arg);
}

/* What the input line is for. */
enum model_input
model_input(const struct model *m)
{
	return m->input;
}

/* The prompt text. */
const char *
model_prompt(const struct model *m)
{
	return m->prompt;
}

/*
 * Time constant of the rate smoothing.  A sample's weight is
 * dt / (dt + TAU), so the smoothed rate depends on elapsed time and not on
 * how often the owner reports: ten samples 100 ms apart move it about as
 * much as one sample after a second.
 */
#define MODEL_XFER_TAU_MS	1500
/* Samples closer together than this are folded into the next one. */
#define MODEL_XFER_MIN_MS	200

/* Fold a sample into the smoothed rate and the time left. */
void
model_xfer_sample(struct model_xfer *x, uint64_t done, int64_t now_ms)
{
	int64_t dt = now_ms - x->last_ms;
	double inst, alpha;

	if (done < x->last_done)
		done = x->last_done;
	x->done = done;
	if (dt >= MODEL_XFER_MIN_MS) {
		inst = (double)(done - x->last_done) * 1000.0 / (double)dt;
		/* The first sample sets the rate; later ones move it. */
		if (x->last_ms == x->start_ms && x->rate == 0.0)
			x->rate = inst;
		else {
			alpha = (double)dt / (double)(dt + MODEL_XFER_TAU_MS);
			x->rate = alpha * inst + (1.0 - alpha) * x->rate;
		}
		x->last_ms = now_ms;
		x->last_done = done;
	}
	if (x->total == 0 || x->rate <= 0.0)
		x->eta_ms = -1;
	else if (x->done >= x->total)
		x->eta_ms = 0;
	else
		x->eta_ms = (int64_t)((double)(x->total - x->done) * 1000.0 /
		    x->rate);
}

/* The slot of transfer id, or -1. */
static ssize_t
model_xfer_index(const struct model *m, int id)
{
	size_t i;

	for (i = 0; i < m->nxfers; i++)
		if (m->xfers[i].id == id)
			return (ssize_t)i;
	return -1;
}

/* Start a transfer. */
int
model_xfer_start(struct model *m, enum model_xfer_dir dir, const char *label,
    uint64_t total, int64_t now_ms)
{
	struct model_xfer *x;

	if (m->nxfers == MODEL_XFER_MAX)
		return -1;
	x = &m->xfers[m->nxfers++];
	memset(x, 0, sizeof(*x));
	x->id = ++m->next_xfer;
	x->dir = dir;
	snprintf(x->label, sizeof(x->label), "%s", label);
	sanitize_text(x->label);	/* a file name from a peer */
	x->total = total;
	x->eta_ms = -1;
	x->start_ms = x->last_ms = now_ms;
	if (m->cbs.on_xfer != NULL)
		m->cbs.on_xfer(m->cbs.arg, x, false);
	return x->id;
}

/* Progress of a transfer. */
void
model_xfer_progress(struct model *m, int id, uint64_t done, int64_t now_ms)
{
	ssize_t i = model_xfer_index(m, id);

	if (i < 0)
		return;
	model_xfer_sample(&m->xfers[i], done, now_ms);
	if (m->cbs.on_xfer != NULL)
		m->cbs.on_xfer(m->cbs.arg, &m->xfers[i], false);
}

/* End a transfer: tell the frontend, then forget it. */
void
model_xfer_end(struct model *m, int id, bool ok, int64_t now_ms)
{
	ssize_t i = model_xfer_index(m, id);
	struct model_xfer x;

	if (i < 0)
		return;
	x = m->xfers[i];
	if (ok && x.total > 0)
		model_xfer_sample(&x, x.total, now_ms);
	x.ok = ok;
	x.end_ms = now_ms;
	memmove(&m->xfers[i], &m->xfers[i + 1],
	    (m->nxfers - (size_t)i - 1) * sizeof(m->xfers[0]));
	m->nxfers--;
	if (m->cbs.on_xfer != NULL)
		m->cbs.on_xfer(m->cbs.arg, &x, true);
}

/* Transfers running. */
size_t
model_xfer_count(const struct model *m)
{
	return m->nxfers;
}

/* Transfer i. */
const struct model_xfer *
model_xfer_at(const struct model *m, size_t i)
{
	return i < m->nxfers ? &m->xfers[i] : NULL;
}

/* Move name to the front of the recent names. */
void
model_recent_touch(struct model *m, const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > PROTO_USER_MAX)
		return;
	for (i = 0; i < m->nrecent; i++)
		if (strcmp(m->recent[i], name) == 0)
			break;
	if (i == m->nrecent) {
		if (m->nrecent < MODEL_RECENT_MAX)
			m->nrecent++;
		i = m->nrecent - 1;	/* the least recent goes when full */
	}
	memmove(m->recent[1], m->recent[0], i * sizeof(m->recent[0]));
	memcpy(m->recent[0], name, n + 1);
}

/* Recent names held. */
size_t
model_recent_count(const struct model *m)
{
	return m->nrecent;
}

/* Recent name i, 0 being the most recent. */
const char *
model_recent_at(const struct model *m, size_t i)
{
	return i < m->nrecent ? m->recent[i] : NULL;
}

/* Put name in or out of a set of names; true when the set changed. */
static bool
model_mark(char set[][PROTO_USER_MAX + 1], size_t *count, const char *name,
    bool on)
{
	size_t i, n = strlen(name);

	for (i = 0; i < *count; i++)
		if (strcmp(set[i], name) == 0)
			break;
	if (on && i == *count) {
		if (*count == MODEL_PRIVATE_MAX || n == 0 ||
		    n > PROTO_USER_MAX)
			return false;
		memcpy(set[(*count)++], name, n + 1);
	} else if (!on && i < *count) {
		memmove(set[i], set[i + 1], (*count - i - 1) * sizeof(set[0]));
		(*count)--;
	} else
		return false;
	return true;
}

/* Mark or unmark a private-chat peer. */
void
model_private_set(struct model *m, const char *name, bool on)
{
	if (model_mark(m->private, &m->nprivate, name, on))
		model_users_changed(m);
}

/* Mark or unmark a user we blocked. */
void
model_blocked_set(struct model *m, const char *name, bool on)
{
	if (model_mark(m->blocked, &m->nblocked, name, on))
		model_users_changed(m);
}

/* True when we blocked name (in this run). */
bool
model_blocked_has(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nblocked; i++)
		if (strcmp(m->blocked[i], name) == 0)
			return true;
	return false;
}

/* True when we have a private chat with name. */
bool
model_private_has(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nprivate; i++)
		if (strcmp(m->private[i], name) == 0)
			return true;
	return false;
}
