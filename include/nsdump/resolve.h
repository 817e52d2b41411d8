/* Finding containers and pods in the runtimes of this host (or of the host mounted at --root).
 * Transport only: the JSON is read by the parsers of parse.h. Every file and socket is opened
 * with the caller's current rights: call between nd_privs_invoker_begin/end, so that nsdump
 * is no way around the permissions of docker.sock or of the runtimes' state.
 *
 * Each runtime is a backend behind a table (src/resolve_backend.h): Docker and Podman through
 * their Engine API (their state on disk when no engine answers), containerd and CRI-O through
 * the state they leave on disk. */
#ifndef NSDUMP_RESOLVE_H
#define NSDUMP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/privs.h"

/* An Engine API request over a local socket takes about 0.5 ms; a daemon that does not answer
 * within this is treated as absent. */
#define ND_RESOLVE_TIMEOUT_MS 3000

/* What to search. */
struct nd_resolver_cfg {
	unsigned runtimes; /* enum nd_runtime mask (--runtime); 0 for every runtime */
	const char *root;  /* --root DIR: the host's filesystem is mounted there; NULL if not */
};

struct nd_resolver;

/* A resolver for cfg and, unless nsdump runs with privileges the invoker lacks (setuid, file
 * capabilities), DOCKER_HOST=unix://PATH. --root is refused (ND_EXIT_PERM) unless the invoker
 * is root; another DOCKER_HOST scheme is a usage error. Free with nd_resolver_free(). */
int nd_resolver_new(struct nd_resolver **out, const struct nd_resolver_cfg *cfg,
		    const struct nd_privs *privs, struct nd_err *err);
void nd_resolver_free(struct nd_resolver *r);

/* The one running container that query names (name or unique ID prefix). Errors, all
 * ND_EXIT_NOTFOUND: none (naming the runtimes searched), several (listing them), or not
 * running; ND_EXIT_PERM when nothing was found and a runtime could not be read. */
int nd_resolve_container(struct nd_resolver *r, const char *query, struct nd_container *out,
			 struct nd_err *err);

/* The network-namespace holder of Kubernetes pod ns/name: its sandbox (or a container of it). */
int nd_resolve_pod(struct nd_resolver *r, const char *ns, const char *name,
		   struct nd_container *out, struct nd_err *err);

/* nd_resolve_pod among l, the records of an nd_resolve_scan already made (extcap has one). */
int nd_resolve_pod_in(struct nd_resolver *r, const struct nd_container_list *l, const char *ns,
		      const char *name, struct nd_container *out, struct nd_err *err);

/* Every container of the runtimes searched, running or not; an Engine API record may have no
 * PID yet (nd_resolve_take fills it). Cheaper than nd_resolve_list. */
int nd_resolve_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

/* Takes c, a record of nd_resolve_scan, as the target: fills its PID if it has none yet, and
 * copies it to out if it runs (the errors of nd_resolve_container otherwise). */
int nd_resolve_take(struct nd_resolver *r, const struct nd_container *c, struct nd_container *out,
		    struct nd_err *err);

/* --follow: the container that query names (pod_ns/pod_name when query is NULL) as it is
 * now. 1 with *out when it runs, or has been created and waits to start (Docker and Podman:
 * runc's state is there before the engine calls it running, and the runtime's network is
 * already up); 0 when it does not run (*out: its record, PID 0) or does not exist (*out
 * untouched); -1 with err when the name matches several containers, or on an error. */
int nd_resolve_follow(struct nd_resolver *r, const char *query, const char *pod_ns,
		      const char *pod_name, struct nd_container *out, struct nd_err *err);

/* --follow: known, a record nd_resolve_follow gave, from runc's state alone: 1 with *out
 * (its new PID and start time) when a process of that container lives, else 0. */
int nd_resolve_refresh(struct nd_resolver *r, const struct nd_container *known,
		       struct nd_container *out);

/* Every container, with PIDs (Engine API inspects go out in flights) and the network
 * namespace inodes of the running ones, for --list. */
int nd_resolve_list(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

/* What could not be searched ("docker: permission denied ..."), "" if nothing: for a note. */
const char *nd_resolver_notes(const struct nd_resolver *r);

#endif
