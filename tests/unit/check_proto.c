/*
 * check_proto.c - the wire codec: framing at every byte boundary, request
 * and reply parsing, splitting, UTF-8, integers and sanitising.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "proto_ev.h"
#include "suites.h"

/* Run proto_frame on a string literal's bytes. */
static int
frame_str(const char *s, size_t len, struct proto_frame *f,
    enum proto_err *err)
{
	return proto_frame(s, len, f, err);
}

/* A stream of two frames is cut correctly whatever prefix has arrived. */
START_TEST(test_frame_every_boundary)
{
	const char stream[] = "1 HELLO 1\r\n2 UP x {5}\nabcde3 WHO\n";
	size_t first = strlen("1 HELLO 1\r\n");
	size_t second = strlen("2 UP x {5}\nabcde");
	struct proto_frame f;
	enum proto_err err;
	size_t len;
	int r;

	for (len = 0; len <= sizeof(stream) - 1; len++) {
		r = frame_str(stream, len, &f, &err);
		if (len < first) {
			ck_assert_int_eq(r, 0);
			continue;
		}
		ck_assert_int_eq(r, 1);
		ck_assert_uint_eq(f.line_len, strlen("1 HELLO 1"));
		ck_assert_uint_eq(f.total, first);
		ck_assert_uint_eq(f.blob_len, 0);
	}
	for (len = 0; len <= sizeof(stream) - 1 - first; len++) {
		r = frame_str(stream + first, len, &f, &err);
		if (len < second) {
			ck_assert_msg(r == 0, "len %zu: r %d", len, r);
			continue;
		}
		ck_assert_int_eq(r, 1);
		ck_assert_uint_eq(f.line_len, strlen("2 UP x {5}"));
		ck_assert_uint_eq(f.blob_off, strlen("2 UP x {5}\n"));
		ck_assert_uint_eq(f.blob_len, 5);
		ck_assert_uint_eq(f.total, second);
		ck_assert(memcmp(stream + first + f.blob_off, "abcde", 5) == 0);
	}
}
END_TEST

/* CR before LF is not part of the line; a lone CR elsewhere is kept. */
START_TEST(test_frame_crlf)
{
	struct proto_frame f;
	enum proto_err err;

	ck_assert_int_eq(frame_str("a b\r\n", 5, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, 3);
	ck_assert_uint_eq(f.total, 5);
	ck_assert_int_eq(frame_str("\r\n", 2, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, 0);
	ck_assert_int_eq(frame_str("\n", 1, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, 0);
	ck_assert_uint_eq(f.total, 1);
	ck_assert_int_eq(frame_str("a\rb\n", 4, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, 3);
	/* A CR with no LF yet is not a line end. */
	ck_assert_int_eq(frame_str("a b\r", 4, &f, &err), 0);
	/* CRLF before a payload: the marker is still seen. */
	ck_assert_int_eq(frame_str("1 X {2}\r\nzz", 11, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, 7);
	ck_assert_uint_eq(f.blob_off, 9);
	ck_assert_uint_eq(f.blob_len, 2);
	ck_assert_uint_eq(f.total, 11);
}
END_TEST

/* A line of exactly PROTO_LINE_MAX bytes with its LF passes; one more fails. */
START_TEST(test_frame_max_line)
{
	static char big[PROTO_LINE_MAX + 2];
	struct proto_frame f;
	enum proto_err err;

	memset(big, 'a', sizeof(big));
	big[PROTO_LINE_MAX - 1] = '\n';
	ck_assert_int_eq(proto_frame(big, PROTO_LINE_MAX, &f, &err), 1);
	ck_assert_uint_eq(f.line_len, PROTO_LINE_MAX - 1);
	ck_assert_uint_eq(f.total, PROTO_LINE_MAX);
	/* Fewer bytes than the limit and no LF: wait for more. */
	ck_assert_int_eq(proto_frame(big, PROTO_LINE_MAX - 1, &f, &err), 0);

	memset(big, 'a', sizeof(big));
	big[PROTO_LINE_MAX] = '\n';
	ck_assert_int_eq(proto_frame(big, PROTO_LINE_MAX - 1, &f, &err), 0);
	ck_assert_int_eq(proto_frame(big, PROTO_LINE_MAX, &f, &err), -1);
	ck_assert_int_eq(err, PROTO_ERR_TOOLONG);
	ck_assert_int_eq(proto_frame(big, PROTO_LINE_MAX + 1, &f, &err), -1);
	ck_assert_int_eq(err, PROTO_ERR_TOOLONG);
}
END_TEST

/* Payload markers: partial, complete, zero, at the limit, over it, fake. */
START_TEST(test_frame_blob)
{
	static char buf[PROTO_LINE_MAX + PROTO_BLOB_MAX + 64];
	struct proto_frame f;
	enum proto_err err;
	int n;

	ck_assert_int_eq(frame_str("1 P {3}\nab", 10, &f, &err), 0);
	ck_assert_int_eq(frame_str("1 P {3}\nabcNEXT", 15, &f, &err), 1);
	ck_assert_uint_eq(f.total, 11);
	ck_assert_uint_eq(f.blob_len, 3);

	ck_assert_int_eq(frame_str("1 P {0}\n", 8, &f, &err), 1);
	ck_assert_uint_eq(f.blob_len, 0);
	ck_assert_uint_eq(f.total, 8);

	n = snprintf(buf, sizeof(buf), "1 P {%d}\n", PROTO_BLOB_MAX);
	ck_assert_int_eq(proto_frame(buf, (size_t)n, &f, &err), 0);
	memset(buf + n, 'x', PROTO_BLOB_MAX);
	ck_assert_int_eq(proto_frame(buf, (size_t)n + PROTO_BLOB_MAX - 1, &f,
	    &err), 0);
	ck_assert_int_eq(proto_frame(buf, (size_t)n + PROTO_BLOB_MAX, &f,
	    &err), 1);
	ck_assert_uint_eq(f.blob_len, PROTO_BLOB_MAX);

	n = snprintf(buf, sizeof(buf), "1 P {%d}\n", PROTO_BLOB_MAX + 1);
	ck_assert_int_eq(proto_frame(buf, (size_t)n, &f, &err), -1);
	ck_assert_int_eq(err, PROTO_ERR_TOOLONG);
	n = snprintf(buf, sizeof(buf), "1 P {99999999999999999999999}\n");
	ck_assert_int_eq(proto_frame(buf, (size_t)n, &f, &err), -1);
	ck_assert_int_eq(err, PROTO_ERR_TOOLONG);

	/* Not markers: no space, letters, signs, empty braces. */
	ck_assert_int_eq(frame_str("1 P x{3}\n", 9, &f, &err), 1);
	ck_assert_uint_eq(f.blob_len, 0);
	ck_assert_int_eq(frame_str("1 P {abc}\n", 10, &f, &err), 1);
	ck_assert_uint_eq(f.total, 10);
	ck_assert_int_eq(frame_str("1 P {+3}\n", 9, &f, &err), 1);
	ck_assert_uint_eq(f.total, 9);
	ck_assert_int_eq(frame_str("1 P {-3}\n", 9, &f, &err), 1);
	ck_assert_uint_eq(f.total, 9);
	ck_assert_int_eq(frame_str("1 P {}\n", 7, &f, &err), 1);
	ck_assert_uint_eq(f.total, 7);
	ck_assert_int_eq(frame_str("1 P {3} \n", 9, &f, &err), 1);
	ck_assert_uint_eq(f.total, 9);
}
END_TEST

/* A well-formed request with args and a marker. */
START_TEST(test_req_ok)
{
	char l1[] = "a1 hello 1";
	char l2[] = "Z9 Login alice 40001";
	char l3[] = "7 file/put notes.txt {12}";
	char l4[] = "7 UP {0}";
	char l5[] = "1234567890abcdef WHO";
	char l6[] = "3 PASS p  w {x}";
	char l7[] = "4 ping";
	struct proto_req r;

	ck_assert_int_eq(proto_parse_req(l1, strlen(l1), &r), PROTO_OK);
	ck_assert_str_eq(r.tag, "a1");
	ck_assert_str_eq(r.verb, "HELLO");
	ck_assert_str_eq(r.args, "1");
	ck_assert(!r.has_blob);

	ck_assert_int_eq(proto_parse_req(l2, strlen(l2), &r), PROTO_OK);
	ck_assert_str_eq(r.verb, "LOGIN");
	ck_assert_str_eq(r.args, "alice 40001");

	ck_assert_int_eq(proto_parse_req(l3, strlen(l3), &r), PROTO_OK);
	ck_assert_str_eq(r.verb, "FILE/PUT");
	ck_assert_str_eq(r.args, "notes.txt");
	ck_assert(r.has_blob);
	ck_assert_uint_eq(r.blob_len, 12);

	ck_assert_int_eq(proto_parse_req(l4, strlen(l4), &r), PROTO_OK);
	ck_assert_str_eq(r.args, "");
	ck_assert(r.has_blob);
	ck_assert_uint_eq(r.blob_len, 0);

	ck_assert_int_eq(proto_parse_req(l5, strlen(l5), &r), PROTO_OK);
	ck_assert_str_eq(r.tag, "1234567890abcdef");
	ck_assert_str_eq(r.args, "");

	/* Text args keep inner spaces; a fake marker stays text. */
	ck_assert_int_eq(proto_parse_req(l6, strlen(l6), &r), PROTO_OK);
	ck_assert_str_eq(r.args, "p  w {x}");
	ck_assert(!r.has_blob);

	ck_assert_int_eq(proto_parse_req(l7, strlen(l7), &r), PROTO_OK);
	ck_assert_str_eq(r.verb, "PING");
	ck_assert_ptr_nonnull(r.args);
	ck_assert_str_eq(r.args, "");
}
END_TEST

/* Every way a request line can be refused, and the tag kept when read. */
START_TEST(test_req_errors)
{
	char empty[] = "";
	char notag[] = " WHO";
	char longtag[] = "12345678901234567 WHO";
	char badtag[] = "a-1 WHO";
	char noverb[] = "5";
	char noverb2[] = "5 ";
	char badverb[] = "5 WH0";
	char longverb[] = "5 ABCDEFGHIJKLMNOPQ";
	char dblspace[] = "5  WHO";
	char tab[] = "6 PASS a\tb";
	char del[] = "6 PASS a\x7f";
	char nl[] = "6 PASS a\nb";
	char badutf[] = "8 PASS \xc3";
	char bigblob[] = "9 UP x {65537}";
	char zeroblob[] = "9 UP x {007}";
	struct proto_req r;

	ck_assert_int_eq(proto_parse_req(empty, strlen(empty), &r), PROTO_ERR_EMPTY);
	ck_assert_int_eq(proto_parse_req(notag, strlen(notag), &r), PROTO_ERR_TAG);
	ck_assert_str_eq(r.tag, "");
	ck_assert_int_eq(proto_parse_req(longtag, strlen(longtag), &r), PROTO_ERR_TAG);
	ck_assert_str_eq(r.tag, "");
	ck_assert_int_eq(proto_parse_req(badtag, strlen(badtag), &r), PROTO_ERR_TAG);
	ck_assert_int_eq(proto_parse_req(noverb, strlen(noverb), &r), PROTO_ERR_VERB);
	ck_assert_str_eq(r.tag, "5");
	ck_assert_int_eq(proto_parse_req(noverb2, strlen(noverb2), &r), PROTO_ERR_VERB);
	ck_assert_int_eq(proto_parse_req(badverb, strlen(badverb), &r), PROTO_ERR_VERB);
	ck_assert_str_eq(r.tag, "5");
	ck_assert_int_eq(proto_parse_req(longverb, strlen(longverb), &r), PROTO_ERR_VERB);
	ck_assert_int_eq(proto_parse_req(dblspace, strlen(dblspace), &r), PROTO_ERR_VERB);
	ck_assert_int_eq(proto_parse_req(tab, strlen(tab), &r), PROTO_ERR_CTRL);
	ck_assert_str_eq(r.tag, "6");
	ck_assert_int_eq(proto_parse_req(del, strlen(del), &r), PROTO_ERR_CTRL);
	ck_assert_int_eq(proto_parse_req(nl, strlen(nl), &r), PROTO_ERR_CTRL);
	ck_assert_int_eq(proto_parse_req(badutf, strlen(badutf), &r), PROTO_ERR_UTF8);
	ck_assert_str_eq(r.tag, "8");
	ck_assert_int_eq(proto_parse_req(bigblob, strlen(bigblob), &r), PROTO_ERR_TOOLONG);
	ck_assert_str_eq(r.tag, "9");
	ck_assert_int_eq(proto_parse_req(zeroblob, strlen(zeroblob), &r), PROTO_ERR_BLOB);
}
END_TEST

/* UTF-8 text is accepted in args. */
START_TEST(test_req_utf8_args)
{
	char l[] = "1 MSG bob h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
	struct proto_req r;

	ck_assert_int_eq(proto_parse_req(l, strlen(l), &r), PROTO_OK);
	ck_assert_str_eq(r.args, "bob h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
}
END_TEST

/* A NUL inside a request is refused, not a place where the line ends. */
START_TEST(test_req_nul)
{
	char l[] = "1 PING\0junk";
	char pw[] = "2 PASS abc\0def";
	struct proto_req r;

	ck_assert_int_eq(proto_parse_req(l, sizeof(l) - 1, &r), PROTO_ERR_CTRL);
	ck_assert_str_eq(r.tag, "1");
	ck_assert_int_eq(proto_parse_req(pw, sizeof(pw) - 1, &r),
	    PROTO_ERR_CTRL);
}
END_TEST

/* C1 controls and bidi overrides and isolates are refused in requests;
   their neighbours are not. */
START_TEST(test_req_c1_bidi)
{
	static const char *bad[] = {
		"\xc2\x80", "\xc2\x9b", "\xc2\x9f",		/* C1 */
		"\xe2\x80\xaa", "\xe2\x80\xae",		/* U+202A, U+202E */
		"\xe2\x81\xa6", "\xe2\x81\xa9",		/* U+2066, U+2069 */
	};
	static const char *good[] = {
		"\xc2\xa0", "\xc2\xa9",			/* U+00A0, U+00A9 */
		"\xe2\x80\xa9", "\xe2\x80\xaf",		/* U+2029, U+202F */
		"\xe2\x81\xa5", "\xe2\x81\xaa",		/* U+2065, U+206A */
	};
	struct proto_req r;
	char line[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "1 MSGTO bob a%sb", bad[i]);
		ck_assert_msg(proto_parse_req(line, strlen(line), &r) ==
		    PROTO_ERR_CTRL, "bad[%zu] accepted", i);
		ck_assert(!proto_valid_text(bad[i], strlen(bad[i])));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "1 MSGTO bob a%sb", good[i]);
		ck_assert_msg(proto_parse_req(line, strlen(line), &r) ==
		    PROTO_OK, "good[%zu] refused", i);
		ck_assert(proto_valid_text(good[i], strlen(good[i])));
	}
	ck_assert(!proto_valid_text("a\tb", 3));
	ck_assert(!proto_valid_text("a\0b", 3));
	ck_assert(!proto_valid_text("\xc3", 1));
}
END_TEST

/* A cut never falls inside a UTF-8 character. */
START_TEST(test_utf8_cut)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";	/* a é € 😀 */
	size_t len = strlen(s);

	ck_assert_uint_eq(proto_utf8_cut(s, len, 100), len);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 1), 1);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 2), 1);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 3), 3);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 4), 3);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 5), 3);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 6), 6);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 9), 6);
	ck_assert_uint_eq(proto_utf8_cut(s, len, 0), 0);
}
END_TEST

/* Scrubbing replaces the bytes of cut or broken characters only. */
START_TEST(test_utf8_scrub)
{
	char a[] = "x\xc3\xa9y\xe2\x82";	/* é kept, a cut euro sign */
	char b[] = "\xf0\x9f\x98\x80\x80z";	/* a stray continuation */
	char c[] = "plain";

	proto_utf8_scrub(a, strlen(a));
	ck_assert_str_eq(a, "x\xc3\xa9y??");
	proto_utf8_scrub(b, strlen(b));
	ck_assert_str_eq(b, "\xf0\x9f\x98\x80?z");
	proto_utf8_scrub(c, strlen(c));
	ck_assert_str_eq(c, "plain");
}
END_TEST

/* Server lines of each kind. */
START_TEST(test_msg_ok)
{
	char ev[] = "* ONLINE carol 127.0.0.1 40003 22 Nov 2026 10:16:40";
	char ev2[] = "* BYE";
	char data[] = "4 . bob 127.0.0.1";
	char data2[] = "4 .";
	char ok[] = "3 OK Welcome alice";
	char ok2[] = "3 OK";
	char er[] = "2 ERR blocked too many failures";
	char er2[] = "2 ERR auth";
	char star[] = "* ERR proto line too long";
	struct proto_msg m;

	ck_assert_int_eq(proto_parse_msg(ev, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_EVENT);
	ck_assert_str_eq(m.tag, "*");
	ck_assert_str_eq(m.code, "ONLINE");
	ck_assert_str_eq(m.text, "carol 127.0.0.1 40003 22 Nov 2026 10:16:40");

	ck_assert_int_eq(proto_parse_msg(ev2, &m), PROTO_OK);
	ck_assert_str_eq(m.code, "BYE");
	ck_assert_str_eq(m.text, "");

	ck_assert_int_eq(proto_parse_msg(data, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_DATA);
	ck_assert_str_eq(m.tag, "4");
	ck_assert_str_eq(m.text, "bob 127.0.0.1");
	ck_assert_int_eq(proto_parse_msg(data2, &m), PROTO_OK);
	ck_assert_str_eq(m.text, "");

	ck_assert_int_eq(proto_parse_msg(ok, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_OK);
	ck_assert_str_eq(m.text, "Welcome alice");
	ck_assert_int_eq(proto_parse_msg(ok2, &m), PROTO_OK);
	ck_assert_str_eq(m.text, "");

	ck_assert_int_eq(proto_parse_msg(er, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_ERR);
	ck_assert_str_eq(m.code, "blocked");
	ck_assert_str_eq(m.text, "too many failures");
	ck_assert_int_eq(proto_parse_msg(er2, &m), PROTO_OK);
	ck_assert_str_eq(m.code, "auth");
	ck_assert_str_eq(m.text, "");

	/* A reply to an untagged request is an ERR with tag "*". */
	ck_assert_int_eq(proto_parse_msg(star, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_ERR);
	ck_assert_str_eq(m.tag, "*");
	ck_assert_str_eq(m.code, "proto");
	ck_assert_str_eq(m.text, "line too long");
}
END_TEST

/* Malformed server lines. */
START_TEST(test_msg_errors)
{
	char empty[] = "";
	char star[] = "*";
	char starx[] = "*x HELLO";
	char lowerev[] = "* hello";
	char longev[] = "* ABCDEFGHIJKLMNOPQ";
	char notag[] = "OK";
	char badtag[] = "a_b OK";
	char nokind[] = "4 ";
	char badkind[] = "4 OKAY";
	char dotx[] = "4 .x";
	char nocode[] = "4 ERR";
	char upcode[] = "4 ERR Auth";
	char longcode[] = "4 ERR abcdefghijklmnopq";
	char ctrl[] = "4 OK a\tb";
	char utf[] = "4 OK \xed\xa0\x80";
	struct proto_msg m;

	ck_assert_int_eq(proto_parse_msg(empty, &m), PROTO_ERR_EMPTY);
	ck_assert_int_eq(proto_parse_msg(star, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(starx, &m), PROTO_ERR_TAG);
	ck_assert_int_eq(proto_parse_msg(lowerev, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(longev, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(notag, &m), PROTO_ERR_TAG);
	ck_assert_int_eq(proto_parse_msg(badtag, &m), PROTO_ERR_TAG);
	ck_assert_int_eq(proto_parse_msg(nokind, &m), PROTO_ERR_KIND);
	ck_assert_int_eq(proto_parse_msg(badkind, &m), PROTO_ERR_KIND);
	ck_assert_int_eq(proto_parse_msg(dotx, &m), PROTO_ERR_KIND);
	ck_assert_int_eq(proto_parse_msg(nocode, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(upcode, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(longcode, &m), PROTO_ERR_CODE);
	ck_assert_int_eq(proto_parse_msg(ctrl, &m), PROTO_ERR_CTRL);
	ck_assert_int_eq(proto_parse_msg(utf, &m), PROTO_ERR_UTF8);
}
END_TEST

/* Splitting into words, with and without a rest word. */
START_TEST(test_split)
{
	char s1[] = "alice 40001";
	char s2[] = "a b c";
	char s3[] = "a  b";
	char s4[] = " a";
	char s5[] = "a ";
	char s6[] = "";
	char s7[] = "bob hello  there, bob ";
	char s8[] = "one";
	char s9[] = "x";
	char s10[] = "a b";
	char *av[4];

	ck_assert_int_eq(proto_split(s1, av, 2, false), 2);
	ck_assert_str_eq(av[0], "alice");
	ck_assert_str_eq(av[1], "40001");
	ck_assert_int_eq(proto_split(s2, av, 2, false), -1);
	ck_assert_int_eq(proto_split(s3, av, 4, false), -1);
	ck_assert_int_eq(proto_split(s4, av, 4, false), -1);
	ck_assert_int_eq(proto_split(s5, av, 4, false), -1);
	ck_assert_int_eq(proto_split(s6, av, 4, false), 0);

	ck_assert_int_eq(proto_split(s7, av, 2, true), 2);
	ck_assert_str_eq(av[0], "bob");
	ck_assert_str_eq(av[1], "hello  there, bob ");
	ck_assert_int_eq(proto_split(s8, av, 3, true), 1);
	ck_assert_str_eq(av[0], "one");
	ck_assert_int_eq(proto_split(s9, av, 0, false), -1);
	ck_assert_int_eq(proto_split(s10, av, 1, true), 1);
	ck_assert_str_eq(av[0], "a b");
}
END_TEST

/* With rest, words before the rest must still be single-spaced. */
START_TEST(test_split_rest_empty)
{
	char s1[] = "a  b c";
	char s2[] = "a ";
	char s3[] = "a b c";
	char *av[3];

	ck_assert_int_eq(proto_split(s1, av, 3, true), -1);
	ck_assert_int_eq(proto_split(s2, av, 2, true), -1);
	ck_assert_int_eq(proto_split(s3, av, 3, true), 3);
	ck_assert_str_eq(av[2], "c");
}
END_TEST

/* User names. */
START_TEST(test_valid_user)
{
	ck_assert(proto_valid_user("alice"));
	ck_assert(proto_valid_user("A_b.c-9"));
	ck_assert(proto_valid_user("abcdefghijklmnopqrstuvwxyz012345"));
	ck_assert(!proto_valid_user("abcdefghijklmnopqrstuvwxyz0123456"));
	ck_assert(!proto_valid_user(""));
	ck_assert(!proto_valid_user("a b"));
	ck_assert(!proto_valid_user("a/b"));
	ck_assert(!proto_valid_user("\xc3\xa9"));
}
END_TEST

/* UTF-8 edge cases. */
START_TEST(test_utf8)
{
	ck_assert(proto_valid_utf8("", 0));
	ck_assert(proto_valid_utf8("abc", 3));
	ck_assert(proto_valid_utf8("\xc2\x80", 2));		/* U+0080 */
	ck_assert(proto_valid_utf8("\xdf\xbf", 2));		/* U+07FF */
	ck_assert(proto_valid_utf8("\xe0\xa0\x80", 3));	/* U+0800 */
	ck_assert(proto_valid_utf8("\xed\x9f\xbf", 3));	/* U+D7FF */
	ck_assert(proto_valid_utf8("\xee\x80\x80", 3));	/* U+E000 */
	ck_assert(proto_valid_utf8("\xef\xbf\xbf", 3));	/* U+FFFF */
	ck_assert(proto_valid_utf8("\xf0\x90\x80\x80", 4));	/* U+10000 */
	ck_assert(proto_valid_utf8("\xf4\x8f\xbf\xbf", 4));	/* U+10FFFF */
	ck_assert(proto_valid_utf8("a\0b", 3));	/* NUL is ASCII */

	ck_assert(!proto_valid_utf8("\xc0\x80", 2));		/* overlong NUL */
	ck_assert(!proto_valid_utf8("\xc1\xbf", 2));		/* overlong */
	ck_assert(!proto_valid_utf8("\xe0\x9f\xbf", 3));	/* overlong */
	ck_assert(!proto_valid_utf8("\xf0\x8f\xbf\xbf", 4));	/* overlong */
	ck_assert(!proto_valid_utf8("\xed\xa0\x80", 3));	/* U+D800 */
	ck_assert(!proto_valid_utf8("\xed\xbf\xbf", 3));	/* U+DFFF */
	ck_assert(!proto_valid_utf8("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert(!proto_valid_utf8("\xf5\x80\x80\x80", 4));
	ck_assert(!proto_valid_utf8("\xff", 1));
	ck_assert(!proto_valid_utf8("\x80", 1));		/* lone continuation */
	ck_assert(!proto_valid_utf8("\xc3", 1));		/* truncated */
	ck_assert(!proto_valid_utf8("\xe2\x82", 2));		/* truncated */
	ck_assert(!proto_valid_utf8("\xf0\x9f\x98", 3));	/* truncated */
	ck_assert(!proto_valid_utf8("\xc3x", 2));		/* bad continuation */
	/* The length is honoured: a valid sequence cut by len is refused. */
	ck_assert(!proto_valid_utf8("\xe2\x82\xac", 2));
	ck_assert(proto_valid_utf8("\xe2\x82\xac", 3));
}
END_TEST

/* Integers: bounds, signs, overflow. */
START_TEST(test_parse_int)
{
	long long v = 42;

	ck_assert_int_eq(proto_parse_int("0", 0, 10, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(proto_parse_int("65535", 1, 65535, &v), 0);
	ck_assert_int_eq(v, 65535);
	ck_assert_int_eq(proto_parse_int("65536", 1, 65535, &v), -1);
	ck_assert_int_eq(proto_parse_int("0", 1, 65535, &v), -1);
	ck_assert_int_eq(proto_parse_int("-1", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("-5", -10, 10, &v), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(proto_parse_int("-11", -10, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("+5", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("-", -10, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int(" 5", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("5 ", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("5x", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("0x5", 0, 10, &v), -1);
	ck_assert_int_eq(proto_parse_int("007", 0, 10, &v), 0);
	ck_assert_int_eq(v, 7);

	ck_assert_int_eq(proto_parse_int("9223372036854775807", 0, LLONG_MAX,
	    &v), 0);
	ck_assert(v == LLONG_MAX);
	ck_assert_int_eq(proto_parse_int("9223372036854775808", 0, LLONG_MAX,
	    &v), -1);
	ck_assert_int_eq(proto_parse_int("99999999999999999999", 0, LLONG_MAX,
	    &v), -1);
	ck_assert_int_eq(proto_parse_int("-9223372036854775808", LLONG_MIN, 0,
	    &v), 0);
	ck_assert(v == LLONG_MIN);
	ck_assert_int_eq(proto_parse_int("-9223372036854775809", LLONG_MIN, 0,
	    &v), -1);
	/* A failure leaves *out alone. */
	v = 42;
	ck_assert_int_eq(proto_parse_int("x", 0, 10, &v), -1);
	ck_assert_int_eq(v, 42);
}
END_TEST

/* Sanitised samples: replacement, truncation with "...", tiny buffers. */
START_TEST(test_sanitize)
{
	char d[16];

	memset(d, 'Z', sizeof(d));
	proto_sanitize(d, sizeof(d), "ab\tc\x7f\xc3\xa9\n", 8);
	ck_assert_str_eq(d, "ab?c????");

	proto_sanitize(d, sizeof(d), "a\0b", 3);
	ck_assert_str_eq(d, "a?b");

	proto_sanitize(d, 10, "0123456789", 10);
	ck_assert_str_eq(d, "012345...");
	ck_assert_uint_eq(strlen(d), 9);

	proto_sanitize(d, 10, "012345678", 9);
	ck_assert_str_eq(d, "012345678");

	proto_sanitize(d, 3, "abcdef", 6);
	ck_assert_str_eq(d, "..");
	proto_sanitize(d, 1, "abcdef", 6);
	ck_assert_str_eq(d, "");

	d[0] = 'Q';
	proto_sanitize(d, 0, "abc", 3);
	ck_assert_int_eq(d[0], 'Q');

	proto_sanitize(d, sizeof(d), "", 0);
	ck_assert_str_eq(d, "");
}
END_TEST

/* Every error has its own non-empty description. */
START_TEST(test_strerror)
{
	enum proto_err e, e2;

	for (e = PROTO_OK; e <= PROTO_ERR_FIELD; e++) {
		ck_assert_ptr_nonnull(proto_strerror(e));
		ck_assert(strlen(proto_strerror(e)) > 0);
		for (e2 = PROTO_OK; e2 < e; e2++)
			ck_assert_str_ne(proto_strerror(e), proto_strerror(e2));
	}
	ck_assert_str_eq(proto_strerror((enum proto_err)999), "unknown error");
}
END_TEST

/* The greeting parses as the HELLO event the doc describes. */
START_TEST(test_greeting)
{
	char g[PROTO_LINE_MAX];
	struct proto_msg m;

	ck_assert_int_eq(proto_ev_hello_encode(g, sizeof(g), PROTO_EV_SERVER,
	    PROTO_VERSION), 32);
	g[31] = '\0';		/* the LF */
	ck_assert_int_eq(proto_parse_msg(g, &m), PROTO_OK);
	ck_assert_int_eq(m.kind, PROTO_MSG_EVENT);
	ck_assert_str_eq(m.code, PROTO_EV_HELLO);
	ck_assert_str_eq(m.text, "firmware-server PROTO 1");
}
END_TEST

Suite *
suite_proto(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = tcase_create("frame");
	tcase_add_test(tc, test_frame_every_boundary);
	tcase_add_test(tc, test_frame_crlf);
	tcase_add_test(tc, test_frame_max_line);
	tcase_add_test(tc, test_frame_blob);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_req_ok);
	tcase_add_test(tc, test_req_errors);
	tcase_add_test(tc, test_req_utf8_args);
	tcase_add_test(tc, test_req_nul);
	tcase_add_test(tc, test_req_c1_bidi);
	tcase_add_test(tc, test_utf8_cut);
	tcase_add_test(tc, test_utf8_scrub);
	tcase_add_test(tc, test_msg_ok);
	tcase_add_test(tc, test_msg_errors);
	tcase_add_test(tc, test_greeting);
	suite_add_tcase(s, tc);

	tc = tcase_create("util");
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_split_rest_empty);
	tcase_add_test(tc, test_valid_user);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_parse_int);
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);

	suite_add_tcase(s, tcase_proto_ev());
	return s;
}
