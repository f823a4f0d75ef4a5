/*
 * sig.c - the signal set-up of both programs' loops.
 */
#include <string.h>

#include "sig.h"

/* Install handler, block the signals, make the mask to wait with. */
int
sig_setup(void (*handler)(int), int extra, sigset_t *waitmask)
{
	static const int caught[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		if (sigaction(caught[i], &sa, NULL) == -1)
			return -1;
		sigaddset(&block, caught[i]);
	}
	if (extra != 0)
		sigaddset(&block, extra);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
		return -1;
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigdelset(waitmask, caught[i]);
	if (extra != 0)
		sigdelset(waitmask, extra);
	return 0;
}
