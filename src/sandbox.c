/* The capture loop's seccomp allow-list; see include/nsdump/sandbox.h and docs/security.md. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "nsdump/output.h"
#include "nsdump/sandbox.h"

/* Allowed with any arguments. What each is for (docs/security.md has the same list). */
static const int plain[] = {
	/* the loop */
	SCMP_SYS(poll),          /* loop.c and libpcap's wait for a ring block */
	SCMP_SYS(ppoll),         /* the same, where libc implements poll with it */
	SCMP_SYS(read),          /* signalfd; libpcap's breakloop eventfd */
	SCMP_SYS(write),         /* the output; stderr; libpcap's breakloop eventfd */
	SCMP_SYS(writev),        /* stdio on stderr may write a buffer and a string at once */
	SCMP_SYS(lseek),         /* output.c: the committed length of a new file */
	SCMP_SYS(ftruncate),     /* output.c: cut a failed write back to whole packets */
	SCMP_SYS(fstat),         /* output.c: is the new file regular; stdio's first use */
	SCMP_SYS(newfstatat),    /* glibc implements fstat(2) with it */
	SCMP_SYS(close),         /* rotation closes files; the end closes everything */
	SCMP_SYS(uname),         /* the pcapng writer names the OS in each new file's header */
	SCMP_SYS(getsockname),   /* libpcap: has the interface gone (ifindex -1) */
	SCMP_SYS(clock_gettime), /* normally the vDSO; the real call where there is none */
	SCMP_SYS(gettimeofday),  /* time(2) fallback for -G names, as above */
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

static int allow_args(scmp_filter_ctx ctx, int nr, unsigned int n, const struct scmp_arg_cmp *a)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, a);
}

static int add_rules(scmp_filter_ctx ctx, bool rotation)
{
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
		(struct scmp_arg_cmp[]){ arg(2, SCMP_CMP_NE, ND_OUT_OPEN_FLAGS) });
	if (rc < 0)
		return rc;
	/* Rotation: create the next file (only with the output flags: no reading, no O_RDWR,
	 * no O_PATH), and output.c's refusal to write to a terminal (isatty: TCGETS). */
	rc = allow_args(ctx, SCMP_SYS(openat), 1,
			(struct scmp_arg_cmp[]){ arg(2, SCMP_CMP_EQ, ND_OUT_OPEN_FLAGS) });
	if (rc < 0)
		return rc;
	return allow_args(ctx, SCMP_SYS(ioctl), 1,
			  (struct scmp_arg_cmp[]){ arg(1, SCMP_CMP_EQ, TCGETS) });
}

int nd_sandbox_enter(bool rotation, struct nd_err *err)
{
#ifdef ND_SANDBOX_LOG
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_LOG);
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
#endif
	int rc;

	if (ctx == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM,
				  "cannot set up the system call filter");
	rc = add_rules(ctx, rotation);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return nd_err_set(err, ND_EXIT_FAIL, -rc, "cannot install the system call filter");
	return 0;
}
