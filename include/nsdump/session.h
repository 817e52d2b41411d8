/* A capture session: its targets, one record per captured interface (struct nd_source) from
 * planning to the loop, the output and the loop. main() calls the steps in the order of
 * the privilege model; this file does their I/O, plan.h makes their decisions. */
#ifndef NSDUMP_SESSION_H
#define NSDUMP_SESSION_H

#include <stdbool.h>

#include "nsdump/capture.h"
#include "nsdump/err.h"
#include "nsdump/plan.h"
#include "nsdump/resolve.h"
#include "nsdump/target.h"
#include "nsdump/writer.h"

#define ND_MAX_TARGETS 16
#define ND_MAX_IFACES  16

/* Everything a capture session needs to know, filled from the command line in one place
 * (nd_cli_session_cfg) or by extcap. The strings are borrowed. */
struct nd_session_cfg {
	struct nd_target_spec targets[ND_MAX_TARGETS]; /* in command-line order */
	unsigned int ntargets;
	/* Every -i, in order ("all": every non-loopback interface); none: eth0, else the only
	 * non-loopback interface. */
	const char *ifaces[ND_MAX_IFACES];
	unsigned int nifaces;
	struct nd_resolver_cfg resolver;
	struct nd_capture_cfg capture;
	enum nd_direction direction; /* -Q, from the target's point of view */
	enum nd_mode mode;
	const char *filter; /* the expression (argv or -F's contents); NULL for none */
	bool list_ifaces;   /* -D: list the target's interfaces, capture nothing */
	const char *output; /* NULL or "-": standard output */
	enum nd_format format;
	unsigned int rotate_seconds;     /* -G */
	unsigned long long rotate_bytes; /* -C */
	unsigned int rotate_files;       /* -W */
	bool gzip;
	unsigned long count;  /* -c; 0 for no limit */
	double duration;      /* seconds; 0 for none */
	bool packet_buffered; /* -U */
	bool quiet;
	int verbose;
};

#endif
