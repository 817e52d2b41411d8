/* nsdump: capture a network namespace's traffic from the host.
 *
 * main() runs the steps in the order the privilege model needs (README, "Privileges") and is
 * the only place that prints errors and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/capture.h"
#include "nsdump/cli.h"
#include "nsdump/err.h"
#include "nsdump/filter.h"
#include "nsdump/loop.h"
#include "nsdump/netlink.h"
#include "nsdump/output.h"
#include "nsdump/pcapfile.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/target.h"

/* Large writes cost less system time per packet; 1 MiB is where the gain levels off. */
#define OUT_BUFFER_SIZE (1024 * 1024)

struct run {
	struct nd_opts opts;
	struct nd_privs privs;
	struct nd_target target;
	struct nd_capture cap;
	struct nd_out out;
	struct nd_loop loop;
	int sigfd;
	char *filter_from_file;
};

static int die(const struct nd_err *err)
{
	fprintf(stderr, "nsdump: %s\n", err->msg);
	return err->exit ? err->exit : ND_EXIT_FAIL;
}

/* --help and --version are answered before anything else happens, privileges included. */
static int early_answer(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			nd_cli_usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("nsdump %s (%s)\n", ND_VERSION, pcap_lib_version());
			return 1;
		}
	}
	return 0;
}

static int close_inherited_fds(struct nd_err *err)
{
	/* An fd inherited from the invoker must not reach the capture (or a setuid process). */
	if (close_range(3, ~0U, 0) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot close inherited descriptors");
	return 0;
}

static int setup_capture(struct run *r, struct nd_err *err)
{
	struct nd_link_list links = { 0 };
	char ifname[IF_NAMESIZE];
	const char *filter = r->filter_from_file ? r->filter_from_file : r->opts.filter;
	int rc;

	if (nd_target_open(&r->target, &r->opts, &r->privs, err) < 0)
		return -1;
	if (nd_target_enter(&r->target, &r->privs, err) < 0)
		return -1;
	rc = nd_nl_list_links(&links, err);
	if (rc == 0)
		rc = nd_iface_choose(&links, r->opts.iface, ifname, err);
	nd_link_list_free(&links);
	if (rc < 0)
		return nd_err_prefix(err, "%s", r->target.label);
	if (nd_capture_open(&r->cap, ifname, &r->opts, &r->privs, err) < 0)
		return -1;
	return nd_capture_set_filter(&r->cap, filter, err);
}

static int open_output(struct run *r, struct nd_err *err)
{
	unsigned char hdr[ND_PCAP_FILE_HDR_LEN];
	int rc;

	/* The file is created with the invoker's rights (for root: root's), never with
	 * capabilities the invoker does not have, so it belongs to the invoker. */
	if (nd_privs_invoker_begin(&r->privs, err) < 0)
		return -1;
	rc = nd_out_open(&r->out, r->opts.output, OUT_BUFFER_SIZE, nd_pcap_record_len, err);
	if (nd_privs_invoker_end(&r->privs, err) < 0)
		return -1;
	if (rc < 0)
		return -1;
	nd_pcap_file_header(hdr, (uint32_t)r->cap.linktype, (uint32_t)r->cap.snaplen);
	return nd_out_header(&r->out, hdr, sizeof(hdr), err);
}

static void print_listening(const struct run *r)
{
	const char *dlt = pcap_datalink_val_to_name(r->cap.linktype);
	const char *desc = pcap_datalink_val_to_description(r->cap.linktype);

	fprintf(stderr, "nsdump: listening on %s in %s, link-type %s (%s), snapshot length %d bytes\n",
		r->cap.ifname, r->target.label, dlt ? dlt : "?", desc ? desc : "?", r->cap.snaplen);
	if (r->opts.verbose > 0)
		fprintf(stderr, "nsdump: netns inode %llu, mode setns, privileges %s, writing to %s\n",
			r->target.netns_ino, nd_privs_mode_name(r->privs.mode), r->out.name);
	if (r->opts.verbose > 0 && r->target.is_container)
		fprintf(stderr, "nsdump: found %s %s (ID %s) in %.3f ms\n",
			nd_runtime_name(r->target.container.runtime), r->target.container.name,
			r->target.container.id, r->target.resolve_ms);
}

/* --list: the containers of every runtime, with the invoker's rights; nothing is captured. */
static int run_list(struct run *r, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	struct nd_resolver res;
	int rc;

	if (nd_resolver_init(&res, &r->opts, &r->privs, err) < 0)
		return -1;
	if (nd_privs_invoker_begin(&r->privs, err) < 0)
		return -1;
	rc = nd_resolve_list(&res, &l, err);
	if (nd_privs_invoker_end(&r->privs, err) < 0)
		rc = -1;
	if (rc == 0 && nd_privs_drop(&r->privs, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = nd_container_print_list(stdout, &l, r->opts.json, err);
	if (rc == 0 && res.notes[0] != '\0' && !r->opts.quiet)
		fprintf(stderr, "nsdump: note: %s\n", res.notes);
	nd_container_list_free(&l);
	return rc;
}

static int run_capture(struct run *r, struct nd_err *err)
{
	struct nd_capture_stats st = { 0 };
	bool live = !r->out.regular;
	int rc;

	r->loop = (struct nd_loop){
		.cap = &r->cap,
		.out = &r->out,
		.target = &r->target,
		.count = r->opts.count,
		.duration = r->opts.duration,
		.packet_buffered = r->opts.packet_buffered,
		.live = live,
		.sigfd = r->sigfd,
	};
	rc = nd_loop_run(&r->loop, err);
	if (rc < 0) {
		nd_out_abort(&r->out);
	} else if (nd_out_close(&r->out, err) < 0) {
		/* A reader leaving during the final flush still ends the capture in order. */
		if (err->errnum != EPIPE)
			rc = -1;
		else
			r->loop.reason = ND_STOP_READER_GONE;
	}
	if (r->opts.quiet)
		return rc;
	if (r->loop.reason == ND_STOP_TARGET_EXITED || r->loop.reason == ND_STOP_IFACE_GONE ||
	    r->loop.reason == ND_STOP_READER_GONE)
		fprintf(stderr, "nsdump: stopping: %s\n", nd_loop_reason(&r->loop));
	if (nd_capture_stats(&r->cap, &st, err) < 0) {
		fprintf(stderr, "nsdump: %s\n", err->msg);
		return rc;
	}
	fprintf(stderr, "%llu packet%s captured\n", r->out.nwritten, r->out.nwritten == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s received by filter\n", st.received,
		st.received == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s dropped by kernel\n", st.dropped, st.dropped == 1 ? "" : "s");
	if (st.ifdropped > 0)
		fprintf(stderr, "%llu packet%s dropped by interface\n", st.ifdropped,
			st.ifdropped == 1 ? "" : "s");
	return rc;
}

int main(int argc, char **argv)
{
	struct run r = { .sigfd = -1 };
	struct nd_err err = { 0 };
	int rc;

	if (early_answer(argc, argv))
		return ferror(stdout) || fflush(stdout) != 0 ? ND_EXIT_FAIL : ND_EXIT_OK;
	nd_target_init(&r.target);
	if (close_inherited_fds(&err) < 0 || nd_privs_init(&r.privs, &err) < 0)
		return die(&err);
	if (nd_cli_parse(argc, argv, &r.opts, &err) < 0)
		return die(&err);
	if (r.opts.list) {
		rc = run_list(&r, &err) < 0 ? die(&err) : ND_EXIT_OK;
		nd_cli_free(&r.opts);
		return rc;
	}
	if (nd_out_check_stdout(r.opts.output, &err) < 0)
		return die(&err);
	r.sigfd = nd_loop_block_signals(&err);
	if (r.sigfd < 0)
		return die(&err);
	if (r.opts.filter_file != NULL) {
		if (nd_privs_invoker_begin(&r.privs, &err) < 0)
			return die(&err);
		rc = nd_filter_read_file(r.opts.filter_file, &r.filter_from_file, &err);
		if (nd_privs_invoker_end(&r.privs, &err) < 0 || rc < 0)
			return die(&err);
	}
	if (setup_capture(&r, &err) < 0 || open_output(&r, &err) < 0)
		rc = die(&err);
	else if (nd_privs_drop(&r.privs, &err) < 0)
		rc = die(&err);
	else {
		if (!r.opts.quiet && r.cap.warning[0] != '\0')
			fprintf(stderr, "nsdump: warning: %s\n", r.cap.warning);
		if (!r.opts.quiet)
			print_listening(&r);
		rc = run_capture(&r, &err) < 0 ? die(&err) : ND_EXIT_OK;
	}
	nd_capture_close(&r.cap);
	nd_target_close(&r.target);
	if (r.out.buf != NULL)
		nd_out_abort(&r.out);
	free(r.filter_from_file);
	nd_cli_free(&r.opts);
	if (r.sigfd >= 0)
		(void)close(r.sigfd);
	return rc;
}
