/* runc's state.json and OCI config.json; see include/nsdump/parse.h. */
#include <limits.h>
#include <string.h>

#include "nsdump/jsonget.h"
#include "nsdump/jsonscan.h"
#include "nsdump/parse.h"

/* One of runc's labels, "key=value" (len bytes at s, not NUL-terminated, maybe holding a
 * NUL): the OCI annotation it records, into c and extra. */
static void take_label(const char *s, size_t len, struct nd_container *c,
		       struct nd_runc_extra *extra)
{
	char kv[1024];
	char *eq;

	if (nd_container_set(kv, sizeof(kv), s, len) < 0)
		return;
	eq = strchr(kv, '=');
	if (eq == NULL)
		return;
	*eq = '\0';
	nd_container_annotation(c, kv, eq + 1);
	if (extra == NULL)
		return;
	if (strcmp(kv, "io.container.manager") == 0)
		(void)nd_container_set(extra->manager, sizeof(extra->manager), eq + 1,
				       strlen(eq + 1));
	if (strncmp(kv, "io.kubernetes.cri-o.", 20) == 0)
		extra->crio = 1;
}

/* String value v into out as nd_json_str does: -1 when not a string, too long or not
 * printable ASCII. */
static int scan_str(struct nd_jspan v, char *out, size_t size)
{
	char tmp[ND_CT_NAME_MAX + 1];
	size_t n;

	if (size > sizeof(tmp) || nd_jscan_kind(v) != '"' ||
	    nd_jscan_str(v, tmp, size, &n, false) < 0)
		return -1;
	return nd_container_set(out, size, tmp, n);
}

/* nd_parse_runc_state without json-c (jsonscan.h): 0 with c and extra filled; -1 leaves the
 * document to json-c, untouched, whether it is outside the subset or simply not valid
 * state (json-c then says why, as before). */
static int runc_state_fast(const char *buf, size_t len, struct nd_container *c,
			   struct nd_runc_extra *extra)
{
	struct nd_container t = *c;
	struct nd_runc_extra x = { { 0 }, 0 };
	static const char *const keys[] = { "id", "init_process_pid", "init_process_start",
					    "config" };
	struct nd_jspan root, v[4], labels;
	struct nd_jscan_iter it;
	long long pid, start;
	unsigned got;

	if (extra != NULL)
		x = *extra;
	if (nd_jscan_doc(buf, len, &root) < 0)
		return -1;
	got = nd_jscan_members(root, keys, v, 4);
	if ((got & 7) != 7 || scan_str(v[0], t.id, sizeof(t.id)) < 0 || t.id[0] == '\0' ||
	    nd_jscan_uint(v[1], 0, INT_MAX, &pid) < 0 ||
	    nd_jscan_uint(v[2], 0, LLONG_MAX, &start) < 0)
		return -1;
	t.pid = (pid_t)pid;
	t.start = (unsigned long long)start;
	if ((got & 8) && nd_jscan_member(v[3], "labels", &labels) == 0 &&
	    nd_jscan_kind(labels) == '[') {
		struct nd_jspan k, e;

		nd_jscan_iter_begin(labels, &it);
		while (nd_jscan_next(&it, &k, &e)) {
			char s[1024];
			size_t n;

			/* One that does not fit is refused by take_label's copy anyway. */
			if (nd_jscan_kind(e) == '"' &&
			    nd_jscan_str(e, s, sizeof(s), &n, false) == 0)
				take_label(s, n, &t, extra != NULL ? &x : NULL);
		}
	}
	*c = t;
	if (extra != NULL)
		*extra = x;
	return 0;
}

int nd_parse_runc_state(const char *buf, size_t len, struct nd_container *c,
			struct nd_runc_extra *extra, struct nd_err *err)
{
	if (runc_state_fast(buf, len, c, extra) == 0)
		return 0;
	return nd_parse_runc_state_json(buf, len, c, extra, err);
}

int nd_parse_runc_state_json(const char *buf, size_t len, struct nd_container *c,
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

		if (json_object_is_type(v, json_type_string))
			take_label(json_object_get_string(v), (size_t)json_object_get_string_len(v),
				   c, extra);
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
