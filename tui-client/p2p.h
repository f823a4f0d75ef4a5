/*
 * p2p.h - peer-to-peer file transfer in the client: UPD / UVF / /p2pvideo
 * / /sendfile, the offers the server announces, and the transfers
 * themselves over the client's one UDP socket, all from the frontend's
 * poll loop (app_poll_fill / app_poll_timeout / app_poll_done).
 *
 * The state is kept here (one app per client), like edge.c's.
 */
#ifndef P2P_H
#define P2P_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "cmds.h"
#include "feature.h"

struct app;
struct proto_ev;
struct conf;

#define P2P_XFER_MAX	16	/* transfers at once, both ways; over: refused */

/* Datagrams dropped, by reason: what a stranger's spraying shows up as. */
struct p2p_stats {
	uint64_t	 malformed;	/* not our format */
	uint64_t	 unknown;	/* no transfer with that id and role */
	uint64_t	 endpoint;	/* not from the announced address */
	uint64_t	 mac;		/* tag wrong: forged or corrupted */
	uint64_t	 replayed;	/* authentic, but seen before */
	uint64_t	 unsealed;	/* not sent: datagram numbers used up */
	uint64_t	 sent;		/* datagrams sent */
	uint64_t	 received;	/* datagrams accepted */
	uint64_t	 retransmitted;	/* DATA sent again */
};

/* Use udp_fd (bound by main.c, still owned by it) with settings c. */
void		 p2p_setup(int udp_fd, const struct conf *c);
/* The screen runs (true) or plain mode: what accept_files means unset. */
void		 p2p_set_screen(bool screen);
/* Stop every transfer (peers are told), remove partial files. */
void		 p2p_shutdown(struct app *a);
/* True while a transfer runs or waits. */
bool		 p2p_busy(void);
/* True while a file of ours is being sent (or offered). */
bool		 p2p_sending(void);
const struct p2p_stats *p2p_stats(void);

/* The poll interface (see app.h). */
int		 p2p_poll_fill(struct pollfd *pfd, int max);
int		 p2p_poll_timeout(void);
void		 p2p_poll_done(struct app *a, const struct pollfd *pfd, int n);

/* An event from the server (FILEOFFER); false when not ours. */
bool		 p2p_event(struct app *a, const struct proto_ev *ev);

/* Command table entries (cmds.c). */
cmds_handler_fn	 p2p_do_sendfile;	/* /sendfile, UPD, UVF, /p2pvideo */
cmds_handler_fn	 p2p_do_transfers;	/* /transfers */

/* File transfers as a feature module (features.c). */
extern const struct feature p2p_feature;

#endif /* P2P_H */
