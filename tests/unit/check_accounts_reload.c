/*
 * check_accounts_reload.c - accounts_reload(), what SIGHUP does to the
 * credentials: runtime state survives for names that stay, removed names
 * cannot log in but their structs stay valid, a bad file changes nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "suites.h"

static char dir[64];
static char path[96];

/* A fresh credentials file for each test. */
static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fs-reload-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/credentials.txt", dir);
}

/* Remove it. */
static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* Replace the file's content. */
static void
put(const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_reload_merges)
{
	struct accounts *a;
	struct account *alice, *bob, *x;
	struct session *fake = (struct session *)&fake;
	char err[256] = "";
	size_t added, removed;

	put("alice a1\nbob b1\n");
	a = accounts_load(path, false, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	alice = accounts_find(a, "alice");
	bob = accounts_find(a, "bob");
	alice->lock.failures = 2;
	alice->last_logout = 1234;
	bob->session = fake;		/* bob is logged in */

	put("carol c1\nalice a2\n");
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(removed, 1);
	ck_assert_uint_eq(accounts_count(a), 2);
	/* alice: same struct, same state, new password. */
	ck_assert_ptr_eq(accounts_find(a, "alice"), alice);
	ck_assert_int_eq(alice->lock.failures, 2);
	ck_assert_int_eq((int)alice->last_logout, 1234);
	ck_assert(accounts_verify(alice, "a2"));
	ck_assert(!accounts_verify(alice, "a1"));
	/* File order. */
	ck_assert_str_eq(accounts_at(a, 0)->name, "carol");
	ck_assert_ptr_eq(accounts_at(a, 1), alice);
	/* bob: not found, struct still valid for his session. */
	ck_assert_ptr_null(accounts_find(a, "bob"));
	ck_assert_ptr_eq(bob->session, fake);
	ck_assert_str_eq(bob->name, "bob");
	/* No second bob while the first is online. */
	ck_assert_ptr_null(accounts_register(a, "bob", "secret1", err,
	    sizeof(err)));

	/* bob comes back: his struct returns, session and all. */
	put("carol c1\nalice a2\nbob b3\n");
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(added, 0);
	ck_assert_uint_eq(removed, 0);
	x = accounts_find(a, "bob");
	ck_assert_ptr_eq(x, bob);
	ck_assert(accounts_verify(bob, "b3"));
	bob->session = NULL;
	accounts_free(a);
}
END_TEST

START_TEST(test_reload_error_keeps)
{
	struct accounts *a;
	struct account *alice;
	char err[256] = "";
	size_t added = 9, removed = 9;

	put("alice a1\n");
	a = accounts_load(path, false, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	alice = accounts_find(a, "alice");
	put("alice a2\nbroken\n");
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "credentials.txt:2: ") != NULL, "%s", err);
	ck_assert_ptr_eq(accounts_find(a, "alice"), alice);
	ck_assert(accounts_verify(alice, "a1"));
	/* Missing file: an error unless missing_ok, then an empty set. */
	unlink(path);
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(accounts_count(a), 1);
	ck_assert_int_eq(accounts_reload(a, true, &added, &removed, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(accounts_count(a), 0);
	ck_assert_uint_eq(removed, 1);
	accounts_free(a);
}
END_TEST

/*
 * A secret lives inside its account's allocation until a reload changes
 * it; then it has its own, freed when it changes again or at the end
 * (ASan's leak check watches the frees in the SAN=1 build).
 */
START_TEST(test_reload_secrets)
{
	static const char hash[] = "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4X"
	    "SIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/";
	struct accounts *a;
	struct account *alice, *bob;
	char err[256] = "", text[256];
	size_t added, removed;
	int i;

	put("alice a1\nbob b1\n");
	a = accounts_load(path, false, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	alice = accounts_find(a, "alice");
	bob = accounts_find(a, "bob");
	ck_assert_ptr_nonnull(alice);
	ck_assert_ptr_nonnull(bob);
	ck_assert_str_eq(alice->name, "alice");

	/* Longer, shorter, a hash, the same again, back to the first. */
	for (i = 0; i < 5; i++) {
		const char *pw = i == 0 ? "a-much-longer-password-than-before" :
		    i == 1 ? "x" : i == 2 || i == 3 ? hash : "a1";

		snprintf(text, sizeof(text), "alice %s\nbob b1\n", pw);
		put(text);
		ck_assert_int_eq(accounts_reload(a, false, &added, &removed,
		    err, sizeof(err)), 0);
		ck_assert_uint_eq(added + removed, 0);
		ck_assert_ptr_eq(accounts_find(a, "alice"), alice);
		ck_assert_ptr_eq(accounts_find(a, "bob"), bob);
		ck_assert_str_eq(alice->secret, pw);
		ck_assert_str_eq(alice->name, "alice");
		ck_assert_str_eq(bob->secret, "b1");
	}
	ck_assert(accounts_verify(alice, "a1"));
	ck_assert(accounts_verify(bob, "b1"));

	/* alice leaves with a changed secret of her own, then comes back
	   with yet another. */
	put("bob b1\n");
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), 0);
	put("bob b2\nalice a3\n");
	ck_assert_int_eq(accounts_reload(a, false, &added, &removed, err,
	    sizeof(err)), 0);
	ck_assert_ptr_eq(accounts_find(a, "alice"), alice);
	ck_assert(accounts_verify(alice, "a3"));
	ck_assert(accounts_verify(bob, "b2"));
	ck_assert_ptr_eq(accounts_at(a, 0), bob);
	accounts_free(a);
}
END_TEST

/*
 * Thousands of accounts stay in memory: the struct holds no name array
 * (the name and secret share its allocation).  64 bytes on 64-bit
 * systems; a field added here costs 8 bytes times every account.
 */
START_TEST(test_account_size)
{
	ck_assert_uint_le(sizeof(struct account), 64);
}
END_TEST

/* Many accounts: every one is found, in file order, after the index grew. */
START_TEST(test_many_accounts)
{
	struct accounts *a;
	struct account *acct;
	char err[256] = "", name[16];
	FILE *fp = fopen(path, "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < 5000; i++)
		fprintf(fp, "u%d p%d\n", i, i);
	ck_assert_int_eq(fclose(fp), 0);
	a = accounts_load(path, false, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	ck_assert_uint_eq(accounts_count(a), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		acct = accounts_find(a, name);
		ck_assert_msg(acct != NULL && acct == accounts_at(a, (size_t)i),
		    "%s not found at %d", name, i);
		snprintf(name, sizeof(name), "p%d", i);
		ck_assert(accounts_verify(acct, name));
	}
	ck_assert_ptr_null(accounts_find(a, "u5000"));
	ck_assert_ptr_null(accounts_find(a, "p1"));
	accounts_free(a);
}
END_TEST

/*
 * Whatever registration writes loads again: 200,000 accounts with
 * yescrypt-sized hashes (19 MB, past the 16 MiB the loader used to take)
 * load, so the server starts; a line longer than ACCOUNTS_LINE_MAX, which
 * registration never writes, is refused with its line number.
 */
START_TEST(test_loads_what_registration_writes)
{
	static const char hash[] = "$y$j9T$abcdefghijklmnopqrstu.$"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq";
	struct accounts *a;
	char err[256] = "", *longline;
	FILE *fp = fopen(path, "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < 200000; i++)
		fprintf(fp, "user-%07d %s%07d\n", i, hash, i);
	ck_assert_int_eq(fclose(fp), 0);
	a = accounts_load(path, false, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	ck_assert_uint_eq(accounts_count(a), 200000);
	ck_assert_ptr_nonnull(accounts_find(a, "user-0199999"));
	accounts_free(a);

	longline = malloc(ACCOUNTS_LINE_MAX + 16);
	ck_assert_ptr_nonnull(longline);
	memset(longline, 'x', ACCOUNTS_LINE_MAX + 15);
	memcpy(longline, "bob ", 4);
	longline[ACCOUNTS_LINE_MAX + 15] = '\0';
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "alice a1\n%s\n", longline);
	ck_assert_int_eq(fclose(fp), 0);
	free(longline);
	ck_assert_ptr_null(accounts_load(path, false, err, sizeof(err)));
	ck_assert_msg(strstr(err, "credentials.txt:2: line longer than 1024 "
	    "bytes") != NULL, "%s", err);
}
END_TEST

Suite *
suite_accounts_reload(void)
{
	Suite *s = suite_create("accounts_reload");
	TCase *tc = tcase_create("reload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reload_merges);
	tcase_add_test(tc, test_reload_error_keeps);
	tcase_add_test(tc, test_reload_secrets);
	tcase_add_test(tc, test_account_size);
	tcase_add_test(tc, test_many_accounts);
	tcase_add_test(tc, test_loads_what_registration_writes);
	suite_add_tcase(s, tc);
	return s;
}
