/* Building error messages; see include/nsdump/err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nsdump/err.h"
#include "nsdump/text.h"

/* Every message is cleaned as it is made: it may quote an interface or process name that a
 * container chose, a runtime's or libpcap's words, and whoever prints it (main.c, extcap)
 * writes it to a terminal. */
static int clean(struct nd_err *err)
{
	nd_text_clean(err->msg, sizeof(err->msg), err->msg);
	return -1;
}

int nd_err_set(struct nd_err *err, int exit, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	err->exit = exit;
	err->errnum = errnum;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
	else if (errnum != 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", strerror(errnum));
	return clean(err);
}

int nd_err_prefix(struct nd_err *err, const char *fmt, ...)
{
	char ctx[sizeof(err->msg)];
	char old[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(ctx, sizeof(ctx), fmt, ap) < 0)
		ctx[0] = '\0';
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		/* Cut, rather than overflow, a message that grows too long. */
		size_t lc = strnlen(ctx, sizeof(ctx) - 3), lo = strnlen(old, sizeof(old) - 1);

		if (lc + 2 + lo >= sizeof(err->msg))
			lo = sizeof(err->msg) - 1 - 2 - lc;
		memcpy(err->msg, ctx, lc);
		memcpy(err->msg + lc, ": ", 2);
		memcpy(err->msg + lc + 2, old, lo);
		err->msg[lc + 2 + lo] = '\0';
	}
	return clean(err);
}

int nd_err_hint(struct nd_err *err, const char *fmt, ...)
{
	char hint[sizeof(err->msg)];
	size_t used = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(hint, sizeof(hint), fmt, ap) < 0)
		hint[0] = '\0';
	va_end(ap);
	if (used < sizeof(err->msg))
		snprintf(err->msg + used, sizeof(err->msg) - used, " (%s)", hint);
	return clean(err);
}
