/*
 * server.h - the server's context, passed to every handler: settings,
 * accounts, the lists of sessions and the paths of its files.
 */
#ifndef SERVER_H
#define SERVER_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

struct session;
struct loop;
struct accounts;
struct lockout_table;
struct state;
struct cmd_feature;

TAILQ_HEAD(session_list, session);
struct cmd_auth;
TAILQ_HEAD(cmd_auth_list, cmd_auth);

struct server {
	struct config		 cfg;
	struct loop		*loop;
	int			 lfd;		/* listening socket */
	int			 tls_lfd;	/* TLS listener, or -1 */
	struct accounts		*accounts;
	struct lockout_table	*unknown;	/* failures of unknown names */
	struct lockout_table	*addresses;	/* failures per client address */
	struct lockout_table	*registrations;	/* registrations per address */
	struct state		*state;		/* board, groups, blocks, DMs */
	char			 creds_path[STORE_PATH_MAX];
	char			 userlog_path[STORE_PATH_MAX];
	struct session_list	 pending;	/* not logged in, by connect time */
	struct session_list	 idle;		/* logged in, by last activity */
	struct session_list	 active;	/* logged in, by login time */
	struct cmd_auth_list	 auth_wait;	/* PASS / REGISTER waiting for
						   their turn (cmd_session.c) */
	struct cmd_auth_list	 auth_busy;	/* ... being hashed */
	int			 nauth_busy;
	int			 nreg_pending;	/* registrations in those */
	int			 nsessions;
	int			 nactive;
	bool			 userlog_dirty;	/* active list changed since
						   userlog.txt was written */
	bool			 stopping;
	/* The command layer, handed down at start (cmd_table.c): the
	   dispatcher of a session's frames, every feature's hooks. */
	void			(*dispatch)(struct session *, char *, size_t,
				    const char *, size_t);
	const struct cmd_feature *features;
	/* SIGHUP: the settings anew (main.c's command line + INI file);
	   0, or -1 with err.  NULL: only the credentials are reloaded. */
	int			(*reconfigure)(struct config *, char *, size_t);
};

/*
 * Set up from a validated configuration: create the data directory, load
 * the credentials, empty userlog.txt, listen.  Returns 0, or -1 after
 * logging why.
 */
int	server_init(struct server *srv, const struct config *cfg);
/* Run the loop until SIGTERM or SIGINT; returns the exit status. */
int	server_run(struct server *srv);
void	server_free(struct server *srv);

#endif /* SERVER_H */
