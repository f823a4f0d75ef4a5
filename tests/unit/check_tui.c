/*
 * check_tui.c - the screen's curses-free parts: the input line (editing,
 * history, completion order), the message pane (wrapping, scrollback
 * bounds, a view that new lines do not move), progress arithmetic and
 * text, and the model's recent names and private-chat marks.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "model.h"
#include "pane.h"
#include "progress.h"
#include "size.h"
#include "suites.h"

/* Widths need a UTF-8 locale; every test of this file runs in one. */
static void
utf8_setup(void)
{
	ck_assert_msg(setlocale(LC_ALL, "C.UTF-8") != NULL,
	    "the C.UTF-8 locale is missing");
}

/* ---- input line ------------------------------------------------------ */

/* Typing, cursor moves and deletes never split a UTF-8 character. */
START_TEST(test_input_edit_utf8)
{
	struct input in;

	input_init(&in);
	ck_assert_int_eq(input_insert(&in, "h\xc3\xa9llo", 6), 0); /* héllo */
	input_left(&in);
	input_left(&in);
	input_left(&in);
	input_left(&in);		/* after "h" */
	ck_assert_uint_eq(in.cur, 1);
	input_right(&in);		/* over the 2-byte é */
	ck_assert_uint_eq(in.cur, 3);
	input_backspace(&in);
	ck_assert_str_eq(in.buf, "hllo");
	input_home(&in);
	input_delete(&in);
	ck_assert_str_eq(in.buf, "llo");
	input_end(&in);
	input_insert(&in, " \xe6\x97\xa5\xe6\x9c\xac", 7);	/* " 日本" */
	input_backspace(&in);
	ck_assert_str_eq(in.buf, "llo \xe6\x97\xa5");
	ck_assert_uint_eq(in.cur, in.len);
	input_free(&in);
}
END_TEST

/* Ctrl-U, Ctrl-K, Ctrl-W. */
START_TEST(test_input_kills)
{
	struct input in;

	input_init(&in);
	input_set(&in, "message bob  hello there");
	input_kill_word(&in);
	ck_assert_str_eq(in.buf, "message bob  hello ");
	input_kill_word(&in);
	ck_assert_str_eq(in.buf, "message bob  ");
	input_home(&in);
	input_right(&in);
	input_right(&in);
	input_kill_end(&in);
	ck_assert_str_eq(in.buf, "me");
	input_set(&in, "abc def");
	input_left(&in);
	input_left(&in);
	input_kill_start(&in);
	ck_assert_str_eq(in.buf, "ef");
	ck_assert_uint_eq(in.cur, 0);
	input_free(&in);
}
END_TEST

/* The line is bounded: typing past INPUT_LINE_MAX is refused. */
START_TEST(test_input_bound)
{
	struct input in;
	size_t i;

	input_init(&in);
	for (i = 0; i < INPUT_LINE_MAX; i++)
		ck_assert_int_eq(input_insert(&in, "x", 1), 0);
	ck_assert_int_eq(input_insert(&in, "y", 1), -1);
	ck_assert_int_eq(input_insert(&in, "\xc3\xa9", 2), -1);
	ck_assert_uint_eq(in.len, INPUT_LINE_MAX);
	input_free(&in);
}
END_TEST

/* Up/Down walk the history and give the draft back at the bottom. */
START_TEST(test_input_history_walk)
{
	struct input in;

	input_init(&in);
	input_history_add(&in, "one");
	input_history_add(&in, "two");
	input_history_add(&in, "two");		/* same as newest: once */
	input_history_add(&in, "");		/* empty: not kept */
	ck_assert_uint_eq(input_history_count(&in), 2);
	input_set(&in, "draft");
	input_history_prev(&in);
	ck_assert_str_eq(in.buf, "two");
	input_history_prev(&in);
	ck_assert_str_eq(in.buf, "one");
	input_history_prev(&in);		/* oldest: stays */
	ck_assert_str_eq(in.buf, "one");
	input_history_next(&in);
	ck_assert_str_eq(in.buf, "two");
	input_history_next(&in);
	ck_assert_str_eq(in.buf, "draft");
	input_history_next(&in);
	ck_assert_str_eq(in.buf, "draft");
	input_free(&in);
}
END_TEST

/* At least 100 entries; over the limit the oldest go first. */
START_TEST(test_input_history_bound)
{
	struct input in;
	char line[32];
	int i;

	ck_assert_int_ge(INPUT_HISTORY_MAX, 100);
	input_init(&in);
	for (i = 1; i <= INPUT_HISTORY_MAX + 50; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		input_history_add(&in, line);
	}
	ck_assert_uint_eq(input_history_count(&in), INPUT_HISTORY_MAX);
	snprintf(line, sizeof(line), "line %d", INPUT_HISTORY_MAX + 50);
	ck_assert_str_eq(input_history_at(&in, 0), line);
	ck_assert_str_eq(input_history_at(&in, INPUT_HISTORY_MAX - 1),
	    "line 51");
	ck_assert_ptr_null(input_history_at(&in, INPUT_HISTORY_MAX));
	input_free(&in);
}
END_TEST

/* Command words: prefix, slash words in any case, a lone match + space. */
START_TEST(test_input_complete_words)
{
	static const char *const words[] = { "/who", "whoelse", "ATU",
	    "/whosince", "whoelsesince", "/help", "MSG", "message" };
	struct input in;

	input_init(&in);
	input_set(&in, "/WH");
	ck_assert(input_at_first_word(&in));
	ck_assert_uint_eq(input_complete(&in, words, 8, true), 2);
	ck_assert_str_eq(in.buf, "/who");
	ck_assert_uint_eq(input_complete(&in, words, 8, true), 2);
	ck_assert_str_eq(in.buf, "/whosince");
	ck_assert_uint_eq(input_complete(&in, words, 8, true), 2);
	ck_assert_str_eq(in.buf, "/who");	/* wraps round */
	input_set(&in, "/he");
	ck_assert_uint_eq(input_complete(&in, words, 8, true), 1);
	ck_assert_str_eq(in.buf, "/help ");
	input_set(&in, "ms");			/* old words: exact case */
	ck_assert_uint_eq(input_complete(&in, words, 8, true), 0);
	ck_assert_str_eq(in.buf, "ms");
	input_free(&in);
}
END_TEST

/*
 * User names most recent first: the model's recent names (a message
 * written or received, a login) come before the rest, and Tab cycles in
 * that order; any edit ends the cycle.
 */
START_TEST(test_input_complete_recent_order)
{
	struct model *m = model_new(0);
	struct model_user u;
	const char *cands[8];
	struct input in;
	size_t n, i;

	memset(&u, 0, sizeof(u));
	strcpy(u.name, "bella");
	model_user_add(m, &u);
	strcpy(u.name, "ben");
	model_user_add(m, &u);
	strcpy(u.name, "bob");
	model_user_add(m, &u);
	model_recent_touch(m, "ben");		/* we wrote to ben last */
	ck_assert_str_eq(model_recent_at(m, 0), "ben");
	ck_assert_str_eq(model_recent_at(m, 1), "bob");
	ck_assert_str_eq(model_recent_at(m, 2), "bella");
	for (n = 0; n < model_recent_count(m); n++)
		cands[n] = model_recent_at(m, n);

	input_init(&in);
	input_set(&in, "message b hi");
	for (i = 0; i < 3; i++)
		input_left(&in);		/* after "b" */
	ck_assert(!input_at_first_word(&in));
	ck_assert_uint_eq(input_complete(&in, cands, n, true), 3);
	ck_assert_str_eq(in.buf, "message ben hi");
	input_complete(&in, cands, n, true);
	ck_assert_str_eq(in.buf, "message bob hi");
	input_complete(&in, cands, n, true);
	ck_assert_str_eq(in.buf, "message bella hi");
	input_insert(&in, "!", 1);		/* an edit ends the cycle */
	ck_assert(!in.comp_active);
	input_free(&in);
	model_free(m);
}
END_TEST

/* Recent names are bounded; the least recent goes. */
START_TEST(test_model_recent_bound)
{
	struct model *m = model_new(0);
	char name[16];
	int i;

	for (i = 0; i < MODEL_RECENT_MAX + 10; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		model_recent_touch(m, name);
	}
	ck_assert_uint_eq(model_recent_count(m), MODEL_RECENT_MAX);
	snprintf(name, sizeof(name), "u%d", MODEL_RECENT_MAX + 9);
	ck_assert_str_eq(model_recent_at(m, 0), name);
	ck_assert_str_eq(model_recent_at(m, MODEL_RECENT_MAX - 1), "u10");
	model_recent_touch(m, "u10");
	ck_assert_str_eq(model_recent_at(m, 0), "u10");
	ck_assert_uint_eq(model_recent_count(m), MODEL_RECENT_MAX);
	model_free(m);
}
END_TEST

static int users_calls;

/* Counts on_users calls. */
static void
count_users(void *arg)
{
	users_calls++;
}

/* Private-chat marks: set, query, unset; each change tells the frontend. */
START_TEST(test_model_private_marks)
{
	struct model *m = model_new(0);
	struct model_cbs cbs = { .on_users = count_users };

	model_set_cbs(m, &cbs);
	users_calls = 0;
	ck_assert(!model_private_has(m, "bob"));
	model_private_set(m, "bob", true);
	model_private_set(m, "bob", true);	/* no change, no call */
	ck_assert(model_private_has(m, "bob"));
	ck_assert_int_eq(users_calls, 1);
	model_private_set(m, "bob", false);
	ck_assert(!model_private_has(m, "bob"));
	ck_assert_int_eq(users_calls, 2);
	model_free(m);
}
END_TEST

/* ---- message pane ---------------------------------------------------- */

/* Widths of accents, CJK and symbols; wrapping breaks at spaces. */
START_TEST(test_pane_widths_and_wrap)
{
	const char *s = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
	    "\xe2\x9c\x93";			/* "héllo 日本語 ✓" */
	size_t next, n;

	ck_assert_int_eq(pane_width(s, strlen(s)), 5 + 1 + 6 + 1 + 1);
	ck_assert_int_eq(pane_width("a\x01" "b", 3), 3);   /* control: '?' */
	ck_assert_int_eq(pane_width("\xff", 1), 1);	   /* bad byte: '?' */
	/* 8 columns: "héllo" then "日本語 ✓". */
	n = pane_wrap(s, strlen(s), 8, &next);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(next, 7);
	ck_assert_uint_eq(pane_rows(s, 8), 2);
	/* A CJK character never splits: 5 columns hold two of them. */
	ck_assert_uint_eq(pane_fit(s + 7, 9, 5), 6);
	/* No space: a hard break; each row takes at least one character. */
	ck_assert_uint_eq(pane_rows("abcdefghij", 3), 4);
	ck_assert_uint_eq(pane_rows("\xe6\x97\xa5\xe6\x97\xa5", 1), 2);
	ck_assert_uint_eq(pane_rows("", 10), 1);
}
END_TEST

/* Fill a model with n numbered lines. */
static struct model *
lines_model(size_t cap, int n)
{
	struct model *m = model_new(cap);
	int i;

	for (i = 1; i <= n; i++)
		model_add_line(m, MODEL_LINE_NORMAL, "line %d", i);
	return m;
}

/* The text of layout row i. */
static const char *
row_text(const struct model *m, const struct pane_row *r, char *buf,
    size_t len)
{
	const struct model_line *l = model_line_at(m, r->line);

	snprintf(buf, len, "%.*s", (int)r->len, l->text + r->off);
	return buf;
}

/* Scrolling stops at the oldest line held and turns follow on at the end. */
START_TEST(test_pane_scroll_bounds)
{
	struct model *m = lines_model(2000, 2500);
	struct pane_row rows[10];
	struct pane p;
	char buf[64];
	size_t n;

	ck_assert_uint_eq(model_line_count(m), 2000);	/* 501..2500 */
	pane_init(&p);
	n = pane_layout(&p, m, 40, 10, rows);
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(row_text(m, &rows[9], buf, sizeof(buf)), "line 2500");
	pane_scroll(&p, m, 40, 10, 9);
	ck_assert(!p.follow);
	pane_layout(&p, m, 40, 10, rows);
	ck_assert_str_eq(row_text(m, &rows[9], buf, sizeof(buf)), "line 2491");
	pane_scroll(&p, m, 40, 10, 100000);		/* far past the top */
	n = pane_layout(&p, m, 40, 10, rows);
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(row_text(m, &rows[0], buf, sizeof(buf)), "line 501");
	ck_assert_uint_eq(pane_below(&p, m), 1990);
	pane_scroll(&p, m, 40, 10, -100000);		/* back down */
	ck_assert(p.follow);
	ck_assert_uint_eq(pane_below(&p, m), 0);
	model_free(m);
}
END_TEST

/* A short scrollback: no scrolling at all, rows from the top. */
START_TEST(test_pane_short)
{
	struct model *m = lines_model(0, 3);
	struct pane_row rows[10];
	struct pane p;
	char buf[64];

	pane_init(&p);
	pane_scroll(&p, m, 40, 10, 5);
	ck_assert(p.follow);
	ck_assert_uint_eq(pane_layout(&p, m, 40, 10, rows), 3);
	ck_assert_str_eq(row_text(m, &rows[0], buf, sizeof(buf)), "line 1");
	model_free(m);
}
END_TEST

/*
 * New lines do not move a view scrolled back, and are counted as unseen;
 * when the anchor line leaves the scrollback the view clamps to the oldest.
 */
START_TEST(test_pane_no_yank_and_unseen)
{
	struct model *m = lines_model(100, 50);
	struct pane_row rows[5];
	struct pane p;
	char buf[64];
	int i;

	pane_init(&p);
	pane_layout(&p, m, 40, 5, rows);
	pane_scroll(&p, m, 40, 5, 10);
	pane_layout(&p, m, 40, 5, rows);
	ck_assert_str_eq(row_text(m, &rows[4], buf, sizeof(buf)), "line 40");
	ck_assert_uint_eq(pane_unseen(&p, m), 0);
	for (i = 51; i <= 57; i++)
		model_add_line(m, MODEL_LINE_NORMAL, "line %d", i);
	pane_layout(&p, m, 40, 5, rows);
	ck_assert_str_eq(row_text(m, &rows[4], buf, sizeof(buf)), "line 40");
	ck_assert_uint_eq(pane_unseen(&p, m), 7);
	ck_assert_uint_eq(pane_below(&p, m), 17);
	/* 100 more: line 40 is gone; the view starts at the oldest held. */
	for (i = 58; i <= 157; i++)
		model_add_line(m, MODEL_LINE_NORMAL, "line %d", i);
	ck_assert_uint_eq(pane_layout(&p, m, 40, 5, rows), 5);
	ck_assert_str_eq(row_text(m, &rows[0], buf, sizeof(buf)), "line 58");
	pane_follow(&p);
	pane_layout(&p, m, 40, 5, rows);
	ck_assert_uint_eq(pane_unseen(&p, m), 0);
	model_free(m);
}
END_TEST

/* Scrolling moves by rows of wrapped lines; a narrow pane still works. */
START_TEST(test_pane_wrapped_rows)
{
	struct model *m = model_new(0);
	struct pane_row rows[3];
	struct pane p;
	char buf[64];

	model_add_line(m, MODEL_LINE_NORMAL, "aaaa bbbb cccc dddd");
	model_add_line(m, MODEL_LINE_ERROR, "Err x");
	pane_init(&p);
	ck_assert_uint_eq(pane_layout(&p, m, 5, 3, rows), 3);
	ck_assert_str_eq(row_text(m, &rows[0], buf, sizeof(buf)), "cccc");
	ck_assert_str_eq(row_text(m, &rows[1], buf, sizeof(buf)), "dddd");
	ck_assert_str_eq(row_text(m, &rows[2], buf, sizeof(buf)), "Err x");
	pane_scroll(&p, m, 5, 3, 1);
	pane_layout(&p, m, 5, 3, rows);
	ck_assert_str_eq(row_text(m, &rows[2], buf, sizeof(buf)), "dddd");
	pane_scroll(&p, m, 5, 3, 50);
	pane_layout(&p, m, 5, 3, rows);
	ck_assert_str_eq(row_text(m, &rows[0], buf, sizeof(buf)), "aaaa");
	/* Width 1 and height 1 (a 20x5 terminal is roomier than this). */
	ck_assert_uint_eq(pane_layout(&p, m, 1, 1, rows), 1);
	ck_assert_uint_eq(pane_layout(&p, m, 0, 3, rows), 0);
	model_free(m);
}
END_TEST

/* ---- progress -------------------------------------------------------- */

/* A transfer of total bytes started at t = 0. */
static struct model_xfer
xfer(uint64_t total)
{
	struct model_xfer x;

	memset(&x, 0, sizeof(x));
	x.id = 1;
	x.total = total;
	x.eta_ms = -1;
	snprintf(x.label, sizeof(x.label), "UED 1");
	return x;
}

/* The first sample sets the rate; later ones move it by elapsed time. */
START_TEST(test_xfer_rate_smoothing)
{
	struct model_xfer x = xfer(10000000);
	double before;

	model_xfer_sample(&x, 1000000, 1000);		/* 1 MB/s */
	ck_assert(x.rate > 999999.0 && x.rate < 1000001.0);
	ck_assert_int_eq(x.eta_ms, 9000);
	/* 100 ms later: too soon to be a sample; bytes count, rate holds. */
	model_xfer_sample(&x, 1500000, 1100);
	ck_assert_uint_eq(x.done, 1500000);
	ck_assert(x.rate > 999999.0 && x.rate < 1000001.0);
	/* Then 3 MB/s over 1 s: the rate moves part of the way only. */
	before = x.rate;
	model_xfer_sample(&x, 4000000, 2000);
	ck_assert(x.rate > before && x.rate < 3000000.0);
	/* A long steady spell converges on the true rate. */
	for (int t = 3000; t <= 30000; t += 500)
		model_xfer_sample(&x, 4000000 + (uint64_t)(t - 2000) * 100,
		    t);
	ck_assert(x.rate > 95000.0 && x.rate < 120000.0);
	ck_assert(x.eta_ms > 0);
}
END_TEST

/* The smoothing depends on time, not on how often samples come. */
START_TEST(test_xfer_rate_sample_rate_free)
{
	struct model_xfer a = xfer(0), b = xfer(0);
	int t;

	model_xfer_sample(&a, 1000000, 1000);
	model_xfer_sample(&b, 1000000, 1000);
	/* Both go to 2 MB/s for 2 s: a samples every 250 ms, b once a second. */
	for (t = 1250; t <= 3000; t += 250)
		model_xfer_sample(&a, 1000000 + (uint64_t)(t - 1000) * 2000,
		    t);
	for (t = 2000; t <= 3000; t += 1000)
		model_xfer_sample(&b, 1000000 + (uint64_t)(t - 1000) * 2000,
		    t);
	ck_assert_uint_eq(a.done, b.done);
	ck_assert_msg(a.rate / b.rate > 0.85 && a.rate / b.rate < 1.15,
	    "rates %.0f and %.0f differ too much", a.rate, b.rate);
	ck_assert_int_eq(a.eta_ms, -1);			/* no total */
}
END_TEST

/* ETA: unknown before a rate, 0 at the end; bytes never go back. */
START_TEST(test_xfer_eta_edges)
{
	struct model_xfer x = xfer(1000);

	model_xfer_sample(&x, 0, 100);
	ck_assert_int_eq(x.eta_ms, -1);
	model_xfer_sample(&x, 500, 1000);
	ck_assert_int_eq(x.eta_ms, 1000);		/* 500 B at 500 B/s */
	model_xfer_sample(&x, 400, 1500);		/* ignored going back */
	ck_assert_uint_eq(x.done, 500);
	model_xfer_sample(&x, 1000, 2000);
	ck_assert_int_eq(x.eta_ms, 0);
}
END_TEST

/* Percent floors, the bar fills only at the end, sizes read well. */
START_TEST(test_progress_text)
{
	struct model_xfer x = xfer(26700000);
	char buf[PROGRESS_TEXT_MAX];

	x.done = 12000000;
	x.rate = 3100000;
	x.eta_ms = 4613;
	ck_assert_int_eq(progress_percent(&x), 44);
	progress_stats(&x, buf, sizeof(buf));
	ck_assert_str_eq(buf, "44% 12.0 MB of 26.7 MB, 3.10 MB/s, 5 s left");
	progress_line(&x, false, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "UED 1: 44% 12.0 MB of 26.7 MB, 3.10 MB/s, 5 s left");
	x.done = x.total - 1;
	ck_assert_int_eq(progress_percent(&x), 99);
	ck_assert_int_eq(progress_fill(&x, 20), 19);
	x.done = x.total;
	ck_assert_int_eq(progress_fill(&x, 20), 20);
	x.done = 0;
	ck_assert_int_eq(progress_fill(&x, 20), 0);
	ck_assert_int_eq(progress_fill(&x, 0), 0);
	x.total = 0;
	ck_assert_int_eq(progress_percent(&x), -1);

	size_format(999, SIZE_SIG3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "999 B");
	size_format(1000, SIZE_SIG3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.00 kB");
	size_format(123456789, SIZE_SIG3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "123 MB");
	progress_eta(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "?");
	progress_eta(1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 s");
	progress_eta(125000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2 min 05 s");
	progress_eta(3720000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 h 02 min");
	progress_rate(0.0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
}
END_TEST

static int xfer_calls, xfer_ended_ok;

/* Counts on_xfer calls and remembers how the last one ended. */
static void
count_xfer(void *arg, const struct model_xfer *x, bool ended)
{
	char buf[PROGRESS_TEXT_MAX + MODEL_XFER_LABEL_MAX];

	xfer_calls++;
	if (ended) {
		xfer_ended_ok = x->ok;
		progress_line(x, true, buf, sizeof(buf));
		ck_assert_str_eq(buf, x->ok ?
		    "UED 3: done, 2.00 MB in 2 s (1.00 MB/s)" :
		    "UED 4: stopped after 0 B");
	}
}

/* Through the model: start, progress, end with the outcome. */
START_TEST(test_xfer_model_api)
{
	struct model *m = model_new(0);
	struct model_cbs cbs = { .on_xfer = count_xfer };
	int id, id2;

	model_set_cbs(m, &cbs);
	xfer_calls = 0;
	id = model_xfer_start(m, MODEL_XFER_SEND, "UED 3", 2000000, 0);
	id2 = model_xfer_start(m, MODEL_XFER_SEND, "UED 4", 10, 0);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(model_xfer_count(m), 2);
	model_xfer_progress(m, id, 1000000, 1000);
	ck_assert_int_eq(model_xfer_at(m, 0)->eta_ms, 1000);
	model_xfer_end(m, id, true, 2000);
	ck_assert_int_eq(xfer_ended_ok, 1);
	model_xfer_end(m, id2, false, 2000);
	ck_assert_int_eq(xfer_ended_ok, 0);
	ck_assert_uint_eq(model_xfer_count(m), 0);
	ck_assert_int_eq(xfer_calls, 5);
	model_free(m);
}
END_TEST

Suite *
suite_tui(void)
{
	Suite *s = suite_create("tui");
	TCase *tc;

	tc = tcase_create("input");
	tcase_add_checked_fixture(tc, utf8_setup, NULL);
	tcase_add_test(tc, test_input_edit_utf8);
	tcase_add_test(tc, test_input_kills);
	tcase_add_test(tc, test_input_bound);
	tcase_add_test(tc, test_input_history_walk);
	tcase_add_test(tc, test_input_history_bound);
	tcase_add_test(tc, test_input_complete_words);
	tcase_add_test(tc, test_input_complete_recent_order);
	tcase_add_test(tc, test_model_recent_bound);
	tcase_add_test(tc, test_model_private_marks);
	suite_add_tcase(s, tc);

	tc = tcase_create("pane");
	tcase_add_checked_fixture(tc, utf8_setup, NULL);
	tcase_add_test(tc, test_pane_widths_and_wrap);
	tcase_add_test(tc, test_pane_scroll_bounds);
	tcase_add_test(tc, test_pane_short);
	tcase_add_test(tc, test_pane_no_yank_and_unseen);
	tcase_add_test(tc, test_pane_wrapped_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("progress");
	tcase_add_test(tc, test_xfer_rate_smoothing);
	tcase_add_test(tc, test_xfer_rate_sample_rate_free);
	tcase_add_test(tc, test_xfer_eta_edges);
	tcase_add_test(tc, test_progress_text);
	tcase_add_test(tc, test_xfer_model_api);
	suite_add_tcase(s, tc);

	return s;
}
