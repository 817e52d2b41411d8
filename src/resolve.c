/* The dispatcher: asks every runtime's backend (src/resolve_backend.h) and chooses one
 * container; see include/nsdump/resolve.h. It knows no runtime's details. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resolve_backend.h"

#define MAX_CANDIDATES 8

/* In search order: a name taken in two runtimes is listed in this order when ambiguous. */
static const struct nd_backend *const backends[] = {
	&nd_backend_docker,
	&nd_backend_podman,
	&nd_backend_containerd,
	&nd_backend_crio,
};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

_Static_assert(NBACKENDS == sizeof(((struct nd_resolver *)0)->state) / sizeof(void *),
	       "one state slot per backend");

static bool searched(const struct nd_resolver *r, size_t b)
{
	return (r->runtimes & (unsigned)backends[b]->runtime) != 0;
}

static int set_root(struct nd_resolver *r, const char *root, const struct nd_privs *privs,
		    struct nd_err *err)
{
	size_t n = strlen(root);

	/* Under setuid, --root would let a user feed nsdump forged state naming any process;
	 * only root may point it elsewhere. */
	if (privs->ruid != 0)
		return nd_err_set(err, ND_EXIT_PERM, 0, "--root is only for root");
	if (root[0] != '/')
		return nd_err_set(err, ND_EXIT_USAGE, 0, "--root %s: expected an absolute path",
				  root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n >= sizeof(r->root))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "--root: path too long");
	if (!(n == 1 && root[0] == '/')) {
		memcpy(r->root, root, n);
		r->root[n] = '\0';
	}
	return 0;
}

int nd_resolver_new(struct nd_resolver **out, const struct nd_resolver_cfg *cfg,
		    const struct nd_privs *privs, struct nd_err *err)
{
	struct nd_resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot set up the resolver");
	r->runtimes = cfg->runtimes ? cfg->runtimes : ND_RT_ALL;
	r->timeout_ms = ND_RESOLVE_TIMEOUT_MS;
	if (cfg->root != NULL && set_root(r, cfg->root, privs, err) < 0) {
		nd_resolver_free(r);
		return -1;
	}
	for (size_t b = 0; b < NBACKENDS; b++) {
		if (!searched(r, b) || backends[b]->init == NULL)
			continue;
		if (backends[b]->init(r, privs, &r->state[b], err) < 0) {
			nd_resolver_free(r);
			return -1;
		}
	}
	*out = r;
	return 0;
}

void nd_resolver_free(struct nd_resolver *r)
{
	if (r == NULL)
		return;
	for (size_t b = 0; b < NBACKENDS; b++)
		if (r->state[b] != NULL && backends[b]->fini != NULL)
			backends[b]->fini(r->state[b]);
	free(r);
}

const char *nd_resolver_notes(const struct nd_resolver *r)
{
	return r->notes;
}

int nd_resolve_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	for (size_t b = 0; b < NBACKENDS; b++)
		if (searched(r, b) && backends[b]->scan(r, r->state[b], out, err) < 0)
			return -1;
	return 0;
}

/* The PIDs of the records in v[0..n) that run without one yet, from their backends. */
static int fill_pids(struct nd_resolver *r, struct nd_container *v, size_t n, struct nd_err *err)
{
	for (size_t b = 0; b < NBACKENDS; b++)
		if (searched(r, b) && backends[b]->pids != NULL &&
		    backends[b]->pids(r, r->state[b], v, n, err) < 0)
			return -1;
	return 0;
}

static int not_found(struct nd_resolver *r, const char *what, struct nd_err *err)
{
	char names[64];

	nd_runtime_mask_names(r->runtimes, names, sizeof(names));
	nd_err_set(err, r->denied ? ND_EXIT_PERM : ND_EXIT_NOTFOUND, 0, "no %s (searched %s)", what,
		   names);
	if (r->notes[0] != '\0')
		nd_err_hint(err, "%s", r->notes);
	return -1;
}

/* pod_hint: the query was a container's; when candidates belong to pods, --pod is what the
 * user wants (a pod's containers share one network namespace), or an ID prefix. */
static int ambiguous(const struct nd_container_list *l, const size_t *idx, size_t n,
		     const char *what, bool pod_hint, struct nd_err *err)
{
	char list[1024] = "";
	size_t used = 0;
	bool pods = false;

	for (size_t i = 0; i < n && i < MAX_CANDIDATES; i++) {
		char d[768];
		int w;

		nd_container_describe(&l->v[idx[i]], d, sizeof(d));
		pods |= l->v[idx[i]].pod_name[0] != '\0';
		w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? "; " : "", d);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	nd_err_set(err, ND_EXIT_NOTFOUND, 0, "%s is ambiguous, %zu candidates: %s%s", what, n, list,
		   n > MAX_CANDIDATES ? "; ..." : "");
	if (pod_hint && pods)
		nd_err_hint(err,
			    "a pod's containers share its network namespace: use --pod NAME -n "
			    "NS, or an ID prefix");
	return -1;
}

int nd_resolve_take(struct nd_resolver *r, const struct nd_container *c, struct nd_container *out,
		    struct nd_err *err)
{
	struct nd_container t = *c;
	char d[400];

	if (t.running && t.pid == 0 && fill_pids(r, &t, 1, err) < 0)
		return -1;
	if (!t.running) {
		snprintf(d, sizeof(d), "%s (%s%s%s %.12s)", t.name, nd_runtime_name(t.runtime),
			 t.ns[0] ? " " : "", t.ns, t.id);
		if (t.pid_hidden)
			return nd_err_set(
				err, ND_EXIT_NOTFOUND, 0,
				"container %s: its process is not visible in this /proc: "
				"with --root, nsdump must run in the host's PID namespace "
				"(kubectl debug node/... shares it)",
				d);
		if (t.stale)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
					  "container %s is not running: its state is stale (the "
					  "process it names is gone or was replaced)",
					  d);
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "container %s is not running", d);
	}
	*out = t;
	return 0;
}

/* Every backend is told the query first: one may start looking it up while the others scan. */
static void hint(struct nd_resolver *r, const char *query)
{
	for (size_t b = 0; b < NBACKENDS; b++)
		if (searched(r, b) && backends[b]->hint != NULL)
			backends[b]->hint(r, r->state[b], query);
}

/* The scan for a lookup of query (NULL: a pod's, every record): the backends are told first,
 * and only the records that may match are parsed (resolve_backend.h): with a thousand
 * containers on disk, parsing every state file cost half a second. On error l is freed. */
static int scan_for(struct nd_resolver *r, const char *query, struct nd_container_list *l,
		    struct nd_err *err)
{
	int rc;

	if (query != NULL)
		hint(r, query);
	r->query = query;
	rc = nd_resolve_scan(r, l, err);
	r->query = NULL;
	if (rc < 0)
		nd_container_list_free(l);
	return rc;
}

int nd_resolve_container(struct nd_resolver *r, const char *query, struct nd_container *out,
			 struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	size_t idx[MAX_CANDIDATES + 1];
	size_t n;
	char what[320];
	int rc;

	if (scan_for(r, query, &l, err) < 0)
		return -1;
	n = nd_container_match(&l, query, idx, MAX_CANDIDATES + 1);
	snprintf(what, sizeof(what), "container '%.256s'", query);
	if (n == 0 || l.v == NULL)
		rc = not_found(r, what, err);
	else if (n > 1)
		rc = ambiguous(&l, idx, n, what, true, err);
	else
		rc = nd_resolve_take(r, &l.v[idx[0]], out, err);
	nd_container_list_free(&l);
	return rc;
}

int nd_resolve_pod_in(struct nd_resolver *r, const struct nd_container_list *l, const char *ns,
		      const char *name, struct nd_container *out, struct nd_err *err)
{
	size_t idx[MAX_CANDIDATES + 1];
	size_t n;
	char what[320];

	n = nd_container_match_pod(l, ns, name, idx, MAX_CANDIDATES + 1);
	snprintf(what, sizeof(what), "running pod %.120s/%.180s", ns, name);
	if (n == 0 || l->v == NULL)
		return not_found(r, what, err);
	if (n > 1 && l->v[idx[0]].sandbox)
		return ambiguous(l, idx, n, what, false, err);
	/* the pod's containers without a sandbox share one network namespace */
	return nd_resolve_take(r, &l->v[idx[0]], out, err);
}

int nd_resolve_pod(struct nd_resolver *r, const char *ns, const char *name,
		   struct nd_container *out, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	int rc = nd_resolve_scan(r, &l, err);

	if (rc == 0)
		rc = nd_resolve_pod_in(r, &l, ns, name, out, err);
	nd_container_list_free(&l);
	return rc;
}

int nd_resolve_follow(struct nd_resolver *r, const char *query, const char *pod_ns,
		      const char *pod_name, struct nd_container *out, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	size_t idx[MAX_CANDIDATES + 1];
	struct nd_container c;
	char what[320];
	size_t n;
	int rc;

	if (scan_for(r, query, &l, err) < 0)
		return -1;
	if (query != NULL) {
		n = nd_container_match(&l, query, idx, MAX_CANDIDATES + 1);
		snprintf(what, sizeof(what), "container '%.256s'", query);
	} else {
		n = nd_container_match_pod(&l, pod_ns, pod_name, idx, MAX_CANDIDATES + 1);
		snprintf(what, sizeof(what), "running pod %.120s/%.180s", pod_ns, pod_name);
	}
	if (n == 0 || l.v == NULL) {
		nd_container_list_free(&l);
		return 0;
	}
	/* A pod's containers without a sandbox share one network namespace. */
	if (n > 1 && (query != NULL || l.v[idx[0]].sandbox)) {
		rc = ambiguous(&l, idx, n, what, query != NULL, err);
		nd_container_list_free(&l);
		return rc;
	}
	c = l.v[idx[0]];
	nd_container_list_free(&l);
	if (c.running && c.pid == 0 && fill_pids(r, &c, 1, err) < 0)
		return -1;
	if (!c.running)
		nd_disk_runc_created(r, &c);
	*out = c;
	return c.running && c.pid != 0 ? 1 : 0;
}

int nd_resolve_refresh(struct nd_resolver *r, const struct nd_container *known,
		       struct nd_container *out)
{
	struct nd_container c = *known;

	if (nd_disk_runc_refresh(r, &c) != 1)
		return 0;
	*out = c;
	return 1;
}

int nd_resolve_list(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	size_t hidden = 0;

	if (nd_resolve_scan(r, out, err) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++)
		hidden += out->v[i].pid_hidden;
	if (hidden > 0)
		nd_state_note(r,
			      "%zu container%s under %s name%s a PID not visible in this /proc: "
			      "with --root, nsdump must run in the host's PID namespace",
			      hidden, hidden == 1 ? "" : "s", r->root, hidden == 1 ? "s" : "");
	if (fill_pids(r, out->v, out->n, err) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++) {
		struct nd_container *c = &out->v[i];
		char path[64];
		struct stat st;

		if (!c->running)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
		if (stat(path, &st) == 0)
			c->netns_ino = (unsigned long long)st.st_ino;
	}
	return 0;
}
