/*
 * check_edge_client.c - edge data in the client: its file names and
 * argument checks, and EDG's generated file (that the server's checker
 * takes these files is for the e2e_edge suite: it uploads them).
 */
#include <sys/stat.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge.h"
#include "suites.h"

/* Each line of text is one decimal integer ("-" allowed, no empty line,
   a newline after the last): 0 with their count, least and greatest. */
static int
scan_ints(const char *text, unsigned long long *count, long long *min,
    long long *max)
{
	const char *p = text;
	char *end;
	long long v;

	*count = 0;
	*min = LLONG_MAX;
	*max = LLONG_MIN;
	while (*p != '\0') {
		if (*p != '-' && (*p < '0' || *p > '9'))
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || end == p || *end != '\n')
			return -1;
		*min = v < *min ? v : *min;
		*max = v > *max ? v : *max;
		(*count)++;
		p = end + 1;
	}
	return 0;
}

/* Client file names and argument checks. */
START_TEST(test_client_names_and_checks)
{
	char buf[64], err[256];
	char *gen_ok[] = { "3", "10" }, *gen_badn[] = { "3", "0" };
	char *gen_badid[] = { "x", "10" }, *gen_neg[] = { "3", "-5" };
	char *st_ok[] = { "1", "average" }, *st_bad[] = { "1", "MEDIAN" };
	char *id_bad[] = { "1.5" };

	ck_assert_int_eq(edge_local_name("alice", 3, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "alice-3.txt");
	ck_assert_int_eq(edge_local_name("alice", -3, buf, sizeof(buf)), -1);
	ck_assert_int_eq(edge_local_name("a/b", 3, buf, sizeof(buf)), -1);
	ck_assert_int_eq(edge_local_name("alice", 3, buf, 8), -1);

	ck_assert_int_eq(edge_check_gen("EDG", 2, gen_ok, err, sizeof(err)), 0);
	ck_assert_int_eq(edge_check_gen("EDG", 2, gen_badn, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "EDG: N must be a positive integer (at most "
	    "1000000000), not '0'");
	ck_assert_int_eq(edge_check_gen("EDG", 2, gen_neg, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(edge_check_gen("EDG", 2, gen_badid, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "EDG: ID must be a non-negative integer, not "
	    "'x'");
	ck_assert_int_eq(edge_check_stats("SCS", 2, st_ok, err, sizeof(err)),
	    0);
	ck_assert_int_eq(edge_check_stats("SCS", 2, st_bad, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "SCS: unknown operation 'MEDIAN' (use SUM, "
	    "AVERAGE, MAX or MIN)");
	ck_assert_int_eq(edge_check_id("DTE", 1, id_bad, err, sizeof(err)), -1);
}
END_TEST

/* EDG's file: N lines of one integer each, replaced whole. */
START_TEST(test_generate)
{
	char dir[] = "/tmp/check_edge.XXXXXX", path[128], *text;
	unsigned long long count;
	long long min, max;
	FILE *fp;
	long len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alice-1.txt", dir);
	ck_assert_int_eq(edge_generate(path, 1000), 0);
	ck_assert_int_eq(edge_generate(path, 5000), 0);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	text = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
	text[len] = '\0';
	fclose(fp);
	ck_assert_int_eq(scan_ints(text, &count, &min, &max), 0);
	ck_assert_uint_eq(count, 5000);
	ck_assert(min < 0 && max > 0);
	ck_assert(min >= INT32_MIN && max <= INT32_MAX);
	free(text);
	ck_assert_int_eq(edge_generate(path, 0), -1);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);	/* no .tmp left behind */
}
END_TEST

/* EDG in steps: the old file stays whole until the last step renames the
   new one over it; giving up removes the temporary file. */
START_TEST(test_generate_steps)
{
	char dir[] = "/tmp/check_edge.XXXXXX", path[128], tmp[160];
	struct edge_gen g;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alice-2.txt", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(edge_generate(path, 3), 0);
	ck_assert_int_eq(edge_gen_open(&g, path, 25), 0);
	ck_assert_int_eq(edge_gen_step(&g, 10), 0);
	ck_assert_int_eq(edge_gen_step(&g, 10), 0);
	ck_assert_int_eq(stat(tmp, &st), 0);		/* in progress */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_le(st.st_size, 3 * 12);		/* still the old one */
	ck_assert_int_eq(edge_gen_step(&g, 10), 1);
	ck_assert_int_eq(stat(tmp, &st), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((long long)g.bytes, (long long)st.st_size);
	ck_assert_int_ge(st.st_size, 25 * 2);
	ck_assert_int_eq(edge_gen_open(&g, path, 100), 0);
	ck_assert_int_eq(edge_gen_step(&g, 10), 0);
	edge_gen_abort(&g);
	ck_assert_int_eq(stat(tmp, &st), -1);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A link left at NAME.tmp (to a file of the user's, say) is not
   followed: EDG refuses with ELOOP and the file it points at is intact. */
START_TEST(test_generate_no_follow)
{
	char dir[] = "/tmp/check_edge.XXXXXX", path[128], tmp[160];
	char victim[128], buf[64];
	struct edge_gen g;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alice-3.txt", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/bashrc", dir);
	fp = fopen(victim, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("keep me\n", fp);
	fclose(fp);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	errno = 0;
	ck_assert_int_eq(edge_gen_open(&g, path, 10), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(edge_generate(path, 10), -1);
	fp = fopen(victim, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_str_eq(buf, "keep me\n");
	ck_assert_int_eq(unlink(tmp), 0);
	ck_assert_int_eq(unlink(victim), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *
suite_edge_client(void)
{
	Suite *s = suite_create("edge_client");
	TCase *tn = tcase_create("names");

	tcase_add_test(tn, test_client_names_and_checks);
	tcase_add_test(tn, test_generate);
	tcase_add_test(tn, test_generate_steps);
	tcase_add_test(tn, test_generate_no_follow);
	suite_add_tcase(s, tn);
	return s;
}
