/*
 * msgs.h - the client's side of messaging: the command handlers and
 * argument checks of direct messages, broadcast, blocks, the message board
 * and groups, and the lines their replies and events become.
 */
#ifndef MSGS_H
#define MSGS_H

#include <stdbool.h>
#include <stddef.h>

#include "cmds.h"
#include "feature.h"

struct app;
struct proto_ev;

/* Handlers for the command table (cmds.c). */
cmds_handler_fn	msgs_do_message;	/* message, /msgto */
cmds_handler_fn	msgs_do_broadcast;	/* broadcast */
cmds_handler_fn	msgs_do_block;		/* block */
cmds_handler_fn	msgs_do_unblock;	/* unblock */
cmds_handler_fn	msgs_do_post;		/* MSG */
cmds_handler_fn	msgs_do_delpost;	/* DLT */
cmds_handler_fn	msgs_do_editpost;	/* EDT */
cmds_handler_fn	msgs_do_readposts;	/* RDM */
cmds_handler_fn	msgs_do_gcreate;	/* /creategroup */
cmds_handler_fn	msgs_do_gjoin;		/* /joingroup */
cmds_handler_fn	msgs_do_gmsg;		/* /groupmsg */

/* Checks: N TIMESTAMP [TEXT] (DLT, EDT) and TIMESTAMP (RDM). */
cmds_check_fn	msgs_check_post_ref;
cmds_check_fn	msgs_check_timestamp;

/*
 * Show a messaging event (MSG, BCAST, GMSG, GINVITE) in the model; false
 * when ev is not one of them.
 */
bool		msgs_event(struct app *a, const struct proto_ev *ev);

struct model;
/* The next model line belongs to conversation sigil+name (@ # ~). */
void		 msgs_conv(struct model *m, char sigil, const char *name,
		     bool own);

/* Message events as a feature module (features.c). */
extern const struct feature msgs_feature;

#endif /* MSGS_H */
