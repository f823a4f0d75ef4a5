/*
 * fed_msg_int.h - what fed_msg.c (direct messages and broadcasts in the
 * loop) and fed_outbox.c (their files: fed-outbox.log, fed-inbox.log)
 * share; nothing else includes it.
 */
#ifndef FED_MSG_INT_H
#define FED_MSG_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fed_int.h"
#include "proto.h"
#include "store.h"

#define FED_OUTBOX_MAX		100000	/* messages waiting in all */
#define FED_PEERS_MAX		256	/* boards messaged or heard from */
#define FED_WINDOW		2000	/* published, unacknowledged */
#define FED_RESEND_MS		2000	/* no acknowledgement: go back */
#define FED_RESEND_MAX_MS	32000	/* ... doubling up to this */
#define FED_ACKS_MAX		100000	/* acknowledgements waiting */
#define FED_COMPACT_LINES	20000	/* rewrite the logs after so many */
#define FED_BOOT_MAX		40	/* a kernel boot id */
#define FED_BOOT_ID_FILE	"/proc/sys/kernel/random/boot_id"

struct fed_out {
	TAILQ_ENTRY(fed_out)	 entry;
	unsigned long long	 seq;
	uint64_t		 gen;		/* store generation of its line */
	uint64_t		 num;		/* fed_m.appended at its append */
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

struct fed_msg_state {
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
	/* Outbox lines appended / written (to the page cache) so far: a
	   message goes to the broker once written, before its fsync. */
	uint64_t		 appended, written;
	char			 boot[FED_BOOT_MAX + 1];	/* this boot's id */
	char			 log_boot[FED_BOOT_MAX + 1];	/* the outbox's */
	bool			 log_clean;	/* it ends with a clean stop */
	bool			 ready;		/* fed_msg_init() done */
	bool			 test_crash;	/* FS_TEST_FED_CRASH=publish */
	int64_t			 now_ms;
	uint64_t		 pass;		/* fed_msg_pass() calls */
};

extern struct fed_msg_state fed_m;

/* fed_msg.c: the peer named name (added when add; NULL when none or
   full); a message queued in memory; the head of p's outbox dropped. */
struct fed_peer	*fed_peer_get(const char *name, bool add);
struct fed_out	*fed_out_add(struct fed_peer *p, unsigned long long seq,
		    time_t when, const char *from, const char *to,
		    const char *text);
void		 fed_out_drop(struct fed_peer *p, struct fed_out *o);

/* fed_outbox.c: read both logs into fed_m (a new outbox id when needed)
   and rewrite them; rewrite them compactly; mark a clean stop. */
int		 fed_outbox_load(void);
int		 fed_compact(void);
void		 fed_outbox_close(void);

#endif /* FED_MSG_INT_H */
