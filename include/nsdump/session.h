/* A capture session: its targets, one record per captured interface (struct nd_source) from
 * planning to the loop, the output and the loop. main() calls the steps in the order of
 * the privilege model (README, "Privileges"); this file does their I/O, plan.h makes their
 * decisions. */
#ifndef NSDUMP_SESSION_H
#define NSDUMP_SESSION_H

#include <stdbool.h>

#include "nsdump/capture.h"
#include "nsdump/err.h"
#include "nsdump/loop.h"
#include "nsdump/output.h"
#include "nsdump/status.h"
#include "nsdump/plan.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/rotate.h"
#include "nsdump/sandbox.h"
#include "nsdump/source.h"
#include "nsdump/target.h"
#include "nsdump/writer.h"

#define ND_MAX_TARGETS 16
#define ND_MAX_IFACES  16
#define ND_MAX_SOURCES ND_WRITER_MAX_IFS

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
	/* --follow (follow.h): the targets are waited for and captured at each start. */
	bool follow;
	/* Set in a start's capture process: its number (1, 2, ...) goes into the interface
	 * names ("web1/eth0#2") and the descriptions; 0 otherwise. */
	unsigned int start_no;
	const char *start_note; /* ... and this, when set, ends the descriptions */
};

struct nd_session {
	const struct nd_session_cfg *cfg;
	struct nd_privs *privs;
	int sigfd; /* from nd_loop_block_signals() */
	struct nd_target targets[ND_MAX_TARGETS];
	struct nd_source src[ND_MAX_SOURCES];
	unsigned int nsrc;
	bool listed;                   /* -D: the interfaces were printed, nothing is captured */
	struct nd_capture_cfg capture; /* cfg's, with the block timeout for the output's kind */
	struct nd_out out;
	struct nd_writer writer;
	struct nd_rotate rot;
	struct nd_sandbox sandbox;
	struct nd_loop loop;
	struct nd_status status; /* the live status line (off unless nd_session_start_output) */
	/* --follow's writer (follow.c): the starts' streams arrive on this socket, and the
	 * session has no capture of its own; -1 otherwise. */
	int ctl_fd;
	/* The kernel's counts, after nd_session_run. */
	struct nd_capture_stats sum;
	bool stats_ok;
	struct nd_err stats_err;
};

/* The defaults of a capture: every snapshot length, promiscuous, pcapng, mode auto. */
void nd_session_cfg_init(struct nd_session_cfg *cfg);

/* Makes s ready for nd_session_close() whatever happens next. cfg, privs and sigfd stay the
 * caller's. */
void nd_session_init(struct nd_session *s, const struct nd_session_cfg *cfg, struct nd_privs *privs,
		     int sigfd);

/* Privileged: opens every target and, for each interface the plan names, its capture (on the
 * host end of its veth pair, inside the target's namespace, or directly), with the filter.
 * With -D prints the interfaces instead (s->listed). Errors name the target. */
int nd_session_open(struct nd_session *s, struct nd_err *err);

/* Opens the output (the first file of a rotation, in a directory held open for the later
 * ones; a file created with the invoker's rights; or standard output) and writes the file's
 * header, with one interface description per source. Before the drop of privileges. */
int nd_session_start_output(struct nd_session *s, struct nd_err *err);

/* Enters the loop's sandbox (after the drop), allowing the output and the rotation directory;
 * from then on, libpcap no longer reads sysfs. */
int nd_session_sandbox(struct nd_session *s, struct nd_err *err);

/* What is being captured, on stderr (more with -v). */
void nd_session_print_listening(const struct nd_session *s);

/* Runs the loop to its stop, writes the kernel's counts into the file (pcapng, unless nobody
 * is left to read it) and closes the output. 0 for an orderly stop. */
int nd_session_run(struct nd_session *s, struct nd_err *err);

/* Why the capture stopped (when that is news) and the counts, on stderr, as tcpdump does. */
void nd_session_print_stats(const struct nd_session *s);

void nd_session_close(struct nd_session *s);

#endif
