/*
 * p2p_int.h - what p2p.c, p2p_send.c and p2p_recv.c share: one transfer's
 * state and the helpers around the UDP socket.  Not for other modules.
 */
#ifndef P2P_INT_H
#define P2P_INT_H

#include <sys/socket.h>
#include <sys/uio.h>

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "p2p.h"
#include "p2p_wire.h"
#include "sha256.h"

struct app;

#define P2P_READ_CACHE	(64 * 1024)	/* sender's read-ahead buffer */
#define P2P_BURST	256		/* datagrams one transfer sends per pass */
#define P2P_ACK_EVERY	32		/* DATA datagrams per ACK, at most */
#define P2P_LINGER_US	(5 * 1000000LL)	/* a finished receiver answers late
					   FINs this long */
#define P2P_FROM_MAX	4	/* offers from one sender waiting or running
				   at once; over: refused */
#define P2P_ASK_US	(120 * 1000000LL) /* an unanswered offer is declined */
#define P2P_HELLO_WAIT_US 500000	/* HELLO interval while the peer asks */
#define P2P_PROGRESS_US	100000		/* progress to the model at most this
					   often */
#define P2P_WR_MAX	64		/* datagrams in one pwritev */
#define P2P_HASH_CHUNK	(256 * 1024)	/* receiver hashes this much per pass */

enum p2p_role { P2P_SEND = 0, P2P_RECV };

enum p2p_state {
	P2P_S_FREE = 0,
	P2P_S_REQUEST,		/* sender: SENDFILE sent to the server */
	P2P_S_HELLO,		/* sender: asking the receiver to start */
	P2P_S_DATA,		/* sender: sending the file */
	P2P_S_FIN,		/* sender: all acknowledged, FIN sent */
	P2P_S_ASK,		/* receiver: the user is asked */
	P2P_S_RECV,		/* receiver: taking data */
	P2P_S_LINGER,		/* receiver: finished; answers late datagrams */
};

/* Sender's record of one segment in the window. */
struct p2p_sseg {
	int64_t		 sent_us;	/* last (re)transmission */
	uint32_t	 pktno;		/* its datagram number */
	uint8_t		 state;		/* P2P_SEG_* */
	uint8_t		 tries;
};
#define P2P_SEG_INFLIGHT 0
#define P2P_SEG_SACKED	1
#define P2P_SEG_LOST	2

/* When each datagram was sent, for RTT samples from ACK echoes. */
struct p2p_sent {
	uint32_t	 pktno;
	int64_t		 us;
};
#define P2P_SENT_RING	(2 * P2P_WINDOW)

struct p2p_xfer {
	enum p2p_state		 state;
	enum p2p_role		 role;
	uint32_t		 xid;
	struct p2p_aead		 aead;		/* keys, replay window */
	char			 peer[PROTO_USER_MAX + 1];
	char			 name[PROTO_FILENAME_MAX + 1];	/* offered */
	char			 saved[PROTO_FILENAME_MAX + 64];	/* receiver */
	char			 tmp[PROTO_FILENAME_MAX + 96];	/* receiver */
	struct sockaddr_storage	 sa;		/* the peer's endpoint */
	socklen_t		 salen;
	uint64_t		 size;
	uint64_t		 nseg;
	int			 fd;		/* the file, -1 when closed */
	int			 model_id;	/* model transfer, -1 if none */
	int64_t			 start_us;
	int64_t			 heard_us;	/* last datagram from the peer */
	int64_t			 shown_us;	/* last progress to the model */
	uint32_t		 pktno;		/* next datagram number */

	/* Sender. */
	struct p2p_rtt		 rtt;
	struct p2p_cc		 cc;
	struct p2p_sseg		*segs;		/* P2P_WINDOW, by seg % size */
	struct p2p_sent		*sent;		/* P2P_SENT_RING */
	uint64_t		 una;		/* first segment not acked */
	uint64_t		 nxt;		/* next new segment */
	uint64_t		 high_sacked;	/* 1 + highest segment acked */
	uint32_t		 inflight;
	uint16_t		 rwnd;		/* the receiver's, 0 = unsaid */
	uint32_t		 lost;		/* segments marked lost */
	uint64_t		 dup_scan;	/* segments below were checked for
						   three later ones acked */
	int64_t		 	 rto_at;	/* retransmission deadline */
	int64_t			 hello_at;	/* next HELLO / FIN */
	struct sha256		 hash;
	unsigned char		 digest[SHA256_LEN];
	unsigned char		*cache;		/* P2P_READ_CACHE bytes */
	uint64_t		 cache_off;
	size_t			 cache_len;

	/* Receiver. */
	struct p2p_rwin		*rwin;
	uint64_t		 hashed;	/* bytes folded into hash */
	bool			 ack_due;
	uint32_t		 ack_echo;	/* pktno to echo */
	int			 unacked;	/* DATA since the last ACK */
	/* DATA of this read batch not written yet: one contiguous run. */
	uint64_t		 wr_off;
	size_t			 wr_len;
	int			 wr_n;
	struct iovec		 wr_iov[P2P_WR_MAX];
	int64_t			 until_us;	/* ask or linger deadline */
	uint8_t			 final_type;	/* LINGER: ACK(DONE) or ABORT_R */
	char			 reason[P2P_REASON_MAX];
	bool			 fin_seen;
	unsigned char		 fin_digest[SHA256_LEN];
};

#define P2P_ALWAYS_MAX	32	/* senders answered "always"; over: asked */

/*
 * The state of file transfers, owned by p2p.c (one instance, reached
 * through p2p_ctx()): the transfers, the counters and the settings that
 * p2p.c, p2p_send.c and p2p_recv.c share.
 */
struct p2p_ctx {
	struct p2p_xfer	 xfers[P2P_XFER_MAX];
	struct p2p_stats counters;
	int		 fd;		/* the UDP socket (main.c owns it) */
	int		 family;	/* its address family */
	int		 dir_fd;	/* the download directory */
	int		 peer_timeout_s; /* [files] peer_timeout */
	long		 rcvbuf;	/* SO_RCVBUF as read back */
	long long	 keep_free_mb;	/* [files] keep_free */
	enum conf_accept accept;	/* [files] accept_files */
	bool		 screen;	/* the screen runs, not plain mode */
	/* Senders answered "always" in this run. */
	char		 always[P2P_ALWAYS_MAX][PROTO_USER_MAX + 1];
	int		 nalways;
};

/* The one state of file transfers. */
struct p2p_ctx	*p2p_ctx(void);
/* [files] peer_timeout in microseconds. */
int64_t		 p2p_peer_timeout_us(void);
/* Transfers receiving now. */
int		 p2p_receivers(void);

/*
 * Where to build a datagram (P2P_DGRAM_MAX bytes): a payload read into
 * p2p_pkt_buf() + P2P_HDR_LEN is encoded in place by the next
 * p2p_send_pkt(), so a DATA datagram is copied once, from the file.
 */
unsigned char	*p2p_pkt_buf(void);
/* Send one datagram of x (through the test hooks); 0, or -1 (EAGAIN...). */
int		 p2p_send_pkt(struct p2p_xfer *x, struct p2p_pkt *p);
/*
 * A buffer read from the socket: one datagram, or several the kernel
 * coalesced with segment size gso (0: one); each is checked and counted
 * alone (and decrypted in place), then handed to its transfer.  How
 * many datagrams it held.
 */
size_t		 p2p_input_buf(struct app *a, unsigned char *buf,
		     size_t len, size_t gso,
		     const struct sockaddr_storage *from, int64_t now);
/* True once the socket refused a datagram (until POLLOUT says room). */
bool		 p2p_send_blocked(void);
/* Parse "IP" and port into x->sa for our socket's family; 0 or -1. */
int		 p2p_set_peer(struct p2p_xfer *x, const char *ip, unsigned port);
/* Report progress to the model (at most every P2P_PROGRESS_US). */
void		 p2p_progress(struct app *a, struct p2p_xfer *x, uint64_t done,
		     bool force);
/* End a transfer: model, file, memory; the slot becomes free. */
void		 p2p_release(struct app *a, struct p2p_xfer *x, bool ok);
/* "1.2 MB" */

/* p2p_send.c */
void		 p2p_send_start(struct app *a, struct p2p_xfer *x);
void		 p2p_send_input(struct app *a, struct p2p_xfer *x,
		     const struct p2p_pkt *p);
/* Send what the window allows and run timers; sets *blocked on EAGAIN. */
void		 p2p_send_run(struct app *a, struct p2p_xfer *x, bool *blocked);
int64_t		 p2p_send_deadline(const struct p2p_xfer *x);
void		 p2p_send_fail(struct app *a, struct p2p_xfer *x,
		     const char *why, bool tell_peer);

/* p2p_recv.c */
void		 p2p_recv_offer(struct app *a, const char *from, uint32_t xid,
		     uint64_t size, const char *ip, unsigned port,
		     const char *secret, const char *name, bool ask);
void		 p2p_recv_input(struct app *a, struct p2p_xfer *x,
		     const struct p2p_pkt *p);
void		 p2p_recv_run(struct app *a, struct p2p_xfer *x);
/* Write out the DATA of the last read batch (before its buffers go). */
void		 p2p_recv_flush(struct app *a, struct p2p_xfer *x);
int64_t		 p2p_recv_deadline(const struct p2p_xfer *x);
void		 p2p_recv_fail(struct app *a, struct p2p_xfer *x,
		     const char *why, bool tell_peer);

#endif /* P2P_INT_H */
