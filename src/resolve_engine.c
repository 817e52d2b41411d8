/* The Docker and Podman backends: the Engine API over their unix sockets (Podman's compatible
 * one), and their state on disk (resolve_disk.c) when no engine answers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "nsdump/http.h"
#include "nsdump/parse.h"
#include "resolve_backend.h"

/* The newest Engine API version nsdump speaks; older engines are asked in their own. */
#define API_MINOR 41
/* Engines older than this lack fields we read (State.Pid in /containers/json?all=1 replies). */
#define MIN_API_MINOR 24
/* --list's inspects in flight at once. */
#define INFLIGHT 32

/* One engine, as its backend keeps it. */
struct engine {
	enum nd_runtime rt;
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int minor;                    /* negotiated API version 1.N, 0 before */
	struct nd_http_conn prefetch; /* Docker: the inspect of the name asked for (hint) */
};

static int engine_new(struct nd_resolver *r, enum nd_runtime rt, const char *sock, void **state,
		      struct nd_err *err)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot set up the resolver");
	e->rt = rt;
	nd_http_conn_init(&e->prefetch);
	*state = e;
	if (nd_state_path(e->sock, sizeof(e->sock), "%s%s", r->root, sock) < 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "socket path %s%s too long", r->root,
				  sock);
	return 0;
}

static int docker_init(struct nd_resolver *r, const struct nd_privs *privs, void **state,
		       struct nd_err *err)
{
	const char *dh = NULL;
	struct engine *e;

	if (engine_new(r, ND_RT_DOCKER, "/var/run/docker.sock", state, err) < 0)
		return -1;
	e = *state;
	/* DOCKER_HOST names a socket of the invoker's choosing: taken only when nsdump has no
	 * rights the invoker lacks. The socket is opened with the invoker's rights anyway. */
	if (privs->mode == ND_PRIVS_ROOT || privs->mode == ND_PRIVS_NONE)
		dh = nd_privs_getenv(privs, "DOCKER_HOST");
	if (dh == NULL || dh[0] == '\0')
		return 0;
	if (strncmp(dh, "unix://", 7) != 0 || dh[7] != '/')
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "DOCKER_HOST=%.200s: only unix:///PATH is supported", dh);
	if (nd_state_path(e->sock, sizeof(e->sock), "%s", dh + 7) < 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "socket path %s too long", dh + 7);
	return 0;
}

static int podman_init(struct nd_resolver *r, const struct nd_privs *privs, void **state,
		       struct nd_err *err)
{
	(void)privs;
	return engine_new(r, ND_RT_PODMAN, "/run/podman/podman.sock", state, err);
}

static void engine_fini(void *state)
{
	struct engine *e = state;

	nd_http_conn_close(&e->prefetch);
	free(e);
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
static int api_get(struct nd_resolver *r, struct engine *e, const char *what,
		   struct nd_http_reply *rep, struct nd_err *err)
{
	char path[256];

	if (e->minor == 0)
		e->minor = API_MINOR;
	for (int attempt = 0;; attempt++) {
		int v;

		if (nd_state_path(path, sizeof(path), "/v1.%d%s", e->minor, what) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "request path too long");
		if (nd_http_get(e->sock, path, r->timeout_ms, rep, err) < 0)
			return -1;
		if (rep->status >= 200 && rep->status < 300)
			return 0;
		v = rep->api_version[0] ? nd_parse_api_minor(rep->api_version) : -1;
		if (attempt > 0 || rep->status != 400 || v < 0 || v >= e->minor)
			return api_error(e->rt, path, rep, err);
		if (v < MIN_API_MINOR) {
			nd_http_reply_free(rep);
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "%s: engine API version 1.%d is older than 1.%d",
					  nd_runtime_name(e->rt), v, MIN_API_MINOR);
		}
		nd_http_reply_free(rep);
		e->minor = v;
	}
}

static int engine_scan(struct nd_resolver *r, void *state, struct nd_container_list *out,
		       struct nd_err *err)
{
	struct engine *e = state;
	struct nd_http_reply rep = { 0 };
	int rc;

	if (api_get(r, e, "/containers/json?all=1", &rep, err) < 0) {
		if (err->exit == ND_EXIT_PERM) {
			r->denied |= e->rt;
			nd_state_note(r, "%s: %s", nd_runtime_name(e->rt), err->msg);
			return 0;
		}
		if (err->exit == ND_EXIT_NOTFOUND && err->errnum != 0) {
			/* No engine listening: its state on disk, where it has one. */
			return e->rt == ND_RT_DOCKER ? nd_disk_docker_scan(r, out, err)
						     : nd_disk_podman_scan(r, out, err);
		}
		nd_state_note(r, "%s", err->msg);
		return 0;
	}
	rc = nd_parse_docker_list(rep.body ? rep.body : "", rep.len, e->rt, out, err);
	nd_http_reply_free(&rep);
	if (rc < 0)
		return nd_err_prefix(err, "%s", nd_runtime_name(e->rt));
	return 0;
}

/* Takes an inspect reply for c: its PID and whether it runs. False when the reply is not a
 * plain success for c (an error status, a version to negotiate, a short read, another ID). */
static bool take_reply(struct nd_http_reply *rep, struct nd_container *c)
{
	struct nd_container got = { .runtime = c->runtime };
	struct nd_err ignored;
	bool ok = rep->status == 200 &&
		  nd_parse_docker_inspect(rep->body ? rep->body : "", rep->len, &got, &ignored) ==
			  0 &&
		  strcmp(got.id, c->id) == 0;

	nd_http_reply_free(rep);
	if (ok) {
		c->running = got.running;
		c->pid = got.pid;
	}
	return ok;
}

static bool recv_reply(struct nd_http_conn *conn, struct nd_container *c)
{
	struct nd_http_reply rep = { 0 };
	struct nd_err ignored;

	return nd_http_recv(conn, &rep, &ignored) == 0 && take_reply(&rep, c);
}

/* One inspect the slow way, with errors and version negotiation. */
static int inspect(struct nd_resolver *r, struct engine *e, struct nd_container *c,
		   struct nd_err *err)
{
	struct nd_http_reply rep = { 0 };
	char what[128];

	if (nd_state_path(what, sizeof(what), "/containers/%s/json", c->id) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "container ID too long");
	if (api_get(r, e, what, &rep, err) < 0) {
		if (err->exit != ND_EXIT_NOTFOUND)
			return -1;
		/* Removed since the list was taken. */
		c->running = false;
		c->pid = 0;
		return 0;
	}
	if (!take_reply(&rep, c))
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "%s: the inspect of %s did not answer for it",
				  nd_runtime_name(c->runtime), c->id);
	return 0;
}

static bool wants_pid(const struct engine *e, const struct nd_container *c)
{
	return c->runtime == e->rt && c->running && c->pid == 0;
}

/* The inspect a hint sent ahead, for the record of v[0..n) it answered for, if any. */
static void prefetched(struct engine *e, struct nd_container *v, size_t n)
{
	struct nd_http_reply rep = { 0 };
	struct nd_container got = { .runtime = e->rt };
	struct nd_err ignored;

	if (e->prefetch.fd < 0)
		return;
	if (nd_http_recv(&e->prefetch, &rep, &ignored) == 0 && rep.status == 200 &&
	    nd_parse_docker_inspect(rep.body ? rep.body : "", rep.len, &got, &ignored) == 0) {
		for (size_t k = 0; k < n; k++) {
			if (wants_pid(e, &v[k]) && strcmp(got.id, v[k].id) == 0) {
				v[k].running = got.running;
				v[k].pid = got.pid;
			}
		}
	}
	nd_http_reply_free(&rep);
	nd_http_conn_close(&e->prefetch);
}

/* The list reply has no PIDs, so records need an inspect each. One after the other that was a
 * connection and a round trip each (0.4 ms a container with 100 of them, `make bench`'s
 * scale case); sent in flights, the engine answers them side by side. Any reply that is not a
 * plain success goes through inspect(), which handles errors and version negotiation. */
static int engine_pids(struct nd_resolver *r, void *state, struct nd_container *v, size_t n,
		       struct nd_err *err)
{
	struct engine *e = state;
	struct nd_http_conn conn[INFLIGHT];
	size_t who[INFLIGHT];
	size_t i = 0;

	prefetched(e, v, n);
	while (i < n) {
		size_t k = 0;

		for (; i < n && k < INFLIGHT; i++) {
			struct nd_err ignored;
			char path[160];

			if (!wants_pid(e, &v[i]))
				continue;
			nd_http_conn_init(&conn[k]);
			if (e->minor == 0 ||
			    nd_state_path(path, sizeof(path), "/v1.%d/containers/%s/json", e->minor,
					  v[i].id) < 0 ||
			    nd_http_send(&conn[k], e->sock, path, r->timeout_ms, &ignored) < 0) {
				nd_http_conn_close(&conn[k]);
				if (inspect(r, e, &v[i], err) < 0) {
					while (k > 0)
						nd_http_conn_close(&conn[--k]);
					return -1;
				}
				continue;
			}
			who[k++] = i;
		}
		for (size_t j = 0; j < k; j++) {
			if (!recv_reply(&conn[j], &v[who[j]]) &&
			    inspect(r, e, &v[who[j]], err) < 0) {
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
static void docker_hint(struct nd_resolver *r, void *state, const char *query)
{
	struct engine *e = state;
	struct nd_err ignored;
	char path[384];

	/* Docker names and IDs: [a-zA-Z0-9][a-zA-Z0-9_.-]*; anything else needs no asking. */
	for (const char *p = query; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return;
	if (nd_state_path(path, sizeof(path), "/v1.%d/containers/%s/json",
			  e->minor ? e->minor : API_MINOR, query) < 0)
		return;
	(void)nd_http_send(&e->prefetch, e->sock, path, r->timeout_ms, &ignored);
}

const struct nd_backend nd_backend_docker = {
	.runtime = ND_RT_DOCKER,
	.init = docker_init,
	.fini = engine_fini,
	.scan = engine_scan,
	.pids = engine_pids,
	.hint = docker_hint,
};

const struct nd_backend nd_backend_podman = {
	.runtime = ND_RT_PODMAN,
	.init = podman_init,
	.fini = engine_fini,
	.scan = engine_scan,
	.pids = engine_pids,
	.hint = NULL,
};
