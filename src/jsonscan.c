/* The pre-filter of include/nsdump/jsonscan.h: whether a JSON text may hold a string. */
#include <string.h>

#include "nsdump/jsonscan.h"

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
