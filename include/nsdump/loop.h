/* The capture loop: moves packets from the kernel ring to the output until told to stop,
 * then drains what the ring still holds, so no captured packet is left behind. */
#ifndef NSDUMP_LOOP_H
#define NSDUMP_LOOP_H

#include <stdbool.h>

#include "nsdump/capture.h"
#include "nsdump/err.h"
#include "nsdump/output.h"
#include "nsdump/rotate.h"
#include "nsdump/source.h"
#include "nsdump/status.h"
#include "nsdump/target.h"
#include "nsdump/writer.h"

/* Packets from several sources wait before they are written, so that a packet that the
 * kernel handed over late (up to a block timeout) still goes out in time order: twice the
 * longest block timeout plus scheduling slack, and never less than this. */
#define ND_REORDER_MIN_MS 100

struct nd_loop {
	/* inputs */
	struct nd_source *src;
	unsigned int nsrc;
	struct nd_out *out;
	struct nd_writer *writer;
	unsigned long count;      /* 0: no limit */
	double duration;          /* seconds, 0: none */
	bool packet_buffered;     /* flush after each packet (-U) */
	bool live;                /* output is a pipe: flush after each batch */
	int sigfd;                /* from nd_loop_block_signals() */
	struct nd_rotate *rot;    /* NULL, or -G/-C/-W in effect */
	size_t out_bufsize;       /* for the files rotation opens */
	struct nd_status *status; /* the live status line (status.h), or NULL */
	/* --follow's writer (follow.c): each start's stream arrives on this socket (a pipe's
	 * read end, SCM_RIGHTS) and becomes a source in a free slot of src[0..max_src); the
	 * loop does not end when its sources have gone, and a stop of its own (-c aside)
	 * is told back on it (one byte), so that the starts' captures end and flush. -1
	 * otherwise. */
	int ctl_fd;
	unsigned int max_src;
	const char *filter; /* --follow: the filter the starts' interfaces were captured with */
	/* results */
	unsigned long long captured;       /* packets handed to the output */
	unsigned long long closed_packets; /* packets in files already closed by rotation */
	enum nd_stop reason;
	int signo;
	struct nd_capture_stats streamed; /* --follow: the starts' counts, from their streams */
	unsigned int streams;             /* --follow: starts relayed */
};

/* Blocks SIGINT, SIGTERM and SIGHUP and returns a signalfd for them; ignores SIGPIPE so that
 * a closed pipe shows up as EPIPE. Call early: a signal during set-up then stops the loop
 * as soon as it starts, with nothing lost. */
int nd_loop_block_signals(struct nd_err *err);

/* Runs until a stop condition; returns 0 for every orderly stop (l->reason says which) and
 * -1 with err for ND_STOP_ERROR. With several sources, it ends when all of them have gone
 * (each one's target exited or interface disappeared), or on any other stop condition.
 * A stop by signal or --duration, and a source that has gone, read the rings for one block
 * timeout more, so the packets the kernel still held are written too. */
int nd_loop_run(struct nd_loop *l, struct nd_err *err);

const char *nd_loop_reason(const struct nd_loop *l);

#endif
