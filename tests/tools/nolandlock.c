/*
 * nolandlock: run a program as on a kernel without Landlock. For t_outfile.sh.
 *
 *   nolandlock PROGRAM [ARGS...]
 *
 * Sets no-new-privileges, installs a seccomp filter under which landlock_create_ruleset(2)
 * fails with EPERM, as under a container runtime's seccomp profile that does not list it
 * (every other call is allowed), and executes PROGRAM.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int rc;

	if (argc < 2) {
		fputs("usage: nolandlock PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("nolandlock: no-new-privileges");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fputs("nolandlock: seccomp_init failed\n", stderr);
		return 2;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(landlock_create_ruleset), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "nolandlock: cannot install the filter: %s\n", strerror(-rc));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nolandlock: cannot execute %s: %s\n", argv[1], strerror(errno));
	return 127;
}
