/*
 * feature.h - what a feature module offers the app: one entry of hooks,
 * any of them NULL.  The modules are the question queue (ask.c), the
 * command table (cmds.c), the user list (who.c), messages (msgs.c), edge
 * data (edge.c), file transfers (p2p.c) and private chats (privchat.c);
 * features.c lists them in order and main.c hands that list to app_new().
 * app.c walks the list and never names a module, so a feature may call
 * the app (app.h) without the two calling each other in a circle.
 */
#ifndef FEATURE_H
#define FEATURE_H

#include <poll.h>
#include <stdbool.h>

struct app;
struct proto_ev;

struct feature {
	const char	*name;
	/* An event the app decoded once (proto_ev.h); true when taken. */
	bool		(*event)(struct app *a, const struct proto_ev *ev);
	/* Logged in (again, after a reconnect). */
	void		(*active)(struct app *a);
	/* A line typed while logged in; true when taken.  The first
	   module that takes it wins (questions before commands). */
	bool		(*input)(struct app *a, char *line);
	/* True when line is a way out (/quit, /logout and their aliases). */
	bool		(*quits)(const char *line);
	/* The poll interface, as app_poll_fill/timeout/done (app.h). */
	int		(*poll_fill)(struct pollfd *pfd, int max);
	int		(*poll_timeout)(void);
	void		(*poll_done)(struct app *a, const struct pollfd *pfd,
			    int n);
	/* Work that moves on without input, once per loop pass. */
	void		(*pump)(struct app *a);
	/* True while the next input line must wait (an upload runs). */
	bool		(*busy)(void);
	/* The server connection is gone (replies will never come). */
	void		(*lost)(struct app *a);
	/* The client quits: peers are told, partial files removed. */
	void		(*shutdown)(struct app *a);
};

/* Every module of the client, in the order the app asks them; NULL ends. */
extern const struct feature *const features_all[];

#endif /* FEATURE_H */
