/* Rotated file names; see include/nsdump/rotate.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "nsdump/rotate.h"

int nd_rotate_active(const struct nd_rotate *r)
{
	return r->seconds != 0 || r->bytes != 0;
}

size_t nd_rotate_dirlen(const struct nd_rotate *r)
{
	const char *slash = strrchr(r->pattern, '/');

	return slash != NULL ? (size_t)(slash - r->pattern) + 1 : 0;
}

int nd_rotate_check(const struct nd_rotate *r, struct nd_err *err)
{
	size_t dl = nd_rotate_dirlen(r);

	if (!nd_rotate_active(r))
		return 0;
	for (size_t i = 0; i < dl; i++)
		if (r->pattern[i] == '%' && (r->seconds != 0 || r->pattern[i + 1] == 'n'))
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "with -G or -C every file goes in one directory, opened "
					  "at the start: the directory part of '%s' must not "
					  "change (put %%n and time conversions in the file name)",
					  r->pattern);
	return 0;
}

/* Copies the pattern with %n replaced; for strftime, the name's own '%' are doubled so that
 * they stay; '/' becomes '_' so that a name cannot choose the directory. */
static int expand_n(const struct nd_rotate *r, bool for_strftime, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = r->pattern; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'n') {
			for (const char *t = r->target; *t != '\0'; t++) {
				if (o + 3 >= outlen)
					return -1;
				if (*t == '%' && for_strftime)
					out[o++] = '%';
				out[o++] = (char)(*t == '/' ? '_' : *t);
			}
			p++;
			continue;
		}
		if (for_strftime && p[0] == '%' && p[1] == '%') {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = *p++;
		}
		if (o + 2 >= outlen)
			return -1;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 0;
}

static unsigned int digits(unsigned int n)
{
	unsigned int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int nd_rotate_name(const struct nd_rotate *r, time_t t, char *out, size_t outlen,
		   struct nd_err *err)
{
	char pat[4096], name[4096];
	size_t n;

	if (expand_n(r, r->seconds != 0, pat, sizeof(pat)) < 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "output file name too long: %s",
				  r->pattern);
	if (r->seconds != 0) {
		struct tm tm;

		if (localtime_r(&t, &tm) == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot convert the time");
			/* The pattern is the user's -w argument: strftime takes any text safely. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		n = strftime(name, sizeof(name), pat, &tm);
#pragma GCC diagnostic pop
		if (n == 0)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "output file name '%s' expands to nothing or too much",
					  r->pattern);
		/* A conversion in the file part that makes a '/' would choose a directory. */
		if (memchr(r->pattern, '%', nd_rotate_dirlen(r)) == NULL &&
		    strchr(name + nd_rotate_dirlen(r), '/') != NULL)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"output file name '%s' makes '%s', with a '/' in the file "
				"name (use conversions without one: %%F rather than %%D)",
				r->pattern, name);
	} else {
		/* Without -G, '%' is not special (as in tcpdump), but %n still is. */
		(void)snprintf(name, sizeof(name), "%s", pat);
	}
	if (r->bytes != 0 && r->files != 0)
		n = (size_t)snprintf(out, outlen, "%s%0*u", name, (int)digits(r->files - 1),
				     r->in_period % r->files);
	else if (r->bytes != 0 && r->in_period != 0)
		n = (size_t)snprintf(out, outlen, "%s%u", name, r->in_period);
	else
		n = (size_t)snprintf(out, outlen, "%s", name);
	if (n < outlen && r->gzip && (n < 3 || strcmp(out + n - 3, ".gz") != 0))
		n += (size_t)snprintf(out + n, outlen - n, ".gz");
	if (n >= outlen)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "output file name too long: %s",
				  r->pattern);
	return 0;
}
