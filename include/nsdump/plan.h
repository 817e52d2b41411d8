/* The decisions of a capture, as pure functions over plain data: how each interface of a
 * target is captured (setns, veth, host), which interfaces -i names, what the pcapng file
 * says of each, whether a target's namespace stays open, how the output is named. No I/O:
 * session.c gathers the facts (links, peers) and acts on the answers. */
#ifndef NSDUMP_PLAN_H
#define NSDUMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "nsdump/err.h"

/* --mode */
enum nd_mode {
	ND_MODE_AUTO = 0, /* veth when the interface has a peer in nsdump's namespace, else setns */
	ND_MODE_SETNS,    /* enter the target's namespace and capture there */
	ND_MODE_VETH,     /* capture on the host end of the interface's veth pair */
};

/* --mode's words: "auto", "setns", "veth". nd_plan_mode_parse returns -1 for any other word. */
int nd_plan_mode_parse(const char *word, enum nd_mode *mode);
const char *nd_plan_mode_name(enum nd_mode mode);

#endif
