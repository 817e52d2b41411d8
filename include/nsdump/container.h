/* Containers as the runtimes describe them, whatever the runtime: one record each, matched by
 * name, ID or pod. Pure: nothing here reads the system (see resolve.h for that). */
#ifndef NSDUMP_CONTAINER_H
#define NSDUMP_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "nsdump/err.h"

enum nd_runtime {
	ND_RT_DOCKER = 1 << 0,
	ND_RT_PODMAN = 1 << 1,
	ND_RT_CONTAINERD = 1 << 2,
	ND_RT_CRIO = 1 << 3,
};
#define ND_RT_ALL (ND_RT_DOCKER | ND_RT_PODMAN | ND_RT_CONTAINERD | ND_RT_CRIO)

/* Sizes: Kubernetes names are at most 253 bytes, IDs 64 hex digits. */
#define ND_CT_NAME_MAX 256
#define ND_CT_NS_MAX   128
#define ND_CT_ID_MAX   72

struct nd_container {
	enum nd_runtime runtime;
	char ns[ND_CT_NS_MAX];         /* containerd namespace; "" for the others */
	char name[ND_CT_NAME_MAX];     /* without Docker's leading '/'; the ID if it has none */
	char id[ND_CT_ID_MAX];         /* full ID */
	bool running;                  /* as far as the runtime's state says, checked */
	bool stale;                    /* state says running, but its process is gone or reused */
	bool pid_hidden;               /* state names a PID absent from this /proc (see --root) */
	pid_t pid;                     /* init process, 0 if unknown or not running */
	unsigned long long start;      /* its start time (clock ticks, /proc/PID/stat field 22);
					* 0 if the state does not record it */
	char pod_ns[ND_CT_NS_MAX];     /* Kubernetes pod namespace, "" if none */
	char pod_name[ND_CT_NAME_MAX]; /* Kubernetes pod name, "" if none */
	bool sandbox;                  /* the pod's sandbox (pause) container */
	unsigned long long netns_ino;  /* filled for --list; 0 if unknown */
	char host_peer[64];            /* --list: host ends of its veth pairs, "" if none */
};

struct nd_container_list {
	struct nd_container *v;
	size_t n;
	size_t cap;
};

const char *nd_runtime_name(enum nd_runtime rt);
/* Parses "docker", "podman", "containerd" or "crio"; 0 for anything else. */
enum nd_runtime nd_runtime_parse(const char *s);
/* Names of the runtimes in mask, comma-separated, into buf. */
void nd_runtime_mask_names(unsigned mask, char *buf, size_t size);

/* Appends a zeroed record and returns it, or NULL on ENOMEM. The list owns it. */
struct nd_container *nd_container_add(struct nd_container_list *l);
void nd_container_list_free(struct nd_container_list *l);

/* Copies a string from a runtime's state into a fixed field. Refuses (returns -1) a value that
 * does not fit or holds anything but printable ASCII: such a name could neither be matched
 * reliably nor printed safely. */
int nd_container_set(char *field, size_t size, const char *val, size_t len);

/* Takes in one OCI annotation or label (key, value) and fills the pod identity or the name
 * from it when it is one the runtimes use (io.kubernetes.cri.*, io.kubernetes.pod.*,
 * io.kubernetes.container.name, io.kubernetes.docker.type, nerdctl/name, ...). */
void nd_container_annotation(struct nd_container *c, const char *key, const char *val);

/* Whether s can be a container ID or a containerd namespace, as containerd's identifiers
 * allow them (Docker's, Podman's and CRI-O's 64 hex digits are such): letters and digits in
 * runs joined by single '.', '_' or '-' (so never "..", never a '/'), shorter than
 * ND_CT_ID_MAX. The resolver checks every ID it reads from a directory or a state file with
 * it before the ID names a path. */
bool nd_container_id_ok(const char *s);

/* True when s is a plausible ID prefix: at least 4 and at most 64 lowercase hex digits. */
bool nd_container_is_id_prefix(const char *s);

/* Indices of the containers query names: exact ID or exact name first; when there is none,
 * containers whose ID starts with query (if it is a plausible prefix). Returns how many
 * matched (possibly more than max; only the first max indices are written). */
size_t nd_container_match(const struct nd_container_list *l, const char *query, size_t *idx,
			  size_t max);

/* The same for a Kubernetes pod: containers of pod ns/name that run, sandboxes only if the
 * pod has a running sandbox (its containers share the sandbox's network namespace). */
size_t nd_container_match_pod(const struct nd_container_list *l, const char *ns, const char *name,
			      size_t *idx, size_t max);

/* One line describing c for candidate lists: "docker web1 3f2a1b4c5d6e", with the
 * namespace when there is one, and in parentheses its pod and whether it does not run:
 * "containerd k8s.io app d17f456ee94d (pod shop/web)". A record whose name is only its
 * generated ID shows "sandbox" (a pod's sandbox) or no name. */
void nd_container_describe(const struct nd_container *c, char *buf, size_t size);

/* c as nsdump -v names what it found, with its full ID once: "docker web1 (ID <id>)",
 * "containerd k8s.io app of pod shop/web (ID <id>)", "containerd k8s.io sandbox of pod
 * shop/web (ID <id>)", "containerd default container c1" (named by its ID only). */
void nd_container_found(const struct nd_container *c, char *buf, size_t size);

/* Prints the running containers of l as a table (header first) or as one JSON array. In the
 * table a name that is only the generated ID shows as "(sandbox)" or "-", IDs shortened to 12;
 * JSON keeps full values and adds pod_namespace and pod_name. */
int nd_container_print_list(FILE *out, const struct nd_container_list *l, bool json,
			    struct nd_err *err);

#endif
