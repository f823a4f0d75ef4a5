/*
 * check_fed_codec.c - the federation's topics and payloads: every record
 * round-trips, and what a hostile or broken board could publish is
 * refused (spoofed names, bad fields, oversized payloads, other versions).
 */
#include <check.h>
#include <string.h>

#include "config.h"
#include "fed_codec.h"
#include "proto.h"
#include "../suites.h"

/* Decode a payload given as a C string. */
static enum fed_err
dec(const char *topic, const char *payload, struct fed_rec *r)
{
	return fed_decode("fs", topic, payload, strlen(payload), r);
}

/* A DM is encoded, put on its topic and decoded back the same. */
START_TEST(test_dm_roundtrip)
{
	struct fed_rec r, d;
	char topic[FED_TOPIC_MAX], payload[FED_PAYLOAD_MAX + 1];
	int n;

	memset(&r, 0, sizeof(r));
	r.kind = FED_K_DM;
	strcpy(r.board, "lab1");
	strcpy(r.epoch, "abc123");
	r.seq = 42;
	r.time = 1700000000;
	strcpy(r.user, "alice");
	strcpy(r.to, "bob");
	strcpy(r.text, "hello  there, bob");
	ck_assert_int_gt(fed_topic(topic, sizeof(topic), "fs", FED_K_DM,
	    "lab1", "lab2"), 0);
	ck_assert_str_eq(topic, "fs/v1/dm/lab2/lab1");
	n = fed_encode(&r, payload, sizeof(payload));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fed_decode("fs", topic, payload, (size_t)n, &d), FED_OK);
	ck_assert_int_eq(d.kind, FED_K_DM);
	ck_assert_str_eq(d.board, "lab1");
	ck_assert_str_eq(d.dest, "lab2");
	ck_assert_str_eq(d.epoch, "abc123");
	ck_assert_uint_eq(d.seq, 42);
	ck_assert_str_eq(d.user, "alice");
	ck_assert_str_eq(d.to, "bob");
	ck_assert_str_eq(d.text, "hello  there, bob");
}
END_TEST

/* Presence, board state, ack and broadcast decode; an empty presence is
   a logout. */
START_TEST(test_other_records)
{
	struct fed_rec r;

	ck_assert_int_eq(dec("fs/v1/board/lab2", "1 lab2 e1 online", &r), FED_OK);
	ck_assert(r.online);
	ck_assert_int_eq(dec("fs/v1/board/lab2", "1 lab2 e1 offline", &r),
	    FED_OK);
	ck_assert(!r.online);
	ck_assert_int_eq(dec("fs/v1/presence/lab2/bob",
	    "1 lab2 e1 bob 10.0.0.7 5000 1700000000", &r), FED_OK);
	ck_assert(r.online);
	ck_assert_str_eq(r.ip, "10.0.0.7");
	ck_assert_int_eq(r.udp, 5000);
	ck_assert_int_eq(fed_decode("fs", "fs/v1/presence/lab2/bob", "", 0, &r),
	    FED_OK);
	ck_assert(!r.online);
	ck_assert_int_eq(dec("fs/v1/ack/lab1/lab2", "1 lab2 inc9 7 blocked",
	    &r), FED_OK);
	ck_assert_int_eq(r.status, FED_ACK_BLOCKED);
	ck_assert_str_eq(r.dest, "lab1");
	ck_assert_int_eq(dec("fs/v1/bcast/lab2", "1 lab2 e1 3 1700000000 bob "
	    "hi all", &r), FED_OK);
	ck_assert_str_eq(r.text, "hi all");
	/* A longer prefix works the same. */
	ck_assert_int_eq(fed_decode("site/a", "site/a/v1/board/x",
	    "1 x e online", 12, &r), FED_OK);
}
END_TEST

/* A board cannot speak for another: names inside must match the topic. */
START_TEST(test_spoof_refused)
{
	struct fed_rec r;

	ck_assert_int_eq(dec("fs/v1/board/lab2", "1 lab3 e1 offline", &r),
	    FED_E_SPOOF);
	ck_assert_int_eq(dec("fs/v1/presence/lab2/bob",
	    "1 lab2 e1 mallory 10.0.0.7 5000 1", &r), FED_E_SPOOF);
	ck_assert_int_eq(dec("fs/v1/dm/lab1/lab2",
	    "1 lab3 i 1 1 eve bob hi", &r), FED_E_SPOOF);
	ck_assert_int_eq(dec("fs/v1/ack/lab1/lab2", "1 lab3 i 1 ok", &r),
	    FED_E_SPOOF);
}
END_TEST

/* Malformed topics and payloads are refused, never crash. */
START_TEST(test_malformed_refused)
{
	static const struct { const char *t, *p; enum fed_err e; } bad[] = {
		{ "other/v1/board/x", "1 x e online", FED_E_TOPIC },
		{ "fs/v2/board/x", "1 x e online", FED_E_TOPIC },
		{ "fs/v1/nope/x", "1 x e online", FED_E_TOPIC },
		{ "fs/v1/board/x/y", "1 x e online", FED_E_TOPIC },
		{ "fs/v1/board/a.b", "1 a.b e online", FED_E_TOPIC },
		{ "fs/v1/presence/x/b@d", "", FED_E_TOPIC },
		{ "fs/v1/edge/x/u/1", "{}", FED_E_TOPIC },
		{ "fs/v1/board/x", "2 x e online", FED_E_VERSION },
		{ "fs/v1/board/x", "1 x e maybe", FED_E_FORMAT },
		{ "fs/v1/board/x", "1 x E online", FED_E_FORMAT },
		{ "fs/v1/board/x", "1 x e online extra", FED_E_FORMAT },
		{ "fs/v1/board/x", "1 x  online", FED_E_FORMAT },
		{ "fs/v1/presence/x/b", "1 x e b 1.2.3.4 70000 1", FED_E_FORMAT },
		{ "fs/v1/presence/x/b", "1 x e b <script> 1 1", FED_E_FORMAT },
		{ "fs/v1/presence/x/b", "1 x e b 1.2.3.4 -1 1", FED_E_FORMAT },
		{ "fs/v1/dm/y/x", "1 x i 0 1 a b hi", FED_E_FORMAT },
		{ "fs/v1/dm/y/x", "1 x i 1 1 a b@c hi", FED_E_FORMAT },
		{ "fs/v1/dm/y/x", "1 x i 99999999999999999999999 1 a b hi",
		  FED_E_FORMAT },
		/* 20 digits, past 2^64 - 1: strtoull saturates (fuzz_fed) */
		{ "fs/v1/dm/y/x", "1 x i 18446744073709551616 1 a b hi",
		  FED_E_FORMAT },
		{ "fs/v1/ack/y/x", "1 x i 44444444444444444444 ok", FED_E_FORMAT },
		{ "fs/v1/dm/y/x", "1 x i 1 1 a b", FED_E_FORMAT },
		{ "fs/v1/dm/y/x", "1 x i 1 1 a b hi\nthere", FED_E_FORMAT },
		{ "fs/v1/ack/y/x", "1 x i 1 maybe", FED_E_FORMAT },
		{ "fs/v1/ack/y/x", "1 x i 01 ok", FED_E_FORMAT },
		{ "fs/v1/bcast/x", "1 x e 1 1 a \xff\xfe", FED_E_FORMAT },
	};
	struct fed_rec r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dec(bad[i].t, bad[i].p, &r) == bad[i].e,
		    "%s \"%s\": got %d, want %d", bad[i].t, bad[i].p,
		    dec(bad[i].t, bad[i].p, &r), bad[i].e);
	/* A NUL inside the payload. */
	ck_assert_int_eq(fed_decode("fs", "fs/v1/board/x", "1 x e\0online", 13,
	    &r), FED_E_FORMAT);
}
END_TEST

/* A payload over the limit is refused by size; a text over the protocol's
   limit cannot be encoded. */
START_TEST(test_size_limits)
{
	static char big[FED_PAYLOAD_MAX + 2];
	struct fed_rec r;
	char out[FED_PAYLOAD_MAX + 1];

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "1 x i 1 1 a b ", 14);
	ck_assert_int_eq(fed_decode("fs", "fs/v1/dm/y/x", big, sizeof(big) - 1,
	    &r), FED_E_SIZE);
	memset(&r, 0, sizeof(r));
	r.kind = FED_K_DM;
	strcpy(r.board, "x");
	strcpy(r.epoch, "i");
	strcpy(r.user, "a");
	strcpy(r.to, "b");
	r.seq = 1;
	memset(r.text, 'a', PROTO_TEXT_MAX);
	ck_assert_int_gt(fed_encode(&r, out, sizeof(out)), 0);
	strcpy(r.text, "two\nlines");
	ck_assert_int_eq(fed_encode(&r, out, sizeof(out)), -1);
}
END_TEST

/* Names: prefixes, boards, USER@BOARD. */
START_TEST(test_names)
{
	char u[PROTO_USER_MAX + 1], b[PROTO_BOARD_MAX + 1];

	ck_assert(fed_valid_prefix("fs"));
	ck_assert(fed_valid_prefix("site/fs-2"));
	ck_assert(!fed_valid_prefix("fs/"));
	ck_assert(!fed_valid_prefix("fs//x"));
	ck_assert(!fed_valid_prefix("fs/#"));
	ck_assert(!fed_valid_prefix("f+"));
	ck_assert(proto_valid_addr("bob"));
	ck_assert(proto_valid_addr("bob@lab2"));
	ck_assert(!proto_valid_addr("bob@"));
	ck_assert(!proto_valid_addr("@lab2"));
	ck_assert(!proto_valid_addr("bob@lab.2"));
	ck_assert(!proto_valid_addr("bob@lab2@x"));
	ck_assert_int_eq(fed_split_addr("bob@lab2", u, b), 0);
	ck_assert_str_eq(u, "bob");
	ck_assert_str_eq(b, "lab2");
	ck_assert_int_eq(fed_split_addr("bob", u, b), -1);
}
END_TEST

/* The [federation] settings: off by default; bad values are refused with
   the reason. */
START_TEST(test_config)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	config_defaults(&c);
	ck_assert_str_eq(c.fed_broker, "");
	ck_assert_str_eq(c.fed_prefix, "fs");
	ck_assert_int_eq(config_set(&c, "broker", "127.0.0.1:1883", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "broker", "", err, sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "broker", "localhost", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "HOST:PORT"));
	ck_assert_int_eq(config_set(&c, "broker", "h:99999", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "board", "lab.2", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "letters"));
	ck_assert_int_eq(config_set(&c, "board", "lab-2", err, sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "prefix", "fs/#", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(config_set(&c, "prefix", "", err, sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "keepalive", "4", err, sizeof(err)),
	    -1);
}
END_TEST

/* A DM of lab1 numbered seq, for the batch tests. */
static void
batch_rec(struct fed_rec *r, unsigned long long seq, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->kind = FED_K_DM;
	strcpy(r->board, "lab1");
	strcpy(r->epoch, "ob1");
	r->seq = seq;
	r->time = 1700000000;
	strcpy(r->user, "alice");
	strcpy(r->to, "bob");
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* A batch is built, decoded whole and read back record by record, in
   order; a board's features decode, unknown words ignored. */
START_TEST(test_batch_roundtrip)
{
	static char buf[FED_BATCH_MAX + 1];
	struct fed_rec r, head, d;
	char topic[FED_TOPIC_MAX];
	size_t len = 0, off = 0;
	unsigned i;

	ck_assert_int_gt(fed_topic(topic, sizeof(topic), "fs", FED_K_DMB,
	    "lab1", "lab2"), 0);
	ck_assert_str_eq(topic, "fs/v1/dmb/lab2/lab1");
	for (i = 0; i < 3; i++) {
		batch_rec(&r, 7 + i, i == 1 ? "two  spaces" : "hi");
		ck_assert_int_eq(fed_batch_add(buf, sizeof(buf), &len, &r), 0);
	}
	ck_assert_int_eq(fed_decode("fs", topic, buf, len, &head), FED_OK);
	ck_assert_int_eq(head.kind, FED_K_DMB);
	ck_assert_str_eq(head.board, "lab1");
	ck_assert_str_eq(head.dest, "lab2");
	ck_assert_str_eq(head.epoch, "ob1");
	ck_assert_uint_eq(head.seq, 7);
	ck_assert_uint_eq(head.count, 3);
	for (i = 0; fed_batch_next(&head, buf, len, &off, &d); i++) {
		ck_assert_int_eq(d.kind, FED_K_DM);
		ck_assert_str_eq(d.board, "lab1");
		ck_assert_str_eq(d.dest, "lab2");
		ck_assert_uint_eq(d.seq, 7 + i);
		ck_assert_str_eq(d.to, "bob");
		ck_assert_str_eq(d.text, i == 1 ? "two  spaces" : "hi");
	}
	ck_assert_uint_eq(i, 3);
	/* Full: the record that does not fit leaves the batch as it was. */
	len = 0;
	batch_rec(&r, 1, "");
	memset(r.text, 'a', PROTO_TEXT_MAX);
	for (i = 0; fed_batch_add(buf, sizeof(buf), &len, &r) == 0; i++)
		r.seq++;
	ck_assert_uint_eq(i, FED_BATCH_MAX / (PROTO_TEXT_MAX + 30));
	ck_assert_uint_le(len, FED_BATCH_MAX);
	ck_assert_int_eq(fed_decode("fs", topic, buf, len, &head), FED_OK);
	ck_assert_uint_eq(head.count, i);
	/* Only DMs go in a batch. */
	r.kind = FED_K_ACK;
	ck_assert_int_eq(fed_batch_add(buf, sizeof(buf), &len, &r), -1);

	ck_assert_int_eq(dec("fs/v1/feat/lab2", "1 lab2 e1 dmb", &r), FED_OK);
	ck_assert_int_eq(r.kind, FED_K_FEAT);
	ck_assert_uint_eq(r.feat, FED_FEAT_DMB);
	ck_assert_int_eq(dec("fs/v1/feat/lab2", "1 lab2 e1 zip dmb v3", &r),
	    FED_OK);
	ck_assert_uint_eq(r.feat, FED_FEAT_DMB);
	ck_assert_int_eq(dec("fs/v1/feat/lab2", "1 lab2 e1 later", &r), FED_OK);
	ck_assert_uint_eq(r.feat, 0);
	r.kind = FED_K_FEAT;
	r.feat = FED_FEAT_DMB;
	ck_assert_int_eq(fed_encode(&r, topic, sizeof(topic)), 13);
	ck_assert_str_eq(topic, "1 lab2 e1 dmb");
}
END_TEST

/* What a broken or hostile board could put in a batch is refused whole:
   a record of another board, a gap, a repeat, two outbox ids, an empty
   line, a bad record, too many records or bytes. */
START_TEST(test_batch_refused)
{
	static const struct { const char *p; enum fed_err e; } bad[] = {
		{ "1 x i 1 1 a b one\n1 y i 2 1 a b two", FED_E_SPOOF },
		{ "1 y i 1 1 a b one", FED_E_SPOOF },
		{ "1 x i 1 1 a b one\n1 x i 3 1 a b three", FED_E_FORMAT },
		{ "1 x i 2 1 a b two\n1 x i 2 1 a b again", FED_E_FORMAT },
		{ "1 x i 2 1 a b two\n1 x i 1 1 a b one", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\n1 x j 2 1 a b two", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\n\n1 x i 2 1 a b two", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\n", FED_E_FORMAT },
		{ "\n1 x i 1 1 a b one", FED_E_FORMAT },
		{ "", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\n1 x i 2 1 a b@c two", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\r\n1 x i 2 1 a b two", FED_E_FORMAT },
		{ "1 x i 1 1 a b one\n2 x i 2 1 a b two", FED_E_VERSION },
		{ "1 x i 1 1 a b one\n1 x i 2 1 a b", FED_E_FORMAT },
	};
	static char big[FED_BATCH_MAX + FED_PAYLOAD_MAX];
	struct fed_rec r;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dec("fs/v1/dmb/y/x", bad[i].p, &r) == bad[i].e,
		    "\"%s\": got %d, want %d", bad[i].p,
		    dec("fs/v1/dmb/y/x", bad[i].p, &r), bad[i].e);
	ck_assert_int_eq(dec("fs/v1/dmb/y", "1 x i 1 1 a b one", &r),
	    FED_E_TOPIC);
	/* One record too many, each valid. */
	for (i = 0, len = 0; i <= FED_BATCH_RECORDS; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "%s1 x i "
		    "%zu 1 a b m", i ? "\n" : "", i + 1);
	ck_assert_int_eq(fed_decode("fs", "fs/v1/dmb/y/x", big, len, &r),
	    FED_E_SIZE);
	len -= strlen("\n1 x i 513 1 a b m");
	ck_assert_int_eq(fed_decode("fs", "fs/v1/dmb/y/x", big, len, &r),
	    FED_OK);
	ck_assert_uint_eq(r.count, FED_BATCH_RECORDS);
	/* Over the byte limit. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "1 x i 1 1 a b ", 14);
	ck_assert_int_eq(fed_decode("fs", "fs/v1/dmb/y/x", big,
	    FED_BATCH_MAX + 1, &r), FED_E_SIZE);
	/* Features: words of [a-z0-9]{1,16}, at most 8, single spaces. */
	ck_assert_int_eq(dec("fs/v1/feat/x", "1 x e DMB", &r), FED_E_FORMAT);
	ck_assert_int_eq(dec("fs/v1/feat/x", "1 x e dmb  v2", &r),
	    FED_E_FORMAT);
	ck_assert_int_eq(dec("fs/v1/feat/x", "1 x e a b c d e f g h i", &r),
	    FED_E_FORMAT);
	ck_assert_int_eq(dec("fs/v1/feat/x", "1 x e abcdefghijklmnopq", &r),
	    FED_E_FORMAT);
	ck_assert_int_eq(dec("fs/v1/feat/x", "1 y e dmb", &r), FED_E_SPOOF);
}
END_TEST

Suite *
suite_fed_codec(void)
{
	Suite *s = suite_create("fed_codec");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_dm_roundtrip);
	tcase_add_test(tc, test_other_records);
	tcase_add_test(tc, test_spoof_refused);
	tcase_add_test(tc, test_malformed_refused);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_batch_roundtrip);
	tcase_add_test(tc, test_batch_refused);
	suite_add_tcase(s, tc);
	return s;
}
