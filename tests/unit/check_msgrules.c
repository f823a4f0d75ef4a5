/*
 * check_msgrules.c - the messaging rules in memory (board, groups,
 * blocks, offline queue) and how state.c loads their files.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "board.h"
#include "groups.h"
#include "offline.h"
#include "state.h"
#include "suites.h"
#include "timefmt.h"

/* Posts are numbered from 1 in order. */
START_TEST(test_board_numbering)
{
	struct board *b = board_new();
	size_t n;

	ck_assert_int_eq(board_add(b, "alice", "one", 100, false, &n), BOARD_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(board_add(b, "bob", "two", 200, false, &n), BOARD_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(board_get(b, 2)->text, "two");
	ck_assert_ptr_null(board_get(b, 0));
	ck_assert_ptr_null(board_get(b, 3));
	board_free(b);
}
END_TEST

/* Only the author, with the post's current timestamp, may change it. */
START_TEST(test_board_check)
{
	struct board *b = board_new();
	size_t n;

	board_add(b, "alice", "one", 100, false, &n);
	ck_assert_int_eq(board_check(b, 1, "alice", 100), BOARD_OK);
	ck_assert_int_eq(board_check(b, 1, "bob", 100), BOARD_NOTAUTHOR);
	ck_assert_int_eq(board_check(b, 1, "alice", 101), BOARD_MISMATCH);
	ck_assert_int_eq(board_check(b, 2, "alice", 100), BOARD_NOPOST);
	board_free(b);
}
END_TEST

/* Deleting renumbers the later posts. */
START_TEST(test_board_delete_renumbers)
{
	struct board *b = board_new();
	size_t n;

	board_add(b, "alice", "one", 100, false, &n);
	board_add(b, "bob", "two", 200, false, &n);
	board_add(b, "carol", "three", 300, false, &n);
	board_delete(b, 1);
	ck_assert_uint_eq(board_count(b), 2);
	ck_assert_str_eq(board_get(b, 1)->text, "two");
	ck_assert_str_eq(board_get(b, 2)->user, "carol");
	board_free(b);
}
END_TEST

/* Editing re-times and marks; reading is strictly after T by that time. */
START_TEST(test_board_edit_and_read)
{
	struct board *b = board_new();
	size_t n;

	board_add(b, "alice", "one", 100, false, &n);
	board_add(b, "bob", "two", 200, false, &n);
	ck_assert_int_eq(board_edit(b, 1, "uno", 300), BOARD_OK);
	ck_assert(board_get(b, 1)->edited);
	ck_assert_int_eq(board_get(b, 1)->time, 300);
	ck_assert_str_eq(board_get(b, 1)->text, "uno");
	/* After 200: only the edited post 1 (300); 2 is at 200, not later. */
	ck_assert_uint_eq(board_next_after(b, 1, 200), 1);
	ck_assert_uint_eq(board_next_after(b, 2, 200), 0);
	ck_assert_uint_eq(board_next_after(b, 1, 300), 0);
	ck_assert_uint_eq(board_next_after(b, 1, 99), 1);
	ck_assert_uint_eq(board_next_after(b, 2, 99), 2);
	board_free(b);
}
END_TEST

/* A line with "; " inside its text formats and parses back. */
START_TEST(test_board_line_round_trip)
{
	struct board_post p = { 0 }, q;
	char line[512], err[128];
	size_t n;

	setenv("TZ", "UTC0", 1);
	tzset();
	p.time = 1614096080;	/* 23 Feb 2021 16:01:20 UTC */
	strcpy(p.user, "alice");
	p.text = "hi; there; yes";
	p.edited = true;
	ck_assert_int_eq(board_format(&p, 7, line, sizeof(line)), 0);
	ck_assert_str_eq(line,
	    "7; 23 Feb 2021 16:01:20; alice; hi; there; yes; yes");
	ck_assert_int_eq(board_parse(line, &n, &q, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(q.time, p.time);
	ck_assert_str_eq(q.user, "alice");
	ck_assert_str_eq(q.text, "hi; there; yes");
	ck_assert(q.edited);
}
END_TEST

/* Malformed board lines are refused with a reason. */
START_TEST(test_board_parse_errors)
{
	struct board_post q;
	char line[128], err[128];
	size_t n;

	strcpy(line, "1; 23 Feb 2021 16:01:20; alice; text; maybe");
	ck_assert_int_eq(board_parse(line, &n, &q, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no or yes"));
	strcpy(line, "x; 23 Feb 2021 16:01:20; alice; text; no");
	ck_assert_int_eq(board_parse(line, &n, &q, err, sizeof(err)), -1);
	strcpy(line, "1; 23 Fbe 2021 16:01:20; alice; text; no");
	ck_assert_int_eq(board_parse(line, &n, &q, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "month"));
	strcpy(line, "1; 23 Feb 2021 16:01:20");
	ck_assert_int_eq(board_parse(line, &n, &q, err, sizeof(err)), -1);
}
END_TEST

/* The creator is joined, invitees invited, duplicates folded. */
START_TEST(test_groups_roles)
{
	struct groups *g = groups_new();
	char *inv[] = { "bob", "carol", "bob", "alice" };
	struct group *gr;

	gr = groups_create(g, "study", "alice", inv, 4);
	ck_assert_ptr_nonnull(gr);
	ck_assert_uint_eq(gr->nmembers, 3);
	ck_assert_int_eq(group_role(gr, "alice"), GROUP_JOINED);
	ck_assert_int_eq(group_role(gr, "bob"), GROUP_INVITED);
	ck_assert_int_eq(group_role(gr, "dave"), GROUP_NONE);
	ck_assert_int_eq(group_join(gr, "bob"), 0);
	ck_assert_int_eq(group_role(gr, "bob"), GROUP_JOINED);
	ck_assert_int_eq(group_join(gr, "bob"), -1);
	ck_assert_int_eq(group_join(gr, "dave"), -1);
	ck_assert_ptr_eq(groups_find(g, "study"), gr);
	ck_assert_ptr_null(groups_find(g, "Study"));
	groups_free(g);
}
END_TEST

/* Names are letters and digits, 1 to 32. */
START_TEST(test_groups_names)
{
	ck_assert(groups_valid_name("study2"));
	ck_assert(!groups_valid_name(""));
	ck_assert(!groups_valid_name("my-group"));
	ck_assert(!groups_valid_name("a b"));
	ck_assert(!groups_valid_name("caf\xc3\xa9"));
	ck_assert(groups_valid_name("abcdefghijklmnopqrstuvwxyz012345"));
	ck_assert(!groups_valid_name("abcdefghijklmnopqrstuvwxyz0123456"));
}
END_TEST

/* groups.txt lines round-trip. */
START_TEST(test_groups_line_round_trip)
{
	struct groups *g = groups_new();
	char *inv[] = { "bob", "carol" };
	struct group *gr, back;
	char line[256], err[128];

	gr = groups_create(g, "study", "alice", inv, 2);
	group_join(gr, "carol");
	ck_assert_int_eq(groups_format(gr, line, sizeof(line)), 0);
	ck_assert_str_eq(line,
	    "study; alice; alice=joined bob=invited carol=joined");
	ck_assert_int_eq(groups_parse(line, &back, err, sizeof(err)), 0);
	ck_assert_str_eq(back.name, "study");
	ck_assert_int_eq(group_role(&back, "bob"), GROUP_INVITED);
	ck_assert_int_eq(group_role(&back, "carol"), GROUP_JOINED);
	strcpy(line, "study; alice; bob=owner");
	ck_assert_int_eq(groups_parse(line, &back, err, sizeof(err)), -1);
	groups_free(g);
}
END_TEST

/* Blocks are directed pairs. */
START_TEST(test_blocks_pairs)
{
	struct blocks *b = blocks_new();
	const char *x, *y;

	ck_assert_int_eq(blocks_add(b, "carol", "alice"), 1);
	ck_assert_int_eq(blocks_add(b, "alice", "bob"), 1);
	ck_assert_int_eq(blocks_add(b, "alice", "bob"), 0);
	ck_assert(blocks_has(b, "alice", "bob"));
	ck_assert(!blocks_has(b, "bob", "alice"));
	ck_assert_uint_eq(blocks_count(b), 2);
	blocks_at(b, 0, &x, &y);
	ck_assert_str_eq(x, "alice");
	ck_assert_int_eq(blocks_remove(b, "alice", "bob"), 1);
	ck_assert_int_eq(blocks_remove(b, "alice", "bob"), 0);
	ck_assert(!blocks_has(b, "alice", "bob"));
	ck_assert(blocks_has(b, "carol", "alice"));
	blocks_free(b);
}
END_TEST

/* Collects what offline_take hands out. */
static void
collect(const struct offline_msg *m, void *arg)
{
	char *out = arg;

	strcat(out, m->text);
	strcat(out, ",");
}

/* The queue delivers a user's messages in order and keeps the others'. */
START_TEST(test_offline_take)
{
	struct offline *q = offline_new();
	char got[128] = "";

	offline_add(q, 1, NULL, 10, "alice", "bob", "a");
	offline_add(q, 2, NULL, 11, "carol", "dave", "x");
	offline_add(q, 3, NULL, 12, "carol", "bob", "b");
	ck_assert_uint_eq(offline_count_for(q, "bob"), 2);
	ck_assert_uint_eq(offline_take(q, "bob", collect, got), 2);
	ck_assert_str_eq(got, "a,b,");
	ck_assert_uint_eq(offline_count(q), 1);
	ck_assert_str_eq(offline_at(q, 0)->to, "dave");
	offline_free(q);
}
END_TEST

/* Streaming at login walks one user's messages by number, and drops only
   those it has sent, even when others' messages were taken meanwhile. */
START_TEST(test_offline_next_drop)
{
	struct offline *q = offline_new();
	const struct offline_msg *m;

	offline_add(q, 1, NULL, 10, "alice", "bob", "a");
	offline_add(q, 2, NULL, 11, "carol", "dave", "x");
	offline_add(q, 4, NULL, 12, "carol", "bob", "b");
	offline_add(q, 7, NULL, 13, "dave", "bob", "c");
	m = offline_next(q, "bob", 0);
	ck_assert_str_eq(m->text, "a");
	ck_assert_uint_eq(offline_drop(q, "dave", 100), 1);	/* shifts */
	m = offline_next(q, "bob", m->seq);
	ck_assert_str_eq(m->text, "b");
	ck_assert_uint_eq(m->seq, 4);
	ck_assert_uint_eq(offline_drop(q, "bob", 4), 2);	/* a and b */
	ck_assert_uint_eq(offline_count(q), 1);
	ck_assert_str_eq(offline_next(q, "bob", 0)->text, "c");
	ck_assert_ptr_null(offline_next(q, "bob", 7));
	ck_assert_ptr_null(offline_next(q, "eve", 0));
	offline_free(q);
}
END_TEST

/* One user's queue is bounded. */
START_TEST(test_offline_limit)
{
	struct offline *q = offline_new();
	int i;

	for (i = 0; i < OFFLINE_PER_USER_MAX; i++)
		ck_assert_int_eq(offline_add(q, (unsigned long)i + 1, NULL, 1,
		    "a", "bob", "m"), 0);
	ck_assert_int_eq(offline_add(q, 9999, NULL, 1, "a", "bob", "m"), -1);
	ck_assert_int_eq(offline_add(q, 9999, NULL, 1, "a", "carol", "m"), 0);
	offline_free(q);
}
END_TEST

/* Write a file into dir. */
static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A torn last line is cut off; the rest loads. */
START_TEST(test_state_torn_tail)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256], path[512];
	struct state st;
	FILE *fp;
	char buf[512];
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt",
	    "1; 23 Feb 2021 16:01:20; alice; one; no\n"
	    "2; 23 Feb 2021 16:01:21; bob; tw");
	put(dir, "messages.txt", "1; 23 Feb 2021 16:01:20; alice; bob; hi\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), 0);
	ck_assert_uint_eq(board_count(st.board), 1);
	ck_assert_uint_eq(st.dm_seq, 1);
	state_free(&st);
	snprintf(path, sizeof(path), "%s/messagelog.txt", dir);
	fp = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "1; 23 Feb 2021 16:01:20; alice; one; no\n");
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* A malformed line stops the load with FILE:LINE: reason. */
START_TEST(test_state_bad_line)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256], cmd[512];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt",
	    "1; 23 Feb 2021 16:01:20; alice; one; no\n"
	    "3; 23 Feb 2021 16:01:21; bob; two; no\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "messagelog.txt:2: message number 3, "
	    "expected 2") != NULL, "got: %s", err);
	state_free(&st);
	put(dir, "messagelog.txt", "");
	put(dir, "blocks.txt", "alice bob\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "blocks.txt:1: expected BLOCKER; BLOCKED")
	    != NULL, "got: %s", err);
	state_free(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The whole of file name in dir (malloc'd), or NULL when missing. */
static char *
slurp(const char *dir, const char *name)
{
	char path[512], *buf;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf = malloc(65536);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Assert that file name in dir holds exactly want (NULL: missing). */
static void
holds(const char *dir, const char *name, const char *want)
{
	char *got = slurp(dir, name);

	if (want == NULL)
		ck_assert_msg(got == NULL, "%s should be gone; holds:\n%s", name,
		    got);
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "%s holds:\n%s\nwanted:\n%s", name, got ? got : "(missing)",
		    want);
	free(got);
}

/* Remove a test directory. */
static void
rmdir_all(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define T1	"23 Feb 2021 16:01:20"
#define T2	"24 Feb 2021 10:00:00"

/*
 * Every kind of journal record is replayed over the files at start, a
 * torn last record (never acknowledged) is cut, and the files are then
 * rewritten to show the state as it is: the journal is gone.
 */
START_TEST(test_state_journal_replay)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256];
	struct state st;
	struct group *gr;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt",
	    "1; " T1 "; alice; one; no\n"
	    "2; " T1 "; bob; two; no\n"
	    "3; " T1 "; alice; three; no\n");
	put(dir, "groups.txt", "g1; alice; alice=joined bob=invited\n");
	put(dir, "blocks.txt", "alice; bob\ncarol; dave\n");
	put(dir, "messages.txt", "1; " T1 "; alice; bob; hi\n"
	    "2; " T1 "; alice; bob; again\n3; " T1 "; alice; carol; x\n");
	put(dir, "offline.txt", "1; " T1 "; alice; bob; hi\n"
	    "2; " T1 "; alice; bob; again\n3; " T1 "; alice; carol; x\n");
	put(dir, "journal.txt",
	    "delete; 1\n"
	    "edit; 2; " T2 "; three, edited; with semicolon\n"
	    "post; 3; " T2 "; carol; four; no\n"
	    "group; g1; alice; alice=joined bob=joined\n"
	    "group; g2; bob; bob=joined alice=invited\n"
	    "block; erin; alice\n"
	    "block; erin; bob@lab2\n"
	    "unblock; alice; bob\n"
	    "delivered; bob; 2\n"
	    "edit; 1; 24 Feb 20");
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 3);
	ck_assert_str_eq(board_get(st.board, 1)->text, "two");
	ck_assert_str_eq(board_get(st.board, 2)->text,
	    "three, edited; with semicolon");
	ck_assert(board_get(st.board, 2)->edited);
	gr = groups_find(st.groups, "g1");
	ck_assert_ptr_nonnull(gr);
	ck_assert_int_eq(group_role(gr, "bob"), GROUP_JOINED);
	ck_assert_ptr_nonnull(groups_find(st.groups, "g2"));
	ck_assert(!blocks_has(st.blocks, "alice", "bob"));
	ck_assert(blocks_has(st.blocks, "erin", "alice"));
	/* A remote user (federation) may be blocked too. */
	ck_assert(blocks_has(st.blocks, "erin", "bob@lab2"));
	ck_assert_uint_eq(offline_count(st.offline), 1);
	ck_assert(!st.board_journaled);
	state_free(&st);

	holds(dir, "messagelog.txt",
	    "1; " T1 "; bob; two; no\n"
	    "2; " T2 "; alice; three, edited; with semicolon; yes\n"
	    "3; " T2 "; carol; four; no\n");
	holds(dir, "groups.txt", "g1; alice; alice=joined bob=joined\n"
	    "g2; bob; bob=joined alice=invited\n");
	holds(dir, "blocks.txt", "carol; dave\nerin; alice\nerin; bob@lab2\n");
	/* A record of a server before ids keeps its number as its id. */
	holds(dir, "offline.txt", "3 3; " T1 "; alice; carol; x\n");
	holds(dir, "journal.txt", NULL);
	holds(dir, "journal.commit", NULL);
	holds(dir, "messagelog.txt.compact", NULL);

	/* A second start finds the same state in the files alone. */
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 3);
	ck_assert_uint_eq(offline_count(st.offline), 1);
	state_free(&st);
	rmdir_all(dir);
}
END_TEST

/*
 * A stop during the compaction at start: before its marker the journal
 * is replayed over the old files (the half-written copies are dropped);
 * after it the copies are the truth and the journal is not replayed a
 * second time (a delete replayed twice would lose a post).
 */
START_TEST(test_state_compact_interrupted)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt", "1; " T1 "; alice; one; no\n"
	    "2; " T1 "; alice; two; no\n" "3; " T1 "; alice; three; no\n");
	put(dir, "journal.txt", "delete; 1\n");
	put(dir, "messagelog.txt.compact", "1; " T1 "; alice; tw");
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 2);
	ck_assert_str_eq(board_get(st.board, 1)->text, "two");
	state_free(&st);
	holds(dir, "messagelog.txt", "1; " T1 "; alice; two; no\n"
	    "2; " T1 "; alice; three; no\n");

	/* Committed: messagelog.txt renamed already, the journal still
	   there; and blocks.txt.compact not renamed yet. */
	put(dir, "journal.txt", "delete; 1\nblock; alice; bob\n");
	put(dir, "blocks.txt.compact", "alice; bob\n");
	put(dir, "journal.commit", "");
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 2);
	ck_assert(blocks_has(st.blocks, "alice", "bob"));
	state_free(&st);
	holds(dir, "messagelog.txt", "1; " T1 "; alice; two; no\n"
	    "2; " T1 "; alice; three; no\n");
	holds(dir, "blocks.txt", "alice; bob\n");
	holds(dir, "journal.txt", NULL);
	holds(dir, "journal.commit", NULL);
	holds(dir, "blocks.txt.compact", NULL);
	rmdir_all(dir);
}
END_TEST

/* A journal record that does not apply stops the start with FILE:LINE. */
START_TEST(test_state_journal_bad_record)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt", "1; " T1 "; alice; one; no\n");
	put(dir, "journal.txt", "edit; 1; " T2 "; fine\ndelete; 2\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "journal.txt:2: no post '2' to delete") !=
	    NULL, "got: %s", err);
	state_free(&st);
	put(dir, "journal.txt", "rename; 1\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "journal.txt:1: unknown record 'rename'") !=
	    NULL, "got: %s", err);
	state_free(&st);
	/* Nothing was rewritten from a journal that did not load. */
	holds(dir, "messagelog.txt", "1; " T1 "; alice; one; no\n");
	rmdir_all(dir);
}
END_TEST

/* A group log without its group (the creation lost in a power cut, so
   never acknowledged) is put aside, and a new group of that name starts
   its own log. */
START_TEST(test_state_orphan_group_log)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256], cmd[600];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "groups.txt", "kept; alice; alice=joined\n");
	put(dir, "kept_messagelog.txt", "1; " T1 "; alice; hi\n");
	put(dir, "ghost_messagelog.txt", "1; " T1 "; alice; lost\n");
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(groups_find(st.groups, "kept")->last_seq, 1);
	state_free(&st);
	holds(dir, "ghost_messagelog.txt", NULL);
	holds(dir, "kept_messagelog.txt", "1; " T1 "; alice; hi\n");
	snprintf(cmd, sizeof(cmd), "test -f %s/ghost_messagelog.txt.orphan-*",
	    dir);
	ck_assert_int_eq(system(cmd), 0);
	rmdir_all(dir);
}
END_TEST

/* When the copies cannot be written (here a directory is in the way; a
   full disk in real life) the server starts from files plus journal, and
   the journal stays for the next start. */
START_TEST(test_state_compact_fails_softly)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256], path[600];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "messagelog.txt", "1; " T1 "; alice; one; no\n"
	    "2; " T1 "; alice; two; no\n");
	put(dir, "journal.txt", "delete; 1\nblock; alice; bob\n");
	snprintf(path, sizeof(path), "%s/blocks.txt.compact", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 1);
	ck_assert(blocks_has(st.blocks, "alice", "bob"));
	ck_assert(st.board_journaled);	/* new posts go to the journal */
	state_free(&st);
	holds(dir, "journal.txt", "delete; 1\nblock; alice; bob\n");
	holds(dir, "messagelog.txt", "1; " T1 "; alice; one; no\n"
	    "2; " T1 "; alice; two; no\n");
	holds(dir, "journal.commit", NULL);
	holds(dir, "messagelog.txt.compact", NULL);
	ck_assert_int_eq(rmdir(path), 0);
	/* The next start compacts. */
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(board_count(st.board), 1);
	state_free(&st);
	holds(dir, "journal.txt", NULL);
	holds(dir, "messagelog.txt", "1; " T1 "; alice; two; no\n");
	rmdir_all(dir);
}
END_TEST

/*
 * offline.txt with message ids: "N ID" loads with its id, a record from a
 * server before ids loads with its number as id, both come out of a
 * compaction the same; a bad id stops the start with FILE:LINE: reason,
 * and messages.txt (no ids there) refuses one.
 */
START_TEST(test_state_offline_ids)
{
	char dir[] = "/tmp/fs-state-XXXXXX", err[256];
	struct state st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "offline.txt",
	    "1; " T1 "; alice; bob; old one\n"
	    "2 0123456789abcdef.2; " T1 "; alice; bob; local; with semicolon\n"
	    "3 lab1.00ff.41; " T1 "; carol@lab1; bob; remote\n");
	put(dir, "journal.txt", "delivered; dave; 1\n");	/* compacts */
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(offline_count(st.offline), 3);
	ck_assert_str_eq(offline_at(st.offline, 0)->id, "1");
	ck_assert_str_eq(offline_at(st.offline, 1)->id, "0123456789abcdef.2");
	ck_assert_str_eq(offline_at(st.offline, 1)->text,
	    "local; with semicolon");
	ck_assert_str_eq(offline_at(st.offline, 2)->id, "lab1.00ff.41");
	ck_assert_str_eq(offline_at(st.offline, 2)->from, "carol@lab1");
	state_free(&st);
	holds(dir, "offline.txt",
	    "1 1; " T1 "; alice; bob; old one\n"
	    "2 0123456789abcdef.2; " T1 "; alice; bob; local; with semicolon\n"
	    "3 lab1.00ff.41; " T1 "; carol@lab1; bob; remote\n");
	ck_assert_msg(state_load(&st, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(offline_at(st.offline, 0)->id, "1");
	ck_assert_str_eq(offline_at(st.offline, 2)->id, "lab1.00ff.41");
	state_free(&st);

	put(dir, "offline.txt", "1 1; " T1 "; alice; bob; a\n"
	    "2 a:b; " T1 "; alice; bob; b\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "offline.txt:2: bad message id 'a:b'") !=
	    NULL, "got: %s", err);
	state_free(&st);
	put(dir, "offline.txt", "");
	put(dir, "messages.txt", "1 x.1; " T1 "; alice; bob; hi\n");
	ck_assert_int_eq(state_load(&st, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "messages.txt:1: bad number") != NULL,
	    "got: %s", err);
	state_free(&st);
	rmdir_all(dir);
}
END_TEST

Suite *
suite_msgrules(void)
{
	Suite *s = suite_create("msgrules");
	TCase *tc = tcase_create("board");
	TCase *tg = tcase_create("groups");
	TCase *tb = tcase_create("blocks_offline");
	TCase *ts = tcase_create("state");

	tcase_add_test(tc, test_board_numbering);
	tcase_add_test(tc, test_board_check);
	tcase_add_test(tc, test_board_delete_renumbers);
	tcase_add_test(tc, test_board_edit_and_read);
	tcase_add_test(tc, test_board_line_round_trip);
	tcase_add_test(tc, test_board_parse_errors);
	tcase_add_test(tg, test_groups_roles);
	tcase_add_test(tg, test_groups_names);
	tcase_add_test(tg, test_groups_line_round_trip);
	tcase_add_test(tb, test_blocks_pairs);
	tcase_add_test(tb, test_offline_take);
	tcase_add_test(tb, test_offline_next_drop);
	tcase_add_test(tb, test_offline_limit);
	tcase_add_test(ts, test_state_torn_tail);
	tcase_add_test(ts, test_state_bad_line);
	tcase_add_test(ts, test_state_journal_replay);
	tcase_add_test(ts, test_state_offline_ids);
	tcase_add_test(ts, test_state_compact_interrupted);
	tcase_add_test(ts, test_state_journal_bad_record);
	tcase_add_test(ts, test_state_orphan_group_log);
	tcase_add_test(ts, test_state_compact_fails_softly);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tg);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, ts);
	return s;
}
