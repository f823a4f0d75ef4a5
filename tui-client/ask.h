/*
 * ask.h - yes/no questions that take the input line: a file offer, a
 * private-chat request.  One question is on the input line at a time; more
 * wait in a bounded queue.  The next line typed (the next standard input
 * line in plain mode) answers the question on show, exactly once; anything
 * but y/yes/n/no asks again.  Cancelling (the peer gave up) takes a
 * question away, asked or waiting.
 */
#ifndef ASK_H
#define ASK_H

#include <stdbool.h>

#include "feature.h"

struct app;

#define ASK_MAX		8	/* questions waiting; over: answered "no" */

/* Called once with the answer (true: yes).  Cancelled ones are not. */
typedef void ask_fn(struct app *a, void *arg, bool yes);

/*
 * Ask question (it should end in "(y/n)"); fn(a, arg, answer) later.  A
 * question longer than a prompt may be is shown as a line first and
 * short (also ending in "(y/n)") is the prompt.  When ASK_MAX wait
 * already, fn is called at once with no and -1 returned.
 */
int	 ask_push(struct app *a, const char *question, const char *short_q,
	     ask_fn *fn, void *arg);
/* The answers of a question that offers "always". */
enum ask_answer {
	ASK_NO = 0,
	ASK_YES,
	ASK_ALWAYS,		/* yes, and do not ask again (the caller's to
				   remember for what) */
};
typedef void ask_answer_fn(struct app *a, void *arg, enum ask_answer ans);

/* ask_push with a third answer, a / always (the question should end in
   "(y/n/a)"). */
int	 ask_push_always(struct app *a, const char *question,
	     const char *short_q, ask_answer_fn *fn, void *arg);
/* An input line while logged in: true when it answered a question. */
bool	 ask_input(struct app *a, const char *line);
/* Take away every question whose arg is arg (no answer is given). */
void	 ask_cancel(struct app *a, void *arg);
/*
 * Write every question to the message pane when it is asked (the screen,
 * where a narrow input line cuts it; plain mode prints the prompt anyway).
 */
void	 ask_set_echo(bool on);
/* Questions asked or waiting. */
int	 ask_count(void);

/* The questions as a feature module (features.c): they take the
   answer before the command table sees the line. */
extern const struct feature ask_feature;

#endif /* ASK_H */
