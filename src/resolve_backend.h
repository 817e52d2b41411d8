/* Inside the resolver: what resolve.c (the dispatcher) knows of a runtime, and the helpers
 * every runtime's code shares (statefile.c). Private to src/resolve*.c and statefile.c.
 *
 * Dependencies point one way: resolve.c -> the backends (through the table below) ->
 * statefile.c, proc.c, http.c, parse_*.c. The dispatcher knows no runtime's details; a
 * backend never calls back into the dispatcher. */
#ifndef NSDUMP_RESOLVE_BACKEND_H
#define NSDUMP_RESOLVE_BACKEND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"

/* State files larger than this are refused. */
#define ND_STATE_MAX ((size_t)8 * 1024 * 1024)

/* One runtime. Every function reads with the caller's current rights (resolve.h). */
struct nd_backend {
	enum nd_runtime runtime;
	/* Sets up what the backend keeps between calls (*state, freed by fini); may leave it
	 * NULL. An error here is a usage error (a bad DOCKER_HOST), not an absent runtime. */
	int (*init)(struct nd_resolver *r, const struct nd_privs *privs, void **state,
		    struct nd_err *err);
	void (*fini)(void *state);
	/* Appends every container of the runtime, running or not; marks records whose
	 * process is gone or reused stale and not running. A record may be running with no
	 * PID yet (pid 0): pids() fills it. An unreachable runtime is not an error (a note). */
	int (*scan)(struct nd_resolver *r, void *state, struct nd_container_list *out,
		    struct nd_err *err);
	/* Fills the PID of every running record of this runtime in v[0..n) that has none;
	 * one that is found gone since the scan is marked not running. NULL when the scan
	 * always gives PIDs. */
	int (*pids)(struct nd_resolver *r, void *state, struct nd_container *v, size_t n,
		    struct nd_err *err);
	/* The name a single lookup asks for, told before the scan, so that a backend may
	 * start looking it up meanwhile. NULL when it has no use for it. */
	void (*hint)(struct nd_resolver *r, void *state, const char *query);
};

extern const struct nd_backend nd_backend_docker;
extern const struct nd_backend nd_backend_podman;
extern const struct nd_backend nd_backend_containerd;
extern const struct nd_backend nd_backend_crio;

/* Docker's and Podman's state on disk (resolve_disk.c), which their backends read when no
 * engine answers: scan() as above, with PIDs. */
int nd_disk_docker_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);
int nd_disk_podman_scan(struct nd_resolver *r, struct nd_container_list *out, struct nd_err *err);

/* --follow: a Docker or Podman container its engine does not call running yet, whose runc
 * state is there and whose process lives: runc has created it (namespaces made, network
 * set up by the runtime's hooks) and it waits to be started. Then c gets that PID and start
 * time and runs; otherwise c is left as it was. */
void nd_disk_runc_created(struct nd_resolver *r, struct nd_container *c);

/* --follow: c, a record found before, as runc's state says it is now: 1 when a process of
 * it lives (c gets its PID and start time), 0 otherwise (c unchanged). Reads one file: no
 * engine is asked, which matters while the engine is busy starting that very container. */
int nd_disk_runc_refresh(struct nd_resolver *r, struct nd_container *c);

struct nd_resolver {
	char root[PATH_MAX]; /* --root without trailing '/', "" for the host itself */
	unsigned runtimes;   /* enum nd_runtime mask to search */
	int timeout_ms;
	unsigned denied; /* runtimes whose socket or state we may not read */
	char notes[512]; /* what could not be searched, for messages */
	void *state[4];  /* each backend's, in the dispatcher's table order */
	/* While nd_resolve_container scans: its query. A backend may then leave out records
	 * that cannot match it (nd_state_wanted), so that only candidates are parsed; the
	 * match itself is still nd_container_match's over what is left. NULL otherwise. */
	const char *query;
};

/* ---- statefile.c: the shared helpers ---- */

/* Reads a whole regular file of at most max bytes (O_NONBLOCK: a FIFO planted in a state
 * directory cannot hang us), NUL-terminated; the caller frees *buf. ND_EXIT_NOTFOUND when
 * it does not exist, ND_EXIT_PERM when it may not be read. */
int nd_state_read(const char *path, size_t max, char **buf, size_t *len, struct nd_err *err);

/* A PID file ("1234\n"): the PID, or 0 when absent or malformed. */
pid_t nd_state_read_pid(const char *path);

/* snprintf into a path buffer; -1 when it does not fit. */
int nd_state_path(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends a note ("docker: cannot read ...") to r->notes, for the messages that follow. */
void nd_state_note(struct nd_resolver *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* False only when the container of ID id (its directory's name), whose state file holds
 * buf[0..len) (NULL: not read), cannot be what r->query names: its ID neither is the query
 * nor starts with it, and no string of the file can hold the query as any part of a name
 * (nd_jscan_may_contain: escapes included). True without a query. */
bool nd_state_wanted(const struct nd_resolver *r, const char *id, const char *buf, size_t len);

/* The same for a file: false only when path cannot hold the query (it is absent or cannot
 * be read: no name then comes from it either). */
bool nd_state_file_wanted(const struct nd_resolver *r, const char *path);

/* Sets c->running from its state's PID and start time against /proc (proc.c): gone, a
 * zombie or another process now is stale; under --root a PID absent here may live in a PID
 * namespace we do not see (c->pid_hidden). */
void nd_state_check_alive(const struct nd_resolver *r, struct nd_container *c);

#endif
