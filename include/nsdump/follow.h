/* --follow: wait for each target to start, capture every start into one output.
 *
 * Three kinds of process, so that the privilege model holds (README, "Privileges"):
 * - this one waits: it keeps its capabilities (permitted, not effective), watches the
 *   runtimes' state (watch.h), asks the runtimes which start is the target's (resolve.h) and
 *   forks the others; it reads no packet and opens no file the invoker names;
 * - the writer, forked once the output is open: it drops every privilege, enters the
 *   sandbox and runs the capture loop over streams instead of captures (loop.h, stream.h),
 *   writing each start's interfaces, packets and statistics into the output, with -c,
 *   --duration, rotation and compression as for any capture;
 * - one capture per start, forked when it is seen: it opens the target as any capture does
 *   (session.h), drops every privilege and writes its pcapng to a pipe, which this process
 *   hands to the writer over a socket. It ends when that start's process exits. */
#ifndef NSDUMP_FOLLOW_H
#define NSDUMP_FOLLOW_H

#include "nsdump/err.h"
#include "nsdump/privs.h"
#include "nsdump/session.h"

/* Runs a --follow capture of cfg's targets (containers or pods) until -c, --duration or a
 * signal; returns the exit status (errors printed). sigfd: nd_loop_block_signals()'s. */
int nd_follow_run(const struct nd_session_cfg *cfg, struct nd_privs *privs, int sigfd);

#endif
