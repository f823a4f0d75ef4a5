/*
 * log.c - one line per call on standard error:
 * "YYYY-MM-DD HH:MM:SS LEVEL: message".  Messages above the configured
 * level are dropped before they are formatted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static const char	*log_progname = "";
static enum log_level	 log_cur_level = LOG_LEVEL_INFO;
static bool		 log_batch;	/* lines wait for log_flush() */
static char		 log_batch_buf[64 * 1024];

static const char *const log_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static void	 log_vwrite(enum log_level level, int errnum, const char *fmt,
		     va_list ap) __attribute__((format(printf, 3, 0)));

/* Remember the program name and the level below which lines are dropped. */
void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname != NULL ? progname : "";
	log_set_level(level);
}

/* Change the level at run time. */
void
log_set_level(enum log_level level)
{
	if (level >= LOG_LEVEL_ERROR && level <= LOG_LEVEL_DEBUG)
		log_cur_level = level;
}

/* The current level. */
enum log_level
log_get_level(void)
{
	return log_cur_level;
}

/*
 * Batch mode (the server's loop): lines collect in a 64 KiB stdio buffer
 * and reach stderr at log_flush(), once per loop pass, instead of one
 * write() per line.  A crash loses at most the lines of that pass.
 */
void
log_set_batch(bool on)
{
	fflush(stderr);
	if (setvbuf(stderr, on ? log_batch_buf : NULL, on ? _IOFBF : _IONBF,
	    on ? sizeof(log_batch_buf) : 0) == 0)
		log_batch = on;
}

/* Write the lines batched so far. */
void
log_flush(void)
{
	if (log_batch)
		fflush(stderr);
}

/* Map a level name to its value; -1 when the name is unknown. */
int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* The name of a level, "?" when it is out of range. */
const char *
log_level_name(enum log_level level)
{
	if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		return "?";
	return log_names[level];
}

/*
 * Format and write one line.  errnum >= 0 appends ": strerror(errnum)".
 * Line breaks in the message become spaces so that a call never writes
 * more than one line; the whole line goes out in one stdio call.
 */
static void
log_vwrite(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	static char stamp[32];
	static time_t stamp_time = -1;
	char msg[LOG_LINE_MAX];
	struct tm tm;
	time_t now;
	size_t i;

	if (level > log_cur_level)
		return;
	/* The stamp changes once a second: format it only then. */
	if ((now = time(NULL)) != stamp_time) {
		stamp_time = now;
		if (localtime_r(&now, &tm) == NULL || strftime(stamp,
		    sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(stamp, sizeof(stamp), "0000-00-00 00:00:00");
	}

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		snprintf(msg, sizeof(msg), "(bad log format)");
	for (i = 0; msg[i] != '\0'; i++) {
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	}
	if (errnum >= 0)
		fprintf(stderr, "%s %s: %s: %s\n", stamp, log_names[level], msg,
		    strerror(errnum));
	else
		fprintf(stderr, "%s %s: %s\n", stamp, log_names[level], msg);
	if (!log_batch || level <= LOG_LEVEL_WARN)
		fflush(stderr);
}

/* A warning with the current errno. */
void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A warning without errno. */
void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, -1, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* An informational line. */
void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, -1, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A debugging line, dropped unless the level is debug. */
void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, -1, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* An error that the program survives, without errno. */
void
log_errorx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, -1, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A broken invariant, with errno: log and exit. */
void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

/* A broken invariant, without errno: log and exit. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, -1, fmt, ap);
	va_end(ap);
	exit(1);
}
