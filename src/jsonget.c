/* json-c helpers; see include/nsdump/jsonget.h. */
#include <errno.h>
#include <string.h>

#include "nsdump/container.h"
#include "nsdump/jsonget.h"

json_object *nd_json_parse(const char *buf, size_t len, const char *what, struct nd_err *err)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t used;

	if (len > (size_t)INT32_MAX) {
		nd_err_set(err, ND_EXIT_FAIL, 0, "%s: too large", what);
		return NULL;
	}
	tok = json_tokener_new_ex(ND_JSON_MAX_DEPTH);
	if (tok == NULL) {
		nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "%s", what);
		return NULL;
	}
	/* Strict mode: no single quotes, no trailing commas, no NaN. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL || jerr != json_tokener_success) {
		json_object_put(o);
		nd_err_set(err, ND_EXIT_FAIL, 0, "%s: %s", what,
			   jerr == json_tokener_continue ? "JSON cut short"
							 : json_tokener_error_desc(jerr));
		return NULL;
	}
	for (; used < len; used++) {
		if (buf[used] != ' ' && buf[used] != '\n' && buf[used] != '\r' &&
		    buf[used] != '\t') {
			json_object_put(o);
			nd_err_set(err, ND_EXIT_FAIL, 0, "%s: data after the JSON document", what);
			return NULL;
		}
	}
	return o;
}

json_object *nd_json_get(json_object *o, const char *key, json_type t)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

int nd_json_str(json_object *o, const char *key, char *out, size_t size)
{
	json_object *v = nd_json_get(o, key, json_type_string);

	if (v == NULL)
		return -1;
	return nd_container_set(out, size, json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
}

int nd_json_int(json_object *o, const char *key, long long min, long long max, long long *out)
{
	json_object *v = nd_json_get(o, key, json_type_int);
	long long x;

	if (v == NULL)
		return -1;
	errno = 0;
	x = (long long)json_object_get_int64(v);
	if (errno != 0 || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}
