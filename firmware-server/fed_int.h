/*
 * fed_int.h - what fed.c (link, boards, presence) and fed_msg.c (direct
 * messages, broadcasts) share; nothing outside federation includes it.
 */
#ifndef FED_INT_H
#define FED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fed_codec.h"

struct server;

/* Publish r (its board is filled in) on its topic; 0, or -1. */
int	fed_publish(struct fed_rec *r, const char *sub, int qos, bool retain);
/* Publish a payload built elsewhere (a batch) at QoS 0 on this board's
   topic of kind for sub; 0, or -1. */
int	fed_publish_payload(enum fed_kind kind, const char *sub,
	    const char *payload, size_t len);
/* The link's epoch (changes with each connection). */
const char *fed_epoch(void);
/* 1: board is online now; 0: not. */
bool	fed_board_online(const char *board);
/* board is online and reads batches of DMs (FED_K_DMB). */
bool	fed_board_batches(const char *board);

/* fed_msg.c */
int	fed_msg_init(struct server *srv);
void	fed_msg_free(void);
void	fed_msg_up(void);
void	fed_msg_down(void);
/* A board came online (or back). */
void	fed_msg_board_online(const char *board);
int	fed_msg_pass(int64_t now_ms);
void	fed_msg_pass_sent(void);
void	fed_msg_pass_end(void);
void	fed_msg_on_dm(const struct fed_rec *r);
void	fed_msg_on_ack(const struct fed_rec *r);
void	fed_msg_on_bcast(const struct fed_rec *r);

#endif /* FED_INT_H */
