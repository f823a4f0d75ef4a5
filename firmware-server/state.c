/*
 * state.c - loading and writing the server's lasting state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "board.h"
#include "buf.h"
#include "groups.h"
#include "log.h"
#include "offline.h"
#include "proto.h"
#include "state.h"
#include "timefmt.h"

#define STATE_FILE_MAX	(256 * 1024 * 1024)	/* a rewritten file */
#define STATE_LINE_MAX	(PROTO_LINE_MAX + 256)	/* a line of any file */

/* Called for each line of a file; 0, or -1 with err set. */
typedef int state_line_fn(void *arg, char *line, char *err, size_t errlen);

/* dir/name, known to fit (names are short and dir was checked). */
static void
state_path(const struct state *st, const char *name, char *out)
{
	if (store_path(out, st->dir, name) == -1)
		out[0] = '\0';
}

/*
 * Read path line by line.  A missing file is empty.  A torn last line
 * (no LF) is cut off the file.  Errors come back as "FILE:LINE: reason".
 */
static int
state_read(const char *path, state_line_fn *fn, void *arg, char *err,
    size_t errlen)
{
	FILE *fp;
	char *line = NULL, why[256];
	size_t cap = 0, lineno = 0;
	off_t good = 0;
	ssize_t n;
	int rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (line[n - 1] != '\n') {
			log_warnx("%s:%zu: last line has no end (an append cut "
			    "short); removing it", path, lineno);
			if (truncate(path, good) == -1) {
				snprintf(err, errlen, "%s: cannot cut the torn "
				    "last line: %s", path, strerror(errno));
				rc = -1;
			}
			break;
		}
		good += n;
		line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n > STATE_LINE_MAX || strlen(line) != (size_t)n) {
			snprintf(err, errlen, "%s:%zu: line too long or holds a "
			    "NUL byte", path, lineno);
			rc = -1;
			break;
		}
		if (fn(arg, line, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}

/* A messagelog.txt line. */
static int
state_load_post(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	struct board_post p;
	size_t n, got;

	if (board_parse(line, &n, &p, err, errlen) == -1)
		return -1;
	if (n != board_count(st->board) + 1) {
		snprintf(err, errlen, "message number %zu, expected %zu", n,
		    board_count(st->board) + 1);
		return -1;
	}
	if (board_add(st->board, p.user, p.text, p.time, p.edited, &got) !=
	    BOARD_OK) {
		snprintf(err, errlen, "too many posts or out of memory");
		return -1;
	}
	return 0;
}

/* A groups.txt line. */
static int
state_load_group(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	struct group gr;

	if (groups_parse(line, &gr, err, errlen) == -1)
		return -1;
	if (groups_insert(st->groups, &gr) == NULL) {
		snprintf(err, errlen, "group %s defined twice, or too many "
		    "groups", gr.name);
		return -1;
	}
	return 0;
}

/* Cut "A; B; ...": n fields from the left, the rest in f[n]. */
static int
state_fields(char *line, char **f, int n, char *err, size_t errlen,
    const char *form)
{
	char *sep;
	int i;

	for (i = 0; i < n; i++) {
		if ((sep = strstr(line, "; ")) == NULL) {
			snprintf(err, errlen, "expected %s", form);
			return -1;
		}
		*sep = '\0';
		f[i] = line;
		line = sep + 2;
	}
	f[n] = line;
	return 0;
}

/* Checks shared by the numbered lines: number n in sequence, time. */
static int
state_numbered(char *num, char *when, unsigned long expect, time_t *t,
    char *err, size_t errlen)
{
	long long v;

	if (proto_parse_int(num, 1, 0x7fffffffffffLL, &v) == -1) {
		snprintf(err, errlen, "bad number '%.20s'", num);
		return -1;
	}
	if (expect != 0 && (unsigned long)v != expect) {
		snprintf(err, errlen, "number %lld, expected %lu", v, expect);
		return -1;
	}
	return timefmt_parse(when, t, err, errlen);
}

/* A GROUP_messagelog.txt line: count it. */
static int
state_load_group_msg(void *arg, char *line, char *err, size_t errlen)
{
	struct group *gr = arg;
	char *f[4];
	time_t t;

	if (state_fields(line, f, 3, err, errlen, "N; TIME; SENDER; TEXT") == -1 ||
	    state_numbered(f[0], f[1], gr->last_seq + 1, &t, err, errlen) == -1)
		return -1;
	if (!proto_valid_user(f[2])) {
		snprintf(err, errlen, "bad sender '%.40s'", f[2]);
		return -1;
	}
	gr->last_seq++;
	return 0;
}

/* A blocks.txt line. */
static int
state_load_block(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	char *f[2];

	if (state_fields(line, f, 1, err, errlen, "BLOCKER; BLOCKED") == -1)
		return -1;
	if (!proto_valid_user(f[0]) || !proto_valid_addr(f[1])) {
		snprintf(err, errlen, "bad user name");
		return -1;
	}
	if (blocks_add(st->blocks, f[0], f[1]) == -1) {
		snprintf(err, errlen, "too many blocks");
		return -1;
	}
	return 0;
}

/* Parse "N; TIME; FROM; TO; TEXT". */
static int
state_parse_dm(char *line, unsigned long expect, struct offline_msg *m,
    char *err, size_t errlen)
{
	char *f[5];
	long long v;

	if (state_fields(line, f, 4, err, errlen,
	    "N; TIME; FROM; TO; TEXT") == -1 ||
	    state_numbered(f[0], f[1], expect, &m->time, err, errlen) == -1)
		return -1;
	/* FROM is USER@BOARD for a message from another board. */
	if (!proto_valid_addr(f[2]) || !proto_valid_user(f[3])) {
		snprintf(err, errlen, "bad user name");
		return -1;
	}
	proto_parse_int(f[0], 1, 0x7fffffffffffLL, &v);
	m->seq = (unsigned long)v;
	snprintf(m->from, sizeof(m->from), "%s", f[2]);
	snprintf(m->to, sizeof(m->to), "%s", f[3]);
	m->text = f[4];
	return 0;
}

/* A messages.txt line: count it. */
static int
state_load_dm(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	struct offline_msg m;

	if (state_parse_dm(line, st->dm_seq + 1, &m, err, errlen) == -1)
		return -1;
	st->dm_seq++;
	return 0;
}

/* An offline.txt line. */
static int
state_load_offline(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	struct offline_msg m;

	if (state_parse_dm(line, 0, &m, err, errlen) == -1)
		return -1;
	if (offline_add(st->offline, m.seq, m.time, m.from, m.to, m.text) == -1) {
		snprintf(err, errlen, "too many messages waiting");
		return -1;
	}
	return 0;
}

/* Load everything. */
int
state_load(struct state *st, const char *dir, char *err, size_t errlen)
{
	char path[STORE_PATH_MAX], name[PROTO_GROUP_MAX + 32];
	struct group *gr;
	size_t i;

	memset(st, 0, sizeof(*st));
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	st->board = board_new();
	st->groups = groups_new();
	st->blocks = blocks_new();
	st->offline = offline_new();
	if (st->board == NULL || st->groups == NULL || st->blocks == NULL ||
	    st->offline == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	state_path(st, "messagelog.txt", path);
	if (state_read(path, state_load_post, st, err, errlen) == -1)
		return -1;
	state_path(st, "groups.txt", path);
	if (state_read(path, state_load_group, st, err, errlen) == -1)
		return -1;
	for (i = 0; i < groups_count(st->groups); i++) {
		gr = groups_at(st->groups, i);
		snprintf(name, sizeof(name), "%s_messagelog.txt", gr->name);
		state_path(st, name, path);
		if (state_read(path, state_load_group_msg, gr, err,
		    errlen) == -1)
			return -1;
	}
	state_path(st, "blocks.txt", path);
	if (state_read(path, state_load_block, st, err, errlen) == -1)
		return -1;
	state_path(st, "messages.txt", path);
	if (state_read(path, state_load_dm, st, err, errlen) == -1)
		return -1;
	state_path(st, "offline.txt", path);
	if (state_read(path, state_load_offline, st, err, errlen) == -1)
		return -1;
	return 0;
}

/* Free what state_load made. */
void
state_free(struct state *st)
{
	board_free(st->board);
	groups_free(st->groups);
	blocks_free(st->blocks);
	offline_free(st->offline);
	memset(st, 0, sizeof(*st));
}

/* Append a line to dir/name. */
static int
state_append(struct state *st, const char *name, const char *line)
{
	char path[STORE_PATH_MAX];

	state_path(st, name, path);
	if (store_append_line(path, line) == -1) {
		log_warn("cannot append to %s", path);
		return -1;
	}
	return 0;
}

/* Replace dir/name with what b holds, durably. */
static int
state_replace(struct state *st, const char *name, struct buf *b)
{
	char path[STORE_PATH_MAX];
	int rc;

	state_path(st, name, path);
	rc = store_write_atomic(path, b->len ? buf_head(b) : "", b->len, true);
	if (rc == -1)
		log_warn("cannot write %s", path);
	buf_free(b);
	return rc;
}

/* Append post n. */
int
state_board_append(struct state *st, size_t n)
{
	char line[STATE_LINE_MAX];

	if (board_format(board_get(st->board, n), n, line, sizeof(line)) == -1)
		return -1;
	return state_append(st, "messagelog.txt", line);
}

/* Rewrite the board with one change applied. */
int
state_board_rewrite(struct state *st, const struct state_post_change *c)
{
	char line[STATE_LINE_MAX];
	struct board_post p;
	struct buf b;
	size_t i, n = 0;

	buf_init(&b, STATE_FILE_MAX);
	for (i = 1; i <= board_count(st->board); i++) {
		p = *board_get(st->board, i);
		if (c != NULL && c->n == i) {
			if (c->del)
				continue;
			p.text = (char *)c->text;
			p.time = c->time;
			p.edited = true;
		}
		if (board_format(&p, ++n, line, sizeof(line)) == -1 ||
		    buf_printf(&b, "%s\n", line) == -1) {
			buf_free(&b);
			return -1;
		}
	}
	return state_replace(st, "messagelog.txt", &b);
}

/* Rewrite groups.txt. */
int
state_groups_rewrite(struct state *st)
{
	char line[STATE_LINE_MAX];
	struct buf b;
	size_t i;

	buf_init(&b, STATE_FILE_MAX);
	for (i = 0; i < groups_count(st->groups); i++) {
		if (groups_format(groups_at(st->groups, i), line,
		    sizeof(line)) == -1 || buf_printf(&b, "%s\n", line) == -1) {
			buf_free(&b);
			return -1;
		}
	}
	return state_replace(st, "groups.txt", &b);
}

/* Append to a group's log. */
int
state_group_log(struct state *st, const struct group *gr, unsigned long seq,
    time_t when, const char *sender, const char *text)
{
	char line[STATE_LINE_MAX], name[PROTO_GROUP_MAX + 32], t[TIMEFMT_LEN];

	snprintf(name, sizeof(name), "%s_messagelog.txt", gr->name);
	snprintf(line, sizeof(line), "%lu; %s; %s; %s", seq,
	    timefmt_format(when, t), sender, text);
	return state_append(st, name, line);
}

/* Rewrite blocks.txt. */
int
state_blocks_rewrite(struct state *st)
{
	const char *a, *b;
	struct buf out;
	size_t i;

	buf_init(&out, STATE_FILE_MAX);
	for (i = 0; i < blocks_count(st->blocks); i++) {
		blocks_at(st->blocks, i, &a, &b);
		if (buf_printf(&out, "%s; %s\n", a, b) == -1) {
			buf_free(&out);
			return -1;
		}
	}
	return state_replace(st, "blocks.txt", &out);
}

/* Format a direct message line. */
static void
state_dm_line(char *line, size_t len, unsigned long seq, time_t when,
    const char *from, const char *to, const char *text)
{
	char t[TIMEFMT_LEN];

	snprintf(line, len, "%lu; %s; %s; %s; %s", seq,
	    timefmt_format(when, t), from, to, text);
}

/* Append to messages.txt. */
int
state_dm_append(struct state *st, unsigned long seq, time_t when,
    const char *from, const char *to, const char *text)
{
	char line[STATE_LINE_MAX];

	state_dm_line(line, sizeof(line), seq, when, from, to, text);
	return state_append(st, "messages.txt", line);
}

/* Append to offline.txt. */
int
state_offline_append(struct state *st, const struct offline_msg *m)
{
	char line[STATE_LINE_MAX];

	state_dm_line(line, sizeof(line), m->seq, m->time, m->from, m->to,
	    m->text);
	return state_append(st, "offline.txt", line);
}

/* Rewrite offline.txt. */
int
state_offline_rewrite(struct state *st)
{
	char line[STATE_LINE_MAX];
	const struct offline_msg *m;
	struct buf b;
	size_t i;

	buf_init(&b, STATE_FILE_MAX);
	for (i = 0; i < offline_count(st->offline); i++) {
		m = offline_at(st->offline, i);
		state_dm_line(line, sizeof(line), m->seq, m->time, m->from,
		    m->to, m->text);
		if (buf_printf(&b, "%s\n", line) == -1) {
			buf_free(&b);
			return -1;
		}
	}
	return state_replace(st, "offline.txt", &b);
}
