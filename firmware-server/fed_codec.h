/*
 * fed_codec.h - the federation's MQTT topics and payloads, pure: no I/O,
 * no logging, caller-owned buffers.  docs/FEDERATION.md describes every
 * topic and payload; this is the one place they are built and checked.
 *
 *   PREFIX/v1/board/B             retained  "1 B EPOCH online|offline"
 *   PREFIX/v1/presence/B/U        retained  "1 B EPOCH U IP UDP TIME", or
 *                                           empty: U logged out
 *   PREFIX/v1/dm/D/B              QoS 0     "1 B INC SEQ TIME FROM TO TEXT"
 *   PREFIX/v1/dmb/D/B             QoS 0     DM payloads, one a line, their
 *                                           SEQs consecutive (a batch)
 *   PREFIX/v1/ack/D/B             QoS 0     "1 B INC SEQ STATUS"
 *   PREFIX/v1/bcast/B             QoS 1     "1 B EPOCH ID TIME FROM TEXT"
 *   PREFIX/v1/feat/B              retained  "1 B EPOCH WORD..." (features)
 *   PREFIX/v1/edge/B/U/FILEID     retained  JSON (published only)
 *
 * B is always the board that publishes; a record is refused unless the B
 * inside matches the B of its topic (a board speaks only for itself).
 */
#ifndef FED_CODEC_H
#define FED_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define FED_VERSION		"1"
#define FED_PREFIX_MAX		64	/* bytes in the topic prefix */
#define FED_TOPIC_MAX		256	/* bytes in a topic */
#define FED_EPOCH_MAX		24	/* [0-9a-z]{1,24}: one link's run */
#define FED_IP_MAX		45	/* an IPv4 or IPv6 literal */
/* Longest payload accepted: a DM with the longest text and fields. */
#define FED_PAYLOAD_MAX		(PROTO_TEXT_MAX + 256)
/* A batch of DMs: at most this many bytes and records. */
#define FED_BATCH_MAX		65536
#define FED_BATCH_RECORDS	512
/* Feature words a board announces (FEAT): [a-z0-9]{1,16}, at most 8. */
#define FED_FEAT_WORD_MAX	16
#define FED_FEAT_WORDS_MAX	8
#define FED_FEAT_DMB		0x1	/* "dmb": reads batches of DMs */

enum fed_kind {
	FED_K_BOARD,		/* a board's link: online or offline */
	FED_K_PRESENCE,		/* a user of a board: logged in or out */
	FED_K_DM,		/* a direct message for a user of board D */
	FED_K_ACK,		/* board B has a DM of D on its disk */
	FED_K_BCAST,		/* a broadcast */
	FED_K_EDGE,		/* an edge summary (never decoded) */
	FED_K_DMB,		/* a batch of DMs for users of board D */
	FED_K_FEAT,		/* what a board's software understands */
	FED_K_NKINDS
};

enum fed_err {
	FED_OK,
	FED_E_TOPIC,		/* not one of ours, or malformed */
	FED_E_SIZE,		/* payload over FED_PAYLOAD_MAX */
	FED_E_VERSION,		/* another version of the payloads */
	FED_E_FORMAT,		/* a field is missing or malformed */
	FED_E_SPOOF,		/* names inside do not match the topic */
};

enum fed_ack {
	FED_ACK_OK,		/* delivered or stored for the next login */
	FED_ACK_NOUSER,		/* no such user on the home board */
	FED_ACK_BLOCKED,	/* the recipient blocked the sender */
	FED_ACK_FULL,		/* too many messages wait for the recipient */
	FED_ACK_NSTATUS
};

struct fed_rec {
	enum fed_kind	 kind;
	char		 board[PROTO_BOARD_MAX + 1];	/* who published */
	char		 dest[PROTO_BOARD_MAX + 1];	/* DM, ACK: for whom */
	char		 epoch[FED_EPOCH_MAX + 1];	/* BOARD, PRESENCE,
							   BCAST; DM, ACK:
							   the outbox's INC */
	bool		 online;	/* BOARD; PRESENCE: false when empty */
	char		 user[PROTO_USER_MAX + 1];	/* PRESENCE; DM, BCAST:
							   the sender */
	char		 to[PROTO_USER_MAX + 1];	/* DM */
	char		 ip[FED_IP_MAX + 1];		/* PRESENCE */
	int		 udp;				/* PRESENCE */
	unsigned long long seq;		/* DM, ACK; BCAST: ID */
	long long	 time;		/* PRESENCE: login; DM, BCAST: sent */
	enum fed_ack	 status;	/* ACK */
	unsigned	 feat;		/* FEAT: FED_FEAT_* known */
	unsigned	 count;		/* DMB: records (seq: the first) */
	char		 text[PROTO_TEXT_MAX + 1];	/* DM, BCAST */
};

/* True when s is a topic prefix: 1..FED_PREFIX_MAX bytes of
   [A-Za-z0-9_-] in levels separated by single '/'. */
bool		 fed_valid_prefix(const char *s);
/* True when s is an epoch or outbox id ([0-9a-z]{1,FED_EPOCH_MAX}). */
bool		 fed_valid_epoch(const char *s);
/*
 * Split USER@BOARD into user and board (sizes PROTO_USER_MAX + 1 and
 * PROTO_BOARD_MAX + 1).  0, or -1 when addr is not of that form.
 */
int		 fed_split_addr(const char *addr, char *user, char *board);

/*
 * The topic of a record: kind, the publishing board, and sub (PRESENCE:
 * the user; DM, ACK: the destination board; EDGE: "USER/FILEID"; else
 * NULL).  Returns the length, or -1 when it does not fit in len.
 */
int		 fed_topic(char *out, size_t len, const char *prefix,
		     enum fed_kind kind, const char *board, const char *sub);
/* The payload of r into out; returns its length (0: an empty presence),
   or -1 when a field is invalid or it does not fit. */
int		 fed_encode(const struct fed_rec *r, char *out, size_t len);
/*
 * Decode a message from the broker: its topic under prefix and payload
 * (len bytes, not NUL-terminated).  Fills r, or returns why not.  A batch
 * (DMB) is checked whole, every record: r gets its boards, its outbox id
 * (epoch), its first seq and its count; fed_batch_next() reads the
 * records.
 */
enum fed_err	 fed_decode(const char *prefix, const char *topic,
		     const void *payload, size_t len, struct fed_rec *r);
/*
 * The record of a batch that fed_decode() accepted (head) at *off (0 for
 * the first), into r as a DM; *off moves on.  Returns false at the end.
 */
bool		 fed_batch_next(const struct fed_rec *head, const void *payload,
		     size_t len, size_t *off, struct fed_rec *r);
/*
 * Add DM r to the batch in out (*len bytes so far, at most cap, at most
 * FED_BATCH_MAX).  0, or -1 when r is invalid or does not fit (out is
 * unchanged).  The caller keeps the records of one batch consecutive.
 */
int		 fed_batch_add(char *out, size_t cap, size_t *len,
		     const struct fed_rec *r);
const char	*fed_strerror(enum fed_err e);
const char	*fed_ack_name(enum fed_ack a);

#endif /* FED_CODEC_H */
