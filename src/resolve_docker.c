/* Docker and Podman: the Engine API over their unix sockets, and their state on disk when
 * the socket is absent. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/http.h"
#include "nsdump/parse.h"
#include "nsdump/resolve.h"

/* Engines older than this lack fields we read (State.Pid in /containers/json?all=1 replies). */
#define MIN_API_MINOR 24

static const char *sock_of(struct nd_resolver *r, enum nd_runtime rt)
{
	return rt == ND_RT_PODMAN ? r->podman_sock : r->docker_sock;
}

/* An HTTP error status as err, with the engine's own message. */
static int api_error(enum nd_runtime rt, const char *path, struct nd_http_reply *rep,
		     struct nd_err *err)
{
	char msg[512];

	nd_parse_docker_error(rep->body ? rep->body : "", rep->len, msg, sizeof(msg));
	nd_err_set(err, rep->status == 404 ? ND_EXIT_NOTFOUND : ND_EXIT_FAIL, 0,
		   "%s: GET %s: HTTP %d%s%s", nd_runtime_name(rt), path, rep->status,
		   msg[0] ? ": " : "", msg);
	nd_http_reply_free(rep);
	return -1;
}

/* GET /v1.N/what. Version negotiation without a round trip of its own: the first request
 * goes out in our version; every reply carries the engine's in its Api-Version header, and
 * an engine older than us refuses ours (HTTP 400, "client version 1.41 is too new"), so
 * we then retry once in its version, as the docker client would after GET /_ping. */
static int api_get(struct nd_resolver *r, enum nd_runtime rt, const char *what,
		   struct nd_http_reply *rep, struct nd_err *err)
{
	int *minor = rt == ND_RT_PODMAN ? &r->podman_minor : &r->docker_minor;
	char path[256];

	if (*minor == 0)
		*minor = ND_DOCKER_API_MINOR;
	for (int attempt = 0;; attempt++) {
		int v;

		if (nd_resolve_path(path, sizeof(path), "/v1.%d%s", *minor, what) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "request path too long");
		if (nd_http_get(sock_of(r, rt), path, r->timeout_ms, rep, err) < 0)
			return -1;
		if (rep->status >= 200 && rep->status < 300)
			return 0;
		v = rep->api_version[0] ? nd_parse_api_minor(rep->api_version) : -1;
		if (attempt > 0 || rep->status != 400 || v < 0 || v >= *minor)
			return api_error(rt, path, rep, err);
		if (v < MIN_API_MINOR) {
			nd_http_reply_free(rep);
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "%s: engine API version 1.%d is older than 1.%d",
					  nd_runtime_name(rt), v, MIN_API_MINOR);
		}
		nd_http_reply_free(rep);
		*minor = v;
	}
}

int nd_resolve_docker_api(struct nd_resolver *r, enum nd_runtime rt, struct nd_container_list *out,
			  struct nd_err *err)
{
	struct nd_http_reply rep = { 0 };
	int rc;

	if (api_get(r, rt, "/containers/json?all=1", &rep, err) < 0) {
		if (err->exit == ND_EXIT_PERM) {
			r->denied |= rt;
			nd_resolve_note(r, "%s: %s", nd_runtime_name(rt), err->msg);
			return 0;
		}
		if (err->exit == ND_EXIT_NOTFOUND && err->errnum != 0) {
			/* No engine listening: its state on disk, where it has one. */
			return rt == ND_RT_DOCKER ? nd_resolve_docker_disk(r, out, err)
						  : nd_resolve_podman_disk(r, out, err);
		}
		nd_resolve_note(r, "%s", err->msg);
		return 0;
	}
	rc = nd_parse_docker_list(rep.body ? rep.body : "", rep.len, rt, out, err);
	nd_http_reply_free(&rep);
	if (rc < 0)
		return nd_err_prefix(err, "%s", nd_runtime_name(rt));
	return 0;
}

int nd_resolve_inspect(struct nd_resolver *r, struct nd_container *c, struct nd_err *err)
{
	struct nd_http_reply rep = { 0 };
	struct nd_container got = { .runtime = c->runtime, .api = true };
	char what[128];
	int rc;

	if (nd_resolve_path(what, sizeof(what), "/containers/%s/json", c->id) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "container ID too long");
	if (api_get(r, c->runtime, what, &rep, err) < 0) {
		if (err->exit != ND_EXIT_NOTFOUND)
			return -1;
		/* Removed since the list was taken. */
		c->running = false;
		c->pid = 0;
		return 0;
	}
	rc = nd_parse_docker_inspect(rep.body ? rep.body : "", rep.len, &got, err);
	nd_http_reply_free(&rep);
	if (rc < 0)
		return nd_err_prefix(err, "%s", nd_runtime_name(c->runtime));
	if (strcmp(got.id, c->id) != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: inspect of %s answered for %s",
				  nd_runtime_name(c->runtime), c->id, got.id);
	c->running = got.running;
	c->pid = got.pid;
	return 0;
}

/* Reads one reply of nd_resolve_inspect_all's flight into c; false when it must be asked
 * again the slow way (an error status, a version to negotiate, a short read). */
static bool inspect_reply(struct nd_http_conn *conn, struct nd_container *c)
{
	struct nd_http_reply rep = { 0 };
	struct nd_container got = { .runtime = c->runtime, .api = true };
	struct nd_err ignored;
	bool ok;

	if (nd_http_recv(conn, &rep, &ignored) < 0)
		return false;
	ok = rep.status == 200 &&
	     nd_parse_docker_inspect(rep.body ? rep.body : "", rep.len, &got, &ignored) == 0 &&
	     strcmp(got.id, c->id) == 0;
	nd_http_reply_free(&rep);
	if (ok) {
		c->running = got.running;
		c->pid = got.pid;
	}
	return ok;
}

/* The list reply has no PIDs, so --list inspects every running container. One after the
 * other that was a connection and a round trip each (0.4 ms a container with 100 of them,
 * `make bench`'s scale case); sent in flights, the engine answers them side by side. Any
 * reply that is not a plain success goes through nd_resolve_inspect, which handles errors
 * and version negotiation. */
int nd_resolve_inspect_all(struct nd_resolver *r, struct nd_container *v, size_t n,
			   struct nd_err *err)
{
	struct nd_http_conn conn[ND_RESOLVE_INFLIGHT];
	size_t who[ND_RESOLVE_INFLIGHT];
	size_t i = 0;

	while (i < n) {
		size_t k = 0;

		for (; i < n && k < ND_RESOLVE_INFLIGHT; i++) {
			struct nd_container *c = &v[i];
			int minor = c->runtime == ND_RT_PODMAN ? r->podman_minor : r->docker_minor;
			struct nd_err ignored;
			char path[160];

			if (!c->api || !c->running)
				continue;
			nd_http_conn_init(&conn[k]);
			if (minor == 0 ||
			    nd_resolve_path(path, sizeof(path), "/v1.%d/containers/%s/json", minor,
					    c->id) < 0 ||
			    nd_http_send(&conn[k],
					 c->runtime == ND_RT_PODMAN ? r->podman_sock
								    : r->docker_sock,
					 path, r->timeout_ms, &ignored) < 0) {
				nd_http_conn_close(&conn[k]);
				if (nd_resolve_inspect(r, c, err) < 0) {
					while (k > 0)
						nd_http_conn_close(&conn[--k]);
					return -1;
				}
				continue;
			}
			who[k++] = i;
		}
		for (size_t j = 0; j < k; j++) {
			if (!inspect_reply(&conn[j], &v[who[j]]) &&
			    nd_resolve_inspect(r, &v[who[j]], err) < 0) {
				while (++j < k)
					nd_http_conn_close(&conn[j]);
				return -1;
			}
		}
	}
	return 0;
}

/* Docker resolves a name, full ID or ID prefix in GET /containers/QUERY/json itself. Sent
 * before the list is asked for and read after it, the inspect costs no round trip of its
 * own; it is used only when the list (which decides, across runtimes) picks the container
 * the inspect answered for. */
void nd_resolve_docker_prefetch(struct nd_resolver *r, const char *query)
{
	struct nd_err ignored;
	char path[384];

	if (!(r->runtimes & ND_RT_DOCKER))
		return;
	/* Docker names and IDs: [a-zA-Z0-9][a-zA-Z0-9_.-]*; anything else needs no asking. */
	for (const char *p = query; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return;
	if (nd_resolve_path(path, sizeof(path), "/v1.%d/containers/%s/json",
			    r->docker_minor ? r->docker_minor : ND_DOCKER_API_MINOR, query) < 0)
		return;
	(void)nd_http_send(&r->prefetch, r->docker_sock, path, r->timeout_ms, &ignored);
}

bool nd_resolve_docker_prefetched(struct nd_resolver *r, struct nd_container *c)
{
	struct nd_http_reply rep = { 0 };
	struct nd_container got = { .runtime = ND_RT_DOCKER, .api = true };
	struct nd_err ignored;
	bool ok;

	if (r->prefetch.fd < 0 || c->runtime != ND_RT_DOCKER)
		return false;
	if (nd_http_recv(&r->prefetch, &rep, &ignored) < 0)
		return false;
	ok = rep.status == 200 &&
	     nd_parse_docker_inspect(rep.body ? rep.body : "", rep.len, &got, &ignored) == 0 &&
	     strcmp(got.id, c->id) == 0;
	nd_http_reply_free(&rep);
	if (!ok)
		return false;
	c->running = got.running;
	c->pid = got.pid;
	return true;
}

/* A directory entry that can be a container ID: no '/', not "." or "..". */
static bool id_entry(const char *s)
{
	return s[0] != '.' && s[0] != '\0' && strlen(s) < ND_CT_ID_MAX;
}

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

		if (nd_resolve_path(path, sizeof(path), "%s%s/%s/state.json", r->root, dirs[i],
				    c->id) < 0)
			continue;
		if (nd_resolve_read_file(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
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

int nd_resolve_docker_disk(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	static const char *const runc_dirs[] = { "/run/docker/runtime-runc/moby",
						 "/run/containerd/runc/moby", NULL };
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (nd_resolve_path(dir, sizeof(dir), "%s/var/lib/docker/containers", r->root) < 0)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == EACCES) {
			r->denied |= ND_RT_DOCKER;
			nd_resolve_note(r, "docker: cannot read %s: %s", dir, strerror(errno));
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

		if (!id_entry(de->d_name) ||
		    nd_resolve_path(path, sizeof(path), "%s/%s/config.v2.json", dir, de->d_name) <
			    0)
			continue;
		if (nd_resolve_read_file(path, ND_STATE_MAX, &buf, &len, err) < 0)
			continue;
		rc = nd_parse_docker_config(buf, len, &c, err);
		free(buf);
		if (rc < 0 || strcmp(c.id, de->d_name) != 0)
			continue;
		if (c.running)
			runc_state(r, runc_dirs, &c);
		/* config.v2.json is written by dockerd: without it running, nobody updates it
		 * when the container dies. Only a live process with the recorded start counts. */
		nd_resolve_check_alive(r, &c);
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

/* Podman's PID file, for runtimes that keep no runc state (crun). */
static void podman_pidfile(struct nd_resolver *r, struct nd_container *c)
{
	struct nd_err ignored;
	char path[PATH_MAX];
	char *buf, *end;
	size_t len;
	long v;

	if (nd_resolve_path(path, sizeof(path),
			    "%s/run/containers/storage/overlay-containers/%s/userdata/pidfile",
			    r->root, c->id) < 0 ||
	    nd_resolve_read_file(path, 64, &buf, &len, &ignored) < 0)
		return;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno == 0 && end != buf && (*end == '\0' || *end == '\n') && v > 0 && v <= INT_MAX)
		c->pid = (pid_t)v;
	free(buf);
}

int nd_resolve_podman_disk(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	static const char *const stores[] = { "overlay", "vfs", "btrfs", "zfs", NULL };
	static const char *const runc_dirs[] = { "/run/runc", NULL };
	size_t first = out->n;

	for (size_t i = 0; stores[i] != NULL; i++) {
		char path[PATH_MAX];
		char *buf;
		size_t len;
		int rc;

		if (nd_resolve_path(path, sizeof(path),
				    "%s/var/lib/containers/storage/%s-containers/containers.json",
				    r->root, stores[i]) < 0)
			continue;
		if (nd_resolve_read_file(path, ND_STATE_MAX, &buf, &len, err) < 0) {
			if (err->exit == ND_EXIT_PERM) {
				/* The storage directory is closed to us: so are the others. */
				r->denied |= ND_RT_PODMAN;
				nd_resolve_note(r, "podman: %s", err->msg);
				break;
			}
			continue;
		}
		rc = nd_parse_podman_containers(buf, len, out, err);
		free(buf);
		if (rc < 0)
			nd_resolve_note(r, "podman: %s", err->msg);
	}
	for (size_t i = first; i < out->n; i++) {
		struct nd_container *c = &out->v[i];

		runc_state(r, runc_dirs, c);
		if (c->pid == 0)
			podman_pidfile(r, c);
		nd_resolve_check_alive(r, c);
	}
	return 0;
}
