/*
 * conf.h - the client's settings: one table of keys (type, bounds,
 * default, one line of help), read from an INI file given with -c.  The
 * table also writes the settings part of --help, so the two agree.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_PATH_MAX	512

/* accept_files: the screen asks and plain mode takes, unless set. */
enum conf_accept {
	CONF_ACCEPT_DEFAULT = 0,	/* ask in the screen, auto in plain */
	CONF_ACCEPT_AUTO,
	CONF_ACCEPT_ASK,
};

#define CONF_KEEP_FREE_AUTO	(-1)	/* 5 % of the filesystem, <= 100 MB */

struct conf {
	char		 download_dir[CONF_PATH_MAX];	/* received files */
	enum conf_accept accept_files;
	long long	 keep_free_mb;	/* MB a received file must leave free,
					   or CONF_KEEP_FREE_AUTO */
	int		 peer_timeout;	/* s of silence ending a transfer */
	bool		 tls;		/* connect with TLS */
	char		 tls_fingerprint[80];	/* "SHA256:HEX" or "" */
	char		 tls_ca[CONF_PATH_MAX];	/* CA file or "" (pinning) */
	char		 time_format[32];	/* the screen's line stamps */
	char		 log_dir[CONF_PATH_MAX];	/* conversation logs; "" off */
};

/* The defaults. */
void	 conf_defaults(struct conf *c);
/* Read an INI file over c; 0, or -1 with "FILE:LINE: reason" in err. */
int	 conf_load(struct conf *c, const char *path, char *err, size_t errlen);
/* The same from a string (for tests); name is used in messages. */
int	 conf_load_string(struct conf *c, const char *text, const char *name,
	     char *err, size_t errlen);
/* The settings' lines of --help. */
void	 conf_help(FILE *f);

#endif /* CONF_H */
