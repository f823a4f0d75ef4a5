/*
 * p2p_wire.c - peer-to-peer datagrams, windows, timers and names: the
 * arithmetic of p2p.c, without I/O.
 */
#include <stdio.h>
#include <string.h>

#include "p2p_wire.h"

/* Store big-endian integers. */
static void
p2p_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* A 32-bit big-endian integer. */
static void
p2p_put32(unsigned char *p, uint32_t v)
{
	p2p_put16(p, (uint16_t)(v >> 16));
	p2p_put16(p + 2, (uint16_t)v);
}

/* A 64-bit big-endian integer. */
static void
p2p_put64(unsigned char *p, uint64_t v)
{
	p2p_put32(p, (uint32_t)(v >> 32));
	p2p_put32(p + 4, (uint32_t)v);
}

/* Read a 16-bit big-endian integer. */
static uint16_t
p2p_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Read a 32-bit big-endian integer. */
static uint32_t
p2p_get32(const unsigned char *p)
{
	return (uint32_t)p2p_get16(p) << 16 | p2p_get16(p + 2);
}

/* Read a 64-bit big-endian integer. */
static uint64_t
p2p_get64(const unsigned char *p)
{
	return (uint64_t)p2p_get32(p) << 32 | p2p_get32(p + 4);
}

/* Encode a datagram and seal it. */
size_t
p2p_encode(const struct p2p_pkt *p, struct p2p_aead *k, unsigned char *buf)
{
	buf[0] = P2P_VERSION;
	buf[1] = p->type;
	buf[2] = p->flags;
	buf[3] = 0;
	p2p_put32(buf + 4, p->xid);
	p2p_put64(buf + 8, p->off);
	p2p_put32(buf + 16, p->pktno);
	p2p_put32(buf + 20, p->echo);
	p2p_put16(buf + 24, p->len);
	p2p_put16(buf + 26, p->rwnd);
	if (p->len > 0 && p->payload != buf + P2P_HDR_LEN)
		memmove(buf + P2P_HDR_LEN, p->payload, p->len);
	if (p2p_aead_seal(k, buf, P2P_HDR_LEN, p->len, p->pktno) == -1)
		return 0;
	return P2P_HDR_LEN + (size_t)p->len + P2P_MAC_LEN;
}

/* Check a datagram's form and decode its header. */
enum p2p_derr
p2p_decode(const unsigned char *buf, size_t len, struct p2p_pkt *p)
{
	if (len < P2P_HDR_LEN + P2P_MAC_LEN)
		return P2P_D_SHORT;
	if (buf[0] != P2P_VERSION)
		return P2P_D_VERSION;
	if (buf[1] < P2P_T_HELLO || buf[1] > P2P_T_ABORT_R)
		return P2P_D_TYPE;
	p->type = buf[1];
	p->flags = buf[2];
	p->xid = p2p_get32(buf + 4);
	p->off = p2p_get64(buf + 8);
	p->pktno = p2p_get32(buf + 16);
	p->echo = p2p_get32(buf + 20);
	p->len = p2p_get16(buf + 24);
	p->rwnd = p2p_get16(buf + 26);
	if (p->len > P2P_PAYLOAD_MAX ||
	    (size_t)P2P_HDR_LEN + p->len + P2P_MAC_LEN != len)
		return P2P_D_LENGTH;
	p->payload = buf + P2P_HDR_LEN;
	return P2P_D_OK;
}

/* Authenticate and decrypt a decoded datagram in place. */
enum p2p_derr
p2p_open(struct p2p_aead *k, unsigned char *buf, size_t len, uint32_t pktno)
{
	if (len < P2P_HDR_LEN + P2P_MAC_LEN)
		return P2P_D_SHORT;
	switch (p2p_aead_open(k, buf, P2P_HDR_LEN,
	    len - P2P_HDR_LEN - P2P_MAC_LEN, pktno)) {
	case P2P_AEAD_OK:
		return P2P_D_OK;
	case P2P_AEAD_REPLAY:
		return P2P_D_REPLAY;
	default:
		return P2P_D_MAC;
	}
}

/* How a received buffer splits into datagrams. */
size_t
p2p_gro_pieces(size_t len, size_t gso, size_t *seg)
{
	if (gso == 0 || gso >= len) {
		*seg = len;
		return 1;
	}
	*seg = gso;
	return len / gso + (len % gso != 0);
}

/* True when pieces of seg bytes can be our datagrams. */
bool
p2p_gro_fits(size_t seg)
{
	return seg >= P2P_HDR_LEN + P2P_MAC_LEN && seg <= P2P_DGRAM_MAX;
}

/* Types a sender sends. */
bool
p2p_from_sender(uint8_t type)
{
	return type == P2P_T_HELLO || type == P2P_T_DATA ||
	    type == P2P_T_FIN || type == P2P_T_ABORT_S;
}

/* The value of a hex digit, or -1. */
static int
p2p_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a 128-bit secret written in hex. */
int
p2p_parse_secret(const char *hex, unsigned char key[P2P_SECRET_LEN])
{
	int i, hi, lo;

	if (strlen(hex) != PROTO_SECRET_HEX)
		return -1;
	for (i = 0; i < P2P_SECRET_LEN; i++) {
		if ((hi = p2p_hexval(hex[2 * i])) < 0 ||
		    (lo = p2p_hexval(hex[2 * i + 1])) < 0)
			return -1;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Segments of a file. */
uint64_t
p2p_nseg(uint64_t size)
{
	return (size + P2P_SEG - 1) / P2P_SEG;
}

/* An empty window over nseg segments. */
void
p2p_rwin_init(struct p2p_rwin *w, uint64_t nseg)
{
	memset(w, 0, sizeof(*w));
	w->nseg = nseg;
}

/* The bit of segment seg (which must be inside the window). */
static bool
p2p_rwin_has(const struct p2p_rwin *w, uint64_t seg)
{
	uint64_t i = seg % P2P_WINDOW;

	return (w->bits[i / 8] >> (i % 8)) & 1;
}

/* Note a segment; move the cumulative point over what is complete. */
int
p2p_rwin_mark(struct p2p_rwin *w, uint64_t seg)
{
	uint64_t i;

	if (seg >= w->nseg || seg >= w->cum + P2P_WINDOW)
		return -1;
	if (seg < w->cum || p2p_rwin_has(w, seg))
		return 0;
	i = seg % P2P_WINDOW;
	w->bits[i / 8] |= (unsigned char)(1u << (i % 8));
	if (seg + 1 > w->high)
		w->high = seg + 1;
	while (w->cum < w->nseg && p2p_rwin_has(w, w->cum)) {
		i = w->cum % P2P_WINDOW;
		w->bits[i / 8] &= (unsigned char)~(1u << (i % 8));
		w->cum++;
	}
	return 1;
}

/* Eight bits of the window from segment start on (bit j: start + j). */
static unsigned
p2p_rwin_byte(const struct p2p_rwin *w, uint64_t start)
{
	uint64_t i = start % P2P_WINDOW;
	size_t b = (size_t)(i / 8);
	unsigned sh = (unsigned)(i % 8), v;

	v = (unsigned)w->bits[b] >> sh;
	if (sh != 0)
		v |= (unsigned)w->bits[(b + 1) % sizeof(w->bits)] << (8 - sh);
	return v & 0xff;
}

/* The SACK bitmap after the cumulative point, a byte at a time: the bit
   of a segment not arrived is 0, and so are those at or past high (the
   window's bits past high and the one of cum itself are clear). */
size_t
p2p_rwin_sack(const struct p2p_rwin *w, unsigned char *out)
{
	uint64_t span;
	size_t i, n, len = 0;

	memset(out, 0, P2P_SACK_MAX);
	if (w->high <= w->cum + 1)
		return 0;
	span = w->high - w->cum - 1;
	n = (size_t)((span + 7) / 8);
	if (n > P2P_SACK_MAX)
		n = P2P_SACK_MAX;
	for (i = 0; i < n; i++) {
		out[i] = (unsigned char)p2p_rwin_byte(w, w->cum + 1 + 8 * i);
		if (out[i] != 0)
			len = i + 1;
	}
	return len;
}

/* The receive window to advertise for a socket buffer of rcvbuf bytes. */
uint16_t
p2p_rwnd(long rcvbuf, int receivers)
{
	long n;

	if (receivers < 1)
		receivers = 1;
	n = rcvbuf / P2P_TRUESIZE * 3 / 4 / receivers;
	if (n < P2P_RWND_MIN)
		n = P2P_RWND_MIN;
	if (n > P2P_WINDOW)
		n = P2P_WINDOW;
	return (uint16_t)n;
}

/* What the sender may have in flight. */
uint32_t
p2p_send_limit(double cwnd, uint16_t rwnd)
{
	uint32_t c = cwnd < 1 ? 1 : (uint32_t)cwnd;
	uint32_t r = rwnd == 0 || rwnd > P2P_WINDOW ? P2P_WINDOW : rwnd;

	return c < r ? c : r;
}

/* No sample yet. */
void
p2p_rtt_init(struct p2p_rtt *r)
{
	memset(r, 0, sizeof(*r));
	r->rto = P2P_RTO_INIT_US;
}

/* Fold in a sample (RFC 6298, 2.2 and 2.3; alpha 1/8, beta 1/4). */
void
p2p_rtt_sample(struct p2p_rtt *r, int64_t us)
{
	int64_t d;

	if (us < 1)
		us = 1;
	if (!r->have) {
		r->srtt = us;
		r->rttvar = us / 2;
		r->have = true;
	} else {
		d = r->srtt > us ? r->srtt - us : us - r->srtt;
		r->rttvar = (3 * r->rttvar + d) / 4;
		r->srtt = (7 * r->srtt + us) / 8;
	}
	r->rto = r->srtt + (4 * r->rttvar > 1000 ? 4 * r->rttvar : 1000);
	if (r->rto < P2P_RTO_MIN_US)
		r->rto = P2P_RTO_MIN_US;
	if (r->rto > P2P_RTO_MAX_US)
		r->rto = P2P_RTO_MAX_US;
}

/* Back off after a timeout (RFC 6298, 5.5). */
void
p2p_rtt_backoff(struct p2p_rtt *r)
{
	r->rto *= 2;
	if (r->rto > P2P_RTO_MAX_US)
		r->rto = P2P_RTO_MAX_US;
}

/* A fresh window. */
void
p2p_cc_init(struct p2p_cc *c)
{
	memset(c, 0, sizeof(*c));
	c->cwnd = P2P_CWND_INIT;
	c->ssthresh = P2P_WINDOW;
}

/* Grow: one segment per segment acked in slow start, else 1/cwnd. */
void
p2p_cc_acked(struct p2p_cc *c, uint32_t n)
{
	c->round_acked += n;
	if (c->cwnd < c->ssthresh)
		c->cwnd += n;
	else
		c->cwnd += (double)n / c->cwnd;
	if (c->cwnd > P2P_WINDOW)
		c->cwnd = P2P_WINDOW;
}

/*
 * End a round trip once an ACK answers a datagram sent after it began,
 * and judge its losses once it holds enough outcomes to tell a burst from
 * scattered loss (rounds of a small window are added up), or at once when
 * its losses alone are more than a whole sample would tolerate.  The
 * losses are weighed against the segments whose fate the round found out
 * (acknowledged or lost), not against what it sent: a round that follows
 * a halving sends half as much while it still learns the fate of the
 * larger flight before, and would see its own random loss doubled.
 */
void
p2p_cc_round(struct p2p_cc *c, uint32_t echo, uint32_t next_pktno)
{
	uint64_t known = (uint64_t)c->round_acked + c->round_lost;

	if ((int32_t)(echo - c->round_end) < 0)
		return;
	c->round_end = next_pktno;
	if (known < P2P_LOSS_SAMPLE && (uint64_t)c->round_lost * 100 <=
	    (uint64_t)P2P_LOSS_SAMPLE * P2P_LOSS_TOLERANCE)
		return;
	if ((uint64_t)c->round_lost * 100 > known * P2P_LOSS_TOLERANCE) {
		c->cwnd /= 2;
		if (c->cwnd < P2P_CWND_MIN)
			c->cwnd = P2P_CWND_MIN;
		c->ssthresh = c->cwnd;
	}
	c->round_acked = 0;
	c->round_lost = 0;
}

/* A timeout: start again from a small window, ready to undo it. */
void
p2p_cc_timeout(struct p2p_cc *c, uint32_t next_pktno)
{
	if (!c->undo_armed) {
		c->undo_armed = true;
		c->undo_cwnd = c->cwnd;
		c->undo_ssthresh = c->ssthresh;
	}
	c->undo_before = next_pktno;
	c->ssthresh = c->cwnd / 2 > P2P_CWND_MIN ? c->cwnd / 2 : P2P_CWND_MIN;
	c->cwnd = P2P_CWND_MIN;
	c->round_acked = c->round_lost = 0;
}

/* Undo a timeout that the first ACK after it shows to be spurious. */
void
p2p_cc_check_undo(struct p2p_cc *c, uint32_t echo)
{
	if (!c->undo_armed || echo == 0)
		return;
	c->undo_armed = false;
	if ((int32_t)(echo - c->undo_before) < 0) {
		if (c->cwnd < c->undo_cwnd)
			c->cwnd = c->undo_cwnd;
		c->ssthresh = c->undo_ssthresh;
	}
}

/* Bytes of the UTF-8 sequence starting at s (at most n), or 0 if invalid. */
static size_t
p2p_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n || !proto_valid_utf8((const char *)s, len))
		return 0;
	return len;
}

/* The safe local name of a received file. */
int
p2p_safe_name(const char *sender, const char *offered, char *out, size_t len)
{
	const unsigned char *base = (const unsigned char *)offered, *p;
	char clean[256];
	size_t n = 0, cl, left;

	for (p = base; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.')
		base++;
	left = strlen((const char *)base);
	while (*base != '\0' && n < 200) {
		cl = p2p_utf8_len(base, left);
		if (cl == 0 || (cl == 1 && (*base < 0x20 || *base == 0x7f))) {
			clean[n++] = '_';
			base++;
			left--;
			continue;
		}
		if (n + cl > 200)
			break;
		memcpy(clean + n, base, cl);
		n += cl;
		base += cl;
		left -= cl;
	}
	clean[n] = '\0';
	if (n == 0)
		snprintf(clean, sizeof(clean), "file");
	if ((size_t)snprintf(out, len, "%s_%s", sender, clean) >= len)
		return -1;
	return 0;
}
