/*
 * check_daily.c - the curses-free parts of the screen for daily use: the
 * reconnect backoff and queue, the line splitter, the window model, the
 * word keys and Ctrl-Y, the [client] settings and line stamps.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "input.h"
#include "model.h"
#include "reconn.h"
#include "split.h"
#include "win.h"
#include "suites.h"

/* Widths need a UTF-8 locale. */
static void
utf8_setup(void)
{
	ck_assert_msg(setlocale(LC_ALL, "C.UTF-8") != NULL,
	    "the C.UTF-8 locale is missing");
}

/* ---- reconnecting ------------------------------------------------------ */

/* 1 s doubling to 30 s, never more, and jitter within a fifth. */
START_TEST(test_reconn_backoff)
{
	static const int64_t base[] = { 1000, 2000, 4000, 8000, 16000, 30000,
	    30000 };
	int64_t d;
	size_t i;
	uint32_t r;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		for (r = 0; r < 4000; r += 37) {
			d = reconn_delay_ms((int)i + 1, r * 2654435761u);
			ck_assert_int_ge(d, base[i] - base[i] / 5);
			ck_assert_int_le(d, base[i] + base[i] / 5);
			ck_assert_int_le(d, RECONN_MAX_MS);
		}
	}
	/* Jitter moves the wait: two draws differ. */
	ck_assert_int_ne(reconn_delay_ms(3, 0), reconn_delay_ms(3, 1600));
	/* A huge attempt count never overflows. */
	ck_assert_int_le(reconn_delay_ms(1000000, 0xffffffffu), RECONN_MAX_MS);
	ck_assert_int_ge(reconn_delay_ms(1000000, 0), 24000);
}
END_TEST

/* Attempts count up; the seconds left round up and never go below 0. */
START_TEST(test_reconn_schedule)
{
	struct reconn r;

	memset(&r, 0, sizeof(r));
	reconn_schedule(&r, 5000, 0);
	ck_assert_int_eq(r.attempt, 1);
	ck_assert_int_eq(r.at_ms, 5000 + 800);
	ck_assert_int_eq(reconn_seconds_left(&r, 5000), 1);
	ck_assert_int_eq(reconn_seconds_left(&r, 5800), 0);
	ck_assert_int_eq(reconn_seconds_left(&r, 9000), 0);
	reconn_schedule(&r, 6000, 0);
	ck_assert_int_eq(r.attempt, 2);
	ck_assert_int_eq(reconn_seconds_left(&r, 6000), 2);	/* 1.6 s */
	reconn_reset(&r);
	ck_assert_int_eq(r.attempt, 0);
}
END_TEST

/* Lines typed while down come back in order; the queue is bounded. */
START_TEST(test_reconn_queue)
{
	struct reconn r;
	char line[32], *p;
	int i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < RECONN_QUEUE_MAX; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		ck_assert_int_eq(reconn_push(&r, line), 0);
	}
	ck_assert_int_eq(reconn_push(&r, "one too many"), -1);
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		p = reconn_pop(&r);
		ck_assert_str_eq(p, line);
		free(p);
	}
	ck_assert_int_eq(reconn_push(&r, "after"), 0);
	reconn_reset(&r);	/* frees the rest */
	ck_assert_ptr_null(reconn_pop(&r));
}
END_TEST

/* ---- the line splitter ------------------------------------------------- */

/* Parts end at word boundaries and never pass the limit. */
START_TEST(test_split_words)
{
	const char *s = "aaa bbb ccc";
	size_t next, len;

	len = split_next(s, strlen(s), 100, &next);
	ck_assert_uint_eq(len, strlen(s));
	ck_assert_uint_eq(next, strlen(s));
	len = split_next(s, strlen(s), 7, &next);
	ck_assert_uint_eq(len, 7);			/* "aaa bbb" */
	ck_assert_str_eq(s + next, "ccc");
	len = split_next(s, strlen(s), 6, &next);
	ck_assert_uint_eq(len, 3);			/* "aaa" */
	ck_assert_str_eq(s + next, "bbb ccc");
	len = split_next("   x  ", 6, 10, &next);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(next, 6);
	len = split_next("    ", 4, 10, &next);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* A word longer than the limit is cut between characters, not inside. */
START_TEST(test_split_long_word_utf8)
{
	const char *s = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";	/* 4 x e-acute */
	size_t next, len;

	len = split_next("abcdefghij", 10, 4, &next);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(next, 4);
	len = split_next(s, strlen(s), 5, &next);
	ck_assert_uint_eq(len, 4);			/* two characters */
	ck_assert_uint_eq(next, 4);
}
END_TEST

/* A 5,000-character paste: every part fits, nothing lost or doubled. */
START_TEST(test_split_paste_whole)
{
	char text[5001], joined[6000];
	size_t off = 0, n = 0, len, next, parts = 0;
	int i;

	for (i = 0; off < 5000; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%sword%d", i > 0 ? " " : "", i);
	text[5000] = '\0';
	off = 0;
	joined[0] = '\0';
	while (off < strlen(text)) {
		len = split_next(text + off, strlen(text) - off, 2048, &next);
		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(len, 2048);
		ck_assert(text[off] != ' ' && text[off + len - 1] != ' ');
		n += (size_t)snprintf(joined + n, sizeof(joined) - n, "%s%.*s",
		    parts > 0 ? " " : "", (int)len, text + off);
		off += next;
		parts++;
	}
	ck_assert_uint_eq(parts, 3);
	ck_assert_str_eq(joined, text);
}
END_TEST

/* ---- windows ----------------------------------------------------------- */

/* A line with fields as the model gives them to the screen. */
static struct model_line
mkline(enum model_line_kind kind, const char *text, const char *conv,
    bool own)
{
	struct model_line l;

	memset(&l, 0, sizeof(l));
	l.kind = kind;
	l.text = (char *)text;
	l.conv = conv;
	l.own = own;
	return l;
}

/* Messages open their window; notices do not; marks and the bar. */
START_TEST(test_win_route_and_marks)
{
	struct wins ws;
	struct model_line l;
	char bar[256];

	win_init(&ws);
	ck_assert_uint_eq(ws.n, 1);
	win_bar(&ws, bar, sizeof(bar));
	ck_assert_str_eq(bar, "(1:status)");
	l = mkline(MODEL_LINE_INFO, "bob ended the chat", "~bob", false);
	ck_assert_int_eq(win_route(&ws, &l, "alice"), 0);
	ck_assert_uint_eq(ws.n, 1);		/* a notice opens nothing */
	l = mkline(MODEL_LINE_MESSAGE, "bob: hi", "@bob", false);
	ck_assert_int_eq(win_route(&ws, &l, "alice"), 1);
	l = mkline(MODEL_LINE_MESSAGE, "carol in study: hi alice!", "#study",
	    false);
	ck_assert_int_eq(win_route(&ws, &l, "alice"), 2);
	l = mkline(MODEL_LINE_MESSAGE, "bob: malice is no name", "@bob",
	    false);
	win_route(&ws, &l, "alice");
	win_bar(&ws, bar, sizeof(bar));
	ck_assert_str_eq(bar, "(1:status) [2:bob*] [3:study!]");
	ck_assert_uint_eq(model_line_count(ws.w[1].lines), 2);
	/* Showing a window clears its mark; our own lines mark nothing. */
	win_show(&ws, 1);
	l = mkline(MODEL_LINE_MESSAGE, "<alice> hello", "@carol", true);
	ck_assert_int_eq(win_route(&ws, &l, "alice"), 3);
	l = mkline(MODEL_LINE_PRESENCE, "dave logged in", NULL, false);
	win_route(&ws, &l, "alice");
	win_bar(&ws, bar, sizeof(bar));
	ck_assert_str_eq(bar,
	    "[1:status+] (2:bob) [3:study!] [4:carol]");
	win_free(&ws);
}
END_TEST

/* Switching wraps round; closing renumbers; window 1 stays; bounded. */
START_TEST(test_win_switch_close_bound)
{
	struct wins ws;
	char conv[16];
	int i;

	win_init(&ws);
	ck_assert_int_eq(win_open(&ws, "@bob"), 1);
	ck_assert_int_eq(win_open(&ws, "#study"), 2);
	ck_assert_int_eq(win_open(&ws, "@bob"), 1);	/* the same one */
	ck_assert_int_eq(win_open(&ws, "bob"), -1);	/* not a key */
	ck_assert_int_eq(win_open(&ws, "#a-b"), -1);	/* not a group */
	win_next(&ws, -1);
	ck_assert_uint_eq(ws.cur, 2);
	win_next(&ws, 1);
	ck_assert_uint_eq(ws.cur, 0);
	ck_assert_int_eq(win_show(&ws, 5), -1);
	win_show(&ws, 2);
	ck_assert_int_eq(win_close(&ws, 0), -1);
	ck_assert_int_eq(win_close(&ws, 1), 0);
	ck_assert_uint_eq(ws.n, 2);
	ck_assert_uint_eq(ws.cur, 1);			/* #study moved */
	ck_assert_str_eq(ws.w[1].conv, "#study");
	for (i = 0; i < WIN_MAX + 5; i++) {
		snprintf(conv, sizeof(conv), "@u%d", i);
		win_open(&ws, conv);
	}
	ck_assert_uint_eq(ws.n, WIN_MAX);
	win_free(&ws);
}
END_TEST

/* Word moves, kills and Ctrl-Y; a kill of a secret can be forgotten. */
START_TEST(test_input_words_yank)
{
	struct input in;

	input_init(&in);
	input_set(&in, "one two three");
	input_word_left(&in);
	ck_assert_uint_eq(in.cur, 8);
	input_word_left(&in);
	ck_assert_uint_eq(in.cur, 4);
	input_word_right(&in);
	ck_assert_uint_eq(in.cur, 7);
	input_kill_word_right(&in);			/* " three" */
	ck_assert_str_eq(in.buf, "one two");
	input_yank(&in);
	ck_assert_str_eq(in.buf, "one two three");
	input_kill_start(&in);
	ck_assert_str_eq(in.buf, "");
	input_backspace(&in);				/* no kill */
	input_yank(&in);
	ck_assert_str_eq(in.buf, "one two three");
	input_kill_forget(&in);
	input_clear(&in);
	input_yank(&in);
	ck_assert_str_eq(in.buf, "");
	input_free(&in);
}
END_TEST

/* [client] time_format and log_dir: defaults, values, bad values. */
START_TEST(test_conf_client_keys)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	ck_assert_str_eq(c.time_format, "%H:%M");
	ck_assert_str_eq(c.log_dir, "");
	ck_assert_int_eq(conf_load_string(&c, "[client]\ntime_format = "
	    "[%H:%M:%S]\nlog_dir = logs\n", "t.ini", err, sizeof(err)), 0);
	ck_assert_str_eq(c.time_format, "[%H:%M:%S]");
	ck_assert_str_eq(c.log_dir, "logs");
	ck_assert_int_eq(conf_load_string(&c, "[client]\ntime_format =\n",
	    "t.ini", err, sizeof(err)), 0);
	ck_assert_str_eq(c.time_format, "");		/* no time */
	ck_assert_int_eq(conf_load_string(&c, "[client]\ntime_format = "
	    "%H:%M:%S %H:%M:%S %H:%M:%S %H:%M:%S %H\n", "t.ini", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.ini:2") != NULL &&
	    strstr(err, "time_format") != NULL, "%s", err);
}
END_TEST

/* The fake wall clock of test_model_day_changed. */
static time_t fake_now;

/* time() for the model, reading fake_now. */
static time_t
fake_clock(time_t *t)
{
	if (t != NULL)
		*t = fake_now;
	return fake_now;
}

/*
 * A line on a new local day is preceded by "Day changed to ...", once,
 * in the status window and in every conversation window, unmarked; lines
 * of the same day are not.
 */
START_TEST(test_model_day_changed)
{
	struct model *m = model_new(10);
	struct wins ws;
	char bar[128];
	size_t i;

	setenv("TZ", "UTC0", 1);
	tzset();
	win_init(&ws);
	ck_assert_int_eq(win_open(&ws, "@bob"), 1);
	model_set_clock(m, fake_clock);
	model_set_stamp(m, "%H:%M");
	fake_now = 1796342340;			/* Thu 03 Dec 2026 23:59 */
	model_add_line(m, MODEL_LINE_INFO, "first");
	fake_now += 30;				/* same day, 23:59 */
	model_add_line(m, MODEL_LINE_INFO, "second");
	ck_assert_uint_eq(model_line_count(m), 2);
	fake_now += 60;				/* Fri 04 Dec 00:00 */
	model_add_line(m, MODEL_LINE_INFO, "third");
	ck_assert_uint_eq(model_line_count(m), 4);
	ck_assert_str_eq(model_line_at(m, 0)->text, "23:59 first");
	ck_assert_str_eq(model_line_at(m, 2)->text,
	    "Day changed to Fri 04 Dec 2026");
	ck_assert_int_eq(model_line_at(m, 2)->kind, MODEL_LINE_DAY);
	ck_assert_str_eq(model_line_at(m, 3)->text, "00:00 third");
	fake_now += 3600;
	model_add_line(m, MODEL_LINE_INFO, "fourth");
	ck_assert_uint_eq(model_line_count(m), 5);	/* no second one */
	for (i = 0; i < model_line_count(m); i++)
		win_route(&ws, model_line_at(m, i), "alice");
	ck_assert_uint_eq(model_line_count(ws.w[1].lines), 1);
	ck_assert_str_eq(model_line_at(ws.w[1].lines, 0)->text,
	    "Day changed to Fri 04 Dec 2026");
	win_bar(&ws, bar, sizeof(bar));
	ck_assert_str_eq(bar, "(1:status) [2:bob]");	/* no mark */
	win_free(&ws);
	model_free(m);
}
END_TEST

/* Lines carry the time when asked, and only then. */
START_TEST(test_model_stamp)
{
	struct model *m = model_new(10);

	model_add_line(m, MODEL_LINE_INFO, "plain");
	ck_assert_str_eq(model_line_at(m, 0)->text, "plain");
	ck_assert(!model_stamped(m));
	model_set_stamp(m, "T%%");
	model_add_line(m, MODEL_LINE_INFO, "stamped");
	ck_assert_str_eq(model_line_at(m, 1)->text, "T% stamped");
	model_set_conv(m, "@bob", true);
	model_add_line(m, MODEL_LINE_MESSAGE, "<me> hi");
	ck_assert_str_eq(model_line_at(m, 2)->conv, "@bob");
	ck_assert(model_line_at(m, 2)->own);
	model_add_line(m, MODEL_LINE_INFO, "untagged");
	ck_assert_ptr_null(model_line_at(m, 3)->conv);	/* used once */
	model_clear_lines(m);
	ck_assert_uint_eq(model_line_count(m), 0);
	model_free(m);
}
END_TEST

Suite *
suite_daily(void)
{
	Suite *s = suite_create("daily");
	TCase *tc;

	tc = tcase_create("reconnect");
	tcase_add_test(tc, test_reconn_backoff);
	tcase_add_test(tc, test_reconn_schedule);
	tcase_add_test(tc, test_reconn_queue);
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_checked_fixture(tc, utf8_setup, NULL);
	tcase_add_test(tc, test_split_words);
	tcase_add_test(tc, test_split_long_word_utf8);
	tcase_add_test(tc, test_split_paste_whole);
	suite_add_tcase(s, tc);

	tc = tcase_create("windows");
	tcase_add_test(tc, test_win_route_and_marks);
	tcase_add_test(tc, test_win_switch_close_bound);
	tcase_add_test(tc, test_input_words_yank);
	tcase_add_test(tc, test_conf_client_keys);
	tcase_add_test(tc, test_model_stamp);
	tcase_add_test(tc, test_model_day_changed);
	suite_add_tcase(s, tc);
	return s;
}
