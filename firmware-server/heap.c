/*
 * heap.c - give freed heap memory back to the kernel.
 *
 * A presence event is copied into the output buffer of every user online,
 * so a burst of logins with thousands online makes megabytes of copies in
 * a pass.  They are freed once sent, but the sessions that came meanwhile
 * sit among them, so the heap cannot shrink by itself: 5,000 idle clients
 * left the server at 7 to 14 MB resident, more or less by chance, of which
 * 3 MB were live (about 540 bytes a client); with this, 4.4 MB.  It runs
 * once, a second after presence events or ended sessions, so an idle
 * server does not wake up for it.
 */
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "heap.h"
#include "log.h"
#include "mono.h"

/* Freed heap goes back to the kernel this long after presence events. */
#define HEAP_TRIM_DELAY_MS	1000

/* When to trim (mono_now_ms()), or 0 for not planned. */
static int64_t heap_trim_ms;

/* Resident memory in kB from /proc/self/statm (for a debug line), or -1. */
static long
heap_rss_kb(void)
{
	char text[128];
	long pages;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	if (sscanf(text, "%*s %ld", &pages) != 1)
		return -1;
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Give freed heap back now, with a debug line of the resident size. */
static void
heap_trim(void)
{
#ifdef __GLIBC__
	long before = -1;

	if (log_get_level() >= LOG_LEVEL_DEBUG)
		before = heap_rss_kb();
	malloc_trim(0);
	if (before != -1)
		log_debug("freed heap given back: resident %ld kB -> %ld kB",
		    before, heap_rss_kb());
#endif
}

/*
 * Plan a trim a second from now, unless one is planned already.  The
 * caller's loop keeps the deadline (heap_trim_wait()); what happens inside
 * conn_pass_end() (a connection the peer closed) is too late for the wait
 * that follows, and waits for the next pass.
 */
void
heap_trim_soon(void)
{
	if (heap_trim_ms == 0)
		heap_trim_ms = mono_now_ms() + HEAP_TRIM_DELAY_MS;
}

/* How long until the planned trim. */
int
heap_trim_wait(void)
{
	int64_t now;

	if (heap_trim_ms == 0)
		return -1;
	now = mono_now_ms();
	return heap_trim_ms > now ? (int)(heap_trim_ms - now) : 0;
}

/* Trim when due. */
int
heap_trim_pass(void)
{
	int wait = heap_trim_wait();

	if (wait != 0)
		return wait;
	heap_trim_ms = 0;
	heap_trim();
	return -1;
}
