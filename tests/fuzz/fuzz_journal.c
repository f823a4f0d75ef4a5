/*
 * fuzz_journal.c - libFuzzer harness for the server's journal replay:
 * the input is journal.txt over a small board, groups, blocks and offline
 * queue; state_load() must refuse it with a reason or load it (and then
 * compact it) without a crash or a sanitizer report.  A start after a
 * successful one must load the compacted files again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* On tmpfs where there is one: the compaction fsyncs every file. */
static char	fz_shm[] = "/dev/shm/fuzz-journal-XXXXXX";
static char	fz_tmp[] = "/tmp/fuzz-journal-XXXXXX";
static char	*fz_dir;

/* Write a file of the test directory. */
static void
fz_put(const char *name, const void *text, size_t len)
{
	char path[600];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(text, 1, len, fp);
	fclose(fp);
}

/* Remove the test directory when the fuzzer ends. */
static void
fz_cleanup(void)
{
	static const char *const names[] = { "messagelog.txt", "groups.txt",
	    "blocks.txt", "offline.txt", "journal.txt", "journal.commit" };
	char path[600];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fz_dir, names[i]);
		unlink(path);
	}
	rmdir(fz_dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char posts[] =
	    "1; 23 Feb 2021 16:01:20; alice; one; no\n"
	    "2; 23 Feb 2021 16:01:21; bob; two; no\n"
	    "3; 23 Feb 2021 16:01:22; alice; three; yes\n";
	static const char offline[] =
	    "1; 23 Feb 2021 16:01:20; alice; bob; hi\n"
	    "2 0123456789abcdef.2; 23 Feb 2021 16:01:20; carol; bob; yo\n";
	struct state st;
	char err[512];

	if (fz_dir == NULL) {
		if ((fz_dir = mkdtemp(fz_shm)) == NULL &&
		    (fz_dir = mkdtemp(fz_tmp)) == NULL)
			abort();
		log_init("fuzz", LOG_LEVEL_ERROR);
		atexit(fz_cleanup);
	}
	if (size > 65536)
		return 0;
	fz_put("messagelog.txt", posts, sizeof(posts) - 1);
	fz_put("groups.txt", "g1; alice; alice=joined bob=invited\n", 36);
	fz_put("blocks.txt", "alice; bob\n", 11);
	fz_put("offline.txt", offline, sizeof(offline) - 1);
	fz_put("journal.txt", data, size);
	if (state_load(&st, fz_dir, err, sizeof(err)) == 0) {
		state_free(&st);
		if (state_load(&st, fz_dir, err, sizeof(err)) != 0)
			abort();	/* the compaction wrote what it cannot read */
	}
	state_free(&st);
	return 0;
}
