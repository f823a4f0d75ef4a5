/*
 * sig.h - the signal set-up both programs share: a handler that only
 * records SIGINT, SIGTERM and SIGHUP, and those signals blocked except
 * while the loop waits, so none arrives between a check and the wait.
 */
#ifndef SIG_H
#define SIG_H

#include <signal.h>
#include <stdint.h>

/*
 * Catch SIGINT, SIGTERM and SIGHUP with handler and block them, and extra
 * too when not 0 (its handler is someone else's: curses' SIGWINCH); ignore
 * SIGPIPE.  *waitmask is the mask to wait with (ppoll(), epoll_pwait()):
 * the one before, with those signals unblocked.  0, or -1 with errno.
 */
int	sig_setup(void (*handler)(int), int extra, sigset_t *waitmask);
/*
 * Run the handlers of caught signals that are pending, by unblocking them
 * for a moment.  epoll_pwait() and ppoll() deliver a signal only when they
 * would sleep: a loop that always finds a descriptor ready (a client that
 * floods, a socket that stays writable) never sees SIGTERM unless it calls
 * this.  Cheap when nothing is pending (one sigpending()).
 */
void	sig_deliver(const sigset_t *waitmask);
/*
 * For a loop after a wait that found descriptors ready: sig_deliver() at
 * most every SIG_CHECK_MS, so a flood costs one clock read per pass and a
 * sigpending() now and then.  *checked is the time of the last check
 * (mono_now_ms()), 0 at the start.
 */
#define SIG_CHECK_MS	50
void	sig_deliver_busy(const sigset_t *waitmask, int64_t *checked);

#endif /* SIG_H */
