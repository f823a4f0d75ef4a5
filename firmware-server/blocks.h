/*
 * blocks.h - who blocks whom, in memory: a sorted set of (blocker,
 * blocked) pairs.  state.c keeps it in blocks.txt.
 */
#ifndef BLOCKS_H
#define BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define BLOCKS_MAX	100000	/* pairs held; over: BLOCK is refused */

struct blocks;

struct blocks	*blocks_new(void);
void		 blocks_free(struct blocks *b);
/* True when blocker blocks blocked. */
bool		 blocks_has(const struct blocks *b, const char *blocker,
		     const char *blocked);
/* Add a pair; 1 added, 0 already there, -1 full or out of memory. */
int		 blocks_add(struct blocks *b, const char *blocker,
		     const char *blocked);
/* Remove a pair; 1 removed, 0 not there. */
int		 blocks_remove(struct blocks *b, const char *blocker,
		     const char *blocked);
size_t		 blocks_count(const struct blocks *b);
/* Pair i in sorted order. */
void		 blocks_at(const struct blocks *b, size_t i,
		     const char **blocker, const char **blocked);

#endif /* BLOCKS_H */
