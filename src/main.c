/* nsdump: capture a network namespace's traffic from the host.
 *
 * main() runs the steps in the order the privilege model needs (README, "Privileges") and is
 * the only place that prints errors and exits. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/authz.h"
#include "nsdump/cli.h"
#include "nsdump/err.h"
#include "nsdump/extcap.h"
#include "nsdump/filter.h"
#include "nsdump/follow.h"
#include "nsdump/loop.h"
#include "nsdump/merge.h"
#include "nsdump/output.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/sandbox.h"
#include "nsdump/session.h"
#include "nsdump/testhooks.h"
#include "nsdump/text.h"
#include "nsdump/veth.h"

struct run {
	struct nd_opts opts;
	struct nd_session_cfg cfg;
	struct nd_container extcap_found; /* extcap's target, found once */
	struct nd_privs privs;
	struct nd_session session;
	int sigfd;
	char *filter_from_file;
	struct nd_out out;         /* --merge's */
	struct nd_sandbox sandbox; /* --merge's */
};

static int die(const struct nd_err *err)
{
	fprintf(stderr, "nsdump: %s\n", err->msg);
	return err->exit ? err->exit : ND_EXIT_FAIL;
}

/* --help and --version: the answer, and the exit status (stdout may be a closed pipe). */
static int answer(const struct nd_opts *opts)
{
	if (opts->help)
		nd_cli_usage(stdout);
	else
		printf("nsdump %s (%s)\n", ND_VERSION, pcap_lib_version());
	return ferror(stdout) || fflush(stdout) != 0 ? ND_EXIT_FAIL : ND_EXIT_OK;
}

static int close_inherited_fds(struct nd_err *err)
{
	/* An fd inherited from the invoker must not reach the capture (or a setuid process). */
	if (close_range(3, ~0U, 0) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot close inherited descriptors");
	return 0;
}

/* --list: the containers of every runtime, with the invoker's rights; nothing is captured. */
static int run_list(struct run *r, struct nd_err *err)
{
	struct nd_resolver_cfg cfg = { .runtimes = r->opts.runtimes, .root = r->opts.root };
	struct nd_container_list l = { 0 };
	struct nd_resolver *res;
	int rc;

	if (nd_resolver_new(&res, &cfg, &r->privs, err) < 0)
		return -1;
	rc = nd_privs_invoker_begin(&r->privs, err);
	if (rc == 0)
		rc = nd_resolve_list(res, &l, err);
	if (nd_privs_invoker_end(&r->privs, err) < 0)
		rc = -1;
	if (rc == 0)
		nd_veth_list_peers(&r->privs, &l);
	if (rc == 0 && nd_privs_drop(&r->privs, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = nd_container_print_list(stdout, &l, r->opts.json, err);
	if (rc == 0 && nd_resolver_notes(res)[0] != '\0' && !r->opts.quiet)
		nd_text_print(stderr, "nsdump: note: %s", nd_resolver_notes(res));
	nd_resolver_free(res);
	nd_container_list_free(&l);
	return rc;
}

/* --wait-stdin. kubectl debug -i attaches to the container's output only once it runs, and
 * the runtime does not replay what was written before (it went to the container's log):
 * the file header would be lost. The captures are open already, so the kernel keeps the
 * packets meanwhile; the output starts when kubectl's attached stdin delivers a byte or its
 * end. A stop signal ends the wait too (and then the capture, which sees it pending). */
static int wait_stdin(const struct run *r, struct nd_err *err)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			       { .fd = r->sigfd, .events = POLLIN } };
	char c;
	int rc;

	do {
		rc = poll(p, 2, -1);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot wait for standard input");
	if ((p[0].revents & (POLLIN | POLLHUP)) && read(STDIN_FILENO, &c, 1) < 0 && errno != EINTR)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read standard input");
	return 0;
}

/* --merge: reads files, captures nothing, so it uses no privilege at all. An elevated
 * process (setuid, file capabilities) drops everything before opening a single input; root
 * opens them with its usual rights and drops everything before reading a byte. The hostile
 * inputs are parsed under the seccomp allow-list. Returns the exit status. */
static int run_merge(struct run *r, struct nd_err *err)
{
	struct nd_merge m = { .sigfd = -1 };
	enum nd_format fmt = r->opts.format_pcap ? ND_FORMAT_PCAP : ND_FORMAT_PCAPNG;
	char userappl[128];
	bool corrupt = false;
	int rc = -1;

	snprintf(userappl, sizeof(userappl), "nsdump %s (merge)", ND_VERSION);
	m.pcap = r->opts.format_pcap;
	m.count = r->opts.count;
	m.packet_buffered = r->opts.packet_buffered;
	m.userappl = userappl;
	if (nd_out_check_stdout(r->opts.output, err) < 0)
		goto out;
	r->sigfd = nd_loop_block_signals(err);
	m.sigfd = r->sigfd;
	if (r->sigfd < 0 || (nd_privs_elevated(&r->privs) && nd_privs_drop(&r->privs, err) < 0) ||
	    nd_privs_invoker_begin(&r->privs, err) < 0)
		goto out;
	rc = nd_merge_open(&m, r->opts.inputs, r->opts.ninputs, r->opts.output, err);
	if (rc == 0)
		rc = nd_out_open(&r->out, r->opts.output, ND_OUT_BUFFER_SIZE, nd_writer_reclen(fmt),
				 err);
	r->sandbox = (struct nd_sandbox){ .out_fd = r->out.fd, .dir_fd = -1 };
	if (nd_privs_invoker_end(&r->privs, err) < 0 || rc < 0 ||
	    (r->opts.gzip && nd_out_compress(&r->out, err) < 0) ||
	    (!r->privs.dropped && nd_privs_drop(&r->privs, err) < 0) ||
	    nd_sandbox_enter(&r->sandbox, err) < 0) {
		rc = -1;
		goto out;
	}
	/* A reader that stops reading does not hold the merge up either (output.c). */
	r->out.wake_fd = r->sigfd;
	rc = nd_merge_run(&m, &r->out, err);
	if (m.signo > 0)
		r->out.stopping = true; /* asked to stop: the last flush may give up too */
	if (rc < 0) {
		nd_out_abort(&r->out);
	} else if (nd_out_close(&r->out, err) < 0) {
		if (err->errnum != EPIPE)
			rc = -1;
		m.reader_gone = true;
	}
	for (unsigned int i = 0; i < m.nin; i++) {
		if (m.in[i].corrupt)
			nd_text_print(stderr, "nsdump: %s", m.in[i].problem);
		else if (m.in[i].truncated && !r->opts.quiet)
			nd_text_print(stderr, "nsdump: warning: %s", m.in[i].problem);
		corrupt |= m.in[i].corrupt;
	}
	if (rc == 0 && !r->opts.quiet) {
		if (m.signo > 0)
			fprintf(stderr, "nsdump: stopping: %s\n", strsignal(m.signo));
		if (m.reader_gone)
			fprintf(stderr, "nsdump: stopping: the reader closed the pipe\n");
		if (m.skipped > 0 && r->opts.verbose > 0)
			fprintf(stderr, "nsdump: %llu blocks of other kinds left out\n", m.skipped);
		fprintf(stderr, "%llu packet%s merged from %u input%s, %zu interface%s\n",
			m.written, m.written == 1 ? "" : "s", m.nin, m.nin == 1 ? "" : "s", m.noifs,
			m.noifs == 1 ? "" : "s");
	}
out:
	nd_merge_close(&m);
	rc = rc < 0 ? die(err) : corrupt ? ND_EXIT_FAIL : ND_EXIT_OK;
	if (r->out.buf != NULL)
		nd_out_abort(&r->out);
	if (r->sigfd >= 0)
		(void)close(r->sigfd);
	return rc;
}

/* --filter-file: read with the invoker's rights, as any file the invoker names. */
static int read_filter_file(struct run *r, struct nd_err *err)
{
	int rc;

	if (r->opts.filter_file == NULL)
		return 0;
	if (nd_privs_invoker_begin(&r->privs, err) < 0)
		return -1;
	rc = nd_filter_read_file(r->opts.filter_file, &r->filter_from_file, err);
	if (nd_privs_invoker_end(&r->privs, err) < 0 || rc < 0)
		return -1;
	r->cfg.filter = r->filter_from_file;
	return 0;
}

/* A capture, or -D, in the order of the privilege model. Returns the exit status. */
static int capture(struct run *r, struct nd_err *err)
{
	struct nd_session *s = &r->session;
	int rc;

	/* Privileged: the targets, their interfaces, the capture sockets, the filters. */
	if (nd_session_open(s, err) < 0)
		return die(err);
	if (s->listed)
		return fflush(stdout) == 0 ? ND_EXIT_OK : ND_EXIT_FAIL;
	if (r->opts.wait_stdin && wait_stdin(r, err) < 0)
		return die(err);
	if (nd_session_start_output(s, err) < 0) {
		/* A reader that leaves before the header is written ends the capture in order. */
		if (err->errnum != EPIPE)
			return die(err);
		if (!r->cfg.quiet)
			fprintf(stderr, "nsdump: stopping: the reader closed the pipe\n");
		return ND_EXIT_OK;
	}
	/* Nothing privileged from here on, and only the system calls the loop needs. */
	if (nd_privs_drop(&r->privs, err) < 0 || nd_session_sandbox(s, err) < 0)
		return die(err);
	if (!r->cfg.quiet)
		nd_session_print_listening(s);
	rc = nd_session_run(s, err);
	nd_session_print_stats(s);
	return rc < 0 ? die(err) : ND_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct run r = { .sigfd = -1 };
	struct nd_err err = { 0 }, perr = { 0 };
	bool extcap = nd_extcap_requested(argc, argv);
	int rc, prc = 0;

	/* Parsing reads nothing but argv, so it comes first: --help and --version, in every
	 * spelling getopt_long takes, are answered before anything else happens, privileges
	 * included. Any other parse error waits for the checks below, so that a user nsdump
	 * refuses learns that first. */
	if (!extcap) {
		prc = nd_cli_parse(argc, argv, &r.opts, &perr);
		if (prc == 0 && (r.opts.help || r.opts.version))
			return answer(&r.opts);
	}
	nd_testhooks_init();
	if (nd_authz_reset_signals(&err) < 0 || close_inherited_fds(&err) < 0 ||
	    nd_authz_std_fds(&err) < 0 || nd_privs_init(&r.privs, &err) < 0 ||
	    nd_authz_check(&r.privs, ND_GROUP, &err) < 0 || nd_authz_clean_env(&r.privs, &err) < 0)
		return die(&err);
	/* Wireshark's extcap protocol: answered there, or turned into the configuration of one
	 * capture that then takes the same path as any other (privileges, FIFO as -w). */
	if (extcap) {
		rc = nd_extcap_run(argc, argv, &r.privs, &r.cfg, &r.extcap_found, &err);
		if (rc <= 0)
			return rc < 0 ? die(&err) : ND_EXIT_OK;
	} else if (prc < 0) {
		return die(&perr);
	} else if (r.opts.merge) {
		return run_merge(&r, &err);
	} else if (r.opts.list) {
		rc = run_list(&r, &err) < 0 ? die(&err) : ND_EXIT_OK;
		nd_cli_free(&r.opts);
		return rc;
	} else {
		nd_cli_session_cfg(&r.opts, &r.cfg);
	}
	if (!r.cfg.list_ifaces && nd_out_check_stdout(r.cfg.output, &err) < 0)
		return die(&err);
	r.sigfd = nd_loop_block_signals(&err);
	if (r.sigfd < 0)
		return die(&err);
	if (read_filter_file(&r, &err) < 0)
		return die(&err);
	if (r.cfg.follow) {
		/* --wait-stdin (kubectl debug): nothing is captured yet, so nothing waits in a
		 * ring; a start meanwhile is found running once the wait is over (a pod's
		 * sandbox outlives its containers' restarts). */
		rc = r.opts.wait_stdin && wait_stdin(&r, &err) < 0
			     ? die(&err)
			     : nd_follow_run(&r.cfg, &r.privs, r.sigfd);
		free(r.filter_from_file);
		nd_cli_free(&r.opts);
		(void)close(r.sigfd);
		return rc;
	}
	nd_session_init(&r.session, &r.cfg, &r.privs, r.sigfd);
	rc = capture(&r, &err);
	nd_session_close(&r.session);
	free(r.filter_from_file);
	nd_cli_free(&r.opts);
	(void)close(r.sigfd);
	return rc;
}
