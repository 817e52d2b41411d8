/* The capture loop's sandbox: a seccomp allow-list (libseccomp) and, with rotation, a Landlock
 * ruleset. docs/security.md lists every system call it allows and why. */
#ifndef NSDUMP_SANDBOX_H
#define NSDUMP_SANDBOX_H

#include <stdbool.h>

#include "nsdump/err.h"

struct nd_sandbox {
	/* in */
	int out_fd; /* the output: write(2) is allowed on it, on 1 and on 2, on nothing else */
	int dir_fd; /* rotation: the directory files are created in (O_PATH); -1: no rotation,
		     * the loop opens nothing */
	/* --follow's writer: recvmsg(2) (the starts' streams) and write(2) (one byte: stop) on
	 * ctl_fd, its control socket; read(2) is allowed on any descriptor anyway. */
	bool has_ctl;
	int ctl_fd;
	/* out */
	int landlock; /* the Landlock ABI version applied, 0 for none (no rotation, or a
		       * kernel without Landlock) */
};

/* Installs the sandbox for the rest of the process's life: any system call outside the list
 * kills the process (SIGSYS), and so does write(2) on a descriptor other than the output, 1
 * or 2: a packet socket is not checked for CAP_NET_RAW again, so a write to the capture's
 * would send a frame. With rotation the loop may also create files in dir_fd (openat with
 * exactly ND_OUT_CREATE_FLAGS, unlinkat to replace one) and, where the kernel has Landlock,
 * nowhere else: seccomp sees the descriptor but not the name, which may be absolute or
 * hold "..". Call after nd_privs_drop() (which sets no-new-privs, which an unprivileged
 * process needs for either) and before the loop. Built with -DND_SANDBOX_LOG, a forbidden
 * call is logged (kernel audit log) instead, for finding what a new code path needs.
 * Irreversible. */
int nd_sandbox_enter(struct nd_sandbox *sb, struct nd_err *err);

#endif
