/*
 * check_proto_ev.c - the event codec: today's wire form of every event,
 * round trips, and malformed lines.
 */
#include <stdio.h>
#include <string.h>

#include "proto_ev.h"
#include "suites.h"

#define T	"3 Dec 2026 21:52:21"
#define SECRET	"0123456789abcdef0123456789abcdef"

/* One event as the server writes it today, and the fields it carries. */
struct ev_case {
	const char	*line;		/* without the LF */
	struct proto_ev	 ev;
};

static const struct ev_case ev_cases[] = {
	{ "* HELLO firmware-server PROTO 1", { PROTO_EVT_HELLO,
	    .u.hello = { "firmware-server", 1 } } },
	{ "* ONLINE bob 127.0.0.1 40002 " T, { PROTO_EVT_ONLINE,
	    .u.online = { "bob", "127.0.0.1", 40002, T } } },
	{ "* ONLINE carol@north ::1 0 " T, { PROTO_EVT_ONLINE,
	    .u.online = { "carol@north", "::1", 0, T } } },
	{ "* OFFLINE bob logout", { PROTO_EVT_OFFLINE,
	    .u.offline = { "bob", "logout", false } } },
	{ "* OFFLINE bob hidden", { PROTO_EVT_OFFLINE,
	    .u.offline = { "bob", "hidden", true } } },
	{ "* OFFLINE carol@north lost", { PROTO_EVT_OFFLINE,
	    .u.offline = { "carol@north", "lost", false } } },
	{ "* IDLE 300", { PROTO_EVT_IDLE, .u.idle = 300 } },
	{ "* BYE limit the server is full; try again later", { PROTO_EVT_BYE,
	    .u.bye = { "limit", "the server is full; try again later" } } },
	{ "* ERR proto line or payload too long (limit 4096 bytes)",
	    { PROTO_EVT_ERR, .u.bye = { "proto",
	    "line or payload too long (limit 4096 bytes)" } } },
	{ "* INFO the server restarts at noon", { PROTO_EVT_INFO,
	    .u.info = "the server restarts at noon" } },
	{ "* INFO 1 message arrived while you were offline",
	    { PROTO_EVT_OFFCOUNT, .u.offcount = 1 } },
	{ "* INFO 12 messages arrived while you were offline",
	    { PROTO_EVT_OFFCOUNT, .u.offcount = 12 } },
	{ "* INFO Your message to dave@south could not be delivered: they "
	    "have blocked you", { PROTO_EVT_UNDELIVERED, .u.undelivered =
	    { "dave@south", "they have blocked you" } } },
	{ "* MSG alice " T " id:0123456789abcdef.7 hello  there, bob",
	    { PROTO_EVT_MSG, .u.msg = { "alice", T, "0123456789abcdef.7",
	    "hello  there, bob" } } },
	{ "* MSG carol@north " T " id:north.00ff.3 hi", { PROTO_EVT_MSG,
	    .u.msg = { "carol@north", T, "north.00ff.3", "hi" } } },
	/* A server before ids: the text follows TIME, whatever it says. */
	{ "* MSG alice " T " hello  there, bob", { PROTO_EVT_MSG,
	    .u.msg = { "alice", T, NULL, "hello  there, bob" } } },
	{ "* MSG alice " T " id:x", { PROTO_EVT_MSG,
	    .u.msg = { "alice", T, NULL, "id:x" } } },
	{ "* MSG alice " T " id:b@d look", { PROTO_EVT_MSG,
	    .u.msg = { "alice", T, NULL, "id:b@d look" } } },
	{ "* MSG alice " T " id: look", { PROTO_EVT_MSG,
	    .u.msg = { "alice", T, NULL, "id: look" } } },
	/* The id is the first word only: the text may start like one. */
	{ "* MSG alice " T " id:a.1 id:a.2 hi", { PROTO_EVT_MSG,
	    .u.msg = { "alice", T, "a.1", "id:a.2 hi" } } },
	{ "* BCAST alice " T " all of you", { PROTO_EVT_BCAST,
	    .u.msg = { "alice", T, NULL, "all of you" } } },
	{ "* BCAST alice " T " id:a.1 is not an id here", { PROTO_EVT_BCAST,
	    .u.msg = { "alice", T, NULL, "id:a.1 is not an id here" } } },
	{ "* GINVITE team1 alice bob carol", { PROTO_EVT_GINVITE,
	    .u.ginvite = { "team1", "alice", "bob carol" } } },
	{ "* GMSG team1 alice " T " to the group", { PROTO_EVT_GMSG,
	    .u.gmsg = { "team1", "alice", T, "to the group" } } },
	{ "* FILEOFFER alice 7 1048576 10.0.0.2 40001 " SECRET " my file.bin",
	    { PROTO_EVT_FILEOFFER, .u.fileoffer = { "alice", 7, 1048576,
	    "10.0.0.2", 40001, SECRET, "my file.bin" } } },
	{ "* PRIVASK alice " SECRET, { PROTO_EVT_PRIVASK,
	    .u.privask = { "alice", SECRET } } },
	{ "* PRIVREPLY bob yes 10.0.0.3 5000 " SECRET, { PROTO_EVT_PRIVREPLY,
	    .u.privreply = { "bob", true, "10.0.0.3", 5000, SECRET } } },
	{ "* PRIVREPLY bob no", { PROTO_EVT_PRIVREPLY,
	    .u.privreply = { "bob", false, NULL, 0, NULL } } },
	{ "* PRIVEND bob stopped", { PROTO_EVT_PRIVEND,
	    .u.privend = { "bob", "stopped" } } },
	{ "* PRIVEND bob timeout", { PROTO_EVT_PRIVEND,
	    .u.privend = { "bob", "timeout" } } },
};

#define NCASES	(sizeof(ev_cases) / sizeof(ev_cases[0]))

/* A hand-written line of today's wire form decodes to the expected fields. */
START_TEST(test_ev_parse_wire)
{
	const struct ev_case *c = &ev_cases[_i];
	char line[PROTO_LINE_MAX];
	struct proto_ev ev;

	snprintf(line, sizeof(line), "%s", c->line);
	ck_assert_int_eq(proto_ev_parse(line, &ev), PROTO_OK);
	ck_assert_msg(proto_ev_equal(&ev, &c->ev), "fields of \"%s\"",
	    c->line);
}
END_TEST

/* Encoding the fields gives today's bytes exactly, LF included. */
START_TEST(test_ev_encode_wire)
{
	const struct ev_case *c = &ev_cases[_i];
	char out[PROTO_LINE_MAX + 1], want[PROTO_LINE_MAX + 1];
	int n;

	snprintf(want, sizeof(want), "%s\n", c->line);
	n = proto_ev_encode(&c->ev, out, sizeof(out));
	ck_assert_int_eq(n, (int)strlen(want));
	ck_assert_str_eq(out, want);
}
END_TEST

/* Encode, then parse: the same struct. */
START_TEST(test_ev_round_trip)
{
	const struct ev_case *c = &ev_cases[_i];
	char out[PROTO_LINE_MAX + 1];
	struct proto_ev ev;
	int n;

	n = proto_ev_encode(&c->ev, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	out[n - 1] = '\0';
	ck_assert_int_eq(proto_ev_parse(out, &ev), PROTO_OK);
	ck_assert_msg(proto_ev_equal(&ev, &c->ev), "round trip of \"%s\"",
	    c->line);
}
END_TEST

/* The per-event encoders the server calls write the same bytes. */
START_TEST(test_ev_encoders)
{
	char out[PROTO_LINE_MAX + 1];

	proto_ev_msg_encode(out, sizeof(out), "alice", T, "ab12.9", "hi");
	ck_assert_str_eq(out, "* MSG alice " T " id:ab12.9 hi\n");
	proto_ev_msg_encode(out, sizeof(out), "alice", T, NULL, "hi");
	ck_assert_str_eq(out, "* MSG alice " T " hi\n");
	proto_ev_offline_encode(out, sizeof(out), "bob", PROTO_OFF_HIDDEN);
	ck_assert_str_eq(out, "* OFFLINE bob hidden\n");
	proto_ev_offcount_encode(out, sizeof(out), 2);
	ck_assert_str_eq(out, "* INFO 2 messages arrived while you were "
	    "offline\n");
	proto_ev_privreply_encode(out, sizeof(out), "bob", false, NULL, 0,
	    NULL);
	ck_assert_str_eq(out, "* PRIVREPLY bob no\n");
	proto_ev_hello_encode(out, sizeof(out), PROTO_EV_SERVER,
	    PROTO_VERSION);
	ck_assert_str_eq(out, "* HELLO firmware-server PROTO "
	    PROTO_VERSION_STR "\n");
}
END_TEST

/* A message id: its characters and its length; a longer word after TIME
   is text, as from a server before ids. */
START_TEST(test_ev_msgid)
{
	char id[PROTO_MSGID_MAX + 2], line[PROTO_LINE_MAX];
	struct proto_ev ev;

	ck_assert(proto_ev_valid_msgid("lab-2.0123abcd.18446744073709551615"));
	ck_assert(proto_ev_valid_msgid("17"));
	ck_assert(!proto_ev_valid_msgid(""));
	ck_assert(!proto_ev_valid_msgid("a b"));
	ck_assert(!proto_ev_valid_msgid("a:b"));
	ck_assert(!proto_ev_valid_msgid("a@b"));
	memset(id, 'x', PROTO_MSGID_MAX);
	id[PROTO_MSGID_MAX] = '\0';
	ck_assert(proto_ev_valid_msgid(id));
	snprintf(line, sizeof(line), "* MSG alice " T " id:%s hi", id);
	ck_assert_int_eq(proto_ev_parse(line, &ev), PROTO_OK);
	ck_assert_str_eq(ev.u.msg.id, id);
	ck_assert_str_eq(ev.u.msg.text, "hi");
	strcat(id, "x");
	ck_assert(!proto_ev_valid_msgid(id));
	snprintf(line, sizeof(line), "* MSG alice " T " id:%s hi", id);
	ck_assert_int_eq(proto_ev_parse(line, &ev), PROTO_OK);
	ck_assert_ptr_null(ev.u.msg.id);
	ck_assert(strncmp(ev.u.msg.text, "id:xxx", 6) == 0);
}
END_TEST

/* A buffer too small gives -1 and an empty string, never a cut line. */
START_TEST(test_ev_encode_small)
{
	char out[16];

	ck_assert_int_eq(proto_ev_msg_encode(out, sizeof(out), "alice", T,
	    NULL, "hi"), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(proto_ev_idle_encode(out, 0, 1), -1);
	ck_assert_int_eq(proto_ev_idle_encode(out, 11, 300), -1);
	ck_assert_int_eq(proto_ev_idle_encode(out, 12, 300), 11);
	ck_assert_str_eq(out, "* IDLE 300\n");
}
END_TEST

/* Malformed lines: a clear error, the struct cleared. */
START_TEST(test_ev_malformed)
{
	static const struct {
		const char	*line;
		enum proto_err	 err;
	} bad[] = {
		{ "", PROTO_ERR_EMPTY },
		{ "1 OK fine", PROTO_ERR_KIND },
		{ "1 ERR auth wrong password", PROTO_ERR_KIND },
		{ "* NEWTHING a b", PROTO_ERR_EVENT },
		{ "* MSG", PROTO_ERR_FIELD },
		{ "* MSG alice", PROTO_ERR_FIELD },
		{ "* MSG alice 3 Dec 2026", PROTO_ERR_FIELD },
		{ "* MSG alice " T, PROTO_ERR_FIELD },
		{ "* MSG alice " T " ", PROTO_ERR_FIELD },
		{ "* MSG al!ce " T " hi", PROTO_ERR_FIELD },
		{ "* MSG  alice " T " hi", PROTO_ERR_FIELD },
		{ "* MSG alice 3  Dec 2026 21:52:21 hi", PROTO_ERR_FIELD },
		{ "* ONLINE bob 1.2.3.4 70000 " T, PROTO_ERR_FIELD },
		{ "* ONLINE bob 1.2.3.4 x " T, PROTO_ERR_FIELD },
		{ "* ONLINE bob 1.2.3.4 1 22 Nov", PROTO_ERR_FIELD },
		{ "* ONLINE bob 1.2.3.4 1 " T " more", PROTO_ERR_FIELD },
		{ "* OFFLINE", PROTO_ERR_FIELD },
		{ "* IDLE -1", PROTO_ERR_FIELD },
		{ "* IDLE 5 6", PROTO_ERR_FIELD },
		{ "* BYE", PROTO_ERR_FIELD },
		{ "* GINVITE team-1 alice bob", PROTO_ERR_FIELD },
		{ "* GINVITE team1 alice", PROTO_ERR_FIELD },
		{ "* GMSG team1 alice " T, PROTO_ERR_FIELD },
		{ "* FILEOFFER alice 0 5 1.2.3.4 1 " SECRET " f", PROTO_ERR_FIELD },
		{ "* FILEOFFER alice 1 -5 1.2.3.4 1 " SECRET " f",
		    PROTO_ERR_FIELD },
		{ "* FILEOFFER alice 1 5 1.2.3.4 0 " SECRET " f", PROTO_ERR_FIELD },
		{ "* FILEOFFER alice 1 5 1.2.3.4 1 0123 f", PROTO_ERR_FIELD },
		{ "* FILEOFFER alice 1 5 1.2.3.4 1 " SECRET, PROTO_ERR_FIELD },
		{ "* FILEOFFER a@b 1 5 1.2.3.4 1 " SECRET " f", PROTO_ERR_FIELD },
		{ "* PRIVASK alice 0123456789ABCDEF0123456789ABCDEF",
		    PROTO_ERR_FIELD },
		{ "* PRIVASK alice", PROTO_ERR_FIELD },
		{ "* PRIVREPLY bob maybe", PROTO_ERR_FIELD },
		{ "* PRIVREPLY bob yes 1.2.3.4 5000", PROTO_ERR_FIELD },
		{ "* PRIVREPLY bob no more", PROTO_ERR_FIELD },
		{ "* PRIVEND", PROTO_ERR_FIELD },
		{ "* HELLO firmware-server 1", PROTO_ERR_FIELD },
		{ "* MSG alice " T " tab\there", PROTO_ERR_CTRL },
	};
	char line[PROTO_LINE_MAX];
	struct proto_ev ev, zero;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i].line);
		ck_assert_msg(proto_ev_parse(line, &ev) == bad[i].err,
		    "\"%s\": %s", bad[i].line, proto_strerror(bad[i].err));
		ck_assert_int_eq(ev.type, PROTO_EVT_NONE);
		ck_assert(memcmp(&ev, &zero, sizeof(ev)) == 0);
	}
}
END_TEST

/* INFO lines that only look like the two notices stay plain INFO. */
START_TEST(test_ev_info_lookalikes)
{
	static const char *plain[] = {
		"* INFO 1 messages arrived while you were offline",
		"* INFO 2 message arrived while you were offline",
		"* INFO x messages arrived while you were offline",
		"* INFO Your message to dave could not be delivered: why",
		"* INFO Your message to  could not be delivered: why",
		"* INFO Your message to d@s has arrived",
		"* INFO",
	};
	char line[PROTO_LINE_MAX], again[PROTO_LINE_MAX + 1];
	struct proto_ev ev;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(line, sizeof(line), "%s", plain[i]);
		ck_assert_int_eq(proto_ev_parse(line, &ev), PROTO_OK);
		ck_assert_int_eq(ev.type, PROTO_EVT_INFO);
		/* The text is whole again, what was cut put back. */
		proto_ev_encode(&ev, again, sizeof(again));
		snprintf(line, sizeof(line), "%s\n", plain[i]);
		ck_assert_str_eq(again, line);
	}
}
END_TEST

/* A WHO line has ONLINE's fields. */
START_TEST(test_ev_user_line)
{
	char line[] = "bob 127.0.0.1 40002 " T, bad[] = "bob 127.0.0.1";
	struct proto_ev_user u;

	ck_assert_int_eq(proto_ev_user_decode(line, &u), PROTO_OK);
	ck_assert_str_eq(u.user, "bob");
	ck_assert_str_eq(u.ip, "127.0.0.1");
	ck_assert_int_eq(u.port, 40002);
	ck_assert_str_eq(u.time, T);
	ck_assert_int_eq(proto_ev_user_decode(bad, &u), PROTO_ERR_FIELD);
}
END_TEST

/* The structured replies: today's text, decoded and encoded again. */
START_TEST(test_ev_replies)
{
	char out[PROTO_LINE_MAX], since[] = "bob " T, on[] = "carol@north "
	    "online", post[] = "12 alice yes " T " the  post",
	    ok[] = "7 10.0.0.2 40001 " SECRET;
	struct proto_ev_since r;
	struct proto_ev_post p;
	struct proto_ev_fileok f;

	ck_assert_int_eq(proto_ev_since_decode(since, &r), PROTO_OK);
	ck_assert_str_eq(r.user, "bob");
	ck_assert(!r.online);
	ck_assert_str_eq(r.time, T);
	proto_ev_since_encode(out, sizeof(out), r.user, r.online, r.time);
	ck_assert_str_eq(out, "bob " T);
	ck_assert_int_eq(proto_ev_since_decode(on, &r), PROTO_OK);
	ck_assert(r.online);
	ck_assert_ptr_null(r.time);
	proto_ev_since_encode(out, sizeof(out), r.user, r.online, NULL);
	ck_assert_str_eq(out, "carol@north online");

	ck_assert_int_eq(proto_ev_post_decode(post, &p), PROTO_OK);
	ck_assert_uint_eq(p.n, 12);
	ck_assert_str_eq(p.user, "alice");
	ck_assert(p.edited);
	ck_assert_str_eq(p.time, T);
	ck_assert_str_eq(p.text, "the  post");
	proto_ev_post_encode(out, sizeof(out), p.n, p.user, p.edited, p.time,
	    p.text);
	ck_assert_str_eq(out, "12 alice yes " T " the  post");
	proto_ev_post_encode(out, sizeof(out), 3, "bob", false, T, "x");
	ck_assert_str_eq(out, "3 bob no " T " x");

	ck_assert_int_eq(proto_ev_fileok_decode(ok, &f), PROTO_OK);
	ck_assert_uint_eq(f.xid, 7);
	ck_assert_str_eq(f.ip, "10.0.0.2");
	ck_assert_int_eq(f.port, 40001);
	ck_assert_str_eq(f.secret, SECRET);
	proto_ev_fileok_encode(out, sizeof(out), f.xid, f.ip, f.port, f.secret);
	ck_assert_str_eq(out, "7 10.0.0.2 40001 " SECRET);

	proto_ev_who_encode(out, sizeof(out), "bob", "::1", 0, T);
	ck_assert_str_eq(out, "bob ::1 0 " T);
}
END_TEST

/* Replies without their form: an error and the struct cleared. */
START_TEST(test_ev_replies_malformed)
{
	static const char *since[] = { "", "bob", "bob ", "b!b online",
	    "bob 3 Dec 2026", "bob online now", "bob " T " x" };
	static const char *post[] = { "", "0 alice no " T " x",
	    "1 alice maybe " T " x", "1 alice no " T, "1 alice no 3 Dec x",
	    "x alice no " T " x", "1 a!ice no " T " x" };
	static const char *ok[] = { "", "0 1.2.3.4 1 " SECRET,
	    "1 1.2.3.4 0 " SECRET, "1 1.2.3.4 1 abc", "1 1.2.3.4 1",
	    "1 1.2.3.4 1 " SECRET " x" };
	char line[PROTO_LINE_MAX];
	struct proto_ev_since r;
	struct proto_ev_post p;
	struct proto_ev_fileok f;
	size_t i;

	for (i = 0; i < sizeof(since) / sizeof(since[0]); i++) {
		snprintf(line, sizeof(line), "%s", since[i]);
		ck_assert_msg(proto_ev_since_decode(line, &r) ==
		    PROTO_ERR_FIELD, "\"%s\"", since[i]);
		ck_assert_ptr_null(r.user);
	}
	for (i = 0; i < sizeof(post) / sizeof(post[0]); i++) {
		snprintf(line, sizeof(line), "%s", post[i]);
		ck_assert_msg(proto_ev_post_decode(line, &p) ==
		    PROTO_ERR_FIELD, "\"%s\"", post[i]);
		ck_assert_ptr_null(p.user);
	}
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "%s", ok[i]);
		ck_assert_msg(proto_ev_fileok_decode(line, &f) ==
		    PROTO_ERR_FIELD, "\"%s\"", ok[i]);
		ck_assert_ptr_null(f.ip);
	}
}
END_TEST

/* The test case for the proto suite. */
TCase *
tcase_proto_ev(void)
{
	TCase *tc = tcase_create("events");

	tcase_add_loop_test(tc, test_ev_parse_wire, 0, (int)NCASES);
	tcase_add_loop_test(tc, test_ev_encode_wire, 0, (int)NCASES);
	tcase_add_loop_test(tc, test_ev_round_trip, 0, (int)NCASES);
	tcase_add_test(tc, test_ev_encoders);
	tcase_add_test(tc, test_ev_encode_small);
	tcase_add_test(tc, test_ev_msgid);
	tcase_add_test(tc, test_ev_malformed);
	tcase_add_test(tc, test_ev_info_lookalikes);
	tcase_add_test(tc, test_ev_user_line);
	tcase_add_test(tc, test_ev_replies);
	tcase_add_test(tc, test_ev_replies_malformed);
	return tc;
}
