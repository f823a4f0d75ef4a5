/*
 * input.h - the screen's input line without curses: a bounded UTF-8 line
 * editor with a cursor, a history of entered lines, and Tab completion
 * cycling through candidates the caller supplies in order of preference.
 * Every function is pure, so Check tests the editing rules directly; the
 * screen (ui.c) maps keys to these calls through its key table.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>

#define INPUT_LINE_MAX	16384	/* bytes of the line (a long paste fits; a
				   message is split when sent); over:
				   typing refused */
#define INPUT_HISTORY_MAX 200	/* lines remembered; over: the oldest go */
#define INPUT_COMP_MAX	64	/* completion candidates kept; over: ignored */
#define INPUT_WORD_MAX	64	/* bytes of one candidate; over: skipped */

struct input {
	char	 buf[INPUT_LINE_MAX + 1];	/* always NUL-terminated */
	size_t	 len;
	size_t	 cur;			/* byte offset, on a character start */
	char	 kill[INPUT_LINE_MAX + 1];	/* the last text cut, for Ctrl-Y */
	size_t	 kill_len;

	char	*hist[INPUT_HISTORY_MAX];	/* ring, oldest at hist_head */
	size_t	 hist_head;
	size_t	 hist_count;
	size_t	 hist_pos;		/* browsing: 1 = newest; 0 = not */
	char	*draft;			/* the line before browsing began */

	/* Completion: the word replaced and the matches cycled through. */
	bool	 comp_active;
	size_t	 comp_start;		/* byte offset of the word */
	size_t	 comp_len;		/* bytes inserted for the current match */
	size_t	 comp_n;
	size_t	 comp_i;
	char	 comp[INPUT_COMP_MAX][INPUT_WORD_MAX];
};

/* An empty line and history (the struct may be on the stack). */
void	 input_init(struct input *in);
/* Free the history and wipe the line. */
void	 input_free(struct input *in);

/* Insert n bytes (whole UTF-8 characters) at the cursor; -1 when full. */
int	 input_insert(struct input *in, const char *s, size_t n);
/* Cursor movement by characters, and to either end. */
void	 input_left(struct input *in);
void	 input_right(struct input *in);
void	 input_home(struct input *in);
void	 input_end(struct input *in);
/* Delete the character before / under the cursor. */
void	 input_backspace(struct input *in);
void	 input_delete(struct input *in);
/* Ctrl-U: delete from the start of the line to the cursor. */
void	 input_kill_start(struct input *in);
/* Ctrl-K: delete from the cursor to the end of the line. */
void	 input_kill_end(struct input *in);
/* Ctrl-W: delete the word before the cursor (and spaces after it). */
void	 input_kill_word(struct input *in);
/* Alt-b / Alt-f: to the start of this or the previous word / past the
   end of this or the next word. */
void	 input_word_left(struct input *in);
void	 input_word_right(struct input *in);
/* Alt-d: delete to the end of the word after the cursor. */
void	 input_kill_word_right(struct input *in);
/* Ctrl-Y: insert what the last kill cut (Ctrl-U/K/W, Alt-d/Backspace). */
void	 input_yank(struct input *in);
/* Forget what the last kill cut (it may have been a secret). */
void	 input_kill_forget(struct input *in);
/* Replace the whole line (cursor at the end). */
void	 input_set(struct input *in, const char *s);
/* Empty the line, wiping its bytes (it may have held a password). */
void	 input_clear(struct input *in);

/* Remember a line (not empty, not the same as the newest). */
void	 input_history_add(struct input *in, const char *line);
/* Up / Down: an older / newer line; past the newest, the draft again. */
void	 input_history_prev(struct input *in);
void	 input_history_next(struct input *in);
size_t	 input_history_count(const struct input *in);
/* History line i, 0 being the newest; NULL when out of range. */
const char *input_history_at(const struct input *in, size_t i);

/* True when the word at the cursor is the line's first word. */
bool	 input_at_first_word(const struct input *in);
/*
 * Tab: the first press replaces the word before the cursor with the first
 * candidate it prefixes (a lone match gets a space after it); each further
 * press, with no other edit between, puts the next match instead, in the
 * order given, wrapping round.  cands[0..n) are in order of preference
 * and may repeat.  nocase_slash: words starting with '/' match in any
 * case.  Returns the number of matches (0: nothing changed).
 */
size_t	 input_complete(struct input *in, const char *const *cands, size_t n,
	     bool nocase_slash);
/* End a completion cycle (every edit does this itself). */
void	 input_complete_reset(struct input *in);

#endif /* INPUT_H */
