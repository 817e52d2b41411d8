/* --follow; see include/nsdump/follow.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/follow.h"
#include "nsdump/text.h"
#include "nsdump/watch.h"

/* A start's pipe to the writer: room for a burst while the writer is busy elsewhere (the
 * capture's own ring holds the rest). */
#define STREAM_PIPE_SIZE (1024 * 1024)

struct followed {
	const struct nd_target_spec *spec;
	char what[320];            /* "container web1", "pod shop/web-0", for messages */
	unsigned int starts;       /* seen so far */
	struct nd_container last;  /* the last start's record: its ID, PID and start time */
	struct nd_container first; /* what the first look found (pid 0: not running) */
	struct nd_container known; /* its record as last found, running or not ("": none yet) */
	bool said_waiting;
};

struct start {
	pid_t pid; /* the process capturing it */
	int pidfd; /* readable when it ends */
	unsigned int target;
	unsigned int no;
};

struct follower {
	const struct nd_session_cfg *cfg;
	struct nd_privs *privs;
	int sigfd;
	struct nd_resolver *res;
	struct nd_watch watch;
	struct followed t[ND_MAX_TARGETS];
	struct start kids[ND_MAX_SOURCES];
	unsigned int nkids;
	pid_t writer;
	int writer_pidfd;
	int ctl; /* our end of the writer's control socket; -1 once closed */
	bool stopping;
	int status; /* the exit status, once known */
};

static int die(const struct nd_err *err)
{
	fprintf(stderr, "nsdump: %s\n", err->msg);
	return err->exit ? err->exit : ND_EXIT_FAIL;
}

static int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* ---- a start's capture (the child) ---- */

/* "start 2, process started 2026-12-06T04:05:01.23Z": when the start's process began, from
 * its start time (clock ticks since boot) and the clocks now. */
static void start_note(unsigned long long start, unsigned int no, char *out, size_t size)
{
	struct timespec boot, wall;
	long hz = sysconf(_SC_CLK_TCK);
	double ago, at;
	time_t sec;
	struct tm tm;
	char stamp[32] = "";
	size_t k;

	if (hz > 0 && start != 0 && clock_gettime(CLOCK_BOOTTIME, &boot) == 0 &&
	    clock_gettime(CLOCK_REALTIME, &wall) == 0) {
		ago = (double)boot.tv_sec + (double)boot.tv_nsec / 1e9 - (double)start / (double)hz;
		at = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9 - ago;
		sec = (time_t)at;
		k = gmtime_r(&sec, &tm) != NULL
			    ? strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm)
			    : 0;
		if (k > 0)
			snprintf(stamp + k, sizeof(stamp) - k, ".%02dZ",
				 (int)((at - (double)sec) * 100));
	}
	if (stamp[0] != '\0')
		snprintf(out, size, "start %u, process started %s", no, stamp);
	else
		snprintf(out, size, "start %u", no);
}

/* In the forked child: captures start `no` of target i, c, into standard output (the
 * pipe), as an ordinary capture does, and exits. */
static void run_start(struct follower *f, unsigned int i, const struct nd_container *c,
		      unsigned int no)
{
	struct nd_session_cfg cfg = *f->cfg;
	struct nd_session s;
	struct nd_err err = { 0 };
	struct timespec open_wall = { 0 }, open_boot = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long start;
	char note[96];
	int rc;

	cfg.ntargets = 1;
	cfg.targets[0] = *f->t[i].spec;
	cfg.targets[0].found = c;
	cfg.output = "-";
	cfg.format = ND_FORMAT_PCAPNG;
	cfg.rotate_seconds = 0;
	cfg.rotate_bytes = 0;
	cfg.rotate_files = 0;
	cfg.gzip = false;
	cfg.count = 0;
	cfg.duration = 0;
	cfg.packet_buffered = false;
	cfg.follow = false;
	cfg.start_no = no;
	nd_session_init(&s, &cfg, f->privs, f->sigfd);
	rc = nd_session_open(&s, &err);
	/* The process's start time, as /proc says (an Engine API record has none). */
	start = s.targets[0].starttime;
	start_note(start, no, note, sizeof(note));
	cfg.start_note = note;
	/* -v: when the captures were open, against when the start's process began (its
	 * first instruction comes later, once the runtime starts it). */
	(void)clock_gettime(CLOCK_REALTIME, &open_wall);
	(void)clock_gettime(CLOCK_BOOTTIME, &open_boot);
	if (rc == 0)
		rc = nd_session_start_output(&s, &err);
	/* -v says where the packets go: through the writer, not to this pipe. */
	if (rc == 0)
		snprintf(s.out.name, sizeof(s.out.name), "%.200s, through the writer",
			 f->cfg->output != NULL && strcmp(f->cfg->output, "-") != 0
				 ? f->cfg->output
				 : "standard output");
	if (rc == 0)
		rc = nd_privs_drop(f->privs, &err);
	if (rc == 0)
		rc = nd_session_sandbox(&s, &err);
	if (rc == 0 && !cfg.quiet)
		nd_session_print_listening(&s);
	if (rc == 0 && cfg.verbose > 0 && hz > 0 && start != 0)
		fprintf(stderr,
			"nsdump: %s: start %u captured from %lld.%06ld, %.1f ms after its process "
			"began\n",
			f->t[i].what, no, (long long)open_wall.tv_sec, open_wall.tv_nsec / 1000,
			((double)open_boot.tv_sec + (double)open_boot.tv_nsec / 1e9 -
			 (double)start / (double)hz) *
				1000.0);
	if (rc == 0)
		rc = nd_session_run(&s, &err);
	if (rc < 0 && err.errnum == EPIPE)
		rc = 0; /* the writer has stopped (-c) */
	nd_session_close(&s);
	if (rc < 0) {
		nd_err_prefix(&err, "start %u of %s", no, f->t[i].what);
		_exit(die(&err));
	}
	_exit(ND_EXIT_OK);
}

/* Hands fd to the writer over the control socket ctl. */
static int send_fd(int ctl, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	char byte = 'n';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf) };

	if (ctl < 0)
		return -1;
	memset(&c, 0, sizeof(c));
	c.align.cmsg_level = SOL_SOCKET;
	c.align.cmsg_type = SCM_RIGHTS;
	c.align.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&c.align), &fd, sizeof(int));
	return sendmsg(ctl, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Forks the capture of start `no` of target i and hands its stream to the writer. */
static int spawn_start(struct follower *f, unsigned int i, const struct nd_container *c,
		       unsigned int no, struct nd_err *err)
{
	struct start *k;
	int p[2];
	pid_t pid;

	if (f->nkids == ND_MAX_SOURCES)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "more than %d starts captured at once",
				  ND_MAX_SOURCES);
	if (pipe2(p, O_CLOEXEC) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot make a pipe");
	(void)fcntl(p[0], F_SETPIPE_SZ, STREAM_PIPE_SIZE); /* the default 64 KiB will do too */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot set up a pipe");
	}
	pid = fork();
	if (pid < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot fork");
	}
	if (pid == 0) {
		/* Only the pipe (as standard output) and the signals go with it. */
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(ND_EXIT_FAIL);
		if (f->sigfd > 3)
			(void)close_range(3, (unsigned int)f->sigfd - 1, 0);
		(void)close_range((unsigned int)f->sigfd + 1, ~0U, 0);
		run_start(f, i, c, no);
	}
	(void)close(p[1]);
	/* Without the writer (it has gone), the capture ends on its closed pipe. */
	if (send_fd(f->ctl, p[0]) < 0)
		(void)kill(pid, SIGTERM);
	(void)close(p[0]);
	k = &f->kids[f->nkids];
	*k = (struct start){ .pid = pid, .pidfd = pidfd_of(pid), .target = i, .no = no };
	if (k->pidfd < 0) {
		int e = errno;

		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return nd_err_set(err, ND_EXIT_FAIL, e, "pidfd_open(%d)", (int)pid);
	}
	f->nkids++;
	return 0;
}

/* ---- the wait ---- */

/* The same start of the same container: its ID and PID, and the start time where both
 * records have one (runc's state records it; an Engine API answer may not, for the same
 * process: that is no new start). */
static bool same_start(const struct nd_container *a, const struct nd_container *b)
{
	return a->pid == b->pid && strcmp(a->id, b->id) == 0 &&
	       (a->start == 0 || b->start == 0 || a->start == b->start);
}

/* Asks the runtimes about target i, with the invoker's rights: 1 with *c when it runs. */
static int look(struct follower *f, unsigned int i, struct nd_container *c, struct nd_err *err)
{
	const struct nd_target_spec *sp = f->t[i].spec;
	int rc;

	if (nd_privs_invoker_begin(f->privs, err) < 0)
		return -1;
	rc = sp->kind == ND_TARGET_POD
		     ? nd_resolve_follow(f->res, NULL, sp->pod_ns, sp->name, c, err)
		     : nd_resolve_follow(f->res, sp->name, NULL, NULL, c, err);
	if (nd_privs_invoker_end(f->privs, err) < 0)
		return -1;
	if (rc >= 0 && c->id[0] != '\0')
		f->t[i].known = *c;
	return rc;
}

/* The quick look, first after a wake-up: the container found before, in runc's state alone.
 * A fast container may live for a few milliseconds once started; asking its engine while it
 * starts it took up to 90 ms here, and lost the start. 1 with *c when it has a process. */
static int refresh(struct follower *f, unsigned int i, struct nd_container *c, struct nd_err *err)
{
	int rc;

	if (f->t[i].known.id[0] == '\0' || nd_privs_invoker_begin(f->privs, err) < 0)
		return f->t[i].known.id[0] == '\0' ? 0 : -1;
	rc = nd_resolve_refresh(f->res, &f->t[i].known, c);
	if (nd_privs_invoker_end(f->privs, err) < 0)
		return -1;
	return rc;
}

/* Captures the start of target i that look() found (rc), unless it is the one seen last. */
static int take(struct follower *f, unsigned int i, int rc, const struct nd_container *found,
		struct nd_err *err)
{
	struct followed *t = &f->t[i];
	const struct nd_container c = *found;

	if (rc <= 0) {
		/* Once: later waits follow "start N ended; waiting for the next". */
		if (!t->said_waiting && !f->cfg->quiet)
			fprintf(stderr, "nsdump: %s does not run: waiting for it to start\n",
				t->what);
		t->said_waiting = true;
		return 0;
	}
	if (t->starts > 0 && same_start(&c, &t->last))
		return 0;
	t->last = c;
	t->starts++;
	t->said_waiting = true;
	if (!f->cfg->quiet)
		nd_text_print(stderr, "nsdump: %s: start %u (%s %.12s, PID %d)", t->what, t->starts,
			      nd_runtime_name(c.runtime), c.id, (int)c.pid);
	return spawn_start(f, i, &t->last, t->starts, err);
}

static int probe_all(struct follower *f, struct nd_err *err)
{
	for (unsigned int i = 0; i < f->cfg->ntargets && !f->stopping; i++) {
		struct nd_container c = { 0 };
		int rc = refresh(f, i, &c, err);

		/* A new start of the known container; otherwise the runtimes are asked (a
		 * container made anew under the name has another ID). */
		if (rc == 1 && !(f->t[i].starts > 0 && same_start(&c, &f->t[i].last))) {
			if (take(f, i, 1, &c, err) < 0)
				return -1;
			continue;
		}
		memset(&c, 0, sizeof(c));
		rc = rc < 0 ? -1 : look(f, i, &c, err);
		if (rc < 0 || take(f, i, rc, &c, err) < 0)
			return -1;
	}
	return 0;
}

/* Tells every capture, and the writer, to stop (signo: the one we got, or SIGTERM). */
static void stop_all(struct follower *f, int signo)
{
	f->stopping = true;
	for (unsigned int k = 0; k < f->nkids; k++)
		(void)kill(f->kids[k].pid, signo);
	if (f->writer > 0)
		(void)kill(f->writer, signo);
}

/* A start's capture has ended: reaped, and said. */
static void start_ended(struct follower *f, unsigned int k)
{
	struct start s = f->kids[k];
	int ws = 0;

	while (waitpid(s.pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (s.pidfd >= 0)
		(void)close(s.pidfd);
	f->kids[k] = f->kids[--f->nkids];
	/* Its signals come through its signalfd: killed by one means it crashed (or SIGKILL). */
	if (WIFSIGNALED(ws))
		fprintf(stderr,
			"nsdump: warning: %s: the capture of start %u ended on signal %d (%s)\n",
			f->t[s.target].what, s.no, WTERMSIG(ws), strsignal(WTERMSIG(ws)));
	if (!f->stopping && !f->cfg->quiet)
		nd_text_print(stderr, "nsdump: %s: start %u ended; waiting for the next",
			      f->t[s.target].what, s.no);
}

/* The writer has ended: its exit status is ours. */
static void writer_ended(struct follower *f)
{
	int ws = 0;

	while (waitpid(f->writer, &ws, 0) < 0 && errno == EINTR)
		;
	f->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : ND_EXIT_FAIL;
	if (WIFSIGNALED(ws))
		fprintf(stderr, "nsdump: the writer ended on signal %d (%s)\n", WTERMSIG(ws),
			strsignal(WTERMSIG(ws)));
	f->writer = 0;
	(void)close(f->writer_pidfd);
	f->writer_pidfd = -1;
	if (f->ctl >= 0)
		(void)close(f->ctl);
	f->ctl = -1;
}

/* Waits for the next event and handles it; false once everything has ended. */
static bool wait_once(struct follower *f, struct nd_err *err, bool *failed)
{
	struct pollfd p[4 + ND_MAX_SOURCES];
	unsigned int n = 0;

	p[n++] = (struct pollfd){ .fd = f->sigfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = f->stopping ? -1 : f->watch.fd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = f->ctl, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = f->writer_pidfd, .events = POLLIN };
	for (unsigned int k = 0; k < f->nkids; k++)
		p[n++] = (struct pollfd){ .fd = f->kids[k].pidfd, .events = POLLIN };
	if (poll(p, n, -1) < 0) {
		if (errno == EINTR)
			return true;
		*failed = true;
		(void)nd_err_set(err, ND_EXIT_FAIL, errno, "poll");
		stop_all(f, SIGTERM);
		return true;
	}
	if (p[0].revents & POLLIN) {
		struct signalfd_siginfo si;

		if (read(f->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			stop_all(f, (int)si.ssi_signo);
	}
	if (p[2].revents & (POLLIN | POLLHUP)) {
		char b;

		/* The writer stops (--duration): the captures end, flushing what they hold. */
		if (recv(f->ctl, &b, 1, MSG_DONTWAIT) <= 0 || !f->stopping)
			stop_all(f, SIGTERM);
	}
	if (f->writer_pidfd >= 0 && (p[3].revents & POLLIN)) {
		writer_ended(f);
		stop_all(f, SIGTERM);
	}
	for (unsigned int k = f->nkids; k > 0; k--)
		if (p[4 + k - 1].revents & POLLIN)
			start_ended(f, k - 1);
	if ((p[1].revents & POLLIN) && !f->stopping) {
		/* New directories are watched with the rights their state is read with. */
		if (nd_privs_invoker_begin(f->privs, err) < 0 ||
		    (nd_watch_drain(&f->watch), nd_watch_arm(&f->watch),
		     nd_privs_invoker_end(f->privs, err) < 0) ||
		    probe_all(f, err) < 0) {
			*failed = true;
			stop_all(f, SIGTERM);
		}
	}
	/* Once every capture has ended, the writer is told no more will come. */
	if (f->stopping && f->nkids == 0 && f->ctl >= 0) {
		(void)close(f->ctl);
		f->ctl = -1;
	}
	return f->writer > 0 || f->nkids > 0;
}

/* ---- the writer (the child) ---- */

/* In the forked child: the output's writer, until the loop ends. */
static void run_writer(struct follower *f, struct nd_session *s)
{
	struct nd_err err = { 0 };
	int rc;

	nd_watch_close(&f->watch);
	nd_resolver_free(f->res);
	if (nd_privs_drop(f->privs, &err) < 0 || nd_session_sandbox(s, &err) < 0)
		_exit(die(&err));
	rc = nd_session_run(s, &err);
	nd_session_print_stats(s);
	_exit(rc < 0 ? die(&err) : ND_EXIT_OK);
}

/* Opens the output as any capture does, with no interface yet, and forks its writer. */
static int start_writer(struct follower *f, struct nd_session *s, struct nd_err *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot make a socket pair");
	nd_session_init(s, f->cfg, f->privs, f->sigfd);
	s->ctl_fd = sv[1];
	f->ctl = sv[0];
	if (nd_session_start_output(s, err) < 0) {
		(void)close(sv[1]);
		return -1;
	}
	f->writer = fork();
	if (f->writer < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot fork");
	if (f->writer == 0) {
		(void)close(sv[0]);
		run_writer(f, s);
	}
	(void)close(sv[1]);
	s->ctl_fd = -1;
	/* The writer owns the output now: this process drops its copy, writing nothing. */
	nd_out_abort(&s->out);
	nd_session_close(s);
	f->writer_pidfd = pidfd_of(f->writer);
	if (f->writer_pidfd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "pidfd_open(%d)", (int)f->writer);
	return 0;
}

static void name_targets(struct follower *f)
{
	for (unsigned int i = 0; i < f->cfg->ntargets; i++) {
		const struct nd_target_spec *sp = &f->cfg->targets[i];

		f->t[i].spec = sp;
		if (sp->kind == ND_TARGET_POD)
			snprintf(f->t[i].what, sizeof(f->t[i].what), "pod %.120s/%.180s",
				 sp->pod_ns, sp->name);
		else
			snprintf(f->t[i].what, sizeof(f->t[i].what), "container %.300s", sp->name);
	}
}

int nd_follow_run(const struct nd_session_cfg *cfg, struct nd_privs *privs, int sigfd)
{
	struct follower f = {
		.cfg = cfg, .privs = privs, .sigfd = sigfd, .writer_pidfd = -1, .ctl = -1
	};
	struct nd_session s;
	struct nd_err err = { 0 };
	bool failed = false;
	int rc;

	f.watch.fd = -1;
	name_targets(&f);
	if (nd_resolver_new(&f.res, &cfg->resolver, privs, &err) < 0)
		return die(&err);
	rc = nd_watch_open(&f.watch, cfg->resolver.root, cfg->resolver.runtimes, &err);
	/* Watches first, then the first look: a start in between is seen either way. */
	if (rc == 0 && nd_privs_invoker_begin(privs, &err) == 0) {
		nd_watch_arm(&f.watch);
		rc = nd_privs_invoker_end(privs, &err);
	} else {
		rc = -1;
	}
	/* A name that matches several containers fails now, before the output is made. */
	for (unsigned int i = 0; rc == 0 && i < cfg->ntargets; i++)
		rc = look(&f, i, &f.t[i].first, &err) < 0 ? -1 : 0;
	if (rc == 0)
		rc = start_writer(&f, &s, &err);
	for (unsigned int i = 0; rc == 0 && i < cfg->ntargets; i++)
		rc = take(&f, i, f.t[i].first.pid != 0 ? 1 : 0, &f.t[i].first, &err);
	if (rc < 0) {
		failed = true;
		stop_all(&f, SIGTERM);
	}
	while ((f.writer > 0 || f.nkids > 0) && wait_once(&f, &err, &failed))
		;
	nd_watch_close(&f.watch);
	nd_resolver_free(f.res);
	if (failed)
		return die(&err);
	return f.status;
}
