/*
 * who.h - who is online, in the client: WHO and WHOSINCE requests and
 * their rows, and the ONLINE/OFFLINE events that keep the model's user
 * list (the screen's panel) current.
 */
#ifndef WHO_H
#define WHO_H

#include <stdbool.h>

#include "feature.h"

struct app;
struct proto_ev;

/* Send WHO; its rows replace the user list, and are shown unless silent. */
void	who_send(struct app *a, bool silent);
/* Send WHOSINCE SECONDS (checked by the caller). */
void	who_send_since(struct app *a, const char *seconds);
/* Handle ONLINE and OFFLINE; false for other events. */
bool	who_event(struct app *a, const struct proto_ev *ev);

/* The user list as a feature module (features.c). */
extern const struct feature who_feature;

#endif /* WHO_H */
