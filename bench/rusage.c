/*
 * rusage: run a command and report what it cost, for nsdump's benchmark.
 *
 *   rusage -o REPORT [-t TTYLOG] -- COMMAND [ARGS...]
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
 *
 * -t TTYLOG: the command's standard error is a pseudo-terminal (raw, 100 columns), what it
 * writes there is copied to TTYLOG. nsdump shows its live status line only on a terminal;
 * the copying is rusage's work, outside the command's usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
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
	fputs("usage: rusage -o REPORT [-t TTYLOG] -- COMMAND [ARGS...]\n", stderr);
	exit(2);
}

/* open_pty: a raw pseudo-terminal of 100 columns; its master in *master, its slave returned. */
static int open_pty(int *master)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 100 };
	struct termios t;
	int m, sl;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || ptsname(m) == NULL)
		return -1;
	sl = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0 || tcgetattr(sl, &t) != 0)
		return -1;
	cfmakeraw(&t);
	if (tcsetattr(sl, TCSANOW, &t) != 0 || ioctl(sl, TIOCSWINSZ, &ws) != 0 ||
	    fcntl(m, F_SETFL, O_NONBLOCK) != 0)
		return -1;
	*master = m;
	return sl;
}

/* copy_pty: what the master holds, to LOG; false once the slave side is closed. */
static bool copy_pty(int master, int log)
{
	char buf[4096];
	ssize_t r;

	for (;;) {
		r = read(master, buf, sizeof(buf));
		if (r > 0) {
			if (write(log, buf, (size_t)r) != r)
				return false;
			continue;
		}
		/* EIO: every slave fd is closed (the command is gone). */
		return r < 0 && (errno == EAGAIN || errno == EINTR);
	}
}

/* wait_copying: wait4 for PID while copying the pty's output to LOG. */
static pid_t wait_copying(pid_t pid, int *status, struct rusage *ru, int master, int log)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	pid_t r;

	for (;;) {
		r = wait4(pid, status, WNOHANG, ru);
		if (r != 0) {
			(void)copy_pty(master, log);
			return r;
		}
		if (poll(&p, 1, 100) > 0 && !copy_pty(master, log))
			p.fd = -1; /* nothing more will come: just wait */
	}
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	const char *report = NULL, *ttylog = NULL;
	int master = -1, slave = -1, log = -1;
	struct sigaction sa;
	struct timespec launch, mono0, mono1;
	struct rusage ru;
	sigset_t set, old;
	FILE *f;
	pid_t pid;
	int opt, status = 0, code;
	size_t i;

	while ((opt = getopt(argc, argv, "+o:t:")) != -1) {
		if (opt == 'o')
			report = optarg;
		else if (opt == 't')
			ttylog = optarg;
		else
			usage();
	}
	if (report == NULL || optind >= argc)
		usage();
	if (ttylog != NULL) {
		slave = open_pty(&master);
		log = open(ttylog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (slave < 0 || log < 0) {
			fprintf(stderr, "rusage: pseudo-terminal for %s: %s\n", ttylog,
				strerror(errno));
			return 1;
		}
	}

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
		if (slave >= 0 && dup2(slave, STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "rusage: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);

	if (slave >= 0)
		(void)close(slave);
	while ((master >= 0 ? wait_copying(pid, &status, &ru, master, log)
			    : wait4(pid, &status, 0, &ru)) < 0) {
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
