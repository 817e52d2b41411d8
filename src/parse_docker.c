/* Docker Engine API replies and Docker's state on disk; see include/nsdump/parse.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "nsdump/jsonget.h"
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
	json_object *restarting;
	char name[ND_CT_NAME_MAX + 1];
	long long pid = 0;

	if (nd_json_str(root, idkey, c->id, sizeof(c->id)) < 0 || !valid_id(c->id))
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no valid %s", what, idkey);
	if (nd_json_str(root, "Name", name, sizeof(name)) < 0 || name[0] != '/' || name[1] == '\0')
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no valid Name", what);
	memcpy(c->name, name + 1, sizeof(c->name));
	if (state == NULL || running == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: no State.Running", what);
	restarting = nd_json_get(state, "Restarting", json_type_boolean);
	/* Between the starts of a restart policy Docker says Running and Restarting, with Pid
	 * 0: no process runs. */
	c->running = json_object_get_boolean(running) &&
		     !(restarting != NULL && json_object_get_boolean(restarting));
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

int nd_parse_docker_config(const char *buf, size_t len, struct nd_container *c, struct nd_err *err)
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
