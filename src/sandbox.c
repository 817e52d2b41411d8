/* The capture loop's seccomp allow-list and Landlock ruleset; see include/nsdump/sandbox.h
 * and docs/security.md. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/landlock.h>
#include <net/if.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nsdump/output.h"
#include "nsdump/sandbox.h"

/* Allowed with any arguments. What each is for (docs/security.md has the same list). */
static const int plain[] = {
	/* the loop */
	SCMP_SYS(poll),            /* loop.c and libpcap's wait for a ring block */
	SCMP_SYS(ppoll),           /* the same, where libc implements poll with it */
	SCMP_SYS(restart_syscall), /* a poll stopped by SIGSTOP (Ctrl-Z) goes on after SIGCONT */
	SCMP_SYS(read),            /* signalfd; libpcap's breakloop eventfd */
	SCMP_SYS(lseek),           /* output.c: the committed length of a new file */
	SCMP_SYS(fstat),           /* output.c: is the new file regular; stdio's first use */
	SCMP_SYS(newfstatat),      /* glibc implements fstat(2) with it; rotation: what has the
				    * next file's name already */
	SCMP_SYS(close),           /* rotation closes files; the end closes everything */
	SCMP_SYS(uname),           /* the pcapng writer names the OS in each new file's header */
	SCMP_SYS(getsockname),     /* libpcap: has the interface gone (ifindex -1) */
	SCMP_SYS(geteuid),         /* rotation: is a file of the next name the invoker's */
	SCMP_SYS(clock_gettime),   /* normally the vDSO; the real call where there is none */
	SCMP_SYS(gettimeofday),    /* time(2) fallback for -G names, as above */
	SCMP_SYS(time),
	/* memory: malloc and free, libpcap's ring unmapped at the end */
	SCMP_SYS(brk),
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(futex), /* glibc's locks (stdio) when contended; never here, but cheap */
	/* leaving */
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

#ifdef __SANITIZE_ADDRESS__
/* The ASan+UBSan test build only (make ASAN=1): LeakSanitizer's check at exit stops the
 * world from a cloned tracer (clone, ptrace, wait4, sched_yield, prctl, getppid, signals),
 * lists /proc/self/task (open(2), not openat: the sanitizer runtime's own syscall, so
 * nsdump's openat stays refused) and reads /proc/self/maps; ASan protects its shadow pages
 * (mprotect). Found with SANDBOX_LOG=1 and the kernel's audit log. */
static const int sanitizer[] = {
	SCMP_SYS(open),           SCMP_SYS(mprotect),    SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack), SCMP_SYS(sched_yield),
	SCMP_SYS(getpid),         SCMP_SYS(getppid),     SCMP_SYS(gettid),
	SCMP_SYS(tgkill),         SCMP_SYS(kill),        SCMP_SYS(clone),
	SCMP_SYS(wait4),          SCMP_SYS(ptrace),      SCMP_SYS(prctl),
	SCMP_SYS(getdents),       SCMP_SYS(getdents64),  SCMP_SYS(readlink),
};
#endif

/* SCMP_A1() and friends leave datum_b out, which clang's -Wmissing-field-initializers flags. */
static struct scmp_arg_cmp arg(unsigned int n, enum scmp_compare op, scmp_datum_t v)
{
	return (struct scmp_arg_cmp){ .arg = n, .op = op, .datum_a = v, .datum_b = 0 };
}

/* Argument n is descriptor fd. Descriptors are int (openat) or unsigned int (write): the
 * kernel looks at the low 32 bits only, and so does this. */
static struct scmp_arg_cmp fd_is(unsigned int n, int fd)
{
	return (struct scmp_arg_cmp){
		.arg = n, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = (unsigned)fd
	};
}

static int allow_args(scmp_filter_ctx ctx, int nr, unsigned int n, const struct scmp_arg_cmp *a)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, a);
}

/* write(2) and writev(2) on the output, standard output and standard error, and no other
 * descriptor: not the capture's packet socket (a write there sends a frame; the kernel
 * checked CAP_NET_RAW when the socket was made, never again), nor libpcap's breakloop
 * eventfd (pcap_breakloop() writes it: loop.c does not call it). */
static int add_writes(scmp_filter_ctx ctx, int out_fd)
{
	const int fds[] = { STDOUT_FILENO, STDERR_FILENO, out_fd };
	int rc;

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] < 0 || (i == 2 && (out_fd == STDOUT_FILENO || out_fd == STDERR_FILENO)))
			continue;
		rc = allow_args(ctx, SCMP_SYS(write), 1,
				(struct scmp_arg_cmp[]){ fd_is(0, fds[i]) });
		if (rc == 0)
			rc = allow_args(ctx, SCMP_SYS(writev), 1,
					(struct scmp_arg_cmp[]){ fd_is(0, fds[i]) });
		if (rc < 0)
			return rc;
	}
	/* output.c cuts a failed write back to whole packets, starts the writeback of what it
	 * wrote and drops it from the page cache behind: on the output only. */
	rc = allow_args(ctx, SCMP_SYS(sync_file_range), 1,
			(struct scmp_arg_cmp[]){ fd_is(0, out_fd) });
	if (rc == 0)
		rc = allow_args(ctx, SCMP_SYS(fadvise64), 1,
				(struct scmp_arg_cmp[]){ fd_is(0, out_fd) });
	if (rc < 0)
		return rc;
	return allow_args(ctx, SCMP_SYS(ftruncate), 1, (struct scmp_arg_cmp[]){ fd_is(0, out_fd) });
}

static int add_rules(scmp_filter_ctx ctx, const struct nd_sandbox *sb)
{
	bool rotation = sb->dir_fd >= 0;
	int rc;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
		if (rc < 0)
			return rc;
	}
#ifdef __SANITIZE_ADDRESS__
	for (size_t i = 0; i < sizeof(sanitizer) / sizeof(sanitizer[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sanitizer[i], 0);
		if (rc < 0)
			return rc;
	}
#endif
	rc = add_writes(ctx, sb->out_fd);
	if (rc == 0 && sb->has_ctl)
		rc = allow_args(ctx, SCMP_SYS(recvmsg), 1,
				(struct scmp_arg_cmp[]){ fd_is(0, sb->ctl_fd) });
	if (rc == 0 && sb->has_ctl)
		rc = allow_args(ctx, SCMP_SYS(write), 1,
				(struct scmp_arg_cmp[]){ fd_is(0, sb->ctl_fd) });
	/* --follow's writer, rotating: a new file is moved onto the output's number. Only there:
	 * that process holds no packet socket that could be moved onto it. */
	if (rc == 0 && sb->has_ctl && sb->dir_fd >= 0)
		rc = allow_args(ctx, SCMP_SYS(dup3), 1,
				(struct scmp_arg_cmp[]){ fd_is(1, sb->out_fd) });
	if (rc < 0)
		return rc;
	/* pcap_stats(): PACKET_STATISTICS; libpcap after POLLERR: SO_ERROR. */
	rc = allow_args(ctx, SCMP_SYS(getsockopt), 2,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, SOL_PACKET),
						 arg(2, SCMP_CMP_EQ, PACKET_STATISTICS) });
	if (rc < 0)
		return rc;
	rc = allow_args(ctx, SCMP_SYS(getsockopt), 2,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, SOL_SOCKET),
						 arg(2, SCMP_CMP_EQ, SO_ERROR) });
	if (rc < 0)
		return rc;
	/* pcap_close(): libpcap hands the ring back with a zero-sized PACKET_RX_RING. */
	rc = allow_args(ctx, SCMP_SYS(setsockopt), 2,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, SOL_PACKET),
						 arg(2, SCMP_CMP_EQ, PACKET_RX_RING) });
	if (rc < 0)
		return rc;
	/* loop.c: has the interface gone (on the capture's own socket); libpcap, after a block
	 * timeout with no packet: is the interface still there and up. */
	rc = allow_args(ctx, SCMP_SYS(ioctl), 1,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, SIOCGIFINDEX) });
	if (rc < 0)
		return rc;
	rc = allow_args(ctx, SCMP_SYS(ioctl), 1,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, SIOCGIFFLAGS) });
	if (rc < 0)
		return rc;
	/* output.c: how much a pipe takes without blocking (FIONREAD, and F_GETPIPE_SZ when
	 * rotation opens a FIFO). */
	rc = allow_args(ctx, SCMP_SYS(ioctl), 1,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, FIONREAD) });
	if (rc < 0)
		return rc;
	rc = allow_args(ctx, SCMP_SYS(fcntl), 1,
			(struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, F_GETPIPE_SZ) });
	if (rc < 0)
		return rc;
		/* Every other open fails with EACCES rather than killing: pcap_stats() on a
		 * promiscuous capture opens /sys/class/net/IF/statistics/rx_{missed,fifo}_errors
		 * for reading and copes with failure (capture.h: no_sysfs). */
#ifdef ND_SANDBOX_LOG
	if (!rotation) /* logged rather than refused, to see who opens what */
		return 0;
#else
	if (!rotation)
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
#endif
	rc = seccomp_rule_add_array(
		ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1,
		(struct scmp_arg_cmp[]){ arg(2, SCMP_CMP_NE, ND_OUT_CREATE_FLAGS) });
	if (rc < 0)
		return rc;
	/* Rotation: create the next file in the output directory (only with the creation
	 * flags: a new file, no reading, no O_RDWR, no O_PATH, no symlink followed; with any
	 * other directory descriptor the process is killed), remove an old one of the same
	 * name there (a -W ring), and output.c's refusal to write to a terminal (isatty:
	 * TCGETS). Landlock holds the names to the directory too. */
	rc = allow_args(ctx, SCMP_SYS(openat), 2,
			(struct scmp_arg_cmp[]){ fd_is(0, sb->dir_fd),
						 arg(2, SCMP_CMP_EQ, ND_OUT_CREATE_FLAGS) });
	if (rc < 0)
		return rc;
	rc = allow_args(ctx, SCMP_SYS(unlinkat), 2,
			(struct scmp_arg_cmp[]){ fd_is(0, sb->dir_fd), arg(2, SCMP_CMP_EQ, 0) });
	if (rc < 0)
		return rc;
	return allow_args(ctx, SCMP_SYS(ioctl), 1,
			  (struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, TCGETS) });
}

/* Landlock (landlock(7)): with rotation, the loop may create, write, truncate and remove
 * regular files beneath the output directory, and do nothing else to any file: no reading,
 * no other directory, whatever name it passes (seccomp sees only the descriptor; an
 * absolute name or ".." would leave it). glibc 2.36 has no wrappers. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
/* Newer than Debian 12's headers (Linux 6.1, ABI 2): ABI 3 and 5. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* Every filesystem right an ABI version knows: all of them are handled (denied unless a rule
 * grants them). Rights newer than the kernel cannot be handled, and need not be. */
static __u64 fs_rights(long abi)
{
	__u64 r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

static int add_beneath(int ruleset, int dir_fd, __u64 rights)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = rights, .parent_fd = dir_fd };

	return (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

static int apply_landlock(struct nd_sandbox *sb, struct nd_err *err)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr ra;
	__u64 out_rights = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |
			   LANDLOCK_ACCESS_FS_REMOVE_FILE;
	int ruleset, rc;

	/* Not built in (ENOSYS), not enabled at boot (EOPNOTSUPP), or refused by a container
	 * runtime's own seccomp profile (EPERM: Docker 20.10's does not list it): seccomp
	 * alone then, as -v and docs/security.md say. */
	if (abi < 0)
		return 0;
	if (abi >= 3)
		out_rights |= LANDLOCK_ACCESS_FS_TRUNCATE; /* output.c cuts a failed write back */
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = fs_rights(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (ruleset < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot create a Landlock ruleset");
	rc = add_beneath(ruleset, sb->dir_fd, out_rights);
#ifdef __SANITIZE_ADDRESS__
	/* The ASan+UBSan build's leak check at exit lists /proc/self/task and reads
	 * /proc/self/maps (see sanitizer[] above). */
	if (rc == 0) {
		int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

		rc = proc < 0 ? -1
			      : add_beneath(ruleset, proc,
					    LANDLOCK_ACCESS_FS_READ_FILE |
						    LANDLOCK_ACCESS_FS_READ_DIR);
		if (proc >= 0)
			(void)close(proc);
	}
#endif
	if (rc == 0)
		rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
	if (rc < 0) {
		int e = errno;

		(void)close(ruleset);
		return nd_err_set(err, ND_EXIT_FAIL, e,
				  "cannot hold rotation to the output directory with Landlock");
	}
	(void)close(ruleset);
	sb->landlock = (int)abi;
	return 0;
}

int nd_sandbox_enter(struct nd_sandbox *sb, struct nd_err *err)
{
	scmp_filter_ctx ctx;
	int rc;

	sb->landlock = 0;
	/* Before seccomp, which does not allow Landlock's system calls. */
	if (sb->dir_fd >= 0 && apply_landlock(sb, err) < 0)
		return -1;
#ifdef ND_SANDBOX_LOG
	ctx = seccomp_init(SCMP_ACT_LOG);
#else
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
#endif
	if (ctx == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM,
				  "cannot set up the system call filter");
	rc = add_rules(ctx, sb);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return nd_err_set(err, ND_EXIT_FAIL, -rc, "cannot install the system call filter");
	return 0;
}
