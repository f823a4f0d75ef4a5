/*
 * userlog.h - userlog.txt, the list of active users in the data
 * directory: "SEQ; DD Mon YYYY HH:MM:SS; USER; ADDRESS; UDPPORT".
 */
#ifndef USERLOG_H
#define USERLOG_H

struct server;

/* The active list changed: rewrite the file at the next userlog_pass(). */
void	userlog_changed(struct server *srv);
/* Once per loop pass: rewrite the file if the active list changed. */
void	userlog_pass(struct server *srv);
/* Empty the file (start-up, shutdown); 0, or -1 after logging why. */
int	userlog_clear(struct server *srv);

#endif /* USERLOG_H */
