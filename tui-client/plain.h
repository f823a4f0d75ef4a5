/*
 * plain.h - plain mode: lines in on standard input, lines out on standard
 * output, for scripts, tests and terminals without the screen.
 */
#ifndef PLAIN_H
#define PLAIN_H

#include "app.h"
#include "model.h"

/* Longest input line; a longer one is refused with "Error: line too long". */
#define PLAIN_LINE_MAX	(PROTO_LINE_MAX - 64)

/*
 * Run the client in plain mode until it is done; returns the exit status.
 * The next input line is read only when the app is not waiting for a
 * reply (app_wants_input), so a script's lines are handled in order;
 * server events are shown whenever they arrive.
 */
int	 plain_run(struct app *a, struct model *m);

#endif /* PLAIN_H */
