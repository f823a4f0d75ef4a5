/*
 * steps.c - shared end-to-end steps.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps.h"

/* Start a plain client. */
struct cli *
step_client(struct srv *s, const char *label, int udp)
{
	struct cli *c;
	char port[16];

	if (udp > 0) {
		snprintf(port, sizeof(port), "%d", udp);
		c = cli_start(s, port, NULL);
	} else
		c = cli_start(s, NULL);
	ck_assert_msg(c != NULL, "tui-client did not start: %s", e2e_error());
	cli_label(c, label);
	return c;
}

/* The login dialogue through a frontend's driver. */
void
step_dialogue(const struct step_ui *ui, const char *user, const char *pass,
    const char *end)
{
	char welcome[64];

	ui->wait(ui->drv, "Username:", false);
	ui->type(ui->drv, user);
	ui->wait(ui->drv, "Password:", false);
	ui->type(ui->drv, pass);
	if (end == NULL) {
		snprintf(welcome, sizeof(welcome), "Welcome %s", user);
		end = welcome;
	}
	ui->wait(ui->drv, end, true);
}

/* step_dialogue's wait on a plain client. */
static void
plain_wait(void *drv, const char *text, bool line)
{
	struct cli *c = drv;

	if (line)
		EXPECT_LINE(c, text);
	else
		EXPECT(c, text);
}

/* step_dialogue's typing on a plain client. */
static void
plain_type(void *drv, const char *line)
{
	struct cli *c = drv;

	SEND(c, line);
}

/* The login dialogue on a started plain client. */
struct cli *
step_log_in(struct cli *c, const char *user, const char *pass,
    const char *end)
{
	struct step_ui ui = { c, plain_wait, plain_type };

	step_dialogue(&ui, user, pass, end);
	return c;
}

/* Start a client and log in. */
struct cli *
step_login(struct srv *s, const char *user, const char *pass, int udp)
{
	return step_log_in(step_client(s, user, udp), user, pass, NULL);
}

/* Start a client with up to two more arguments (a1, a2: NULL for none, as
   cli_start() takes them) and log in. */
struct cli *
step_login_args(struct srv *s, const char *user, const char *pass,
    const char *a1, const char *a2)
{
	struct cli *c = cli_start(s, a1, a2, NULL);

	ck_assert_msg(c != NULL, "tui-client did not start: %s", e2e_error());
	cli_label(c, user);
	return step_log_in(c, user, pass, NULL);
}

/* Log out and reap. */
void
step_logout(struct cli *c, const char *cmd, const char *user)
{
	char bye[64];

	snprintf(bye, sizeof(bye), "Goodbye %s", user);
	SEND(c, cmd);
	EXPECT_LINE(c, bye);
	EXPECT_EXIT(c, 0);
	cli_free(c);
}

/* Stop the server; it must exit 0. */
void
step_stop_ok(struct srv *s)
{
	char log[4200], note[300];
	int st;

	snprintf(log, sizeof(log), "%s", srv_log_tail(s, 10));
	st = srv_terminate(s, SIGTERM);
	snprintf(note, sizeof(note), "%s", s->note);
	srv_stop(s);
	ck_assert_msg(st == 0, "server exit status %d after SIGTERM, "
	    "expected 0%s%s; its log:\n%s", st, note[0] ? ": " : "", note,
	    log);
}

/* Poll a file of the server until it contains sub. */
void
step_file_has(struct srv *s, const char *name, const char *sub)
{
	long long end = e2e_now_ms() + E2E_WAIT_MS;
	char *text = NULL;

	for (;;) {
		free(text);
		text = srv_read_file(s, name);
		if (text != NULL && strstr(text, sub) != NULL)
			break;
		ck_assert_msg(e2e_now_ms() < end, "%s never contained \"%s\"; "
		    "it holds:\n%s", name, sub, text ? text : "(missing)");
		e2e_nap(50);
	}
	free(text);
}

/* A raw connection that got the greeting. */
struct raw *
step_raw_open(struct srv *s)
{
	struct raw *r = raw_connect(s);
	const char *line;

	ck_assert_msg(r != NULL, "%s", e2e_error());
	line = raw_next(r, E2E_WAIT_MS);
	ck_assert_msg(line != NULL, "%s", raw_why(r));
	ck_assert_str_eq(line, "* HELLO firmware-server PROTO 1");
	return r;
}

/* A raw connection logged in. */
struct raw *
step_raw_login(struct srv *s, const char *user, const char *pass, int udp)
{
	struct raw *r = step_raw_open(s);
	char line[128];

	RAW_SEND(r, "h1 HELLO 1");
	RAW_EXPECT(r, "h1 OK");
	snprintf(line, sizeof(line), "h2 LOGIN %s %d", user, udp);
	RAW_SEND(r, line);
	RAW_EXPECT(r, "h2 OK password");
	snprintf(line, sizeof(line), "h3 PASS %s", pass);
	RAW_SEND(r, line);
	snprintf(line, sizeof(line), "h3 OK Welcome %s", user);
	RAW_EXPECT(r, line);
	return r;
}
