/* A fast path for the runtimes' state files: the few fields nsdump reads, found in the text
 * without building a json-c tree. json-c spends about 0.5 ms on runc's 30 KB state.json,
 * mostly in malloc for objects nsdump never looks at; with a thousand containers that was
 * most of `nsdump --list`.
 *
 * Only a conservative subset of strict JSON is taken: a document outside it is refused as a
 * whole, and the caller then parses it with json-c as before. Outside the subset: an escape
 * in an object key, a \u escape of a surrogate, a raw control character in a string, a number
 * with an exponent or longer than ND_JSCAN_NUM_MAX characters, white space other than JSON's
 * four, literals other than true/false/null, nesting deeper than ND_JSCAN_MAX_DEPTH. Every
 * document of the subset is one json-c accepts, with the same values (tests/fuzz/fuzz_jscan.c
 * checks it against json-c). Pure: reads only (buf, len), which need not be NUL-terminated. */
#ifndef NSDUMP_JSONSCAN_H
#define NSDUMP_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Below json-c's depth limit (ND_JSON_MAX_DEPTH), so that json-c never refuses for depth
 * what the subset takes. */
#define ND_JSCAN_MAX_DEPTH 24
/* 18 digits always fit in a long long. */
#define ND_JSCAN_NUM_MAX 18

/* The text of one JSON value, within a document nd_jscan_doc accepted. */
struct nd_jspan {
	const char *p;
	size_t len;
};

/* Checks that buf[0..len) is one JSON value of the subset, white space around it allowed;
 * *root is that value. Returns 0, or -1 when it is not (malformed, or outside the subset). */
int nd_jscan_doc(const char *buf, size_t len, struct nd_jspan *root);

/* The kind of v: '{', '[', '"', 't', 'f', 'n', or '0' for a number. */
char nd_jscan_kind(struct nd_jspan v);

/* The value of member key of object o; the last one when the key repeats (json-c keeps the
 * last). -1 when o is not an object or has no such member. */
int nd_jscan_member(struct nd_jspan o, const char *key, struct nd_jspan *val);

/* The same for n keys (at most 32) in one pass: vals[i] for keys[i]; a bit set per key found
 * (bit i for keys[i]). */
unsigned nd_jscan_members(struct nd_jspan o, const char *const *keys, struct nd_jspan *vals,
			  size_t n);

/* Walks the members of an object (key is the key's raw text, without quotes: keys of the
 * subset hold no escapes) or the elements of an array (key is left empty). */
struct nd_jscan_iter {
	const char *p, *end;
	bool object;
};
void nd_jscan_iter_begin(struct nd_jspan v, struct nd_jscan_iter *it);
bool nd_jscan_next(struct nd_jscan_iter *it, struct nd_jspan *key, struct nd_jspan *val);

/* True when object o has two members with the same key. */
bool nd_jscan_dup_keys(struct nd_jspan o);

/* An integer value (no fraction, no sign) within [min, max]; -1 otherwise (a negative number
 * too: the fields read are never negative, and json-c's "-0" is left to json-c). */
int nd_jscan_uint(struct nd_jspan v, long long min, long long max, long long *out);

/* A boolean value; -1 when v is not true or false. */
int nd_jscan_bool(struct nd_jspan v, bool *out);

/* Decodes string value v into out (UTF-8, as json-c does), NUL-terminated, *dlen its decoded
 * length (an escaped NUL included). -1 when v is not a string or the decoded text does not
 * fit in size - 1 bytes; with cut, the text is cut there instead, and 0 returned. */
int nd_jscan_str(struct nd_jspan v, char *out, size_t size, size_t *dlen, bool cut);

/* False only when no string of the document buf[0..len) can contain the text q once decoded
 * (any document, valid or not): q does not occur in the raw text, and no escape in it stands
 * for a byte of q. A cheap test before a full parse: a container named q cannot be in a file
 * for which this is false. q must not be empty. */
bool nd_jscan_may_contain(const char *buf, size_t len, const char *q);

#endif
