/*
 * ask.c - yes/no questions on the input line, one at a time.
 *
 * The model's prompt says MODEL_INPUT_ASK while a question is on show and
 * goes back to MODEL_INPUT_COMMAND when none is left, so the screen puts a
 * half-typed command aside and plain mode prints the question as a line.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "ask.h"
#include "model.h"

struct ask_q {
	char	 prompt[MODEL_PROMPT_MAX];
	char	 question[MODEL_LINE_MAX / 4];	/* when the prompt is short */
	ask_fn	*fn;
	ask_answer_fn *fn3;	/* instead of fn: y / n / always */
	void	*arg;
};

static struct ask_q	ask_queue[ASK_MAX];
static int		ask_n;
static bool		ask_echo;

/* Write questions to the pane too. */
void
ask_set_echo(bool on)
{
	ask_echo = on;
}

/* Show the first question, or give the line back to commands. */
static void
ask_show(struct app *a)
{
	struct model *m = app_model(a);

	if (model_state(m) != MODEL_STATE_ACTIVE)
		return;
	if (ask_n > 0) {
		if (ask_queue[0].question[0] != '\0')
			model_add_line(m, MODEL_LINE_INFO, "%s",
			    ask_queue[0].question);
		else if (ask_echo)
			model_add_line(m, MODEL_LINE_INFO, "%s",
			    ask_queue[0].prompt);
		model_set_prompt(m, MODEL_INPUT_ASK, ask_queue[0].prompt);
	}
	else if (model_input(m) == MODEL_INPUT_ASK)
		model_set_prompt(m, MODEL_INPUT_COMMAND, NULL);
}

/* Queue a question answered by fn (yes/no) or fn3 (yes/no/always). */
static int
ask_queue_push(struct app *a, const char *question, const char *short_q,
    ask_fn *fn, ask_answer_fn *fn3, void *arg)
{
	struct ask_q *q;

	if (ask_n >= ASK_MAX) {
		model_add_line(app_model(a), MODEL_LINE_ERROR, "Error: too many "
		    "questions waiting; answered no to: %s", question);
		if (fn3 != NULL)
			fn3(a, arg, ASK_NO);
		else
			fn(a, arg, false);
		return -1;
	}
	q = &ask_queue[ask_n++];
	if (strlen(question) < sizeof(q->prompt)) {
		snprintf(q->prompt, sizeof(q->prompt), "%s", question);
		q->question[0] = '\0';
	} else {
		snprintf(q->prompt, sizeof(q->prompt), "%s", short_q);
		snprintf(q->question, sizeof(q->question), "%s", question);
	}
	q->fn = fn;
	q->fn3 = fn3;
	q->arg = arg;
	if (ask_n == 1)
		ask_show(a);
	else
		model_add_line(app_model(a), MODEL_LINE_INFO, "(waiting to be "
		    "asked: %s)", question);
	return 0;
}

/* Queue a yes/no question. */
int
ask_push(struct app *a, const char *question, const char *short_q,
    ask_fn *fn, void *arg)
{
	return ask_queue_push(a, question, short_q, fn, NULL, arg);
}

/* Queue a yes/no/always question. */
int
ask_push_always(struct app *a, const char *question, const char *short_q,
    ask_answer_fn *fn, void *arg)
{
	return ask_queue_push(a, question, short_q, NULL, fn, arg);
}

/* Drop question i from the queue. */
static void
ask_remove(int i)
{
	memmove(&ask_queue[i], &ask_queue[i + 1],
	    (size_t)(ask_n - i - 1) * sizeof(ask_queue[0]));
	ask_n--;
}

/* The answer to the question on show. */
bool
ask_input(struct app *a, const char *line)
{
	struct ask_q q;
	const char *p = line + strspn(line, " ");
	size_t n = strcspn(p, " ");
	enum ask_answer ans;

	if (ask_n == 0 || model_input(app_model(a)) != MODEL_INPUT_ASK)
		return false;
	if ((n == 1 && (*p == 'y' || *p == 'Y')) ||
	    (n == 3 && strncasecmp(p, "yes", 3) == 0))
		ans = ASK_YES;
	else if ((n == 1 && (*p == 'n' || *p == 'N')) ||
	    (n == 2 && strncasecmp(p, "no", 2) == 0))
		ans = ASK_NO;
	else if (ask_queue[0].fn3 != NULL && ((n == 1 && (*p == 'a' ||
	    *p == 'A')) || (n == 6 && strncasecmp(p, "always", 6) == 0)))
		ans = ASK_ALWAYS;
	else {
		model_add_line(app_model(a), MODEL_LINE_ERROR,
		    ask_queue[0].fn3 != NULL ? "Error: please answer y, n or "
		    "a (always)" : "Error: please answer y or n");
		ask_show(a);
		return true;
	}
	q = ask_queue[0];
	ask_remove(0);
	ask_show(a);
	if (q.fn3 != NULL)
		q.fn3(a, q.arg, ans);
	else
		q.fn(a, q.arg, ans != ASK_NO);
	return true;
}

/* Take away the questions about arg. */
void
ask_cancel(struct app *a, void *arg)
{
	int i;
	bool shown = false;

	for (i = ask_n - 1; i >= 0; i--) {
		if (ask_queue[i].arg != arg)
			continue;
		if (i == 0)
			shown = true;
		ask_remove(i);
	}
	if (shown)
		ask_show(a);
}

/* Questions pending. */
int
ask_count(void)
{
	return ask_n;
}

/* A typed line for the question on show; true when it answered. */
static bool
ask_take(struct app *a, char *line)
{
	return ask_input(a, line);
}

const struct feature ask_feature = {
	.name = "ask",
	.input = ask_take,
};
