/*
 * privchat.h - private chats: startprivate asks the other user through
 * the server; on yes the two clients talk over a direct TCP connection
 * (lines of text), shown with a "(private)" tag.  The side that accepted
 * listens on an ephemeral port; the other connects and proves with a
 * frame sealed under keys from the secret the server gave both that it is
 * the peer (privwire.h), so nobody else can take or read the chat.
 * Everything runs from the frontend's poll loop (app_poll_*).
 */
#ifndef PRIVCHAT_H
#define PRIVCHAT_H

#include <poll.h>
#include <stdbool.h>

#include "cmds.h"
#include "feature.h"

struct app;
struct proto_ev;

#define PRIVCHAT_MAX	16		/* chats at once; over: refused */
#define PRIVCHAT_OUT_MAX (64 * 1024)	/* bytes queued to one peer; over:
					   the message is refused */
#define PRIVCHAT_CONNECT_MS 10000	/* connecting / waiting to be
					   connected to, at most */
#define PRIVCHAT_AUTH_MS 5000		/* a connection must authenticate
					   within this */

int		 privchat_poll_fill(struct pollfd *pfd, int max);
int		 privchat_poll_timeout(void);
void		 privchat_poll_done(struct app *a, const struct pollfd *pfd,
		     int n);
/* PRIVASK, PRIVREPLY, PRIVEND; false when not ours. */
bool		 privchat_event(struct app *a, const struct proto_ev *ev);
/* Close every chat (the client quits). */
void		 privchat_shutdown(struct app *a);
/* Chats asked for, waiting or open. */
int		 privchat_count(void);

cmds_handler_fn	 privchat_do_start;	/* startprivate USER */
cmds_handler_fn	 privchat_do_send;	/* private USER TEXT */
cmds_handler_fn	 privchat_do_stop;	/* stopprivate USER */

/* Private chats as a feature module (features.c). */
extern const struct feature privchat_feature;

#endif /* PRIVCHAT_H */
