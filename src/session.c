/* A capture session (session.h): the I/O of each step; plan.c decides. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/session.h"
#include "nsdump/text.h"
#include "nsdump/veth.h"

void nd_session_cfg_init(struct nd_session_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->capture = (struct nd_capture_cfg){ .snaplen = ND_SNAPLEN_MAX, .promisc = true };
	cfg->direction = ND_DIR_INOUT;
	cfg->mode = ND_MODE_AUTO;
	cfg->format = ND_FORMAT_PCAPNG;
}

void nd_session_init(struct nd_session *s, const struct nd_session_cfg *cfg, struct nd_privs *privs,
		     int sigfd)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->privs = privs;
	s->sigfd = sigfd;
	s->rot.dir_fd = -1;
	s->ctl_fd = -1;
	for (unsigned int i = 0; i < ND_MAX_TARGETS; i++)
		nd_target_init(&s->targets[i]);
}

/* Opens the capture of src s on ifname the way the plan chose: on the host end of its veth
 * pair, or inside the target's namespace (coming back out afterwards: the socket stays
 * there), or directly when the target is in nsdump's own namespace. */
static int open_capture(struct nd_session *s, struct nd_source *src, const char *ifname,
			struct nd_err *err)
{
	struct nd_target *t = src->target;
	enum nd_direction dir = nd_plan_direction(src->way, s->cfg->direction);
	int rc;

	if (src->way == ND_WAY_VETH) {
		rc = nd_capture_open(src->cap, src->peer.name, src->peer.ifindex, &s->capture, dir,
				     s->privs, err);
		return rc < 0 ? nd_err_prefix(err, "%s", src->via) : 0;
	}
	if (src->way == ND_WAY_SETNS && nd_target_enter(t, s->privs, err) < 0)
		return -1;
	rc = nd_capture_open(src->cap, ifname,
			     nd_plan_ifindex(ifname, src->tif.ifindex ? &src->tif : NULL),
			     &s->capture, dir, s->privs, err);
	if (rc < 0)
		nd_err_prefix(err, "%s", t->label);
	if (nd_target_leave(t, s->privs, err) < 0)
		rc = -1;
	return rc;
}

/* Plans and opens the capture of interface ifname of t. */
static int open_source(struct nd_session *s, struct nd_target *t, const struct nd_target_spec *spec,
		       const struct nd_ifview *v, const char *ifname, struct nd_err *err)
{
	const struct nd_link *tif = nd_link_by_name(&v->links, ifname), *peer = NULL;
	struct nd_source *src = &s->src[s->nsrc];
	int rc;

	memset(src, 0, sizeof(*src));
	src->target = t;
	src->spec = spec;
	src->cap = &src->capture;
	src->ifid = s->nsrc;
	src->pidfd = t->pidfd;
	src->label = s->writer.ifs[s->nsrc].name;
	if (tif != NULL)
		src->tif = *tif;
	if (nd_plan_wants_peer(s->cfg->mode, t->is_host, tif != NULL))
		peer = nd_veth_peer(v, tif, t->label, err);
	src->way = nd_plan_way(s->cfg->mode, t->is_host, tif != NULL, peer != NULL);
	if (src->way == ND_WAY_NONE)
		return -1; /* err says why there is no peer */
	if (peer != NULL) {
		char via[sizeof(src->via)];

		src->peer = *peer;
		/* Through a copy: GCC cannot tell that src and t do not overlap (-Wrestrict). */
		snprintf(via, sizeof(via), "host end of %s of %s", ifname, t->label);
		memcpy(src->via, via, sizeof(via));
	}
	rc = open_capture(s, src, ifname, err);
	s->nsrc++; /* counted even on failure, so that the capture is closed */
	if (rc < 0)
		return -1;
	return nd_capture_set_filter(src->cap, s->cfg->filter, err);
}

/* Opens target i and the captures of the interfaces -i names in it. */
static int open_target(struct nd_session *s, unsigned int i, struct nd_err *err)
{
	struct nd_target *t = &s->targets[i];
	const struct nd_target_spec *spec = &s->cfg->targets[i];
	char names[ND_MAX_SOURCES][IF_NAMESIZE];
	enum nd_way ways[ND_MAX_SOURCES];
	unsigned int first = s->nsrc, n = 0;
	struct nd_ifview v;
	int rc = 0;

	if (nd_target_open(t, spec, &s->cfg->resolver, s->privs, err) < 0)
		return -1;
	if (nd_veth_discover(t, s->privs, s->cfg->list_ifaces, &v, err) < 0)
		return -1;
	if (s->cfg->list_ifaces) {
		nd_ifview_print(stdout, &v);
		s->listed = true;
		goto out;
	}
	rc = nd_plan_ifaces(&v.links, s->cfg->ifaces, s->cfg->nifaces, t->label, names,
			    ND_MAX_SOURCES - s->nsrc, ND_MAX_SOURCES, &n, err);
	for (unsigned int k = 0; rc == 0 && k < n; k++)
		rc = open_source(s, t, spec, &v, names[k], err);
	for (unsigned int k = first; k < s->nsrc; k++)
		ways[k - first] = s->src[k].way;
	if (rc == 0 && !nd_plan_keep_netns(ways, s->nsrc - first) && t->netns_fd >= 0) {
		(void)close(t->netns_fd);
		t->netns_fd = -1;
	}
out:
	nd_ifview_free(&v);
	return rc;
}

int nd_session_open(struct nd_session *s, struct nd_err *err)
{
	bool rotated = s->cfg->rotate_seconds != 0 || s->cfg->rotate_bytes != 0;
	bool live = nd_out_live(s->cfg->output);

	s->capture = s->cfg->capture;
	s->capture.block_ms = nd_plan_block_ms(live, rotated);
	s->capture.buffer_kib =
		nd_plan_buffer_kib(s->cfg->capture.buffer_kib, live, rotated, s->cfg->ntargets);
	for (unsigned int i = 0; i < s->cfg->ntargets; i++)
		if (open_target(s, i, err) < 0)
			return -1;
	return 0;
}

/* The first file's name, as rotation names the later ones (%n, strftime). */
static int name_first_file(struct nd_session *s, char *name, size_t size, struct nd_err *err)
{
	s->rot.pattern = s->cfg->output;
	s->rot.seconds = s->cfg->rotate_seconds;
	s->rot.bytes = s->cfg->rotate_bytes;
	s->rot.files = s->cfg->rotate_files;
	s->rot.gzip = s->cfg->gzip;
	/* %n: the target's name (--follow's writer has no interface yet: its name is the
	 * first target's argument). */
	if (s->ctl_fd >= 0)
		snprintf(s->rot.target, sizeof(s->rot.target), "%s", s->cfg->targets[0].name);
	else
		nd_plan_rotate_target(s->writer.ifs[0].name, s->rot.target, sizeof(s->rot.target));
	if (nd_rotate_check(&s->rot, err) < 0 ||
	    nd_rotate_name(&s->rot, time(NULL), name, size, err) < 0)
		return -1;
	s->rot.opened = 1;
	return 0;
}

/* With rotation, every file is created as the loop creates the later ones: in the directory
 * opened here, with the rights the loop keeps (root: uid 0 without capabilities), so that a
 * rotation that cannot work fails now, before the first packet. */
static int open_rotated(struct nd_session *s, const char *path, struct nd_err *err)
{
	int rc;

	s->rot.dir_fd = nd_out_dir_open(path, err);
	rc = s->rot.dir_fd < 0
		     ? -1
		     : nd_out_create(&s->out, s->rot.dir_fd, path + nd_rotate_dirlen(&s->rot), path,
				     ND_OUT_BUFFER_SIZE, nd_writer_reclen(s->cfg->format), err);
	if (rc < 0 && (err->errnum == EACCES || err->errnum == EPERM) &&
	    s->privs->mode == ND_PRIVS_ROOT)
		return nd_err_hint(err, "with -G or -C, files are created with root's own "
					"rights, without capabilities, from the first one on");
	if (rc < 0 || nd_out_pin_fd(&s->out, err) < 0)
		return -1;
	return 0;
}

/* Without rotation, the file is created with the invoker's rights (for root: root's), never
 * with capabilities the invoker does not have, so it belongs to the invoker. */
static int open_single(struct nd_session *s, const char *path, struct nd_err *err)
{
	int rc;

	if (nd_privs_invoker_begin(s->privs, err) < 0)
		return -1;
	rc = nd_out_open(&s->out, path, ND_OUT_BUFFER_SIZE, nd_writer_reclen(s->cfg->format), err);
	if (nd_privs_invoker_end(s->privs, err) < 0 || rc < 0)
		return -1;
	return 0;
}

/* --follow: which start of the target an interface is, in its name and description. */
static void name_start(struct nd_wif *f, unsigned int start_no, const char *note)
{
	size_t n = strlen(f->name), d = strlen(f->description);

	snprintf(f->name + n, sizeof(f->name) - n, "#%u", start_no);
	if (note != NULL)
		snprintf(f->description + d, sizeof(f->description) - d, "; %s", note);
	else
		snprintf(f->description + d, sizeof(f->description) - d, "; start %u", start_no);
}

int nd_session_start_output(struct nd_session *s, struct nd_err *err)
{
	char userappl[128], name[4096];
	const char *path = s->cfg->output;

	s->writer.nifs = s->nsrc;
	for (unsigned int i = 0; i < s->nsrc; i++) {
		struct nd_wif *f = &s->writer.ifs[i];
		const struct nd_source *src = &s->src[i];

		nd_plan_describe(src->target, src->spec,
				 src->tif.ifindex ? src->tif.name : src->cap->ifname, src->way,
				 &src->peer, f->name, sizeof(f->name), f->description,
				 sizeof(f->description));
		f->linktype = src->cap->linktype;
		f->snaplen = src->cap->snaplen;
		f->filter = s->cfg->filter;
		f->has_mac = src->tif.has_addr;
		memcpy(f->mac, src->tif.addr, sizeof(f->mac));
		if (s->cfg->start_no > 0)
			name_start(f, s->cfg->start_no, s->cfg->start_note);
	}
	s->writer.dynamic = s->ctl_fd >= 0;
	if (nd_plan_to_file(path)) {
		if (name_first_file(s, name, sizeof(name), err) < 0)
			return -1;
		path = name;
	}
	if (nd_rotate_active(&s->rot) ? open_rotated(s, path, err) < 0
				      : open_single(s, path, err) < 0)
		return -1;
	if (s->cfg->gzip && nd_out_compress(&s->out, err) < 0)
		return -1;
	s->writer.format = s->cfg->format;
	s->writer.out = &s->out;
	s->sandbox = (struct nd_sandbox){ .out_fd = s->out.fd,
					  .dir_fd = s->rot.dir_fd,
					  .has_ctl = s->ctl_fd >= 0,
					  .ctl_fd = s->ctl_fd };
	/* The live status line: for packets going to a file while someone watches the terminal
	 * (its width is asked now: the sandbox allows no terminal ioctl). */
	nd_status_init(&s->status, STDERR_FILENO,
		       !s->cfg->quiet && nd_plan_to_file(s->cfg->output)
			       ? nd_status_width(STDERR_FILENO)
			       : 0);
	snprintf(userappl, sizeof(userappl), "nsdump %s (%s)", ND_VERSION, pcap_lib_version());
	return nd_writer_start(&s->writer, userappl, err);
}

int nd_session_sandbox(struct nd_session *s, struct nd_err *err)
{
	if (nd_sandbox_enter(&s->sandbox, err) < 0)
		return -1;
	for (unsigned int i = 0; i < s->nsrc; i++)
		s->src[i].cap->no_sysfs = true;
	return 0;
}

/* -v: what holds rotation to its directory (docs/security.md). */
static void print_rotation(const struct nd_session *s)
{
	int dl = (int)nd_rotate_dirlen(&s->rot);

	if (s->sandbox.landlock > 0)
		nd_text_print(stderr,
			      "nsdump: rotation creates files only in %.*s (seccomp: that "
			      "directory's descriptor; Landlock ABI %d: nothing outside it)",
			      dl ? dl : 1, dl ? s->rot.pattern : ".", s->sandbox.landlock);
	else
		nd_text_print(
			stderr,
			"nsdump: rotation creates files in %.*s (seccomp: that directory's "
			"descriptor; no Landlock in this kernel, so a name is not held to it)",
			dl ? dl : 1, dl ? s->rot.pattern : ".");
}

/* -v: how the source is captured, and (once per target) how its container was found. */
static void print_verbose(const struct nd_session *s, unsigned int i)
{
	const struct nd_source *src = &s->src[i];
	const struct nd_target *t = src->target;

	nd_text_print(stderr, "nsdump: netns inode %llu, mode %s, privileges %s, writing to %s",
		      t->netns_ino, nd_plan_way_name(src->way), nd_privs_mode_name(s->privs->mode),
		      s->out.name);
	if (i == 0 && s->rot.dir_fd >= 0)
		print_rotation(s);
	if (t->is_container && (i == 0 || s->src[i - 1].target != t)) {
		char found[sizeof(t->container.name) + sizeof(t->container.pod_name) + 256];

		nd_container_found(&t->container, found, sizeof(found));
		nd_text_print(stderr, "nsdump: found %s in %.3f ms", found, t->resolve_ms);
	}
}

/* Interface and process names are the target's choice: every line goes through the cleaner
 * (nd_text_print). */
void nd_session_print_listening(const struct nd_session *s)
{
	for (unsigned int i = 0; i < s->nsrc; i++) {
		const struct nd_source *src = &s->src[i];
		const struct nd_target *t = src->target;
		const char *dlt = pcap_datalink_val_to_name(src->cap->linktype);
		const char *desc = pcap_datalink_val_to_description(src->cap->linktype);
		char where[sizeof(src->via) + sizeof(t->label) + 4];

		if (t->is_host)
			nd_text_print(stderr,
				      "nsdump: warning: %s is in nsdump's own network namespace: "
				      "capturing %s there directly",
				      t->label, src->cap->ifname);
		if (src->cap->warning[0] != '\0')
			nd_text_print(stderr, "nsdump: warning: %s", src->cap->warning);
		if (src->via[0] != '\0')
			snprintf(where, sizeof(where), "(%s)", src->via);
		else
			snprintf(where, sizeof(where), "in %s", t->label);
		nd_text_print(stderr,
			      "nsdump: listening on %s %s, link-type %s (%s), snapshot length %d "
			      "bytes",
			      src->cap->ifname, where, dlt ? dlt : "?", desc ? desc : "?",
			      src->cap->snaplen);
		if (s->cfg->verbose > 0)
			print_verbose(s, i);
	}
}

/* The kernel's counts of every source: summed into s->sum, and each into the file (pcapng)
 * unless nobody is left to read it. */
static int collect_stats(struct nd_session *s, int rc, struct nd_err *err)
{
	s->stats_ok = true;
	for (unsigned int i = 0; i < s->nsrc; i++) {
		struct nd_capture_stats st;

		if (nd_capture_stats(s->src[i].cap, &st, &s->stats_err) < 0) {
			s->stats_ok = false;
			continue;
		}
		s->sum.received += st.received;
		s->sum.dropped += st.dropped;
		s->sum.ifdropped += st.ifdropped;
		if (rc == 0 && s->loop.reason != ND_STOP_READER_GONE &&
		    s->loop.reason != ND_STOP_FILES &&
		    nd_writer_stats(&s->writer, i, st.received, st.dropped, st.ifdropped, err) < 0)
			rc = -1;
		if (!s->cfg->quiet && s->nsrc > 1 && st.dropped + st.ifdropped > 0)
			fprintf(stderr, "nsdump: %s: %llu packets dropped\n", s->src[i].label,
				st.dropped + st.ifdropped);
	}
	return rc;
}

int nd_session_run(struct nd_session *s, struct nd_err *err)
{
	int rc;

	s->loop = (struct nd_loop){
		.src = s->src,
		.nsrc = s->nsrc,
		.out = &s->out,
		.writer = &s->writer,
		.count = s->cfg->count,
		.duration = s->cfg->duration,
		.packet_buffered = s->cfg->packet_buffered,
		.live = !s->out.regular,
		.sigfd = s->sigfd,
		.rot = nd_rotate_active(&s->rot) ? &s->rot : NULL,
		.out_bufsize = ND_OUT_BUFFER_SIZE,
		.status = &s->status,
		.ctl_fd = s->ctl_fd,
		.max_src = ND_MAX_SOURCES,
		.filter = s->cfg->filter,
	};
	rc = nd_loop_run(&s->loop, err);
	nd_status_clear(&s->status); /* before anything else is printed */
	rc = collect_stats(s, rc, err);
	if (s->ctl_fd >= 0)
		s->sum = s->loop.streamed; /* the starts' own counts, from their streams */
	if (rc < 0) {
		nd_out_abort(&s->out);
	} else if (nd_out_close(&s->out, err) < 0) {
		/* A reader leaving during the final flush still ends the capture in order. */
		if (err->errnum != EPIPE)
			rc = -1;
		else
			s->loop.reason = ND_STOP_READER_GONE;
	}
	return rc;
}

static const char *plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

void nd_session_print_stats(const struct nd_session *s)
{
	const struct nd_loop *l = &s->loop;
	unsigned long long total;

	if (s->cfg->quiet)
		return;
	if (l->reason == ND_STOP_TARGET_EXITED || l->reason == ND_STOP_IFACE_GONE ||
	    l->reason == ND_STOP_READER_GONE || l->reason == ND_STOP_FILES)
		fprintf(stderr, "nsdump: stopping: %s\n", nd_loop_reason(l));
	if (!s->stats_ok) {
		fprintf(stderr, "nsdump: %s\n", s->stats_err.msg);
		return;
	}
	total = l->closed_packets + (l->reason == ND_STOP_FILES ? 0 : s->out.nwritten);
	fprintf(stderr, "%llu packet%s captured\n", total, plural(total));
	fprintf(stderr, "%llu packet%s received by filter\n", s->sum.received,
		plural(s->sum.received));
	fprintf(stderr, "%llu packet%s dropped by kernel\n", s->sum.dropped,
		plural(s->sum.dropped));
	if (s->sum.ifdropped > 0)
		fprintf(stderr, "%llu packet%s dropped by interface\n", s->sum.ifdropped,
			plural(s->sum.ifdropped));
}

void nd_session_close(struct nd_session *s)
{
	for (unsigned int i = 0; i < s->nsrc; i++)
		nd_capture_close(s->src[i].cap);
	for (unsigned int i = 0; i < ND_MAX_TARGETS; i++)
		nd_target_close(&s->targets[i]);
	if (s->out.buf != NULL)
		nd_out_abort(&s->out);
	if (s->rot.dir_fd >= 0)
		(void)close(s->rot.dir_fd);
	s->rot.dir_fd = -1;
	s->nsrc = 0;
}
