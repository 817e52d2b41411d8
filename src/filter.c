/* -F FILE: reading a filter expression; see include/nsdump/filter.h. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/filter.h"

int nd_filter_from_text(const char *buf, size_t len, char **out, struct nd_err *err)
{
	char *s;
	size_t n = 0;
	int at_line_start = 1, in_comment = 0;

	if (len > ND_FILTER_MAX)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "filter file longer than %d bytes",
				  ND_FILTER_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "filter file holds a NUL byte: not text");
	s = malloc(len + 1);
	if (s == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot read the filter");
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			in_comment = 0;
			at_line_start = 1;
			s[n++] = ' ';
			continue;
		}
		if (at_line_start && c == '#')
			in_comment = 1;
		if (c != ' ' && c != '\t')
			at_line_start = 0;
		if (in_comment)
			continue;
		s[n++] = (char)((c == '\t' || c == '\r') ? ' ' : c);
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	{
		size_t lead = strspn(s, " ");

		memmove(s, s + lead, n - lead + 1);
	}
	*out = s;
	return 0;
}

int nd_filter_read_file(const char *path, char **out, struct nd_err *err)
{
	char *buf = malloc(ND_FILTER_MAX + 1);
	size_t len = 0;
	int fd, rc;

	if (buf == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot read %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		free(buf);
		return nd_err_set(err, e == EACCES ? ND_EXIT_PERM : ND_EXIT_USAGE, e,
				  "cannot open filter file %s", path);
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, ND_FILTER_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			(void)close(fd);
			free(buf);
			return nd_err_set(err, ND_EXIT_USAGE, e, "cannot read filter file %s",
					  path);
		}
		if (n == 0 || (len += (size_t)n) > ND_FILTER_MAX)
			break;
	}
	(void)close(fd); /* read-only: nothing to lose if close fails */
	rc = nd_filter_from_text(buf, len, out, err);
	free(buf);
	if (rc < 0)
		return nd_err_prefix(err, "%s", path);
	return 0;
}
