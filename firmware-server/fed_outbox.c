/*
 * fed_outbox.c - the files behind federation's direct messages:
 * fed-outbox.log (the origin's messages until acknowledged: "I OUTBOX",
 * "B BOOTID", "M DEST SEQ TIME FROM TO TEXT", "A DEST SEQ", "S" after a
 * clean stop) and fed-inbox.log (the home board's last number per origin:
 * "R ORIGIN OUTBOX SEQ").  Read at start-up, rewritten compactly then and
 * when they grow; appended to by fed_msg.c.
 */
#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fed_msg_int.h"
#include "log.h"
#include "store.h"

/* Cut "A B C rest" into n words and the rest; the count, or -1. */
static int
fed_cut(char *line, char **f, int n)
{
	int i = 0;
	char *p = line;

	while (i < n) {
		f[i++] = p;
		if (i == n)
			break;
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		*p++ = '\0';
	}
	return i;
}

/* True when s looks like a kernel boot id. */
static bool
fed_valid_boot(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef-");

	return n > 0 && n <= FED_BOOT_MAX && s[n] == '\0';
}

/* This boot's id (FS_TEST_BOOT_ID stands in for it in tests); "" when
   unknown. */
static void
fed_boot_read(void)
{
	const char *t = getenv("FS_TEST_BOOT_ID");
	FILE *fp;

	fed_m.boot[0] = '\0';
	if (t != NULL)
		snprintf(fed_m.boot, sizeof(fed_m.boot), "%s", t);
	else if ((fp = fopen(FED_BOOT_ID_FILE, "re")) != NULL) {
		if (fgets(fed_m.boot, sizeof(fed_m.boot), fp) == NULL)
			fed_m.boot[0] = '\0';
		fclose(fp);
	}
	fed_m.boot[strcspn(fed_m.boot, "\n")] = '\0';
	if (!fed_valid_boot(fed_m.boot))
		fed_m.boot[0] = '\0';
}

/*
 * A message goes to the broker once its outbox line is written, before
 * that line is synced.  A kill -9 keeps what was written; a power cut or
 * a kernel crash may not, and a number the home board has seen could then
 * be given to another message, which it would drop as a repeat.  So when
 * the outbox was last used in another boot and not closed by a clean stop,
 * everything waiting is numbered again under a new outbox id, which tells
 * the home boards to start again: nothing is lost, though a message that
 * arrived just before the cut may come twice.
 */
static bool
fed_lost_tail(void)
{
	return fed_m.log_boot[0] != '\0' && !fed_m.log_clean &&
	    strcmp(fed_m.log_boot, fed_m.boot) != 0;
}

/* A new outbox id; everything waiting numbered again from 1. */
static int
fed_renumber(void)
{
	unsigned char rnd[8];
	struct fed_out *o;
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		log_warn("federation: getrandom");
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(fed_m.inc + 2 * i, 3, "%02x", rnd[i]);
	for (i = 0; i < fed_m.npeers; i++) {
		struct fed_peer *p = fed_m.peers[i];

		p->acked = 0;
		p->next_seq = 1;
		TAILQ_FOREACH(o, &p->out, entry)
			o->seq = p->next_seq++;
		p->cursor = TAILQ_FIRST(&p->out);
	}
	return 0;
}

/* Replay one line of fed-outbox.log. */
static void
fed_out_replay(char *line)
{
	char *f[7];
	struct fed_peer *p;
	unsigned long long seq;
	struct fed_out *o;

	if (line[0] == 'I' && line[1] == ' ' && fed_valid_epoch(line + 2)) {
		snprintf(fed_m.inc, sizeof(fed_m.inc), "%s", line + 2);
		return;
	}
	if (line[0] == 'B' && line[1] == ' ' && fed_valid_boot(line + 2)) {
		snprintf(fed_m.log_boot, sizeof(fed_m.log_boot), "%s", line + 2);
		fed_m.log_clean = false;
		return;
	}
	if (strcmp(line, "S") == 0) {
		fed_m.log_clean = true;
		return;
	}
	fed_m.log_clean = false;
	if (line[0] == 'A' && fed_cut(line, f, 3) == 3 &&
	    proto_valid_board(f[1]) &&
	    (p = fed_peer_get(f[1], true)) != NULL) {
		seq = strtoull(f[2], NULL, 10);
		if (seq > p->acked)
			p->acked = seq;
		if (seq >= p->next_seq)
			p->next_seq = seq + 1;
		while ((o = TAILQ_FIRST(&p->out)) != NULL && o->seq <= seq)
			fed_out_drop(p, o);
		return;
	}
	if (line[0] == 'M' && fed_cut(line, f, 7) == 7 &&
	    proto_valid_board(f[1]) && proto_valid_user(f[4]) &&
	    proto_valid_user(f[5]) &&
	    (p = fed_peer_get(f[1], true)) != NULL) {
		seq = strtoull(f[2], NULL, 10);
		if (seq > p->acked && fed_out_add(p, seq,
		    (time_t)strtoll(f[3], NULL, 10), f[4], f[5], f[6]) != NULL)
			return;
		if (seq > p->acked)
			log_warnx("federation: out of memory loading the outbox");
		return;
	}
	log_warnx("federation: fed-outbox.log: a malformed line is skipped");
}

/* Replay one line of fed-inbox.log. */
static void
fed_in_replay(char *line)
{
	char *f[4];
	struct fed_peer *p;

	if (line[0] == 'R' && fed_cut(line, f, 4) == 4 &&
	    proto_valid_board(f[1]) && fed_valid_epoch(f[2]) &&
	    (p = fed_peer_get(f[1], true)) != NULL) {
		snprintf(p->inc_in, sizeof(p->inc_in), "%s", f[2]);
		p->last_in = strtoull(f[3], NULL, 10);
		return;
	}
	log_warnx("federation: fed-inbox.log: a malformed line is skipped");
}

/* Read a log, one line at a time. */
static int
fed_log_read(const char *path, void (*fn)(char *line))
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, fp)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0)
			fn(line);
	}
	free(line);
	fclose(fp);
	return 0;
}

/* Rewrite both logs with only what is still needed. */
int
fed_compact(void)
{
	char *buf = NULL, *ibuf = NULL;
	size_t len = 0, ilen = 0, i;
	struct fed_out *o;
	FILE *fp, *ifp;
	int r = -1;

	if ((fp = open_memstream(&buf, &len)) == NULL ||
	    (ifp = open_memstream(&ibuf, &ilen)) == NULL) {
		if (fp != NULL)
			fclose(fp);
		free(buf);
		return -1;
	}
	fprintf(fp, "I %s\n", fed_m.inc);
	if (fed_m.boot[0] != '\0')
		fprintf(fp, "B %s\n", fed_m.boot);
	for (i = 0; i < fed_m.npeers; i++) {
		struct fed_peer *p = fed_m.peers[i];

		if (p->next_seq > 1)
			fprintf(fp, "A %s %llu\n", p->name, p->next_seq - 1 >
			    p->acked ? p->acked : p->next_seq - 1);
		TAILQ_FOREACH(o, &p->out, entry)
			fprintf(fp, "M %s %llu %lld %s %s %s\n", p->name, o->seq,
			    (long long)o->time, o->from, o->to, o->text);
		if (p->inc_in[0] != '\0')
			fprintf(ifp, "R %s %s %llu\n", p->name, p->inc_in,
			    p->last_in);
	}
	fclose(fp);
	fclose(ifp);
	if (store_write_atomic(fed_m.out_path, buf, len, true) == 0 &&
	    store_write_atomic(fed_m.in_path, ibuf, ilen, true) == 0)
		r = 0;
	else
		log_warn("federation: cannot rewrite the outbox");
	fed_m.out_lines = fed_m.in_lines = 0;
	free(buf);
	free(ibuf);
	return r;
}

/* Read both logs into fed_m (a new outbox id when there is none, or when
   its tail may be lost) and rewrite them compactly. */
int
fed_outbox_load(void)
{
	fed_boot_read();
	if (fed_log_read(fed_m.out_path, fed_out_replay) == -1 ||
	    fed_log_read(fed_m.in_path, fed_in_replay) == -1) {
		log_warn("federation: cannot read the outbox");
		return -1;
	}
	if (fed_lost_tail()) {
		log_warnx("federation: the outbox was not closed cleanly before "
		    "a reboot; its %zu waiting message%s go under a new outbox "
		    "id", fed_m.nout, fed_m.nout == 1 ? "" : "s");
		if (fed_renumber() == -1)
			return -1;
	} else if (fed_m.inc[0] == '\0' && fed_renumber() == -1)
		/* A new outbox: numbering starts again at 1 under a new id,
		   which tells home boards to forget the old numbers. */
		return -1;
	return fed_compact();
}

/* At a clean stop, everything on disk (store_sync_all() came first): say
   so at the end of the outbox, whatever happens to the machine next. */
void
fed_outbox_close(void)
{
	if (!fed_m.ready || store_failed() != 0)
		return;
	if (store_append_line(fed_m.out_path, "S") == 0)
		store_sync_all();
	else
		log_warn("federation: cannot close the outbox");
}
