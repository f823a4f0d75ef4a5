/*
 * size.h - byte counts in words ("1.2 MB"), in powers of 1000, for both
 * programs' messages and progress bars.
 */
#ifndef SIZE_H
#define SIZE_H

#include <stddef.h>
#include <stdint.h>

/* How many digits a size keeps. */
enum size_style {
	SIZE_TENTHS,	/* one decimal, two in GB: "4.3 kB", "1.25 GB" */
	SIZE_SIG3,	/* three significant digits: "1.23 MB", "123 MB" */
};

/* Write n bytes as "999 B", "1.0 kB", ... into buf (len bytes). */
void	size_format(uint64_t n, enum size_style style, char *buf, size_t len);

#endif /* SIZE_H */
