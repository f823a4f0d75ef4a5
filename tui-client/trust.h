/*
 * trust.h - the client's trust store for TLS servers, the way OpenSSH
 * keeps known_hosts: $XDG_DATA_HOME/tui-client/known_servers (default
 * ~/.local/share/tui-client/known_servers), one "HOST:PORT SHA256:HEX"
 * line per server; blank lines and lines starting with # are skipped.
 */
#ifndef TRUST_H
#define TRUST_H

#include <stdbool.h>
#include <stddef.h>

/* "SHA256:" and 64 lowercase hex digits, NUL-terminated. */
#define TRUST_FP_LEN	(7 + 64 + 1)
#define TRUST_PATH_MAX	1024
/* Longest line the store holds (longer ones are reported as broken). */
#define TRUST_LINE_MAX	512

/*
 * Normalise a fingerprint as typed ("SHA256:" then 64 hex digits, either
 * case, colons between bytes allowed) into out.  0, or -1 when it is not
 * one.
 */
int	 trust_fp_parse(const char *s, char out[TRUST_FP_LEN]);
/* "HOST:PORT", with an IPv6 literal in brackets. */
void	 trust_key(char *out, size_t size, const char *host, const char *port);
/* The store's path from the environment; -1 when neither XDG_DATA_HOME
   nor HOME is set. */
int	 trust_path(char *out, size_t size);

/* What the store says about a server. */
struct trust_entry {
	bool	 found;
	int	 line;			/* its line number, when found */
	char	 fp[TRUST_FP_LEN];	/* the pinned fingerprint */
};

/*
 * Look key up in the text of a store (len bytes, not NUL-terminated).
 * Lines that do not parse are skipped; the first line for key counts.
 */
void	 trust_lookup_text(const char *text, size_t len, const char *key,
	     struct trust_entry *e);
/* The same on the file at path (a missing file holds nothing); 0, or -1
   with err when it cannot be read. */
int	 trust_lookup(const char *path, const char *key, struct trust_entry *e,
	     char *err, size_t errlen);
/* Append "key fp" to the store, making its directories (0700) and the
   file (0600) when missing; 0, or -1 with err. */
int	 trust_pin(const char *path, const char *key, const char *fp,
	     char *err, size_t errlen);

#endif /* TRUST_H */
