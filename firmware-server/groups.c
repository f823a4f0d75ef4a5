/*
 * groups.c - group chats in memory.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"

struct groups {
	struct group	**v;
	size_t		  n, cap;
};

/* No groups. */
struct groups *
groups_new(void)
{
	return calloc(1, sizeof(struct groups));
}

/* Free every group. */
void
groups_free(struct groups *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	free(g);
}

/* Number of groups. */
size_t
groups_count(const struct groups *g)
{
	return g->n;
}

/* Group i, in order of creation. */
struct group *
groups_at(struct groups *g, size_t i)
{
	return i < g->n ? g->v[i] : NULL;
}

/* The group of that name, or NULL. */
struct group *
groups_find(struct groups *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i]->name, name) == 0)
			return g->v[i];
	return NULL;
}

/* Letters and digits only. */
bool
groups_valid_name(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (i >= PROTO_GROUP_MAX || !isalnum((unsigned char)name[i]) ||
		    (unsigned char)name[i] >= 0x80)
			return false;
	return i > 0;
}

/* The role of user. */
enum group_role
group_role(const struct group *gr, const char *user)
{
	size_t i;

	for (i = 0; i < gr->nmembers; i++)
		if (strcmp(gr->members[i].name, user) == 0)
			return gr->members[i].role;
	return GROUP_NONE;
}

/* Add a member unless present. */
static void
group_add_member(struct group *gr, const char *user, enum group_role role)
{
	if (group_role(gr, user) != GROUP_NONE ||
	    gr->nmembers == GROUPS_MEMBERS_MAX)
		return;
	snprintf(gr->members[gr->nmembers].name,
	    sizeof(gr->members[0].name), "%s", user);
	gr->members[gr->nmembers++].role = role;
}

/* Append a group to the table. */
static struct group *
groups_append(struct groups *g, struct group *gr)
{
	struct group **v;
	size_t cap;

	if (g->n >= GROUPS_MAX)
		return NULL;
	if (g->n == g->cap) {
		cap = g->cap ? g->cap * 2 : 16;
		if ((v = realloc(g->v, cap * sizeof(*v))) == NULL)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = gr;
	return gr;
}

/* Create a group. */
struct group *
groups_create(struct groups *g, const char *name, const char *creator,
    char *const *invitees, size_t n)
{
	struct group *gr;
	size_t i;

	if ((gr = calloc(1, sizeof(*gr))) == NULL)
		return NULL;
	snprintf(gr->name, sizeof(gr->name), "%s", name);
	snprintf(gr->creator, sizeof(gr->creator), "%s", creator);
	group_add_member(gr, creator, GROUP_JOINED);
	for (i = 0; i < n; i++)
		group_add_member(gr, invitees[i], GROUP_INVITED);
	if (groups_append(g, gr) == NULL) {
		free(gr);
		return NULL;
	}
	return gr;
}

/* An invited user joins. */
int
group_join(struct group *gr, const char *user)
{
	size_t i;

	for (i = 0; i < gr->nmembers; i++) {
		if (strcmp(gr->members[i].name, user) == 0 &&
		    gr->members[i].role == GROUP_INVITED) {
			gr->members[i].role = GROUP_JOINED;
			return 0;
		}
	}
	return -1;
}

/* Undo a join. */
void
group_unjoin(struct group *gr, const char *user)
{
	size_t i;

	for (i = 0; i < gr->nmembers; i++)
		if (strcmp(gr->members[i].name, user) == 0 &&
		    gr->members[i].role == GROUP_JOINED &&
		    strcmp(user, gr->creator) != 0)
			gr->members[i].role = GROUP_INVITED;
}

/* Drop the newest group. */
void
groups_remove_last(struct groups *g)
{
	if (g->n > 0)
		free(g->v[--g->n]);
}

/* One groups.txt line. */
int
groups_format(const struct group *gr, char *out, size_t outlen)
{
	size_t i, off;
	int r;

	r = snprintf(out, outlen, "%s; %s;", gr->name, gr->creator);
	if (r < 0 || (size_t)r >= outlen)
		return -1;
	off = (size_t)r;
	for (i = 0; i < gr->nmembers; i++) {
		r = snprintf(out + off, outlen - off, " %s=%s",
		    gr->members[i].name,
		    gr->members[i].role == GROUP_JOINED ? "joined" : "invited");
		if (r < 0 || (size_t)r >= outlen - off)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Parse one groups.txt line. */
int
groups_parse(char *line, struct group *gr, char *err, size_t errlen)
{
	char *name, *creator, *rest, *tok, *save, *eq;
	enum group_role role;

	memset(gr, 0, sizeof(*gr));
	name = line;
	if ((creator = strstr(name, "; ")) == NULL) {
		snprintf(err, errlen, "expected NAME; CREATOR; MEMBER=ROLE...");
		return -1;
	}
	*creator = '\0';
	creator += 2;
	if ((rest = strchr(creator, ';')) == NULL) {
		snprintf(err, errlen, "expected NAME; CREATOR; MEMBER=ROLE...");
		return -1;
	}
	*rest++ = '\0';
	if (!groups_valid_name(name)) {
		snprintf(err, errlen, "bad group name '%.40s'", name);
		return -1;
	}
	if (!proto_valid_user(creator)) {
		snprintf(err, errlen, "bad creator name '%.40s'", creator);
		return -1;
	}
	snprintf(gr->name, sizeof(gr->name), "%s", name);
	snprintf(gr->creator, sizeof(gr->creator), "%s", creator);
	for (tok = strtok_r(rest, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			snprintf(err, errlen, "member '%.40s' has no =ROLE", tok);
			return -1;
		}
		*eq++ = '\0';
		if (strcmp(eq, "joined") == 0)
			role = GROUP_JOINED;
		else if (strcmp(eq, "invited") == 0)
			role = GROUP_INVITED;
		else {
			snprintf(err, errlen, "role must be joined or invited, "
			    "not '%.20s'", eq);
			return -1;
		}
		if (!proto_valid_user(tok) ||
		    gr->nmembers == GROUPS_MEMBERS_MAX) {
			snprintf(err, errlen, "bad or too many members");
			return -1;
		}
		group_add_member(gr, tok, role);
	}
	return 0;
}

/* Add a parsed group. */
struct group *
groups_insert(struct groups *g, const struct group *src)
{
	struct group *gr;

	if (groups_find(g, src->name) != NULL ||
	    (gr = malloc(sizeof(*gr))) == NULL)
		return NULL;
	*gr = *src;
	if (groups_append(g, gr) == NULL) {
		free(gr);
		return NULL;
	}
	return gr;
}
