/*
 * fed_msg.c - direct messages and broadcasts across boards.
 *
 * Exactly once, in order per sender, whatever the broker does: a DM to a
 * remote user is appended to the outbox (fed-outbox.log) and the sender's
 * OK waits for that append to be on disk, as for a local message.  Each
 * destination board has its own sequence; the origin publishes from the
 * outbox (QoS 1) and keeps each message until the home board acknowledges
 * it.  The home board accepts only the next number from an origin (a
 * repeat is acknowledged again, a gap is ignored), stores or delivers the
 * message, records (origin, outbox id, number) in fed-inbox.log, and
 * acknowledges only once that record is on disk.  The origin resends from the first unacknowledged
 * message when the link or the home board comes back, or when no
 * acknowledgement came for FED_RESEND_MS (go-back-N).
 */
#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mono.h"
#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "fed_int.h"
#include "fed_link.h"
#include "log.h"
#include "offline.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "store.h"
#include "timefmt.h"

#define FED_OUTBOX_MAX		100000	/* messages waiting in all */
#define FED_PEERS_MAX		256	/* boards messaged or heard from */
#define FED_WINDOW		2000	/* published, unacknowledged */
#define FED_RESEND_MS		2000	/* no acknowledgement: go back */
#define FED_RESEND_MAX_MS	32000	/* ... doubling up to this */
#define FED_ACKS_MAX		100000	/* acknowledgements waiting */
#define FED_COMPACT_LINES	20000	/* rewrite the logs after so many */

struct fed_out {
	TAILQ_ENTRY(fed_out)	 entry;
	unsigned long long	 seq;
	uint64_t		 gen;		/* store generation of its line */
	time_t			 time;
	char			 from[PROTO_USER_MAX + 1];
	char			 to[PROTO_USER_MAX + 1];
	char			*text;
};
TAILQ_HEAD(fed_out_list, fed_out);

struct fed_peer {
	char			 name[PROTO_BOARD_MAX + 1];
	/* outgoing: our messages for its users */
	struct fed_out_list	 out;
	struct fed_out		*cursor;	/* next to publish, or NULL */
	unsigned long long	 next_seq;
	unsigned long long	 acked;
	int64_t			 progress_ms;
	int			 resend_ms;	/* doubles while no progress */
	/* incoming: its messages for our users */
	char			 inc_in[FED_EPOCH_MAX + 1];
	unsigned long long	 last_in;
	uint64_t		 last_in_gen;
	uint64_t		 reacked;	/* pass of the last repeat's ack */
	/* its broadcasts */
	char			 bc_epoch[FED_EPOCH_MAX + 1];
	unsigned long long	 bc_last;
};

struct fed_ack_q {
	struct fed_peer		*peer;
	unsigned long long	 seq;
	enum fed_ack		 status;
	uint64_t		 gen;
};

static struct {
	struct server		*srv;
	char			 inc[FED_EPOCH_MAX + 1];	/* outbox id */
	char			 out_path[STORE_PATH_MAX];
	char			 in_path[STORE_PATH_MAX];
	struct fed_peer		*peers[FED_PEERS_MAX];
	size_t			 npeers;
	size_t			 nout;
	struct fed_ack_q	*acks;		/* a ring */
	size_t			 ack_head, nacks;
	unsigned long long	 bc_seq;
	/* Live deliveries of this pass: their inbox records are written
	   after the pass has sent them (fed_msg_pass_end). */
	char			*live;		/* "R ..." lines, LF-separated */
	size_t			 live_len, live_cap;
	struct fed_ack_q	*live_acks;
	size_t			 nlive;
	size_t			 out_lines, in_lines;
	int64_t			 now_ms;
	uint64_t		 pass;		/* fed_msg_pass() calls */
} M;

/* The peer named name; added when add.  NULL when none or full. */
static struct fed_peer *
fed_peer_get(const char *name, bool add)
{
	struct fed_peer *p;
	size_t i;

	for (i = 0; i < M.npeers; i++)
		if (strcmp(M.peers[i]->name, name) == 0)
			return M.peers[i];
	if (!add || M.npeers == FED_PEERS_MAX ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	TAILQ_INIT(&p->out);
	p->next_seq = 1;
	p->resend_ms = FED_RESEND_MS;
	M.peers[M.npeers++] = p;
	return p;
}

/* Queue a message of the outbox in memory. */
static struct fed_out *
fed_out_add(struct fed_peer *p, unsigned long long seq, time_t when,
    const char *from, const char *to, const char *text)
{
	struct fed_out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->text = strdup(text)) == NULL) {
		free(o);
		return NULL;
	}
	o->seq = seq;
	o->time = when;
	snprintf(o->from, sizeof(o->from), "%s", from);
	snprintf(o->to, sizeof(o->to), "%s", to);
	TAILQ_INSERT_TAIL(&p->out, o, entry);
	if (p->cursor == NULL)
		p->cursor = o;
	if (seq >= p->next_seq)
		p->next_seq = seq + 1;
	M.nout++;
	return o;
}

/* Drop the head of p's outbox. */
static void
fed_out_drop(struct fed_peer *p, struct fed_out *o)
{
	if (p->cursor == o)
		p->cursor = TAILQ_NEXT(o, entry);
	TAILQ_REMOVE(&p->out, o, entry);
	free(o->text);
	free(o);
	M.nout--;
}

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

/* Replay one line of fed-outbox.log. */
static void
fed_out_replay(char *line)
{
	char *f[7];
	struct fed_peer *p;
	unsigned long long seq;
	struct fed_out *o;

	if (line[0] == 'I' && line[1] == ' ' && fed_valid_epoch(line + 2)) {
		snprintf(M.inc, sizeof(M.inc), "%s", line + 2);
		return;
	}
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
static int
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
	fprintf(fp, "I %s\n", M.inc);
	for (i = 0; i < M.npeers; i++) {
		struct fed_peer *p = M.peers[i];

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
	if (store_write_atomic(M.out_path, buf, len, true) == 0 &&
	    store_write_atomic(M.in_path, ibuf, ilen, true) == 0)
		r = 0;
	else
		log_warn("federation: cannot rewrite the outbox");
	M.out_lines = M.in_lines = 0;
	free(buf);
	free(ibuf);
	return r;
}

/* Load the outbox and the inbox's numbers. */
int
fed_msg_init(struct server *srv)
{
	unsigned char rnd[8];
	size_t i;

	memset(&M, 0, sizeof(M));
	M.srv = srv;
	if (store_path(M.out_path, srv->cfg.data_dir, "fed-outbox.log") == -1 ||
	    store_path(M.in_path, srv->cfg.data_dir, "fed-inbox.log") == -1 ||
	    (M.acks = calloc(FED_ACKS_MAX, sizeof(*M.acks))) == NULL ||
	    (M.live_acks = calloc(FED_WINDOW, sizeof(*M.live_acks))) == NULL) {
		log_errorx("federation: data_dir path too long, or no memory");
		return -1;
	}
	if (fed_log_read(M.out_path, fed_out_replay) == -1 ||
	    fed_log_read(M.in_path, fed_in_replay) == -1) {
		log_warn("federation: cannot read the outbox");
		return -1;
	}
	if (M.inc[0] == '\0') {
		/* A new outbox: numbering starts again at 1 under a new id,
		   which tells home boards to forget the old numbers. */
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			log_warn("federation: getrandom");
			return -1;
		}
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(M.inc + 2 * i, 3, "%02x", rnd[i]);
	}
	if (fed_compact() == -1)
		return -1;
	if (M.nout > 0)
		log_info("federation: %zu message%s in the outbox", M.nout,
		    M.nout == 1 ? "" : "s");
	return 0;
}

/* Free what fed_msg_init() made. */
void
fed_msg_free(void)
{
	struct fed_out *o;
	size_t i;

	for (i = 0; i < M.npeers; i++) {
		while ((o = TAILQ_FIRST(&M.peers[i]->out)) != NULL)
			fed_out_drop(M.peers[i], o);
		free(M.peers[i]);
	}
	free(M.acks);
	free(M.live_acks);
	free(M.live);
	memset(&M, 0, sizeof(M));
}

/* Start again from the first unacknowledged message. */
static void
fed_peer_rewind(struct fed_peer *p)
{
	p->cursor = TAILQ_FIRST(&p->out);
	p->progress_ms = M.now_ms;
}

/* Publish what the window allows of p's outbox. */
static void
fed_peer_pump(struct fed_peer *p)
{
	uint64_t done = store_gen_done();
	struct fed_rec r;
	struct fed_out *o;

	if (!fed_link_up() || !fed_board_online(p->name))
		return;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_DM;
	snprintf(r.epoch, sizeof(r.epoch), "%s", M.inc);
	while ((o = p->cursor) != NULL && o->seq <= p->acked + FED_WINDOW &&
	    (o->gen <= done || !store_holds_replies())) {
		if (p->cursor == TAILQ_FIRST(&p->out))
			p->progress_ms = M.now_ms;
		r.seq = o->seq;
		r.time = (long long)o->time;
		snprintf(r.user, sizeof(r.user), "%s", o->from);
		snprintf(r.to, sizeof(r.to), "%s", o->to);
		snprintf(r.text, sizeof(r.text), "%s", o->text);
		if (fed_publish(&r, p->name, 1, false) == -1)
			return;
		p->cursor = TAILQ_NEXT(o, entry);
	}
}

/* Connected: everything unacknowledged goes again. */
void
fed_msg_up(void)
{
	size_t i;

	for (i = 0; i < M.npeers; i++)
		fed_peer_rewind(M.peers[i]);
}

/* Disconnected: nothing is in flight any more. */
void
fed_msg_down(void)
{
	size_t i;

	for (i = 0; i < M.npeers; i++)
		fed_peer_rewind(M.peers[i]);
}

/* A board came online: resend to it from its first unacknowledged. */
void
fed_msg_board_online(const char *board)
{
	struct fed_peer *p = fed_peer_get(board, false);

	if (p != NULL) {
		fed_peer_rewind(p);
		fed_peer_pump(p);
	}
}

/* Once per pass: acknowledgements that are on disk, resends, publishing. */
int
fed_msg_pass(int64_t now_ms)
{
	uint64_t done = store_gen_done();
	struct fed_ack_q *a;
	struct fed_rec r;
	int t = -1;
	size_t i;

	M.now_ms = now_ms;
	M.pass++;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_ACK;
	while (M.nacks > 0 && fed_link_up()) {
		a = &M.acks[M.ack_head];
		if (a->gen > done && store_holds_replies())
			break;
		snprintf(r.epoch, sizeof(r.epoch), "%s", a->peer->inc_in);
		r.seq = a->seq;
		r.status = a->status;
		if (fed_publish(&r, a->peer->name, 1, false) == -1)
			break;
		M.ack_head = (M.ack_head + 1) % FED_ACKS_MAX;
		M.nacks--;
	}
	if (M.nacks > 0)
		t = 5;
	for (i = 0; i < M.npeers; i++) {
		struct fed_peer *p = M.peers[i];
		struct fed_out *first = TAILQ_FIRST(&p->out);

		if (first == NULL)
			continue;
		if (p->cursor != first && now_ms - p->progress_ms >=
		    p->resend_ms) {
			log_debug("federation: no acknowledgement from %s for "
			    "%d ms; resending from %llu", p->name,
			    p->resend_ms, first->seq);
			fed_peer_rewind(p);
			/* A home board that is slow, not gone, gets longer. */
			if (p->resend_ms < FED_RESEND_MAX_MS)
				p->resend_ms *= 2;
		}
		fed_peer_pump(p);
		if (fed_link_up() && fed_board_online(p->name)) {
			int left = (int)(p->progress_ms + p->resend_ms - now_ms);

			if (p->cursor != NULL && p->cursor->gen > done)
				left = 5;
			if (left < 1)
				left = 1;
			if (t == -1 || left < t)
				t = left;
		}
	}
	if (M.nout == 0 && M.out_lines + M.in_lines > FED_COMPACT_LINES)
		fed_compact();
	return t;
}

/* MSGTO to a remote user. */
void
fed_msgto(struct cmd_ctx *ctx, const char *addr, const char *text)
{
	char user[PROTO_USER_MAX + 1], board[PROTO_BOARD_MAX + 1];
	char line[PROTO_LINE_MAX + 128], when[TIMEFMT_LEN];
	struct fed_peer *p;
	struct fed_out *o;
	time_t now = time(NULL);

	if (fed_split_addr(addr, user, board) == -1) {
		cmd_err(ctx, PROTO_E_NOUSER, "no such user: %s", addr);
		return;
	}
	if (M.nout >= FED_OUTBOX_MAX) {
		cmd_err(ctx, PROTO_E_LIMIT, "%d messages wait for other boards "
		    "already; try again later", FED_OUTBOX_MAX);
		return;
	}
	if ((p = fed_peer_get(board, true)) == NULL) {
		cmd_err(ctx, PROTO_E_LIMIT, "too many boards (at most %d)",
		    FED_PEERS_MAX);
		return;
	}
	snprintf(line, sizeof(line), "M %s %llu %lld %s %s %s", board,
	    p->next_seq, (long long)now, ctx->s->name, user, text);
	if (store_append_line(M.out_path, line) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the message could not be stored; "
		    "it was not sent");
		return;
	}
	M.out_lines++;
	if ((o = fed_out_add(p, p->next_seq, now, ctx->s->name, user,
	    text)) == NULL) {
		cmd_err(ctx, PROTO_E_IO, "out of memory; the message is kept "
		    "on disk and goes after a restart");
		return;
	}
	o->gen = store_gen_open();
	timefmt_format(now, when);
	if (!fed_link_up() || !fed_board_online(board))
		cmd_ok(ctx, "Message to %s queued: board %s cannot be reached "
		    "now; it goes as soon as it can (%s)", addr, board, when);
	else if (fed_remote_online(addr))
		cmd_ok(ctx, "Message sent to %s at %s", addr, when);
	else
		cmd_ok(ctx, "%s is offline; the message will be delivered at "
		    "their next login (%s)", addr, when);
}

/* An acknowledgement for the board that sent r to queue. */
static void
fed_ack_queue(struct fed_peer *p, unsigned long long seq, enum fed_ack st,
    uint64_t gen)
{
	struct fed_ack_q *a;

	if (M.nacks == FED_ACKS_MAX) {	/* the oldest goes; it is resent */
		M.ack_head = (M.ack_head + 1) % FED_ACKS_MAX;
		M.nacks--;
	}
	a = &M.acks[(M.ack_head + M.nacks++) % FED_ACKS_MAX];
	a->peer = p;
	a->seq = seq;
	a->status = st;
	a->gen = gen;
}

/* Store or deliver a DM for one of our users; its status. */
static enum fed_ack
fed_deliver(const struct fed_rec *r, const char *from)
{
	struct state *st = M.srv->state;
	struct account *a;
	struct session *s;
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
	time_t t = (time_t)r->time;
	int n;

	if ((a = accounts_find(M.srv->accounts, r->to)) == NULL)
		return FED_ACK_NOUSER;
	if (blocks_has(st->blocks, a->name, from))
		return FED_ACK_BLOCKED;
	s = cmd_online(a) ? a->session : NULL;
	if (s == NULL && offline_count_for(st->offline, a->name) >=
	    OFFLINE_PER_USER_MAX)
		return FED_ACK_FULL;
	if (state_dm_append(st, st->dm_seq + 1, t, from, a->name,
	    r->text) == 0)
		st->dm_seq++;
	if (s != NULL) {
		/*
		 * Not held for the inbox record's fsync: the record is written
		 * (store_commit) just before this is flushed in the same pass,
		 * so a crash of the server (kill -9) either loses both, and the
		 * origin resends, or neither.  Held, a crash after the write
		 * but before the sync would keep the record and lose the line.
		 */
		if ((n = proto_ev_msg_encode(ev, sizeof(ev), from,
		    timefmt_format(t, when), r->text)) > 0)
			conn_write(s->conn, ev, (size_t)n);
		return FED_ACK_OK;
	}
	if (offline_add(st->offline, st->dm_seq, t, from, a->name,
	    r->text) == -1 || state_offline_append(st, offline_at(st->offline,
	    offline_count(st->offline) - 1)) == -1)
		log_warnx("federation: a message from %s for %s could not be "
		    "queued", from, a->name);
	return FED_ACK_OK;
}

/* Keep an inbox record of a live delivery for the pass's end. */
static int
fed_live_add(const char *line)
{
	size_t n = strlen(line) + 1;
	char *nb;

	if (M.live_len + n + 1 > M.live_cap) {
		size_t cap = M.live_cap ? M.live_cap * 2 : 4096;

		while (cap < M.live_len + n + 1)
			cap *= 2;
		if ((nb = realloc(M.live, cap)) == NULL)
			return -1;
		M.live = nb;
		M.live_cap = cap;
	}
	if (M.live_len > 0)
		M.live[M.live_len - 1] = '\n';
	memcpy(M.live + M.live_len, line, n);
	M.live_len += n;
	return 0;
}

/*
 * After the pass's output went to the sockets: write the inbox records of
 * its live deliveries (one append), then acknowledge them once on disk.
 * A crash before this write makes the origin send them again (shown twice,
 * never lost); the reverse order would lose what a crash kept from the
 * screen.  A kill -9 must land inside the pass's send() calls to see it.
 */
void
fed_msg_pass_end(void)
{
	uint64_t gen;
	size_t i;

	if (M.nlive == 0)
		return;
	if (store_append_line(M.in_path, M.live) == -1)
		log_warn("federation: cannot record %zu delivered messages; "
		    "they will come again", M.nlive);
	else {
		M.in_lines += M.nlive;
		gen = store_gen_open();
		/* Written now, not at the next pass: the window in which a
		   crash repeats what was shown is this pass's sends only. */
		store_commit(mono_now_ms());
		for (i = 0; i < M.nlive; i++) {
			struct fed_ack_q *q = &M.live_acks[i];

			if (q->peer->last_in_gen == UINT64_MAX)
				q->peer->last_in_gen = gen;
			fed_ack_queue(q->peer, q->seq, q->status, gen);
		}
	}
	M.nlive = 0;
	M.live_len = 0;
}

/* A DM from another board for one of our users. */
void
fed_msg_on_dm(const struct fed_rec *r)
{
	char from[PROTO_ADDR_MAX + 1], line[128];
	struct fed_peer *p;
	enum fed_ack status;
	struct account *a;

	if ((p = fed_peer_get(r->board, true)) == NULL)
		return;
	if (strcmp(p->inc_in, r->epoch) != 0) {
		if (r->seq != 1)
			return;		/* a new outbox starts at 1 */
		if (p->inc_in[0] != '\0')
			log_info("federation: board %s has a new outbox; its "
			    "numbers start again", p->name);
		snprintf(p->inc_in, sizeof(p->inc_in), "%s", r->epoch);
		p->last_in = 0;
	}
	if (r->seq <= p->last_in) {
		/* A repeat: acknowledge the last one again, once per pass. */
		if (p->last_in_gen != UINT64_MAX && p->reacked != M.pass) {
			p->reacked = M.pass;
			fed_ack_queue(p, p->last_in, FED_ACK_OK, p->last_in_gen);
		}
		return;
	}
	if (r->seq != p->last_in + 1)
		return;			/* a gap: the origin goes back */
	snprintf(from, sizeof(from), "%s@%s", r->user, r->board);
	snprintf(line, sizeof(line), "R %s %s %llu", p->name, p->inc_in,
	    r->seq);
	a = accounts_find(M.srv->accounts, r->to);
	if (a != NULL && cmd_online(a) && M.nlive < FED_WINDOW &&
	    fed_live_add(line) == 0) {
		/* Shown this pass; recorded once sent (fed_msg_pass_end). */
		status = fed_deliver(r, from);
		p->last_in = r->seq;
		p->last_in_gen = UINT64_MAX;
		M.live_acks[M.nlive].peer = p;
		M.live_acks[M.nlive].seq = r->seq;
		M.live_acks[M.nlive++].status = status;
		return;
	}
	if (store_append_line(M.in_path, line) == -1) {
		log_warn("federation: cannot record a message from %s; it "
		    "will come again", p->name);
		return;
	}
	M.in_lines++;
	status = fed_deliver(r, from);
	if (status != FED_ACK_OK)
		log_info("federation: a message from %s for %s: %s", from,
		    r->to, fed_ack_name(status));
	p->last_in = r->seq;
	p->last_in_gen = store_gen_open();
	fed_ack_queue(p, r->seq, status, p->last_in_gen);
}

/* Tell the sender that its message was refused at home. */
static void
fed_refused(const struct fed_peer *p, const struct fed_out *o,
    enum fed_ack status)
{
	struct account *a = accounts_find(M.srv->accounts, o->from);
	const char *why = status == FED_ACK_NOUSER ? "there is no such user" :
	    status == FED_ACK_BLOCKED ? "they have blocked you" :
	    "too many messages wait for them";
	char to[PROTO_ADDR_MAX + 1], ev[PROTO_LINE_MAX + 1];
	int n;

	log_info("federation: %s's message to %s@%s was refused: %s", o->from,
	    o->to, p->name, fed_ack_name(status));
	snprintf(to, sizeof(to), "%s@%s", o->to, p->name);
	if (a != NULL && cmd_online(a) && (n = proto_ev_undelivered_encode(ev,
	    sizeof(ev), to, why)) > 0)
		conn_write(a->session->conn, ev, (size_t)n);
}

/* An acknowledgement from a home board. */
void
fed_msg_on_ack(const struct fed_rec *r)
{
	char line[96];
	struct fed_peer *p = fed_peer_get(r->board, false);
	struct fed_out *o;

	if (p == NULL || strcmp(r->epoch, M.inc) != 0 || r->seq <= p->acked ||
	    r->seq >= p->next_seq)
		return;
	while ((o = TAILQ_FIRST(&p->out)) != NULL && o->seq <= r->seq) {
		if (o->seq == r->seq && r->status != FED_ACK_OK)
			fed_refused(p, o, r->status);
		fed_out_drop(p, o);
	}
	p->acked = r->seq;
	p->progress_ms = M.now_ms;
	p->resend_ms = FED_RESEND_MS;
	snprintf(line, sizeof(line), "A %s %llu", p->name, r->seq);
	/* If this is lost in a crash, the home board acknowledges again. */
	if (store_append_line(M.out_path, line) == 0)
		M.out_lines++;
	fed_peer_pump(p);
}

/* BROADCAST to the other boards. */
bool
fed_broadcast(struct server *srv, const char *from, const char *text,
    time_t when)
{
	struct fed_rec r;

	if (!fed_enabled() || !fed_link_up())
		return false;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_BCAST;
	snprintf(r.epoch, sizeof(r.epoch), "%s", fed_epoch());
	r.seq = ++M.bc_seq;
	r.time = (long long)when;
	snprintf(r.user, sizeof(r.user), "%s", from);
	snprintf(r.text, sizeof(r.text), "%s", text);
	return fed_publish(&r, NULL, 1, false) == 0;
}

/* A broadcast from another board: to our users, but those who block the
   sender; a repeat (same epoch, number not above the last) is dropped. */
void
fed_msg_on_bcast(const struct fed_rec *r)
{
	struct state *st = M.srv->state;
	char from[PROTO_ADDR_MAX + 1], when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1];
	struct fed_peer *p;
	struct session *s;
	int n;

	if ((p = fed_peer_get(r->board, true)) == NULL)
		return;
	if (strcmp(p->bc_epoch, r->epoch) == 0 && r->seq <= p->bc_last)
		return;
	snprintf(p->bc_epoch, sizeof(p->bc_epoch), "%s", r->epoch);
	p->bc_last = r->seq;
	snprintf(from, sizeof(from), "%s@%s", r->user, r->board);
	timefmt_format((time_t)r->time, when);
	if ((n = proto_ev_bcast_encode(ev, sizeof(ev), from, when,
	    r->text)) <= 0)
		return;
	TAILQ_FOREACH(s, &M.srv->active, active_entry) {
		if (conn_closing(s->conn) ||
		    blocks_has(st->blocks, s->name, from))
			continue;
		conn_write(s->conn, ev, (size_t)n);
	}
}
