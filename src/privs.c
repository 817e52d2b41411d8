/* Identity and capability handling; see include/nsdump/privs.h for the order of steps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "nsdump/privs.h"

/* What the capture needs, and no more: SYS_PTRACE to open another user's /proc/PID/ns/net,
 * SYS_ADMIN for setns(2), NET_RAW for the packet socket, SETPCAP to empty the bounding set
 * at the end. */
static const cap_value_t needed_caps[] = {
	CAP_SYS_PTRACE,
	CAP_SYS_ADMIN,
	CAP_NET_RAW,
	CAP_SETPCAP,
};
#define N_NEEDED (int)(sizeof(needed_caps) / sizeof(needed_caps[0]))

const char *nd_privs_mode_name(enum nd_privs_mode mode)
{
	switch (mode) {
	case ND_PRIVS_ROOT:
		return "root";
	case ND_PRIVS_SETUID:
		return "setuid-root";
	case ND_PRIVS_FILECAPS:
		return "file capabilities";
	case ND_PRIVS_NONE:
		break;
	}
	return "unprivileged";
}

bool nd_privs_elevated(const struct nd_privs *p)
{
	return p->mode == ND_PRIVS_SETUID || p->mode == ND_PRIVS_FILECAPS;
}

bool nd_privs_invoker_is_root(const struct nd_privs *p)
{
	return p->ruid == 0;
}

const char *nd_privs_getenv(const struct nd_privs *p, const char *name)
{
	if (nd_privs_elevated(p))
		return NULL;
	return getenv(name);
}

static bool cap_permitted(cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (caps == NULL)
		return false;
	if (cap_get_flag(caps, cap, CAP_PERMITTED, &v) < 0)
		v = CAP_CLEAR;
	cap_free(caps);
	return v == CAP_SET;
}

static bool any_cap_permitted(void)
{
	int max = (int)cap_max_bits();

	for (int c = 0; c < max; c++)
		if (cap_permitted((cap_value_t)c))
			return true;
	return false;
}

/* Sets the process's sets: permitted = what is permitted now, intersected with keep[] (or
 * everything when keep == NULL); effective = raise (or nothing when raise < 0). */
static int set_caps(const cap_value_t *keep, int nkeep, cap_value_t raise, bool raise_all,
		    struct nd_err *err)
{
	cap_t cur = cap_get_proc();
	cap_t next = cap_init();
	int max = (int)cap_max_bits();
	int rc = 0;

	if (cur == NULL || next == NULL) {
		rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read capabilities");
		goto out;
	}
	for (int c = 0; c < max; c++) {
		cap_value_t cv = (cap_value_t)c;
		cap_flag_value_t perm = CAP_CLEAR;
		bool wanted = keep == NULL;

		if (cap_get_flag(cur, cv, CAP_PERMITTED, &perm) < 0) {
			rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read capabilities");
			goto out;
		}
		for (int i = 0; !wanted && i < nkeep; i++)
			wanted = keep[i] == cv;
		if (perm != CAP_SET || !wanted)
			continue;
		if (cap_set_flag(next, CAP_PERMITTED, 1, &cv, CAP_SET) < 0 ||
		    ((raise_all || cv == raise) &&
		     cap_set_flag(next, CAP_EFFECTIVE, 1, &cv, CAP_SET) < 0)) {
			rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot build capability set");
			goto out;
		}
	}
	if (cap_set_proc(next) < 0)
		rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot set capabilities");
out:
	if (cur != NULL)
		cap_free(cur);
	if (next != NULL)
		cap_free(next);
	return rc;
}

/* A core file or a debugger attached to a privileged process could take other users'
 * packets, or the capture socket itself. The kernel marks a setuid or file-capability
 * process non-dumpable at exec, but sets the flag back to fs.suid_dumpable (which may be 1
 * or 2) whenever the effective ids change, so it is set again after each such change. */
static int not_dumpable(struct nd_err *err)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot disable core dumps");
	return 0;
}

int nd_privs_init(struct nd_privs *p, struct nd_err *err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read process ids");
	p->ruid = ruid;
	p->rgid = rgid;
	p->dropped = false;

	if (ruid == 0 && euid == 0) {
		p->mode = ND_PRIVS_ROOT;
	} else if (euid == 0) {
		p->mode = ND_PRIVS_SETUID;
	} else if (any_cap_permitted()) {
		p->mode = ND_PRIVS_FILECAPS;
	} else {
		p->mode = ND_PRIVS_NONE;
		return 0;
	}

	if (p->mode != ND_PRIVS_ROOT && not_dumpable(err) < 0)
		return -1;
	if (p->mode == ND_PRIVS_SETUID) {
		/* Become the invoker for good, keeping the capabilities in the permitted set:
		 * every file access from now on is checked against the real user. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot keep capabilities");
		if (setresgid(rgid, rgid, rgid) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot switch to group %u",
					  (unsigned)rgid);
		if (setresuid(ruid, ruid, ruid) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot switch to user %u",
					  (unsigned)ruid);
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno,
					  "cannot reset keep-capabilities");
		/* The id change just reset the flag to fs.suid_dumpable (commit_creds()): with 1
		 * the invoker could ptrace this process or take its sockets (pidfd_getfd), with
		 * 2 make it dump a root-owned core. */
		if (not_dumpable(err) < 0)
			return -1;
	}
	/* Root keeps its permitted set (its own rights, used for its own files); the others keep
	 * only what the capture needs. Nobody keeps an effective capability. */
	if (p->mode == ND_PRIVS_ROOT)
		return set_caps(NULL, 0, -1, false, err);
	return set_caps(needed_caps, N_NEEDED, -1, false, err);
}

int nd_privs_raise(struct nd_privs *p, cap_value_t cap, struct nd_err *err)
{
	if (p->mode == ND_PRIVS_NONE || p->dropped || !cap_permitted(cap))
		return 0;
	return set_caps(NULL, 0, cap, false, err);
}

int nd_privs_lower(struct nd_privs *p, struct nd_err *err)
{
	if (p->mode == ND_PRIVS_NONE || p->dropped)
		return 0;
	return set_caps(NULL, 0, -1, false, err);
}

int nd_privs_invoker_begin(struct nd_privs *p, struct nd_err *err)
{
	if (p->mode != ND_PRIVS_ROOT || p->dropped)
		return 0;
	return set_caps(NULL, 0, -1, true, err);
}

int nd_privs_invoker_end(struct nd_privs *p, struct nd_err *err)
{
	return nd_privs_lower(p, err);
}

static int verify_dropped(const struct nd_privs *p, struct nd_err *err)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int max = (int)cap_max_bits();
	cap_t caps = cap_get_proc();

	if (caps == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read capabilities");
	for (int c = 0; c < max; c++) {
		cap_flag_value_t v[3] = { CAP_CLEAR, CAP_CLEAR, CAP_CLEAR };

		if (cap_get_flag(caps, (cap_value_t)c, CAP_EFFECTIVE, &v[0]) < 0 ||
		    cap_get_flag(caps, (cap_value_t)c, CAP_PERMITTED, &v[1]) < 0 ||
		    cap_get_flag(caps, (cap_value_t)c, CAP_INHERITABLE, &v[2]) < 0 ||
		    v[0] == CAP_SET || v[1] == CAP_SET || v[2] == CAP_SET) {
			cap_free(caps);
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "capability %d still held after dropping privileges", c);
		}
	}
	cap_free(caps);
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read process ids");
	if (r != p->ruid || e != p->ruid || s != p->ruid || rg != p->rgid || eg != p->rgid ||
	    sg != p->rgid)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "ids are not the real ones after dropping");
	/* The drop must be irreversible: getting root back has to fail. */
	if (p->ruid != 0 && setuid(0) == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "could regain root after dropping privileges");
	/* Root's own process may dump core (its packets, root's file); a process with
	 * privileges its invoker lacks may not, nor be traced by them. */
	if (nd_privs_elevated(p) && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "still dumpable after dropping privileges");
	return 0;
}

int nd_privs_drop(struct nd_privs *p, struct nd_err *err)
{
	cap_t none;

	if (p->mode != ND_PRIVS_NONE && cap_permitted(CAP_SETPCAP)) {
		int max = (int)cap_max_bits();

		if (nd_privs_raise(p, CAP_SETPCAP, err) < 0)
			return -1;
		for (int c = 0; c < max; c++)
			if (cap_drop_bound((cap_value_t)c) < 0 && errno != EINVAL)
				return nd_err_set(err, ND_EXIT_FAIL, errno,
						  "cannot drop capability %d from the bounding set",
						  c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot clear ambient capabilities");
	none = cap_init();
	if (none == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot build capability set");
	if (cap_set_proc(none) < 0) {
		int e = errno;

		cap_free(none);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot drop capabilities");
	}
	cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot set no-new-privileges");
	/* Once more after the last change of credentials, whatever changed them. */
	if (nd_privs_elevated(p) && not_dumpable(err) < 0)
		return -1;
	p->dropped = true;
	return verify_dropped(p, err);
}
