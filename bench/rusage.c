/*
 * rusage: run a command and report what it cost, for nsdump's benchmark.
 *
 *   rusage -o REPORT -- COMMAND [ARGS...]
 *
 * Forks, execs COMMAND, forwards SIGINT/SIGTERM/SIGHUP to it, and waits for it
 * with wait4(), which returns the child's own resource usage: user and system
 * CPU seconds (of the child and of any children it waited for) and its peak
 * resident set size.  A command that execs another (ip netns exec, nsenter)
 * stays the same process, so the usage covers the final program; the peak RSS
 * then is the larger of the two programs' peaks (Linux keeps the high-water
 * mark across exec), which for the small launchers is never the larger one.
 *
 * REPORT gets one line of key=value pairs:
 *   launch=<CLOCK_REALTIME s.ns just before exec> wall=<s> user=<s> sys=<s>
 *   maxrss_kib=<KiB> status=<exit code, or 128+signal>
 * The exit status of rusage is the command's (128+signal if it was killed).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		(void)kill((pid_t)child_pid, sig);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double ts_diff(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void usage(void)
{
	fputs("usage: rusage -o REPORT -- COMMAND [ARGS...]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	const char *report = NULL;
	struct sigaction sa;
	struct timespec launch, mono0, mono1;
	struct rusage ru;
	sigset_t set, old;
	FILE *f;
	pid_t pid;
	int opt, status = 0, code;
	size_t i;

	while ((opt = getopt(argc, argv, "+o:")) != -1) {
		if (opt != 'o')
			usage();
		report = optarg;
	}
	if (report == NULL || optind >= argc)
		usage();

	/* Signals stay blocked until the child's pid is known, so none is lost. */
	sigemptyset(&set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, &old) != 0) {
		perror("rusage: sigprocmask");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], &sa, NULL) != 0) {
			perror("rusage: sigaction");
			return 1;
		}
	}

	(void)clock_gettime(CLOCK_REALTIME, &launch);
	(void)clock_gettime(CLOCK_MONOTONIC, &mono0);
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 1;
	}
	if (pid == 0) {
		/* Caught signals revert to default on exec; the mask would not. */
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "rusage: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);

	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 1;
		}
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &mono1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	f = fopen(report, "w");
	if (f == NULL) {
		fprintf(stderr, "rusage: cannot create %s: %s\n", report, strerror(errno));
		return 1;
	}
	fprintf(f, "launch=%lld.%09ld wall=%.6f user=%.6f sys=%.6f maxrss_kib=%ld status=%d\n",
		(long long)launch.tv_sec, launch.tv_nsec, ts_diff(mono0, mono1), tv_s(ru.ru_utime),
		tv_s(ru.ru_stime), ru.ru_maxrss, code);
	if (fclose(f) != 0) {
		perror("rusage: report");
		return 1;
	}
	return code;
}
