/* The seccomp allow-list of the capture loop (libseccomp). docs/security.md lists every
 * system call it allows and why. */
#ifndef NSDUMP_SANDBOX_H
#define NSDUMP_SANDBOX_H

#include <stdbool.h>

#include "nsdump/err.h"

/* Installs the filter for the rest of the process's life: any system call outside the list
 * kills the process (SIGSYS). Call after nd_privs_drop() (which sets no-new-privs, which an
 * unprivileged process needs to install a filter) and before the capture loop. With rotation
 * (-G/-C) the loop may also create files, with exactly ND_OUT_OPEN_FLAGS; otherwise it opens
 * nothing at all. Built with -DND_SANDBOX_LOG, a forbidden call is logged (kernel audit log)
 * instead, for finding what a new code path needs. Irreversible. */
int nd_sandbox_enter(bool rotation, struct nd_err *err);

#endif
