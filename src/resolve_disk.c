/* Docker's and Podman's state on disk, for when their engine does not answer (its socket is
 * absent or nobody listens): Docker's config.v2.json per container, Podman's
 * containers.json, and runc's state.json for the PID and its start time. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/parse.h"
#include "resolve_backend.h"

/* The runc state of a container (start time and PID), when a file under one of dirs has it. */
static void runc_state(struct nd_resolver *r, const char *const *dirs, struct nd_container *c)
{
	for (size_t i = 0; dirs[i] != NULL; i++) {
		struct nd_container s = { 0 };
		struct nd_err ignored;
		char path[PATH_MAX];
		char *buf;
		size_t len;
		int rc;

		if (nd_state_path(path, sizeof(path), "%s%s/%s/state.json", r->root, dirs[i],
				  c->id) < 0)
			continue;
		if (nd_state_read(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
			continue;
		rc = nd_parse_runc_state(buf, len, &s, NULL, &ignored);
		free(buf);
		if (rc == 0 && strcmp(s.id, c->id) == 0 && (c->pid == 0 || s.pid == c->pid)) {
			c->pid = s.pid;
			c->start = s.start;
			return;
		}
	}
}

/* Where runc keeps the state of Docker's and of Podman's containers. */
static const char *const docker_runc_dirs[] = { "/run/docker/runtime-runc/moby",
						"/run/containerd/runc/moby", NULL };
static const char *const podman_runc_dirs[] = { "/run/runc", NULL };

void nd_disk_runc_created(struct nd_resolver *r, struct nd_container *c)
{
	struct nd_container t = *c;

	if (c->runtime != ND_RT_DOCKER && c->runtime != ND_RT_PODMAN)
		return;
	t.pid = 0;
	t.start = 0;
	runc_state(r, c->runtime == ND_RT_DOCKER ? docker_runc_dirs : podman_runc_dirs, &t);
	if (t.pid == 0)
		return;
	nd_state_check_alive(r, &t);
	if (t.running)
		*c = t;
}

int nd_disk_runc_refresh(struct nd_resolver *r, struct nd_container *c)
{
	char ctrd[PATH_MAX];
	const char *ctrd_dirs[] = { ctrd, NULL };
	const char *const *dirs = ctrd_dirs;
	struct nd_container t = *c;

	switch (c->runtime) {
	case ND_RT_DOCKER:
		dirs = docker_runc_dirs;
		break;
	case ND_RT_PODMAN:
	case ND_RT_CRIO:
		dirs = podman_runc_dirs;
		break;
	case ND_RT_CONTAINERD:
		if (nd_state_path(ctrd, sizeof(ctrd), "/run/containerd/runc/%s", c->ns) < 0)
			return 0;
		break;
	}
	t.pid = 0;
	t.start = 0;
	t.running = false;
	runc_state(r, dirs, &t);
	if (t.pid == 0)
		return 0;
	nd_state_check_alive(r, &t);
	if (!t.running)
		return 0;
	*c = t;
	return 1;
}

int nd_disk_docker_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (nd_state_path(dir, sizeof(dir), "%s/var/lib/docker/containers", r->root) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == EACCES) {
			r->denied |= ND_RT_DOCKER;
			nd_state_note(r, "docker: cannot read %s: %s", dir, strerror(errno));
		}
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct nd_container c = { .runtime = ND_RT_DOCKER };
		struct nd_container *slot;
		char path[PATH_MAX];
		char *buf;
		size_t len;
		int rc;

		if (!nd_container_id_ok(de->d_name) ||
		    nd_state_path(path, sizeof(path), "%s/%s/config.v2.json", dir, de->d_name) < 0)
			continue;
		if (nd_state_read(path, ND_STATE_MAX, &buf, &len, err) < 0)
			continue;
		/* The name is in config.v2.json alone, the ID is the directory's name. */
		if (!nd_state_wanted(r, de->d_name, buf, len)) {
			free(buf);
			continue;
		}
		rc = nd_parse_docker_config(buf, len, &c, err);
		free(buf);
		if (rc < 0 || strcmp(c.id, de->d_name) != 0)
			continue;
		if (c.running)
			runc_state(r, docker_runc_dirs, &c);
		/* config.v2.json is written by dockerd: without it running, nobody updates it
		 * when the container dies. Only a live process with the recorded start counts. */
		nd_state_check_alive(r, &c);
		slot = nd_container_add(out);
		if (slot == NULL) {
			(void)closedir(d);
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "docker state");
		}
		*slot = c;
	}
	(void)closedir(d);
	return 0;
}

int nd_disk_podman_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	static const char *const stores[] = { "overlay", "vfs", "btrfs", "zfs", NULL };
	size_t first = out->n;

	for (size_t i = 0; stores[i] != NULL; i++) {
		char path[PATH_MAX];
		char *buf;
		size_t len;
		int rc;

		if (nd_state_path(path, sizeof(path),
				  "%s/var/lib/containers/storage/%s-containers/containers.json",
				  r->root, stores[i]) < 0)
			continue;
		if (nd_state_read(path, ND_STATE_MAX, &buf, &len, err) < 0) {
			if (err->exit == ND_EXIT_PERM) {
				/* The storage directory is closed to us: so are the others. */
				r->denied |= ND_RT_PODMAN;
				nd_state_note(r, "podman: %s", err->msg);
				break;
			}
			continue;
		}
		rc = nd_parse_podman_containers(buf, len, out, err);
		free(buf);
		if (rc < 0)
			nd_state_note(r, "podman: %s", err->msg);
	}
	/* One file names them all: the records that cannot match a query go before their
	 * runtime state is read (names and IDs are all there is to match on here). */
	if (r->query != NULL) {
		size_t kept = first;

		for (size_t i = first; i < out->n; i++)
			if (strcmp(out->v[i].name, r->query) == 0 ||
			    nd_state_wanted(r, out->v[i].id, NULL, 0))
				out->v[kept++] = out->v[i];
		out->n = kept;
	}
	for (size_t i = first; i < out->n; i++) {
		struct nd_container *c = &out->v[i];

		char path[PATH_MAX];

		/* Its ID came from a JSON file: it must be one before it names a path. */
		if (!nd_container_id_ok(c->id)) {
			c->running = false;
			continue;
		}
		runc_state(r, podman_runc_dirs, c);
		/* Podman's PID file, for runtimes that keep no runc state (crun). */
		if (c->pid == 0 && nd_state_path(path, sizeof(path),
						 "%s/run/containers/storage/overlay-containers/%s/"
						 "userdata/pidfile",
						 r->root, c->id) == 0)
			c->pid = nd_state_read_pid(path);
		nd_state_check_alive(r, c);
	}
	return 0;
}
