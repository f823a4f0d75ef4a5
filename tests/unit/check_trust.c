/*
 * check_trust.c - the client's known_servers store and fingerprint forms
 * (tui-client/trust.c).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "trust.h"
#include "../suites.h"

#define FP_A	"SHA256:a3f959985186dc1f487268c7026e9eef09e5ad21723423f2369c905ae1173035"
#define FP_B	"SHA256:0000000000000000000000000000000000000000000000000000000000000001"

START_TEST(test_fp_forms)
{
	char fp[TRUST_FP_LEN];

	ck_assert_int_eq(trust_fp_parse(FP_A, fp), 0);
	ck_assert_str_eq(fp, FP_A);
	/* Upper case and colons, as openssl x509 -fingerprint prints. */
	ck_assert_int_eq(trust_fp_parse("sha256:A3:F9:59:98:51:86:DC:1F:48:72:"
	    "68:C7:02:6E:9E:EF:09:E5:AD:21:72:34:23:F2:36:9C:90:5A:E1:17:30:35",
	    fp), 0);
	ck_assert_str_eq(fp, FP_A);
	ck_assert_int_eq(trust_fp_parse("SHA256:abc", fp), -1);
	ck_assert_int_eq(trust_fp_parse(FP_A "0", fp), -1);
	ck_assert_int_eq(trust_fp_parse(FP_A ":", fp), -1);
	ck_assert_int_eq(trust_fp_parse("MD5:a3f959985186dc1f487268c7026e9eef0"
	    "9e5ad21723423f2369c905ae1173035", fp), -1);
	ck_assert_int_eq(trust_fp_parse("SHA256:g3f959985186dc1f487268c7026e9e"
	    "ef09e5ad21723423f2369c905ae1173035", fp), -1);
}
END_TEST

START_TEST(test_lookup_text)
{
	static const char store[] =
	    "# pinned servers\n"
	    "\n"
	    "board:4001 not-a-fingerprint\n"
	    "127.0.0.1:4001 " FP_A "\r\n"
	    "127.0.0.1:4001 " FP_B "\n"
	    "[::1]:4001\t" FP_B;
	struct trust_entry e;
	char key[64];

	trust_lookup_text(store, strlen(store), "127.0.0.1:4001", &e);
	ck_assert(e.found);
	ck_assert_int_eq(e.line, 4);
	ck_assert_str_eq(e.fp, FP_A);
	trust_key(key, sizeof(key), "::1", "4001");
	ck_assert_str_eq(key, "[::1]:4001");
	trust_lookup_text(store, strlen(store), key, &e);
	ck_assert(e.found && e.line == 6);
	trust_lookup_text(store, strlen(store), "board:4001", &e);
	ck_assert(!e.found);
	trust_lookup_text(store, strlen(store), "127.0.0.1:400", &e);
	ck_assert(!e.found);
}
END_TEST

START_TEST(test_pin_and_path)
{
	char dir[] = "/tmp/trust-XXXXXX", path[TRUST_PATH_MAX], err[256];
	struct trust_entry e;
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_DATA_HOME", dir, 1);
	ck_assert_int_eq(trust_path(path, sizeof(path)), 0);
	ck_assert(strncmp(path, dir, strlen(dir)) == 0 &&
	    strcmp(path + strlen(dir), "/tui-client/known_servers") == 0);
	ck_assert_int_eq(trust_lookup(path, "h:1", &e, err, sizeof(err)), 0);
	ck_assert(!e.found);
	ck_assert_int_eq(trust_pin(path, "h:1", FP_A, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* An edited store without its last LF. */
	f = fopen(path, "a");
	fputs("# edited", f);
	fclose(f);
	ck_assert_int_eq(trust_pin(path, "h:2", FP_B, err, sizeof(err)), 0);
	ck_assert_int_eq(trust_lookup(path, "h:2", &e, err, sizeof(err)), 0);
	ck_assert(e.found && e.line == 3);
	ck_assert_str_eq(e.fp, FP_B);
	/* A relative XDG_DATA_HOME is ignored (the XDG rule). */
	setenv("XDG_DATA_HOME", "rel", 1);
	setenv("HOME", dir, 1);
	ck_assert_int_eq(trust_path(path, sizeof(path)), 0);
	ck_assert(strcmp(path + strlen(dir),
	    "/.local/share/tui-client/known_servers") == 0);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

Suite *
suite_trust(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("trust");

	tcase_add_test(tc, test_fp_forms);
	tcase_add_test(tc, test_lookup_text);
	tcase_add_test(tc, test_pin_and_path);
	suite_add_tcase(s, tc);
	return s;
}
