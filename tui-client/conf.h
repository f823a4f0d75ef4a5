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

struct conf {
	char	 download_dir[CONF_PATH_MAX];	/* where received files go */
	bool	 accept_ask;			/* ask before taking a file */
	int	 peer_timeout;			/* s of silence ending a transfer */
	char	 time_format[32];		/* the screen's line stamps */
	char	 log_dir[CONF_PATH_MAX];	/* conversation logs; "" off */
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
