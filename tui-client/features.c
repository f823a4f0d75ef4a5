/*
 * features.c - the client's feature modules in the order the app asks
 * them (feature.h): questions take a typed line before the command table.
 */
#include <stddef.h>

#include "ask.h"
#include "cmds.h"
#include "edge.h"
#include "msgs.h"
#include "p2p.h"
#include "privchat.h"
#include "who.h"

const struct feature *const features_all[] = {
	&ask_feature,
	&cmds_feature,
	&who_feature,
	&msgs_feature,
	&edge_feature,
	&p2p_feature,
	&privchat_feature,
	NULL,
};
