/*
 * fed_msg.c - direct messages and broadcasts across boards.
 *
 * Exactly once, in order per sender, whatever the broker does: a DM to a
 * remote user is appended to the outbox (fed-outbox.log) and the sender's
 * OK waits for that append to be on disk, as for a local message.  Each
 * destination board has its own sequence; the origin publishes from the
 * outbox and keeps each message until the home board acknowledges it.
 * Messages and acknowledgements go at QoS 0: this protocol, not the
 * broker's, makes them arrive once, and QoS 1 would only add a PUBACK per
 * record and the broker's in-flight limit (a dropped one is a gap, filled
 * by the origin's resend).  The home board accepts only the next number
 * from an origin (a repeat is acknowledged again, a gap is ignored),
 * stores or delivers the message, records (origin, outbox id, number) in
 * fed-inbox.log, and acknowledges only once that record is on disk.  The
 * origin resends from the first unacknowledged message when the link or
 * the home board comes back, or when no acknowledgement came for
 * FED_RESEND_MS (go-back-N).  It publishes once per loop pass, after the
 * pass's outbox lines are written: to a board that announced it reads
 * them (its FEAT record), all that is ready goes in one batch (DMB).
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "accounts.h"
#include "blocks.h"
#include "cmd.h"
#include "conn.h"
#include "fed.h"
#include "fed_int.h"
#include "fed_link.h"
#include "fed_msg_int.h"
#include "log.h"
#include "offline.h"
#include "proto_ev.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "store.h"
#include "timefmt.h"

struct fed_msg_state fed_m;


/* The peer named name; added when add.  NULL when none or full. */
struct fed_peer *
fed_peer_get(const char *name, bool add)
{
	struct fed_peer *p;
	size_t i;

	for (i = 0; i < fed_m.npeers; i++)
		if (strcmp(fed_m.peers[i]->name, name) == 0)
			return fed_m.peers[i];
	if (!add || fed_m.npeers == FED_PEERS_MAX ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	TAILQ_INIT(&p->out);
	p->next_seq = 1;
	p->resend_ms = FED_RESEND_MS;
	fed_m.peers[fed_m.npeers++] = p;
	return p;
}

/* Queue a message of the outbox in memory. */
struct fed_out *
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
	fed_m.nout++;
	return o;
}

/* Drop the head of p's outbox. */
void
fed_out_drop(struct fed_peer *p, struct fed_out *o)
{
	if (p->cursor == o)
		p->cursor = TAILQ_NEXT(o, entry);
	TAILQ_REMOVE(&p->out, o, entry);
	free(o->text);
	free(o);
	fed_m.nout--;
}

/* Load the outbox and the inbox's numbers. */
int
fed_msg_init(struct server *srv)
{
	memset(&fed_m, 0, sizeof(fed_m));
	fed_m.srv = srv;
	if (store_path(fed_m.out_path, srv->cfg.data_dir, "fed-outbox.log") == -1 ||
	    store_path(fed_m.in_path, srv->cfg.data_dir, "fed-inbox.log") == -1 ||
	    (fed_m.acks = calloc(FED_ACKS_MAX, sizeof(*fed_m.acks))) == NULL ||
	    (fed_m.live_acks = calloc(FED_WINDOW, sizeof(*fed_m.live_acks))) == NULL) {
		log_errorx("federation: data_dir path too long, or no memory");
		return -1;
	}
	if (fed_outbox_load() == -1)
		return -1;
	fed_m.ready = true;
	fed_m.test_crash = getenv("FS_TEST_FED_CRASH") != NULL &&
	    strcmp(getenv("FS_TEST_FED_CRASH"), "publish") == 0;
	if (fed_m.nout > 0)
		log_info("federation: %zu message%s in the outbox", fed_m.nout,
		    fed_m.nout == 1 ? "" : "s");
	return 0;
}

/* Free what fed_msg_init() made. */
void
fed_msg_free(void)
{
	struct fed_out *o;
	size_t i;

	fed_outbox_close();
	for (i = 0; i < fed_m.npeers; i++) {
		while ((o = TAILQ_FIRST(&fed_m.peers[i]->out)) != NULL)
			fed_out_drop(fed_m.peers[i], o);
		free(fed_m.peers[i]);
	}
	free(fed_m.acks);
	free(fed_m.live_acks);
	free(fed_m.live);
	memset(&fed_m, 0, sizeof(fed_m));
}

/* Start again from the first unacknowledged message. */
static void
fed_peer_rewind(struct fed_peer *p)
{
	p->cursor = TAILQ_FIRST(&p->out);
	p->progress_ms = fed_m.now_ms;
}

/*
 * Tests only (FS_TEST_FED_CRASH=publish): end as a kill -9 would (no
 * writes, no syncs), right after a message went to the broker, to show
 * that its outbox line was in the file first (e2e_fed
 * test_origin_crash_after_publish), with a status no other path uses.
 */
#define FED_TEST_CRASH_STATUS	86

static void
fed_test_crash(void)
{
	if (fed_m.test_crash) {
		fed_link_flush();
		_exit(FED_TEST_CRASH_STATUS);
	}
}

/* A batch being built (fed_peer_pump). */
static char fed_batch[FED_BATCH_MAX + 1];

/*
 * Publish what the window allows of p's outbox, once per pass (at its
 * end): to a board that reads batches, every record ready goes in as few
 * publications as the batch limits allow; to an older board, one each.
 */
static void
fed_peer_pump(struct fed_peer *p)
{
	uint64_t done = store_gen_done();
	bool batch = fed_board_batches(p->name);
	struct fed_out *o, *first = NULL;
	struct fed_rec r;
	size_t len = 0;
	unsigned n = 0;

	if (!fed_link_up() || !fed_board_online(p->name))
		return;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_DM;
	snprintf(r.board, sizeof(r.board), "%s", fed_board());
	snprintf(r.epoch, sizeof(r.epoch), "%s", fed_m.inc);
	while ((o = p->cursor) != NULL && o->seq <= p->acked + FED_WINDOW &&
	    (o->num <= fed_m.written || o->gen <= done)) {
		if (p->cursor == TAILQ_FIRST(&p->out))
			p->progress_ms = fed_m.now_ms;
		r.seq = o->seq;
		r.time = (long long)o->time;
		snprintf(r.user, sizeof(r.user), "%s", o->from);
		snprintf(r.to, sizeof(r.to), "%s", o->to);
		snprintf(r.text, sizeof(r.text), "%s", o->text);
		if (!batch) {
			if (fed_publish(&r, p->name, 0, false) == -1)
				return;
			fed_test_crash();
		} else if (n == FED_BATCH_RECORDS ||
		    fed_batch_add(fed_batch, sizeof(fed_batch), &len, &r) == -1) {
			if (n == 0) {
				log_warnx("federation: cannot encode message %llu "
				    "for %s", o->seq, p->name);
				return;
			}
			if (fed_publish_payload(FED_K_DMB, p->name, fed_batch,
			    len) == -1) {
				p->cursor = first;
				return;
			}
			fed_test_crash();
			len = 0;
			n = 0;
			continue;	/* o starts the next batch */
		} else if (n++ == 0)
			first = o;
		p->cursor = TAILQ_NEXT(o, entry);
	}
	if (n > 0 && fed_publish_payload(FED_K_DMB, p->name, fed_batch,
	    len) == -1)
		p->cursor = first;
	else if (n > 0)
		fed_test_crash();
}

/* Connected: everything unacknowledged goes again. */
void
fed_msg_up(void)
{
	size_t i;

	for (i = 0; i < fed_m.npeers; i++)
		fed_peer_rewind(fed_m.peers[i]);
}

/* Disconnected: nothing is in flight any more. */
void
fed_msg_down(void)
{
	size_t i;

	for (i = 0; i < fed_m.npeers; i++)
		fed_peer_rewind(fed_m.peers[i]);
}

/* A board came online: resend to it from its first unacknowledged. */
void
fed_msg_board_online(const char *board)
{
	struct fed_peer *p = fed_peer_get(board, false);

	if (p != NULL)
		fed_peer_rewind(p);	/* published at the pass's end */
}

/*
 * True when a need not be published: it says "ok" and the next one in the
 * queue, for the same board and on disk too, acknowledges a later number.
 * Acknowledgements are cumulative (the origin drops everything up to the
 * number), so under load one publication answers a whole pass's messages;
 * a refusal ("nouser", "blocked", "full") is always published.
 */
static bool
fed_ack_covered(const struct fed_ack_q *a, uint64_t done)
{
	const struct fed_ack_q *b;

	if (fed_m.nacks < 2 || a->status != FED_ACK_OK)
		return false;
	b = &fed_m.acks[(fed_m.ack_head + 1) % FED_ACKS_MAX];
	return b->peer == a->peer && b->seq >= a->seq &&
	    (b->gen <= done || !store_holds_replies());
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

	fed_m.now_ms = now_ms;
	fed_m.pass++;
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_ACK;
	while (fed_m.nacks > 0 && fed_link_up()) {
		a = &fed_m.acks[fed_m.ack_head];
		if (a->gen > done && store_holds_replies())
			break;
		if (fed_ack_covered(a, done)) {
			fed_m.ack_head = (fed_m.ack_head + 1) % FED_ACKS_MAX;
			fed_m.nacks--;
			continue;
		}
		snprintf(r.epoch, sizeof(r.epoch), "%s", a->peer->inc_in);
		r.seq = a->seq;
		r.status = a->status;
		if (fed_publish(&r, a->peer->name, 0, false) == -1)
			break;
		fed_m.ack_head = (fed_m.ack_head + 1) % FED_ACKS_MAX;
		fed_m.nacks--;
	}
	if (fed_m.nacks > 0)
		t = 5;
	for (i = 0; i < fed_m.npeers; i++) {
		struct fed_peer *p = fed_m.peers[i];
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
		if (fed_link_up() && fed_board_online(p->name)) {
			int left = (int)(p->progress_ms + p->resend_ms - now_ms);

			if (p->cursor != NULL && p->cursor->num > fed_m.written &&
			    p->cursor->gen > done)
				left = 5;
			if (left < 1)
				left = 1;
			if (t == -1 || left < t)
				t = left;
		}
	}
	if (fed_m.nout == 0 && fed_m.out_lines + fed_m.in_lines > FED_COMPACT_LINES)
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
	if (fed_m.nout >= FED_OUTBOX_MAX) {
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
	if (store_append_line(fed_m.out_path, line) == -1) {
		cmd_err(ctx, PROTO_E_IO, "the message could not be stored; "
		    "it was not sent");
		return;
	}
	fed_m.out_lines++;
	if ((o = fed_out_add(p, p->next_seq, now, ctx->s->name, user,
	    text)) == NULL) {
		cmd_err(ctx, PROTO_E_IO, "out of memory; the message is kept "
		    "on disk and goes after a restart");
		return;
	}
	o->gen = store_gen_open();
	o->num = ++fed_m.appended;
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

	if (fed_m.nacks == FED_ACKS_MAX) {	/* the oldest goes; it is resent */
		fed_m.ack_head = (fed_m.ack_head + 1) % FED_ACKS_MAX;
		fed_m.nacks--;
	}
	a = &fed_m.acks[(fed_m.ack_head + fed_m.nacks++) % FED_ACKS_MAX];
	a->peer = p;
	a->seq = seq;
	a->status = st;
	a->gen = gen;
}

/* Store or deliver a DM for one of our users; its status. */
static enum fed_ack
fed_deliver(const struct fed_rec *r, const char *from)
{
	struct state *st = fed_m.srv->state;
	struct account *a;
	struct session *s;
	char when[TIMEFMT_LEN], ev[PROTO_LINE_MAX + 1], id[PROTO_MSGID_MAX + 1];
	time_t t = (time_t)r->time;
	int n;

	/* Its id: the origin's (board, outbox id, number), the same when the
	   origin sends it again after a crash here. */
	snprintf(id, sizeof(id), "%s.%s.%llu", r->board, r->epoch, r->seq);
	if ((a = accounts_find(fed_m.srv->accounts, r->to)) == NULL)
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
		    timefmt_format(t, when), id, r->text)) > 0)
			conn_write(s->conn, ev, (size_t)n);
		return FED_ACK_OK;
	}
	if (offline_add(st->offline, st->dm_seq, id, t, from, a->name,
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

	if (fed_m.live_len + n + 1 > fed_m.live_cap) {
		size_t cap = fed_m.live_cap ? fed_m.live_cap * 2 : 4096;

		while (cap < fed_m.live_len + n + 1)
			cap *= 2;
		if ((nb = realloc(fed_m.live, cap)) == NULL)
			return -1;
		fed_m.live = nb;
		fed_m.live_cap = cap;
	}
	if (fed_m.live_len > 0)
		fed_m.live[fed_m.live_len - 1] = '\n';
	memcpy(fed_m.live + fed_m.live_len, line, n);
	fed_m.live_len += n;
	return 0;
}

/*
 * Right after the pass's deliveries went to the sockets
 * (conn_send_ready()), before its disk work: write the inbox records of
 * the live deliveries (one append), then acknowledge them once on disk.
 * A crash before this write makes the origin send them again (shown
 * twice, never lost); the reverse order would lose what a crash kept from
 * the screen.  A kill -9 must land inside the pass's send() calls to see
 * it.
 */
void
fed_msg_pass_sent(void)
{
	uint64_t gen;
	size_t i;

	/* The pass's outbox lines go to the file now and their messages to
	   the broker, before store_commit() starts the syncs: the kernel's
	   fsync work would otherwise run ahead of them on a small machine. */
	if (fed_m.written != fed_m.appended) {
		store_write_now();
		fed_msg_pass_end();
	}
	if (fed_m.nlive == 0)
		return;
	if (store_append_line(fed_m.in_path, fed_m.live) == -1)
		log_warn("federation: cannot record %zu delivered messages; "
		    "they will come again", fed_m.nlive);
	else {
		fed_m.in_lines += fed_m.nlive;
		gen = store_gen_open();
		/* Written now, not at the next pass: the window in which a
		   crash repeats what was shown is this pass's sends only. */
		store_commit(mono_now_ms());
		for (i = 0; i < fed_m.nlive; i++) {
			struct fed_ack_q *q = &fed_m.live_acks[i];

			if (q->peer->last_in_gen == UINT64_MAX)
				q->peer->last_in_gen = gen;
			fed_ack_queue(q->peer, q->seq, q->status, gen);
		}
	}
	fed_m.nlive = 0;
	fed_m.live_len = 0;
}

/*
 * Publish every peer's outbox, once the outbox lines appended so far are
 * written (by store_write_now() in fed_msg_pass_sent(), or store_commit()
 * before the pass's end; their fsync runs, the sender's OK waits for it).
 * Publishing before that write would let a kill -9 lose a line whose
 * number the home board has seen, and that number would be given to the
 * next message, which the home board would drop as a repeat.  Once per
 * pass (twice: after the writes, and at the end for what acknowledgements
 * and resends made ready), so one batch carries all that was ready.
 */
void
fed_msg_pass_end(void)
{
	size_t i;

	if (store_failed() == 0)
		fed_m.written = fed_m.appended;
	for (i = 0; i < fed_m.npeers; i++)
		fed_peer_pump(fed_m.peers[i]);
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
		if (p->last_in_gen != UINT64_MAX && p->reacked != fed_m.pass) {
			p->reacked = fed_m.pass;
			fed_ack_queue(p, p->last_in, FED_ACK_OK, p->last_in_gen);
		}
		return;
	}
	if (r->seq != p->last_in + 1)
		return;			/* a gap: the origin goes back */
	snprintf(from, sizeof(from), "%s@%s", r->user, r->board);
	snprintf(line, sizeof(line), "R %s %s %llu", p->name, p->inc_in,
	    r->seq);
	a = accounts_find(fed_m.srv->accounts, r->to);
	if (a != NULL && cmd_online(a) && fed_m.nlive < FED_WINDOW &&
	    fed_live_add(line) == 0) {
		/* Shown this pass; recorded once sent (fed_msg_pass_end). */
		status = fed_deliver(r, from);
		p->last_in = r->seq;
		p->last_in_gen = UINT64_MAX;
		fed_m.live_acks[fed_m.nlive].peer = p;
		fed_m.live_acks[fed_m.nlive].seq = r->seq;
		fed_m.live_acks[fed_m.nlive++].status = status;
		return;
	}
	if (store_append_line(fed_m.in_path, line) == -1) {
		log_warn("federation: cannot record a message from %s; it "
		    "will come again", p->name);
		return;
	}
	fed_m.in_lines++;
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
	struct account *a = accounts_find(fed_m.srv->accounts, o->from);
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

	if (p == NULL || strcmp(r->epoch, fed_m.inc) != 0 || r->seq <= p->acked ||
	    r->seq >= p->next_seq)
		return;
	while ((o = TAILQ_FIRST(&p->out)) != NULL && o->seq <= r->seq) {
		if (o->seq == r->seq && r->status != FED_ACK_OK)
			fed_refused(p, o, r->status);
		fed_out_drop(p, o);
	}
	p->acked = r->seq;
	p->progress_ms = fed_m.now_ms;
	p->resend_ms = FED_RESEND_MS;
	snprintf(line, sizeof(line), "A %s %llu", p->name, r->seq);
	/* If this is lost in a crash, the home board acknowledges again. */
	if (store_append_line(fed_m.out_path, line) == 0)
		fed_m.out_lines++;
	/* What the window now allows goes at the pass's end. */
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
	r.seq = ++fed_m.bc_seq;
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
	struct state *st = fed_m.srv->state;
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
	TAILQ_FOREACH(s, &fed_m.srv->active, active_entry) {
		if (conn_closing(s->conn) ||
		    blocks_has(st->blocks, s->name, from))
			continue;
		conn_write(s->conn, ev, (size_t)n);
	}
}
