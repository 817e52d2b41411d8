/* The subset-of-JSON scanner of include/nsdump/jsonscan.h. nd_jscan_doc checks the whole
 * document once; the accessors then walk text known to be well formed, still bounded by the
 * span they are given. */
#include <stdint.h>
#include <string.h>

#include "nsdump/jsonscan.h"

/* Word-at-a-time tests (eight bytes at once): whether any byte of v equals b, or is below n
 * (n <= 128). Each is exact as a whole; which byte it was is found byte by byte. A state file
 * is mostly long strings, so this is most of the scanner's speed. */
#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static uint64_t has_byte(uint64_t v, unsigned char b)
{
	uint64_t x = v ^ (ONES * b);

	return (x - ONES) & ~x & HIGHS;
}

static uint64_t has_less(uint64_t v, unsigned char n)
{
	return (v - ONES * n) & ~v & HIGHS;
}

/* The first byte from p on that is a quote, a backslash or (ctl) a control character. */
static const char *string_stop(const char *p, const char *end, bool ctl)
{
	while (end - p >= 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		if (has_byte(v, '"') | has_byte(v, '\\') | (ctl ? has_less(v, 0x20) : 0))
			break;
		p += 8;
	}
	while (p < end && *p != '"' && *p != '\\' && !(ctl && (unsigned char)*p < 0x20))
		p++;
	return p;
}

/* The first quote or bracket from p on. '[' and ']' differ from '{' and '}' by bit 0x20
 * alone, and no other byte becomes a brace when it is set. */
static const char *structural(const char *p, const char *end)
{
	while (end - p >= 8) {
		uint64_t v, w;

		memcpy(&v, p, sizeof(v));
		w = v | (ONES * 0x20);
		if (has_byte(v, '"') | has_byte(w, '{') | has_byte(w, '}'))
			break;
		p += 8;
	}
	while (p < end && *p != '"' && (*p | 0x20) != '{' && (*p | 0x20) != '}')
		p++;
	return p;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of the 4 hex digits at p (p + 4 <= end), or -1. */
static long hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* A string starting at p (the opening quote); the end after its closing quote, or NULL.
 * key: an object key, which may hold no escape at all in the subset. */
static const char *check_string(const char *p, const char *end, bool key)
{
	for (p++; (p = string_stop(p, end, true)) < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (key || ++p >= end)
			return NULL;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			break;
		case 'u': {
			long u;

			if (end - p < 5)
				return NULL;
			u = hex4(p + 1);
			/* Surrogates: json-c's handling of pairs and strays is left to json-c. */
			if (u < 0 || (u >= 0xd800 && u <= 0xdfff))
				return NULL;
			p += 4;
			break;
		}
		default:
			return NULL;
		}
	}
	return NULL;
}

static const char *check_number(const char *p, const char *end)
{
	const char *s = p;

	if (p < end && *p == '-')
		p++;
	if (p >= end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		const char *f = ++p;

		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == f)
			return NULL;
	}
	/* An exponent, or a character that cannot follow a number, ends the subset. */
	if (p < end && !is_ws(*p) && *p != ',' && *p != '}' && *p != ']')
		return NULL;
	if (p - s > ND_JSCAN_NUM_MAX)
		return NULL;
	return p;
}

static const char *check_literal(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0)
		return NULL;
	p += n;
	if (p < end && !is_ws(*p) && *p != ',' && *p != '}' && *p != ']')
		return NULL;
	return p;
}

/* One value at p (no white space before it); the end after it, or NULL. */
static const char *check_value(const char *p, const char *end, int depth)
{
	char close;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return check_string(p, end, false);
	case 't':
		return check_literal(p, end, "true");
	case 'f':
		return check_literal(p, end, "false");
	case 'n':
		return check_literal(p, end, "null");
	case '{':
	case '[':
		break;
	default:
		return check_number(p, end);
	}
	if (depth >= ND_JSCAN_MAX_DEPTH)
		return NULL;
	close = *p == '{' ? '}' : ']';
	p = skip_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"')
				return NULL;
			p = check_string(p, end, true);
			if (p == NULL)
				return NULL;
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = skip_ws(p + 1, end);
		}
		p = check_value(p, end, depth + 1);
		if (p == NULL)
			return NULL;
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
}

int nd_jscan_doc(const char *buf, size_t len, struct nd_jspan *root)
{
	const char *end = buf + len;
	const char *p = skip_ws(buf, end);
	const char *v = check_value(p, end, 0);

	if (v == NULL || skip_ws(v, end) != end)
		return -1;
	root->p = p;
	root->len = (size_t)(v - p);
	return 0;
}

char nd_jscan_kind(struct nd_jspan v)
{
	if (v.len == 0)
		return '\0';
	if (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9'))
		return '0';
	return v.p[0];
}

/* The end of the (well-formed) value at p: strings and containers are skipped by their
 * quotes and brackets, scalars up to the next delimiter. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p < end && *p != '"' && *p != '{' && *p != '[') {
		while (p < end && !is_ws(*p) && *p != ',' && *p != '}' && *p != ']')
			p++;
		return p;
	}
	while ((p = structural(p, end)) < end) {
		char c = *p++;

		if (c == '"') {
			while ((p = string_stop(p, end, false)) < end && *p == '\\')
				p += 2;
			p++;
		} else if (c == '{' || c == '[') {
			depth++;
		} else {
			depth--;
		}
		if (depth == 0)
			break;
	}
	return p < end ? p : end;
}

void nd_jscan_iter_begin(struct nd_jspan v, struct nd_jscan_iter *it)
{
	it->object = v.len > 0 && v.p[0] == '{';
	if (v.len < 2 || (v.p[0] != '{' && v.p[0] != '[')) {
		it->p = it->end = v.p;
		return;
	}
	it->p = v.p + 1;
	it->end = v.p + v.len - 1; /* the closing bracket */
}

bool nd_jscan_next(struct nd_jscan_iter *it, struct nd_jspan *key, struct nd_jspan *val)
{
	const char *p = skip_ws(it->p, it->end);
	const char *v;

	if (p < it->end && *p == ',')
		p = skip_ws(p + 1, it->end);
	if (p >= it->end)
		return false;
	key->p = p;
	key->len = 0;
	if (it->object) {
		const char *q = memchr(p + 1, '"', (size_t)(it->end - p - 1));

		if (*p != '"' || q == NULL)
			return false;
		key->p = p + 1;
		key->len = (size_t)(q - p - 1);
		p = skip_ws(q + 1, it->end);
		if (p >= it->end || *p != ':')
			return false;
		p = skip_ws(p + 1, it->end);
	}
	v = skip_value(p, it->end);
	val->p = p;
	val->len = (size_t)(v - p);
	it->p = v;
	return val->len > 0;
}

unsigned nd_jscan_members(struct nd_jspan o, const char *const *keys, struct nd_jspan *vals,
			  size_t n)
{
	struct nd_jscan_iter it;
	struct nd_jspan k, v;
	unsigned found = 0;

	if (nd_jscan_kind(o) != '{' || n > sizeof(found) * 8)
		return 0;
	nd_jscan_iter_begin(o, &it);
	while (nd_jscan_next(&it, &k, &v)) {
		for (size_t i = 0; i < n; i++) {
			if (strlen(keys[i]) == k.len && memcmp(k.p, keys[i], k.len) == 0) {
				vals[i] = v;
				found |= 1U << i;
			}
		}
	}
	return found;
}

int nd_jscan_member(struct nd_jspan o, const char *key, struct nd_jspan *val)
{
	return nd_jscan_members(o, &key, val, 1) ? 0 : -1;
}

bool nd_jscan_dup_keys(struct nd_jspan o)
{
	struct nd_jscan_iter a, b;
	struct nd_jspan ka, va, kb, vb;

	nd_jscan_iter_begin(o, &a);
	while (nd_jscan_next(&a, &ka, &va)) {
		b = a;
		while (nd_jscan_next(&b, &kb, &vb))
			if (ka.len == kb.len && memcmp(ka.p, kb.p, ka.len) == 0)
				return true;
	}
	return false;
}

int nd_jscan_uint(struct nd_jspan v, long long min, long long max, long long *out)
{
	long long x = 0;

	if (v.len == 0 || v.len > ND_JSCAN_NUM_MAX)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (v.p[i] - '0');
	}
	if (x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

int nd_jscan_bool(struct nd_jspan v, bool *out)
{
	if (v.len == 4 && memcmp(v.p, "true", 4) == 0)
		*out = true;
	else if (v.len == 5 && memcmp(v.p, "false", 5) == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Appends the UTF-8 bytes of code point u (BMP, no surrogate) to out at *n, room for size
 * - 1 bytes in all; false when it does not fit. */
static bool put_utf8(char *out, size_t size, size_t *n, long u)
{
	unsigned char b[3];
	size_t k;

	if (u < 0x80) {
		b[0] = (unsigned char)u;
		k = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xc0 | (u >> 6));
		b[1] = (unsigned char)(0x80 | (u & 0x3f));
		k = 2;
	} else {
		b[0] = (unsigned char)(0xe0 | (u >> 12));
		b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (u & 0x3f));
		k = 3;
	}
	if (*n + k > size - 1)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

int nd_jscan_str(struct nd_jspan v, char *out, size_t size, size_t *dlen, bool cut)
{
	const char *p = v.p + 1;
	const char *end = v.p + v.len - 1; /* the closing quote */
	size_t n = 0;

	if (size == 0 || v.len < 2 || v.p[0] != '"' || *end != '"')
		return -1;
	while (p < end) {
		long u = (unsigned char)*p++;

		if (u == '\\' && p < end) {
			char e = *p++;

			switch (e) {
			case 'b':
				u = '\b';
				break;
			case 'f':
				u = '\f';
				break;
			case 'n':
				u = '\n';
				break;
			case 'r':
				u = '\r';
				break;
			case 't':
				u = '\t';
				break;
			case 'u':
				if (end - p < 4 || (u = hex4(p)) < 0)
					return -1;
				p += 4;
				break;
			default:
				u = (unsigned char)e;
				break;
			}
			if (u >= 0x80 && !put_utf8(out, size, &n, u)) {
				if (!cut)
					return -1;
				break;
			}
			if (u >= 0x80)
				continue;
		}
		if (n + 1 > size - 1) {
			if (!cut)
				return -1;
			break;
		}
		out[n++] = (char)u;
	}
	out[n] = '\0';
	*dlen = n;
	return 0;
}

/* The byte an escape at p (after the backslash, p < end) stands for, its length after the
 * backslash in *skip; -1 for one that may stand for several or is malformed, -2 for a code
 * point beyond ASCII (several bytes, all >= 0x80). */
static int escaped_byte(const char *p, const char *end, size_t *skip)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *f = memchr(from, *p, sizeof(from) - 1);
	long u;

	*skip = 1;
	if (f != NULL)
		return (unsigned char)to[f - from];
	if (*p != 'u' || end - p < 5 || (u = hex4(p + 1)) < 0)
		return -1;
	*skip = 5;
	return u < 0x80 ? (int)u : -2;
}

bool nd_jscan_may_contain(const char *buf, size_t len, const char *q)
{
	const char *p = buf, *end = buf + len;
	size_t qn = strlen(q);
	bool high = false;

	if (qn == 0 || memmem(buf, len, q, qn) != NULL)
		return true;
	for (size_t i = 0; i < qn; i++)
		high |= (unsigned char)q[i] >= 0x80;
	/* Not verbatim: it may still be there when some of its bytes were written as escapes.
	 * Every backslash of a JSON text starts an escape, so walking them from the start
	 * decodes each; when none stands for a byte of q, a decoded q is made of raw bytes
	 * alone, which would have been found above. */
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		size_t skip;
		int b;

		if (++p >= end)
			return true;
		b = escaped_byte(p, end, &skip);
		if (b == -1 || (b == -2 && high) || (b > 0 && strchr(q, b) != NULL))
			return true;
		p += skip;
	}
	return false;
}
