/*
 * log.h - one line per event on standard error: "LEVEL: text".
 * log_warn appends strerror(errno); fatal is for broken invariants only.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void	 log_init(const char *progname, enum log_level level);
void	 log_set_level(enum log_level level);
enum log_level log_get_level(void);
void	 log_set_batch(bool on);
void	 log_flush(void);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int	 log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

void	 log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
