/*
 * p2p_wire.h - the pure half of peer-to-peer file transfer: the datagram
 * format between two clients, the receiver's window of received segments,
 * the sender's scoreboard, round-trip time and congestion arithmetic, and
 * the rules for a received file's name.  No I/O, so Check tests it alone.
 * docs/PROTOCOL.md ("Peer to peer") is the prose version.
 *
 * A datagram (all integers big-endian):
 *
 *   0  u8  version (2)          16 u32 pktno: this side's datagram counter
 *   1  u8  type                 20 u32 echo: the pktno an ACK answers
 *   2  u8  flags                24 u16 payload length N
 *   3  u8  reserved (0)         26 u16 ACK: rwnd, else 0
 *   4  u32 transfer id          28 N bytes of payload, encrypted
 *   8  u64 offset               28+N  16-byte Poly1305 tag
 *
 * The header is authenticated, the payload encrypted and authenticated,
 * with ChaCha20-Poly1305 under the key of the direction and pktno as the
 * nonce (p2p_aead.h).
 */
#ifndef P2P_WIRE_H
#define P2P_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "p2p_aead.h"

#define P2P_VERSION	2
#define P2P_HDR_LEN	28
#define P2P_MAC_LEN	P2P_TAG_LEN
#define P2P_SEG		1200	/* file bytes in one DATA datagram */
#define P2P_WINDOW	8192	/* segments ahead of the cumulative ack that
				   the receiver takes and the sender may
				   have in flight (about 9.8 MB) */
#define P2P_SACK_MAX	(P2P_WINDOW / 8)	/* bitmap bytes in an ACK */
#define P2P_PAYLOAD_MAX	P2P_SEG		/* largest payload of any type
					   (>= P2P_SACK_MAX) */
#define P2P_DGRAM_MAX	(P2P_HDR_LEN + P2P_PAYLOAD_MAX + P2P_MAC_LEN)
#define P2P_REASON_MAX	64	/* bytes of an ABORT reason */

/* Datagram types; the first four go sender -> receiver. */
enum p2p_type {
	P2P_T_HELLO = 1,	/* offset = file size: "may I send?" */
	P2P_T_DATA = 2,		/* offset = where the payload goes */
	P2P_T_FIN = 3,		/* payload = SHA-256 of the whole file */
	P2P_T_ABORT_S = 4,	/* the sender gives up; payload = reason */
	P2P_T_ACK = 5,		/* offset = bytes received in order; payload =
				   bitmap of the segments after that */
	P2P_T_ABORT_R = 6,	/* the receiver gives up or declines */
};

#define P2P_F_WAIT	0x01	/* ACK: the user is being asked; keep waiting */
#define P2P_F_DONE	0x02	/* ACK: verified and saved; all finished */

/* A decoded datagram; payload points into the buffer it came from. */
struct p2p_pkt {
	uint8_t			 type;
	uint8_t			 flags;
	uint32_t		 xid;
	uint64_t		 off;
	uint32_t		 pktno;
	uint32_t		 echo;
	uint16_t		 len;
	uint16_t		 rwnd;	/* ACK: segments the receiver takes in
					   flight; 0 = not said (P2P_WINDOW) */
	const unsigned char	*payload;
};

/* Why a datagram was refused. */
enum p2p_derr {
	P2P_D_OK = 0,
	P2P_D_SHORT,		/* shorter than a header and a tag */
	P2P_D_VERSION,		/* another version */
	P2P_D_TYPE,		/* unknown type */
	P2P_D_LENGTH,		/* payload length does not match the size */
	P2P_D_MAC,		/* tag wrong: forged, corrupted, other key */
	P2P_D_REPLAY,		/* a datagram number seen before */
};

/* Encode and seal p into buf (P2P_DGRAM_MAX bytes); the length, or 0
   when it cannot be sealed (pktno 0).  The payload may already be in
   place, at buf + P2P_HDR_LEN. */
size_t		 p2p_encode(const struct p2p_pkt *p, struct p2p_aead *k,
		     unsigned char *buf);
/* Check the form of a datagram and fill p (not authenticated yet: the
   payload is still ciphertext). */
enum p2p_derr	 p2p_decode(const unsigned char *buf, size_t len,
		     struct p2p_pkt *p);
/* Authenticate and decrypt in place a datagram p2p_decode() took, with
   its number pktno: P2P_D_OK, P2P_D_MAC or P2P_D_REPLAY. */
enum p2p_derr	 p2p_open(struct p2p_aead *k, unsigned char *buf, size_t len,
		     uint32_t pktno);
/* True for the types a receiver accepts (sent by a sender). */
bool		 p2p_from_sender(uint8_t type);
/* Parse a secret of PROTO_SECRET_HEX hex digits; 0 or -1. */
int		 p2p_parse_secret(const char *hex,
		     unsigned char secret[P2P_SECRET_LEN]);
/* Segments of a file of size bytes. */
uint64_t	 p2p_nseg(uint64_t size);

/*
 * A buffer the kernel coalesced (UDP_GRO) holds datagrams of gso bytes
 * each, the last one possibly shorter; gso is what the kernel said, so
 * it is bounded here before anything trusts it.  p2p_gro_pieces() gives
 * the number of pieces a buffer of len bytes splits into and sets *seg to
 * the length of every piece but the last: one piece of len bytes when gso
 * is 0 or not below len (not coalesced), else ceil(len / gso).
 * p2p_gro_fits() says whether pieces of seg bytes can be datagrams of
 * ours at all; a buffer cut into pieces that cannot is dropped whole and
 * counted as that many malformed datagrams, without looking at them.
 */
size_t		 p2p_gro_pieces(size_t len, size_t gso, size_t *seg);
bool		 p2p_gro_fits(size_t seg);

/* The receiver's window: which segments arrived. */
struct p2p_rwin {
	uint64_t	 nseg;		/* segments in the file */
	uint64_t	 cum;		/* segments [0, cum) all arrived */
	uint64_t	 high;		/* 1 + highest segment arrived */
	unsigned char	 bits[P2P_WINDOW / 8];	/* by segment % P2P_WINDOW */
};

void		 p2p_rwin_init(struct p2p_rwin *w, uint64_t nseg);
/* Note segment seg: 1 when new, 0 when a duplicate, -1 when outside. */
int		 p2p_rwin_mark(struct p2p_rwin *w, uint64_t seg);
/*
 * The SACK bitmap: bit j of byte i says segment cum + 1 + 8i + j arrived.
 * Written into out (P2P_SACK_MAX bytes); returns its length, trailing
 * zero bytes left out.
 */
size_t		 p2p_rwin_sack(const struct p2p_rwin *w, unsigned char *out);

/*
 * Flow control.  A receiver advertises in each ACK (rwnd) how many
 * datagrams may be unacknowledged in flight towards it: what its socket's
 * receive buffer holds (SO_RCVBUF as read back, which counts the kernel's
 * per-datagram overhead, P2P_TRUESIZE a datagram), with a quarter kept in
 * reserve, shared by the transfers it receives, and never more than the
 * window of P2P_WINDOW segments.  The sender keeps in flight at most
 * min(cwnd, rwnd): the receiver's queue cannot overflow however bursty
 * the sending, so a lossless path stays lossless.
 */
#define P2P_TRUESIZE	2304	/* kernel bytes one 1236-byte datagram
				   costs in a receive queue (data rounded
				   up to 2 KiB, plus the sk_buff) */
#define P2P_RWND_MIN	64	/* never advertise less */
uint16_t	 p2p_rwnd(long rcvbuf, int receivers);
/* Segments the sender may have in flight now: min(cwnd, rwnd). */
uint32_t	 p2p_send_limit(double cwnd, uint16_t rwnd);

/* Round-trip time, RFC 6298 style, in microseconds. */
#define P2P_RTO_INIT_US	250000		/* before any sample */
#define P2P_RTO_MIN_US	20000		/* floor: loopback answers in << 1 ms,
					   but a busy peer drains in batches */
#define P2P_RTO_MAX_US	2000000
struct p2p_rtt {
	int64_t		 srtt;
	int64_t		 rttvar;
	int64_t		 rto;
	bool		 have;
};

void		 p2p_rtt_init(struct p2p_rtt *r);
void		 p2p_rtt_sample(struct p2p_rtt *r, int64_t us);
/* A timeout fired: double the RTO (bounded). */
void		 p2p_rtt_backoff(struct p2p_rtt *r);

/*
 * Congestion window, in segments.  Slow start, then additive increase;
 * losses are judged per round trip: a round in which more than
 * P2P_LOSS_TOLERANCE percent of the segments whose fate it learnt turn
 * out lost (a burst: the receiver's socket buffer overflowed, or a
 * congested path) halves the window and ends slow start; rarer, scattered
 * losses change nothing.  So random loss of a few percent costs
 * retransmissions, not speed, while an overflowing receiver slows the
 * sender down at once.
 */
#define P2P_CWND_INIT	32
#define P2P_CWND_MIN	8
#define P2P_LOSS_TOLERANCE 12
#define P2P_LOSS_SAMPLE	128	/* outcomes a judgement needs at least */
struct p2p_cc {
	double		 cwnd;
	double		 ssthresh;
	uint32_t	 round_end;	/* pktno that ends the round */
	uint32_t	 round_acked;	/* segments found acknowledged ... */
	uint32_t	 round_lost;	/* ... and lost in the round */
	/* A timeout may be spurious (the peer was only slow, e.g. not
	   scheduled): what to restore if the next ACK proves it. */
	bool		 undo_armed;
	uint32_t	 undo_before;	/* first pktno sent after the timeout */
	double		 undo_cwnd;
	double		 undo_ssthresh;
};

void		 p2p_cc_init(struct p2p_cc *c);
/* n segments newly acknowledged. */
void		 p2p_cc_acked(struct p2p_cc *c, uint32_t n);
/*
 * The first ACK after a timeout: when it answers a datagram sent before
 * the timeout (echo < undo_before), nothing was lost, only late, and the
 * window comes back (as Eifel / F-RTO do for TCP).
 */
void		 p2p_cc_check_undo(struct p2p_cc *c, uint32_t echo);
/* An ACK echoing pktno came: end the round when it is due. */
void		 p2p_cc_round(struct p2p_cc *c, uint32_t echo, uint32_t next_pktno);
/* A retransmission timeout. */
void		 p2p_cc_timeout(struct p2p_cc *c, uint32_t next_pktno);

/*
 * The name a received file is saved under: "<sender>_<base>" where base is
 * the offered name after its last '/' or '\', without leading dots, with
 * control characters and bytes of invalid UTF-8 replaced by '_', cut to
 * 200 bytes (at a character boundary); "file" when nothing is left.
 * Never a path, never "." or "..", never hidden.  0, or -1 when out is too
 * small.
 */
int		 p2p_safe_name(const char *sender, const char *offered,
		     char *out, size_t len);

#endif /* P2P_WIRE_H */
