/* The capture loop; see include/nsdump/loop.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/loop.h"
#include "nsdump/testhooks.h"

/* Files are flushed at least this often, so that a reader of a growing file keeps up. */
#define FILE_FLUSH_MS 1000
/* After a stop, the ring is read for one block timeout more (plus slack for the timer), so
 * the block the kernel was still filling is handed over and written. */
#define DRAIN_MS (ND_BLOCK_TIMEOUT_MS + 30)

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

/* Writes every source's kernel counts as statistics blocks (pcapng). */
static int write_stats(struct nd_loop *l, struct nd_err *err)
{
	for (unsigned int i = 0; i < l->nsrc; i++) {
		struct nd_capture_stats st;

		if (nd_capture_stats(l->src[i].cap, &st, err) < 0 ||
		    nd_writer_stats(l->writer, l->src[i].ifid, st.received, st.dropped,
				    st.ifdropped, err) < 0)
			return -1;
	}
	return 0;
}

/* Closes the current file (with its statistics) and opens the next; returns 1 instead when
 * -W files have been written with -G, leaving no file open. */
static int rotate(struct nd_loop *l, struct nd_err *err)
{
	nd_reclen_fn reclen = l->out->reclen;
	char name[4096];

	if (write_stats(l, err) < 0 || nd_out_close(l->out, err) < 0)
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
	/* The sandbox lets the loop write to this one number (nd_out_pin_fd()). */
	if (l->out->fd != l->out_fd) {
		nd_out_abort(l->out);
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "%s was opened as descriptor %d, not %d, which the sandbox "
				  "would not let the capture write to",
				  name, l->out->fd, l->out_fd);
	}
	if (l->rot->gzip && nd_out_compress(l->out, err) < 0)
		return -1;
	l->rot->opened++;
	return nd_writer_start(l->writer, l->writer->userappl, err);
}

/* Writes one packet (rotating first when -C says so); false on a write error. */
static bool write_packet(struct nd_loop *l, unsigned int ifid, const struct pcap_pkthdr *h,
			 const unsigned char *bytes)
{
	/* -C: a new file before this packet would take the current one past the size (a
	 * file always gets at least one packet). 48 bytes cover the packet block's overhead,
	 * 100 per interface the statistics blocks that close the file. */
	if (l->rot != NULL && l->rot->bytes != 0 && l->out->nbuffered + l->out->nwritten > 0 &&
	    nd_out_size(l->out) + h->caplen + 48 + 100 * (uint64_t)l->nsrc > l->rot->bytes) {
		l->rot->in_period++;
		if (rotate(l, l->werr) != 0)
			return false;
	}
	if (nd_writer_packet(l->writer, ifid, h, bytes, l->werr) < 0 ||
	    (l->packet_buffered && nd_out_flush(l->out, l->werr) < 0))
		return false;
	l->captured++;
	nd_testhooks_packet(l->captured, l->src[ifid].cap->fd, l->rot ? l->rot->dir_fd : -1);
	return true;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct nd_loop *l = (struct nd_loop *)(void *)user;
	unsigned int ifid = l->cur->ifid;

	/* No pcap_breakloop() here, after a failure or at the -c count: it writes to an eventfd,
	 * and the sandbox lets the loop write to the output only. The rest of the batch is
	 * skipped here instead, and dispatch() asks for no more than the count. */
	if (l->write_failed || (l->count != 0 && l->captured >= l->count))
		return;
	if (l->nsrc > 1) {
		/* With nanosecond precision requested, libpcap's tv_usec holds nanoseconds. */
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

		if (nd_reorder_push(&l->reorder, ifid, ts, h->caplen, h->len, bytes, l->werr) < 0)
			l->write_failed = true;
		return;
	}
	if (!write_packet(l, ifid, h, bytes))
		l->write_failed = true;
}

/* Writes the held packets stamped before `until` (all of them for UINT64_MAX), oldest
 * first, up to the -c count; and older ones still while the heap holds too much. */
static void emit_reordered(struct nd_loop *l, uint64_t until)
{
	const struct nd_reorder_pkt *p;

	while (!l->write_failed && (p = nd_reorder_peek(&l->reorder)) != NULL &&
	       (p->ts_ns < until || nd_reorder_full(&l->reorder)) &&
	       (l->count == 0 || l->captured < l->count)) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(p->ts_ns / 1000000000u),
				.tv_usec = (suseconds_t)(p->ts_ns % 1000000000u) },
			.caplen = p->caplen,
			.len = p->len,
		};

		if (!write_packet(l, p->ifid, &h, p->data))
			l->write_failed = true;
		nd_reorder_pop(&l->reorder);
	}
}

/* Classifies a failed write: a reader gone is an orderly stop, anything else an error. */
static int write_stop(struct nd_loop *l)
{
	if (l->werr->errnum == EPIPE) {
		l->reason = ND_STOP_READER_GONE;
		return 0;
	}
	l->reason = ND_STOP_ERROR;
	return -1;
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

/* Reads what every live source has; marks sources whose interface went away. */
static int dispatch(struct nd_loop *l, struct nd_err *err)
{
	for (unsigned int i = 0; i < l->nsrc; i++) {
		struct nd_source *s = &l->src[i];
		int n, want = -1;

		if (s->done != ND_STOP_NONE)
			continue;
		if (l->count != 0 && l->nsrc == 1) {
			unsigned long left = l->count - l->captured;

			want = left > 1000000 ? 1000000 : (int)left;
		}
		/* One call hands over every block the kernel has retired; the loop then polls
		 * again, so signals and the clock are looked at even when packets never stop. */
		l->cur = s;
		n = pcap_dispatch(s->cap->p, want, on_packet, (u_char *)(void *)l);
		if (l->write_failed)
			return write_stop(l);
		if (n == PCAP_ERROR) {
			const char *msg = pcap_geterr(s->cap->p);

			/* The interface vanished (its namespace or veth was deleted) or went
			 * down: that target has gone, which ends its capture in order once
			 * the block the kernel was still filling has been read (DRAIN_MS, as
			 * after a signal). libpcap says so again on every read that finds the
			 * ring empty; the first cause (target exited or interface gone) counts. */
			if ((strcmp(s->cap->ifname, "any") != 0 && !iface_exists(s->cap)) ||
			    strstr(msg, "went down") || strstr(msg, "disappeared")) {
				if (s->gone_at < 0) {
					s->gone_at = now_ms();
					s->going = ND_STOP_IFACE_GONE;
				}
				continue;
			}
			l->reason = ND_STOP_ERROR;
			return nd_err_set(err, ND_EXIT_FAIL, 0, "capture on %s failed: %s",
					  s->label, msg);
		}
	}
	if (l->count != 0 && l->captured >= l->count)
		l->reason = ND_STOP_COUNT;
	return 0;
}

/* When every source is done, the reason the last one gave; ND_STOP_NONE while any runs. */
static enum nd_stop all_done(struct nd_loop *l, long long now)
{
	enum nd_stop last = ND_STOP_NONE;

	for (unsigned int i = 0; i < l->nsrc; i++) {
		struct nd_source *s = &l->src[i];

		/* A source whose target exited or whose interface went away is read for
		 * DRAIN_MS more, then done. */
		if (s->done == ND_STOP_NONE && s->gone_at >= 0 && now >= s->gone_at + DRAIN_MS)
			s->done = s->going;
		if (s->done == ND_STOP_NONE)
			return ND_STOP_NONE;
		last = s->done;
	}
	return last;
}

int nd_loop_run(struct nd_loop *l, struct nd_err *err)
{
	long long start = now_ms(), last_flush = start, drain_until = -1, end = -1, next_file = -1;
	struct pollfd *fds;
	unsigned int nfds = 0, first_src, first_pid, out_idx = 0;
	int rc = 0;

	l->werr = err;
	l->reason = ND_STOP_NONE;
	fds = calloc(2 * l->nsrc + 2, sizeof(*fds));
	if (fds == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot allocate the poll set");
	if (l->duration > 0)
		end = start + (long long)(l->duration * 1000.0 + 0.5);
	if (l->rot != NULL && l->rot->seconds != 0)
		next_file = start + (long long)l->rot->seconds * 1000;
	fds[nfds++] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
	/* The write end of a pipe reports POLLERR once its reader has gone (a socket, POLLHUP):
	 * notice that even when no packet comes to make a write fail. */
	if (l->live) {
		out_idx = nfds;
		fds[nfds++] = (struct pollfd){ .fd = l->out->fd, .events = 0 };
	}
	/* A write to a pipe whose reader reads nothing waits on the signals too (output.c). */
	l->out->wake_fd = l->sigfd;
	l->out_fd = l->out->fd;
	first_src = nfds;
	for (unsigned int i = 0; i < l->nsrc; i++) {
		l->src[i].gone_at = -1;
		l->src[i].done = ND_STOP_NONE;
		fds[nfds++] = (struct pollfd){ .fd = l->src[i].cap->fd, .events = POLLIN };
	}
	first_pid = nfds;
	for (unsigned int i = 0; i < l->nsrc; i++)
		fds[nfds++] = (struct pollfd){ .fd = l->src[i].pidfd, .events = POLLIN };

	for (;;) {
		long long now;
		int timeout = -1;
		enum nd_stop gone;

		if (dispatch(l, err) < 0) {
			rc = -1;
			break;
		}
		now = now_ms();
		if (l->nsrc > 1) {
			emit_reordered(l, wall_ns() - (uint64_t)ND_REORDER_DELAY_MS * 1000000u);
			if (l->write_failed) {
				rc = write_stop(l);
				break;
			}
			if (l->count != 0 && l->captured >= l->count)
				l->reason = ND_STOP_COUNT;
		}
		if (l->reason == ND_STOP_COUNT || l->reason == ND_STOP_READER_GONE)
			break;
		gone = all_done(l, now);
		if (gone != ND_STOP_NONE && drain_until < 0) {
			l->reason = gone;
			break;
		}
		for (unsigned int i = 0; i < l->nsrc; i++)
			if (l->src[i].done != ND_STOP_NONE)
				fds[first_src + i].fd = -1; /* poll skips negative fds */
		if ((l->live || now - last_flush >= FILE_FLUSH_MS) && l->out->len > 0) {
			if (nd_out_flush(l->out, err) < 0) {
				rc = write_stop(l);
				break;
			}
			last_flush = now;
		}
		if (drain_until >= 0 && now >= drain_until)
			break;
		if (drain_until < 0 && end >= 0 && now >= end) {
			l->reason = ND_STOP_DURATION;
			drain_until = now + DRAIN_MS;
			continue;
		}
		if (drain_until < 0 && next_file >= 0 && now >= next_file) {
			int r;

			if (l->nsrc > 1)
				emit_reordered(l, wall_ns() -
							  (uint64_t)ND_REORDER_DELAY_MS * 1000000u);
			l->rot->in_period = 0;
			r = rotate(l, err);
			if (r < 0) {
				l->reason = ND_STOP_ERROR;
				rc = -1;
				break;
			}
			if (r > 0) {
				l->reason = ND_STOP_FILES;
				break;
			}
			last_flush = now;
			while (next_file <= now)
				next_file += (long long)l->rot->seconds * 1000;
		}

		if (drain_until >= 0)
			timeout = (int)(drain_until - now);
		else if (end >= 0)
			timeout = (int)(end - now);
		if (drain_until < 0 && next_file >= 0 && (timeout < 0 || next_file - now < timeout))
			timeout = (int)(next_file - now);
		for (unsigned int i = 0; i < l->nsrc; i++) {
			const struct nd_source *s = &l->src[i];

			if (s->done == ND_STOP_NONE && s->gone_at >= 0) {
				int t = (int)(s->gone_at + DRAIN_MS - now);

				if (timeout < 0 || t < timeout)
					timeout = t < 0 ? 0 : t;
			}
		}
		if (l->nsrc > 1 && nd_reorder_peek(&l->reorder) != NULL) {
			/* Wake up when the oldest waiting packet is due. */
			uint64_t due = nd_reorder_peek(&l->reorder)->ts_ns +
				       (uint64_t)ND_REORDER_DELAY_MS * 1000000u;
			uint64_t wn = wall_ns();
			int t = due > wn ? (int)((due - wn) / 1000000u) + 1 : 0;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (l->out->len > 0 && !l->live) {
			int t = (int)(last_flush + FILE_FLUSH_MS - now);

			if (t < 0)
				t = 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (poll(fds, nfds, timeout) < 0 && errno != EINTR) {
			rc = nd_err_set(err, ND_EXIT_FAIL, errno, "poll");
			break;
		}

		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			ssize_t n = read(l->sigfd, &si, sizeof(si));

			if (n == (ssize_t)sizeof(si) && drain_until < 0) {
				l->reason = ND_STOP_SIGNAL;
				l->signo = (int)si.ssi_signo;
				drain_until = now_ms() + DRAIN_MS;
				l->out->stopping = true;
			}
		}
		if (l->live && (fds[out_idx].revents & (POLLERR | POLLHUP))) {
			l->reason = ND_STOP_READER_GONE;
			break;
		}
		for (unsigned int i = 0; i < l->nsrc; i++) {
			if (fds[first_pid + i].fd < 0 ||
			    !(fds[first_pid + i].revents & (POLLIN | POLLHUP)))
				continue;
			/* Report each exit once; several sources may share one target. */
			for (unsigned int j = 0; j < l->nsrc; j++) {
				if (l->src[j].pidfd == l->src[i].pidfd) {
					fds[first_pid + j].fd = -1;
					if (l->src[j].gone_at < 0) {
						l->src[j].gone_at = now_ms();
						l->src[j].going = ND_STOP_TARGET_EXITED;
					}
				}
			}
		}
	}
	/* Every packet read is written, in order, whatever ended the loop. */
	if (l->nsrc > 1 && rc == 0 && l->reason != ND_STOP_READER_GONE) {
		emit_reordered(l, UINT64_MAX);
		if (l->write_failed)
			rc = write_stop(l);
	}
	nd_reorder_free(&l->reorder);
	free(fds);
	return rc;
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
