/*
 * state.h - what the server keeps across restarts besides the credentials:
 * the message board, groups and their logs, blocks, direct messages and
 * the offline queue.  The rules live in board.c, groups.c, blocks.c and
 * offline.c (in memory, no I/O); this module loads them at start and
 * writes every change before the change is acknowledged:
 *
 *   messagelog.txt        N; TIME; USER; TEXT; no|yes     rewritten / appended
 *   GROUP_messagelog.txt  N; TIME; SENDER; TEXT           appended
 *   groups.txt            NAME; CREATOR; USER=joined|invited ...   rewritten
 *   blocks.txt            BLOCKER; BLOCKED                rewritten
 *   messages.txt          N; TIME; FROM; TO; TEXT         appended (every DM)
 *   offline.txt           N; TIME; FROM; TO; TEXT         appended / rewritten
 *
 * Appends go through store_append_line (fsync'd, or batched by policy),
 * rewrites through store_write_atomic (temp file, fsync, rename).
 */
#ifndef STATE_H
#define STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"

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
};

/*
 * Load everything under dir.  Missing files are empty.  A last line
 * without its LF (an append cut by a power failure, never acknowledged)
 * is cut off with a warning; any other malformed line is an error:
 * returns -1 with "FILE:LINE: reason" in err.
 */
int	state_load(struct state *st, const char *dir, char *err, size_t errlen);
void	state_free(struct state *st);

/* A change to one post, for state_board_rewrite. */
struct state_post_change {
	size_t		 n;		/* the post */
	bool		 del;		/* delete it, or: */
	const char	*text;		/* its new text */
	time_t		 time;		/* its new time */
};

/* Append post n (already on the board) to messagelog.txt. */
int	state_board_append(struct state *st, size_t n);
/* Rewrite messagelog.txt as the board would be after change. */
int	state_board_rewrite(struct state *st, const struct state_post_change *c);
/* Rewrite groups.txt from memory. */
int	state_groups_rewrite(struct state *st);
/* Append a message to GROUP_messagelog.txt. */
int	state_group_log(struct state *st, const struct group *gr,
	    unsigned long seq, time_t when, const char *sender, const char *text);
/* Rewrite blocks.txt from memory. */
int	state_blocks_rewrite(struct state *st);
/* Append a direct message to messages.txt. */
int	state_dm_append(struct state *st, unsigned long seq, time_t when,
	    const char *from, const char *to, const char *text);
/* Append a queued message to offline.txt. */
int	state_offline_append(struct state *st, const struct offline_msg *m);
/* Rewrite offline.txt from memory. */
int	state_offline_rewrite(struct state *st);

#endif /* STATE_H */
