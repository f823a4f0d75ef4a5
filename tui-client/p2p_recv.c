/*
 * p2p_recv.c - the receiver's engine: an offer from the server, maybe a
 * question, then DATA written where it belongs in a temporary file, ACKs
 * with a bitmap of what arrived, the SHA-256 of the whole file checked
 * against FIN's, and only then the final name.
 *
 * Files: everything happens in the download directory through its
 * descriptor.  The temporary file ".<final>.part-XID" is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW; a failed or abandoned transfer removes it.
 * The final name "<sender>_<base>" (p2p_safe_name) is taken with
 * renameat2(RENAME_NOREPLACE), so an existing file is never replaced: the
 * next free of NAME.1 ... NAME.99 is used instead.
 *
 * Memory is bounded: the window bitmap (1 KiB) and no data buffers; data
 * goes to the file at its offset as it comes, in any order (a contiguous
 * run of one read batch in one pwritev, from the batch's buffers), and is
 * hashed straight from the datagram when it arrives in order, read back
 * from the file (the page cache) when it arrived before a gap was filled.
 * Each ACK advertises rwnd, what the socket's receive buffer holds.
 */
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mono.h"
#include "size.h"
#include "app.h"
#include "conf.h"
#include "ask.h"
#include "log.h"
#include "model.h"
#include "p2p_int.h"

#define P2P_NAME_TRIES	99	/* NAME.1 ... NAME.99 when NAME exists */
#define P2P_MB		1000000ULL	/* as size_format() counts */

static void	p2p_recv_accept(struct app *a, struct p2p_xfer *x);

/* Bytes received in order. */
static uint64_t
p2p_cum_bytes(const struct p2p_xfer *x)
{
	if (x->rwin == NULL)
		return 0;
	return x->rwin->cum >= x->nseg ? x->size : x->rwin->cum * P2P_SEG;
}

/* Send a control datagram of the receiver: ACK (with flags) or ABORT. */
static void
p2p_recv_send(struct p2p_xfer *x, uint8_t type, uint8_t flags, uint32_t echo)
{
	unsigned char sack[P2P_SACK_MAX];
	struct p2p_pkt p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.flags = flags;
	p.pktno = x->pktno++;
	p.echo = echo;
	if (type == P2P_T_ABORT_R) {
		p.payload = (const unsigned char *)x->reason;
		p.len = (uint16_t)strnlen(x->reason, P2P_REASON_MAX);
	} else {
		p.off = p2p_cum_bytes(x);
		p.rwnd = p2p_rwnd(p2p_ctx()->rcvbuf, p2p_receivers());
		if (x->rwin != NULL && !(flags & P2P_F_DONE)) {
			p.len = (uint16_t)p2p_rwin_sack(x->rwin, sack);
			p.payload = sack;
		}
	}
	p2p_send_pkt(x, &p);
}

/* Finished one way or another: answer late datagrams for a while. */
static void
p2p_recv_linger(struct app *a, struct p2p_xfer *x, uint8_t final, bool ok)
{
	if (x->model_id >= 0)
		model_xfer_end(app_model(a), x->model_id, ok,
		    mono_now_us() / 1000);
	x->model_id = -1;
	x->wr_n = 0;
	x->wr_len = 0;
	if (x->fd != -1) {
		close(x->fd);
		x->fd = -1;
	}
	free(x->rwin);
	x->rwin = NULL;
	x->final_type = final;
	x->state = P2P_S_LINGER;
	x->until_us = mono_now_us() + P2P_LINGER_US;
}

/* Give up: remove the temporary file, tell the sender, say why. */
void
p2p_recv_fail(struct app *a, struct p2p_xfer *x, const char *why,
    bool tell_peer)
{
	if (x->fd != -1 && x->tmp[0] != '\0' && p2p_ctx()->dir_fd != -1)
		unlinkat(p2p_ctx()->dir_fd, x->tmp, 0);
	snprintf(x->reason, sizeof(x->reason), "%s", why);
	if (tell_peer)
		p2p_recv_send(x, P2P_T_ABORT_R, 0, 0);
	model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: receiving %s "
	    "from %s failed: %s", x->name, x->peer, why);
	p2p_recv_linger(a, x, P2P_T_ABORT_R, false);
}

/* Decline an offer: the sender is told reason ("declined": the user
   said no or nobody answered; "refused: ...": this client would not). */
static void
p2p_recv_decline(struct app *a, struct p2p_xfer *x, const char *reason,
    enum model_line_kind kind, const char *line)
{
	snprintf(x->reason, sizeof(x->reason), "%s", reason);
	p2p_recv_send(x, P2P_T_ABORT_R, 0, 0);
	model_add_line(app_model(a), kind, "%s", line);
	p2p_recv_linger(a, x, P2P_T_ABORT_R, false);
}

/* True when files from user are taken without asking. */
static bool
p2p_recv_always(const char *user)
{
	int i;

	for (i = 0; i < p2p_ctx()->nalways; i++)
		if (strcmp(p2p_ctx()->always[i], user) == 0)
			return true;
	return false;
}

/*
 * Would taking x cut into the free space kept ([files] keep_free)?  The
 * files being received count for what they still have to write.  0, or
 * -1 with the refusal to show in line.
 */
static int
p2p_recv_room(const struct p2p_xfer *x, char *line, size_t len)
{
	char keep_s[32], avail_s[32], sz[32];
	uint64_t avail, total, keep, pending = 0;
	struct p2p_xfer *o = p2p_ctx()->xfers;
	struct statvfs vfs;
	int i;

	if (fstatvfs(p2p_ctx()->dir_fd, &vfs) == -1)
		return 0;	/* cannot tell: a failed write will say */
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	if (p2p_ctx()->keep_free_mb == CONF_KEEP_FREE_AUTO)
		keep = total / 20 < 100 * P2P_MB ? total / 20 : 100 * P2P_MB;
	else
		keep = (uint64_t)p2p_ctx()->keep_free_mb * P2P_MB;
	for (i = 0; i < P2P_XFER_MAX; i++)
		if (&o[i] != x && o[i].role == P2P_RECV &&
		    o[i].state == P2P_S_RECV)
			pending += o[i].size - p2p_cum_bytes(&o[i]);
	if (avail >= keep && avail - keep >= pending &&
	    avail - keep - pending >= x->size)
		return 0;
	size_format(keep, SIZE_TENTHS, keep_s, sizeof(keep_s));
	size_format(avail, SIZE_TENTHS, avail_s, sizeof(avail_s));
	size_format(x->size, SIZE_TENTHS, sz, sizeof(sz));
	snprintf(line, len, "Refused %s (%s) from %s: it would leave less "
	    "than %s free where files are saved (%s free%s)", x->name, sz,
	    x->peer, keep_s, avail_s, pending > 0 ? ", some of it for files "
	    "on their way" : "");
	return -1;
}

/* Offers from user waiting for an answer or running now. */
static int
p2p_recv_from(const char *user)
{
	struct p2p_xfer *o = p2p_ctx()->xfers;
	int i, n = 0;

	for (i = 0; i < P2P_XFER_MAX; i++)
		if (o[i].role == P2P_RECV &&
		    (o[i].state == P2P_S_ASK || o[i].state == P2P_S_RECV) &&
		    strcmp(o[i].peer, user) == 0)
			n++;
	return n;
}

/* The answer to "Accept? (y/n/a)". */
static void
p2p_recv_answer(struct app *a, void *arg, enum ask_answer ans)
{
	struct p2p_xfer *x = arg;
	struct p2p_ctx *c = p2p_ctx();
	char line[512];

	if (x->state != P2P_S_ASK)
		return;
	if (ans == ASK_ALWAYS && !p2p_recv_always(x->peer) &&
	    c->nalways < P2P_ALWAYS_MAX) {
		snprintf(c->always[c->nalways++], sizeof(c->always[0]), "%s",
		    x->peer);
		model_add_line(app_model(a), MODEL_LINE_INFO, "Files from %s "
		    "are taken without asking until you quit", x->peer);
	}
	if (ans != ASK_NO) {
		p2p_recv_accept(a, x);
		return;
	}
	snprintf(line, sizeof(line), "Declined %s from %s", x->name, x->peer);
	p2p_recv_decline(a, x, "declined", MODEL_LINE_INFO, line);
}

/* An offer announced by the server. */
void
p2p_recv_offer(struct app *a, const char *from, uint32_t xid, uint64_t size,
    const char *ip, unsigned port, const char *secret, const char *name,
    bool ask)
{
	struct model *m = app_model(a);
	struct p2p_xfer *x = NULL;
	char q[PROTO_FILENAME_MAX + 128], sz[32], line[PROTO_FILENAME_MAX + 256];
	unsigned char key[P2P_SECRET_LEN];
	int i;

	for (i = 0; i < P2P_XFER_MAX && x == NULL; i++)
		if (p2p_ctx()->xfers[i].state == P2P_S_FREE)
			x = &p2p_ctx()->xfers[i];
	if (x == NULL) {
		/* The sender hears nothing and times out. */
		model_add_line(m, MODEL_LINE_ERROR, "Error: %s offered %s, but "
		    "%d transfers are running already", from, name,
		    P2P_XFER_MAX);
		return;
	}
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->model_id = -1;
	x->role = P2P_RECV;
	x->xid = xid;
	x->size = size;
	x->nseg = p2p_nseg(size);
	x->pktno = 1;
	x->start_us = x->heard_us = mono_now_us();
	snprintf(x->peer, sizeof(x->peer), "%s", from);
	snprintf(x->name, sizeof(x->name), "%s", name);
	if (p2p_parse_secret(secret, key) == -1 ||
	    p2p_set_peer(x, ip, port) == -1 ||
	    p2p_safe_name(from, name, x->saved, sizeof(x->saved)) == -1 ||
	    p2p_aead_init(&x->aead, key, xid, false) == -1) {
		log_warnx("malformed file offer from %s", from);
		explicit_bzero(key, sizeof(key));
		memset(x, 0, sizeof(*x));
		x->fd = -1;
		return;
	}
	explicit_bzero(key, sizeof(key));
	snprintf(x->tmp, sizeof(x->tmp), ".%s.part-%lu", x->saved,
	    (unsigned long)xid);
	/* Nothing is asked about what could not be taken. */
	if (p2p_recv_from(from) >= P2P_FROM_MAX) {
		snprintf(line, sizeof(line), "Refused %s from %s: %d files "
		    "from %s are waiting or on their way already", name, from,
		    P2P_FROM_MAX, from);
		p2p_recv_decline(a, x, "refused: too many files from you at "
		    "once", MODEL_LINE_ERROR, line);
		return;
	}
	if (p2p_ctx()->dir_fd != -1 &&
	    p2p_recv_room(x, line, sizeof(line)) == -1) {
		p2p_recv_decline(a, x, "refused: not enough free space",
		    MODEL_LINE_ERROR, line);
		return;
	}
	if (!ask || p2p_recv_always(from)) {
		p2p_recv_accept(a, x);
		return;
	}
	x->state = P2P_S_ASK;
	x->until_us = x->heard_us + P2P_ASK_US;
	size_format(size, SIZE_TENTHS, sz, sizeof(sz));
	snprintf(q, sizeof(q), "%s wants to send you %s (%s). Accept? "
	    "(y/n/a = always from %s)", from, name, sz, from);
	ask_push_always(a, q, "Accept the file? (y/n/a)", p2p_recv_answer, x);
}

/* Take the file: check room, create the temporary file, start. */
static void
p2p_recv_accept(struct app *a, struct p2p_xfer *x)
{
	char label[MODEL_XFER_LABEL_MAX], sz[32], line[PROTO_FILENAME_MAX + 256];
	int64_t now = mono_now_us();
	int dir = p2p_ctx()->dir_fd;

	if (dir == -1) {
		x->state = P2P_S_RECV;
		p2p_recv_fail(a, x, "no download directory", true);
		return;
	}
	/* Again: the disk may have filled while the user was asked. */
	if (p2p_recv_room(x, line, sizeof(line)) == -1) {
		p2p_recv_decline(a, x, "refused: not enough free space",
		    MODEL_LINE_ERROR, line);
		return;
	}
	x->state = P2P_S_RECV;
	x->heard_us = now;
	x->fd = openat(dir, x->tmp, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (x->fd == -1 && errno == EEXIST) {
		/* Left by an earlier run for this very transfer id. */
		unlinkat(dir, x->tmp, 0);
		x->fd = openat(dir, x->tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	if (x->fd == -1 || (x->rwin = malloc(sizeof(*x->rwin))) == NULL) {
		char why[128];

		snprintf(why, sizeof(why), "cannot create a file: %s",
		    strerror(errno));
		if (x->fd != -1) {
			unlinkat(dir, x->tmp, 0);
			close(x->fd);
			x->fd = -1;
		}
		p2p_recv_fail(a, x, why, true);
		return;
	}
	p2p_rwin_init(x->rwin, x->nseg);
	sha256_init(&x->hash);
	x->ack_due = true;
	snprintf(label, sizeof(label), "%.56s from %s", x->name, x->peer);
	x->model_id = model_xfer_start(app_model(a), MODEL_XFER_RECV, label,
	    x->size, now / 1000);
	size_format(x->size, SIZE_TENTHS, sz, sizeof(sz));
	model_add_line(app_model(a), MODEL_LINE_INFO, "Receiving %s (%s) from "
	    "%s", x->name, sz, x->peer);
}

/* A DATA datagram: check where it goes, write it, note it. */
static void
p2p_recv_data(struct app *a, struct p2p_xfer *x, const struct p2p_pkt *p)
{
	uint64_t seg = p->off / P2P_SEG, want;
	int r;

	if (p->off % P2P_SEG != 0 || seg >= x->nseg) {
		p2p_ctx()->counters.malformed++;
		return;
	}
	want = x->size - p->off < P2P_SEG ? x->size - p->off : P2P_SEG;
	if (p->len != want) {
		p2p_ctx()->counters.malformed++;
		return;
	}
	x->ack_due = true;
	x->ack_echo = p->pktno;
	r = p2p_rwin_mark(x->rwin, seg);
	if (r != 1)
		return;		/* a duplicate, or beyond the window */
	/* In order: hash it now, from the datagram (nothing to read back). */
	if (p->off == x->hashed) {
		sha256_update(&x->hash, p->payload, p->len);
		x->hashed += p->len;
	}
	/* Written with the rest of this batch's contiguous run. */
	if (x->wr_n > 0 && (x->wr_n == P2P_WR_MAX ||
	    p->off != x->wr_off + x->wr_len))
		p2p_recv_flush(a, x);
	if (x->state != P2P_S_RECV)
		return;
	if (x->wr_n == 0) {
		x->wr_off = p->off;
		x->wr_len = 0;
	}
	x->wr_iov[x->wr_n].iov_base = (void *)(uintptr_t)p->payload;
	x->wr_iov[x->wr_n].iov_len = p->len;
	x->wr_n++;
	x->wr_len += p->len;
	if (++x->unacked >= P2P_ACK_EVERY) {
		p2p_recv_send(x, P2P_T_ACK, 0, x->ack_echo);
		x->unacked = 0;
		x->ack_due = false;
	}
}

/* Write the pending run of DATA (one pwritev). */
void
p2p_recv_flush(struct app *a, struct p2p_xfer *x)
{
	struct iovec *iov = x->wr_iov;
	int n = x->wr_n;
	off_t off = (off_t)x->wr_off;
	char why[128];
	ssize_t w;

	x->wr_n = 0;
	while (n > 0 && x->fd != -1) {
		w = pwritev(x->fd, iov, n, off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(why, sizeof(why), "cannot write the file: %s",
			    w == -1 ? strerror(errno) : "short write");
			p2p_recv_fail(a, x, why, true);
			return;
		}
		off += w;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {	/* a short write inside one datagram */
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

/* A datagram from the sender. */
void
p2p_recv_input(struct app *a, struct p2p_xfer *x, const struct p2p_pkt *p)
{
	char why[P2P_REASON_MAX + 64], reason[P2P_REASON_MAX + 1];

	if (p->type == P2P_T_ABORT_S) {
		if (x->state == P2P_S_LINGER) {
			p2p_release(a, x, false);
			return;
		}
		proto_sanitize(reason, sizeof(reason), (const char *)p->payload,
		    p->len);
		if (x->state == P2P_S_ASK) {
			ask_cancel(a, x);
			model_add_line(app_model(a), MODEL_LINE_INFO, "%s "
			    "withdrew the offer of %s", x->peer, x->name);
			p2p_release(a, x, false);
			return;
		}
		snprintf(why, sizeof(why), "%s gave up: %s", x->peer, reason);
		p2p_recv_fail(a, x, why, false);
		return;
	}
	switch (x->state) {
	case P2P_S_ASK:
		if (p->type == P2P_T_HELLO)
			p2p_recv_send(x, P2P_T_ACK, P2P_F_WAIT, p->pktno);
		return;
	case P2P_S_LINGER:
		if (x->final_type == P2P_T_ACK)
			p2p_recv_send(x, P2P_T_ACK, P2P_F_DONE, p->pktno);
		else
			p2p_recv_send(x, P2P_T_ABORT_R, 0, p->pktno);
		return;
	case P2P_S_RECV:
		break;
	default:
		return;
	}
	if (p->type == P2P_T_DATA) {
		p2p_recv_data(a, x, p);
	} else if (p->type == P2P_T_HELLO) {
		x->ack_due = true;
		x->ack_echo = p->pktno;
	} else if (p->type == P2P_T_FIN && p->len == SHA256_LEN &&
	    p->off == x->size) {
		memcpy(x->fin_digest, p->payload, SHA256_LEN);
		x->fin_seen = true;
		x->ack_due = true;
		x->ack_echo = p->pktno;
	}
}

/* Fold the next in-order bytes into the hash (bounded per pass). */
static int
p2p_recv_hash(struct p2p_xfer *x)
{
	unsigned char buf[16384];
	uint64_t cum = p2p_cum_bytes(x), budget = P2P_HASH_CHUNK;
	size_t want;
	ssize_t r;

	while (x->hashed < cum && budget > 0) {
		want = cum - x->hashed < sizeof(buf) ? (size_t)(cum - x->hashed) :
		    sizeof(buf);
		r = pread(x->fd, buf, want, (off_t)x->hashed);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		sha256_update(&x->hash, buf, (size_t)r);
		x->hashed += (uint64_t)r;
		budget = budget > (uint64_t)r ? budget - (uint64_t)r : 0;
	}
	return 0;
}

/* Give the verified file its final name, never replacing one. */
static int
p2p_recv_commit(struct p2p_xfer *x)
{
	char name[sizeof(x->saved)];
	int i, dir = p2p_ctx()->dir_fd;

	if (fdatasync(x->fd) == -1)
		return -1;
	for (i = 0; i <= P2P_NAME_TRIES; i++) {
		if (i == 0)
			snprintf(name, sizeof(name), "%s", x->saved);
		else
			snprintf(name, sizeof(name), "%.*s.%d",
			    (int)sizeof(name) - 16, x->saved, i);
		if (renameat2(dir, x->tmp, dir, name,
		    RENAME_NOREPLACE) == 0)
			goto done;
		if (errno == EINVAL || errno == ENOSYS) {
			/* No RENAME_NOREPLACE here: link() fails on EEXIST. */
			if (linkat(dir, x->tmp, dir, name, 0) == 0) {
				unlinkat(dir, x->tmp, 0);
				goto done;
			}
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
done:
	snprintf(x->saved, sizeof(x->saved), "%s", name);
	fsync(dir);
	return 0;
}

/* All there and FIN seen: check the hash, name the file, say DONE. */
static void
p2p_recv_finish(struct app *a, struct p2p_xfer *x)
{
	unsigned char digest[SHA256_LEN];
	char sz[32], why[128];

	sha256_final(&x->hash, digest);
	if (memcmp(digest, x->fin_digest, SHA256_LEN) != 0) {
		p2p_recv_fail(a, x, "the file's SHA-256 does not match; "
		    "nothing saved", true);
		return;
	}
	if (p2p_recv_commit(x) == -1) {
		snprintf(why, sizeof(why), "cannot save: %.60s",
		    strerror(errno));
		p2p_recv_fail(a, x, why, true);
		return;
	}
	p2p_progress(a, x, x->size, true);
	size_format(x->size, SIZE_TENTHS, sz, sizeof(sz));
	model_add_line(app_model(a), MODEL_LINE_NORMAL, "Received %s from %s "
	    "(saved as %s, %s)", x->name, x->peer, x->saved, sz);
	p2p_recv_linger(a, x, P2P_T_ACK, true);
	p2p_recv_send(x, P2P_T_ACK, P2P_F_DONE, x->ack_echo);
}

/* Timers, hashing, the ACK of this pass, the end. */
void
p2p_recv_run(struct app *a, struct p2p_xfer *x)
{
	int64_t now = mono_now_us();
	char why[512];

	switch (x->state) {
	case P2P_S_ASK:
		if (now > x->until_us ||
		    now - x->heard_us > p2p_peer_timeout_us()) {
			ask_cancel(a, x);
			snprintf(why, sizeof(why), "The offer of %s from %s "
			    "expired and was declined", x->name, x->peer);
			p2p_recv_decline(a, x, "declined", MODEL_LINE_INFO,
			    why);
		}
		return;
	case P2P_S_LINGER:
		if (now > x->until_us)
			p2p_release(a, x, false);
		return;
	case P2P_S_RECV:
		break;
	default:
		return;
	}
	if (now - x->heard_us > p2p_peer_timeout_us()) {
		snprintf(why, sizeof(why), "%s stopped sending (nothing for %d "
		    "s); nothing saved", x->peer, p2p_ctx()->peer_timeout_s);
		p2p_recv_fail(a, x, why, true);
		return;
	}
	if (p2p_recv_hash(x) == -1) {
		snprintf(why, sizeof(why), "cannot read the file back: %s",
		    strerror(errno));
		p2p_recv_fail(a, x, why, true);
		return;
	}
	if (x->fin_seen && x->hashed == x->size) {
		p2p_recv_finish(a, x);
		return;
	}
	if (x->ack_due) {
		p2p_recv_send(x, P2P_T_ACK, 0, x->ack_echo);
		x->ack_due = false;
		x->unacked = 0;
	}
	p2p_progress(a, x, p2p_cum_bytes(x), false);
}

/* When recv_run must run next (absolute us); 0: now. */
int64_t
p2p_recv_deadline(const struct p2p_xfer *x)
{
	int64_t d = x->heard_us + p2p_peer_timeout_us() + 1000;

	switch (x->state) {
	case P2P_S_ASK:
		return x->until_us < d ? x->until_us : d;
	case P2P_S_LINGER:
		return x->until_us;
	case P2P_S_RECV:
		if (x->ack_due || x->hashed < p2p_cum_bytes(x) ||
		    (x->fin_seen && x->hashed == x->size))
			return 0;
		return d;
	default:
		return -1;
	}
}
