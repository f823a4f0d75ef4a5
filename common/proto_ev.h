/*
 * proto_ev.h - every event ("* NAME ARGS") the server sends, and the
 * replies a client takes apart field by field, as data.
 *
 * This is the one place where an event's layout is written: the server
 * builds each line with a proto_ev_*_encode() function and the client
 * reads it back with proto_ev_parse() into a tagged union, so a change of
 * layout is one edit here that the compiler follows into both programs.
 * Like proto.c the codec is pure: caller-owned buffers, no I/O, no
 * logging, an error enum for bad input.  docs/PROTOCOL.md lists the
 * events in prose.
 *
 * Decoded fields are pointers into the line, which the parser cuts in
 * place; they live as long as the line does.  A TIME is the four words
 * timefmt_format() writes ("23 Feb 2021 16:01:20"), kept as text.
 */
#ifndef PROTO_EV_H
#define PROTO_EV_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

enum proto_ev_type {
	PROTO_EVT_NONE = 0,
	PROTO_EVT_HELLO,	/* HELLO SERVER PROTO VERSION: the greeting */
	PROTO_EVT_ONLINE,	/* ONLINE USER IP UDPPORT TIME */
	PROTO_EVT_OFFLINE,	/* OFFLINE USER REASON (REASON hidden: blocked) */
	PROTO_EVT_IDLE,		/* IDLE SECONDS */
	PROTO_EVT_BYE,		/* BYE CODE TEXT: the server closes */
	PROTO_EVT_ERR,		/* ERR CODE TEXT with the tag "*" */
	PROTO_EVT_INFO,		/* INFO TEXT */
	PROTO_EVT_OFFCOUNT,	/* INFO N message(s) arrived while you were
				   offline */
	PROTO_EVT_UNDELIVERED,	/* INFO Your message to USER@BOARD could not
				   be delivered: REASON */
	PROTO_EVT_MSG,		/* MSG FROM TIME [id:ID] TEXT */
	PROTO_EVT_BCAST,	/* BCAST FROM TIME TEXT */
	PROTO_EVT_GINVITE,	/* GINVITE GROUP FROM MEMBER... */
	PROTO_EVT_GMSG,		/* GMSG GROUP FROM TIME TEXT */
	PROTO_EVT_FILEOFFER,	/* FILEOFFER FROM XID SIZE IP PORT SECRET NAME */
	PROTO_EVT_PRIVASK,	/* PRIVASK FROM SECRET */
	PROTO_EVT_PRIVREPLY,	/* PRIVREPLY USER yes IP PORT SECRET |
				   PRIVREPLY USER no */
	PROTO_EVT_PRIVEND,	/* PRIVEND USER REASON */
};

/* The server's name in the greeting. */
#define PROTO_EV_SERVER		"firmware-server"

struct proto_ev_hello {
	const char	*server;
	int		 version;
};

/* ONLINE, and the same four fields in a line of the WHO reply. */
struct proto_ev_user {
	const char	*user;		/* USER or USER@BOARD */
	const char	*ip;
	int		 port;		/* UDP port, 0 when none */
	const char	*time;		/* logged in at */
};

struct proto_ev_offline {
	const char	*user;		/* USER or USER@BOARD */
	const char	*reason;	/* logout, timeout, lost, ... or "" */
	bool		 hidden;	/* reason is PROTO_OFF_HIDDEN: the user
					   blocked you and did not log out */
};

/* BYE and ERR. */
struct proto_ev_code {
	const char	*code;
	const char	*text;		/* "" when none */
};

/*
 * MSG and BCAST.  A direct message carries its id (a word "id:ID" after
 * TIME), the same every time the server delivers that message again, so
 * a client shows it once; NULL for BCAST and from a server before ids.
 */
struct proto_ev_msg {
	const char	*from;
	const char	*time;
	const char	*id;
	const char	*text;
};

struct proto_ev_ginvite {
	const char	*group;
	const char	*from;
	const char	*members;	/* the invited users, one space apart */
};

struct proto_ev_gmsg {
	const char	*group;
	const char	*from;
	const char	*time;
	const char	*text;
};

struct proto_ev_fileoffer {
	const char	*from;
	unsigned long	 xid;		/* 1..2^32-1 */
	long long	 size;		/* bytes */
	const char	*ip;
	int		 port;
	const char	*secret;	/* PROTO_SECRET_HEX hex digits */
	const char	*name;		/* the file name, spaces allowed */
};

struct proto_ev_privask {
	const char	*from;
	const char	*secret;
};

struct proto_ev_privreply {
	const char	*user;
	bool		 yes;
	const char	*ip;		/* ip, port, secret only when yes */
	int		 port;
	const char	*secret;
};

struct proto_ev_privend {
	const char	*user;
	const char	*reason;	/* stopped, logout, timeout, lost or "" */
};

struct proto_ev_undelivered {
	const char	*to;		/* USER@BOARD */
	const char	*reason;
};

/* One decoded event. */
struct proto_ev {
	enum proto_ev_type	 type;
	union {
		struct proto_ev_hello		hello;
		struct proto_ev_user		online;
		struct proto_ev_offline		offline;
		int				idle;	/* seconds */
		struct proto_ev_code		bye;	/* BYE and ERR */
		const char			*info;	/* INFO TEXT */
		unsigned long			offcount;
		struct proto_ev_undelivered	undelivered;
		struct proto_ev_msg		msg;	/* MSG and BCAST */
		struct proto_ev_ginvite		ginvite;
		struct proto_ev_gmsg		gmsg;
		struct proto_ev_fileoffer	fileoffer;
		struct proto_ev_privask		privask;
		struct proto_ev_privreply	privreply;
		struct proto_ev_privend		privend;
	} u;
};

/*
 * Encoders: each writes one whole line, "* " in front and LF behind, NUL
 * terminated, into out (n bytes) and returns its length without the NUL,
 * or -1 when it does not fit.  Lines built from fields within the limits
 * of proto.h always fit in PROTO_LINE_MAX + 1 bytes.
 */
int	 proto_ev_hello_encode(char *out, size_t n, const char *server,
	     int version);
int	 proto_ev_online_encode(char *out, size_t n, const char *user,
	     const char *ip, int port, const char *time);
int	 proto_ev_offline_encode(char *out, size_t n, const char *user,
	     const char *reason);
int	 proto_ev_idle_encode(char *out, size_t n, int seconds);
int	 proto_ev_bye_encode(char *out, size_t n, const char *code,
	     const char *text);
int	 proto_ev_err_encode(char *out, size_t n, const char *code,
	     const char *text);
int	 proto_ev_info_encode(char *out, size_t n, const char *text);
int	 proto_ev_offcount_encode(char *out, size_t n, unsigned long count);
int	 proto_ev_undelivered_encode(char *out, size_t n, const char *to,
	     const char *reason);
/* id NULL: the form of a server before ids, for tests. */
int	 proto_ev_msg_encode(char *out, size_t n, const char *from,
	     const char *time, const char *id, const char *text);
int	 proto_ev_bcast_encode(char *out, size_t n, const char *from,
	     const char *time, const char *text);
int	 proto_ev_ginvite_encode(char *out, size_t n, const char *group,
	     const char *from, const char *members);
int	 proto_ev_gmsg_encode(char *out, size_t n, const char *group,
	     const char *from, const char *time, const char *text);
int	 proto_ev_fileoffer_encode(char *out, size_t n, const char *from,
	     unsigned long xid, long long size, const char *ip, int port,
	     const char *secret, const char *name);
int	 proto_ev_privask_encode(char *out, size_t n, const char *from,
	     const char *secret);
int	 proto_ev_privreply_encode(char *out, size_t n, const char *user,
	     bool yes, const char *ip, int port, const char *secret);
int	 proto_ev_privend_encode(char *out, size_t n, const char *user,
	     const char *reason);

/* Encode any decoded event again (the same line, or its canonical form). */
int	 proto_ev_encode(const struct proto_ev *ev, char *out, size_t n);

/*
 * Decode one line the server sent (NUL-terminated, without CR/LF) in
 * place.  PROTO_ERR_KIND when it is a tagged reply rather than an event,
 * PROTO_ERR_EVENT for an event name this codec does not know (a newer
 * server), PROTO_ERR_FIELD when the fields do not have the event's form.
 */
enum proto_err	 proto_ev_parse(char *line, struct proto_ev *ev);

/* The same for an event proto_parse_msg() has already cut: its name and
   its text (cut further in place). */
enum proto_err	 proto_ev_decode(const char *name, char *text,
		     struct proto_ev *ev);

/* Decode "USER IP UDPPORT TIME" (ONLINE's fields, a WHO line) in place. */
enum proto_err	 proto_ev_user_decode(char *text, struct proto_ev_user *u);

/* True when s is a message id: [A-Za-z0-9._-]{1,PROTO_MSGID_MAX}. */
bool		 proto_ev_valid_msgid(const char *s);

/* True when a and b are the same event with the same fields. */
bool		 proto_ev_equal(const struct proto_ev *a,
		     const struct proto_ev *b);

/*
 * The replies a client reads field by field: the text of a WHO, WHOSINCE
 * or READPOSTS data line and of SENDFILE's OK.  The encoders write the
 * text only (the caller puts "TAG . " or "TAG OK " in front and the LF
 * behind); the decoders work in place like proto_ev_decode().
 */
/* A WHOSINCE line: "USER online" or "USER TIME" (last seen). */
struct proto_ev_since {
	const char	*user;		/* USER or USER@BOARD */
	bool		 online;
	const char	*time;		/* last seen; NULL when online */
};

/* A READPOSTS line: "N USER no|yes TIME TEXT" (yes: edited). */
struct proto_ev_post {
	unsigned long	 n;
	const char	*user;
	bool		 edited;
	const char	*time;
	const char	*text;
};

/* SENDFILE's OK: "XID IP PORT SECRET", where to send the file. */
struct proto_ev_fileok {
	unsigned long	 xid;
	const char	*ip;
	int		 port;
	const char	*secret;
};

/*
 * Encoders: the text into out (n bytes, NUL terminated); its length, or
 * -1 when it does not fit.
 */
/* A WHO line, decoded by proto_ev_user_decode(). */
int	 proto_ev_who_encode(char *out, size_t n, const char *user,
	     const char *ip, int port, const char *time);
/* A WHOSINCE line; time is ignored when online. */
int	 proto_ev_since_encode(char *out, size_t n, const char *user,
	     bool online, const char *time);
int	 proto_ev_post_encode(char *out, size_t n, unsigned long num,
	     const char *user, bool edited, const char *time,
	     const char *text);
int	 proto_ev_fileok_encode(char *out, size_t n, unsigned long xid,
	     const char *ip, int port, const char *secret);

/* Decoders: PROTO_OK, or PROTO_ERR_FIELD when text lacks the form. */
enum proto_err	 proto_ev_since_decode(char *text,
		     struct proto_ev_since *r);
enum proto_err	 proto_ev_post_decode(char *text, struct proto_ev_post *r);
enum proto_err	 proto_ev_fileok_decode(char *text,
		     struct proto_ev_fileok *r);

#endif /* PROTO_EV_H */
