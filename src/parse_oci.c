/* runc's state.json and OCI config.json; see include/nsdump/parse.h. */
#include <limits.h>
#include <string.h>

#include "nsdump/jsonget.h"
#include "nsdump/parse.h"

int nd_parse_runc_state(const char *buf, size_t len, struct nd_container *c,
			struct nd_runc_extra *extra, struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "state.json", err);
	json_object *labels;
	long long pid, start;
	size_t n;

	if (root == NULL)
		return -1;
	if (nd_json_str(root, "id", c->id, sizeof(c->id)) < 0 || c->id[0] == '\0' ||
	    nd_json_int(root, "init_process_pid", 0, INT_MAX, &pid) < 0 ||
	    nd_json_int(root, "init_process_start", 0, LLONG_MAX, &start) < 0) {
		json_object_put(root);
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "state.json: no valid id, init_process_pid, init_process_start");
	}
	c->pid = (pid_t)pid;
	c->start = (unsigned long long)start;
	/* runc records the OCI annotations among its labels, as "key=value". */
	labels = nd_json_get(nd_json_get(root, "config", json_type_object), "labels",
			     json_type_array);
	n = labels ? json_object_array_length(labels) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(labels, i);
		char kv[1024];
		char *eq;

		if (!json_object_is_type(v, json_type_string) ||
		    nd_container_set(kv, sizeof(kv), json_object_get_string(v),
				     (size_t)json_object_get_string_len(v)) < 0)
			continue;
		eq = strchr(kv, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		nd_container_annotation(c, kv, eq + 1);
		if (extra == NULL)
			continue;
		if (strcmp(kv, "io.container.manager") == 0)
			(void)nd_container_set(extra->manager, sizeof(extra->manager), eq + 1,
					       strlen(eq + 1));
		if (strncmp(kv, "io.kubernetes.cri-o.", 20) == 0)
			extra->crio = 1;
	}
	json_object_put(root);
	return 0;
}

int nd_parse_oci_config(const char *buf, size_t len, struct nd_container *c, struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "config.json", err);
	json_object *ann;

	if (root == NULL)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return nd_err_set(err, ND_EXIT_FAIL, 0, "config.json: not a JSON object");
	}
	ann = nd_json_get(root, "annotations", json_type_object);
	if (ann != NULL) {
		json_object_object_foreach(ann, key, val)
		{
			if (json_object_is_type(val, json_type_string))
				nd_container_annotation(c, key, json_object_get_string(val));
		}
	}
	json_object_put(root);
	return 0;
}
