/* Podman's containers/storage containers.json; see include/nsdump/parse.h. */
#include <errno.h>
#include <string.h>

#include "nsdump/jsonget.h"
#include "nsdump/parse.h"

int nd_parse_podman_containers(const char *buf, size_t len, struct nd_container_list *out,
			       struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "containers.json", err);
	size_t n;

	if (root == NULL)
		return -1;
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return nd_err_set(err, ND_EXIT_FAIL, 0, "containers.json: not a JSON array");
	}
	n = json_object_array_length(root);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		json_object *names = nd_json_get(o, "names", json_type_array);
		json_object *first = names ? json_object_array_get_idx(names, 0) : NULL;
		struct nd_container c = { .runtime = ND_RT_PODMAN };
		struct nd_container *slot;

		if (nd_json_str(o, "id", c.id, sizeof(c.id)) < 0 || c.id[0] == '\0' ||
		    strchr(c.id, '/') != NULL || first == NULL ||
		    !json_object_is_type(first, json_type_string) ||
		    nd_container_set(c.name, sizeof(c.name), json_object_get_string(first),
				     (size_t)json_object_get_string_len(first)) < 0 ||
		    c.name[0] == '\0')
			continue;
		slot = nd_container_add(out);
		if (slot == NULL) {
			json_object_put(root);
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "containers.json");
		}
		*slot = c;
	}
	json_object_put(root);
	return 0;
}
