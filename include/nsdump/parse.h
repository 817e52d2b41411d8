/* Pure parsers of the runtimes' JSON (Engine API replies, runc state, OCI config, Podman's
 * containers.json). Each takes (buf, len), need not be NUL-terminated, reads nothing else,
 * and is fuzzed (tests/fuzz). A record with a malformed or hostile field is skipped in a
 * list and refused in a single-object document. */
#ifndef NSDUMP_PARSE_H
#define NSDUMP_PARSE_H

#include <stddef.h>

#include "nsdump/container.h"
#include "nsdump/err.h"

/* GET /containers/json?all=1 (Docker or Podman's compatible API): appends one record per
 * container, runtime rt, with its name, full ID, labels and whether it runs (no PID: that
 * takes an inspect). */
int nd_parse_docker_list(const char *buf, size_t len, enum nd_runtime rt,
			 struct nd_container_list *out, struct nd_err *err);

/* GET /containers/ID/json: fills c's ID, name, running and PID, and labels. */
int nd_parse_docker_inspect(const char *buf, size_t len, struct nd_container *c,
			    struct nd_err *err);

/* An engine error body {"message": "..."}: copies the message (all but printable ASCII replaced)
 * to msg; "" when the body is not of that form. */
void nd_parse_docker_error(const char *buf, size_t len, char *msg, size_t size);

/* Docker's /var/lib/docker/containers/ID/config.v2.json: ID, Name, State.Running, State.Pid,
 * Config.Labels. */
int nd_parse_docker_config(const char *buf, size_t len, struct nd_container *c, struct nd_err *err);

/* What a runc state.json says beyond the container record. */
struct nd_runc_extra {
	char manager[32]; /* label io.container.manager ("libpod" for Podman), "" if none */
	int crio;         /* a CRI-O label was seen */
};

/* runc's state.json: id, init_process_pid, init_process_start, and config.labels (the OCI
 * annotations as "key=value", plus "bundle=..."), which fill the pod identity and name. */
int nd_parse_runc_state(const char *buf, size_t len, struct nd_container *c,
			struct nd_runc_extra *extra, struct nd_err *err);

/* An OCI runtime config.json: its annotations fill the pod identity and name. */
int nd_parse_oci_config(const char *buf, size_t len, struct nd_container *c, struct nd_err *err);

/* Podman's (containers/storage) containers.json: appends one record per container with its
 * ID and first name, not running (the runtime state says whether it runs). */
int nd_parse_podman_containers(const char *buf, size_t len, struct nd_container_list *out,
			       struct nd_err *err);

/* "API version 1.NN" as a number NN; -1 unless s is "1.NN". */
int nd_parse_api_minor(const char *s);

#endif
