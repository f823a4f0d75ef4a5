/*
 * p2p_send.c - the sender's engine: HELLO until the receiver takes the
 * file, then a window of DATA datagrams, then FIN with the file's SHA-256
 * until the receiver says DONE.
 *
 * The window holds at most P2P_WINDOW segments past the first one not yet
 * acknowledged, and at most min(cwnd, the receiver's rwnd) of them
 * unacknowledged in flight.  Loss
 * is found three ways:
 *  - a first transmission is lost once a segment three places later was
 *    acknowledged (the ACK's bitmap says so);
 *  - a retransmission is lost once a datagram sent a quarter of an RTT
 *    after it was acknowledged (a FIFO of retransmissions in the order
 *    they were sent, so this is O(1) per ACK);
 *  - the retransmission timer (RTO from measured RTT) fires with nothing
 *    acknowledged for an RTO: everything in flight is sent again.
 * Every datagram has its own number (pktno) and an ACK echoes the newest
 * one it answers, so every ACK gives an RTT sample, retransmissions too.
 * The file is read through a 64 KiB cache and hashed as it is first read,
 * so memory stays bounded whatever its size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mono.h"
#include "size.h"
#include "app.h"
#include "log.h"
#include "model.h"
#include "p2p_int.h"

#define P2P_DUPTHRESH	3

/* Retransmissions in the order sent (per transfer would cost memory for
   nothing: one FIFO per transfer slot, allocated with the segments). */
struct p2p_rtx {
	uint64_t	 seg;
	uint32_t	 pktno;
	int64_t		 us;
};
static struct {
	struct p2p_rtx	*q;		/* P2P_WINDOW entries */
	size_t		 head, n;
} p2p_rtxq[P2P_XFER_MAX];

/* The FIFO of x. */
static size_t
p2p_slot_of(const struct p2p_xfer *x)
{
	return (size_t)(x - p2p_ctx()->xfers);
}

/* Record when datagram pktno left, for RTT samples. */
static void
p2p_note_sent(struct p2p_xfer *x, uint32_t pktno, int64_t now)
{
	struct p2p_sent *s = &x->sent[pktno % P2P_SENT_RING];

	s->pktno = pktno;
	s->us = now;
}

/* Start sending: the window, the hash, the model; then HELLO. */
void
p2p_send_start(struct app *a, struct p2p_xfer *x)
{
	char label[MODEL_XFER_LABEL_MAX], sz[32];
	size_t slot = p2p_slot_of(x);
	int64_t now = mono_now_us();

	x->segs = calloc(P2P_WINDOW, sizeof(*x->segs));
	x->sent = calloc(P2P_SENT_RING, sizeof(*x->sent));
	x->cache = malloc(P2P_READ_CACHE);
	free(p2p_rtxq[slot].q);
	p2p_rtxq[slot].q = calloc(P2P_WINDOW, sizeof(struct p2p_rtx));
	p2p_rtxq[slot].head = p2p_rtxq[slot].n = 0;
	if (x->segs == NULL || x->sent == NULL || x->cache == NULL ||
	    p2p_rtxq[slot].q == NULL) {
		p2p_send_fail(a, x, "out of memory", false);
		return;
	}
	x->nseg = p2p_nseg(x->size);
	p2p_rtt_init(&x->rtt);
	p2p_cc_init(&x->cc);
	sha256_init(&x->hash);
	x->pktno = 1;
	x->start_us = x->heard_us = now;
	x->hello_at = now;
	x->state = P2P_S_HELLO;
	snprintf(label, sizeof(label), "%.56s to %s", x->name, x->peer);
	x->model_id = model_xfer_start(app_model(a), MODEL_XFER_SEND, label,
	    x->size, now / 1000);
	size_format(x->size, SIZE_TENTHS, sz, sizeof(sz));
	model_add_line(app_model(a), MODEL_LINE_INFO, "Sending %s (%s) to %s",
	    x->name, sz, x->peer);
}

/* Give up: tell the peer when asked to, say why, free the transfer. */
void
p2p_send_fail(struct app *a, struct p2p_xfer *x, const char *why,
    bool tell_peer)
{
	struct p2p_pkt p;
	size_t slot = p2p_slot_of(x);

	if (tell_peer) {
		memset(&p, 0, sizeof(p));
		p.type = P2P_T_ABORT_S;
		p.pktno = x->pktno++;
		p.payload = (const unsigned char *)why;
		p.len = (uint16_t)strnlen(why, P2P_REASON_MAX);
		p2p_send_pkt(x, &p);
	}
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: sending %s to "
	    "%s failed: %s", x->name, x->peer, why);
	free(p2p_rtxq[slot].q);
	p2p_rtxq[slot].q = NULL;
	p2p_release(a, x, false);
}

/* The segment's bytes into buf (through the read cache); its length or -1. */
static ssize_t
p2p_read_seg(struct p2p_xfer *x, uint64_t seg, unsigned char *buf)
{
	uint64_t off = seg * P2P_SEG;
	size_t len = x->size - off < P2P_SEG ? (size_t)(x->size - off) : P2P_SEG;
	ssize_t r;

	if (off < x->cache_off || off + len > x->cache_off + x->cache_len) {
		do
			r = pread(x->fd, x->cache, P2P_READ_CACHE, (off_t)off);
		while (r == -1 && errno == EINTR);
		if (r == -1)
			return -1;
		x->cache_off = off;
		x->cache_len = (size_t)r;
		if ((size_t)r < len) {
			errno = ESTALE;	/* the file got shorter */
			return -1;
		}
	}
	memcpy(buf, x->cache + (off - x->cache_off), len);
	return (ssize_t)len;
}

/* Send segment seg as a DATA datagram; -1 when the file cannot be read. */
static int
p2p_send_seg(struct p2p_xfer *x, uint64_t seg, bool fresh, int64_t now)
{
	/* Read where the datagram is built: no copy between. */
	unsigned char *data = p2p_pkt_buf() + P2P_HDR_LEN;
	struct p2p_sseg *s = &x->segs[seg % P2P_WINDOW];
	struct p2p_pkt p;
	ssize_t n;

	if ((n = p2p_read_seg(x, seg, data)) < 0)
		return -1;
	if (fresh)
		sha256_update(&x->hash, data, (size_t)n);
	memset(&p, 0, sizeof(p));
	p.type = P2P_T_DATA;
	p.off = seg * P2P_SEG;
	p.pktno = x->pktno++;
	p.payload = data;
	p.len = (uint16_t)n;
	/* A datagram the kernel refused is lost like any other. */
	p2p_send_pkt(x, &p);
	p2p_note_sent(x, p.pktno, now);
	s->sent_us = now;
	s->pktno = p.pktno;
	s->state = P2P_SEG_INFLIGHT;
	s->tries = fresh ? 1 : (uint8_t)(s->tries < 255 ? s->tries + 1 : 255);
	x->inflight++;
	return 0;
}

/* HELLO (the size) or FIN (the digest), on their own timer. */
static void
p2p_send_ctl(struct p2p_xfer *x, int64_t now, bool waiting)
{
	struct p2p_pkt p;

	memset(&p, 0, sizeof(p));
	p.pktno = x->pktno++;
	p.off = x->size;
	if (x->state == P2P_S_FIN) {
		p.type = P2P_T_FIN;
		p.payload = x->digest;
		p.len = SHA256_LEN;
	} else
		p.type = P2P_T_HELLO;
	p2p_send_pkt(x, &p);
	p2p_note_sent(x, p.pktno, now);
	x->hello_at = now + (waiting ? P2P_HELLO_WAIT_US : x->rtt.rto);
	if (!waiting && x->rtt.have)
		p2p_rtt_backoff(&x->rtt);
}

/* Mark a segment in flight lost (to be sent again). */
static void
p2p_mark_lost(struct p2p_xfer *x, uint64_t seg)
{
	struct p2p_sseg *s = &x->segs[seg % P2P_WINDOW];

	if (s->state != P2P_SEG_INFLIGHT)
		return;
	s->state = P2P_SEG_LOST;
	x->inflight--;
	x->lost++;
	x->cc.round_lost++;
}

/* A segment was acknowledged (cumulatively or selectively); 1 if new. */
static int
p2p_acked(struct p2p_xfer *x, uint64_t seg)
{
	struct p2p_sseg *s = &x->segs[seg % P2P_WINDOW];

	if (s->state == P2P_SEG_SACKED)
		return 0;
	if (s->state == P2P_SEG_INFLIGHT)
		x->inflight--;
	else
		x->lost--;
	s->state = P2P_SEG_SACKED;
	if (seg + 1 > x->high_sacked)
		x->high_sacked = seg + 1;
	return 1;
}

/* Retransmissions sent well before an acknowledged datagram are lost. */
static void
p2p_rtx_check(struct p2p_xfer *x, int64_t acked_us)
{
	size_t slot = p2p_slot_of(x);
	struct p2p_rtx *r;
	struct p2p_sseg *s;
	int64_t reo = x->rtt.srtt / 4 > 1000 ? x->rtt.srtt / 4 : 1000;

	while (p2p_rtxq[slot].n > 0) {
		r = &p2p_rtxq[slot].q[p2p_rtxq[slot].head];
		if (r->us + reo > acked_us)
			break;
		if (r->seg >= x->una && r->seg < x->nxt) {
			s = &x->segs[r->seg % P2P_WINDOW];
			if (s->pktno == r->pktno)
				p2p_mark_lost(x, r->seg);
		}
		p2p_rtxq[slot].head = (p2p_rtxq[slot].head + 1) % P2P_WINDOW;
		p2p_rtxq[slot].n--;
	}
}

/* Apply an ACK during DATA: cumulative point, bitmap, losses, window. */
static void
p2p_send_ack(struct p2p_xfer *x, const struct p2p_pkt *p, int64_t now)
{
	uint64_t cum, s, seg;
	uint32_t newly = 0;
	int64_t acked_us = 0;
	size_t i;
	int j;

	cum = p->off >= x->size ? x->nseg : p->off / P2P_SEG;
	if (cum > x->nxt)
		cum = x->nxt;
	/*
	 * An ACK below the cumulative point came late (reordered or
	 * duplicated): its window is old, and its bitmap, read from its
	 * own cumulative point, would name segments below una whose slots
	 * (seg % P2P_WINDOW) now hold segments in flight.  Ignore it.
	 */
	if (cum < x->una)
		return;
	x->rwnd = p->rwnd;
	for (s = x->una; s < cum; s++)
		newly += (uint32_t)p2p_acked(x, s);
	if (cum > x->una)
		x->una = cum;
	for (i = 0; i < p->len; i++) {
		if (p->payload[i] == 0)
			continue;
		for (j = 0; j < 8; j++) {
			if (!((p->payload[i] >> j) & 1))
				continue;
			seg = cum + 1 + 8 * i + (uint64_t)j;
			if (seg >= x->nxt)
				break;
			newly += (uint32_t)p2p_acked(x, seg);
		}
	}
	if (x->high_sacked < x->una)
		x->high_sacked = x->una;
	/* First transmissions: three later segments acknowledged.  Each
	   segment is looked at once (dup_scan), so this is O(1) per ACK. */
	if (x->dup_scan < x->una)
		x->dup_scan = x->una;
	for (s = x->dup_scan; s + P2P_DUPTHRESH < x->high_sacked; s++) {
		struct p2p_sseg *sg = &x->segs[s % P2P_WINDOW];

		if (sg->state == P2P_SEG_INFLIGHT && sg->tries == 1)
			p2p_mark_lost(x, s);
		x->dup_scan = s + 1;
	}
	if (p->echo != 0 && x->sent[p->echo % P2P_SENT_RING].pktno == p->echo)
		acked_us = x->sent[p->echo % P2P_SENT_RING].us;
	if (acked_us > 0)
		p2p_rtx_check(x, acked_us);
	p2p_cc_check_undo(&x->cc, p->echo);
	if (newly > 0) {
		p2p_cc_acked(&x->cc, newly);
		x->rto_at = now + x->rtt.rto;
	}
	p2p_cc_round(&x->cc, p->echo, x->pktno);
}

/* A datagram from the receiver. */
void
p2p_send_input(struct app *a, struct p2p_xfer *x, const struct p2p_pkt *p)
{
	char why[P2P_REASON_MAX + 64], reason[P2P_REASON_MAX + 1];
	int64_t now = mono_now_us(), sent_us;
	double secs;
	char sz[32];

	if (p->type == P2P_T_ABORT_R) {
		proto_sanitize(reason, sizeof(reason), (const char *)p->payload,
		    p->len);
		if (strcmp(reason, "declined") == 0)
			snprintf(why, sizeof(why), "%s declined it", x->peer);
		else if (strncmp(reason, "refused: ", 9) == 0)
			snprintf(why, sizeof(why), "%s's client refused it: %s",
			    x->peer, reason + 9);
		else
			snprintf(why, sizeof(why), "%s's client gave up: %s",
			    x->peer, reason);
		p2p_send_fail(a, x, why, false);
		return;
	}
	if (p->type != P2P_T_ACK)
		return;
	if (p->echo != 0 && x->sent[p->echo % P2P_SENT_RING].pktno == p->echo) {
		sent_us = x->sent[p->echo % P2P_SENT_RING].us;
		p2p_rtt_sample(&x->rtt, now - sent_us);
	}
	switch (x->state) {
	case P2P_S_HELLO:
		if (p->flags & P2P_F_WAIT) {
			if (x->hello_at - now < P2P_HELLO_WAIT_US / 2)
				x->hello_at = now + P2P_HELLO_WAIT_US;
			return;
		}
		/* Accepted (resuming from p->off is for a later version). */
		x->state = P2P_S_DATA;
		x->rto_at = 0;
		x->cc.round_end = x->pktno;
		return;
	case P2P_S_DATA:
		p2p_send_ack(x, p, now);
		return;
	case P2P_S_FIN:
		if (!(p->flags & P2P_F_DONE))
			return;
		secs = (double)(now - x->start_us) / 1e6;
		size_format(x->size, SIZE_TENTHS, sz, sizeof(sz));
		model_add_line(app_model(a), MODEL_LINE_NORMAL, "File %s (%s) "
		    "sent to %s in %.1f s (%.1f MB/s)", x->name, sz, x->peer,
		    secs, secs > 0 ? (double)x->size / 1e6 / secs : 0.0);
		free(p2p_rtxq[p2p_slot_of(x)].q);
		p2p_rtxq[p2p_slot_of(x)].q = NULL;
		p2p_release(a, x, true);
		return;
	default:
		return;
	}
}

/* The retransmission timer fired: everything in flight is lost. */
static void
p2p_send_timeout(struct p2p_xfer *x, int64_t now)
{
	uint64_t s;

	for (s = x->una; s < x->nxt; s++)
		p2p_mark_lost(x, s);
	p2p_cc_timeout(&x->cc, x->pktno);
	p2p_rtt_backoff(&x->rtt);
	x->rto_at = now + x->rtt.rto;
}

/* The next segment marked lost, from una; nxt when none. */
static uint64_t
p2p_next_lost(struct p2p_xfer *x)
{
	uint64_t s;

	for (s = x->una; s < x->nxt; s++)
		if (x->segs[s % P2P_WINDOW].state == P2P_SEG_LOST)
			return s;
	x->lost = 0;	/* the count was stale */
	return x->nxt;
}

/* Queue a retransmission in the FIFO of x. */
static void
p2p_rtx_push(struct p2p_xfer *x, uint64_t seg, int64_t now)
{
	size_t slot = p2p_slot_of(x), i;

	if (p2p_rtxq[slot].n == P2P_WINDOW) {
		p2p_rtxq[slot].head = (p2p_rtxq[slot].head + 1) % P2P_WINDOW;
		p2p_rtxq[slot].n--;
	}
	i = (p2p_rtxq[slot].head + p2p_rtxq[slot].n) % P2P_WINDOW;
	p2p_rtxq[slot].q[i].seg = seg;
	p2p_rtxq[slot].q[i].pktno = x->segs[seg % P2P_WINDOW].pktno;
	p2p_rtxq[slot].q[i].us = now;
	p2p_rtxq[slot].n++;
}

/* Send what the window allows; timers. */
void
p2p_send_run(struct app *a, struct p2p_xfer *x, bool *blocked)
{
	int64_t now = mono_now_us();
	uint64_t seg, lost_from = x->una;
	char why[96];
	int budget;

	if (now - x->heard_us > p2p_peer_timeout_us()) {
		snprintf(why, sizeof(why), "%s stopped answering (nothing for "
		    "%d s)", x->peer, p2p_ctx()->peer_timeout_s);
		p2p_send_fail(a, x, why, true);
		return;
	}
	if (x->state == P2P_S_HELLO || x->state == P2P_S_FIN) {
		if (now >= x->hello_at)
			p2p_send_ctl(x, now, false);
		return;
	}
	if (x->state != P2P_S_DATA)
		return;
	if (x->rto_at != 0 && now >= x->rto_at && x->inflight > 0)
		p2p_send_timeout(x, now);
	for (budget = P2P_BURST; budget > 0; budget--) {
		if (x->inflight >= p2p_send_limit(x->cc.cwnd, x->rwnd))
			break;
		if (x->lost > 0) {
			for (seg = lost_from; seg < x->nxt; seg++)
				if (x->segs[seg % P2P_WINDOW].state ==
				    P2P_SEG_LOST)
					break;
			if (seg >= x->nxt)
				seg = p2p_next_lost(x);
			if (seg >= x->nxt)
				continue;
			lost_from = seg + 1;
			x->lost--;
			if (p2p_send_seg(x, seg, false, now) == -1)
				goto unreadable;

			p2p_ctx()->counters.retransmitted++;
			p2p_rtx_push(x, seg, now);
		} else if (x->nxt < x->nseg && x->nxt - x->una < P2P_WINDOW) {
			if (p2p_send_seg(x, x->nxt, true, now) == -1)
				goto unreadable;
			if (++x->nxt == x->nseg)
				sha256_final(&x->hash, x->digest);
		} else
			break;
		if (x->rto_at == 0)
			x->rto_at = now + x->rtt.rto;
		if (p2p_send_blocked()) {
			*blocked = true;
			break;
		}
	}
	p2p_progress(a, x, x->una * P2P_SEG < x->size ? x->una * P2P_SEG :
	    x->size, false);
	if (x->una == x->nseg) {
		if (x->nseg == 0)
			sha256_final(&x->hash, x->digest);
		x->state = P2P_S_FIN;
		p2p_progress(a, x, x->size, true);
		p2p_send_ctl(x, now, false);
	}
	return;
unreadable:
	snprintf(why, sizeof(why), "cannot read the file: %s",
	    errno == ESTALE ? "it got shorter" : strerror(errno));
	p2p_send_fail(a, x, why, true);
}

/* When send_run must run next (absolute us); -1 for never. */
int64_t
p2p_send_deadline(const struct p2p_xfer *x)
{
	int64_t d = x->heard_us + p2p_peer_timeout_us() + 1000;

	if (x->state == P2P_S_HELLO || x->state == P2P_S_FIN)
		return x->hello_at < d ? x->hello_at : d;
	if (x->state != P2P_S_DATA)
		return d;
	if (x->inflight < p2p_send_limit(x->cc.cwnd, x->rwnd) && (x->lost > 0 ||
	    (x->nxt < x->nseg && x->nxt - x->una < P2P_WINDOW)))
		return 0;
	if (x->rto_at != 0 && x->inflight > 0 && x->rto_at < d)
		return x->rto_at;
	return d;
}
