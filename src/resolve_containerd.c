/* containerd and CRI-O: no daemon is asked; their runtime state is read. containerd keeps a
 * task directory per running container (init.pid, the OCI config.json) under
 * /run/containerd/io.containerd.runtime.v2.task/NS/ID, and runc its state (PID and start
 * time) under /run/containerd/runc/NS/ID/state.json. CRI-O's runc state is in /run/runc. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/parse.h"
#include "nsdump/resolve.h"

#define TASK_DIR "/run/containerd/io.containerd.runtime.v2.task"
#define RUNC_DIR "/run/containerd/runc"

static bool plain_entry(const char *s)
{
	return s[0] != '.' && s[0] != '\0';
}

/* Reads path and hands it to parse; false when absent or malformed. */
static bool read_parse(const char *path, struct nd_container *c, struct nd_runc_extra *extra,
		       int kind)
{
	struct nd_err ignored;
	char *buf;
	size_t len;
	int rc;

	if (nd_resolve_read_file(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
		return false;
	rc = kind == 0 ? nd_parse_runc_state(buf, len, c, extra, &ignored)
		       : nd_parse_oci_config(buf, len, c, &ignored);
	free(buf);
	return rc == 0;
}

static pid_t read_pid(const char *path)
{
	struct nd_err ignored;
	char *buf, *end;
	size_t len;
	long v;
	pid_t pid = 0;

	if (nd_resolve_read_file(path, 64, &buf, &len, &ignored) < 0)
		return 0;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno == 0 && end != buf && (*end == '\0' || *end == '\n') && v > 0 && v <= INT_MAX)
		pid = (pid_t)v;
	free(buf);
	return pid;
}

static int one_task(struct nd_resolver *r, const char *ns, const char *id,
		    struct nd_container_list *out, struct nd_err *err)
{
	struct nd_container c = { .runtime = ND_RT_CONTAINERD };
	struct nd_container *slot;
	char path[PATH_MAX];
	pid_t init_pid;

	if (nd_container_set(c.ns, sizeof(c.ns), ns, strlen(ns)) < 0 ||
	    nd_container_set(c.id, sizeof(c.id), id, strlen(id)) < 0)
		return 0;
	if (nd_resolve_path(path, sizeof(path), "%s%s/%s/%s/init.pid", r->root, TASK_DIR, ns, id) <
	    0)
		return 0;
	init_pid = read_pid(path);
	if (nd_resolve_path(path, sizeof(path), "%s%s/%s/%s/config.json", r->root, TASK_DIR, ns,
			    id) == 0)
		(void)read_parse(path, &c, NULL, 1);
	if (nd_resolve_path(path, sizeof(path), "%s%s/%s/%s/state.json", r->root, RUNC_DIR, ns,
			    id) < 0)
		path[0] = '\0';
	{
		struct nd_container s = c;

		/* runc's state, when the runtime is runc, adds the start time. */
		if (path[0] != '\0' && read_parse(path, &s, NULL, 0) && strcmp(s.id, id) == 0 &&
		    (init_pid == 0 || s.pid == init_pid))
			c = s;
		else
			c.pid = init_pid;
	}
	/* Plain ctr containers have no other name than their ID. */
	if (c.name[0] == '\0')
		memcpy(c.name, c.id, sizeof(c.name) < sizeof(c.id) ? sizeof(c.name) : sizeof(c.id));
	nd_resolve_check_alive(r, &c);
	slot = nd_container_add(out);
	if (slot == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "containerd state");
	*slot = c;
	return 0;
}

int nd_resolve_containerd(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	char dir[PATH_MAX];
	struct dirent *ns;
	DIR *d;

	if (nd_resolve_path(dir, sizeof(dir), "%s%s", r->root, TASK_DIR) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == EACCES) {
			r->denied |= ND_RT_CONTAINERD;
			nd_resolve_note(r, "containerd: cannot read %s: %s", dir, strerror(errno));
		}
		return 0;
	}
	while ((ns = readdir(d)) != NULL) {
		char nsdir[PATH_MAX];
		struct dirent *de;
		DIR *d2;

		/* Namespace moby holds Docker's containers (when dockerd uses this containerd):
		 * they are Docker's to name. */
		if (!plain_entry(ns->d_name) || strcmp(ns->d_name, "moby") == 0)
			continue;
		if (nd_resolve_path(nsdir, sizeof(nsdir), "%s/%s", dir, ns->d_name) < 0)
			continue;
		d2 = opendir(nsdir);
		if (d2 == NULL)
			continue;
		while ((de = readdir(d2)) != NULL) {
			if (!plain_entry(de->d_name))
				continue;
			if (one_task(r, ns->d_name, de->d_name, out, err) < 0) {
				(void)closedir(d2);
				(void)closedir(d);
				return -1;
			}
		}
		(void)closedir(d2);
	}
	(void)closedir(d);
	return 0;
}

int nd_resolve_crio(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (nd_resolve_path(dir, sizeof(dir), "%s/run/runc", r->root) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct nd_container c = { .runtime = ND_RT_CRIO };
		struct nd_runc_extra extra = { 0 };
		struct nd_container *slot;
		char path[PATH_MAX];

		if (!plain_entry(de->d_name) ||
		    nd_resolve_path(path, sizeof(path), "%s/%s/state.json", dir, de->d_name) < 0)
			continue;
		/* /run/runc is shared with Podman (io.container.manager=libpod) and plain runc:
		 * only containers with CRI-O's annotations are CRI-O's. */
		if (!read_parse(path, &c, &extra, 0) || strcmp(c.id, de->d_name) != 0 ||
		    strcmp(extra.manager, "libpod") == 0 || !(extra.crio || c.pod_name[0] != '\0'))
			continue;
		if (c.name[0] == '\0')
			memcpy(c.name, c.id, sizeof(c.id));
		nd_resolve_check_alive(r, &c);
		slot = nd_container_add(out);
		if (slot == NULL) {
			(void)closedir(d);
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "CRI-O state");
		}
		*slot = c;
	}
	(void)closedir(d);
	return 0;
}
