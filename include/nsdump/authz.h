/* Who may use nsdump's privileges, and the process hygiene done before anything else.
 *
 * Called from main() right after nd_privs_init(): nd_authz_reset_signals() first of all (before
 * nd_privs_init), then nd_authz_check(), then nd_authz_clean_env(); see docs/security.md. */
#ifndef NSDUMP_AUTHZ_H
#define NSDUMP_AUTHZ_H

#include <stdbool.h>
#include <sys/types.h>

#include "nsdump/err.h"
#include "nsdump/privs.h"

/* The group whose members may use a setuid or file-capability install (make NSDUMP_GROUP=...). */
#ifndef ND_GROUP
#define ND_GROUP "nsdump"
#endif

/* Sets every catchable signal's disposition back to the default and empties the signal mask:
 * a setuid program inherits both from its invoker, who could, say, ignore SIGTERM or block
 * SIGINT to change how nsdump stops. nsdump's own signal set-up comes later. */
int nd_authz_reset_signals(struct nd_err *err);

/* Opens /dev/null on whichever of descriptors 0, 1 and 2 the invoker left closed. Otherwise
 * the next descriptor nsdump opens, perhaps a capture's packet socket, would get that number,
 * and the capture loop's sandbox lets it write to 1 and 2 (a write to a packet socket sends a
 * frame). glibc does this for setuid and file-capability programs only (AT_SECURE). */
int nd_authz_std_fds(struct nd_err *err);

/* True when gid is rgid or one of the supplementary groups in groups[0..n). Pure, for tests. */
bool nd_authz_in_group(gid_t gid, gid_t rgid, const gid_t *groups, int n);

/* In the setuid and file-capability modes, refuses (ND_EXIT_PERM) an invoker who is neither
 * root nor a member of `group`, from the real gid and the kernel's supplementary group list,
 * never from the environment. A group that does not exist admits nobody but root. Does nothing
 * in the other modes: there nsdump has no privilege the invoker lacks. */
int nd_authz_check(const struct nd_privs *p, const char *group, struct nd_err *err);

/* In the setuid and file-capability modes, empties the environment: every variable in it
 * (DOCKER_HOST, TMPDIR, locale, TZ...) was chosen by the invoker, not by the admin who gave
 * nsdump its privileges. Modules must still ask nd_privs_elevated() before trusting one. */
int nd_authz_clean_env(const struct nd_privs *p, struct nd_err *err);

#endif
