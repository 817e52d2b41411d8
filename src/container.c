/* Container records, annotations, matching and the --list output; see container.h. */
#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/container.h"
#include "nsdump/text.h"

#define SHORT_ID 12

const char *nd_runtime_name(enum nd_runtime rt)
{
	switch (rt) {
	case ND_RT_DOCKER:
		return "docker";
	case ND_RT_PODMAN:
		return "podman";
	case ND_RT_CONTAINERD:
		return "containerd";
	case ND_RT_CRIO:
		return "crio";
	}
	return "?";
}

enum nd_runtime nd_runtime_parse(const char *s)
{
	static const enum nd_runtime all[] = { ND_RT_DOCKER, ND_RT_PODMAN, ND_RT_CONTAINERD,
					       ND_RT_CRIO };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, nd_runtime_name(all[i])) == 0)
			return all[i];
	if (strcmp(s, "cri-o") == 0)
		return ND_RT_CRIO;
	return (enum nd_runtime)0;
}

void nd_runtime_mask_names(unsigned mask, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned bit = 1; bit <= ND_RT_CRIO && used < size; bit <<= 1) {
		int n;

		if (!(mask & bit))
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			     nd_runtime_name((enum nd_runtime)bit));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

struct nd_container *nd_container_add(struct nd_container_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct nd_container *v;

		/* A host with a million containers is not one we serve: stop growth early. */
		if (cap > 65536) {
			errno = ENOMEM;
			return NULL;
		}
		v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

void nd_container_list_free(struct nd_container_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int nd_container_set(char *field, size_t size, const char *val, size_t len)
{
	if (len >= size)
		return -1;
	/* Printable ASCII only: names of every runtime are, and anything else (escape
	 * sequences, 8-bit CSI, bidi overrides) could disguise what a list shows. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)val[i] < 0x20 || (unsigned char)val[i] > 0x7e)
			return -1;
	memcpy(field, val, len);
	field[len] = '\0';
	return 0;
}

static void set_str(char *field, size_t size, const char *val)
{
	(void)nd_container_set(field, size, val, strlen(val));
}

void nd_container_annotation(struct nd_container *c, const char *key, const char *val)
{
	/* containerd's CRI plugin */
	if (strcmp(key, "io.kubernetes.cri.sandbox-name") == 0)
		set_str(c->pod_name, sizeof(c->pod_name), val);
	else if (strcmp(key, "io.kubernetes.cri.sandbox-namespace") == 0)
		set_str(c->pod_ns, sizeof(c->pod_ns), val);
	else if (strcmp(key, "io.kubernetes.cri.container-type") == 0)
		c->sandbox = strcmp(val, "sandbox") == 0;
	else if (strcmp(key, "io.kubernetes.cri.container-name") == 0 && val[0] != '\0')
		set_str(c->name, sizeof(c->name), val);
	/* CRI-O, and pods run through Docker (dockershim labels) */
	else if (strcmp(key, "io.kubernetes.pod.name") == 0)
		set_str(c->pod_name, sizeof(c->pod_name), val);
	else if (strcmp(key, "io.kubernetes.pod.namespace") == 0)
		set_str(c->pod_ns, sizeof(c->pod_ns), val);
	else if (strcmp(key, "io.kubernetes.cri-o.ContainerType") == 0)
		c->sandbox = strcmp(val, "sandbox") == 0;
	else if (strcmp(key, "io.kubernetes.docker.type") == 0)
		c->sandbox = strcmp(val, "podsandbox") == 0;
	else if (strcmp(key, "io.kubernetes.container.name") == 0 && val[0] != '\0' &&
		 c->runtime != ND_RT_DOCKER)
		set_str(c->name, sizeof(c->name), val);
	/* nerdctl */
	else if (strcmp(key, "nerdctl/name") == 0 && val[0] != '\0')
		set_str(c->name, sizeof(c->name), val);
}

bool nd_container_is_id_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n < 4 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

size_t nd_container_match(const struct nd_container_list *l, const char *query, size_t *idx,
			  size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].id, query) == 0 || strcmp(l->v[i].name, query) == 0) {
			if (n < max)
				idx[n] = i;
			n++;
		}
	}
	if (n > 0 || !nd_container_is_id_prefix(query))
		return n;
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(l->v[i].id, query, strlen(query)) == 0) {
			if (n < max)
				idx[n] = i;
			n++;
		}
	}
	return n;
}

size_t nd_container_match_pod(const struct nd_container_list *l, const char *ns, const char *name,
			      size_t *idx, size_t max)
{
	size_t n = 0;
	bool have_sandbox = false;

	for (size_t i = 0; i < l->n; i++) {
		const struct nd_container *c = &l->v[i];

		if (c->running && c->sandbox && strcmp(c->pod_ns, ns) == 0 &&
		    strcmp(c->pod_name, name) == 0)
			have_sandbox = true;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct nd_container *c = &l->v[i];

		if (strcmp(c->pod_ns, ns) != 0 || strcmp(c->pod_name, name) != 0)
			continue;
		if (have_sandbox ? !(c->running && c->sandbox) : !c->running)
			continue;
		if (n < max)
			idx[n] = i;
		n++;
	}
	return n;
}

/* True when c has no name of its own: the runtime gave none and the record carries its
 * generated 64-hex ID as name (a CRI sandbox: CRI names containers, not sandboxes). A name
 * chosen by someone (ctr run ... web1) is a name, even when it is also the ID. */
static bool name_is_generated_id(const struct nd_container *c)
{
	return strcmp(c->name, c->id) == 0 && strlen(c->id) == 64 &&
	       nd_container_is_id_prefix(c->id);
}

void nd_container_describe(const struct nd_container *c, char *buf, size_t size)
{
	const char *state = c->stale ? "stale" : c->running ? "" : "not running";
	const char *name = c->name;
	char pod[ND_CT_NS_MAX + ND_CT_NAME_MAX + 8] = "";
	size_t n;

	if (name_is_generated_id(c))
		name = c->sandbox ? "sandbox" : "";
	if (c->pod_name[0] != '\0')
		snprintf(pod, sizeof(pod), "pod %s/%s", c->pod_ns, c->pod_name);
	snprintf(buf, size, "%s%s%s%s%s %.12s", nd_runtime_name(c->runtime), c->ns[0] ? " " : "",
		 c->ns, name[0] ? " " : "", name, c->id);
	n = strlen(buf);
	if ((pod[0] != '\0' || state[0] != '\0') && n < size)
		snprintf(buf + n, size - n, " (%s%s%s)", pod, pod[0] && state[0] ? ", " : "",
			 state);
}

void nd_container_found(const struct nd_container *c, char *buf, size_t size)
{
	bool pod = c->pod_name[0] != '\0';
	char of_pod[ND_CT_NS_MAX + ND_CT_NAME_MAX + 10] = "";

	if (pod)
		snprintf(of_pod, sizeof(of_pod), " of pod %s/%s", c->pod_ns, c->pod_name);
	if (strcmp(c->name, c->id) != 0)
		snprintf(buf, size, "%s%s%s %s%s (ID %s)", nd_runtime_name(c->runtime),
			 c->ns[0] ? " " : "", c->ns, c->name, of_pod, c->id);
	else if (c->sandbox && pod)
		snprintf(buf, size, "%s%s%s sandbox%s (ID %s)", nd_runtime_name(c->runtime),
			 c->ns[0] ? " " : "", c->ns, of_pod, c->id);
	else
		snprintf(buf, size, "%s%s%s container %s%s", nd_runtime_name(c->runtime),
			 c->ns[0] ? " " : "", c->ns, c->id, of_pod);
}

static json_object *json_container(const struct nd_container *c)
{
	json_object *o = json_object_new_object();
	char pod[ND_CT_NS_MAX + ND_CT_NAME_MAX + 2];

	if (o == NULL)
		return NULL;
	if (c->pod_name[0] != '\0')
		snprintf(pod, sizeof(pod), "%s/%s", c->pod_ns, c->pod_name);
	if (json_object_object_add(o, "runtime",
				   json_object_new_string(nd_runtime_name(c->runtime))) ||
	    json_object_object_add(o, "namespace",
				   c->ns[0] ? json_object_new_string(c->ns) : NULL) ||
	    json_object_object_add(o, "name", json_object_new_string(c->name)) ||
	    json_object_object_add(o, "id", json_object_new_string(c->id)) ||
	    json_object_object_add(o, "pid", json_object_new_int(c->pid)) ||
	    json_object_object_add(o, "netns",
				   c->netns_ino ? json_object_new_int64((int64_t)c->netns_ino)
						: NULL) ||
	    json_object_object_add(o, "host_peer",
				   c->host_peer[0] ? json_object_new_string(c->host_peer) : NULL) ||
	    json_object_object_add(o, "pod", c->pod_name[0] ? json_object_new_string(pod) : NULL) ||
	    json_object_object_add(o, "sandbox", json_object_new_boolean(c->sandbox)) ||
	    json_object_object_add(o, "pod_namespace",
				   c->pod_name[0] ? json_object_new_string(c->pod_ns) : NULL) ||
	    json_object_object_add(o, "pod_name",
				   c->pod_name[0] ? json_object_new_string(c->pod_name) : NULL)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int nd_container_print_list(FILE *out, const struct nd_container_list *l, bool json,
			    struct nd_err *err)
{
	if (json) {
		json_object *a = json_object_new_array();
		const char *s;

		if (a == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot build the list");
		for (size_t i = 0; i < l->n; i++) {
			json_object *o;

			if (!l->v[i].running)
				continue;
			o = json_container(&l->v[i]);
			if (o == NULL || json_object_array_add(a, o) < 0) {
				json_object_put(o);
				json_object_put(a);
				return nd_err_set(err, ND_EXIT_FAIL, ENOMEM,
						  "cannot build the list");
			}
		}
		s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
		fprintf(out, "%s\n", s ? s : "[]");
		json_object_put(a);
	} else {
		fprintf(out, "%-10s %-10s %-24s %-12s %8s %-11s %-15s %s\n", "RUNTIME", "NAMESPACE",
			"NAME", "ID", "PID", "NETNS", "HOST-PEER", "POD");
		for (size_t i = 0; i < l->n; i++) {
			const struct nd_container *c = &l->v[i];
			char ino[24] = "-", name[ND_CT_NAME_MAX];

			if (!c->running)
				continue;
			if (c->netns_ino)
				snprintf(ino, sizeof(ino), "%llu", c->netns_ino);
			/* A generated ID as name would only repeat the ID column, 64 wide: a
			 * sandbox says what it is (its pod is in the last column). */
			if (name_is_generated_id(c))
				snprintf(name, sizeof(name), "%s", c->sandbox ? "(sandbox)" : "-");
			else
				snprintf(name, sizeof(name), "%s", c->name);
			/* HOST-PEER holds interface names, which nd_container_set() has not
			 * checked: the line goes through the cleaner. */
			nd_text_print(out, "%-10s %-10s %-24s %-12.*s %8d %-11s %-15s %s%s%s",
				      nd_runtime_name(c->runtime), c->ns[0] ? c->ns : "-", name,
				      SHORT_ID, c->id, (int)c->pid, ino,
				      c->host_peer[0] ? c->host_peer : "-", c->pod_ns,
				      c->pod_name[0] ? "/" : "-", c->pod_name);
		}
	}
	if (fflush(out) != 0 || ferror(out))
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot write the list");
	return 0;
}

static bool alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

bool nd_container_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (alnum(s[n]))
			continue;
		/* A separator joins two runs: not first, not last, never two in a row. */
		if ((s[n] != '.' && s[n] != '_' && s[n] != '-') || n == 0 || !alnum(s[n + 1]))
			return false;
	}
	return n > 0 && n < ND_CT_ID_MAX;
}
