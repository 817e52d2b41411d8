/* Every change of identity or capability happens here, in one place, each step checked.
 *
 * Order (see README "Privileges"): nd_privs_init() first thing in main; then each privileged
 * step raises one capability around one call (nd_privs_raise/nd_privs_lower); user-named
 * files are opened between nd_privs_invoker_begin/end; nd_privs_drop() removes everything
 * and verifies it before the first packet is read. */
#ifndef NSDUMP_PRIVS_H
#define NSDUMP_PRIVS_H

#include <stdbool.h>
#include <sys/capability.h>
#include <sys/types.h>

#include "nsdump/err.h"

enum nd_privs_mode {
	ND_PRIVS_NONE,     /* an ordinary user, no capabilities: privileged steps will fail */
	ND_PRIVS_ROOT,     /* real uid 0, e.g. through sudo */
	ND_PRIVS_SETUID,   /* installed setuid-root, invoked by another user */
	ND_PRIVS_FILECAPS, /* installed with file capabilities */
};

struct nd_privs {
	enum nd_privs_mode mode;
	uid_t ruid;
	gid_t rgid;
	bool dropped;
};

/* Records the real ids and reduces the process to what the capture needs: under setuid it
 * becomes the real user (keeping the needed capabilities in the permitted set only); in the
 * setuid and file-capability modes the process is made non-dumpable (no core, no ptrace or
 * pidfd_getfd by the invoker) after the id change, which resets that flag; the effective set
 * is emptied in every privileged mode. */
int nd_privs_init(struct nd_privs *p, struct nd_err *err);

/* Makes cap effective, when it is permitted; otherwise does nothing and lets the privileged
 * call fail with EPERM, which the caller reports. */
int nd_privs_raise(struct nd_privs *p, cap_value_t cap, struct nd_err *err);
/* Empties the effective set again. */
int nd_privs_lower(struct nd_privs *p, struct nd_err *err);

/* Brackets opening a user-named file with the invoker's own rights: for a root invoker that
 * is root's usual rights; for everyone else the real uid/gid with no capability at all. */
int nd_privs_invoker_begin(struct nd_privs *p, struct nd_err *err);
int nd_privs_invoker_end(struct nd_privs *p, struct nd_err *err);

/* Drops every capability (effective, permitted, inheritable, ambient and, where possible, the
 * bounding set), sets no-new-privs, makes an elevated process non-dumpable once more, and
 * verifies that no capability is left, that the ids are the real ones and (elevated) that the
 * process is not dumpable. Irreversible. */
int nd_privs_drop(struct nd_privs *p, struct nd_err *err);

const char *nd_privs_mode_name(enum nd_privs_mode mode);

/* True in the setuid and file-capability modes, where nsdump has privileges its invoker does
 * not: the environment, and every path or address the invoker names, is then hostile input.
 * A module that would honour an environment variable (DOCKER_HOST, CONTAINERD_ADDRESS...) uses
 * the built-in default instead; main() also empties the environment (nd_authz_clean_env). */
bool nd_privs_elevated(const struct nd_privs *p);

/* True when the real uid is 0: options that point nsdump's privileges at arbitrary state
 * (such as --root) are refused for everyone else. */
bool nd_privs_invoker_is_root(const struct nd_privs *p);

/* getenv(), or NULL when nd_privs_elevated(): the one way modules read the environment. */
const char *nd_privs_getenv(const struct nd_privs *p, const char *name);

#endif
