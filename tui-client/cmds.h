/*
 * cmds.h - the client's command table.  Every command word of the four
 * generations is an alias in one entry; the generic checks (unknown word,
 * argument count, argument form) run in cmds_parse before any handler, and
 * cmds_parse touches nothing but the line, so Check tests it alone.
 */
#ifndef CMDS_H
#define CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "feature.h"

#define CMDS_WORDS_MAX	8	/* aliases of one entry, NULL included */
#define CMDS_ARGS_MAX	40	/* arguments after the command word */
#define CMDS_ERR_MAX	256	/* bytes of an error message */

struct app;

/* Check the arguments' form; 0, or -1 with a message in err. */
typedef int cmds_check_fn(const char *word, int argc, char **argv, char *err,
    size_t errlen);
/* Act on a checked command. */
typedef void cmds_handler_fn(struct app *app, int argc, char **argv);

struct cmds_entry {
	/*
	 * Aliases, NULL-terminated; the first is the canonical one shown
	 * first by /help.  Words are matched exactly as typed, except that
	 * slash commands match in any case.
	 */
	const char	*words[CMDS_WORDS_MAX];
	const char	*args;		/* argument syntax, "" when none */
	int		 min_args;
	int		 max_args;
	bool		 rest;		/* the last argument is the rest of the line */
	bool		 anycase;	/* every word matches in any case */
	const char	*help;		/* one line for /help */
	cmds_check_fn	*check;		/* NULL: no check beyond the count */
	cmds_handler_fn	*handler;
};

enum cmds_status {
	CMDS_OK = 0,
	CMDS_EMPTY,	/* nothing but spaces */
	CMDS_UNKNOWN,	/* no such command word */
	CMDS_USAGE,	/* wrong number of arguments */
	CMDS_INVALID,	/* an argument of the wrong form */
};

/* A command line cut into words; pointers point into the line. */
struct cmds_call {
	const struct cmds_entry	*entry;
	const char		*word;	/* as typed */
	int			 argc;
	char			*argv[CMDS_ARGS_MAX];
};

/*
 * Cut line in place into a command word and arguments and run the generic
 * checks.  Returns CMDS_OK with call filled, or another status with the
 * user's error message (without "Error: ") in err.
 */
enum cmds_status cmds_parse(char *line, struct cmds_call *call, char *err,
		     size_t errlen);
/* The entry a command word belongs to, or NULL. */
const struct cmds_entry *cmds_find(const char *word);
/* Number of entries, and entry i, for /help and tests. */
size_t		 cmds_count(void);
const struct cmds_entry *cmds_at(size_t i);
/* The /help line of an entry: syntax, aliases and what it does. */
void		 cmds_help_line(const struct cmds_entry *e, char *buf,
		     size_t len);
/* Parse line and run its handler, or show the error; for app.c. */
void		 cmds_run(struct app *app, char *line);

/* The command table as a feature module (features.c): it takes every
   typed line the questions left, and knows the ways out. */
extern const struct feature cmds_feature;

#endif /* CMDS_H */
