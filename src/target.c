/* Resolving --pid and --netns to an open network namespace, and entering it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/netlink.h"
#include "nsdump/proc.h"
#include "nsdump/resolve.h"
#include "nsdump/target.h"
#include "nsdump/testhooks.h"

#define NETNS_RUN_DIR "/run/netns"

static const char perm_hint[] = "run as root, or install nsdump setuid or with file capabilities: "
				"see 'Privileges' in the README";

void nd_target_init(struct nd_target *t)
{
	memset(t, 0, sizeof(*t));
	t->pidfd = -1;
	t->netns_fd = -1;
	t->host_fd = -1;
}

void nd_target_close(struct nd_target *t)
{
	if (t->pidfd >= 0)
		(void)close(t->pidfd);
	if (t->netns_fd >= 0)
		(void)close(t->netns_fd);
	if (t->host_fd >= 0)
		(void)close(t->host_fd);
	t->pidfd = -1;
	t->netns_fd = -1;
	t->host_fd = -1;
}

int nd_target_check_netns_fd(int fd, const char *what, unsigned long long *ino, struct nd_err *err)
{
	struct statfs sfs;
	struct stat st;
	int type;

	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine %s", what);
	if (sfs.f_type != NSFS_MAGIC)
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
				  "%s is not a namespace file (expected a name under %s, or a "
				  "path like /proc/PID/ns/net)",
				  what, NETNS_RUN_DIR);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot query the namespace type of %s",
				  what);
	if (type != CLONE_NEWNET)
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
				  "%s is a namespace, but not a network namespace", what);
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

static int open_pid(struct nd_target *t, pid_t pid, struct nd_privs *privs, struct nd_err *err)
{
	struct nd_proc_stat before, after;
	char path[64];
	int fd, e;

	if (nd_proc_read_stat(pid, &before, err) < 0)
		return -1;
	if (before.state == 'Z' || before.state == 'X')
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "process %d (%s) has already exited",
				  (int)pid, before.comm);
	/* The pidfd pins this very process: if the PID is recycled later, polling it still
	 * reports the exit of the one we resolved. */
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (t->pidfd < 0) {
		if (errno == ESRCH)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "no process with PID %d",
					  (int)pid);
		return nd_err_set(err, ND_EXIT_FAIL, errno, "pidfd_open(%d)", (int)pid);
	}
	if (nd_proc_read_stat(pid, &after, err) < 0)
		return -1;
	if (after.starttime != before.starttime)
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
				  "process %d exited and its PID was reused while resolving it",
				  (int)pid);

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (nd_privs_raise(privs, CAP_SYS_PTRACE, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	e = errno;
	if (nd_privs_lower(privs, err) < 0) {
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	if (fd < 0) {
		if (e == ENOENT || e == ESRCH)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
					  "process %d exited while resolving it", (int)pid);
		if (e == EACCES || e == EPERM) {
			nd_err_set(err, ND_EXIT_PERM, e, "cannot open %s", path);
			return nd_err_hint(err, "%s", perm_hint);
		}
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot open %s", path);
	}
	t->netns_fd = fd;
	/* The namespace file was opened by PID; make sure PID still named our process then.
	 * The pidfd becomes readable when its process exits. */
	if (nd_target_exited(t))
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0, "process %d exited while resolving it",
				  (int)pid);
	t->kind = ND_TARGET_PID;
	t->pid = pid;
	t->starttime = before.starttime;
	snprintf(t->label, sizeof(t->label), "PID %d (%s)", (int)pid, before.comm);
	return nd_target_check_netns_fd(t->netns_fd, path, &t->netns_ino, err);
}

static int open_netns(struct nd_target *t, const char *arg, struct nd_privs *privs,
		      struct nd_err *err)
{
	bool is_name = strchr(arg, '/') == NULL;
	char path[4096];
	int fd, e;

	if (is_name) {
		if (strcmp(arg, ".") == 0 || strcmp(arg, "..") == 0)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "invalid network namespace name '%s'", arg);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, arg) >=
		    sizeof(path))
			return nd_err_set(err, ND_EXIT_USAGE, 0, "network namespace name too long");
	} else {
		if (strlen(arg) >= sizeof(path))
			return nd_err_set(err, ND_EXIT_USAGE, 0, "network namespace path too long");
		snprintf(path, sizeof(path), "%s", arg);
	}
	/* A path named by the user is opened with the user's rights only. O_NONBLOCK and
	 * O_NOCTTY: whatever the path is, opening it must not block or have side effects. */
	if (nd_privs_invoker_begin(privs, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	e = errno;
	if (nd_privs_invoker_end(privs, err) < 0) {
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	if (fd < 0) {
		if (e == ENOENT && is_name)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
					  "no network namespace named '%s' (no %s; 'ip netns list' "
					  "shows the names)",
					  arg, path);
		if (e == ENOENT)
			return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
					  "no network namespace at %s (no "
					  "such file)",
					  path);
		if (e == EACCES || e == EPERM) {
			nd_err_set(err, ND_EXIT_PERM, e, "cannot open %s", path);
			return nd_err_hint(err, "%s", perm_hint);
		}
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot open %s", path);
	}
	t->netns_fd = fd;
	t->kind = ND_TARGET_NETNS;
	snprintf(t->label, sizeof(t->label), "netns %s", arg);
	return nd_target_check_netns_fd(fd, path, &t->netns_ino, err);
}

static double elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* Searches the runtimes for spec's container or pod. */
static int find_container(const struct nd_target_spec *spec, const struct nd_resolver_cfg *rcfg,
			  struct nd_privs *privs, struct nd_container *c, struct nd_err *err)
{
	struct nd_resolver *res;
	int rc;

	if (nd_resolver_new(&res, rcfg, privs, err) < 0)
		return -1;
	/* The runtimes' sockets and state are read with the invoker's rights: membership of
	 * the docker group, say, is what lets one use docker.sock, with nsdump as without. */
	rc = nd_privs_invoker_begin(privs, err);
	if (rc == 0 && spec->kind == ND_TARGET_POD)
		rc = nd_resolve_pod(res, spec->pod_ns, spec->name, c, err);
	else if (rc == 0)
		rc = nd_resolve_container(res, spec->name, c, err);
	nd_resolver_free(res);
	if (nd_privs_invoker_end(privs, err) < 0 || rc < 0)
		return -1;
	return 0;
}

static int open_container(struct nd_target *t, const struct nd_target_spec *spec,
			  const struct nd_resolver_cfg *rcfg, struct nd_privs *privs,
			  struct nd_err *err)
{
	struct nd_container c = { 0 };
	struct timespec t0;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if (spec->found != NULL)
		c = *spec->found;
	else if (find_container(spec, rcfg, privs, &c, err) < 0)
		return -1;
	t->resolve_ms = elapsed_ms(&t0);
	if (open_pid(t, c.pid, privs, err) < 0)
		return nd_err_prefix(err, "container %s (%s)", c.name, nd_runtime_name(c.runtime));
	if (c.start != 0 && c.start != t->starttime)
		return nd_err_set(
			err, ND_EXIT_NOTFOUND, 0,
			"container %s (%s): its state is stale: PID %d is another process "
			"now",
			c.name, nd_runtime_name(c.runtime), (int)c.pid);
	t->is_container = true;
	t->container = c;
	snprintf(t->label, sizeof(t->label), "%s %.80s (%s%s%.40s %.12s, PID %d)",
		 spec->kind == ND_TARGET_POD ? "pod" : "container",
		 spec->kind == ND_TARGET_POD ? spec->name : c.name, nd_runtime_name(c.runtime),
		 c.ns[0] ? " " : "", c.ns, c.id, (int)c.pid);
	return 0;
}

/* Opens nsdump's own namespace (to come back to it, and to recognise a target that is in it). */
static int open_host(struct nd_target *t, struct nd_err *err)
{
	struct stat own, tgt;

	t->host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (t->host_fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno,
				  "cannot open nsdump's own network namespace");
	if (fstat(t->host_fd, &own) < 0 || fstat(t->netns_fd, &tgt) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine network namespaces");
	t->is_host = own.st_ino == tgt.st_ino && own.st_dev == tgt.st_dev;
	return 0;
}

int nd_target_open(struct nd_target *t, const struct nd_target_spec *spec,
		   const struct nd_resolver_cfg *rcfg, struct nd_privs *privs, struct nd_err *err)
{
	int rc;

	switch (spec->kind) {
	case ND_TARGET_CONTAINER:
	case ND_TARGET_POD:
		rc = open_container(t, spec, rcfg, privs, err);
		break;
	case ND_TARGET_PID:
		rc = open_pid(t, spec->pid, privs, err);
		break;
	case ND_TARGET_NETNS:
		rc = open_netns(t, spec->name, privs, err);
		break;
	case ND_TARGET_NONE:
	default:
		return nd_err_set(err, ND_EXIT_USAGE, 0, "no target given");
	}
	return rc < 0 ? -1 : open_host(t, err);
}

int nd_target_netlink(struct nd_target *t, struct nd_privs *privs, struct nd_nl *nl,
		      struct nd_err *err)
{
	int rc = 0;

	if (t->is_host)
		return nd_nl_open(nl, err);
	if (nd_target_enter(t, privs, err) < 0)
		return -1;
	if (nd_nl_open(nl, err) < 0)
		rc = -1;
	else
		nd_testhooks_netlink(nl->portid, nl->seq + 1);
	if (nd_target_leave(t, privs, err) < 0) {
		nd_nl_close(nl);
		return -1;
	}
	return rc;
}

int nd_target_leave(struct nd_target *t, struct nd_privs *privs, struct nd_err *err)
{
	int rc, e;

	if (t->is_host)
		return 0;
	if (nd_privs_raise(privs, CAP_SYS_ADMIN, err) < 0)
		return -1;
	rc = setns(t->host_fd, CLONE_NEWNET);
	e = errno;
	if (nd_privs_lower(privs, err) < 0)
		return -1;
	/* Staying in the target's namespace by mistake is not an option: the caller stops. */
	if (rc < 0)
		return nd_err_set(err, ND_EXIT_FAIL, e,
				  "cannot return to nsdump's own network namespace");
	return 0;
}

int nd_target_enter(struct nd_target *t, struct nd_privs *privs, struct nd_err *err)
{
	int rc, e;

	if (nd_privs_raise(privs, CAP_SYS_ADMIN, err) < 0)
		return -1;
	rc = setns(t->netns_fd, CLONE_NEWNET);
	e = errno;
	if (nd_privs_lower(privs, err) < 0)
		return -1;
	if (rc < 0) {
		nd_err_set(err, e == EPERM ? ND_EXIT_PERM : ND_EXIT_FAIL, e,
			   "cannot enter the network namespace of %s", t->label);
		return e == EPERM ? nd_err_hint(err, "%s", perm_hint) : -1;
	}
	return 0;
}

int nd_target_exited(const struct nd_target *t)
{
	struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

	if (t->pidfd < 0)
		return 0;
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP)) != 0;
}
