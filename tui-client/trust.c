/*
 * trust.c - known_servers: fingerprints pinned on first use.
 *
 * The parser takes the file's bytes as untrusted text (an editor, a
 * truncated write): every line is bounds-checked and a line that does
 * not parse is passed over, never trusted.  tests/fuzz/fuzz_trust.c
 * attacks trust_lookup_text() and trust_fp_parse().
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trust.h"

/* Bytes of a store read at most (many thousands of servers). */
#define TRUST_FILE_MAX	(4 * 1024 * 1024)

/* Normalise a typed fingerprint. */
int
trust_fp_parse(const char *s, char out[TRUST_FP_LEN])
{
	size_t n = 0;

	if (strncasecmp(s, "SHA256:", 7) != 0)
		return -1;
	memcpy(out, "SHA256:", 7);
	for (s += 7; *s != '\0'; s++) {
		if (*s == ':' && n > 0 && n % 2 == 0 && s[1] != '\0')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 64)
			return -1;
		out[7 + n++] = (char)tolower((unsigned char)*s);
	}
	if (n != 64)
		return -1;
	out[7 + n] = '\0';
	return 0;
}

/* "HOST:PORT", brackets around an IPv6 literal. */
void
trust_key(char *out, size_t size, const char *host, const char *port)
{
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, size, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "",
	    port);
}

/* $XDG_DATA_HOME/tui-client/known_servers or the default under $HOME. */
int
trust_path(char *out, size_t size)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG rule: a relative XDG_DATA_HOME is ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, size, "%s/tui-client/known_servers", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, size,
		    "%s/.local/share/tui-client/known_servers", home);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Parse one line (len bytes) as "KEY FP"; true when it is key's. */
static bool
trust_line(const char *p, size_t len, const char *key, char fp[TRUST_FP_LEN])
{
	char line[TRUST_LINE_MAX + 1], *sp, *f;
	size_t klen = strlen(key);

	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' ||
	    p[len - 1] == '\t'))
		len--;
	if (len == 0 || len > TRUST_LINE_MAX || p[0] == '#')
		return false;
	memcpy(line, p, len);
	line[len] = '\0';
	if (memchr(line, '\0', len) != NULL)
		return false;
	if ((sp = strpbrk(line, " \t")) == NULL)
		return false;
	if ((size_t)(sp - line) != klen || memcmp(line, key, klen) != 0)
		return false;
	for (f = sp; *f == ' ' || *f == '\t'; f++)
		;
	return trust_fp_parse(f, fp) == 0;
}

/* Find key's first valid line in a store's text. */
void
trust_lookup_text(const char *text, size_t len, const char *key,
    struct trust_entry *e)
{
	const char *p = text, *nl;
	size_t left = len, l;
	int lineno = 0;

	memset(e, 0, sizeof(*e));
	while (left > 0) {
		lineno++;
		nl = memchr(p, '\n', left);
		l = nl != NULL ? (size_t)(nl - p) : left;
		if (trust_line(p, l, key, e->fp)) {
			e->found = true;
			e->line = lineno;
			return;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		left -= l + 1;
	}
	e->fp[0] = '\0';
}

/* Look key up in the file at path. */
int
trust_lookup(const char *path, const char *key, struct trust_entry *e,
    char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd;

	memset(e, 0, sizeof(*e));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_size > TRUST_FILE_MAX ||
	    (text = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, st.st_size >
		    TRUST_FILE_MAX ? "too large" : strerror(errno));
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	trust_lookup_text(text, got, key, e);
	free(text);
	return 0;
}

/* mkdir -p for the directories of path, mode 0700. */
static int
trust_mkdirs(const char *path)
{
	char dir[TRUST_PATH_MAX], *s;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* Append a pin. */
int
trust_pin(const char *path, const char *key, const char *fp, char *err,
    size_t errlen)
{
	char line[TRUST_LINE_MAX + 2], last;
	int fd, n;

	n = snprintf(line, sizeof(line), "%s %s\n", key, fp);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		snprintf(err, errlen, "%s: server name too long", path);
		return -1;
	}
	if (trust_mkdirs(path) == -1 ||
	    (fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A last line without its LF (an editor) must not swallow ours. */
	if (lseek(fd, -1, SEEK_END) != -1 && pread(fd, &last, 1,
	    lseek(fd, 0, SEEK_END) - 1) == 1 && last != '\n' &&
	    write(fd, "\n", 1) != 1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (write(fd, line, (size_t)n) != n || fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return close(fd);
}
