/* Searching the runtimes and choosing one container; see include/nsdump/resolve.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsdump/proc.h"
#include "nsdump/resolve.h"

#define MAX_CANDIDATES 8

void nd_resolve_note(struct nd_resolver *r, const char *fmt, ...)
{
	size_t used = strlen(r->notes);
	va_list ap;

	if (used + 3 >= sizeof(r->notes))
		return;
	if (used > 0) {
		memcpy(r->notes + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(r->notes + used, sizeof(r->notes) - used, fmt, ap);
	va_end(ap);
}

int nd_resolve_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int set_sock(char *out, size_t size, const char *root, const char *path, struct nd_err *err)
{
	if ((size_t)snprintf(out, size, "%s%s", root, path) >= size)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "socket path %s%s too long", root, path);
	return 0;
}

int nd_resolver_init(struct nd_resolver *r, const struct nd_opts *opts,
		     const struct nd_privs *privs, struct nd_err *err)
{
	const char *dh = NULL;

	memset(r, 0, sizeof(*r));
	nd_http_conn_init(&r->prefetch);
	r->runtimes = opts->runtimes ? opts->runtimes : ND_RT_ALL;
	r->timeout_ms = ND_RESOLVE_TIMEOUT_MS;
	if (opts->root != NULL) {
		size_t n = strlen(opts->root);

		/* Under setuid, --root would let a user feed nsdump forged state naming any
		 * process; only root may point it elsewhere. */
		if (privs->ruid != 0)
			return nd_err_set(err, ND_EXIT_PERM, 0, "--root is only for root");
		if (opts->root[0] != '/')
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "--root %s: expected an absolute path", opts->root);
		while (n > 1 && opts->root[n - 1] == '/')
			n--;
		if (n >= sizeof(r->root))
			return nd_err_set(err, ND_EXIT_USAGE, 0, "--root: path too long");
		if (!(n == 1 && opts->root[0] == '/')) {
			memcpy(r->root, opts->root, n);
			r->root[n] = '\0';
		}
	}
	if (set_sock(r->docker_sock, sizeof(r->docker_sock), r->root, "/var/run/docker.sock", err) <
		    0 ||
	    set_sock(r->podman_sock, sizeof(r->podman_sock), r->root, "/run/podman/podman.sock",
		     err) < 0)
		return -1;
	/* DOCKER_HOST names a socket of the invoker's choosing: taken only when nsdump has no
	 * rights the invoker lacks. The socket is opened with the invoker's rights anyway. */
	if ((privs->mode == ND_PRIVS_ROOT || privs->mode == ND_PRIVS_NONE) &&
	    (r->runtimes & ND_RT_DOCKER))
		dh = nd_privs_getenv(privs, "DOCKER_HOST");
	if (dh != NULL && dh[0] != '\0') {
		if (strncmp(dh, "unix://", 7) != 0 || dh[7] != '/')
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "DOCKER_HOST=%.200s: only unix:///PATH is supported", dh);
		if (set_sock(r->docker_sock, sizeof(r->docker_sock), "", dh + 7, err) < 0)
			return -1;
	}
	return 0;
}

int nd_resolve_read_file(const char *path, size_t max, char **buf, size_t *len, struct nd_err *err)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO planted in a state directory must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		return nd_err_set(err,
				  e == ENOENT || e == ENOTDIR ? ND_EXIT_NOTFOUND
				  : e == EACCES || e == EPERM ? ND_EXIT_PERM
							      : ND_EXIT_FAIL,
				  e, "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "%s: not a regular file of at most %zu bytes", path, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "reading %s", path);
	}
	/* The file may change while read (runc rewrites state.json by rename, so rarely): read
	 * what is there, up to the size seen. */
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, b + n, (size_t)st.st_size - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			free(b);
			(void)close(fd);
			return nd_err_set(err, ND_EXIT_FAIL, e, "cannot read %s", path);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	(void)close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

void nd_resolve_check_alive(struct nd_resolver *r, struct nd_container *c)
{
	struct nd_proc_stat st;
	struct nd_err ignored;

	if (c->pid <= 0) {
		c->running = false;
		c->pid = 0;
		return;
	}
	if (nd_proc_read_stat(c->pid, &st, &ignored) < 0) {
		c->running = false;
		c->stale = true;
		/* Under --root the state is the mounted host's; a PID absent here may be alive
		 * in a PID namespace we do not see. */
		c->pid_hidden = r->root[0] != '\0';
		return;
	}
	if (st.state == 'Z' || st.state == 'X' || (c->start != 0 && st.starttime != c->start)) {
		c->running = false;
		c->stale = true;
		return;
	}
	c->running = true;
}

int nd_resolve_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	if ((r->runtimes & ND_RT_DOCKER) && nd_resolve_docker_api(r, ND_RT_DOCKER, out, err) < 0)
		return -1;
	if ((r->runtimes & ND_RT_PODMAN) && nd_resolve_docker_api(r, ND_RT_PODMAN, out, err) < 0)
		return -1;
	if ((r->runtimes & ND_RT_CONTAINERD) && nd_resolve_containerd(r, out, err) < 0)
		return -1;
	if ((r->runtimes & ND_RT_CRIO) && nd_resolve_crio(r, out, err) < 0)
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

/* The chosen record, with its PID, if it runs. */
static int take(struct nd_resolver *r, struct nd_container *c, struct nd_container *out,
		struct nd_err *err)
{
	char d[400];

	if (c->api && c->running && !nd_resolve_docker_prefetched(r, c) &&
	    nd_resolve_inspect(r, c, err) < 0)
		return -1;
	if (!c->running) {
		snprintf(d, sizeof(d), "%s (%s%s%s %.12s)", c->name, nd_runtime_name(c->runtime),
			 c->ns[0] ? " " : "", c->ns, c->id);
		if (c->pid_hidden)
			return nd_err_set(
				err, ND_EXIT_NOTFOUND, 0,
				"container %s: its process is not visible in this /proc: "
				"with --root, nsdump must run in the host's PID namespace "
				"(kubectl debug node/... shares it)",
				d);
		if (c->stale)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
					  "container %s is not running: its state is stale (the "
					  "process it names is gone or was replaced)",
					  d);
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "container %s is not running", d);
	}
	*out = *c;
	return 0;
}

int nd_resolve_container(struct nd_resolver *r, const char *query, struct nd_container *out,
			 struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	size_t idx[MAX_CANDIDATES + 1];
	size_t n;
	char what[320];
	int rc;

	nd_resolve_docker_prefetch(r, query);
	if (nd_resolve_scan(r, &l, err) < 0) {
		nd_http_conn_close(&r->prefetch);
		nd_container_list_free(&l);
		return -1;
	}
	n = nd_container_match(&l, query, idx, MAX_CANDIDATES + 1);
	snprintf(what, sizeof(what), "container '%.256s'", query);
	if (n == 0 || l.v == NULL)
		rc = not_found(r, what, err);
	else if (n > 1)
		rc = ambiguous(&l, idx, n, what, true, err);
	else
		rc = take(r, &l.v[idx[0]], out, err);
	nd_http_conn_close(&r->prefetch);
	nd_container_list_free(&l);
	return rc;
}

int nd_resolve_pod(struct nd_resolver *r, const char *ns, const char *name,
		   struct nd_container *out, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	size_t idx[MAX_CANDIDATES + 1];
	size_t n;
	char what[320];
	int rc;

	if (nd_resolve_scan(r, &l, err) < 0) {
		nd_container_list_free(&l);
		return -1;
	}
	/* Engine API records carry the pod labels already; their PIDs need an inspect. */
	n = nd_container_match_pod(&l, ns, name, idx, MAX_CANDIDATES + 1);
	snprintf(what, sizeof(what), "running pod %.120s/%.180s", ns, name);
	if (n == 0 || l.v == NULL)
		rc = not_found(r, what, err);
	else if (n > 1 && l.v[idx[0]].sandbox)
		rc = ambiguous(&l, idx, n, what, false, err);
	else /* the pod's containers without a sandbox share one network namespace */
		rc = take(r, &l.v[idx[0]], out, err);
	nd_container_list_free(&l);
	return rc;
}

int nd_resolve_list(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err)
{
	size_t hidden = 0;

	if (nd_resolve_scan(r, out, err) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++)
		hidden += out->v[i].pid_hidden;
	if (hidden > 0)
		nd_resolve_note(r,
				"%zu container%s under %s name%s a PID not visible in this /proc: "
				"with --root, nsdump must run in the host's PID namespace",
				hidden, hidden == 1 ? "" : "s", r->root, hidden == 1 ? "s" : "");
	if (nd_resolve_inspect_all(r, out->v, out->n, err) < 0)
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
