/*
 * edge.h - the client's edge data commands: EDG writes a file of random
 * integers, UED streams it to the server, SCS asks for an aggregate, DTE
 * deletes the uploaded file.
 *
 * The uploader is paced from the frontend's loop (app_pump -> edge_pump):
 * it reads the file one chunk at a time and queues a chunk only while
 * little output is waiting, so memory stays bounded whatever the size.
 * One upload runs at a time; its state is kept here (one app per client).
 */
#ifndef CLIENT_EDGE_H
#define CLIENT_EDGE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmds.h"
#include "proto.h"
#include "feature.h"

struct app;

/* Largest N of EDG (about 11 GB of text). */
#define EDGE_GEN_MAX		1000000000LL
/* Bytes of one UPDATA chunk. */
#define EDGE_CHUNK		PROTO_BLOB_MAX
/* Queue another chunk only while less than this is waiting to be sent. */
#define EDGE_OUT_LOW		(128 * 1024)
/* Requests left free for other commands while an upload runs. */
#define EDGE_PENDING_SPARE	16
/* At most one progress report to the model per this many ms. */
#define EDGE_PROGRESS_MS	100
/* Integers EDG writes per pass of the loop (a few ms of work), so the
   screen, chat and transfers go on while a big file is written. */
#define EDGE_GEN_STEP		200000

/* The local file of user's ID: "<user>-<ID>.txt"; 0, or -1 if too long. */
int	 edge_local_name(const char *user, long long id, char *buf,
	     size_t len);
/*
 * Writing n random integers (uniform over the 32-bit signed range), one
 * per line, to path: through path.tmp and rename(), so an earlier file is
 * replaced whole or not at all.  edge_gen_open() starts (0, or -1 with
 * errno set); edge_gen_step() writes up to max more and returns 1 once the
 * file is complete and in place, 0 while more is left, -1 with errno set
 * (the temporary file is then gone); edge_gen_abort() gives up.
 */
struct edge_gen {
	int		 fd;
	uint64_t	 seed;
	long long	 n, done;
	uint64_t	 bytes;		/* written so far */
	char		*buf;
	char		 path[PATH_MAX];
	char		 tmp[PATH_MAX + 8];
};
int	 edge_gen_open(struct edge_gen *g, const char *path, long long n);
int	 edge_gen_step(struct edge_gen *g, long long max);
void	 edge_gen_abort(struct edge_gen *g);
/* All of it at once: 0, or -1 with errno set. */
int	 edge_generate(const char *path, long long n);

/* True while an upload or an EDG runs (plain mode waits for it before
   reading on). */
bool	 edge_busy(void);
/* Queue the next chunks of the upload when there is room; write the next
   part of an EDG file. */
void	 edge_pump(struct app *a);
/* The server connection is gone: end a running upload (said in a line). */
void	 edge_lost(struct app *a);
/* 0 while an EDG has more to write (the loop must not sleep), else -1. */
int	 edge_poll_timeout(void);

/* Command table entries (cmds.c): argument checks and handlers. */
cmds_check_fn	edge_check_gen;		/* ID N */
cmds_check_fn	edge_check_id;		/* ID */
cmds_check_fn	edge_check_stats;	/* ID OP */
cmds_handler_fn	edge_do_gen;		/* EDG, /gen */
cmds_handler_fn	edge_do_upload;		/* UED, /upload */
cmds_handler_fn	edge_do_stats;		/* SCS, /stats */
cmds_handler_fn	edge_do_delete;		/* DTE, /deldata */

/* The uploader and EDG as a feature module (features.c). */
extern const struct feature edge_feature;

#endif /* CLIENT_EDGE_H */
