/*
 * check_e2e_private.c - private chats between real clients (part of the
 * e2e_p2p suite): accept, decline, stop, the errors, and the end of a
 * chat when a peer logs out or times out.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "steps.h"
#include "e2e_p2p.h"
#include "../suites.h"

/* Start a private chat from a to b (b says yes). */
static void
private_open(struct cli *a, struct cli *b)
{
	SEND(a, "startprivate bob");
	EXPECT(b, "alice wants to chat privately. Accept? (y/n)");
	SEND(b, "y");
	EXPECT(a, "Private chat with bob started");
	EXPECT(b, "Private chat with alice started");
}

/* Accept, talk both ways, stop; errors before and after. */
START_TEST(test_private_accept_stop)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);

	SEND(a, "private bob too early");
	EXPECT(a, "Error: no private chat with bob");
	private_open(a, b);
	SEND(a, "private bob hello there");
	EXPECT_LINE(b, "alice (private): hello there");
	SEND(b, "/private alice hi alice");
	EXPECT_LINE(a, "bob (private): hi alice");
	SEND(a, "startprivate bob");
	EXPECT(a, "Error: a private chat with bob is open");
	SEND(b, "stopprivate alice");
	EXPECT(b, "Private chat with alice stopped");
	EXPECT(a, "Private chat with bob ended");
	SEND(a, "private bob anyone?");
	EXPECT(a, "Error: no private chat with bob");
	SEND(a, "stopprivate bob");
	EXPECT(a, "Error: no private chat with bob");
	step_logout(a, "logout", "alice");
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* Decline, blocked, offline, unknown, self. */
START_TEST(test_private_errors)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	struct cli *c = step_login(s, "carol", "carol123", 0);

	SEND(a, "startprivate bob");
	EXPECT(b, "Accept? (y/n)");
	SEND(b, "n");
	EXPECT(a, "Error: bob declined the private chat");
	SEND(a, "startprivate nobody");
	EXPECT(a, "Error: no such user");
	SEND(a, "startprivate dave");
	EXPECT(a, "Error: dave is offline");
	SEND(a, "startprivate alice");
	EXPECT(a, "Error: you cannot chat privately with yourself");
	SEND(c, "block alice");
	EXPECT(c, "alice is blocked");
	SEND(a, "startprivate carol");
	EXPECT(a, "Error: carol has blocked you");
	/* Declined and refused ones leave nothing behind: ask again. */
	SEND(a, "startprivate bob");
	EXPECT(b, "Accept? (y/n)");
	SEND(b, "y");
	EXPECT(a, "Private chat with bob started");
	step_logout(a, "logout", "alice");
	EXPECT(b, "Private chat with alice ended");
	step_logout(b, "logout", "bob");
	step_logout(c, "logout", "carol");
	step_stop_ok(s);
}
END_TEST

/* The peer is told when the other side logs out or times out. */
START_TEST(test_private_logout_timeout)
{
	struct srv *s = SRV_START("[accounts]\nregistration = no\n"
	    "[server]\nidle_timeout = 3\n", CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	long long end;

	private_open(a, b);
	SEND(b, "logout");
	EXPECT(a, "Private chat with bob ended");
	EXPECT_EXIT(b, 0);
	cli_free(b);
	b = step_login(s, "bob", "bob123", 0);
	private_open(a, b);
	/* Only bob keeps talking to the server (every second, well inside
	   his own 3 s idle timeout): alice times out, and bob is told. */
	for (end = e2e_now_ms() + e2e_scale(15000);; ) {
		SEND(b, "/who");
		if (cli_expect(b, "Private chat with alice ended", 1000))
			break;
		ck_assert_msg(e2e_now_ms() < end, "%s", cli_why(b));
	}
	cli_free(a);
	step_logout(b, "logout", "bob");
	step_stop_ok(s);
}
END_TEST

/* The "private" test case of suite e2e_p2p. */
/*
 * Both sides go idle together: their idle timeouts fall due in the same
 * pass, and the one logged out second is still told that the chat ended
 * (the first one's client exits on its own BYE).  Their last commands
 * arrive within a millisecond, which TCP_NODELAY on the server's sockets
 * makes the usual case; the server used to skip the notice when the peer
 * was being logged out in the same pass.
 */
START_TEST(test_private_timeout_together)
{
	struct srv *s = SRV_START("[accounts]\nregistration = no\n"
	    "[server]\nidle_timeout = 3\n", CREDS);
	struct cli *a = step_login(s, "alice", "alice123", 0);
	struct cli *b = step_login(s, "bob", "bob123", 0);
	bool told;

	private_open(a, b);
	SEND(a, "/who");
	SEND(b, "/who");
	/* Each client's output ends when it exits after its BYE. */
	told = cli_expect(a, "Private chat with bob ended",
	    e2e_scale(15000)) | cli_expect(b, "Private chat with alice ended",
	    e2e_scale(15000));
	ck_assert_msg(told, "neither side was told: %s / %s", cli_why(a),
	    cli_why(b));
	cli_free(a);
	cli_free(b);
	step_stop_ok(s);
}
END_TEST

/*
 * The server itself ends a private chat whose one side drops or logs out
 * (the p2p feature's logout hook): the peer's next line is "* PRIVEND",
 * before the OFFLINE event, whatever the clients do.
 */
START_TEST(test_private_peer_gone_raw)
{
	struct srv *s = SRV_START(INI, CREDS);
	struct raw *a = step_raw_login(s, "alice", "alice123", 0);
	struct raw *b = step_raw_login(s, "bob", "bob123", 0);

	RAW_EXPECT(a, "* ONLINE bob ");
	RAW_SEND(a, "1 PRIVREQ bob");
	RAW_EXPECT(a, "1 OK");
	RAW_EXPECT(b, "* PRIVASK alice ");
	RAW_SEND(b, "2 PRIVANSWER alice yes 40000");
	RAW_EXPECT(b, "2 OK");
	RAW_EXPECT(a, "* PRIVREPLY bob yes ");
	raw_close(a);
	RAW_EXPECT(b, "* PRIVEND alice lost");
	RAW_EXPECT(b, "* OFFLINE alice lost");
	/* Asked, not answered yet: the requester hears "no" at a logout. */
	a = step_raw_login(s, "alice", "alice123", 0);
	RAW_EXPECT(b, "* ONLINE alice ");
	RAW_SEND(b, "3 PRIVREQ alice");
	RAW_EXPECT(b, "3 OK");
	RAW_EXPECT(a, "* PRIVASK bob ");
	RAW_SEND(a, "4 LOGOUT");
	RAW_EXPECT(b, "* PRIVREPLY alice no");
	RAW_EXPECT(b, "* OFFLINE alice logout");
	raw_close(a);
	raw_close(b);
	step_stop_ok(s);
}
END_TEST

TCase *
tcase_e2e_private(void)
{
	TCase *tp = tcase_create("private");

	tcase_add_unchecked_fixture(tp, e2e_fixture_setup, e2e_fixture_teardown);
	tcase_set_timeout(tp, 90);
	tcase_add_test(tp, test_private_accept_stop);
	tcase_add_test(tp, test_private_errors);
	tcase_add_test(tp, test_private_logout_timeout);
	tcase_add_test(tp, test_private_timeout_together);
	tcase_add_test(tp, test_private_peer_gone_raw);
	return tp;
}
