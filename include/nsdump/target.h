/* A capture target: a process or a named namespace, resolved to an open network namespace. */
#ifndef NSDUMP_TARGET_H
#define NSDUMP_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"

enum nd_target_kind {
	ND_TARGET_NONE = 0,
	ND_TARGET_PID,       /* --pid PID */
	ND_TARGET_NETNS,     /* --netns NAME|PATH */
	ND_TARGET_CONTAINER, /* --container NAME|ID */
	ND_TARGET_POD,       /* --pod NAME [-n NS] */
};

/* One target to open. The strings are borrowed (argv, or extcap's interface name). */
struct nd_target_spec {
	enum nd_target_kind kind;
	pid_t pid;          /* ND_TARGET_PID */
	const char *name;   /* the netns, container or pod argument */
	const char *pod_ns; /* ND_TARGET_POD: the pod's Kubernetes namespace */
	/* A container or pod already found in the runtimes (extcap looked for it to match its
	 * interface name): opened as it is, not searched for again. NULL: search. */
	const struct nd_container *found;
};

struct nd_target {
	enum nd_target_kind kind;
	pid_t pid;                     /* 0 unless kind == ND_TARGET_PID */
	int pidfd;                     /* readable (POLLIN) once the process exits; -1 if none */
	unsigned long long starttime;  /* of pid, from /proc/PID/stat */
	int netns_fd;                  /* the target's network namespace (nsfs), O_CLOEXEC */
	unsigned long long netns_ino;  /* its inode, as `ls -iL /proc/PID/ns/net` shows */
	char label[160];               /* for messages: "PID 42 (nginx)", "netns blue",
					* "container web1 (docker 3f2a1b4c5d6e, PID 42)" */
	bool is_container;             /* resolved from --container or --pod */
	struct nd_container container; /* then: its runtime, namespace, name, ID, pod */
	double resolve_ms;             /* time spent finding it (searching the runtimes) */
	int host_fd;                   /* nsdump's own network namespace, opened first thing */
	bool is_host;                  /* the target's namespace is nsdump's own */
};

/* Sets every fd of t to -1, so that nd_target_close() is always safe. */
void nd_target_init(struct nd_target *t);

/* Resolves spec and opens its network namespace. For a PID, a pidfd is taken first
 * and the start time is compared before and after, so a PID reused meanwhile is refused.
 * A container or pod is found in the runtimes' APIs and state with the invoker's rights
 * (resolve.h, searching as rcfg says) unless spec->found gives it, then opened through its
 * init process as a PID is; a start time recorded by the runtime must match the process's.
 * Errors: ND_EXIT_NOTFOUND (no such process/namespace), ND_EXIT_PERM, ND_EXIT_FAIL. */
int nd_target_open(struct nd_target *t, const struct nd_target_spec *spec,
		   const struct nd_resolver_cfg *rcfg, struct nd_privs *privs, struct nd_err *err);

/* Checks that fd is a network namespace (nsfs, CLONE_NEWNET); stores its inode in *ino. */
int nd_target_check_netns_fd(int fd, const char *what, unsigned long long *ino, struct nd_err *err);

/* Opens an rtnetlink socket inside the target's namespace and comes back to nsdump's own
 * (needs CAP_SYS_ADMIN for the two setns calls; a socket stays in the namespace it was made
 * in). */
struct nd_nl;
int nd_target_netlink(struct nd_target *t, struct nd_privs *privs, struct nd_nl *nl,
		      struct nd_err *err);

/* Moves the calling thread back into nsdump's own network namespace (CAP_SYS_ADMIN). A
 * capture socket opened in the target's stays there. */
int nd_target_leave(struct nd_target *t, struct nd_privs *privs, struct nd_err *err);

/* Moves the calling thread into t's network namespace (needs CAP_SYS_ADMIN). */
int nd_target_enter(struct nd_target *t, struct nd_privs *privs, struct nd_err *err);

/* Returns 1 if the target process has exited, 0 if it runs or there is no process. */
int nd_target_exited(const struct nd_target *t);

void nd_target_close(struct nd_target *t);

#endif
