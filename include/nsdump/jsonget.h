/* Typed, bounded access to json-c documents for the runtime parsers. */
#ifndef NSDUMP_JSONGET_H
#define NSDUMP_JSONGET_H

#include <json.h>
#include <stddef.h>

#include "nsdump/err.h"

/* Nesting deeper than this is refused: no runtime document comes near it, and json-c's
 * recursion stays bounded. */
#define ND_JSON_MAX_DEPTH 32

/* Parses exactly len bytes as one JSON document (white space may follow it, nothing else).
 * Returns a new reference, or NULL with err (ND_EXIT_FAIL, "what: ..."). */
json_object *nd_json_parse(const char *buf, size_t len, const char *what, struct nd_err *err);

/* Member key of object o when it exists and has type t; NULL otherwise (o may be NULL). */
json_object *nd_json_get(json_object *o, const char *key, json_type t);

/* Copies string member key into out (see nd_container_set for what is refused). Returns 0,
 * or -1 when it is absent, not a string, too long or holds a control character. */
int nd_json_str(json_object *o, const char *key, char *out, size_t size);

/* Integer member key within [min, max] into *out; -1 when absent, not an integer or out of
 * range. */
int nd_json_int(json_object *o, const char *key, long long min, long long max, long long *out);

#endif
