/* nsdump: capture a network namespace's traffic from the host.
 *
 * main() runs the steps in the order the privilege model needs (README, "Privileges") and is
 * the only place that prints errors and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/authz.h"
#include "nsdump/capture.h"
#include "nsdump/cli.h"
#include "nsdump/err.h"
#include "nsdump/filter.h"
#include "nsdump/loop.h"
#include "nsdump/netlink.h"
#include "nsdump/output.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/sandbox.h"
#include "nsdump/target.h"
#include "nsdump/testhooks.h"
#include "nsdump/veth.h"
#include "nsdump/writer.h"

/* Large writes cost less system time per packet; 1 MiB is where the gain levels off. */
#define OUT_BUFFER_SIZE ((size_t)1024 * 1024)

struct run {
	struct nd_opts opts;
	struct nd_privs privs;
	struct nd_target target;
	struct nd_capture cap;
	struct nd_out out;
	struct nd_loop loop;
	struct nd_source src;
	int sigfd;
	char *filter_from_file;
	struct nd_writer writer;
	struct nd_rotate rot;
	const char *mode_used; /* "setns", "veth", "host ..." */
	struct nd_link tif;    /* the target's interface captured (ifindex 0 for "any") */
	struct nd_link peer;   /* its host end in veth mode (ifindex 0 otherwise) */
	char via[224];         /* in veth mode: which target interface this host veth serves */
	bool warn_host;
	bool listed;           /* -D done */
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

/* In veth mode the capture sees the container's traffic from the other end of the pair:
 * what the container sends arrives there. -Q keeps the container's point of view. */
static enum nd_direction flip(enum nd_direction d)
{
	return d == ND_DIR_IN ? ND_DIR_OUT : d == ND_DIR_OUT ? ND_DIR_IN : d;
}

/* Chooses the interface and the mode, and opens the capture: in the target's namespace
 * (setns), or on the host end of its veth pair (veth), or directly when the target is in
 * nsdump's own namespace. */
static int setup_capture(struct run *r, struct nd_err *err)
{
	const char *filter = r->filter_from_file ? r->filter_from_file : r->opts.filter;
	const struct nd_link *peer = NULL;
	struct nd_ifview v;
	char ifname[IF_NAMESIZE];
	int rc = -1;

	if (nd_target_open(&r->target, &r->opts, &r->privs, err) < 0)
		return -1;
	if (nd_veth_discover(&r->target, &r->privs, r->opts.list_ifaces, &v, err) < 0)
		return -1;
	if (r->opts.list_ifaces) {
		nd_ifview_print(stdout, &v);
		r->listed = true;
		rc = 0;
		goto out;
	}
	if (nd_iface_choose(&v.links, r->opts.iface, ifname, err) < 0) {
		nd_err_prefix(err, "%s", r->target.label);
		goto out;
	}
	if (nd_link_by_name(&v.links, ifname) != NULL)
		r->tif = *nd_link_by_name(&v.links, ifname);
	if (r->target.is_host) {
		r->warn_host = true;
		r->mode_used = "host (the target is in nsdump's own network namespace)";
	} else if (r->opts.mode != ND_MODE_SETNS && strcmp(ifname, "any") != 0) {
		peer = nd_veth_peer(&v, nd_link_by_name(&v.links, ifname), r->target.label, err);
		if (peer == NULL && r->opts.mode == ND_MODE_VETH)
			goto out;
	}
	if (peer != NULL) {
		r->peer = *peer;
		snprintf(r->via, sizeof(r->via), "host end of %s of %s", ifname, r->target.label);
		r->mode_used = "veth";
		snprintf(ifname, sizeof(ifname), "%s", peer->name);
		/* The capture runs here; holding the target's namespace open would keep its veth
		 * alive after the container is gone, and the capture would never see it go. */
		(void)close(r->target.netns_fd);
		r->target.netns_fd = -1;
	} else if (!r->target.is_host) {
		r->mode_used = "setns";
		if (nd_target_enter(&r->target, &r->privs, err) < 0)
			goto out;
	}
	if (nd_capture_open(&r->cap, ifname, &r->opts,
			    peer != NULL ? flip(r->opts.direction) : r->opts.direction, &r->privs,
			    err) < 0)
		goto out;
	rc = nd_capture_set_filter(&r->cap, filter, err);
out:
	nd_ifview_free(&v);
	return rc;
}

/* The name and description that identify the target in a pcapng file: if_name like
 * "web1/eth0", if_description with everything that says which container this was. */
static void describe(struct run *r, struct nd_wif *f)
{
	const struct nd_target *t = &r->target;
	const struct nd_container *c = &t->container;
	const char *ifname = r->tif.ifindex ? r->tif.name : r->cap.ifname;
	size_t used = 0, cap = sizeof(f->description);
	int n;

	if (t->is_container && r->opts.target == ND_TARGET_POD)
		snprintf(f->name, sizeof(f->name), "%s/%s", r->opts.pod, ifname);
	else if (t->is_container)
		snprintf(f->name, sizeof(f->name), "%s/%s", c->name, ifname);
	else if (t->kind == ND_TARGET_PID)
		snprintf(f->name, sizeof(f->name), "pid%d/%s", (int)t->pid, ifname);
	else
		snprintf(f->name, sizeof(f->name), "%s/%s", r->opts.netns, ifname);

	if (t->is_container) {
		n = snprintf(f->description, cap, "runtime %s%s%s; container %s; id %s; ",
			     nd_runtime_name(c->runtime), c->ns[0] ? "; namespace " : "", c->ns,
			     c->name, c->id);
		used = n > 0 ? (size_t)n : 0;
		if (c->pod_name[0] != '\0' && used < cap) {
			n = snprintf(f->description + used, cap - used, "pod %s/%s; ", c->pod_ns,
				     c->pod_name);
			used += n > 0 ? (size_t)n : 0;
		}
		if (used < cap) {
			n = snprintf(f->description + used, cap - used, "PID %d", (int)t->pid);
			used += n > 0 ? (size_t)n : 0;
		}
	} else {
		n = snprintf(f->description, cap, "%s", t->label);
		used = n > 0 ? (size_t)n : 0;
	}
	if (used < cap) {
		n = snprintf(f->description + used, cap - used, "; netns %llu; mode %s", t->netns_ino,
			     r->mode_used);
		used += n > 0 ? (size_t)n : 0;
	}
	if (r->peer.ifindex != 0 && used < cap)
		snprintf(f->description + used, cap - used, "; host peer %s (ifindex %d)",
			 r->peer.name, r->peer.ifindex);
}

static int open_output(struct run *r, struct nd_err *err)
{
	enum nd_format fmt = r->opts.format_pcap ? ND_FORMAT_PCAP : ND_FORMAT_PCAPNG;
	struct nd_wif *f = &r->writer.ifs[0];
	const char *path = r->opts.output;
	char userappl[128], name[4096];
	int rc;

	describe(r, f);
	if (path != NULL && strcmp(path, "-") != 0) {
		/* The first file's name, as rotation names the later ones (%n, strftime). */
		r->rot.pattern = path;
		r->rot.seconds = r->opts.rotate_seconds;
		r->rot.bytes = r->opts.rotate_bytes;
		r->rot.files = r->opts.rotate_files;
		r->rot.gzip = r->opts.gzip;
		snprintf(r->rot.target, sizeof(r->rot.target), "%.*s",
			 (int)strcspn(f->name, "/"), f->name);
		if (nd_rotate_name(&r->rot, time(NULL), name, sizeof(name), err) < 0)
			return -1;
		r->rot.opened = 1;
		path = name;
	}
	/* The file is created with the invoker's rights (for root: root's), never with
	 * capabilities the invoker does not have, so it belongs to the invoker. */
	if (nd_privs_invoker_begin(&r->privs, err) < 0)
		return -1;
	rc = nd_out_open(&r->out, path, OUT_BUFFER_SIZE, nd_writer_reclen(fmt), err);
	if (nd_privs_invoker_end(&r->privs, err) < 0)
		return -1;
	if (rc < 0 || (r->opts.gzip && nd_out_compress(&r->out, err) < 0))
		return -1;
	r->writer.format = fmt;
	r->writer.out = &r->out;
	r->writer.nifs = 1;
	f->linktype = r->cap.linktype;
	f->snaplen = r->cap.snaplen;
	f->filter = r->filter_from_file ? r->filter_from_file : r->opts.filter;
	f->has_mac = r->tif.has_addr;
	memcpy(f->mac, r->tif.addr, sizeof(f->mac));
	snprintf(userappl, sizeof(userappl), "nsdump %s (%s)", ND_VERSION, pcap_lib_version());
	return nd_writer_start(&r->writer, userappl, err);
}

static void print_listening(const struct run *r)
{
	const char *dlt = pcap_datalink_val_to_name(r->cap.linktype);
	const char *desc = pcap_datalink_val_to_description(r->cap.linktype);

	if (r->via[0] != '\0')
		fprintf(stderr, "nsdump: listening on %s (%s), ", r->cap.ifname, r->via);
	else
		fprintf(stderr, "nsdump: listening on %s in %s, ", r->cap.ifname, r->target.label);
	fprintf(stderr, "link-type %s (%s), snapshot length %d bytes\n", dlt ? dlt : "?",
		desc ? desc : "?", r->cap.snaplen);
	if (r->opts.verbose > 0)
		fprintf(stderr, "nsdump: netns inode %llu, mode %s, privileges %s, writing to %s\n",
			r->target.netns_ino, r->mode_used, nd_privs_mode_name(r->privs.mode),
			r->out.name);
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
	bool live = !r->out.regular, stats_ok = true;
	unsigned long long total;
	struct nd_err serr = { 0 };
	int rc;

	r->src = (struct nd_source){
		.cap = &r->cap,
		.ifid = 0,
		.pidfd = r->target.pidfd,
		.label = r->writer.ifs[0].name,
	};
	r->loop = (struct nd_loop){
		.src = &r->src,
		.nsrc = 1,
		.out = &r->out,
		.writer = &r->writer,
		.count = r->opts.count,
		.duration = r->opts.duration,
		.packet_buffered = r->opts.packet_buffered,
		.live = live,
		.sigfd = r->sigfd,
		.rot = nd_rotate_active(&r->rot) ? &r->rot : NULL,
		.out_bufsize = OUT_BUFFER_SIZE,
	};
	rc = nd_loop_run(&r->loop, err);
	/* The kernel's counts go into the file too (pcapng), unless nobody is left to read it. */
	if (nd_capture_stats(&r->cap, &st, &serr) < 0)
		stats_ok = false;
	if (rc == 0 && r->loop.reason != ND_STOP_READER_GONE && r->loop.reason != ND_STOP_FILES &&
	    stats_ok &&
	    nd_writer_stats(&r->writer, 0, st.received, st.dropped, st.ifdropped,
			    err) < 0)
		rc = -1;
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
	    r->loop.reason == ND_STOP_READER_GONE || r->loop.reason == ND_STOP_FILES)
		fprintf(stderr, "nsdump: stopping: %s\n", nd_loop_reason(&r->loop));
	if (!stats_ok) {
		fprintf(stderr, "nsdump: %s\n", serr.msg);
		return rc;
	}
	total = r->loop.closed_packets + (r->loop.reason == ND_STOP_FILES ? 0 : r->out.nwritten);
	fprintf(stderr, "%llu packet%s captured\n", total, total == 1 ? "" : "s");
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
	nd_testhooks_init();
	if (nd_authz_reset_signals(&err) < 0 || close_inherited_fds(&err) < 0 ||
	    nd_privs_init(&r.privs, &err) < 0 || nd_authz_check(&r.privs, ND_GROUP, &err) < 0 ||
	    nd_authz_clean_env(&r.privs, &err) < 0)
		return die(&err);
	if (nd_cli_parse(argc, argv, &r.opts, &err) < 0)
		return die(&err);
	if (r.opts.list) {
		rc = run_list(&r, &err) < 0 ? die(&err) : ND_EXIT_OK;
		nd_cli_free(&r.opts);
		return rc;
	}
	if (!r.opts.list_ifaces && nd_out_check_stdout(r.opts.output, &err) < 0)
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
	if (setup_capture(&r, &err) < 0)
		rc = die(&err);
	else if (r.listed)
		rc = fflush(stdout) == 0 ? ND_EXIT_OK : ND_EXIT_FAIL;
	else if (open_output(&r, &err) < 0) {
		/* A reader that leaves before the header is written ends the capture in order. */
		if (err.errnum == EPIPE) {
			if (!r.opts.quiet)
				fprintf(stderr, "nsdump: stopping: the reader closed the pipe\n");
			rc = ND_EXIT_OK;
		} else {
			rc = die(&err);
		}
	}
	else if (nd_privs_drop(&r.privs, &err) < 0 ||
		 nd_sandbox_enter(nd_rotate_active(&r.rot) != 0, &err) < 0)
		rc = die(&err);
	else {
		r.cap.no_sysfs = true;
		if (!r.opts.quiet && r.warn_host)
			fprintf(stderr, "nsdump: warning: %s is in nsdump's own network namespace: "
				"capturing %s there directly\n", r.target.label, r.cap.ifname);
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
