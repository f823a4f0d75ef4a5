/*
 * proto.h - the wire protocol shared by firmware-server and tui-client.
 *
 * Everything a peer may send is bounded here.  The codec is pure: it never
 * does I/O or logging, works on caller-owned buffers and returns an error
 * enum for bad input.  docs/PROTOCOL.md is the prose version of this file.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROTO_VERSION		1

/* Limits: every length on the wire has one. */
#define PROTO_LINE_MAX		4096	/* bytes in one line, LF included */
#define PROTO_TAG_MAX		16	/* request tag: [A-Za-z0-9]{1,16} */
#define PROTO_VERB_MAX		16	/* request verb: [A-Za-z/]{1,16} */
#define PROTO_CODE_MAX		16	/* ERR code or event name */
#define PROTO_USER_MAX		32	/* user name: [A-Za-z0-9_.-]{1,32} */
#define PROTO_BOARD_MAX		32	/* board name: [A-Za-z0-9_-]{1,32} */
#define PROTO_ADDR_MAX		(PROTO_USER_MAX + 1 + PROTO_BOARD_MAX)
					/* USER or USER@BOARD (federation) */
#define PROTO_PASS_MAX		128	/* password bytes */
#define PROTO_TEXT_MAX		2048	/* message text bytes */
#define PROTO_BLOB_MAX		65536	/* binary payload after one line */
#define PROTO_ARGS_MAX		34	/* words in one request after the verb */
#define PROTO_IP_MAX		63	/* text of an IPv4 or IPv6 address */
#define PROTO_TIME_MAX		31	/* text of a TIME ("23 Feb 2021 16:01:20") */
#define PROTO_MSGID_MAX		80	/* a direct message's id:
					   [A-Za-z0-9._-]{1,80} */

/* The version as text, for HELLO (the request and the greeting). */
#define PROTO_STR_(x)		#x
#define PROTO_STR(x)		PROTO_STR_(x)
#define PROTO_VERSION_STR	PROTO_STR(PROTO_VERSION)

/* Verbs of protocol version 1 (requests, client -> server). */
#define PROTO_V_HELLO		"HELLO"		/* HELLO VERSION */
#define PROTO_V_LOGIN		"LOGIN"		/* LOGIN USER [UDPPORT] */
#define PROTO_V_PASS		"PASS"		/* PASS PASSWORD */
#define PROTO_V_REGISTER	"REGISTER"	/* REGISTER NEWPASSWORD */
#define PROTO_V_WHO		"WHO"		/* WHO */
#define PROTO_V_WHOSINCE	"WHOSINCE"	/* WHOSINCE SECONDS */
#define PROTO_V_LOGOUT		"LOGOUT"	/* LOGOUT */
#define PROTO_V_PING		"PING"		/* PING (not user activity) */
#define PROTO_V_MSGTO		"MSGTO"		/* MSGTO USER TEXT */
#define PROTO_V_BROADCAST	"BROADCAST"	/* BROADCAST TEXT */
#define PROTO_V_BLOCK		"BLOCK"		/* BLOCK USER */
#define PROTO_V_UNBLOCK		"UNBLOCK"	/* UNBLOCK USER */
#define PROTO_V_POST		"POST"		/* POST TEXT */
#define PROTO_V_DELPOST		"DELPOST"	/* DELPOST N TIME */
#define PROTO_V_EDITPOST	"EDITPOST"	/* EDITPOST N TIME TEXT */
#define PROTO_V_READPOSTS	"READPOSTS"	/* READPOSTS TIME */
#define PROTO_V_GCREATE		"GCREATE"	/* GCREATE NAME USER... */
#define PROTO_V_GJOIN		"GJOIN"		/* GJOIN NAME */
#define PROTO_V_GMSG		"GMSG"		/* GMSG NAME TEXT */
#define PROTO_V_UPLOAD		"UPLOAD"	/* UPLOAD ID SIZE: start an upload */
#define PROTO_V_UPDATA		"UPDATA"	/* UPDATA ID {N}: a chunk of it */
#define PROTO_V_UPEND		"UPEND"		/* UPEND ID: all SIZE bytes sent */
#define PROTO_V_STATS		"STATS"		/* STATS ID SUM|AVERAGE|MAX|MIN */
#define PROTO_V_DELETE		"DELETE"	/* DELETE ID: an uploaded file */
/* Peer to peer (firmware-server/cmd_p2p.c; docs/PROTOCOL.md "Peer to peer"). */
#define PROTO_V_SENDFILE	"SENDFILE"	/* SENDFILE USER SIZE NAME */
#define PROTO_V_PRIVREQ		"PRIVREQ"	/* PRIVREQ USER: ask for a chat */
#define PROTO_V_PRIVANSWER	"PRIVANSWER"	/* PRIVANSWER USER yes PORT|no */
#define PROTO_V_PRIVSTOP	"PRIVSTOP"	/* PRIVSTOP USER: end a chat */

/* ERR codes (server -> client, "TAG ERR CODE TEXT"). */
#define PROTO_E_PROTO		"proto"		/* malformed line */
#define PROTO_E_VERSION		"version"	/* protocol version mismatch */
#define PROTO_E_UNKNOWN		"unknown"	/* unknown verb */
#define PROTO_E_ARGS		"args"		/* wrong argument count or form */
#define PROTO_E_STATE		"state"		/* not allowed in this state */
#define PROTO_E_AUTH		"auth"		/* wrong password */
#define PROTO_E_BLOCKED		"blocked"	/* name locked out for a while */
#define PROTO_E_INUSE		"inuse"		/* name already logged in */
#define PROTO_E_NOUSER		"nouser"	/* no such user */
#define PROTO_E_EXISTS		"exists"	/* already exists */
#define PROTO_E_LIMIT		"limit"		/* a length or count limit */
#define PROTO_E_IO		"io"		/* the server could not store it */
#define PROTO_E_NOTFOUND	"notfound"	/* no such post, group or block */
#define PROTO_E_DENIED		"denied"	/* blocked by the recipient, not
						   the author, not invited */
#define PROTO_E_MISMATCH	"mismatch"	/* the post's timestamp differs */
#define PROTO_E_OFFLINE		"offline"	/* the user is not online */
#define PROTO_E_SELF		"self"		/* not to or about oneself */
#define PROTO_E_DATA		"data"		/* a data file is not integers, one
						   per line, or came incomplete */

/* Events (server -> client, "* NAME ARGS"). */
#define PROTO_EV_HELLO		"HELLO"		/* greeting */
#define PROTO_EV_ONLINE		"ONLINE"	/* ONLINE USER IP UDPPORT TIME */
#define PROTO_EV_OFFLINE	"OFFLINE"	/* OFFLINE USER REASON */
#define PROTO_EV_BYE		"BYE"		/* BYE CODE TEXT; server closes */
#define PROTO_EV_INFO		"INFO"		/* INFO TEXT */
#define PROTO_EV_IDLE		"IDLE"		/* IDLE SECONDS: idle timeout */
/* The OFFLINE reason when a user blocked you: not a logout. */
#define PROTO_OFF_HIDDEN	"hidden"
#define PROTO_EV_MSG		"MSG"		/* MSG FROM TIME id:ID TEXT */
/* The word in front of a direct message's id in MSG. */
#define PROTO_MSGID_PREFIX	"id:"
#define PROTO_EV_BCAST		"BCAST"		/* BCAST FROM TIME TEXT */
#define PROTO_EV_GINVITE	"GINVITE"	/* GINVITE GROUP FROM MEMBER... */
#define PROTO_EV_GMSG		"GMSG"		/* GMSG GROUP FROM TIME TEXT */
#define PROTO_EV_FILEOFFER	"FILEOFFER"	/* FILEOFFER FROM XID SIZE IP PORT
						   SECRET NAME */
#define PROTO_EV_PRIVASK	"PRIVASK"	/* PRIVASK FROM SECRET */
#define PROTO_EV_PRIVREPLY	"PRIVREPLY"	/* PRIVREPLY USER yes IP PORT
						   SECRET | PRIVREPLY USER no */
#define PROTO_EV_PRIVEND	"PRIVEND"	/* PRIVEND USER REASON */
#define PROTO_SECRET_HEX	32		/* a peer-to-peer secret: 128 bits
						   as lower-case hex */
#define PROTO_FILENAME_MAX	255		/* bytes of a file name offered */

#define PROTO_GROUP_MAX		32	/* group name: [A-Za-z0-9]{1,32} */
#define PROTO_GROUP_INVITE_MAX	32	/* users named in one GCREATE */

enum proto_err {
	PROTO_OK = 0,
	PROTO_ERR_EMPTY,	/* empty line */
	PROTO_ERR_TOOLONG,	/* line or payload over its limit */
	PROTO_ERR_TAG,		/* missing or invalid tag */
	PROTO_ERR_VERB,		/* missing or invalid verb */
	PROTO_ERR_KIND,		/* reply kind is not ., OK or ERR */
	PROTO_ERR_CODE,		/* missing or invalid code / event name */
	PROTO_ERR_BLOB,		/* malformed {N} payload marker */
	PROTO_ERR_UTF8,		/* invalid UTF-8 */
	PROTO_ERR_CTRL,		/* control character in a line */
	PROTO_ERR_EVENT,	/* an event name the codec does not know */
	PROTO_ERR_FIELD,	/* an event's fields do not have its form */
};

/* One frame cut from a byte stream: a line and an optional payload. */
struct proto_frame {
	size_t	line_len;	/* bytes of the line without CR/LF */
	size_t	blob_off;	/* offset of the payload in the buffer */
	size_t	blob_len;	/* payload bytes (0 if none) */
	size_t	total;		/* bytes the frame occupies, LF and payload included */
};

/*
 * Look for one complete frame at the start of buf.  Returns 1 and fills f
 * when a whole frame (line and any " {N}" payload) is present, 0 when more
 * bytes are needed, or -1 with *err set when the stream is broken (no LF in
 * PROTO_LINE_MAX bytes, or a payload marker over PROTO_BLOB_MAX).
 */
int		 proto_frame(const char *buf, size_t len, struct proto_frame *f,
		     enum proto_err *err);

/* A parsed request: "TAG VERB[ ARGS][ {N}]".  Pointers point into the line. */
struct proto_req {
	char		 tag[PROTO_TAG_MAX + 1];
	char		 verb[PROTO_VERB_MAX + 1];	/* upper-cased */
	char		*args;		/* text after "VERB ", "" if none;
					   the " {N}" marker is cut off */
	size_t		 blob_len;	/* N from a " {N}" marker, else 0 */
	bool		 has_blob;
};

/*
 * Parse one request line of len bytes (NUL-terminated after them, without
 * CR/LF) in place.  Checks UTF-8 and control characters: C0 (TAB and NUL
 * included), DEL, C1 and the bidi overrides and isolates are refused
 * (PROTO_ERR_CTRL).  On error, req->tag still holds the tag when one could
 * be read, so the reply can carry it.
 */
enum proto_err	 proto_parse_req(char *line, size_t len, struct proto_req *req);

enum proto_kind {
	PROTO_MSG_DATA,		/* "TAG . TEXT" */
	PROTO_MSG_OK,		/* "TAG OK[ TEXT]" */
	PROTO_MSG_ERR,		/* "TAG ERR CODE[ TEXT]"; tag may be "*" */
	PROTO_MSG_EVENT,	/* "* NAME[ TEXT]" */
};

/* A parsed server line.  text points into the line ("" if none). */
struct proto_msg {
	enum proto_kind	 kind;
	char		 tag[PROTO_TAG_MAX + 1];	/* "*" for events */
	char		 code[PROTO_CODE_MAX + 1];	/* ERR code / event name */
	char		*text;
};

/* Parse one server line (NUL-terminated, without CR/LF) in place. */
enum proto_err	 proto_parse_msg(char *line, struct proto_msg *msg);

/*
 * Split s in place into words separated by single spaces.  At most max
 * words; when rest is true and there are more, the last word is the rest
 * of the string.  Returns the number of words, or -1 when there are more
 * than max words and rest is false, or a word is empty (double space).
 */
int		 proto_split(char *s, char **argv, int max, bool rest);

/* True when s is a valid user name ([A-Za-z0-9_.-]{1,PROTO_USER_MAX}). */
bool		 proto_valid_user(const char *s);
/* True when s is a board name ([A-Za-z0-9_-]{1,PROTO_BOARD_MAX}). */
bool		 proto_valid_board(const char *s);
/* True when s is a user name or USER@BOARD (a user of another board). */
bool		 proto_valid_addr(const char *s);

/* True when s (len bytes) is well-formed UTF-8 (no overlongs, no surrogates). */
bool		 proto_valid_utf8(const char *s, size_t len);

/* True when s (len bytes) is valid UTF-8 without C0 controls, DEL, C1
   controls or bidi overrides/isolates: text a terminal may show. */
bool		 proto_valid_text(const char *s, size_t len);

/* The most bytes of s (len bytes of UTF-8), at most max, that do not cut
   a character in two. */
size_t		 proto_utf8_cut(const char *s, size_t len, size_t max);

/* Replace the bytes of s (len) that are not part of a whole UTF-8
   character by '?', in place. */
void		 proto_utf8_scrub(char *s, size_t len);

/* Parse a decimal integer in [min, max]; the whole string must be digits
   (a leading '-' allowed when min < 0).  Returns 0 or -1. */
int		 proto_parse_int(const char *s, long long min, long long max,
		     long long *out);

/* Copy at most n-1 bytes of src to dst, replacing control and non-ASCII
   bytes by '?', for a short log sample of bad input. */
void		 proto_sanitize(char *dst, size_t n, const char *src, size_t len);

/* A short English description of an error, for replies and logs. */
const char	*proto_strerror(enum proto_err err);

#endif /* PROTO_H */
