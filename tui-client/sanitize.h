/*
 * sanitize.h - what the client shows and sends of text it did not write:
 * every line that enters the model (and so the screen and plain mode's
 * standard output) loses the characters a terminal would act on or that
 * would reorder what is shown, and a password is checked before it is
 * sent.  No curses, no I/O.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stdbool.h>

/*
 * True for a code point never shown raw: C0 controls (TAB included),
 * DEL, C1 controls (U+0080-U+009F) and the bidi embeddings, overrides
 * and isolates (U+202A-U+202E, U+2066-U+2069).
 */
bool	 sanitize_unsafe(unsigned long cp);
/*
 * In place: each unsafe character, and each byte that is not part of
 * well-formed UTF-8, becomes one '?'.  The text never grows.  Returns
 * the number of replacements.
 */
int	 sanitize_text(char *s);
/*
 * NULL when pw may be sent as a password (valid UTF-8, no unsafe
 * character, at most PROTO_PASS_MAX bytes), else why not, as a
 * sentence to show.
 */
const char *sanitize_password(const char *pw);

#endif /* SANITIZE_H */
