/*
 * model.h - what the client knows, with no I/O and no curses: the users
 * online, a bounded scrollback of display lines, the login state and the
 * current input prompt.  Frontends (plain.c, the screen's ui*.c) register
 * callbacks and draw from here.  The app and its feature modules (who,
 * msgs, edge, p2p, privchat) write the session's lines and users; the
 * screen writes only its own lines (window commands, echoes, questions)
 * and keeps copies in the windows' own models (win.c).
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto.h"

#define MODEL_SCROLLBACK_DEFAULT 2000	/* lines kept; over: the oldest go */
#define MODEL_LINE_MAX	PROTO_LINE_MAX	/* bytes of one line; over: cut */
#define MODEL_USERS_MAX	4096		/* users listed; over: ignored */
#define MODEL_IP_MAX	64		/* text of an IPv4/IPv6 address */
#define MODEL_TIME_MAX	32		/* text of a login time */
#define MODEL_PROMPT_MAX 64		/* text of a prompt */

/* What a display line is, for colours and filtering. */
enum model_line_kind {
	MODEL_LINE_NORMAL = 0,	/* replies and messages */
	MODEL_LINE_ERROR,	/* "Error: ..." */
	MODEL_LINE_INFO,	/* notices, help, login steps */
	MODEL_LINE_PRESENCE,	/* "bob logged in" / "bob logged out" */
	MODEL_LINE_MESSAGE,	/* a message from someone: direct, broadcast,
				   group */
	MODEL_LINE_PRIVATE,	/* a private-chat line from the peer */
	MODEL_LINE_DAY,		/* "Day changed to ...": every window */
	MODEL_LINE_SENT,	/* "Message sent to bob at ...": the status
				   window only (a conversation window shows
				   our own line instead) */
};

struct model_line {
	enum model_line_kind	 kind;
	unsigned long		 seq;	/* 1 for the first line ever added */
	char			*text;
	/* The conversation it belongs to ("@bob", "#study", "~bob"), or
	   NULL; in the same allocation as text. */
	const char		*conv;
	bool			 own;	/* our own words (no activity mark) */
};

#define MODEL_CONV_MAX	48	/* bytes of a conversation key */

struct model_user {
	char		 name[PROTO_ADDR_MAX + 1];	/* USER or USER@BOARD */
	char		 ip[MODEL_IP_MAX];
	unsigned	 port;		/* UDP port for peer-to-peer sends */
	char		 since[MODEL_TIME_MAX];	/* "22 Nov 2026 10:15:02" */
};

/* Where the session is. */
enum model_state {
	MODEL_STATE_CONNECTING = 0,	/* waiting for the greeting */
	MODEL_STATE_LOGIN,		/* username / password steps */
	MODEL_STATE_ACTIVE,		/* logged in */
	MODEL_STATE_CLOSED,		/* logged out or disconnected */
};

/* What the input line is for now. */
enum model_input {
	MODEL_INPUT_NONE = 0,	/* nothing is asked (connecting, closing) */
	MODEL_INPUT_ASK,	/* a question: the prompt is shown */
	MODEL_INPUT_SECRET,	/* a question whose answer is not shown */
	MODEL_INPUT_COMMAND,	/* a command line */
};

#define MODEL_XFER_MAX	16		/* transfers shown at once; over: refused */
#define MODEL_XFER_LABEL_MAX 96		/* "UED 3", "photo.jpg to bob" */

/* Which way a transfer goes, seen from this client. */
enum model_xfer_dir {
	MODEL_XFER_SEND = 0,	/* we send (upload, file to a peer) */
	MODEL_XFER_RECV,	/* we receive */
};

/* A transfer with progress, for progress bars and progress lines. */
struct model_xfer {
	int			 id;		/* > 0, unique in this client */
	enum model_xfer_dir	 dir;
	char			 label[MODEL_XFER_LABEL_MAX];
	uint64_t		 done;		/* bytes so far */
	uint64_t		 total;		/* bytes in all (0: unknown) */
	double			 rate;		/* smoothed bytes per second */
	int64_t			 eta_ms;	/* time left, -1 when unknown */
	int64_t			 start_ms;
	int64_t			 last_ms;	/* time of the last sample */
	uint64_t		 last_done;	/* bytes at the last sample */
	bool			 ok;		/* at the end: it completed */
	int64_t			 end_ms;	/* at the end: when it ended */
};

/* Frontend hooks; any may be NULL. */
struct model_cbs {
	void	(*on_line)(void *arg, const struct model_line *line);
	void	(*on_prompt)(void *arg);	/* prompt set (even if the same) */
	void	(*on_users)(void *arg);		/* the user list changed */
	void	(*on_xfer)(void *arg, const struct model_xfer *x, bool ended);
	void	*arg;
};

struct model;

/* A new model keeping at most scrollback lines (0: the default). */
struct model	*model_new(size_t scrollback);
void		 model_free(struct model *m);
void		 model_set_cbs(struct model *m, const struct model_cbs *cbs);

/* Add a display line (cut at MODEL_LINE_MAX); drops the oldest when full. */
void		 model_add_line(struct model *m, enum model_line_kind kind,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The next line added belongs to conversation conv ("@USER" direct,
 * "#GROUP", "~USER" private; NULL: none) and is (own) our own words.
 * Used once, by the next model_add_line.
 */
void		 model_set_conv(struct model *m, const char *conv, bool own);
/* Add a line as it is (kind, conversation, own), for window stores. */
void		 model_add_copy(struct model *m, const struct model_line *l);
/* Forget every line (sequence numbers go on). */
void		 model_clear_lines(struct model *m);
/*
 * Start every line added from now on with the local time in this
 * strftime format ("%H:%M"; NULL or "": no time), and say "Day changed
 * to ..." before the first line of a new day.  The screen sets it; plain
 * mode keeps its lines as they are.
 */
void		 model_set_stamp(struct model *m, const char *fmt);
/* The wall clock that stamps read (time() unless a test sets another). */
void		 model_set_clock(struct model *m, time_t (*now)(time_t *));
/* True when lines are stamped (the screen): messages may be shorter. */
bool		 model_stamped(const struct model *m);
/* Lines held now (at most the scrollback size). */
size_t		 model_line_count(const struct model *m);
/* Line i, 0 being the oldest held; NULL when out of range. */
const struct model_line *model_line_at(const struct model *m, size_t i);

/* Add a user, or update the one with that name; -1 when the list is full. */
int		 model_user_add(struct model *m, const struct model_user *u);
/* Remove a user by name; -1 when not listed. */
int		 model_user_remove(struct model *m, const char *name);
/* Empty the list (before a WHO reply refills it). */
void		 model_users_clear(struct model *m);
size_t		 model_user_count(const struct model *m);
/* User i in order of arrival; NULL when out of range. */
const struct model_user *model_user_at(const struct model *m, size_t i);
/* The user with that name, or NULL. */
const struct model_user *model_user_find(const struct model *m,
		     const char *name);
/*
 * Parse "USER IP UDPPORT TIME" (a WHO data line or an ONLINE event) into
 * u.  Returns 0, or -1 when a field is missing or malformed.
 */
int		 model_user_parse(const char *text, struct model_user *u);
struct proto_ev_user;
/* Fill u from the decoded fields of an ONLINE event or a WHO line; -1
   when one does not fit. */
int		 model_user_set(struct model_user *u,
		     const struct proto_ev_user *f);

void		 model_set_state(struct model *m, enum model_state state);
enum model_state model_state(const struct model *m);
/* The name we are logged in as ("" before login). */
void		 model_set_self(struct model *m, const char *name);
const char	*model_self(const struct model *m);

/* Set what the input line is for and its prompt text; calls on_prompt. */
void		 model_set_prompt(struct model *m, enum model_input input,
		     const char *prompt);
enum model_input model_input(const struct model *m);
const char	*model_prompt(const struct model *m);

/*
 * Transfers.  The owner of a transfer (edge upload, peer-to-peer send)
 * starts it, reports progress as bytes move and ends it; the model keeps
 * the smoothed rate and the time left, and tells the frontend (on_xfer).
 * Times are monotonic milliseconds passed in by the caller.
 */
/* Start a transfer; its id (> 0), or -1 when MODEL_XFER_MAX are running. */
int		 model_xfer_start(struct model *m, enum model_xfer_dir dir,
		     const char *label, uint64_t total, int64_t now_ms);
/* Bytes done so far (not a delta). */
void		 model_xfer_progress(struct model *m, int id, uint64_t done,
		     int64_t now_ms);
/* The transfer ended (ok or not); it leaves the list. */
void		 model_xfer_end(struct model *m, int id, bool ok, int64_t now_ms);
size_t		 model_xfer_count(const struct model *m);
/* Running transfer i, in order of start; NULL when out of range. */
const struct model_xfer *model_xfer_at(const struct model *m, size_t i);
/* The pure arithmetic, for tests: fold a sample into x's rate and ETA. */
void		 model_xfer_sample(struct model_xfer *x, uint64_t done,
		     int64_t now_ms);

/*
 * Names for Tab completion, most recent first: users we wrote to or who
 * wrote to us, and users who logged in (model_user_add of a new name
 * touches it).  Bounded: the least recent name goes.
 */
#define MODEL_RECENT_MAX 64
void		 model_recent_touch(struct model *m, const char *name);
size_t		 model_recent_count(const struct model *m);
/* Name i, 0 being the most recent; NULL when out of range. */
const char	*model_recent_at(const struct model *m, size_t i);

/*
 * True when from's direct message id was shown already in this run (the
 * server delivered it again: drop it); else it is remembered and false.
 * The last MSGID_KEEP ids, kept across reconnects; memory is taken at the
 * first call, so the conversation windows' models cost nothing.
 */
bool		 model_msg_repeat(struct model *m, const char *from,
		     const char *id);
/*
 * "N messages arrived while you were offline": held until the first of
 * the N direct messages that follow is shown (any other line shows it
 * first), and dropped when all N are repeats (model_msg_repeat), as after
 * a server's crash that delivers again what we showed before.
 */
void		 model_hold_info(struct model *m, unsigned long count,
		     const char *text);

/*
 * Users we have a private chat with, marked in the user panel (set by the
 * private-chat code; calls on_users).  Bounded by MODEL_PRIVATE_MAX.
 */
#define MODEL_PRIVATE_MAX 64
void		 model_private_set(struct model *m, const char *name, bool on);
bool		 model_private_has(const struct model *m, const char *name);
/* Users we blocked in this run, marked in the panel (calls on_users). */
void		 model_blocked_set(struct model *m, const char *name, bool on);
bool		 model_blocked_has(const struct model *m, const char *name);

#endif /* MODEL_H */
