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
#include "resolve_backend.h"

#define TASK_DIR "/run/containerd/io.containerd.runtime.v2.task"
#define RUNC_DIR "/run/containerd/runc"

/* runc's state.json at path into c (and extra); false when absent or malformed. */
static bool read_runc_state(const char *path, struct nd_container *c, struct nd_runc_extra *extra)
{
	struct nd_err ignored;
	char *buf;
	size_t len;
	int rc;

	if (nd_state_read(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
		return false;
	rc = nd_parse_runc_state(buf, len, c, extra, &ignored);
	free(buf);
	return rc == 0;
}

/* An OCI config.json at path: its annotations into c; false when absent or malformed. */
static bool read_oci_config(const char *path, struct nd_container *c)
{
	struct nd_err ignored;
	char *buf;
	size_t len;
	int rc;

	if (nd_state_read(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
		return false;
	rc = nd_parse_oci_config(buf, len, c, &ignored);
	free(buf);
	return rc == 0;
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
	/* A name comes from the task's config.json (annotations) or runc's labels: when the
	 * ID is not the query and neither file can hold it, this is no candidate. */
	if (r->query != NULL && !nd_state_wanted(r, id, NULL, 0) &&
	    (nd_state_path(path, sizeof(path), "%s%s/%s/%s/config.json", r->root, TASK_DIR, ns,
			   id) < 0 ||
	     !nd_state_file_wanted(r, path)) &&
	    (nd_state_path(path, sizeof(path), "%s%s/%s/%s/state.json", r->root, RUNC_DIR, ns, id) <
		     0 ||
	     !nd_state_file_wanted(r, path)))
		return 0;
	if (nd_state_path(path, sizeof(path), "%s%s/%s/%s/init.pid", r->root, TASK_DIR, ns, id) < 0)
		return 0;
	init_pid = nd_state_read_pid(path);
	if (nd_state_path(path, sizeof(path), "%s%s/%s/%s/config.json", r->root, TASK_DIR, ns,
			  id) == 0)
		(void)read_oci_config(path, &c);
	if (nd_state_path(path, sizeof(path), "%s%s/%s/%s/state.json", r->root, RUNC_DIR, ns, id) <
	    0)
		path[0] = '\0';
	{
		struct nd_container s = c;

		/* runc's state, when the runtime is runc, adds the start time. */
		if (path[0] != '\0' && read_runc_state(path, &s, NULL) && strcmp(s.id, id) == 0 &&
		    (init_pid == 0 || s.pid == init_pid))
			c = s;
		else
			c.pid = init_pid;
	}
	/* Plain ctr containers have no other name than their ID. */
	if (c.name[0] == '\0')
		memcpy(c.name, c.id, sizeof(c.name) < sizeof(c.id) ? sizeof(c.name) : sizeof(c.id));
	nd_state_check_alive(r, &c);
	slot = nd_container_add(out);
	if (slot == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "containerd state");
	*slot = c;
	return 0;
}

static int containerd_scan(struct nd_resolver *r, void *state, struct nd_container_list *out,
			   struct nd_err *err)
{
	char dir[PATH_MAX];
	struct dirent *ns;
	DIR *d;

	(void)state;
	if (nd_state_path(dir, sizeof(dir), "%s%s", r->root, TASK_DIR) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == EACCES) {
			r->denied |= ND_RT_CONTAINERD;
			nd_state_note(r, "containerd: cannot read %s: %s", dir, strerror(errno));
		}
		return 0;
	}
	while ((ns = readdir(d)) != NULL) {
		char nsdir[PATH_MAX];
		struct dirent *de;
		DIR *d2;

		/* Namespace moby holds Docker's containers (when dockerd uses this containerd):
		 * they are Docker's to name. */
		if (!nd_container_id_ok(ns->d_name) || strcmp(ns->d_name, "moby") == 0)
			continue;
		if (nd_state_path(nsdir, sizeof(nsdir), "%s/%s", dir, ns->d_name) < 0)
			continue;
		d2 = opendir(nsdir);
		if (d2 == NULL)
			continue;
		while ((de = readdir(d2)) != NULL) {
			if (!nd_container_id_ok(de->d_name))
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

static int crio_scan(struct nd_resolver *r, void *state, struct nd_container_list *out,
		     struct nd_err *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	(void)state;
	if (nd_state_path(dir, sizeof(dir), "%s/run/runc", r->root) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct nd_container c = { .runtime = ND_RT_CRIO };
		struct nd_runc_extra extra = { 0 };
		struct nd_container *slot;
		char path[PATH_MAX];

		if (!nd_container_id_ok(de->d_name) ||
		    nd_state_path(path, sizeof(path), "%s/%s/state.json", dir, de->d_name) < 0)
			continue;
		/* The name is the ID or one of runc's labels: in this file alone. */
		if (!nd_state_wanted(r, de->d_name, NULL, 0) && !nd_state_file_wanted(r, path))
			continue;
		/* /run/runc is shared with Podman (io.container.manager=libpod) and plain runc:
		 * only containers with CRI-O's annotations are CRI-O's. */
		if (!read_runc_state(path, &c, &extra) || strcmp(c.id, de->d_name) != 0 ||
		    strcmp(extra.manager, "libpod") == 0 || !(extra.crio || c.pod_name[0] != '\0'))
			continue;
		if (c.name[0] == '\0')
			memcpy(c.name, c.id, sizeof(c.id));
		nd_state_check_alive(r, &c);
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

const struct nd_backend nd_backend_containerd = {
	.runtime = ND_RT_CONTAINERD,
	.scan = containerd_scan,
};

const struct nd_backend nd_backend_crio = {
	.runtime = ND_RT_CRIO,
	.scan = crio_scan,
};
