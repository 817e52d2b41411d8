/* /proc/PID/stat parsing; see include/nsdump/proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/proc.h"

/* Field numbers as in proc(5). */
#define STAT_FIELD_STATE     3
#define STAT_FIELD_STARTTIME 22

int nd_proc_parse_stat(const char *buf, size_t len, struct nd_proc_stat *st, struct nd_err *err)
{
	struct nd_proc_stat out = { 0 };
	const char *open = memchr(buf, '(', len);
	const char *close = NULL;
	const char *p, *end = buf + len;
	unsigned long long pid = 0;
	int field;

	for (p = buf; p < end; p++)
		if (*p == ')')
			close = p;
	if (open == NULL || close == NULL || close < open || open == buf)
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "malformed /proc stat line (no command name)");
	for (p = buf; p < open - 1; p++) {
		if (*p < '0' || *p > '9' || pid > 100000000ULL)
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "malformed /proc stat line (bad PID)");
		pid = pid * 10 + (unsigned long long)(*p - '0');
	}
	if (open[-1] != ' ' || pid == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "malformed /proc stat line (bad PID)");
	out.pid = (pid_t)pid;
	{
		size_t n = (size_t)(close - open - 1);

		if (n >= sizeof(out.comm))
			n = sizeof(out.comm) - 1;
		memcpy(out.comm, open + 1, n);
		out.comm[n] = '\0';
	}

	/* After ")" come fields 3.. separated by single spaces. */
	p = close + 1;
	for (field = STAT_FIELD_STATE; field <= STAT_FIELD_STARTTIME; field++) {
		const char *f;

		if (p >= end || *p != ' ')
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "malformed /proc stat line (field %d missing)", field);
		f = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == f)
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "malformed /proc stat line (field %d empty)", field);
		if (field == STAT_FIELD_STATE) {
			if (p - f != 1)
				return nd_err_set(err, ND_EXIT_FAIL, 0,
						  "malformed /proc stat line (bad state)");
			out.state = *f;
		} else if (field == STAT_FIELD_STARTTIME) {
			unsigned long long v = 0;

			for (const char *q = f; q < p; q++) {
				if (*q < '0' || *q > '9' || v > (~0ULL - 9) / 10)
					return nd_err_set(
						err, ND_EXIT_FAIL, 0,
						"malformed /proc stat line (bad start time)");
				v = v * 10 + (unsigned long long)(*q - '0');
			}
			out.starttime = v;
		}
	}
	*st = out;
	return 0;
}

int nd_proc_read_stat(pid_t pid, struct nd_proc_stat *st, struct nd_err *err)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "no process with PID %d",
					  (int)pid);
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot open %s", path);
	}
	n = read(fd, buf, sizeof(buf));
	rc = errno;
	if (close(fd) < 0 && n >= 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot close %s", path);
	if (n < 0) {
		if (rc == ESRCH)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "no process with PID %d",
					  (int)pid);
		return nd_err_set(err, ND_EXIT_FAIL, rc, "cannot read %s", path);
	}
	if (nd_proc_parse_stat(buf, (size_t)n, st, err) < 0)
		return nd_err_prefix(err, "%s", path);
	if (st->pid != pid)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s names PID %d", path, (int)st->pid);
	return 0;
}

enum nd_proc_life nd_proc_life(pid_t pid, unsigned long long start)
{
	struct nd_proc_stat st = { 0 };
	struct nd_err ignored;

	if (pid <= 0 || nd_proc_read_stat(pid, &st, &ignored) < 0)
		return ND_PROC_GONE;
	if (st.state == 'Z' || st.state == 'X' || (start != 0 && st.starttime != start))
		return ND_PROC_ENDED;
	return ND_PROC_ALIVE;
}
