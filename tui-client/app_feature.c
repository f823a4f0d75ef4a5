/*
 * app_feature.c - the app's side of the feature table (feature.h): the
 * poll interface every frontend uses (the server socket, or the
 * reconnect attempt, first; then each module's descriptors and timers),
 * and the walks that hand typed lines, pumping and a lost connection to
 * the modules in order.
 */
#include <poll.h>
#include <stdbool.h>

#include "app_int.h"
#include "feature.h"
#include "net.h"

/* Work that moves on by itself (the edge uploader and EDG). */
void
app_pump(struct app *a)
{
	const struct feature *const *f;

	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->pump != NULL)
			(*f)->pump(a);
}

/* A line typed while logged in: to the first feature that takes it (a
   question on show before the command table). */
void
app_run_line(struct app *a, char *line)
{
	const struct feature *const *f;

	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->input != NULL && (*f)->input(a, line))
			return;
}

/* True when line is a way out (/quit, /logout, ...). */
bool
app_line_quits(const struct app *a, const char *line)
{
	const struct feature *const *f;

	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->quits != NULL && (*f)->quits(line))
			return true;
	return false;
}

/* The connection is gone: the features forget what waited on it. */
void
app_features_lost(struct app *a)
{
	const struct feature *const *f;

	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->lost != NULL)
			(*f)->lost(a);
}

/* The descriptors to watch: the server socket first. */
int
app_poll_fill(struct app *a, struct pollfd *pfd, int max)
{
	const struct feature *const *f;
	int n;

	if (max < 1)
		return 0;
	if (a->dial != NULL)		/* connecting again */
		pfd[0].fd = net_dial_fd(a->dial, &pfd[0].events);
	else {
		pfd[0].fd = app_fd(a);	/* -1 while disconnected */
		pfd[0].events = POLLIN | (app_wants_write(a) ? POLLOUT : 0);
	}
	pfd[0].revents = 0;
	n = 1;
	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->poll_fill != NULL)
			n += (*f)->poll_fill(pfd + n, max - n);
	return n;
}

/* Milliseconds until a timer of the app is due; -1 for none. */
int
app_poll_timeout(struct app *a)
{
	const struct feature *const *f;
	int r = app_reconn_timeout(a), t;

	for (f = a->features; f != NULL && *f != NULL; f++) {
		if ((*f)->poll_timeout == NULL ||
		    (t = (*f)->poll_timeout()) < 0)
			continue;
		if (r < 0 || t < r)
			r = t;
	}
	return r;
}

/* Handle what poll reported on the descriptors of app_poll_fill. */
void
app_poll_done(struct app *a, const struct pollfd *pfd, int n)
{
	const struct feature *const *f;

	if (n < 1)
		return;
	if (a->dial != NULL) {
		app_reconn_timers(a, pfd[0].revents);
	} else {
		if (pfd[0].revents & POLLOUT)
			app_flush(a);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			app_readable(a);
		app_reconn_timers(a, 0);
	}
	/* Transfers and private chats find their own descriptors. */
	for (f = a->features; f != NULL && *f != NULL; f++)
		if ((*f)->poll_done != NULL)
			(*f)->poll_done(a, pfd, n);
}
