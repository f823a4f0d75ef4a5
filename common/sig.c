/*
 * sig.c - the signal set-up of both programs' loops.
 */
#include <string.h>

#include "mono.h"
#include "sig.h"

static const int sig_caught[] = { SIGINT, SIGTERM, SIGHUP };

/* Install handler, block the signals, make the mask to wait with. */
int
sig_setup(void (*handler)(int), int extra, sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(sig_caught) / sizeof(sig_caught[0]); i++) {
		if (sigaction(sig_caught[i], &sa, NULL) == -1)
			return -1;
		sigaddset(&block, sig_caught[i]);
	}
	if (extra != 0)
		sigaddset(&block, extra);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
		return -1;
	for (i = 0; i < sizeof(sig_caught) / sizeof(sig_caught[0]); i++)
		sigdelset(waitmask, sig_caught[i]);
	if (extra != 0)
		sigdelset(waitmask, extra);
	return 0;
}

/* Let pending caught signals in now (see sig.h). */
void
sig_deliver(const sigset_t *waitmask)
{
	sigset_t pending, old;
	size_t i;

	if (sigpending(&pending) == -1)
		return;
	for (i = 0; i < sizeof(sig_caught) / sizeof(sig_caught[0]); i++)
		if (sigismember(&pending, sig_caught[i]) == 1)
			break;
	if (i == sizeof(sig_caught) / sizeof(sig_caught[0]))
		return;
	/* The handlers run as the mask opens; then it closes again. */
	if (sigprocmask(SIG_SETMASK, waitmask, &old) == 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The same, at most every SIG_CHECK_MS (see sig.h). */
void
sig_deliver_busy(const sigset_t *waitmask, int64_t *checked)
{
	int64_t now = mono_now_ms();

	if (now - *checked < SIG_CHECK_MS)
		return;
	*checked = now;
	sig_deliver(waitmask);
}
