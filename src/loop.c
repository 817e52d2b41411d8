/* The capture loop; see include/nsdump/loop.h. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
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

/* Closes the current file (with its statistics) and opens the next; returns 1 instead when
 * -W files have been written with -G, leaving no file open. */
static int rotate(struct nd_loop *l, struct nd_err *err)
{
	struct nd_capture_stats st;
	nd_reclen_fn reclen = l->out->reclen;
	char name[4096];

	if (nd_capture_stats(l->cap, &st, err) < 0 ||
	    nd_writer_stats(l->writer, l->ifid, st.received, st.dropped, st.ifdropped, err) < 0 ||
	    nd_out_close(l->out, err) < 0)
		return -1;
	l->closed_packets += l->out->nwritten;
	if (l->rot->seconds && !l->rot->bytes && l->rot->files && l->rot->opened >= l->rot->files)
		return 1;
	/* Privileges are long gone: the file is created with the invoker's own rights. */
	if (nd_rotate_name(l->rot, time(NULL), name, sizeof(name), err) < 0 ||
	    nd_out_open(l->out, name, l->out_bufsize, reclen, err) < 0)
		return -1;
	l->rot->opened++;
	return nd_writer_start(l->writer, l->writer->userappl, err);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct nd_loop *l = (struct nd_loop *)(void *)user;

	if (l->write_failed)
		return;
	/* -C: a new file before this packet would take the current one past the size (a
	 * file always gets at least one packet). 48 bytes cover the packet block's overhead,
	 * 100 the statistics block that closes the file. */
	if (l->rot != NULL && l->rot->bytes != 0 && l->writer->ifs[l->ifid].written > 0 &&
	    (uint64_t)l->out->committed + l->out->len + h->caplen + 48 + 100 > l->rot->bytes) {
		l->rot->in_period++;
		if (rotate(l, l->werr) != 0) {
			l->write_failed = true;
			pcap_breakloop(l->cap->p);
			return;
		}
	}
	if (nd_writer_packet(l->writer, l->ifid, h, bytes, l->werr) < 0 ||
	    (l->packet_buffered && nd_out_flush(l->out, l->werr) < 0)) {
		l->write_failed = true;
		pcap_breakloop(l->cap->p);
		return;
	}
	l->captured++;
	nd_testhooks_packet(l->captured);
	if (l->count != 0 && l->captured >= l->count)
		pcap_breakloop(l->cap->p);
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

/* SIOCGIFINDEX on the capture's own socket, which answers for the socket's namespace:
 * if_nametoindex(3) would open a new socket, which the sandbox (src/sandbox.c) forbids. */
static bool iface_exists(const struct nd_loop *l)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->cap->ifname);
	return ioctl(l->cap->fd, SIOCGIFINDEX, &ifr) == 0;
}

static int dispatch(struct nd_loop *l, struct nd_err *err)
{
	int n, want = -1;

	if (l->count != 0) {
		unsigned long left = l->count - l->captured;

		want = left > 1000000 ? 1000000 : (int)left;
	}
	/* One call hands over every block the kernel has retired; the loop then polls again,
	 * so signals and the clock are looked at even when packets never stop coming. */
	n = pcap_dispatch(l->cap->p, want, on_packet, (u_char *)(void *)l);
	if (l->write_failed)
		return write_stop(l);
	if (l->count != 0 && l->captured >= l->count) {
		l->reason = ND_STOP_COUNT;
		return 0;
	}
	if (n == PCAP_ERROR) {
		/* The interface vanished (its namespace or veth was deleted) or went down:
		 * the target has gone, which ends the capture in order. */
		if ((strcmp(l->cap->ifname, "any") != 0 && !iface_exists(l)) ||
		    strstr(pcap_geterr(l->cap->p), "down")) {
			l->reason = ND_STOP_IFACE_GONE;
			return 0;
		}
		l->reason = ND_STOP_ERROR;
		return nd_err_set(err, ND_EXIT_FAIL, 0, "capture on %s failed: %s", l->cap->ifname,
				  pcap_geterr(l->cap->p));
	}
	return 0;
}

int nd_loop_run(struct nd_loop *l, struct nd_err *err)
{
	long long start = now_ms(), last_flush = start, drain_until = -1, end = -1, next_file = -1;
	struct pollfd fds[4];
	nfds_t nfds = 2;
	int pid_idx = -1, out_idx = -1;

	l->werr = err;
	l->reason = ND_STOP_NONE;
	if (l->duration > 0)
		end = start + (long long)(l->duration * 1000.0 + 0.5);
	if (l->rot != NULL && l->rot->seconds != 0)
		next_file = start + (long long)l->rot->seconds * 1000;
	fds[0] = (struct pollfd){ .fd = l->cap->fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
	if (l->target != NULL && l->target->pidfd >= 0) {
		pid_idx = (int)nfds;
		fds[nfds++] = (struct pollfd){ .fd = l->target->pidfd, .events = POLLIN };
	}
	/* The write end of a pipe reports POLLERR once its reader has gone (a socket, POLLHUP):
	 * notice that even when no packet comes to make a write fail. */
	if (l->live) {
		out_idx = (int)nfds;
		fds[nfds++] = (struct pollfd){ .fd = l->out->fd, .events = 0 };
	}

	for (;;) {
		long long now;
		int timeout = -1;

		if (dispatch(l, err) < 0)
			return -1;
		if (l->reason == ND_STOP_COUNT || l->reason == ND_STOP_READER_GONE ||
		    l->reason == ND_STOP_IFACE_GONE)
			break;
		now = now_ms();
		if ((l->live || now - last_flush >= FILE_FLUSH_MS) && l->out->len > 0) {
			if (nd_out_flush(l->out, err) < 0) {
				if (write_stop(l) < 0)
					return -1;
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
			int rc;

			l->rot->in_period = 0;
			rc = rotate(l, err);
			if (rc < 0) {
				l->reason = ND_STOP_ERROR;
				return -1;
			}
			if (rc > 0) {
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
		if (l->out->len > 0 && !l->live) {
			int t = (int)(last_flush + FILE_FLUSH_MS - now);

			if (t < 0)
				t = 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (poll(fds, nfds, timeout) < 0 && errno != EINTR)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "poll");

		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			ssize_t n = read(l->sigfd, &si, sizeof(si));

			if (n == (ssize_t)sizeof(si) && drain_until < 0) {
				l->reason = ND_STOP_SIGNAL;
				l->signo = (int)si.ssi_signo;
				drain_until = now_ms() + DRAIN_MS;
			}
		}
		if (out_idx >= 0 && (fds[out_idx].revents & (POLLERR | POLLHUP))) {
			l->reason = ND_STOP_READER_GONE;
			break;
		}
		if (pid_idx >= 0 && (fds[pid_idx].revents & (POLLIN | POLLHUP))) {
			fds[pid_idx].fd = -1; /* poll ignores negative fds: report the exit once */
			if (drain_until < 0) {
				l->reason = ND_STOP_TARGET_EXITED;
				drain_until = now_ms() + DRAIN_MS;
			}
		}
	}
	return 0;
}

const char *nd_loop_reason(const struct nd_loop *l)
{
	switch (l->reason) {
	case ND_STOP_COUNT:
		return "packet count reached";
	case ND_STOP_DURATION:
		return "duration over";
	case ND_STOP_SIGNAL:
		return l->signo == SIGINT ? "interrupted" : l->signo == SIGTERM ? "terminated" : "hangup";
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
