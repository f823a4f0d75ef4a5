/*
 * accounts.h - the credentials file: "username password" per line, the
 * password in plain text or as a crypt(3) hash ($y$..., $6$...).  New
 * accounts are appended with a yescrypt hash; other lines are never
 * rewritten.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lockout.h"
#include "proto.h"

struct session;

/*
 * The most accounts a credentials file may hold: the loader refuses more,
 * and the max_accounts setting cannot go higher, so a file that
 * registration wrote always loads.
 */
#define ACCOUNTS_MAX		1000000
/* The longest line the loader takes (a name, a password or hash, blanks). */
#define ACCOUNTS_LINE_MAX	1024

/*
 * One allocation per account: the struct, then its name and its secret
 * (in text[]).  A reload that changes the secret gives it an allocation of
 * its own.  A server with thousands of accounts keeps them all in memory,
 * so every byte here counts.
 */
struct account {
	const char	*name;			/* in text[] */
	char		*secret;		/* plain text or crypt hash */
	struct lockout	 lock;			/* failed logins */
	int64_t		 last_logout_ms;	/* HISTORY_NEVER or monotonic */
	time_t		 last_logout;		/* wall clock of that logout */
	struct session	*session;		/* when logged in */
	char		 text[];		/* "NAME\0SECRET\0" */
};

struct accounts;

/*
 * Read the credentials file.  Blank lines and lines starting with '#' are
 * skipped.  Returns NULL with err "FILE:LINE: reason" on a malformed line
 * or a duplicate name, or "FILE: reason" when it cannot be read; when
 * missing_ok is true a missing file gives an empty set.
 */
struct accounts	*accounts_load(const char *path, bool missing_ok, char *err,
		     size_t errlen);
void		 accounts_free(struct accounts *a);
struct account	*accounts_find(struct accounts *a, const char *name);
size_t		 accounts_count(const struct accounts *a);
/* The i-th account in file order. */
struct account	*accounts_at(struct accounts *a, size_t i);
/* True when password matches (constant time for a given length). */
bool		 accounts_verify(const struct account *acct, const char *password);
/* True when the account keeps a crypt(3) hash (checking it is slow). */
bool		 accounts_hashed(const struct account *acct);
/* True when hash (crypt of the password with the stored setting) is the
   stored one; constant time. */
bool		 accounts_hash_matches(const struct account *acct,
		     const char *hash);
/* Whether name may be registered now; false with err set. */
bool		 accounts_name_free(struct accounts *a, const char *name,
		     char *err, size_t errlen);
/*
 * Create an account: hash the password, append "name hash" to the file,
 * then add it.  Returns the account, or NULL with err set and nothing
 * changed.  accounts_register_hash() does it with a hash made elsewhere
 * (the hasher child).
 */
struct account	*accounts_register(struct accounts *a, const char *name,
		     const char *password, char *err, size_t errlen);
struct account	*accounts_register_hash(struct accounts *a, const char *name,
		     const char *hash, char *err, size_t errlen);
/*
 * Read the file again (SIGHUP).  Names still in it keep their runtime
 * state (lockout, last logout, session) and take the new password; new
 * names are added; names gone from it can no longer log in, but a session
 * of theirs lives on until it ends.  On an error (err "FILE:LINE: reason")
 * the old set stays as it was.  Returns 0 or -1.
 */
int		 accounts_reload(struct accounts *a, bool missing_ok,
		     size_t *added, size_t *removed, char *err, size_t errlen);
/* True when password is acceptable for a new account (err says why not). */
bool		 accounts_password_ok(const char *password, char *err,
		     size_t errlen);

#endif /* ACCOUNTS_H */
