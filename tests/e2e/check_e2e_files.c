/*
 * check_e2e_files.c - files never land unasked (part of the e2e_p2p
 * suite): a receiver on a small filesystem refuses an offer that would
 * cut into the free space it keeps, with a message on both sides; one
 * sender cannot have more than P2P_FROM_MAX offers waiting or running
 * at a receiver; the screen asks by default, and "a" (always) takes the
 * next files from that sender without asking.  Also what the client will
 * not send: a password the server cannot take.  Real server, real
 * clients, a real tmpfs (skipped with a note when mounts are not
 * allowed), the real screen in tmux.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "steps.h"
#include "tmux.h"
#include "e2e_p2p.h"
#include "../suites.h"


/* Write size bytes (a pattern) as name in the plain clients' directory. */
static void
some_file(struct srv *s, const char *name, size_t size)
{
	char path[600], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/client", s->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/client/%s", s->dir, name);
	ck_assert_msg((f = fopen(path, "wb")) != NULL, "%s", path);
	memset(buf, 'f', sizeof(buf));
	for (; size > 0; size -= n) {
		n = size < sizeof(buf) ? size : sizeof(buf);
		ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	}
	fclose(f);
}

/* Write an INI file for a client into its directory; its path in out. */
static void
ini_file(struct srv *s, const char *name, const char *body, char *out,
    size_t len)
{
	FILE *f;

	snprintf(out, len, "%s/client", s->dir);
	mkdir(out, 0755);
	snprintf(out, len, "%s/client/%s", s->dir, name);
	ck_assert((f = fopen(out, "w")) != NULL);
	fputs(body, f);
	fclose(f);
}

/* Entries of dir other than . and .. */
static int
entries(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Wait until alice's file fN.bin is saved (whole) in the clients' dir. */
static void
wait_saved(struct srv *s, int n)
{
	long long end = e2e_now_ms() + XFER_MS;
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/client/alice_f%d.bin", s->dir, n);
	while (stat(path, &st) == -1 || st.st_size != 1000 * n) {
		ck_assert_msg(e2e_now_ms() < end, "%s never came", path);
		e2e_nap(20);
	}
}

/*
 * bob saves into a 2 MiB tmpfs and keeps 5 % of it free (the default):
 * a 2.0 MB file would fit but cut into that, so it is refused before a
 * byte is written, and both sides say why; a 300 kB file is taken.
 */
START_TEST(test_offer_reserve)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a, *b;
	char dl[600], ini[700], body[800];

	snprintf(dl, sizeof(dl), "%s/small-disk", s->dir);
	ck_assert_int_eq(mkdir(dl, 0700), 0);
	if (geteuid() != 0 ||
	    mount("tmpfs", dl, "tmpfs", 0, "size=2m,mode=0700") == -1) {
		/* A sandbox may forbid mounts even to root: say so loudly. */
		fprintf(stderr, "test_offer_reserve: cannot mount a tmpfs on "
		    "%s: %s; skipped\n", dl, geteuid() != 0 ? "not root" :
		    strerror(errno));
		srv_stop(s);
		return;
	}
	snprintf(body, sizeof(body), "[files]\ndownload_dir = %s\n", dl);
	ini_file(s, "small.ini", body, ini, sizeof(ini));
	a = step_login(s, "alice", "alice123", 0);
	b = step_login_args(s, "bob", "bob123", "-c", ini);
	some_file(s, "fill.bin", 2000000);
	some_file(s, "fits.bin", 300000);

	SEND(a, "UPD bob fill.bin");
	EXPECT(b, "Refused fill.bin (2.0 MB) from alice: it would leave less "
	    "than 104.9 kB free where files are saved (2.1 MB free)");
	EXPECT(a, "Error: sending fill.bin to bob failed: bob's client "
	    "refused it: not enough free space");
	ck_assert_int_eq(entries(dl), 0);

	SEND(a, "UPD bob fits.bin");
	EXPECT_MS(b, "Received fits.bin from alice", XFER_MS);
	EXPECT_MS(a, "sent to bob", XFER_MS);
	ck_assert_int_eq(entries(dl), 1);
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	umount2(dl, MNT_DETACH);
	step_stop_ok(s);
}
END_TEST

/*
 * A receiver that asks holds at most P2P_FROM_MAX (4) offers from one
 * sender; the fifth is refused at once, with a message on both sides.
 * "a" takes the file and every later one from that sender unasked.
 */
START_TEST(test_offer_cap_and_always)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a, *b;
	char ini[700], cmd[64], line[128];
	size_t mark;
	int i;

	ini_file(s, "ask.ini", "[files]\naccept_files = ask\n", ini,
	    sizeof(ini));
	a = step_login(s, "alice", "alice123", 0);
	b = step_login_args(s, "bob", "bob123", "-c", ini);
	for (i = 1; i <= 6; i++) {
		snprintf(cmd, sizeof(cmd), "f%d.bin", i);
		some_file(s, cmd, 1000u * (unsigned)i);
	}
	SEND(a, "UPD bob f1.bin");
	EXPECT(b, "alice wants to send you f1.bin (1.0 kB). Accept? (y/n/a = "
	    "always from alice)");
	for (i = 2; i <= 4; i++) {
		snprintf(cmd, sizeof(cmd), "UPD bob f%d.bin", i);
		SEND(a, cmd);
		snprintf(line, sizeof(line), "(waiting to be asked: alice wants "
		    "to send you f%d.bin", i);
		EXPECT(b, line);
	}
	SEND(a, "UPD bob f5.bin");
	EXPECT_LINE(b, "Refused f5.bin from alice: 4 files from alice are "
	    "waiting or on their way already");
	EXPECT(a, "Error: sending f5.bin to bob failed: bob's client refused "
	    "it: too many files from you at once");

	/* The next question shows as soon as one is answered. */
	mark = cli_mark(b);
	SEND(b, "a");
	EXPECT(b, "alice wants to send you f2.bin");
	SEND(b, "y");
	EXPECT(b, "alice wants to send you f3.bin");
	SEND(b, "n");
	EXPECT(b, "alice wants to send you f4.bin");
	SEND(b, "y");
	for (i = 1; i <= 4; i++)
		if (i != 3)
			wait_saved(s, i);
	/* Its answer comes after the lines of the files saved. */
	SEND(b, "message alice sync");
	EXPECT(b, "Message sent to alice at");
	ck_assert_msg(cli_saw(b, mark, "Files from alice are taken without "
	    "asking until you quit") != NULL &&
	    cli_saw(b, mark, "Received f1.bin from alice") != NULL &&
	    cli_saw(b, mark, "Received f2.bin from alice") != NULL &&
	    cli_saw(b, mark, "Declined f3.bin from alice") != NULL &&
	    cli_saw(b, mark, "Received f4.bin from alice") != NULL, "%s",
	    cli_lines(b, mark));
	mark = cli_mark(b);
	SEND(a, "UPD bob f6.bin");
	EXPECT_MS(b, "Received f6.bin from alice", XFER_MS);
	ck_assert_msg(cli_saw(b, mark, "wants to send you f6.bin") == NULL,
	    "asked again after always:\n%s", cli_lines(b, mark));
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/*
 * The screen asks by default (plain mode takes: the other tests); "a"
 * there takes this file and the next from alice without a question.
 */
START_TEST(test_screen_asks_by_default)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct tmx *t = tmx_new();
	struct cli *a;
	char saved[700];
	struct stat st;
	int status;

	tmx_login(t, s, "b", 100, 30, "bob", "bob123");
	a = step_login(s, "alice", "alice123", 0);
	some_file(s, "s.bin", 5000);
	some_file(s, "t.bin", 6000);
	SEND(a, "UPD bob s.bin");
	TMX_WAIT(t, "b", "(y/n/a");
	TMX_LINE(t, "b", "a");
	TMX_WAIT(t, "b", "Received s.bin from alice");
	EXPECT_MS(a, "File s.bin (5.0 kB) sent to bob", XFER_MS);
	SEND(a, "UPD bob t.bin");
	TMX_WAIT(t, "b", "Received t.bin from alice");
	ck_assert_msg(strstr(tmx_capture(t, "b", false), "wants to send you "
	    "t.bin") == NULL, "asked again:\n%s", t->screen);
	snprintf(saved, sizeof(saved), "%s/tmx-b/alice_t.bin", s->dir);
	ck_assert_msg(stat(saved, &st) == 0 && st.st_size == 6000, "%s",
	    saved);
	step_logout(a, "logout", "alice");
	TMX_LINE(t, "b", "/logout");
	status = tmx_wait_exit(t, "b", E2E_EXIT_MS);
	ck_assert_msg(status == 0, "exit status %d: %s", status, tmx_why(t));
	tmx_free(t);
	step_stop_ok(s);
}
END_TEST

/*
 * Plain mode refuses a password with a control character, one that is
 * not UTF-8 and one over 128 bytes before sending it (the server never
 * hears a PASS for them), and asks again; the right one then logs in.
 */
START_TEST(test_plain_password_refused_locally)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *c = cli_start(s, NULL);
	char longpw[140], *log;
	const char *p;
	int n;

	ck_assert_msg(c != NULL, "tui-client did not start: %s", e2e_error());
	memset(longpw, 'A', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	EXPECT(c, "Username:");
	SEND(c, "alice");
	EXPECT(c, "Password:");
	SEND(c, "alice\t123");
	EXPECT_LINE(c, "Error: a password must be valid UTF-8 without control "
	    "characters; it was not sent");
	EXPECT(c, "Password:");
	SEND(c, "p\xe9ssword");
	EXPECT_LINE(c, "Error: a password must be valid UTF-8 without control "
	    "characters; it was not sent");
	SEND(c, longpw);
	EXPECT_LINE(c, "Error: a password is at most 128 bytes; it was not "
	    "sent");
	SEND(c, "alice123");
	EXPECT_LINE(c, "Welcome alice");
	step_logout(c, "logout", "alice");
	/* One PASS reached the server: the right one. */
	log = srv_read_file(s, "server.log");
	ck_assert_ptr_nonnull(log);
	for (n = 0, p = log; (p = strstr(p, "alice PASS")) != NULL; p++)
		n++;
	ck_assert_msg(n == 1, "%d PASS lines:\n%s", n, log);
	free(log);
	step_stop_ok(s);
}
END_TEST

/* The e2e_p2p suite's case for offers (reserve, cap, asking) and what
   the client refuses to send. */
TCase *
tcase_e2e_files(void)
{
	TCase *tc = tcase_create("offers");

	tcase_add_unchecked_fixture(tc, tmx_fixture_setup,
	    tmx_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_offer_reserve);
	tcase_add_test(tc, test_offer_cap_and_always);
	tcase_add_test(tc, test_screen_asks_by_default);
	tcase_add_test(tc, test_plain_password_refused_locally);
	return tc;
}
