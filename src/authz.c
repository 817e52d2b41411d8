/* Authorization and start-up hygiene; see include/nsdump/authz.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "nsdump/authz.h"

int nd_authz_reset_signals(struct nd_err *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		/* glibc reserves the first real-time signals for itself (EINVAL): skip those. */
		if (sigaction(s, &dfl, NULL) < 0 && errno != EINVAL)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot reset signal %d", s);
	}
	if (sigemptyset(&none) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot clear the signal mask");
	return 0;
}

int nd_authz_std_fds(struct nd_err *err)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number, as those below it are open: fd itself. Not O_CLOEXEC:
		 * it stands for the standard descriptor. */
		n = open("/dev/null", O_RDWR);
		if (n < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno,
					  "cannot open /dev/null for closed descriptor %d", fd);
		if (n != fd) {
			(void)close(n);
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "cannot open /dev/null as closed descriptor %d", fd);
		}
	}
	return 0;
}

bool nd_authz_in_group(gid_t gid, gid_t rgid, const gid_t *groups, int n)
{
	if (gid == rgid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

int nd_authz_check(const struct nd_privs *p, const char *group, struct nd_err *err)
{
	gid_t *groups = NULL;
	const struct group *gr;
	gid_t gid;
	bool member;
	int n;

	if (!nd_privs_elevated(p) || nd_privs_invoker_is_root(p))
		return 0;
#ifdef ND_STATIC
	/* `make static`: glibc's getgrnam() in a static binary loads the host's NSS modules at
	 * run time (whatever glibc they were built for), which no privileged binary should do;
	 * the static build is for root on a node or in a container (docs/container.md). */
	(void)gr;
	return nd_err_set(err, ND_EXIT_PERM, 0,
			  "not permitted: this static nsdump is for root only; for group '%s', "
			  "install the packaged nsdump setuid or with file capabilities (see "
			  "'Privileges' in nsdump(8))",
			  group);
#endif
	errno = 0;
	gr = getgrnam(group);
	if (gr == NULL) {
		if (errno != 0 && errno != ENOENT && errno != ESRCH)
			return nd_err_set(err, ND_EXIT_PERM, errno, "cannot look up group '%s'",
					  group);
		return nd_err_set(
			err, ND_EXIT_PERM, 0,
			"not permitted: this nsdump is installed %s, for root and the "
			"group '%s', which does not exist (see 'Privileges' in nsdump(8))",
			nd_privs_mode_name(p->mode), group);
	}
	gid = gr->gr_gid;
	/* The kernel's list, not the group file's: a user added to the group since logging in
	 * is not a member of it yet, as for every other group check. */
	n = getgroups(0, NULL);
	if (n < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read the supplementary groups");
	if (n > 0) {
		groups = calloc((size_t)n, sizeof(*groups));
		if (groups == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM,
					  "cannot read the supplementary groups");
		n = getgroups(n, groups);
		if (n < 0) {
			int e = errno;

			free(groups);
			return nd_err_set(err, ND_EXIT_FAIL, e,
					  "cannot read the supplementary groups");
		}
	}
	member = nd_authz_in_group(gid, p->rgid, groups, n);
	free(groups);
	if (!member)
		return nd_err_set(
			err, ND_EXIT_PERM, 0,
			"not permitted: user %u is neither root nor a member of group '%s', "
			"for whom this nsdump is installed %s (see 'Privileges' in nsdump(8))",
			(unsigned)p->ruid, group, nd_privs_mode_name(p->mode));
	return 0;
}

int nd_authz_clean_env(const struct nd_privs *p, struct nd_err *err)
{
	if (!nd_privs_elevated(p))
		return 0;
	if (clearenv() != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot clear the environment");
	return 0;
}
