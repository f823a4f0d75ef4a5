/*
 * harness.h - end-to-end test harness: start the real firmware-server and
 * tui-client (plain mode) on loopback, talk to them, and clean up.
 *
 * Every server gets its own temporary directory (data directory, or the
 * working directory for the generations' positional forms) and its own
 * free TCP port.  Children get PR_SET_PDEATHSIG(SIGKILL), so a test that
 * fails half-way (Check's fork mode ends the test process at once) leaves
 * no process behind; e2e_fixture_setup/teardown (an unchecked fixture)
 * remove every directory the tests of a tcase created, even failed ones.
 *
 * All waits poll against a deadline; nothing sleeps a fixed time.  When a
 * wait fails, *_why() returns a description with the last lines seen (and
 * the tail of the server's log), meant for ck_assert_msg; the EXPECT-style
 * macros below do exactly that.
 *
 * Set E2E_KEEP=1 in the environment to keep the directories for a look.
 *
 * One file per driver: harness_server.c (srv_*), harness_plain.c (cli_*),
 * harness_raw.c (raw_*), tmux.c (tmx_*, tmux.h); harness_stream.c reads
 * their output into lines; harness.c holds what they share (e2e_*).
 */
#ifndef E2E_HARNESS_H
#define E2E_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#ifndef TEST_BUILD_DIR
#define TEST_BUILD_DIR		"build"
#endif
#define E2E_SERVER_BIN		TEST_BUILD_DIR "/firmware-server"
#define E2E_CLIENT_BIN		TEST_BUILD_DIR "/tui-client"

/* Waits in ms, scaled by CK_TIMEOUT_MULTIPLIER (e.g. 10 under qemu). */
/* The demo accounts the suites log in with: each password is name + "123". */
#define E2E_CREDS	"alice alice123\nbob bob123\ncarol carol123\n"
#define E2E_CREDS4	E2E_CREDS "dave dave123\n"

#define E2E_WAIT_MS		e2e_scale(10000) /* for one expected line */
#define E2E_EXIT_MS		e2e_scale(10000) /* for a process to exit */

/* ---- fixture ----------------------------------------------------------- */

/* Unchecked fixture (runs in the runner, around a tcase): makes a parent
   directory for the tcase's temporary directories and removes it after. */
void		 e2e_fixture_setup(void);
void		 e2e_fixture_teardown(void);

/* The last harness error (start-up failures), with details. */
const char	*e2e_error(void);

/* ---- server ------------------------------------------------------------ */

struct srv {
	pid_t	 pid;		/* -1 when not running */
	int	 port;		/* TCP port it listens on (127.0.0.1) */
	char	 dir[256];	/* temp dir: data dir / working directory */
	char	 log[300];	/* dir/server.log: its stdout and stderr */
	int	 status;	/* exit code after srv_terminate, see there */
	char	*args[32];	/* the arguments of the last srv_run */
	bool	 died;		/* it ended while a test still used it */
	char	 note[300];	/* why srv_terminate() returned -1 */
};

/*
 * Start a server with an INI file: a fresh temp dir holding credentials
 * (NULL: no credentials.txt) and server.ini, which sets [server] listen and
 * port and [storage] data_dir, plus ini_body (NULL or more sections; a
 * [server] or [storage] header in it is merged, never repeated).  Waits
 * until the port accepts and the server holds its listening socket (a port
 * taken by another process: another port, up to START_TRIES).  NULL on
 * failure (see e2e_error()).
 */
struct srv	*srv_start(const char *ini_body, const char *credentials);

/*
 * Start a server with the generations' positional arguments, run in its
 * temp dir (which holds credentials.txt): "firmware-server PORT arg...",
 * the arguments after PORT given as a NULL-terminated list.
 */
struct srv	*srv_start_pos(const char *credentials, ...)
		    __attribute__((sentinel));

/*
 * Only make the temp dir (with credentials when not NULL) and pick a port,
 * to prepare files before srv_run(), or for srv_exec().
 */
struct srv	*srv_prepare(const char *credentials);

/* Start the prepared server with argv (argv[0] unused: the binary is
   E2E_SERVER_BIN) in its dir and wait until it accepts on a socket of its
   own.  true when up. */
bool		 srv_run(struct srv *s, const char *const argv[]);

/* srv_start()'s second half, for a prepared dir: write server.ini, start. */
bool		 srv_start_prepared(struct srv *s, const char *ini_body);

/* Stop the server (SIGTERM) and start it again with the same arguments,
   the same dir and port: for persistence checks.  true when up. */
bool		 srv_restart(struct srv *s);

/*
 * Run the server binary to its end with argv in the prepared dir; output
 * (stdout and stderr) into *out (malloc'd, may be NULL).  Returns the exit
 * code, 128+N when killed by signal N, or -1 when it did not exit within
 * timeout_ms (it is killed then).
 */
int		 srv_exec(struct srv *s, const char *const argv[],
		    int timeout_ms, char **out);

/*
 * Stop the server with sig (SIGTERM, SIGINT), wait up to 10 s (then
 * SIGKILL).  Returns and stores in s->status the exit code, 128+N when
 * killed by signal N, -1 when it had to be killed or had ended before
 * (s->died).  Keeps the files.
 */
int		 srv_terminate(struct srv *s, int sig);

/* srv_terminate(s, SIGTERM), remove the temp dir, free s.  Returns the
   status.  NULL is fine. */
int		 srv_stop(struct srv *s);

/* Write / read a file in the server's dir (read: malloc'd, NULL if
   missing).  Path names are relative to s->dir. */
bool		 srv_write_file(struct srv *s, const char *name,
		    const char *content);
char		*srv_read_file(struct srv *s, const char *name);

/* The last lines of the server's log, for messages (static buffer). */
const char	*srv_log_tail(struct srv *s, int nlines);

/* ---- line streams (shared by clients and raw connections) -------------- */

struct stream {
	int	 fd;		/* -1 when closed */
	bool	 eof;
	char	 part[8192];	/* an incomplete line */
	size_t	 plen;
	char	**line;		/* every complete line read so far */
	size_t	 n, cap;
	size_t	 pos;		/* the next line an expect looks at */
	char	 label[48];	/* "client alice", "raw 2" */
};

/* ---- plain client ------------------------------------------------------ */

struct cli {
	pid_t		 pid;		/* -1 after it was reaped */
	int		 in;		/* its stdin (-1 once closed) */
	int		 status;	/* exit code once reaped, as srv_exec */
	struct stream	 out;		/* its stdout and stderr, merged */
	struct srv	*srv;
	char		 why[7000];	/* description of the last failure */
};

/*
 * Start "tui-client --plain 127.0.0.1 PORT [extra...]" (extra: a
 * NULL-terminated list, e.g. a UDP port) in a directory of the server's
 * temp dir.  NULL on failure.
 */
struct cli	*cli_start(struct srv *s, ...) __attribute__((sentinel));

/* Name the client in failure messages ("alice"). */
void		 cli_label(struct cli *c, const char *label);

/* Write line + "\n" to its stdin. */
bool		 cli_send(struct cli *c, const char *line);

/*
 * Read output until a line containing sub arrives (lines before it are
 * passed over; the next expect starts after it).  false on timeout or end
 * of output; cli_why(c) then says why, with the last lines.
 */
bool		 cli_expect(struct cli *c, const char *sub, int ms);

/* The same, but the line must be exactly line. */
bool		 cli_expect_line(struct cli *c, const char *line, int ms);

/* Wait for the first line containing any of the NULL-terminated subs;
   returns its index, -1 on timeout or end of output. */
int		 cli_expect_any(struct cli *c, int ms, ...)
		    __attribute__((sentinel));

/* The line the last successful expect matched ("" if none). */
const char	*cli_last(struct cli *c);

/* Position (index of the next line an expect looks at) for cli_saw*. */
size_t		 cli_mark(struct cli *c);

/* The first line in [from, mark) containing sub / matching the POSIX
   extended regex re; NULL if none. */
const char	*cli_saw(struct cli *c, size_t from, const char *sub);
const char	*cli_saw_re(struct cli *c, size_t from, const char *re);

/* Lines [from, mark) as one string, for messages (static buffer). */
const char	*cli_lines(struct cli *c, size_t from);

/* Close its stdin, then cli_wait(). */
int		 cli_close_wait(struct cli *c, int ms);

/* Wait for it to exit (reading its output meanwhile).  Returns the exit
   code, 128+N when killed by signal N, or -1 on timeout (it is killed). */
int		 cli_wait(struct cli *c, int ms);

/* Why the last expect or wait failed, with the transcript's tail. */
const char	*cli_why(struct cli *c);

/* Kill it if still running, free it.  NULL is fine. */
void		 cli_free(struct cli *c);

/* ---- raw protocol connection ------------------------------------------- */

struct raw {
	struct stream	 in;
	struct srv	*srv;
	char		 why[7000];
};

/* Connect to the server's port.  NULL on failure. */
struct raw	*raw_connect(struct srv *s);

/* Send line + "\n" / len bytes as they are. */
bool		 raw_send(struct raw *r, const char *line);
bool		 raw_send_bytes(struct raw *r, const void *buf, size_t len);

/* The next line (NULL on timeout or end of stream; raw_why() says). */
const char	*raw_next(struct raw *r, int ms);

/* The next line must start with prefix. */
bool		 raw_expect(struct raw *r, const char *prefix, int ms);

/* Wait until the server closes the connection (lines that arrive
   meanwhile are kept).  true when closed within ms. */
bool		 raw_expect_closed(struct raw *r, int ms);

const char	*raw_why(struct raw *r);
void		 raw_close(struct raw *r);
/* A raw connection from another loopback source address (127.0.0.2). */
struct raw	*raw_connect_from(struct srv *s, const char *src);

/* ---- misc -------------------------------------------------------------- */

/* A free TCP / UDP port on 127.0.0.1 (not one handed out before by this
   process).  -1 on failure. */
int		 e2e_free_tcp_port(void);
int		 e2e_free_udp_port(void);
/* A connected TCP socket to 127.0.0.1:port, -1 on failure. */
int		 e2e_tcp_connect(int port);
/* A listening TCP socket on 127.0.0.1, its port in *port; fails the test
   when it cannot. */
int		 e2e_tcp_listen(int *port);

/* ms times CK_TIMEOUT_MULTIPLIER (when set and >= 1). */
int		 e2e_scale(int ms);

/* Milliseconds on a monotonic clock. */
long long	 e2e_now_ms(void);

/* Sleep for ms (for poll intervals in retry loops only). */
void		 e2e_nap(int ms);

/* True when s is "DD Mon YYYY HH:MM:SS". */
bool		 e2e_is_time(const char *s);

/* A "kB" line of /proc/PID/status (field "VmRSS", "VmHWM", ...), or -1. */
long		 e2e_proc_kb(pid_t pid, const char *field);

/* ---- assertions -------------------------------------------------------- */

#define SRV_START(ini, creds)	e2e_srv_start_ok(srv_start((ini), (creds)))
#define EXPECT(c, sub)							\
	ck_assert_msg(cli_expect((c), (sub), E2E_WAIT_MS), "%s", cli_why(c))
#define EXPECT_MS(c, sub, ms)						\
	ck_assert_msg(cli_expect((c), (sub), (ms)), "%s", cli_why(c))
#define EXPECT_LINE(c, l)						\
	ck_assert_msg(cli_expect_line((c), (l), E2E_WAIT_MS), "%s", cli_why(c))
#define EXPECT_EXIT(c, code) do {					\
	int e2e_st_ = cli_wait((c), E2E_EXIT_MS);			\
	ck_assert_msg(e2e_st_ == (code),				\
	    "expected exit status %d, got %d\n%s", (code), e2e_st_,	\
	    cli_why(c));						\
} while (0)
#define SEND(c, line)							\
	ck_assert_msg(cli_send((c), (line)), "%s", cli_why(c))
#define RAW_EXPECT(r, prefix)						\
	ck_assert_msg(raw_expect((r), (prefix), E2E_WAIT_MS), "%s", raw_why(r))
#define RAW_SEND(r, line)						\
	ck_assert_msg(raw_send((r), (line)), "%s", raw_why(r))

/* Assert a start worked, with the reason; returns s. */
struct srv	*e2e_srv_start_ok(struct srv *s);

#endif /* E2E_HARNESS_H */
