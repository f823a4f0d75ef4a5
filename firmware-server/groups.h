/*
 * groups.h - group chats in memory, without I/O: unique alphanumeric
 * names, a creator who is a member at once, invitees who must join before
 * they send.  state.c keeps them in groups.txt.
 */
#ifndef GROUPS_H
#define GROUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define GROUPS_MAX		10000	/* groups held; over: GCREATE refused */
#define GROUPS_MEMBERS_MAX	(PROTO_GROUP_INVITE_MAX + 1)

enum group_role {
	GROUP_NONE = 0,		/* not invited */
	GROUP_INVITED,		/* invited, not joined yet */
	GROUP_JOINED,
};

struct group_member {
	char		 name[PROTO_USER_MAX + 1];
	enum group_role	 role;
};

struct group {
	char			 name[PROTO_GROUP_MAX + 1];
	char			 creator[PROTO_USER_MAX + 1];
	struct group_member	 members[GROUPS_MEMBERS_MAX];
	size_t			 nmembers;
	unsigned long		 last_seq;	/* messages so far */
};

struct groups;

struct groups	*groups_new(void);
void		 groups_free(struct groups *g);
size_t		 groups_count(const struct groups *g);
struct group	*groups_at(struct groups *g, size_t i);
struct group	*groups_find(struct groups *g, const char *name);
/* True for [A-Za-z0-9]{1,PROTO_GROUP_MAX}. */
bool		 groups_valid_name(const char *name);
/*
 * Create a group with its creator (joined) and invitees (invited);
 * duplicates among the invitees and the creator are folded.  NULL when
 * the table is full or out of memory.  The caller checked the name.
 */
struct group	*groups_create(struct groups *g, const char *name,
		     const char *creator, char *const *invitees, size_t n);
/* The role of user in group gr. */
enum group_role	 group_role(const struct group *gr, const char *user);
/* Mark an invited user joined; -1 when not invited. */
int		 group_join(struct group *gr, const char *user);
/* Undo group_join (when storing it failed). */
void		 group_unjoin(struct group *gr, const char *user);
/* Drop the group created last (when storing it failed). */
void		 groups_remove_last(struct groups *g);

/* "NAME; CREATOR; user=joined user=invited ..." into out; -1 when too long. */
int		 groups_format(const struct group *gr, char *out, size_t outlen);
/* Parse one groups.txt line (in place) into gr; -1 with err. */
int		 groups_parse(char *line, struct group *gr, char *err,
		     size_t errlen);
/* Add a parsed group; NULL when its name is taken or no room. */
struct group	*groups_insert(struct groups *g, const struct group *gr);

#endif /* GROUPS_H */
