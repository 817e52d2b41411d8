/* Docker Engine API replies and Docker's state on disk; see include/nsdump/parse.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "nsdump/jsonget.h"
#include "nsdump/jsonscan.h"
#include "nsdump/parse.h"

static void take_labels(json_object *labels, struct nd_container *c)
{
	if (labels == NULL)
		return;
	json_object_object_foreach(labels, key, val)
	{
		if (json_object_is_type(val, json_type_string))
			nd_container_annotation(c, key, json_object_get_string(val));
	}
}

/* Names: ["/web1"]; a linked container also shows as "/other/alias": take the plain one. */
static int take_name(json_object *names, struct nd_container *c)
{
	size_t n = json_object_array_length(names);

	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(names, i);
		const char *s;
		size_t len;

		if (!json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (len > 1 && s[0] == '/' && memchr(s + 1, '/', len - 1) == NULL)
			return nd_container_set(c->name, sizeof(c->name), s + 1, len - 1);
	}
	return -1;
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-' || id[i] == '_' ||
		      id[i] == '.'))
			return 0;
	return 1;
}

int nd_parse_docker_list(const char *buf, size_t len, enum nd_runtime rt,
			 struct nd_container_list *out, struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "container list", err);
	size_t n;

	if (root == NULL)
		return -1;
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return nd_err_set(err, ND_EXIT_FAIL, 0, "container list: not a JSON array");
	}
	n = json_object_array_length(root);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		json_object *names = nd_json_get(o, "Names", json_type_array);
		struct nd_container c = { .runtime = rt };
		char state[32];

		if (nd_json_str(o, "Id", c.id, sizeof(c.id)) < 0 || !valid_id(c.id) ||
		    names == NULL || take_name(names, &c) < 0)
			continue;
		take_labels(nd_json_get(o, "Labels", json_type_object), &c);
		c.running = nd_json_str(o, "State", state, sizeof(state)) == 0 &&
			    strcmp(state, "running") == 0;
		{
			struct nd_container *slot = nd_container_add(out);

			if (slot == NULL) {
				json_object_put(root);
				return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "container list");
			}
			*slot = c;
		}
	}
	json_object_put(root);
	return 0;
}

/* The common part of an inspect reply and config.v2.json. */
static int parse_container(json_object *root, const char *idkey, struct nd_container *c,
			   const char *what, struct nd_err *err)
{
	json_object *state = nd_json_get(root, "State", json_type_object);
	json_object *config = nd_json_get(root, "Config", json_type_object);
	json_object *running = nd_json_get(state, "Running", json_type_boolean);
	char name[ND_CT_NAME_MAX + 1];
	long long pid = 0;

	if (nd_json_str(root, idkey, c->id, sizeof(c->id)) < 0 || !valid_id(c->id))
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no valid %s", what, idkey);
	if (nd_json_str(root, "Name", name, sizeof(name)) < 0 || name[0] != '/' || name[1] == '\0')
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no valid Name", what);
	memcpy(c->name, name + 1, sizeof(c->name));
	if (state == NULL || running == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no State.Running", what);
	c->running = json_object_get_boolean(running);
	if (c->running && (nd_json_int(state, "Pid", 1, INT_MAX, &pid) < 0))
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: running, but no valid State.Pid",
				  what);
	c->pid = c->running ? (pid_t)pid : 0;
	take_labels(nd_json_get(config, "Labels", json_type_object), c);
	return 0;
}

int nd_parse_docker_inspect(const char *buf, size_t len, struct nd_container *c, struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "container inspect", err);
	int rc;

	if (root == NULL)
		return -1;
	rc = parse_container(root, "Id", c, "container inspect", err);
	json_object_put(root);
	return rc;
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

/* Config.Labels of config.v2.json into c, as take_labels does with json-c: in the order of
 * the file, as C strings (json-c's json_object_get_string ends at an escaped NUL). -1 when a
 * key repeats: json-c keeps the first one's place with the last one's value, which an
 * annotation setting the same field as another could tell apart; json-c decides then. */
static int scan_labels(struct nd_jspan labels, struct nd_container *c)
{
	struct nd_jscan_iter it;
	struct nd_jspan k, v;

	if (nd_jscan_dup_keys(labels))
		return -1;
	nd_jscan_iter_begin(labels, &it);
	while (nd_jscan_next(&it, &k, &v)) {
		/* Longer than any field a label fills (ND_CT_NAME_MAX): a value cut there has
		 * the effect of the whole one (refused, and unequal to any type it is compared
		 * with); a key that long is none nd_container_annotation knows. */
		char key[ND_CT_NAME_MAX + 1], val[1024];
		size_t n;

		if (nd_jscan_kind(v) != '"' || k.len >= sizeof(key))
			continue;
		memcpy(key, k.p, k.len);
		key[k.len] = '\0';
		if (nd_jscan_str(v, val, sizeof(val), &n, true) < 0)
			return -1;
		nd_container_annotation(c, key, val);
	}
	return 0;
}

/* nd_parse_docker_config without json-c: 0 with c filled; -1 leaves the document to json-c,
 * c untouched. */
static int docker_config_fast(const char *buf, size_t len, struct nd_container *c)
{
	struct nd_container t = *c;
	static const char *const keys[] = { "ID", "Name", "State", "Config" };
	static const char *const skeys[] = { "Running", "Pid" };
	struct nd_jspan root, v[4], s[2], labels;
	char name[ND_CT_NAME_MAX + 1];
	long long pid = 0;
	unsigned got, sgot;
	bool running;

	if (nd_jscan_doc(buf, len, &root) < 0)
		return -1;
	got = nd_jscan_members(root, keys, v, 4);
	if ((got & 7) != 7 || scan_str(v[0], t.id, sizeof(t.id)) < 0 || !valid_id(t.id) ||
	    scan_str(v[1], name, sizeof(name)) < 0 || name[0] != '/' || name[1] == '\0')
		return -1;
	sgot = nd_jscan_members(v[2], skeys, s, 2);
	if (!(sgot & 1) || nd_jscan_bool(s[0], &running) < 0)
		return -1;
	if (running && (!(sgot & 2) || nd_jscan_uint(s[1], 1, INT_MAX, &pid) < 0))
		return -1;
	memcpy(t.name, name + 1, sizeof(t.name));
	t.running = running;
	t.pid = running ? (pid_t)pid : 0;
	if ((got & 8) && nd_jscan_member(v[3], "Labels", &labels) == 0 &&
	    nd_jscan_kind(labels) == '{' && scan_labels(labels, &t) < 0)
		return -1;
	*c = t;
	return 0;
}

int nd_parse_docker_config(const char *buf, size_t len, struct nd_container *c, struct nd_err *err)
{
	if (docker_config_fast(buf, len, c) == 0)
		return 0;
	return nd_parse_docker_config_json(buf, len, c, err);
}

int nd_parse_docker_config_json(const char *buf, size_t len, struct nd_container *c,
				struct nd_err *err)
{
	json_object *root = nd_json_parse(buf, len, "config.v2.json", err);
	int rc;

	if (root == NULL)
		return -1;
	rc = parse_container(root, "ID", c, "config.v2.json", err);
	json_object_put(root);
	return rc;
}

void nd_parse_docker_error(const char *buf, size_t len, char *msg, size_t size)
{
	struct nd_err ignored;
	json_object *root, *m;
	const char *s;
	size_t n, i;

	if (size == 0)
		return;
	msg[0] = '\0';
	root = nd_json_parse(buf, len, "error", &ignored);
	m = nd_json_get(root, "message", json_type_string);
	if (m != NULL) {
		s = json_object_get_string(m);
		n = (size_t)json_object_get_string_len(m);
		if (n >= size)
			n = size - 1;
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)s[i];

			if (ch < 0x20 || ch > 0x7e)
				msg[i] = '?';
			else
				msg[i] = s[i];
		}
		msg[n] = '\0';
	}
	json_object_put(root);
}

int nd_parse_api_minor(const char *s)
{
	int v = 0;

	if (strncmp(s, "1.", 2) != 0 || s[2] == '\0')
		return -1;
	for (s += 2; *s; s++) {
		if (*s < '0' || *s > '9' || v > 999)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}
