/* The helpers every runtime's resolver code shares; see src/resolve_backend.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsdump/jsonscan.h"
#include "nsdump/proc.h"
#include "resolve_backend.h"

int nd_state_read(const char *path, size_t max, char **buf, size_t *len, struct nd_err *err)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO planted in a state directory must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		return nd_err_set(err,
				  e == ENOENT || e == ENOTDIR ? ND_EXIT_NOTFOUND
				  : e == EACCES || e == EPERM ? ND_EXIT_PERM
							      : ND_EXIT_FAIL,
				  e, "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "%s: not a regular file of at most %zu bytes", path, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "reading %s", path);
	}
	/* The file may change while read (runc rewrites state.json by rename, so rarely): read
	 * what is there, up to the size seen. */
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, b + n, (size_t)st.st_size - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			free(b);
			(void)close(fd);
			return nd_err_set(err, ND_EXIT_FAIL, e, "cannot read %s", path);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	(void)close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

pid_t nd_state_read_pid(const char *path)
{
	struct nd_err ignored;
	char *buf = NULL, *end;
	size_t len = 0;
	long v;
	pid_t pid = 0;

	if (nd_state_read(path, 64, &buf, &len, &ignored) < 0 || buf == NULL)
		return 0;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno == 0 && end != buf && (*end == '\0' || *end == '\n') && v > 0 && v <= INT_MAX)
		pid = (pid_t)v;
	free(buf);
	return pid;
}

int nd_state_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void nd_state_note(struct nd_resolver *r, const char *fmt, ...)
{
	size_t used = strlen(r->notes);
	va_list ap;

	if (used + 3 >= sizeof(r->notes))
		return;
	if (used > 0) {
		memcpy(r->notes + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(r->notes + used, sizeof(r->notes) - used, fmt, ap);
	va_end(ap);
}

void nd_state_check_alive(const struct nd_resolver *r, struct nd_container *c)
{
	switch (nd_proc_life(c->pid, c->start)) {
	case ND_PROC_ALIVE:
		c->running = true;
		return;
	case ND_PROC_GONE:
		c->running = false;
		if (c->pid <= 0) {
			c->pid = 0;
			return;
		}
		c->stale = true;
		/* Under --root the state is the mounted host's; a PID absent here may be alive
		 * in a PID namespace we do not see. */
		c->pid_hidden = r->root[0] != '\0';
		return;
	case ND_PROC_ENDED:
		c->running = false;
		c->stale = true;
		return;
	}
}

bool nd_state_wanted(const struct nd_resolver *r, const char *id, const char *buf, size_t len)
{
	const char *q = r->query;

	if (q == NULL || q[0] == '\0' || strcmp(id, q) == 0 ||
	    (nd_container_is_id_prefix(q) && strncmp(id, q, strlen(q)) == 0))
		return true;
	return buf != NULL && nd_jscan_may_contain(buf, len, q);
}

bool nd_state_file_wanted(const struct nd_resolver *r, const char *path)
{
	struct nd_err ignored;
	char *buf = NULL;
	size_t len = 0;
	bool yes;

	if (r->query == NULL)
		return true;
	if (nd_state_read(path, ND_STATE_MAX, &buf, &len, &ignored) < 0)
		return false;
	yes = nd_jscan_may_contain(buf, len, r->query);
	free(buf);
	return yes;
}
