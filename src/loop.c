/* The capture loop; see include/nsdump/loop.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/loop.h"
#include "nsdump/reorder.h"
#include "nsdump/stream.h"
#include "nsdump/testhooks.h"

/* Files are flushed at least this often, so that a reader of a growing file keeps up. */
#define FILE_FLUSH_MS 1000
/* After a stop, the ring is read for one block timeout more plus this slack for the timer,
 * so the block the kernel was still filling is handed over and written. */
#define DRAIN_SLACK_MS 30
/* --follow's writer: after a stop, the starts' captures drain their rings, write their
 * statistics and end their streams; this long at most. */
#define FOLLOW_DRAIN_MS 5000
/* A relayed packet waits in the reorder heap with its direction beside its interface. */
#define DIR_SHIFT 28
#define IFID_MASK ((1u << DIR_SHIFT) - 1)

int nd_loop_block_signals(struct nd_err *err)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t set;
	int fd;

	if (sigemptyset(&set) < 0 || sigaddset(&set, SIGINT) < 0 || sigaddset(&set, SIGTERM) < 0 ||
	    sigaddset(&set, SIGHUP) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot build the signal set");
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot block signals");
	if (sigaction(SIGPIPE, &ign, NULL) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot ignore SIGPIPE");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot create a signalfd");
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The loop's own state; callers see only struct nd_loop's inputs and results. */
enum phase {
	PHASE_RUNNING,  /* capturing */
	PHASE_DRAINING, /* a stop came (signal, --duration): reading what the rings hold */
	PHASE_STOPPED,  /* done: what is held is written out, and the loop returns */
};

/* A deadline that is not set. Every deadline is a monotonic time in ms or NEVER, and only
 * wait_ms() compares them with the clock, so "not set" is handled in one place. */
#define NEVER LLONG_MAX

struct deadlines {
	long long end;      /* --duration: the capture is over */
	long long drain;    /* PHASE_DRAINING: the drain is over */
	long long rotation; /* -G: the next file */
	long long flush;    /* buffered output to a file is written out (FILE_FLUSH_MS) */
	long long release;  /* the oldest held packet leaves the reorder heap (several sources) */
	long long status;   /* the live status line is rewritten */
};

struct source_state {
	enum nd_stop done;  /* ND_STOP_NONE while its ring is read */
	enum nd_stop going; /* why it is draining: its target exited or its interface went */
	long long drain;    /* when its drain is over, or NEVER */
	unsigned long long packets; /* written, over every file */
};

/* The poll set, in named slots: the signalfd, the output (a pipe's write end, polled for its
 * reader leaving; -1 for files), then per source its capture and its target's pidfd. poll(2)
 * skips a negative fd, which is how a slot is switched off. */
enum { SLOT_SIGNAL, SLOT_OUTPUT, SLOT_CONTROL, SLOT_SOURCES };
#define SLOT_CAPTURE(i) (SLOT_SOURCES + 2 * (i))
#define SLOT_PIDFD(i)   (SLOT_SOURCES + 2 * (i) + 1)

struct loop_state {
	struct nd_loop *l;
	struct nd_err *err;
	enum phase phase;
	int rc; /* what nd_loop_run() returns */
	struct deadlines at;
	struct source_state *ss;
	struct pollfd *fds;
	unsigned int nfds;
	bool write_failed;         /* the callback's write failed: l->reason follows from err */
	unsigned int cur;          /* the source being read (for the packet callback) */
	int out_fd;                /* the output's descriptor number, kept across rotation */
	struct nd_reorder reorder; /* packets of several sources, put in time order */
	unsigned long long closed_bytes; /* in files already closed by rotation */
	long long drain_ms;  /* how long a ring is still read after a stop (the sources' longest
			      * block timeout, and slack) */
	uint64_t reorder_ns; /* how long packets of several sources are held (ND_REORDER_MIN_MS) */
	bool ctl_closed;     /* --follow: no start will come any more */
	unsigned int nstreams; /* --follow: streams open */
};

/* Packets wait in the reorder heap when several sources may deliver them: several captures,
 * or --follow's starts, which may overlap. */
static bool reordering(const struct nd_loop *l)
{
	return l->nsrc > 1 || l->ctl_fd >= 0;
}

/* Writes every source's kernel counts as statistics blocks (pcapng). */
static int write_stats(struct nd_loop *l, struct nd_err *err)
{
	for (unsigned int i = 0; i < l->nsrc; i++) {
		struct nd_capture_stats st;

		/* A relayed start's counts come from its own capture, when it ends. */
		if (l->src[i].cap == NULL)
			continue;
		if (nd_capture_stats(l->src[i].cap, &st, err) < 0 ||
		    nd_writer_stats(l->writer, l->src[i].ifid, st.received, st.dropped,
				    st.ifdropped, err) < 0)
			return -1;
	}
	return 0;
}

static void live_ifs(const struct loop_state *st, unsigned int *live);
static void renumber(struct loop_state *st, const unsigned int *live);

/* Closes the current file (with its statistics) and opens the next; returns 1 instead when
 * -W files have been written with -G, leaving no file open. */
static int rotate(struct loop_state *st)
{
	struct nd_loop *l = st->l;
	struct nd_err *err = st->err;
	nd_reclen_fn reclen = l->out->reclen;
	char name[4096];

	if (write_stats(l, err) < 0)
		return -1;
	st->closed_bytes += nd_out_size(l->out);
	if (nd_out_close(l->out, err) < 0)
		return -1;
	l->closed_packets += l->out->nwritten;
	if (l->rot->seconds && !l->rot->bytes && l->rot->files && l->rot->opened >= l->rot->files)
		return 1;
	/* Privileges are long gone: the file is created with the invoker's own rights, in the
	 * directory opened before the drop (src/sandbox.c allows nothing else). */
	if (nd_rotate_name(l->rot, time(NULL), name, sizeof(name), err) < 0 ||
	    nd_out_create(l->out, l->rot->dir_fd, name + nd_rotate_dirlen(l->rot), name,
			  l->out_bufsize, reclen, err) < 0)
		return -1;
	/* --follow's writer receives and closes its streams' descriptors as they come and go,
	 * so the new file may get a lower free number: it is moved to the output's (the
	 * sandbox allows dup3 onto that one number there, and no packet socket is open). */
	if (l->out->fd != st->out_fd && l->ctl_fd >= 0 && l->out->fd >= 0 &&
	    dup3(l->out->fd, st->out_fd, O_CLOEXEC) == st->out_fd) {
		(void)close(l->out->fd);
		l->out->fd = st->out_fd;
	}
	/* The sandbox lets the loop write to this one number (nd_out_pin_fd()). */
	if (l->out->fd != st->out_fd) {
		nd_out_abort(l->out);
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "%s was opened as descriptor %d, not %d, which the sandbox "
				  "would not let the capture write to",
				  name, l->out->fd, st->out_fd);
	}
	if (l->rot->gzip && nd_out_compress(l->out, err) < 0)
		return -1;
	l->rot->opened++;
	if (l->ctl_fd >= 0) {
		/* --follow: the new file describes the starts still going, not every one. */
		unsigned int live[ND_WRITER_MAX_IFS];

		live_ifs(st, live);
		nd_writer_compact(l->writer, live);
		renumber(st, live);
	}
	return nd_writer_start(l->writer, l->writer->userappl, err);
}

static bool count_reached(const struct nd_loop *l)
{
	return l->count != 0 && l->captured >= l->count;
}

/* Writes one packet (rotating first when -C says so), with direction dir (enum
 * nd_pcapng_dir), or the writer's guess when dir is -1; false on a write error. */
static bool write_packet(struct loop_state *st, unsigned int ifid, const struct pcap_pkthdr *h,
			 const unsigned char *bytes, int dir)
{
	struct nd_loop *l = st->l;

	/* -C: a new file before this packet would take the current one past the size (a
	 * file always gets at least one packet). 48 bytes cover the packet block's overhead,
	 * 100 per interface the statistics blocks that close the file. */
	if (l->rot != NULL && l->rot->bytes != 0 && l->out->nbuffered + l->out->nwritten > 0 &&
	    nd_out_size(l->out) + h->caplen + 48 + 100 * (uint64_t)l->nsrc > l->rot->bytes) {
		l->rot->in_period++;
		if (rotate(st) != 0)
			return false;
	}
	if ((dir < 0 ? nd_writer_packet(l->writer, ifid, h, bytes, st->err)
		     : nd_writer_packet_dir(l->writer, ifid, h, bytes, dir, st->err)) < 0 ||
	    (l->packet_buffered && nd_out_flush(l->out, st->err) < 0))
		return false;
	l->captured++;
	if (l->ctl_fd >= 0)
		return true; /* relayed: the interface is no source's index */
	st->ss[ifid].packets++;
	nd_testhooks_packet(l->captured, l->src[ifid].cap->fd, l->rot ? l->rot->dir_fd : -1);
	return true;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct loop_state *st = (struct loop_state *)(void *)user;
	struct nd_loop *l = st->l;
	unsigned int ifid = l->src[st->cur].ifid;

	/* No pcap_breakloop() here, after a failure or at the -c count: it writes to an eventfd,
	 * and the sandbox lets the loop write to the output only. The rest of the batch is
	 * skipped here instead, and read_source() asks for no more than the count. */
	if (st->write_failed || count_reached(l))
		return;
	if (reordering(l)) {
		/* With nanosecond precision requested, libpcap's tv_usec holds nanoseconds. */
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

		if (nd_reorder_push(&st->reorder, ifid, ts, h->caplen, h->len, bytes, st->err) < 0)
			st->write_failed = true;
		return;
	}
	if (!write_packet(st, ifid, h, bytes, -1))
		st->write_failed = true;
}

/* Writes the held packets stamped before `until` (all of them for UINT64_MAX), oldest
 * first, up to the -c count; and older ones still while the heap holds too much. */
static void emit_reordered(struct loop_state *st, uint64_t until)
{
	const struct nd_reorder_pkt *p;

	while (!st->write_failed && (p = nd_reorder_peek(&st->reorder)) != NULL &&
	       (p->ts_ns < until || nd_reorder_full(&st->reorder)) && !count_reached(st->l)) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(p->ts_ns / 1000000000u),
				.tv_usec = (suseconds_t)(p->ts_ns % 1000000000u) },
			.caplen = p->caplen,
			.len = p->len,
		};

		if (!write_packet(st, p->ifid & IFID_MASK, &h, p->data,
				  (int)(p->ifid >> DIR_SHIFT) - 1))
			st->write_failed = true;
		nd_reorder_pop(&st->reorder);
	}
}

/* Ends the loop for `reason`; rc is what nd_loop_run() returns. */
static void stop(struct loop_state *st, enum nd_stop reason, int rc)
{
	st->l->reason = reason;
	st->rc = rc;
	st->phase = PHASE_STOPPED;
}

/* Handler for a failed write (output error): a reader gone is an orderly stop, anything
 * else an error (st->err says which). */
static void on_output_error(struct loop_state *st)
{
	if (st->err->errnum == EPIPE)
		stop(st, ND_STOP_READER_GONE, 0);
	else
		stop(st, ND_STOP_ERROR, -1);
}

/* A stop that leaves packets in the rings (a signal, --duration): every source is read for
 * drain_ms more, so the block the kernel is still filling is handed over and written. */
static void begin_drain(struct loop_state *st, enum nd_stop reason, long long now)
{
	st->l->reason = reason;
	st->phase = PHASE_DRAINING;
	st->at.drain = now + (st->l->ctl_fd >= 0 ? FOLLOW_DRAIN_MS : st->drain_ms);
	/* --follow: the starts' captures are told to end (follow.c), and their streams end. */
	if (st->l->ctl_fd >= 0 && !st->ctl_closed && write(st->l->ctl_fd, "s", 1) < 0)
		st->ctl_closed = true;
	st->at.end = NEVER;
	st->at.rotation = NEVER;
}

/* One source has gone (its target exited, or its interface went away): its ring is read for
 * drain_ms more, as after a signal, then it is done for `why`. The first cause counts. */
static void source_going(struct loop_state *st, unsigned int i, enum nd_stop why, long long now)
{
	struct source_state *s = &st->ss[i];

	if (s->done != ND_STOP_NONE || s->going != ND_STOP_NONE)
		return;
	s->going = why;
	s->drain = now + st->drain_ms;
}

/* Handler: the target of source i exited (its pidfd is readable). Several sources may share
 * one target: each is told, and the pidfd leaves the poll set. */
static void on_target_exited(struct loop_state *st, unsigned int i, long long now)
{
	for (unsigned int j = 0; j < st->l->nsrc; j++) {
		if (st->l->src[j].pidfd == st->l->src[i].pidfd) {
			st->fds[SLOT_PIDFD(j)].fd = -1;
			source_going(st, j, ND_STOP_TARGET_EXITED, now);
		}
	}
}

/* SIOCGIFINDEX on the capture's own socket, which answers for the socket's namespace (the
 * capture may be in another one than nsdump): if_nametoindex(3) would open a new socket,
 * which the sandbox (src/sandbox.c) forbids. */
static bool iface_exists(const struct nd_capture *c)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	return ioctl(c->fd, SIOCGIFINDEX, &ifr) == 0;
}

/* Handler: libpcap failed on source i. The interface vanished (its namespace or veth was
 * deleted) or went down: that target has gone, which ends its capture in order, once what
 * its ring holds is read. Anything else is an error. */
static void on_capture_error(struct loop_state *st, unsigned int i, long long now)
{
	const struct nd_source *s = &st->l->src[i];
	const char *msg = pcap_geterr(s->cap->p);

	if ((strcmp(s->cap->ifname, "any") != 0 && !iface_exists(s->cap)) ||
	    strstr(msg, "went down") || strstr(msg, "disappeared")) {
		/* libpcap says so again on every read that finds the ring empty, which
		 * changes nothing while the drain reads what the kernel still hands over. */
		source_going(st, i, ND_STOP_IFACE_GONE, now);
		return;
	}
	(void)nd_err_set(st->err, ND_EXIT_FAIL, 0, "capture on %s failed: %s", s->label, msg);
	stop(st, ND_STOP_ERROR, -1);
}

/* ---- --follow's relayed starts ---- */

/* Which writer interfaces are still in use, by a stream or by a packet held for reordering:
 * live[i] is i, or UINT_MAX. */
static void live_ifs(const struct loop_state *st, unsigned int *live)
{
	const struct nd_loop *l = st->l;

	for (unsigned int i = 0; i < ND_WRITER_MAX_IFS; i++)
		live[i] = UINT_MAX;
	for (unsigned int i = 0; i < l->nsrc; i++) {
		const struct nd_stream *sm = l->src[i].stream;

		for (unsigned int k = 0; sm != NULL && k < sm->nmap; k++)
			if (sm->map[k] < ND_WRITER_MAX_IFS)
				live[sm->map[k]] = sm->map[k];
	}
	for (size_t k = 0; k < st->reorder.n; k++) {
		unsigned int id = st->reorder.heap[k]->ifid & IFID_MASK;

		if (id < ND_WRITER_MAX_IFS)
			live[id] = id;
	}
}

/* The writer renumbered its interfaces (live[old] is the new number): the streams' maps and
 * the held packets follow. The heap is ordered by time stamp only, so it stays a heap. */
static void renumber(struct loop_state *st, const unsigned int *live)
{
	const struct nd_loop *l = st->l;

	for (unsigned int i = 0; i < l->nsrc; i++) {
		struct nd_stream *sm = l->src[i].stream;

		for (unsigned int k = 0; sm != NULL && k < sm->nmap; k++)
			if (sm->map[k] < ND_WRITER_MAX_IFS)
				sm->map[k] = live[sm->map[k]];
	}
	for (size_t k = 0; k < st->reorder.n; k++) {
		struct nd_reorder_pkt *p = st->reorder.heap[k];

		p->ifid = live[p->ifid & IFID_MASK] | (p->ifid & ~IFID_MASK);
	}
}

/* A stream's new interface joins the file. A pcap file refuses another link type: that
 * interface's packets are then left out, with a warning, and the capture goes on. */
static int stream_if(struct loop_state *st, struct nd_stream *s, struct nd_stream_rec *rec,
		     struct nd_err *corrupt)
{
	struct nd_loop *l = st->l;
	unsigned int live[ND_WRITER_MAX_IFS];
	bool renumbered = false;
	struct nd_err e = { 0 };
	int id;

	if (rec->ifid >= ND_WRITER_MAX_IFS || rec->ifid != s->nmap) {
		(void)nd_err_set(corrupt, ND_EXIT_FAIL, 0, "interface %u out of order",
				 (unsigned int)rec->ifid);
		return -2;
	}
	rec->wif.filter = l->filter;
	live_ifs(st, live);
	id = nd_writer_add(l->writer, &rec->wif, live, &renumbered, &e);
	if (id < 0 && e.exit == ND_EXIT_USAGE) {
		fprintf(stderr, "nsdump: warning: %s; its packets are left out\n", e.msg);
		s->map[s->nmap++] = UINT_MAX;
		return 0;
	}
	if (id < 0) {
		*st->err = e;
		return -1;
	}
	if (renumbered)
		renumber(st, live);
	s->map[s->nmap++] = (unsigned int)id;
	return 0;
}

/* One record of a stream: an interface, a packet or the end of a start's statistics. -1 for
 * an error that ends the capture (st->err), -2 for a stream that is no capture's (corrupt
 * says why): that stream ends, the others go on. */
static int stream_record(struct loop_state *st, struct nd_stream *s, struct nd_stream_rec *rec,
			 struct nd_err *corrupt)
{
	struct nd_loop *l = st->l;
	unsigned int id = rec->ifid < s->nmap ? s->map[rec->ifid] : UINT_MAX;

	if (rec->kind == ND_STREAM_IF)
		return stream_if(st, s, rec, corrupt);
	if (id == UINT_MAX)
		return 0;
	if (rec->kind == ND_STREAM_STATS) {
		l->streamed.received += rec->recv;
		l->streamed.dropped += rec->drop;
		l->streamed.ifdropped += rec->ifdrop;
		/* After the start's last packets. */
		emit_reordered(st, UINT64_MAX);
		if (st->write_failed)
			return -1;
		return nd_writer_stats(l->writer, id, rec->recv, rec->drop, rec->ifdrop, st->err);
	}
	if (count_reached(l))
		return 0;
	/* One start at a time (the usual case) needs no reordering, so its packets reach a
	 * pipe's reader at once; while starts overlap, and until what they held is out, the
	 * heap puts them in time order. */
	if (st->nstreams < 2 && nd_reorder_peek(&st->reorder) == NULL) {
		if (write_packet(st, id, &rec->h, rec->data, rec->dir))
			return 0;
		st->write_failed = true;
		return -1;
	}
	return nd_reorder_push(&st->reorder, id | (unsigned int)(rec->dir + 1) << DIR_SHIFT,
			       (uint64_t)rec->h.ts.tv_sec * 1000000000u +
				       (uint64_t)rec->h.ts.tv_usec,
			       rec->h.caplen, rec->h.len, rec->data, st->err);
}

/* Stream i has ended (its capture ended) or failed: its slot is free again. */
static void stream_end(struct loop_state *st, unsigned int i)
{
	struct nd_source *src = &st->l->src[i];

	st->ss[i].done = ND_STOP_TARGET_EXITED;
	st->fds[SLOT_CAPTURE(i)].fd = -1;
	st->nstreams--;
	nd_stream_close(src->stream);
	free(src->stream);
	src->stream = NULL;
}

/* Handler: what stream i holds, record by record; a bounded number of reads, so that the
 * other sources, signals and the clock are looked at too. */
static void on_stream(struct loop_state *st, unsigned int i)
{
	struct nd_stream *s = st->l->src[i].stream;

	for (int round = 0; round < 16 && st->phase != PHASE_STOPPED; round++) {
		struct nd_stream_rec rec;
		struct nd_err e = { 0 };
		int got = nd_stream_fill(s, st->err), r;

		if (got < 0) {
			stop(st, ND_STOP_ERROR, -1);
			return;
		}
		while ((r = nd_stream_next(s, &rec, &e)) > 0) {
			int k = stream_record(st, s, &rec, &e);

			if (k == -2) {
				r = -1;
				break;
			}
			if (k < 0) {
				if (st->write_failed)
					on_output_error(st);
				else
					stop(st, ND_STOP_ERROR, -1);
				return;
			}
		}
		if (r < 0) {
			/* Its capture process wrote something that is no capture: that
			 * start's stream ends here; the others go on. */
			fprintf(stderr, "nsdump: warning: a start's stream is corrupt (%s)\n",
				e.msg);
			stream_end(st, i);
			return;
		}
		if (s->eof) {
			if (s->end > s->start)
				fprintf(stderr, "nsdump: warning: a start's stream ended inside a "
						"record\n");
			stream_end(st, i);
			return;
		}
		if (got == 0)
			return;
	}
}

/* Handler: the control socket: a new start's stream (a pipe's read end), or its end. */
static void on_control(struct loop_state *st)
{
	struct nd_loop *l = st->l;
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	unsigned int k = 0;
	ssize_t n;
	int fd = -1;

	n = recvmsg(l->ctl_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		st->ctl_closed = true;
		st->fds[SLOT_CONTROL].fd = -1;
		if (st->phase == PHASE_RUNNING) {
			/* The process that waits for the starts has gone. */
			begin_drain(st, ND_STOP_SIGNAL, now_ms());
			l->signo = SIGTERM;
		}
		return;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0)
		return;
	while (k < l->max_src && l->src[k].stream != NULL)
		k++;
	if (k == l->max_src) {
		fprintf(stderr, "nsdump: warning: more than %u starts at once: one is left out\n",
			l->max_src);
		(void)close(fd);
		return;
	}
	l->src[k] = (struct nd_source){ .cap = NULL, .pidfd = -1, .ifid = UINT_MAX };
	l->src[k].stream = malloc(sizeof(*l->src[k].stream));
	if (l->src[k].stream == NULL || nd_stream_open(l->src[k].stream, fd, st->err) < 0) {
		free(l->src[k].stream);
		l->src[k].stream = NULL;
		(void)close(fd);
		(void)nd_err_set(st->err, ND_EXIT_FAIL, ENOMEM, "cannot take a start's stream");
		stop(st, ND_STOP_ERROR, -1);
		return;
	}
	st->ss[k] = (struct source_state){ .drain = NEVER };
	st->fds[SLOT_CAPTURE(k)] = (struct pollfd){ .fd = fd, .events = POLLIN };
	st->fds[SLOT_PIDFD(k)] = (struct pollfd){ .fd = -1 };
	if (k >= l->nsrc)
		l->nsrc = k + 1;
	l->streams++;
	st->nstreams++;
}

/* --follow: no stream is left. */
static bool streams_over(const struct loop_state *st)
{
	for (unsigned int i = 0; i < st->l->nsrc; i++)
		if (st->l->src[i].stream != NULL)
			return false;
	return true;
}

/* Handler: packets may be readable. Reads what every source not done has. */
static void on_packets(struct loop_state *st, long long now)
{
	struct nd_loop *l = st->l;

	for (unsigned int i = 0; i < l->nsrc && st->phase != PHASE_STOPPED; i++) {
		int n, want = -1;

		if (l->src[i].stream != NULL) {
			on_stream(st, i);
			continue;
		}
		if (st->ss[i].done != ND_STOP_NONE || l->src[i].cap == NULL)
			continue;
		if (l->count != 0 && l->nsrc == 1) {
			unsigned long left = l->count - l->captured;

			want = left > 1000000 ? 1000000 : (int)left;
		}
		/* One call hands over every block the kernel has retired; the loop then polls
		 * again, so signals and the clock are looked at even when packets never stop. */
		st->cur = i;
		n = pcap_dispatch(l->src[i].cap->p, want, on_packet, (u_char *)(void *)st);
		if (st->write_failed)
			on_output_error(st);
		else if (n == PCAP_ERROR)
			on_capture_error(st, i, now);
	}
}

/* Writes the held packets that are due (several sources); stops on a write error. */
static void release_reordered(struct loop_state *st)
{
	if (!reordering(st->l))
		return;
	emit_reordered(st, wall_ns() - st->reorder_ns);
	if (st->write_failed)
		on_output_error(st);
}

/* Marks the sources whose drain is over as done, and switches their capture's slot off;
 * when all are done, the reason the last one gave, else ND_STOP_NONE. */
static enum nd_stop sources_done(struct loop_state *st, long long now)
{
	enum nd_stop last = ND_STOP_NONE;
	bool running = false;

	for (unsigned int i = 0; i < st->l->nsrc; i++) {
		struct source_state *s = &st->ss[i];

		if (s->done == ND_STOP_NONE && s->going != ND_STOP_NONE && now >= s->drain) {
			s->done = s->going;
			s->drain = NEVER;
			st->fds[SLOT_CAPTURE(i)].fd = -1;
		}
		if (s->done == ND_STOP_NONE)
			running = true;
		last = s->done;
	}
	/* --follow's writer waits for the next start. */
	return running || st->l->ctl_fd >= 0 ? ND_STOP_NONE : last;
}

/* Handler: the clock. Ends finished drains, flushes, ends the capture (-c, --duration, every
 * source gone) and starts -G's next file. */
/* The live status line: each source's packets and the kernel's drops (libpcap adds the
 * kernel's counts up, so reading them here leaves the statistics blocks right). */
static void show_status(struct loop_state *st, long long now)
{
	struct nd_loop *l = st->l;
	struct nd_status_src v[ND_STATUS_SOURCES_MAX];
	unsigned int n = l->nsrc < ND_STATUS_SOURCES_MAX ? l->nsrc : ND_STATUS_SOURCES_MAX;
	struct nd_err ignored = { 0 };

	for (unsigned int i = 0; i < n; i++) {
		struct nd_capture_stats cs = { 0 };
		const struct nd_stream *sm = l->src[i].stream;

		if (l->src[i].cap == NULL) {
			/* --follow: a start's stream; its drops are known when it ends. */
			unsigned int id = sm != NULL && sm->nmap > 0 ? sm->map[0] : UINT_MAX;

			v[i] = (struct nd_status_src){
				.name = id < l->writer->nifs ? l->writer->ifs[id].name : "-",
				.packets = id < l->writer->nifs ? l->writer->ifs[id].written : 0,
			};
			continue;
		}
		/* A source whose counts cannot be read shows none dropped; the final
		 * statistics, read the same way, say what went wrong. */
		(void)nd_capture_stats(l->src[i].cap, &cs, &ignored);
		v[i] = (struct nd_status_src){ .name = l->writer->ifs[l->src[i].ifid].name,
					       .packets = st->ss[i].packets,
					       .dropped = cs.dropped + cs.ifdropped };
	}
	nd_status_update(l->status, now, v, n, st->closed_bytes + nd_out_size(l->out));
	st->at.status = now + ND_STATUS_PERIOD_MS;
}

static void on_clock(struct loop_state *st, long long now)
{
	struct nd_loop *l = st->l;
	enum nd_stop gone;
	int r;

	if (count_reached(l)) {
		stop(st, ND_STOP_COUNT, 0);
		return;
	}
	gone = sources_done(st, now);
	if (gone != ND_STOP_NONE && st->phase == PHASE_RUNNING) {
		stop(st, gone, 0);
		return;
	}
	if ((l->live || now >= st->at.flush) && l->out->len > 0) {
		/* A pipe takes what it can now; the rest waits for POLLOUT (wait_events), so that
		 * a reader slow for a moment does not hold up reading the rings. */
		if ((l->live ? nd_out_flush_ready(l->out, st->err)
			     : nd_out_flush(l->out, st->err)) < 0) {
			on_output_error(st);
			return;
		}
		st->at.flush = now + FILE_FLUSH_MS;
	}
	if (now >= st->at.status)
		show_status(st, now);
	if (st->phase == PHASE_DRAINING && l->ctl_fd >= 0 && st->ctl_closed && streams_over(st)) {
		st->phase = PHASE_STOPPED; /* every start's capture has ended and flushed */
		return;
	}
	if (now >= st->at.drain) {
		st->phase = PHASE_STOPPED; /* the reason is the stop's that began the drain */
		return;
	}
	if (now >= st->at.end) {
		begin_drain(st, ND_STOP_DURATION, now);
		return;
	}
	if (now < st->at.rotation)
		return;
	if (reordering(l))
		emit_reordered(st, wall_ns() - st->reorder_ns);
	l->rot->in_period = 0;
	r = rotate(st);
	if (r != 0) {
		stop(st, r < 0 ? ND_STOP_ERROR : ND_STOP_FILES, r < 0 ? -1 : 0);
		return;
	}
	st->at.flush = now + FILE_FLUSH_MS;
	while (st->at.rotation <= now)
		st->at.rotation += (long long)l->rot->seconds * 1000;
}

/* Handler: a stop signal. In PHASE_RUNNING it starts the drain; a later one is read and
 * dropped (the drain is short). */
static void on_signal(struct loop_state *st)
{
	struct signalfd_siginfo si;
	ssize_t n = read(st->l->sigfd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si) || st->phase != PHASE_RUNNING)
		return;
	begin_drain(st, ND_STOP_SIGNAL, now_ms());
	st->l->signo = (int)si.ssi_signo;
	st->l->out->stopping = true;
}

/* How long poll() may sleep: until the soonest deadline, -1 (no limit) when none is set. */
static int wait_ms(const struct loop_state *st, long long now)
{
	const long long at[] = {
		st->at.end,
		st->at.drain,
		st->at.rotation,
		/* Live output is flushed after every batch; files when FILE_FLUSH_MS is up. */
		st->l->out->len > 0 && !st->l->live ? st->at.flush : NEVER,
		st->at.release,
		st->at.status,
	};
	long long soonest = NEVER;

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (at[i] < soonest)
			soonest = at[i];
	for (unsigned int i = 0; i < st->l->nsrc; i++)
		if (st->ss[i].drain < soonest)
			soonest = st->ss[i].drain;
	if (soonest == NEVER)
		return -1;
	if (soonest <= now)
		return 0;
	return soonest - now > INT_MAX ? INT_MAX : (int)(soonest - now);
}

/* The reorder heap's deadline: when its oldest packet is due (wall clock), on the loop's
 * monotonic clock. */
static long long release_at(const struct loop_state *st, long long now)
{
	const struct nd_reorder_pkt *p = reordering(st->l) ? nd_reorder_peek(&st->reorder) : NULL;
	uint64_t due, wn;

	if (p == NULL)
		return NEVER;
	due = p->ts_ns + st->reorder_ns;
	wn = wall_ns();
	return now + (due > wn ? (long long)((due - wn) / 1000000u) + 1 : 0);
}

/* Sleeps until an fd is ready or a deadline is due, then calls the handlers of what is. */
static void wait_events(struct loop_state *st, long long now)
{
	struct nd_loop *l = st->l;

	st->at.release = release_at(st, now);
	if (l->live && st->fds[SLOT_OUTPUT].fd >= 0)
		st->fds[SLOT_OUTPUT].events = l->out->len > 0 ? POLLOUT : 0;
	if (poll(st->fds, st->nfds, wait_ms(st, now)) < 0) {
		if (errno != EINTR) {
			(void)nd_err_set(st->err, ND_EXIT_FAIL, errno, "poll");
			/* The reason stays what it was, as it always has for this. */
			st->rc = -1;
			st->phase = PHASE_STOPPED;
		}
		return;
	}
	if (st->fds[SLOT_SIGNAL].revents & POLLIN)
		on_signal(st);
	if (st->fds[SLOT_CONTROL].fd >= 0 && (st->fds[SLOT_CONTROL].revents & (POLLIN | POLLHUP)))
		on_control(st);
	/* The write end of a pipe reports POLLERR once its reader has gone (a socket, POLLHUP):
	 * noticed even when no packet comes to make a write fail. */
	if (st->fds[SLOT_OUTPUT].revents & (POLLERR | POLLHUP)) {
		stop(st, ND_STOP_READER_GONE, 0);
		return;
	}
	for (unsigned int i = 0; i < l->nsrc; i++)
		if (st->fds[SLOT_PIDFD(i)].fd >= 0 &&
		    (st->fds[SLOT_PIDFD(i)].revents & (POLLIN | POLLHUP)))
			on_target_exited(st, i, now_ms());
}

static int state_init(struct loop_state *st, struct nd_loop *l, struct nd_err *err)
{
	long long start = now_ms();
	int block_ms = 0;

	unsigned int slots = l->ctl_fd >= 0 && l->max_src > l->nsrc ? l->max_src : l->nsrc;

	*st = (struct loop_state){ .l = l, .err = err, .phase = PHASE_RUNNING };
	st->nfds = SLOT_SOURCES + 2 * slots;
	st->fds = calloc(st->nfds, sizeof(*st->fds));
	st->ss = calloc(slots > 0 ? slots : 1, sizeof(*st->ss));
	if (st->fds == NULL || st->ss == NULL) {
		free(st->fds);
		free(st->ss);
		/* -1 spelt out: the analyzer cannot see that nd_err_set() returns it. */
		(void)nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot allocate the poll set");
		return -1;
	}
	st->at = (struct deadlines){
		.end = l->duration > 0 ? start + (long long)(l->duration * 1000.0 + 0.5) : NEVER,
		.drain = NEVER,
		.rotation = l->rot != NULL && l->rot->seconds != 0
				    ? start + (long long)l->rot->seconds * 1000
				    : NEVER,
		.flush = start + FILE_FLUSH_MS,
		.release = NEVER,
		.status = l->status != NULL && l->status->width > 0 ? start : NEVER,
	};
	for (unsigned int i = 0; i < l->nsrc; i++)
		if (l->src[i].cap != NULL && l->src[i].cap->block_ms > block_ms)
			block_ms = l->src[i].cap->block_ms;
	st->drain_ms = block_ms + DRAIN_SLACK_MS;
	st->reorder_ns = (uint64_t)(2 * block_ms + 50 > ND_REORDER_MIN_MS ? 2 * block_ms + 50
									  : ND_REORDER_MIN_MS) *
			 1000000u;
	st->fds[SLOT_SIGNAL] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
	st->fds[SLOT_OUTPUT] = (struct pollfd){ .fd = l->live ? l->out->fd : -1, .events = 0 };
	st->fds[SLOT_CONTROL] = (struct pollfd){ .fd = l->ctl_fd, .events = POLLIN };
	for (unsigned int i = slots; i > l->nsrc; i--)
		st->fds[SLOT_CAPTURE(i - 1)].fd = st->fds[SLOT_PIDFD(i - 1)].fd = -1;
	for (unsigned int i = 0; i < l->nsrc; i++) {
		st->ss[i] = (struct source_state){ .drain = NEVER };
		st->fds[SLOT_CAPTURE(i)] =
			(struct pollfd){ .fd = l->src[i].cap != NULL ? l->src[i].cap->fd : -1,
					 .events = POLLIN };
		st->fds[SLOT_PIDFD(i)] = (struct pollfd){ .fd = l->src[i].pidfd, .events = POLLIN };
	}
	/* A write to a pipe whose reader reads nothing waits on the signals too (output.c). */
	l->out->wake_fd = l->sigfd;
	st->out_fd = l->out->fd;
	l->reason = ND_STOP_NONE;
	return 0;
}

int nd_loop_run(struct nd_loop *l, struct nd_err *err)
{
	struct loop_state st;

	if (state_init(&st, l, err) < 0)
		return -1;
	for (;;) {
		long long now;

		on_packets(&st, now_ms());
		now = now_ms();
		if (st.phase != PHASE_STOPPED)
			release_reordered(&st);
		if (st.phase != PHASE_STOPPED)
			on_clock(&st, now);
		if (st.phase == PHASE_STOPPED)
			break;
		wait_events(&st, now);
		if (st.phase == PHASE_STOPPED)
			break;
	}
	/* Every packet read is written, in order, whatever ended the loop. */
	if (reordering(l) && st.rc == 0 && l->reason != ND_STOP_READER_GONE) {
		emit_reordered(&st, UINT64_MAX);
		if (st.write_failed)
			on_output_error(&st);
	}
	for (unsigned int i = 0; i < l->nsrc; i++)
		if (l->src[i].stream != NULL)
			stream_end(&st, i);
	nd_reorder_free(&st.reorder);
	free(st.fds);
	free(st.ss);
	return st.rc;
}

const char *nd_loop_reason(const struct nd_loop *l)
{
	switch (l->reason) {
	case ND_STOP_COUNT:
		return "packet count reached";
	case ND_STOP_DURATION:
		return "duration over";
	case ND_STOP_SIGNAL:
		return l->signo == SIGINT    ? "interrupted"
		       : l->signo == SIGTERM ? "terminated"
					     : "hangup";
	case ND_STOP_READER_GONE:
		return "the reader closed the pipe";
	case ND_STOP_TARGET_EXITED:
		return "the target process exited";
	case ND_STOP_IFACE_GONE:
		return "the interface went away";
	case ND_STOP_FILES:
		return "file count reached";
	case ND_STOP_ERROR:
		return "error";
	case ND_STOP_NONE:
		break;
	}
	return "stopped";
}
