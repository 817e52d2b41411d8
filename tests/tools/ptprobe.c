/*
 * ptprobe: can the caller reach into another process? For t_dumpable.sh, run as the user who
 * invoked a setuid nsdump.
 *
 *   ptprobe attach PID     PTRACE_SEIZE (the tracer's exit detaches again)
 *   ptprobe getfd PID FD   pidfd_open(PID) and pidfd_getfd(FD): a copy of its descriptor
 *
 * Prints what happened on stdout ("attached"; "took descriptor FD: socket family N" or
 * "took descriptor FD") and exits 0, or prints the error and exits 1; 2 for bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 0x7fffffff) {
		fprintf(stderr, "ptprobe: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "attach") == 0) {
		pid_t pid = (pid_t)number(argv[2]);

		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
			printf("ptrace: %s\n", strerror(errno));
			return 1;
		}
		printf("attached\n");
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "getfd") == 0) {
		pid_t pid = (pid_t)number(argv[2]);
		int target = (int)number(argv[3]), family = -1;
		socklen_t len = sizeof(family);
		long pidfd = syscall(SYS_pidfd_open, pid, 0);
		long fd;

		if (pidfd < 0) {
			printf("pidfd_open: %s\n", strerror(errno));
			return 1;
		}
		fd = syscall(SYS_pidfd_getfd, (int)pidfd, target, 0);
		if (fd < 0) {
			printf("pidfd_getfd: %s\n", strerror(errno));
			return 1;
		}
		if (getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &family, &len) == 0)
			printf("took descriptor %d: socket family %d\n", target, family);
		else
			printf("took descriptor %d\n", target);
		return 0;
	}
	fputs("usage: ptprobe attach PID | ptprobe getfd PID FD\n", stderr);
	return 2;
}
