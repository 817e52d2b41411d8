/* One captured interface of one target: the one record of it, from the plan (session.c) to
 * the loop (loop.c). */
#ifndef NSDUMP_SOURCE_H
#define NSDUMP_SOURCE_H

#include "nsdump/capture.h"
#include "nsdump/netlink.h"
#include "nsdump/plan.h"
#include "nsdump/target.h"

enum nd_stop {
	ND_STOP_NONE = 0,
	ND_STOP_COUNT,       /* -c reached */
	ND_STOP_DURATION,    /* --duration over */
	ND_STOP_SIGNAL,      /* SIGINT, SIGTERM, SIGHUP */
	ND_STOP_READER_GONE, /* the pipe's reader closed it */
	ND_STOP_TARGET_EXITED,
	ND_STOP_IFACE_GONE, /* the interface disappeared (a link set down is captured on) */
	ND_STOP_FILES,      /* -W files written with -G */
	ND_STOP_ERROR,      /* write or capture error: see the loop's err */
};

struct nd_stream;

struct nd_source {
	struct nd_capture *cap; /* &capture; NULL for a stream */
	/* --follow's writer: the packets of one start of the target, relayed as pcapng by the
	 * process that captures it (follow.c); NULL for a capture. */
	struct nd_stream *stream;
	unsigned int ifid; /* its interface in the writer */
	int pidfd;         /* the target process (readable when it exits), or -1 */
	const char *label; /* for messages: its pcapng name, "web1/eth0" */
	/* The plan (session.c). */
	struct nd_target *target;
	const struct nd_target_spec *spec;
	struct nd_link tif;  /* the target's interface (ifindex 0 for "any") */
	struct nd_link peer; /* its host end with ND_WAY_VETH (ifindex 0 otherwise) */
	enum nd_way way;
	char via[224]; /* ND_WAY_VETH: which target interface this host veth serves */
	struct nd_capture capture;
};

#endif
