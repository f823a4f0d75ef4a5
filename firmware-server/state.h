/*
 * state.h - what the server keeps across restarts besides the credentials:
 * the message board, groups and their logs, blocks, direct messages and
 * the offline queue.  The rules live in board.c, groups.c, blocks.c and
 * offline.c (in memory, no I/O); this module loads them at start and
 * writes every change before the change is acknowledged:
 *
 *   messagelog.txt        N; TIME; USER; TEXT; no|yes     appended
 *   GROUP_messagelog.txt  N; TIME; SENDER; TEXT           appended
 *   groups.txt            NAME; CREATOR; USER=joined|invited ...
 *   blocks.txt            BLOCKER; BLOCKED
 *   messages.txt          N; TIME; FROM; TO; TEXT         appended (every DM)
 *   offline.txt           N ID; TIME; FROM; TO; TEXT      appended
 *   journal.txt           one record per change to the files above:
 *       post; N; TIME; USER; TEXT; no|yes    (once the board is journaled)
 *       edit; N; TIME; TEXT      delete; N
 *       group; NAME; CREATOR; USER=ROLE ...  (the group as it is now)
 *       block; BLOCKER; BLOCKED  unblock; BLOCKER; BLOCKED
 *       delivered; USER; N       (USER's waiting messages up to N went)
 *
 * Every change costs one append (store_append_line: fsync'd, or batched
 * by policy, the reply held until it is on disk), never a rewrite.  At
 * start the journal is replayed over the files, and the files are then
 * rewritten from memory (NAME.compact, fsync, marker journal.commit,
 * rename, journal removed): between two starts the files plus the
 * journal are the truth; after a start the files alone are.
 */
#ifndef STATE_H
#define STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"

#define STATE_JOURNAL		"journal.txt"
#define STATE_JOURNAL_COMMIT	"journal.commit"

struct board;
struct groups;
struct group;
struct blocks;
struct offline;
struct offline_msg;

struct state {
	char		 dir[STORE_PATH_MAX];
	struct board	*board;
	struct groups	*groups;
	struct blocks	*blocks;
	struct offline	*offline;
	unsigned long	 dm_seq;	/* direct messages so far */
	bool		 board_journaled; /* board changes since start are
					    in the journal: posts go there */
};

/*
 * Load everything under dir.  Missing files are empty.  A last line
 * without its LF (an append cut by a power failure, never acknowledged)
 * is cut off with a warning; any other malformed line is an error:
 * returns -1 with "FILE:LINE: reason" in err.
 */
int	state_load(struct state *st, const char *dir, char *err, size_t errlen);
void	state_free(struct state *st);

/* A change to one post, for state_board_change. */
struct state_post_change {
	size_t		 n;		/* the post */
	bool		 del;		/* delete it, or: */
	const char	*text;		/* its new text */
	time_t		 time;		/* its new time */
};

/* Append post n (already on the board) to messagelog.txt. */
int	state_board_append(struct state *st, size_t n);
/* Journal an edit or a delete (before the board is changed). */
int	state_board_change(struct state *st, const struct state_post_change *c);
/* Journal group gr as it is now (created, or someone joined). */
int	state_group_save(struct state *st, const struct group *gr);
/* Append a message to GROUP_messagelog.txt. */
int	state_group_log(struct state *st, const struct group *gr,
	    unsigned long seq, time_t when, const char *sender, const char *text);
/* Journal that blocker blocked (on) or unblocked blocked. */
int	state_block_save(struct state *st, const char *blocker,
	    const char *blocked, bool on);
/* Append a direct message to messages.txt. */
int	state_dm_append(struct state *st, unsigned long seq, time_t when,
	    const char *from, const char *to, const char *text);
/* Append a queued message to offline.txt. */
int	state_offline_append(struct state *st, const struct offline_msg *m);
/* Journal that user's waiting messages up to seq were delivered. */
int	state_offline_delivered(struct state *st, const char *user,
	    unsigned long seq);

#endif /* STATE_H */
