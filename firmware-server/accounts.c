/*
 * accounts.c - credentials: load, look up, verify, register.
 *
 * Accounts sit in an array in file order (whoelsesince walks it) with an
 * open-addressing hash index by name for lookups.  The index holds
 * positions in that array (4 bytes a slot, not a pointer's 8), and each
 * account is a single allocation with its name and secret: about 100
 * bytes an account instead of 170, which is most of an idle server's
 * memory when the credentials file is large.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "hasher.h"
#include "history.h"
#include "store.h"


struct accounts {
	char		  path[STORE_PATH_MAX];
	struct account	**v;		/* file order */
	size_t		  n, cap;
	uint32_t	 *index;	/* hash slots: 1 + position in v, 0 = empty */
	size_t		  nslots;	/* power of two */
	/*
	 * Accounts a reload took out of the file.  They are kept, never
	 * indexed, because a session (and whatever else took a pointer) may
	 * still point to them; a name that comes back gets its struct back.
	 */
	struct account	**retired;
	size_t		  nretired;
};

/* FNV-1a over a name. */
static size_t
accounts_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

/* Put v[pos] in the index (which has room). */
static void
accounts_index_put(struct accounts *a, size_t pos)
{
	size_t i = accounts_hash(a->v[pos]->name) & (a->nslots - 1);

	while (a->index[i] != 0)
		i = (i + 1) & (a->nslots - 1);
	a->index[i] = (uint32_t)pos + 1;
}

/* Fill the index from v (its slots are all empty). */
static void
accounts_index_fill(struct accounts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		accounts_index_put(a, i);
}

/* Keep the index under half full for one more account. */
static int
accounts_index_grow(struct accounts *a)
{
	uint32_t *idx;
	size_t slots;

	if (a->nslots != 0 && (a->n + 1) * 2 <= a->nslots)
		return 0;
	slots = a->nslots ? a->nslots * 2 : 64;
	if (slots > (size_t)UINT32_MAX || (idx = calloc(slots,
	    sizeof(*idx))) == NULL)
		return -1;
	free(a->index);
	a->index = idx;
	a->nslots = slots;
	accounts_index_fill(a);
	return 0;
}

/* Look an account up by name. */
struct account *
accounts_find(struct accounts *a, const char *name)
{
	size_t i;

	if (a->nslots == 0)
		return NULL;
	i = accounts_hash(name) & (a->nslots - 1);
	while (a->index[i] != 0) {
		if (strcmp(a->v[a->index[i] - 1]->name, name) == 0)
			return a->v[a->index[i] - 1];
		i = (i + 1) & (a->nslots - 1);
	}
	return NULL;
}

/* Where acct's secret is when it is not an allocation of its own. */
static const char *
accounts_inline_secret(const struct account *acct)
{
	return acct->text + strlen(acct->name) + 1;
}

/* Free one account and its secret. */
static void
accounts_free_one(struct account *acct)
{
	if (acct->secret != accounts_inline_secret(acct))
		free(acct->secret);
	free(acct);
}

/* A new account: one allocation with its name and secret. */
static struct account *
accounts_new_one(const char *name, const char *secret)
{
	struct account *acct;
	size_t nl = strlen(name), sl = strlen(secret);

	if ((acct = calloc(1, sizeof(*acct) + nl + 1 + sl + 1)) == NULL)
		return NULL;
	memcpy(acct->text, name, nl + 1);
	memcpy(acct->text + nl + 1, secret, sl + 1);
	acct->name = acct->text;
	acct->secret = acct->text + nl + 1;
	acct->last_logout_ms = HISTORY_NEVER;
	return acct;
}

/* Add an account in memory. */
static struct account *
accounts_add(struct accounts *a, const char *name, const char *secret)
{
	struct account *acct, **v;

	if (accounts_index_grow(a) == -1)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		if ((v = realloc(a->v, cap * sizeof(*v))) == NULL)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	if ((acct = accounts_new_one(name, secret)) == NULL)
		return NULL;
	a->v[a->n++] = acct;
	accounts_index_put(a, a->n - 1);
	return acct;
}

/* Parse one line of the file; 1 added, 0 skipped, -1 error in err. */
static int
accounts_parse_line(struct accounts *a, char *line, size_t lineno,
    char *err, size_t errlen)
{
	char *sp, *pw, *end;
	struct account *dup;
	size_t i;

	end = line + strlen(line);
	while (end > line && (end[-1] == '\r' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		*--end = '\0';
	if (*line == '\0' || *line == '#')
		return 0;
	if ((sp = strpbrk(line, " \t")) == NULL) {
		snprintf(err, errlen, "%s:%zu: no password after the user name",
		    a->path, lineno);
		return -1;
	}
	*sp = '\0';
	for (pw = sp + 1; *pw == ' ' || *pw == '\t'; pw++)
		;
	if (!proto_valid_user(line)) {
		char sample[40];

		proto_sanitize(sample, sizeof(sample), line, strlen(line));
		snprintf(err, errlen, "%s:%zu: invalid user name '%s' (1 to %d "
		    "letters, digits, '.', '_' or '-')", a->path, lineno, sample,
		    PROTO_USER_MAX);
		return -1;
	}
	if ((dup = accounts_find(a, line)) != NULL) {
		snprintf(err, errlen, "%s:%zu: user '%s' is defined twice",
		    a->path, lineno, line);
		return -1;
	}
	for (i = 0; pw[i] != '\0'; i++) {
		if ((unsigned char)pw[i] < 0x20 && pw[i] != '\t') {
			snprintf(err, errlen, "%s:%zu: control character in the "
			    "password of '%s'", a->path, lineno, line);
			return -1;
		}
	}
	if (accounts_add(a, line, pw) == NULL) {
		snprintf(err, errlen, "%s: out of memory", a->path);
		return -1;
	}
	return 1;
}

/* Read the credentials file. */
struct accounts *
accounts_load(const char *path, bool missing_ok, char *err, size_t errlen)
{
	struct accounts *a;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(a->path, sizeof(a->path), "%s", path);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && missing_ok)
			return a;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(a);
		return NULL;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		/* Bounded by lines and accounts, not bytes, so that every
		   file registration can write loads (see ACCOUNTS_MAX). */
		if (n > ACCOUNTS_LINE_MAX) {
			snprintf(err, errlen, "%s:%zu: line longer than %d bytes",
			    path, lineno, ACCOUNTS_LINE_MAX);
			goto fail;
		}
		if (a->n >= ACCOUNTS_MAX && n > 0 && line[0] != '#' &&
		    line[0] != '\n') {
			snprintf(err, errlen, "%s:%zu: more than %d accounts",
			    path, lineno, ACCOUNTS_MAX);
			goto fail;
		}
		if (strlen(line) != (size_t)n) {
			snprintf(err, errlen, "%s:%zu: NUL byte in line", path,
			    lineno);
			goto fail;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (accounts_parse_line(a, line, lineno, err, errlen) == -1)
			goto fail;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(fp);
	return a;
fail:
	free(line);
	fclose(fp);
	accounts_free(a);
	return NULL;
}

/* Free everything. */
void
accounts_free(struct accounts *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		accounts_free_one(a->v[i]);
	for (i = 0; i < a->nretired; i++)
		accounts_free_one(a->retired[i]);
	free(a->retired);
	free(a->v);
	free(a->index);
	free(a);
}

/* Take the retired account of name back, or NULL. */
static struct account *
accounts_unretire(struct accounts *a, const char *name)
{
	struct account *acct;
	size_t i;

	for (i = 0; i < a->nretired; i++) {
		if (strcmp(a->retired[i]->name, name) == 0) {
			acct = a->retired[i];
			a->retired[i] = a->retired[--a->nretired];
			return acct;
		}
	}
	return NULL;
}

/* True when a retired account of that name is still logged in. */
static bool
accounts_retired_busy(const struct accounts *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nretired; i++) {
		if (a->retired[i]->session != NULL &&
		    strcmp(a->retired[i]->name, name) == 0)
			return true;
	}
	return false;
}

/* The retired account of name, left where it is, or NULL. */
static struct account *
accounts_retired_find(const struct accounts *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nretired; i++)
		if (strcmp(a->retired[i]->name, name) == 0)
			return a->retired[i];
	return NULL;
}

/*
 * Re-read the file.  The new file is loaded apart first, so a bad file
 * changes nothing.  Then every name in both keeps its struct (lockout,
 * last logout, session) with the new secret, names only in the new file
 * come in fresh, and names gone from it are retired.
 */
int
accounts_reload(struct accounts *a, bool missing_ok, size_t *added,
    size_t *removed, char *err, size_t errlen)
{
	struct accounts *fresh;
	struct account *nw, *old, **r;
	char *copy;
	size_t i, gone = 0;

	*added = *removed = 0;
	if ((fresh = accounts_load(a->path, missing_ok, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < a->n; i++)
		if (accounts_find(fresh, a->v[i]->name) == NULL)
			gone++;
	/*
	 * What can fail comes first, so that past it nothing can: room for
	 * the retired, and a copy of every secret that changed (it moves to
	 * the struct that stays; a fresh secret lives inside its struct).
	 */
	if (gone > 0) {
		r = realloc(a->retired, (a->nretired + gone) * sizeof(*r));
		if (r == NULL)
			goto nomem;
		a->retired = r;
	}
	for (i = 0; i < fresh->n; i++) {
		nw = fresh->v[i];
		if ((old = accounts_find(a, nw->name)) == NULL)
			old = accounts_retired_find(a, nw->name);
		if (old == NULL || strcmp(old->secret, nw->secret) == 0)
			continue;
		if ((copy = strdup(nw->secret)) == NULL)
			goto nomem;
		nw->secret = copy;
	}
	for (i = 0; i < a->n; i++)
		if (accounts_find(fresh, a->v[i]->name) == NULL)
			a->retired[a->nretired++] = a->v[i];
	for (i = 0; i < fresh->n; i++) {
		nw = fresh->v[i];
		if ((old = accounts_find(a, nw->name)) == NULL)
			old = accounts_unretire(a, nw->name);
		if (old == NULL) {
			(*added)++;
			continue;
		}
		if (nw->secret != accounts_inline_secret(nw)) {
			if (old->secret != accounts_inline_secret(old))
				free(old->secret);
			old->secret = nw->secret;
			nw->secret = nw->text + strlen(nw->name) + 1;
		}
		/* Same name at the same position: fresh's index stays right. */
		fresh->v[i] = old;
		accounts_free_one(nw);
	}
	free(a->v);
	free(a->index);
	a->v = fresh->v;
	a->n = fresh->n;
	a->cap = fresh->cap;
	a->index = fresh->index;
	a->nslots = fresh->nslots;
	free(fresh);
	*removed = gone;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", a->path);
	accounts_free(fresh);
	return -1;
}

/* Number of accounts. */
size_t
accounts_count(const struct accounts *a)
{
	return a->n;
}

/* The i-th account. */
struct account *
accounts_at(struct accounts *a, size_t i)
{
	return i < a->n ? a->v[i] : NULL;
}

/* Compare two strings in time that depends only on their lengths. */
static bool
accounts_equal(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y), i, n = lx > ly ? lx : ly;
	unsigned char d = lx != ly;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(i < lx ? x[i] : 0) ^
		    (unsigned char)(i < ly ? y[i] : 0);
	return d == 0;
}

/* True when the stored secret is a crypt(3) hash. */
bool
accounts_hashed(const struct account *acct)
{
	return acct->secret[0] == '$' && strchr(acct->secret + 1, '$') != NULL;
}

/* True when hash is the stored one. */
bool
accounts_hash_matches(const struct account *acct, const char *hash)
{
	return hash != NULL && accounts_hashed(acct) &&
	    accounts_equal(hash, acct->secret);
}

/* Check a password, in this process. */
bool
accounts_verify(const struct account *acct, const char *password)
{
	char h[CRYPT_OUTPUT_SIZE];
	bool ok;

	if (!accounts_hashed(acct))
		return accounts_equal(acct->secret, password);
	ok = hasher_hash_now(acct->secret, password, h, sizeof(h)) == 0 &&
	    accounts_hash_matches(acct, h);
	explicit_bzero(h, sizeof(h));
	return ok;
}

/* Rules for a new password. */
bool
accounts_password_ok(const char *password, char *err, size_t errlen)
{
	size_t len = strlen(password);

	if (len == 0 || len > PROTO_PASS_MAX) {
		snprintf(err, errlen, "a password is 1 to %d bytes",
		    PROTO_PASS_MAX);
		return false;
	}
	if (password[0] == ' ' || password[len - 1] == ' ') {
		snprintf(err, errlen, "a password may not start or end with a space");
		return false;
	}
	return true;
}

/* Whether name may be registered now. */
bool
accounts_name_free(struct accounts *a, const char *name, char *err,
    size_t errlen)
{
	if (!proto_valid_user(name) || accounts_find(a, name) != NULL ||
	    accounts_retired_busy(a, name)) {
		snprintf(err, errlen, "user name not available");
		return false;
	}
	return true;
}

/* Create an account with a hash made elsewhere. */
struct account *
accounts_register_hash(struct accounts *a, const char *name, const char *hash,
    char *err, size_t errlen)
{
	char line[PROTO_USER_MAX + CRYPT_OUTPUT_SIZE + 2];
	struct account *acct;

	if (!accounts_name_free(a, name, err, errlen))
		return NULL;
	snprintf(line, sizeof(line), "%s %s", name, hash);
	if (store_append_line(a->path, line) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", a->path,
		    strerror(errno));
		return NULL;
	}
	if ((acct = accounts_add(a, name, hash)) == NULL)
		snprintf(err, errlen, "out of memory");
	return acct;
}

/* Create an account. */
struct account *
accounts_register(struct accounts *a, const char *name, const char *password,
    char *err, size_t errlen)
{
	char h[CRYPT_OUTPUT_SIZE];
	struct account *acct;

	if (!accounts_name_free(a, name, err, errlen) ||
	    !accounts_password_ok(password, err, errlen))
		return NULL;
	if (hasher_hash_now(NULL, password, h, sizeof(h)) == -1) {
		snprintf(err, errlen, "cannot hash the password: %s",
		    strerror(errno));
		return NULL;
	}
	acct = accounts_register_hash(a, name, h, err, errlen);
	explicit_bzero(h, sizeof(h));
	return acct;
}
