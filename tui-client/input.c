/*
 * input.c - the input line's editing, history and completion, with no
 * curses and no I/O.  The line is UTF-8; the cursor moves by characters
 * (a continuation byte is never a cursor position), so editing never cuts
 * a character in two.  Display widths are the screen's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"

static void	 input_cut(struct input *in, size_t from, size_t to,
		     bool keep);
static bool	 input_cont(unsigned char c);
static void	 input_history_show(struct input *in, const char *s);
static bool	 input_prefix(const char *word, const char *prefix, size_t n,
		     bool nocase);

/* An empty line and history. */
void
input_init(struct input *in)
{
	memset(in, 0, sizeof(*in));
}

/* Free the history and wipe the line. */
void
input_free(struct input *in)
{
	size_t i;

	for (i = 0; i < in->hist_count; i++)
		free(in->hist[(in->hist_head + i) % INPUT_HISTORY_MAX]);
	free(in->draft);
	explicit_bzero(in, sizeof(*in));
}

/* True for a UTF-8 continuation byte. */
static bool
input_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Remove bytes [from, to), cursor at from; keep: for Ctrl-Y. */
static void
input_cut(struct input *in, size_t from, size_t to, bool keep)
{
	/* A kill keeps what it cut, for Ctrl-Y. */
	if (keep && to > from) {
		explicit_bzero(in->kill, in->kill_len);
		memcpy(in->kill, in->buf + from, to - from);
		in->kill_len = to - from;
		in->kill[in->kill_len] = '\0';
	}
	memmove(in->buf + from, in->buf + to, in->len - to + 1);
	in->len -= to - from;
	explicit_bzero(in->buf + in->len, to - from);
	in->cur = from;
}

/* Insert bytes at the cursor. */
int
input_insert(struct input *in, const char *s, size_t n)
{
	input_complete_reset(in);
	if (n == 0)
		return 0;
	if (in->len + n > INPUT_LINE_MAX)
		return -1;
	memmove(in->buf + in->cur + n, in->buf + in->cur,
	    in->len - in->cur + 1);
	memcpy(in->buf + in->cur, s, n);
	in->len += n;
	in->cur += n;
	return 0;
}

/* One character left. */
void
input_left(struct input *in)
{
	input_complete_reset(in);
	while (in->cur > 0) {
		in->cur--;
		if (!input_cont((unsigned char)in->buf[in->cur]))
			break;
	}
}

/* One character right. */
void
input_right(struct input *in)
{
	input_complete_reset(in);
	if (in->cur >= in->len)
		return;
	in->cur++;
	while (in->cur < in->len && input_cont((unsigned char)in->buf[in->cur]))
		in->cur++;
}

/* To the start of the line. */
void
input_home(struct input *in)
{
	input_complete_reset(in);
	in->cur = 0;
}

/* To the end of the line. */
void
input_end(struct input *in)
{
	input_complete_reset(in);
	in->cur = in->len;
}

/* Delete the character before the cursor. */
void
input_backspace(struct input *in)
{
	size_t end = in->cur;

	if (end == 0) {
		input_complete_reset(in);
		return;
	}
	input_left(in);
	input_cut(in, in->cur, end, false);
}

/* Delete the character under the cursor. */
void
input_delete(struct input *in)
{
	size_t start = in->cur;

	input_right(in);
	input_cut(in, start, in->cur, false);
}

/* Delete from the start of the line to the cursor. */
void
input_kill_start(struct input *in)
{
	input_complete_reset(in);
	input_cut(in, 0, in->cur, true);
}

/* Delete from the cursor to the end. */
void
input_kill_end(struct input *in)
{
	input_complete_reset(in);
	input_cut(in, in->cur, in->len, true);
}

/* Delete the word before the cursor, as a shell's Ctrl-W does. */
void
input_kill_word(struct input *in)
{
	size_t p = in->cur;

	input_complete_reset(in);
	while (p > 0 && in->buf[p - 1] == ' ')
		p--;
	while (p > 0 && in->buf[p - 1] != ' ')
		p--;
	input_cut(in, p, in->cur, true);
}

/* True for a byte that separates words. */
static bool
input_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '.' || c == '/' ||
	    c == ':' || c == ';';
}

/* The start of this or the previous word. */
static size_t
input_prev_word(const struct input *in)
{
	size_t p = in->cur;

	while (p > 0 && input_sep(in->buf[p - 1]))
		p--;
	while (p > 0 && !input_sep(in->buf[p - 1]))
		p--;
	return p;
}

/* The end of this or the next word. */
static size_t
input_next_word(const struct input *in)
{
	size_t p = in->cur;

	while (p < in->len && input_sep(in->buf[p]))
		p++;
	while (p < in->len && !input_sep(in->buf[p]))
		p++;
	return p;
}

/* Alt-b. */
void
input_word_left(struct input *in)
{
	input_complete_reset(in);
	in->cur = input_prev_word(in);
}

/* Alt-f. */
void
input_word_right(struct input *in)
{
	input_complete_reset(in);
	in->cur = input_next_word(in);
}

/* Alt-d. */
void
input_kill_word_right(struct input *in)
{
	input_complete_reset(in);
	input_cut(in, in->cur, input_next_word(in), true);
}

/* Ctrl-Y. */
void
input_yank(struct input *in)
{
	char copy[INPUT_LINE_MAX + 1];
	size_t n = in->kill_len;

	if (n == 0)
		return;
	memcpy(copy, in->kill, n);
	/* What does not fit is not inserted (whole characters only). */
	if (in->len + n > INPUT_LINE_MAX)
		n = INPUT_LINE_MAX - in->len;
	while (n > 0 && n < in->kill_len && input_cont((unsigned char)copy[n]))
		n--;
	input_insert(in, copy, n);
	explicit_bzero(copy, sizeof(copy));
}

/* Forget the kill buffer. */
void
input_kill_forget(struct input *in)
{
	explicit_bzero(in->kill, sizeof(in->kill));
	in->kill_len = 0;
}

/* Replace the line. */
void
input_set(struct input *in, const char *s)
{
	size_t n = strlen(s);

	input_clear(in);
	if (n > INPUT_LINE_MAX)
		n = INPUT_LINE_MAX;
	/* Never end inside a character. */
	while (n > 0 && n < strlen(s) && input_cont((unsigned char)s[n]))
		n--;
	memcpy(in->buf, s, n);
	in->buf[n] = '\0';
	in->len = in->cur = n;
}

/* Empty the line, wiping it. */
void
input_clear(struct input *in)
{
	input_complete_reset(in);
	explicit_bzero(in->buf, sizeof(in->buf));
	in->len = in->cur = 0;
	in->hist_pos = 0;
	free(in->draft);
	in->draft = NULL;
}

/* Remember an entered line. */
void
input_history_add(struct input *in, const char *line)
{
	const char *newest = input_history_at(in, 0);
	char *copy;
	size_t slot;

	if (line[0] == '\0' || (newest != NULL && strcmp(newest, line) == 0))
		return;
	if ((copy = strdup(line)) == NULL)
		return;
	if (in->hist_count == INPUT_HISTORY_MAX) {
		free(in->hist[in->hist_head]);
		in->hist[in->hist_head] = NULL;
		in->hist_head = (in->hist_head + 1) % INPUT_HISTORY_MAX;
		in->hist_count--;
	}
	slot = (in->hist_head + in->hist_count) % INPUT_HISTORY_MAX;
	in->hist[slot] = copy;
	in->hist_count++;
}

/* Lines remembered. */
size_t
input_history_count(const struct input *in)
{
	return in->hist_count;
}

/* History line i, 0 being the newest. */
const char *
input_history_at(const struct input *in, size_t i)
{
	if (i >= in->hist_count)
		return NULL;
	return in->hist[(in->hist_head + in->hist_count - 1 - i) %
	    INPUT_HISTORY_MAX];
}

/* Show s on the line while browsing (keeps the browsing state). */
static void
input_history_show(struct input *in, const char *s)
{
	size_t pos = in->hist_pos;
	char *draft = in->draft;

	in->draft = NULL;	/* input_set clears; keep these */
	input_set(in, s);
	in->hist_pos = pos;
	in->draft = draft;
}

/* Up: an older line; the line being typed is kept as the draft. */
void
input_history_prev(struct input *in)
{
	input_complete_reset(in);
	if (in->hist_pos >= in->hist_count)
		return;
	if (in->hist_pos == 0) {
		free(in->draft);
		in->draft = strdup(in->buf);
	}
	in->hist_pos++;
	input_history_show(in, input_history_at(in, in->hist_pos - 1));
}

/* Down: a newer line, then the draft. */
void
input_history_next(struct input *in)
{
	char *draft;

	input_complete_reset(in);
	if (in->hist_pos == 0)
		return;
	in->hist_pos--;
	if (in->hist_pos > 0) {
		input_history_show(in, input_history_at(in, in->hist_pos - 1));
		return;
	}
	draft = in->draft;
	in->draft = NULL;
	input_set(in, draft != NULL ? draft : "");
	free(draft);
}

/* Start of the word that ends at the cursor. */
static size_t
input_word_start(const struct input *in)
{
	size_t p = in->cur;

	while (p > 0 && in->buf[p - 1] != ' ')
		p--;
	return p;
}

/* True when the word at the cursor is the first one of the line. */
bool
input_at_first_word(const struct input *in)
{
	size_t p = input_word_start(in);

	while (p > 0 && in->buf[p - 1] == ' ')
		p--;
	return p == 0;
}

/* True when word starts with prefix[0..n). */
static bool
input_prefix(const char *word, const char *prefix, size_t n, bool nocase)
{
	if (strlen(word) < n)
		return false;
	return nocase ? strncasecmp(word, prefix, n) == 0 :
	    strncmp(word, prefix, n) == 0;
}

/* End a completion cycle. */
void
input_complete_reset(struct input *in)
{
	in->comp_active = false;
	in->comp_n = in->comp_i = 0;
}

/* Put match i in place of the word being completed. */
static void
input_complete_put(struct input *in, size_t i)
{
	char word[INPUT_WORD_MAX + 1];
	size_t n;

	n = (size_t)snprintf(word, sizeof(word), "%s%s", in->comp[i],
	    in->comp_n == 1 ? " " : "");
	in->cur = in->comp_start + in->comp_len;
	input_cut(in, in->comp_start, in->cur, false);
	if (in->len + n > INPUT_LINE_MAX)
		n = 0;
	memmove(in->buf + in->cur + n, in->buf + in->cur,
	    in->len - in->cur + 1);
	memcpy(in->buf + in->cur, word, n);
	in->len += n;
	in->cur += n;
	in->comp_len = n;
}

/* Tab: complete the word before the cursor, or cycle to the next match. */
size_t
input_complete(struct input *in, const char *const *cands, size_t n,
    bool nocase_slash)
{
	size_t start, plen, i, j;
	const char *prefix;
	bool nocase;

	if (in->comp_active && in->comp_n > 1) {
		in->comp_i = (in->comp_i + 1) % in->comp_n;
		input_complete_put(in, in->comp_i);
		return in->comp_n;
	}
	input_complete_reset(in);
	start = input_word_start(in);
	prefix = in->buf + start;
	plen = in->cur - start;
	nocase = nocase_slash && plen > 0 && prefix[0] == '/';
	for (i = 0; i < n && in->comp_n < INPUT_COMP_MAX; i++) {
		if (strlen(cands[i]) >= INPUT_WORD_MAX ||
		    !input_prefix(cands[i], prefix, plen, nocase))
			continue;
		for (j = 0; j < in->comp_n; j++)
			if (strcmp(in->comp[j], cands[i]) == 0)
				break;
		if (j == in->comp_n)
			memcpy(in->comp[in->comp_n++], cands[i],
			    strlen(cands[i]) + 1);
	}
	if (in->comp_n == 0)
		return 0;
	in->comp_start = start;
	in->comp_len = plen;
	in->comp_i = 0;
	input_complete_put(in, 0);
	in->comp_active = true;
	return in->comp_n;
}
