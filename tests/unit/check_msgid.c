/*
 * check_msgid.c - the client's set of direct message ids shown lately
 * (tui-client/msgid.c) and the model's use of it: a repeat is caught, a
 * new id never is, memory stays bounded and the oldest id goes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "model.h"
#include "msgid.h"
#include "../suites.h"

/* The id of message i, shaped like the server's. */
static const char *
id_of(unsigned long i)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "0123456789abcdef.%lu", i);
	return buf;
}

/* A repeat is seen; the same id from another sender is not; bounded. */
START_TEST(test_repeat_and_sender)
{
	struct msgid_set *s = msgid_new(8);

	ck_assert_ptr_nonnull(s);
	ck_assert(!msgid_seen(s, "alice", "a.1"));
	ck_assert(msgid_seen(s, "alice", "a.1"));
	ck_assert(msgid_seen(s, "alice", "a.1"));
	/* The sender is part of the key, and where the two meet counts. */
	ck_assert(!msgid_seen(s, "mallory", "a.1"));
	ck_assert(!msgid_seen(s, "alic", "ea.1"));
	ck_assert(!msgid_seen(s, "bob@lab2", "lab2.00ff.1"));
	ck_assert(msgid_seen(s, "bob@lab2", "lab2.00ff.1"));
	ck_assert_uint_eq(msgid_count(s), 4);
	ck_assert_ptr_null(msgid_new(0));
	ck_assert_ptr_null(msgid_new(65537));
	msgid_free(s);
	msgid_free(NULL);
}
END_TEST

/* The last keep ids are remembered, the one before them is forgotten,
   and the count never passes keep. */
START_TEST(test_bounded_eviction)
{
	struct msgid_set *s = msgid_new(100);
	unsigned long i;

	for (i = 0; i < 1000; i++) {
		ck_assert(!msgid_seen(s, "alice", id_of(i)));
		ck_assert_uint_le(msgid_count(s), 100);
	}
	ck_assert_uint_eq(msgid_count(s), 100);
	/* 900..999 are there (each check of a remembered id changes
	   nothing); 899 has gone, so it is new again. */
	for (i = 900; i < 1000; i++)
		ck_assert_msg(msgid_seen(s, "alice", id_of(i)), "%lu", i);
	ck_assert(!msgid_seen(s, "alice", id_of(899)));
	/* That pushed 900 out, and only 900. */
	ck_assert(!msgid_seen(s, "alice", id_of(900)));
	ck_assert(msgid_seen(s, "alice", id_of(902)));
	ck_assert_uint_eq(msgid_count(s), 100);
	msgid_free(s);
}
END_TEST

/*
 * Against a plain list of the last keep keys, for a long run of new ids
 * mixed with repeats of recent and of forgotten ones: the set answers
 * the same every time (the table's deletions keep every run findable),
 * and a new id is never taken for a repeat.
 */
START_TEST(test_matches_reference)
{
	enum { KEEP = 257, STEPS = 60000 };
	static unsigned long ref[KEEP];
	struct msgid_set *s = msgid_new(KEEP);
	unsigned long next = 0, x, rnd = 12345;
	size_t head = 0, n = 0, j;
	bool want, got;
	int step;

	for (step = 0; step < STEPS; step++) {
		rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
		if ((rnd >> 33) % 3 == 0 || next == 0)
			x = next++;		/* new */
		else
			x = (rnd >> 40) % next;	/* maybe remembered */
		want = false;
		for (j = 0; j < n; j++)
			if (ref[(head + j) % KEEP] == x)
				want = true;
		got = msgid_seen(s, "carol", id_of(x));
		ck_assert_msg(got == want, "step %d id %lu: set says %d, the "
		    "last %d ids say %d", step, x, got, KEEP, want);
		if (!want) {
			if (n == KEEP) {
				head = (head + 1) % KEEP;
				n--;
			}
			ref[(head + n++) % KEEP] = x;
		}
		ck_assert_uint_eq(msgid_count(s), n);
	}
	msgid_free(s);
}
END_TEST

/* 100,000 different ids at the real size: not one is taken for a repeat. */
START_TEST(test_no_false_drop)
{
	struct msgid_set *s = msgid_new(MSGID_KEEP);
	unsigned long i;

	for (i = 0; i < 100000; i++)
		ck_assert_msg(!msgid_seen(s, i % 2 ? "alice" : "bob@lab2",
		    id_of(i)), "new id %lu taken for a repeat", i);
	ck_assert_uint_eq(msgid_count(s), MSGID_KEEP);
	msgid_free(s);
}
END_TEST

/* The model keeps one set for its life (reconnects keep the model). */
START_TEST(test_model_repeat)
{
	struct model *m = model_new(10);

	ck_assert(!model_msg_repeat(m, "alice", "a.1"));
	ck_assert(model_msg_repeat(m, "alice", "a.1"));
	ck_assert(!model_msg_repeat(m, "alice", "a.2"));
	model_free(m);
}
END_TEST

/* The lines of m, "|"-joined (static buffer). */
static const char *
lines_of(const struct model *m)
{
	static char out[1024];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < model_line_count(m); i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
		    i ? "|" : "", model_line_at(m, i)->text);
	return out;
}

/*
 * "N messages arrived while you were offline" shows with the first of
 * the N that is new, and not at all when all N were shown before (a
 * server that crashed delivers them again); any other line shows it.
 */
START_TEST(test_offline_note_held)
{
	struct model *m = model_new(20);

	ck_assert(!model_msg_repeat(m, "alice", "r.1"));
	ck_assert(!model_msg_repeat(m, "alice", "r.2"));
	model_hold_info(m, 2, "2 messages arrived while you were offline");
	ck_assert_uint_eq(model_line_count(m), 0);
	ck_assert(model_msg_repeat(m, "alice", "r.1"));
	ck_assert(model_msg_repeat(m, "alice", "r.2"));
	ck_assert_uint_eq(model_line_count(m), 0);
	model_add_line(m, MODEL_LINE_INFO, "other active user");
	ck_assert_str_eq(lines_of(m), "other active user");

	/* One repeat, one new: the note, then the new one in its window. */
	model_hold_info(m, 2, "2 messages arrived while you were offline");
	ck_assert(model_msg_repeat(m, "alice", "r.2"));
	ck_assert(!model_msg_repeat(m, "alice", "r.3"));
	model_set_conv(m, "@alice", false);
	model_add_line(m, MODEL_LINE_MESSAGE, "alice: three");
	ck_assert_str_eq(lines_of(m), "other active user|2 messages arrived "
	    "while you were offline|alice: three");
	ck_assert_ptr_null(model_line_at(m, 1)->conv);
	ck_assert_str_eq(model_line_at(m, 2)->conv, "@alice");

	/* Any other line first: the note goes before it. */
	model_hold_info(m, 1, "1 message arrived while you were offline");
	model_add_line(m, MODEL_LINE_INFO, "Disconnected");
	ck_assert_str_eq(model_line_at(m, 3)->text,
	    "1 message arrived while you were offline");
	ck_assert_str_eq(model_line_at(m, 4)->text, "Disconnected");
	model_hold_info(m, 0, "0 messages");
	ck_assert_str_eq(model_line_at(m, 5)->text, "0 messages");
	model_hold_info(m, 3, "held at the end");
	model_free(m);		/* frees what is still held */
}
END_TEST

Suite *
suite_msgid(void)
{
	Suite *s = suite_create("msgid");
	TCase *tc = tcase_create("msgid");

	tcase_add_test(tc, test_repeat_and_sender);
	tcase_add_test(tc, test_bounded_eviction);
	tcase_add_test(tc, test_matches_reference);
	tcase_add_test(tc, test_no_false_drop);
	tcase_add_test(tc, test_offline_note_held);
	tcase_add_test(tc, test_model_repeat);
	suite_add_tcase(s, tc);
	return s;
}
