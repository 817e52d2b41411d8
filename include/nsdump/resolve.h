/* Finding containers and pods in the runtimes of this host (or of the host mounted at --root).
 * Transport only: the JSON is read by the parsers of parse.h. Every file and socket is opened
 * with the caller's current rights: call between nd_privs_invoker_begin/end, so that nsdump
 * is no way around the permissions of docker.sock or of the runtimes' state. */
#ifndef NSDUMP_RESOLVE_H
#define NSDUMP_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/un.h>

#include "nsdump/cli.h"
#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/http.h"
#include "nsdump/privs.h"

/* An Engine API request over a local socket takes about 0.5 ms; a daemon that does not answer
 * within this is treated as absent. */
#define ND_RESOLVE_TIMEOUT_MS 3000
/* The newest Engine API version nsdump speaks; older engines are asked in their own. */
#define ND_DOCKER_API_MINOR 41
/* State files larger than this are refused. */
#define ND_STATE_MAX ((size_t)8 * 1024 * 1024)

struct nd_resolver {
	char root[PATH_MAX]; /* --root without trailing '/', "" for the host itself */
	char docker_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char podman_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned runtimes; /* enum nd_runtime mask to search */
	int timeout_ms;
	/* filled while searching */
	int docker_minor; /* negotiated API version 1.N, 0 before */
	int podman_minor;
	unsigned denied;              /* runtimes whose socket or state we may not read */
	struct nd_http_conn prefetch; /* Docker's inspect of the name asked for, in flight
				       * while the list is read (see resolve_docker.c) */
	char notes[512];              /* what could not be searched, for messages */
};

/* Sets r up from opts (--runtime, --root) and, unless nsdump runs with privileges the invoker
 * lacks (setuid, file capabilities), DOCKER_HOST=unix://PATH. --root is refused (ND_EXIT_PERM)
 * unless the invoker is root; another DOCKER_HOST scheme is a usage error. */
int nd_resolver_init(struct nd_resolver *r, const struct nd_opts *opts,
		     const struct nd_privs *privs, struct nd_err *err);

/* Appends every container of the runtimes searched, running or not; a record whose state
 * names a process that is gone or reused is marked stale and not running. Engine API records
 * have no PID yet (see nd_resolve_inspect). An unreachable runtime is not an error. */
int nd_resolve_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

/* Fills c->pid (and c->running) of an Engine API record from its engine. */
int nd_resolve_inspect(struct nd_resolver *r, struct nd_container *c, struct nd_err *err);

/* nd_resolve_inspect for every running Engine API record of v[0..n), with up to
 * ND_RESOLVE_INFLIGHT requests in flight at once (for --list). */
#define ND_RESOLVE_INFLIGHT 32
int nd_resolve_inspect_all(struct nd_resolver *r, struct nd_container *v, size_t n,
			   struct nd_err *err);

/* The one running container that query names (name or unique ID prefix). Errors, all
 * ND_EXIT_NOTFOUND: none (naming the runtimes searched), several (listing them), or not
 * running; ND_EXIT_PERM when nothing was found and a runtime could not be read. */
int nd_resolve_container(struct nd_resolver *r, const char *query, struct nd_container *out,
			 struct nd_err *err);

/* The network-namespace holder of Kubernetes pod ns/name: its sandbox (or a container of it). */
int nd_resolve_pod(struct nd_resolver *r, const char *ns, const char *name,
		   struct nd_container *out, struct nd_err *err);

/* Every running container, with PIDs and network namespace inodes, for --list. */
int nd_resolve_list(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

/* Internal to the resolve_*.c files. */
int nd_resolve_read_file(const char *path, size_t max, char **buf, size_t *len, struct nd_err *err);
void nd_resolve_check_alive(struct nd_resolver *r, struct nd_container *c);
/* snprintf into a path buffer; -1 when it does not fit. */
int nd_resolve_path(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void nd_resolve_note(struct nd_resolver *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int nd_resolve_docker_api(struct nd_resolver *r, enum nd_runtime rt, struct nd_container_list *out,
			  struct nd_err *err);
void nd_resolve_docker_prefetch(struct nd_resolver *r, const char *query);
bool nd_resolve_docker_prefetched(struct nd_resolver *r, struct nd_container *c);
int nd_resolve_docker_disk(struct nd_resolver *r, struct nd_container_list *out,
			   struct nd_err *err);
int nd_resolve_podman_disk(struct nd_resolver *r, struct nd_container_list *out,
			   struct nd_err *err);
int nd_resolve_containerd(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);
int nd_resolve_crio(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

#endif
