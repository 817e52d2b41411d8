/* The one cleaner for text shown but not controlled by nsdump; see include/nsdump/text.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nsdump/text.h"

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one: a stray or
 * truncated continuation, an overlong form, a UTF-16 surrogate, a code point past
 * U+10FFFF. *cp is its code point. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	/* Stops at the NUL too: 0 is not a continuation byte. */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	*cp = s[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++)
		*cp = (*cp << 6) | (s[i] & 0x3F);
	return n;
}

/* Characters a terminal or a text renderer acts on instead of printing: C0 and C1
 * controls (ESC starts a sequence, U+009B is an 8-bit CSI), DEL, and the bidirectional
 * formatting characters that can make a name look like another. */
static bool controls(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

char *nd_text_clean(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (dstlen == 0)
		return dst;
	while (*s != '\0' && o + 1 < dstlen) {
		uint32_t cp = 0;
		size_t n = utf8_seq(s, &cp);

		if (n == 0 || controls(cp)) {
			dst[o++] = '?';
			s += n ? n : 1; /* a control character whole, a bad byte alone */
			continue;
		}
		if (o + n >= dstlen)
			break;
		/* memmove: dst may be src, and o never runs ahead of s. */
		memmove(dst + o, s, n);
		o += n;
		s += n;
	}
	dst[o] = '\0';
	return dst;
}

int nd_text_print(FILE *f, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		line[0] = '\0';
	va_end(ap);
	return fprintf(f, "%s\n", nd_text_clean(line, sizeof(line), line));
}
