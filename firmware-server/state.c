/*
 * state.c - loading and writing the server's lasting state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "board.h"
#include "groups.h"
#include "log.h"
#include "offline.h"
#include "proto.h"
#include "proto_ev.h"
#include "state.h"
#include "timefmt.h"

#define STATE_LINE_MAX	(PROTO_LINE_MAX + 256)	/* a line of any file */

static void	state_dm_line(char *, size_t, unsigned long, const char *,
		    time_t, const char *, const char *, const char *);

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

/* Parse "N; TIME; FROM; TO; TEXT"; with ids, N may be "N ID" (offline.txt
   since message ids; m->id is "" without one). */
static int
state_parse_dm(char *line, unsigned long expect, bool ids,
    struct offline_msg *m, char *err, size_t errlen)
{
	char *f[5], *id;
	long long v;

	if (state_fields(line, f, 4, err, errlen,
	    "N; TIME; FROM; TO; TEXT") == -1)
		return -1;
	m->id[0] = '\0';
	if (ids && (id = strchr(f[0], ' ')) != NULL) {
		*id++ = '\0';
		if (!proto_ev_valid_msgid(id)) {
			snprintf(err, errlen, "bad message id '%.40s'", id);
			return -1;
		}
		snprintf(m->id, sizeof(m->id), "%s", id);
	}
	if (state_numbered(f[0], f[1], expect, &m->time, err, errlen) == -1)
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

	if (state_parse_dm(line, st->dm_seq + 1, false, &m, err, errlen) == -1)
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

	if (state_parse_dm(line, 0, true, &m, err, errlen) == -1)
		return -1;
	if (offline_add(st->offline, m.seq, m.id, m.time, m.from, m.to,
	    m.text) == -1) {
		snprintf(err, errlen, "too many messages waiting");
		return -1;
	}
	return 0;
}

/* A journal.txt record: apply it to what the files gave. */
static int
state_load_record(void *arg, char *line, char *err, size_t errlen)
{
	struct state *st = arg;
	struct board_post p;
	struct group gr, *old;
	char *f[4] = { NULL, NULL, NULL, NULL };
	long long v;
	size_t n, got;
	time_t t = 0;

	if (state_fields(line, f, 1, err, errlen, "KIND; ...") == -1)
		return -1;
	if (strcmp(f[0], "post") == 0) {
		if (board_parse(f[1], &n, &p, err, errlen) == -1)
			return -1;
		if (n != board_count(st->board) + 1) {
			snprintf(err, errlen, "post number %zu, expected %zu",
			    n, board_count(st->board) + 1);
			return -1;
		}
		if (board_add(st->board, p.user, p.text, p.time, p.edited,
		    &got) != BOARD_OK) {
			snprintf(err, errlen, "too many posts or out of memory");
			return -1;
		}
		st->board_journaled = true;
		return 0;
	}
	if (strcmp(f[0], "edit") == 0 || strcmp(f[0], "delete") == 0) {
		if (f[0][0] == 'e' && (state_fields(f[1], f + 1, 2, err, errlen,
		    "edit; N; TIME; TEXT") == -1 ||
		    state_numbered(f[1], f[2], 0, &t, err, errlen) == -1))
			return -1;
		if (proto_parse_int(f[1], 1, BOARD_POSTS_MAX, &v) == -1 ||
		    (size_t)v > board_count(st->board)) {
			snprintf(err, errlen, "no post '%.20s' to %s", f[1], f[0]);
			return -1;
		}
		if (f[0][0] == 'd')
			board_delete(st->board, (size_t)v);
		else if (board_edit(st->board, (size_t)v, f[3], t) != BOARD_OK) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		st->board_journaled = true;
		return 0;
	}
	if (strcmp(f[0], "group") == 0) {
		if (groups_parse(f[1], &gr, err, errlen) == -1)
			return -1;
		if ((old = groups_find(st->groups, gr.name)) != NULL)
			*old = gr;
		else if (groups_insert(st->groups, &gr) == NULL) {
			snprintf(err, errlen, "too many groups");
			return -1;
		}
		return 0;
	}
	if (strcmp(f[0], "block") == 0 || strcmp(f[0], "unblock") == 0) {
		if (state_fields(f[1], f + 1, 1, err, errlen,
		    "block; BLOCKER; BLOCKED") == -1)
			return -1;
		if (!proto_valid_user(f[1]) || !proto_valid_addr(f[2])) {
			snprintf(err, errlen, "bad user name");
			return -1;
		}
		if (f[0][0] == 'u')
			blocks_remove(st->blocks, f[1], f[2]);
		else if (blocks_add(st->blocks, f[1], f[2]) == -1) {
			snprintf(err, errlen, "too many blocks");
			return -1;
		}
		return 0;
	}
	if (strcmp(f[0], "delivered") == 0) {
		if (state_fields(f[1], f + 1, 1, err, errlen,
		    "delivered; USER; N") == -1)
			return -1;
		if (!proto_valid_user(f[1]) ||
		    proto_parse_int(f[2], 1, 0x7fffffffffffLL, &v) == -1) {
			snprintf(err, errlen, "bad user name or number");
			return -1;
		}
		offline_drop(st->offline, f[1], (unsigned long)v);
		return 0;
	}
	snprintf(err, errlen, "unknown record '%.20s'", f[0]);
	return -1;
}

/* The files that a compaction rewrites from memory. */
static const char *const state_compacted[] = {
	"messagelog.txt", "groups.txt", "blocks.txt", "offline.txt"
};

/* Write one file's lines as they are in memory to fp. */
static int
state_dump(struct state *st, int which, FILE *fp)
{
	char line[STATE_LINE_MAX];
	const struct offline_msg *m;
	const char *a, *b;
	size_t i;

	switch (which) {
	case 0:
		for (i = 1; i <= board_count(st->board); i++)
			if (board_format(board_get(st->board, i), i, line,
			    sizeof(line)) == -1 || fprintf(fp, "%s\n", line) < 0)
				return -1;
		break;
	case 1:
		for (i = 0; i < groups_count(st->groups); i++)
			if (groups_format(groups_at(st->groups, i), line,
			    sizeof(line)) == -1 || fprintf(fp, "%s\n", line) < 0)
				return -1;
		break;
	case 2:
		for (i = 0; i < blocks_count(st->blocks); i++) {
			blocks_at(st->blocks, i, &a, &b);
			if (fprintf(fp, "%s; %s\n", a, b) < 0)
				return -1;
		}
		break;
	default:
		for (i = 0; i < offline_count(st->offline); i++) {
			m = offline_at(st->offline, i);
			state_dm_line(line, sizeof(line), m->seq, m->id,
			    m->time, m->from, m->to, m->text);
			if (fprintf(fp, "%s\n", line) < 0)
				return -1;
		}
	}
	return 0;
}

/* Create path (empty) or write the file `which` into it, durably. */
static int
state_write_file(struct state *st, const char *path, int which)
{
	FILE *fp;
	int fd, rc;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	rc = which >= 0 ? state_dump(st, which, fp) : 0;
	if (fflush(fp) == EOF || fsync(fd) == -1)
		rc = -1;
	if (fclose(fp) == EOF)
		rc = -1;
	return rc;
}

/*
 * Finish a compaction whose marker (journal.commit) is on disk: every
 * NAME.compact left is renamed over NAME, then the journal and the marker
 * go, each step synced.  Safe to repeat after a crash at any point.
 */
static int
state_roll_forward(struct state *st)
{
	char from[STORE_PATH_MAX + 16], to[STORE_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(state_compacted) / sizeof(state_compacted[0]);
	    i++) {
		state_path(st, state_compacted[i], to);
		snprintf(from, sizeof(from), "%s.compact", to);
		if (rename(from, to) == -1 && errno != ENOENT)
			return -1;
	}
	state_path(st, STATE_JOURNAL, to);
	if (store_sync_dir(to) == -1 || (unlink(to) == -1 && errno != ENOENT) ||
	    store_sync_dir(to) == -1)
		return -1;
	state_path(st, STATE_JOURNAL_COMMIT, to);
	if ((unlink(to) == -1 && errno != ENOENT) || store_sync_dir(to) == -1)
		return -1;
	return 0;
}

/*
 * Bring the files up to date with the journal at start: write each as
 * NAME.compact, then the marker that makes them the truth, then roll
 * forward.  A crash before the marker leaves the old files and the
 * journal (the .compact files are removed at the next start); after it,
 * the next start finishes the renames.  O(state), once per start.  When
 * the copies cannot be written (a disk too full for a second copy of the
 * board), the journal stays and the server starts all the same; only a
 * failure once the marker is on disk stops the start.
 */
static int
state_compact(struct state *st, char *err, size_t errlen)
{
	char path[STORE_PATH_MAX + 16], marker[STORE_PATH_MAX];
	size_t i;
	int saved;

	state_path(st, STATE_JOURNAL_COMMIT, marker);
	for (i = 0; i < sizeof(state_compacted) / sizeof(state_compacted[0]);
	    i++) {
		state_path(st, state_compacted[i], path);
		strcat(path, ".compact");
		if (state_write_file(st, path, (int)i) == -1)
			goto abandon;
	}
	if (state_write_file(st, marker, -1) == -1 ||
	    store_sync_dir(marker) == -1)
		goto abandon;
	if (state_roll_forward(st) == -1) {
		snprintf(err, errlen, "%s: cannot finish the compaction: %s",
		    marker, strerror(errno));
		return -1;
	}
	st->board_journaled = false;
	return 0;
abandon:
	saved = errno;
	if ((unlink(marker) == -1 && errno != ENOENT) ||
	    store_sync_dir(marker) == -1) {
		snprintf(err, errlen, "%s: cannot remove it: %s", marker,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(state_compacted) / sizeof(state_compacted[0]);
	    i++) {
		state_path(st, state_compacted[i], path);
		strcat(path, ".compact");
		unlink(path);
	}
	state_path(st, STATE_JOURNAL, path);
	log_warnx("%s: cannot compact it (%s); it stays and is replayed "
	    "again at the next start", path, strerror(saved));
	return 0;
}

/* Before loading: finish a compaction that was committed, or drop the
   leftovers of one that was not. */
static int
state_recover(struct state *st, char *err, size_t errlen)
{
	char path[STORE_PATH_MAX + 16];
	size_t i;

	state_path(st, STATE_JOURNAL_COMMIT, path);
	if (access(path, F_OK) == 0) {
		log_warnx("%s: finishing the compaction a stop interrupted",
		    path);
		if (state_roll_forward(st) == -1) {
			snprintf(err, errlen, "%s: cannot finish the "
			    "compaction: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	for (i = 0; i < sizeof(state_compacted) / sizeof(state_compacted[0]);
	    i++) {
		state_path(st, state_compacted[i], path);
		strcat(path, ".compact");
		unlink(path);
	}
	return 0;
}

/*
 * A GROUP_messagelog.txt whose group is not known: its GCREATE record was
 * lost in a power cut (so none of its lines was acknowledged: the group's
 * generation never completed).  Put it aside, or a later group of that
 * name would append numbers that clash with it.
 */
static void
state_set_aside_orphans(struct state *st)
{
	char name[PROTO_GROUP_MAX + 1], from[STORE_PATH_MAX], to[STORE_PATH_MAX + 32];
	struct dirent *e;
	size_t n, suffix = strlen("_messagelog.txt");
	DIR *d;

	if ((d = opendir(st->dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n <= suffix || n - suffix > PROTO_GROUP_MAX ||
		    strcmp(e->d_name + n - suffix, "_messagelog.txt") != 0)
			continue;
		memcpy(name, e->d_name, n - suffix);
		name[n - suffix] = '\0';
		if (!groups_valid_name(name) || groups_find(st->groups, name))
			continue;
		state_path(st, e->d_name, from);
		snprintf(to, sizeof(to), "%s.orphan-%lld", from,
		    (long long)time(NULL));
		if (rename(from, to) == -1)
			log_warn("%s: cannot put aside", from);
		else
			log_warnx("%s: no such group (its creation was never "
			    "acknowledged); moved to %s", from, to);
	}
	closedir(d);
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
	if (state_recover(st, err, errlen) == -1)
		return -1;
	state_path(st, "messagelog.txt", path);
	if (state_read(path, state_load_post, st, err, errlen) == -1)
		return -1;
	state_path(st, "groups.txt", path);
	if (state_read(path, state_load_group, st, err, errlen) == -1)
		return -1;
	state_path(st, "blocks.txt", path);
	if (state_read(path, state_load_block, st, err, errlen) == -1)
		return -1;
	state_path(st, "messages.txt", path);
	if (state_read(path, state_load_dm, st, err, errlen) == -1)
		return -1;
	state_path(st, "offline.txt", path);
	if (state_read(path, state_load_offline, st, err, errlen) == -1)
		return -1;
	state_path(st, STATE_JOURNAL, path);
	if (state_read(path, state_load_record, st, err, errlen) == -1)
		return -1;
	if (access(path, F_OK) == 0 && state_compact(st, err, errlen) == -1)
		return -1;
	for (i = 0; i < groups_count(st->groups); i++) {
		gr = groups_at(st->groups, i);
		snprintf(name, sizeof(name), "%s_messagelog.txt", gr->name);
		state_path(st, name, path);
		if (state_read(path, state_load_group_msg, gr, err,
		    errlen) == -1)
			return -1;
	}
	state_set_aside_orphans(st);
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

/* Append a record to the journal (journal.txt). */
static int
state_journal(struct state *st, const char *line)
{
	return state_append(st, STATE_JOURNAL, line);
}

/*
 * Append post n: to messagelog.txt while that file still is the board,
 * to the journal once an edit or a delete went there (the numbers in
 * messagelog.txt are then those of the last start).
 */
int
state_board_append(struct state *st, size_t n)
{
	char line[STATE_LINE_MAX];

	if (!st->board_journaled) {
		if (board_format(board_get(st->board, n), n, line,
		    sizeof(line)) == -1)
			return -1;
		return state_append(st, "messagelog.txt", line);
	}
	memcpy(line, "post; ", 6);
	if (board_format(board_get(st->board, n), n, line + 6,
	    sizeof(line) - 6) == -1)
		return -1;
	return state_journal(st, line);
}

/* Journal an edit or a delete of a post (the board is not changed yet). */
int
state_board_change(struct state *st, const struct state_post_change *c)
{
	char line[STATE_LINE_MAX], t[TIMEFMT_LEN];

	if (c->del)
		snprintf(line, sizeof(line), "delete; %zu", c->n);
	else
		snprintf(line, sizeof(line), "edit; %zu; %s; %s", c->n,
		    timefmt_format(c->time, t), c->text);
	/*
	 * The first board record of a run names posts that may have been
	 * appended to messagelog.txt in this very generation: those go to
	 * the disk first (once per run, a short wait), so that a power cut
	 * never leaves a journal that refers to posts it lost.  Later posts
	 * go to the journal itself, in order.
	 */
	if (!st->board_journaled)
		store_sync_all();
	if (state_journal(st, line) == -1)
		return -1;
	st->board_journaled = true;
	return 0;
}

/* Journal a group as it is now. */
int
state_group_save(struct state *st, const struct group *gr)
{
	char line[STATE_LINE_MAX];

	memcpy(line, "group; ", 7);
	if (groups_format(gr, line + 7, sizeof(line) - 7) == -1)
		return -1;
	return state_journal(st, line);
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

/* Journal a block (on) or its end. */
int
state_block_save(struct state *st, const char *blocker, const char *blocked,
    bool on)
{
	char line[STATE_LINE_MAX];

	snprintf(line, sizeof(line), "%s; %s; %s", on ? "block" : "unblock",
	    blocker, blocked);
	return state_journal(st, line);
}

/* Format a direct message line ("N ID; ..." with an id). */
static void
state_dm_line(char *line, size_t len, unsigned long seq, const char *id,
    time_t when, const char *from, const char *to, const char *text)
{
	char t[TIMEFMT_LEN];

	snprintf(line, len, "%lu%s%s; %s; %s; %s; %s", seq, id ? " " : "",
	    id ? id : "", timefmt_format(when, t), from, to, text);
}

/* Append to messages.txt. */
int
state_dm_append(struct state *st, unsigned long seq, time_t when,
    const char *from, const char *to, const char *text)
{
	char line[STATE_LINE_MAX];

	state_dm_line(line, sizeof(line), seq, NULL, when, from, to, text);
	return state_append(st, "messages.txt", line);
}

/* Append to offline.txt. */
int
state_offline_append(struct state *st, const struct offline_msg *m)
{
	char line[STATE_LINE_MAX];

	state_dm_line(line, sizeof(line), m->seq, m->id, m->time, m->from,
	    m->to, m->text);
	return state_append(st, "offline.txt", line);
}

/* Journal that user's waiting messages up to seq were delivered. */
int
state_offline_delivered(struct state *st, const char *user, unsigned long seq)
{
	char line[STATE_LINE_MAX];

	snprintf(line, sizeof(line), "delivered; %s; %lu", user, seq);
	return state_journal(st, line);
}
