/* nsdump: capture a network namespace's traffic from the host.
 *
 * main() runs the steps in the order the privilege model needs (README, "Privileges") and is
 * the only place that prints errors and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/authz.h"
#include "nsdump/capture.h"
#include "nsdump/cli.h"
#include "nsdump/err.h"
#include "nsdump/extcap.h"
#include "nsdump/filter.h"
#include "nsdump/loop.h"
#include "nsdump/merge.h"
#include "nsdump/netlink.h"
#include "nsdump/output.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/sandbox.h"
#include "nsdump/target.h"
#include "nsdump/testhooks.h"
#include "nsdump/text.h"
#include "nsdump/veth.h"
#include "nsdump/writer.h"

/* The write buffer. Larger writes mean fewer system calls, but past the CPU caches every
 * byte is copied from memory twice (ring to buffer, buffer to page cache): measured here
 * (bench/), 1 MiB cost 2-3 times the CPU of 128 KiB with 1514-byte packets at line rate,
 * and dropped more; 128 KiB costs nothing over larger sizes with small packets. A record
 * larger than this (BIG TCP packets up to the snapshot length, --merge's blocks of up to
 * 1 MiB) is written on its own, straight from where it is (output.c). */
#define OUT_BUFFER_SIZE ((size_t)128 * 1024)

/* One captured interface of one target. */
struct capsrc {
	struct nd_target *target;
	const struct nd_target_spec *spec;
	struct nd_capture cap;
	struct nd_link tif;    /* the target's interface (ifindex 0 for "any") */
	struct nd_link peer;   /* its host end in veth mode (ifindex 0 otherwise) */
	const char *mode_used; /* "setns", "veth", "host ..." */
	char via[224];         /* in veth mode: which target interface this host veth serves */
};

#define MAX_SOURCES ND_WRITER_MAX_IFS

struct run {
	struct nd_opts opts;
	struct nd_session_cfg cfg;
	struct nd_privs privs;
	struct nd_target targets[ND_MAX_TARGETS];
	struct capsrc src[MAX_SOURCES];
	unsigned int nsrc;
	struct nd_source lsrc[MAX_SOURCES];
	struct nd_out out;
	struct nd_loop loop;
	int sigfd;
	char *filter_from_file;
	struct nd_writer writer;
	struct nd_rotate rot;
	struct nd_sandbox sandbox;
	bool listed; /* -D done */
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

/* In veth mode the capture sees the container's traffic from the other end of the pair:
 * what the container sends arrives there. -Q keeps the container's point of view. */
static enum nd_direction flip(enum nd_direction d)
{
	return d == ND_DIR_IN ? ND_DIR_OUT : d == ND_DIR_OUT ? ND_DIR_IN : d;
}

/* Opens the capture of one interface of t, choosing the mode: on the host end of its veth
 * pair (veth), or inside the target's namespace (setns, coming back out afterwards: the
 * socket stays there), or directly when the target is in nsdump's own namespace. */
static int open_source(struct run *r, struct nd_target *t, const struct nd_target_spec *spec,
		       const struct nd_ifview *v, const char *want, struct nd_err *err)
{
	const char *filter = r->cfg.filter;
	const struct nd_link *peer = NULL, *tif;
	struct capsrc *s;
	char ifname[IF_NAMESIZE];
	int rc;

	if (r->nsrc == MAX_SOURCES)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d interfaces in one capture",
				  MAX_SOURCES);
	s = &r->src[r->nsrc];
	memset(s, 0, sizeof(*s));
	s->target = t;
	s->spec = spec;
	snprintf(ifname, sizeof(ifname), "%s", want);
	tif = nd_link_by_name(&v->links, ifname);
	if (tif != NULL)
		s->tif = *tif;
	if (t->is_host) {
		s->mode_used = "host (the target is in nsdump's own network namespace)";
	} else if (r->cfg.mode != ND_MODE_SETNS && tif != NULL) {
		peer = nd_veth_peer(v, tif, t->label, err);
		if (peer == NULL && r->cfg.mode == ND_MODE_VETH)
			return -1;
	}
	if (peer != NULL) {
		s->peer = *peer;
		snprintf(s->via, sizeof(s->via), "host end of %s of %s", ifname, t->label);
		s->mode_used = "veth";
		snprintf(ifname, sizeof(ifname), "%s", peer->name);
		rc = nd_capture_open(&s->cap, ifname, peer->ifindex, &r->cfg.capture,
				     flip(r->cfg.direction), &r->privs, err);
		if (rc < 0)
			nd_err_prefix(err, "%s", s->via);
	} else {
		if (!t->is_host) {
			s->mode_used = "setns";
			if (nd_target_enter(t, &r->privs, err) < 0)
				return -1;
		}
		/* "any" is libpcap's unbound socket (ifindex 0), even where an interface of
		 * the target is named so. */
		rc = nd_capture_open(&s->cap, ifname,
				     tif != NULL && strcmp(ifname, "any") != 0 ? tif->ifindex : 0,
				     &r->cfg.capture, r->cfg.direction, &r->privs, err);
		if (rc < 0)
			nd_err_prefix(err, "%s", t->label);
		if (nd_target_leave(t, &r->privs, err) < 0)
			rc = -1;
	}
	r->nsrc++; /* counted even on failure, so that the capture is closed */
	if (rc < 0)
		return -1;
	return nd_capture_set_filter(&s->cap, filter, err);
}

/* The interfaces of a target to capture: each -i (or the default choice); "all" stands for
 * every interface but loopback. */
static int open_target(struct run *r, unsigned int i, struct nd_err *err)
{
	struct nd_target *t = &r->targets[i];
	const struct nd_target_spec *spec = &r->cfg.targets[i];
	struct nd_ifview v;
	char ifname[IF_NAMESIZE];
	bool in_ns = false;
	unsigned int first = r->nsrc;
	int rc = 0;

	if (nd_target_open(t, spec, &r->cfg.resolver, &r->privs, err) < 0)
		return -1;
	if (nd_veth_discover(t, &r->privs, r->cfg.list_ifaces, &v, err) < 0)
		return -1;
	if (r->cfg.list_ifaces) {
		nd_ifview_print(stdout, &v);
		r->listed = true;
		goto out;
	}
	for (unsigned int k = 0; rc == 0 && k < (r->cfg.nifaces ? r->cfg.nifaces : 1); k++) {
		const char *want = r->cfg.nifaces ? r->cfg.ifaces[k] : NULL;

		if (want != NULL && strcmp(want, "all") == 0) {
			unsigned int before = r->nsrc;

			for (size_t j = 0; rc == 0 && j < v.links.n; j++)
				if (!(v.links.v[j].flags & IFF_LOOPBACK))
					rc = open_source(r, t, spec, &v, v.links.v[j].name, err);
			if (rc == 0 && r->nsrc == before)
				rc = nd_err_set(err, ND_EXIT_USAGE, 0,
						"%s has no interface but loopback", t->label);
			continue;
		}
		rc = nd_plan_iface_choose(&v.links, want, ifname, err);
		if (rc < 0)
			nd_err_prefix(err, "%s", t->label);
		else
			rc = open_source(r, t, spec, &v, ifname, err);
	}
	for (unsigned int k = first; k < r->nsrc; k++)
		in_ns |= r->src[k].peer.ifindex == 0;
	/* Captured only from the host side: holding the target's namespace open would keep its
	 * veth alive after the container is gone, and the capture would never see it go. */
	if (rc == 0 && !in_ns && t->netns_fd >= 0) {
		(void)close(t->netns_fd);
		t->netns_fd = -1;
	}
out:
	nd_ifview_free(&v);
	return rc;
}

static int setup_capture(struct run *r, struct nd_err *err)
{
	for (unsigned int i = 0; i < r->cfg.ntargets; i++)
		if (open_target(r, i, err) < 0)
			return -1;
	return 0;
}

/* The name and description that identify the target in a pcapng file: if_name like
 * "web1/eth0", if_description with everything that says which container this was. */
static void describe(const struct capsrc *s, struct nd_wif *f)
{
	const struct nd_target *t = s->target;
	const struct nd_container *c = &t->container;
	const char *ifname = s->tif.ifindex ? s->tif.name : s->cap.ifname;
	size_t used = 0, cap = sizeof(f->description);
	int n;

	if (t->is_container && s->spec->kind == ND_TARGET_POD)
		snprintf(f->name, sizeof(f->name), "%s/%s", s->spec->name, ifname);
	else if (t->is_container)
		snprintf(f->name, sizeof(f->name), "%s/%s", c->name, ifname);
	else if (t->kind == ND_TARGET_PID)
		snprintf(f->name, sizeof(f->name), "pid%d/%s", (int)t->pid, ifname);
	else
		snprintf(f->name, sizeof(f->name), "%s/%s", s->spec->name, ifname);

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
		n = snprintf(f->description + used, cap - used, "; netns %llu; mode %s",
			     t->netns_ino, s->mode_used);
		used += n > 0 ? (size_t)n : 0;
	}
	if (s->peer.ifindex != 0 && used < cap) {
		char peer[IF_NAMESIZE];

		/* A copy: GCC cannot tell that f and s do not overlap (-Wrestrict). */
		memcpy(peer, s->peer.name, sizeof(peer));
		snprintf(f->description + used, cap - used, "; host peer %s (ifindex %d)", peer,
			 s->peer.ifindex);
	}
}

static int open_output(struct run *r, struct nd_err *err)
{
	enum nd_format fmt = r->cfg.format;
	const char *path = r->cfg.output;
	char userappl[128], name[4096];
	int rc;

	r->writer.nifs = r->nsrc;
	for (unsigned int i = 0; i < r->nsrc; i++) {
		struct nd_wif *f = &r->writer.ifs[i];
		const struct capsrc *s = &r->src[i];

		describe(s, f);
		f->linktype = s->cap.linktype;
		f->snaplen = s->cap.snaplen;
		f->filter = r->cfg.filter;
		f->has_mac = s->tif.has_addr;
		memcpy(f->mac, s->tif.addr, sizeof(f->mac));
	}
	if (path != NULL && strcmp(path, "-") != 0) {
		/* The first file's name, as rotation names the later ones (%n, strftime). */
		r->rot.pattern = path;
		r->rot.seconds = r->cfg.rotate_seconds;
		r->rot.bytes = r->cfg.rotate_bytes;
		r->rot.files = r->cfg.rotate_files;
		r->rot.gzip = r->cfg.gzip;
		snprintf(r->rot.target, sizeof(r->rot.target), "%.*s",
			 (int)strcspn(r->writer.ifs[0].name, "/"), r->writer.ifs[0].name);
		if (nd_rotate_check(&r->rot, err) < 0 ||
		    nd_rotate_name(&r->rot, time(NULL), name, sizeof(name), err) < 0)
			return -1;
		r->rot.opened = 1;
		path = name;
	}
	if (nd_rotate_active(&r->rot)) {
		/* Every file is created as the loop creates the later ones: in the directory
		 * opened here, with the rights the loop keeps (root: uid 0 without capabilities),
		 * so that a rotation that cannot work fails now, before the first packet. */
		r->rot.dir_fd = nd_out_dir_open(path, err);
		rc = r->rot.dir_fd < 0 ? -1
				       : nd_out_create(&r->out, r->rot.dir_fd,
						       path + nd_rotate_dirlen(&r->rot), path,
						       OUT_BUFFER_SIZE, nd_writer_reclen(fmt), err);
		if (rc < 0 && (err->errnum == EACCES || err->errnum == EPERM) &&
		    r->privs.mode == ND_PRIVS_ROOT)
			return nd_err_hint(err,
					   "with -G or -C, files are created with root's own "
					   "rights, without capabilities, from the first one on");
		if (rc < 0 || nd_out_pin_fd(&r->out, err) < 0)
			return -1;
	} else {
		/* The file is created with the invoker's rights (for root: root's), never with
		 * capabilities the invoker does not have, so it belongs to the invoker. */
		if (nd_privs_invoker_begin(&r->privs, err) < 0)
			return -1;
		rc = nd_out_open(&r->out, path, OUT_BUFFER_SIZE, nd_writer_reclen(fmt), err);
		if (nd_privs_invoker_end(&r->privs, err) < 0 || rc < 0)
			return -1;
	}
	if (r->cfg.gzip && nd_out_compress(&r->out, err) < 0)
		return -1;
	r->writer.format = fmt;
	r->writer.out = &r->out;
	r->sandbox = (struct nd_sandbox){ .out_fd = r->out.fd, .dir_fd = r->rot.dir_fd };
	snprintf(userappl, sizeof(userappl), "nsdump %s (%s)", ND_VERSION, pcap_lib_version());
	return nd_writer_start(&r->writer, userappl, err);
}

/* -v: what holds rotation to its directory (docs/security.md). */
static void print_rotation(const struct run *r)
{
	int dl = (int)nd_rotate_dirlen(&r->rot);

	if (r->sandbox.landlock > 0)
		nd_text_print(stderr,
			      "nsdump: rotation creates files only in %.*s (seccomp: that "
			      "directory's descriptor; Landlock ABI %d: nothing outside it)",
			      dl ? dl : 1, dl ? r->rot.pattern : ".", r->sandbox.landlock);
	else
		nd_text_print(
			stderr,
			"nsdump: rotation creates files in %.*s (seccomp: that directory's "
			"descriptor; no Landlock in this kernel, so a name is not held to it)",
			dl ? dl : 1, dl ? r->rot.pattern : ".");
}

/* What is being captured, on stderr. Interface and process names are the target's choice:
 * every line goes through the cleaner (nd_text_print). */
static void print_listening(const struct run *r)
{
	for (unsigned int i = 0; i < r->nsrc; i++) {
		const struct capsrc *s = &r->src[i];
		const struct nd_target *t = s->target;
		const char *dlt = pcap_datalink_val_to_name(s->cap.linktype);
		const char *desc = pcap_datalink_val_to_description(s->cap.linktype);
		char where[sizeof(s->via) + sizeof(t->label) + 4];

		if (t->is_host)
			nd_text_print(stderr,
				      "nsdump: warning: %s is in nsdump's own network namespace: "
				      "capturing %s there directly",
				      t->label, s->cap.ifname);
		if (s->cap.warning[0] != '\0')
			nd_text_print(stderr, "nsdump: warning: %s", s->cap.warning);
		if (s->via[0] != '\0')
			snprintf(where, sizeof(where), "(%s)", s->via);
		else
			snprintf(where, sizeof(where), "in %s", t->label);
		nd_text_print(stderr,
			      "nsdump: listening on %s %s, link-type %s (%s), snapshot length %d "
			      "bytes",
			      s->cap.ifname, where, dlt ? dlt : "?", desc ? desc : "?",
			      s->cap.snaplen);
		if (r->cfg.verbose > 0)
			nd_text_print(
				stderr,
				"nsdump: netns inode %llu, mode %s, privileges %s, writing to %s",
				t->netns_ino, s->mode_used, nd_privs_mode_name(r->privs.mode),
				r->out.name);
		if (r->cfg.verbose > 0 && i == 0 && r->rot.dir_fd >= 0)
			print_rotation(r);
		if (r->cfg.verbose > 0 && t->is_container &&
		    (i == 0 || r->src[i - 1].target != t)) {
			char found[sizeof(t->container.name) + sizeof(t->container.pod_name) + 256];

			nd_container_found(&t->container, found, sizeof(found));
			nd_text_print(stderr, "nsdump: found %s in %.3f ms", found, t->resolve_ms);
		}
	}
}

/* --list's HOST-PEER column: for each running container, the host ends of its veth pairs.
 * Best effort: a container that cannot be looked at keeps "-". */
static void find_host_peers(struct run *r, struct nd_container_list *l)
{
	struct nd_link_list hl = { 0 };
	struct nd_nl host = { 0 };
	struct nd_err e;

	if (nd_nl_open(&host, &e) < 0)
		return;
	if (nd_nl_dump_links(&host, &hl, &e) == 0) {
		for (size_t i = 0; i < l->n; i++) {
			struct nd_container *c = &l->v[i];
			char path[64];
			int fd;

			if (!c->running || c->pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
			if (nd_privs_raise(&r->privs, CAP_SYS_PTRACE, &e) < 0)
				break;
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (nd_privs_lower(&r->privs, &e) < 0) {
				if (fd >= 0)
					(void)close(fd);
				break;
			}
			if (fd < 0)
				continue;
			(void)nd_veth_host_peers(&host, &hl, fd, c->host_peer, sizeof(c->host_peer),
						 &e);
			(void)close(fd);
		}
	}
	nd_link_list_free(&hl);
	nd_nl_close(&host);
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
		find_host_peers(r, &l);
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

static int run_capture(struct run *r, struct nd_err *err)
{
	struct nd_capture_stats sum = { 0 };
	bool live = !r->out.regular, stats_ok = true;
	unsigned long long total;
	struct nd_err serr = { 0 };
	int rc;

	for (unsigned int i = 0; i < r->nsrc; i++)
		r->lsrc[i] = (struct nd_source){
			.cap = &r->src[i].cap,
			.ifid = i,
			.pidfd = r->src[i].target->pidfd,
			.label = r->writer.ifs[i].name,
		};
	r->loop = (struct nd_loop){
		.src = r->lsrc,
		.nsrc = r->nsrc,
		.out = &r->out,
		.writer = &r->writer,
		.count = r->cfg.count,
		.duration = r->cfg.duration,
		.packet_buffered = r->cfg.packet_buffered,
		.live = live,
		.sigfd = r->sigfd,
		.rot = nd_rotate_active(&r->rot) ? &r->rot : NULL,
		.out_bufsize = OUT_BUFFER_SIZE,
	};
	rc = nd_loop_run(&r->loop, err);
	/* The kernel's counts go into the file too (pcapng), unless nobody is left to read it. */
	for (unsigned int i = 0; i < r->nsrc; i++) {
		struct nd_capture_stats st;

		if (nd_capture_stats(&r->src[i].cap, &st, &serr) < 0) {
			stats_ok = false;
			continue;
		}
		sum.received += st.received;
		sum.dropped += st.dropped;
		sum.ifdropped += st.ifdropped;
		if (rc == 0 && r->loop.reason != ND_STOP_READER_GONE &&
		    r->loop.reason != ND_STOP_FILES &&
		    nd_writer_stats(&r->writer, i, st.received, st.dropped, st.ifdropped, err) < 0)
			rc = -1;
		if (!r->cfg.quiet && r->nsrc > 1 && st.dropped + st.ifdropped > 0)
			fprintf(stderr, "nsdump: %s: %llu packets dropped\n", r->writer.ifs[i].name,
				st.dropped + st.ifdropped);
	}
	if (rc < 0) {
		nd_out_abort(&r->out);
	} else if (nd_out_close(&r->out, err) < 0) {
		/* A reader leaving during the final flush still ends the capture in order. */
		if (err->errnum != EPIPE)
			rc = -1;
		else
			r->loop.reason = ND_STOP_READER_GONE;
	}
	if (r->cfg.quiet)
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
	fprintf(stderr, "%llu packet%s received by filter\n", sum.received,
		sum.received == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s dropped by kernel\n", sum.dropped,
		sum.dropped == 1 ? "" : "s");
	if (sum.ifdropped > 0)
		fprintf(stderr, "%llu packet%s dropped by interface\n", sum.ifdropped,
			sum.ifdropped == 1 ? "" : "s");
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
		rc = nd_out_open(&r->out, r->opts.output, OUT_BUFFER_SIZE, nd_writer_reclen(fmt),
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
	if (rc < 0)
		return die(err);
	return corrupt ? ND_EXIT_FAIL : ND_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct run r = { .sigfd = -1, .rot.dir_fd = -1 };
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
	for (unsigned int i = 0; i < ND_MAX_TARGETS; i++)
		nd_target_init(&r.targets[i]);
	nd_testhooks_init();
	if (nd_authz_reset_signals(&err) < 0 || close_inherited_fds(&err) < 0 ||
	    nd_authz_std_fds(&err) < 0 || nd_privs_init(&r.privs, &err) < 0 ||
	    nd_authz_check(&r.privs, ND_GROUP, &err) < 0 || nd_authz_clean_env(&r.privs, &err) < 0)
		return die(&err);
	/* Wireshark's extcap protocol: answered there, or turned into the options of one
	 * capture that then takes the same path as any other (privileges, FIFO as -w). */
	if (extcap) {
		rc = nd_extcap_run(argc, argv, &r.privs, &r.opts, &err);
		if (rc <= 0)
			return rc < 0 ? die(&err) : ND_EXIT_OK;
	} else if (prc < 0) {
		return die(&perr);
	}
	if (r.opts.merge) {
		rc = run_merge(&r, &err);
		if (r.out.buf != NULL)
			nd_out_abort(&r.out);
		if (r.sigfd >= 0)
			(void)close(r.sigfd);
		return rc;
	}
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
	nd_cli_session_cfg(&r.opts, r.filter_from_file, &r.cfg);
	if (setup_capture(&r, &err) < 0)
		rc = die(&err);
	else if (r.listed)
		rc = fflush(stdout) == 0 ? ND_EXIT_OK : ND_EXIT_FAIL;
	else if (r.opts.wait_stdin && wait_stdin(&r, &err) < 0)
		rc = die(&err);
	else if (open_output(&r, &err) < 0) {
		/* A reader that leaves before the header is written ends the capture in order. */
		if (err.errnum == EPIPE) {
			if (!r.opts.quiet)
				fprintf(stderr, "nsdump: stopping: the reader closed the pipe\n");
			rc = ND_EXIT_OK;
		} else {
			rc = die(&err);
		}
	} else if (nd_privs_drop(&r.privs, &err) < 0 || nd_sandbox_enter(&r.sandbox, &err) < 0)
		rc = die(&err);
	else {
		for (unsigned int i = 0; i < r.nsrc; i++)
			r.src[i].cap.no_sysfs = true;
		if (!r.opts.quiet)
			print_listening(&r);
		rc = run_capture(&r, &err) < 0 ? die(&err) : ND_EXIT_OK;
	}
	for (unsigned int i = 0; i < r.nsrc; i++)
		nd_capture_close(&r.src[i].cap);
	for (unsigned int i = 0; i < ND_MAX_TARGETS; i++)
		nd_target_close(&r.targets[i]);
	if (r.out.buf != NULL)
		nd_out_abort(&r.out);
	if (r.rot.dir_fd >= 0)
		(void)close(r.rot.dir_fd);
	free(r.filter_from_file);
	nd_cli_free(&r.opts);
	if (r.sigfd >= 0)
		(void)close(r.sigfd);
	return rc;
}
