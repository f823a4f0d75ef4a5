/*
 * privchat_int.h - what privchat.c (commands and events) uses of
 * privchat_io.c (the table of chats and their sockets).  Not for other
 * modules.
 */
#ifndef PRIVCHAT_INT_H
#define PRIVCHAT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "privwire.h"
#include "proto.h"

struct app;

enum privchat_state {
	PRIVCHAT_S_FREE = 0,
	PRIVCHAT_S_ASKING,	/* we asked; waiting for * PRIVREPLY */
	PRIVCHAT_S_ASKED,	/* they asked; the question is on the input
				   line */
	PRIVCHAT_S_LISTEN,	/* we accepted; waiting for their
				   connection */
	PRIVCHAT_S_CONNECTING,	/* they accepted; we connect */
	PRIVCHAT_S_OPEN,	/* talking */
};

#define PRIVCHAT_CAND_MAX	4	/* connections presenting themselves at
					   once */
#define PRIVCHAT_HELLO_MAX	(PRIVWIRE_HDR_LEN + PROTO_USER_MAX + \
				    PRIVWIRE_TAG_LEN)

/* A connection to our listening socket that has not authenticated yet. */
struct privchat_cand {
	int		 fd;		/* -1: slot free */
	int64_t		 until_ms;	/* must authenticate by then */
	unsigned char	 buf[PRIVCHAT_HELLO_MAX]; /* its first frame so far */
	size_t		 len;
};

struct privchat {
	enum privchat_state	 st;
	char		 peer[PROTO_USER_MAX + 1];
	char		 secret[PROTO_SECRET_HEX + 1];
	struct privwire	 w;		/* keys and frame counters */
	int		 lfd;		/* listening socket (S_LISTEN) */
	struct privchat_cand	 cands[PRIVCHAT_CAND_MAX];
	int		 fd;		/* the chat's connection */
	int64_t		 until_ms;	/* LISTEN / CONNECTING deadline */
	struct buf	 in;		/* sealed frames, one at most */
	struct buf	 out;		/* PRIVCHAT_OUT_MAX at most */
};

/* The chat with peer, or NULL. */
struct privchat	*privchat_find(const char *peer);
/* A new chat with peer, or NULL (after saying so) when all are taken. */
struct privchat	*privchat_new(struct app *a, const char *peer,
		     enum privchat_state st);
/* Close a chat's sockets and free it; the user panel forgets it. */
void		 privchat_close(struct app *a, struct privchat *c);
/* A reply we only log (PRIVSTOP, PRIVANSWER no). */
void		 privchat_reply_quiet(struct app *a, void *arg,
		     const struct proto_msg *msg);
/* Connected and authenticated: the chat is open. */
void		 privchat_open(struct app *a, struct privchat *c);
/* The chat ended on our side: close it, and tell the server when asked. */
void		 privchat_end(struct app *a, struct privchat *c,
		     bool tell_server);
/* A listening socket on an ephemeral port; -1 with errno. */
int		 privchat_listen(unsigned *port);
/* Connect to the peer at ip:port and queue our sealed name; -1 with
   errno. */
int		 privchat_connect(struct privchat *c, const char *ip,
		     const char *port, const char *self);

#endif /* PRIVCHAT_INT_H */
