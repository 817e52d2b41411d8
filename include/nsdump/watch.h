/* --follow: what wakes the wait for a target's start. inotify on the runtimes' state
 * directories: runc's state of each container (written once runc has created it, its
 * namespaces made and the runtime's network hooks run, before its first instruction),
 * containerd's task directories, and the engines' own lists of containers (a container
 * created anew under the same name). Nothing here decides whether a change concerns the
 * target: any change wakes the caller, which asks the runtimes again (resolve.h). */
#ifndef NSDUMP_WATCH_H
#define NSDUMP_WATCH_H

#include <limits.h>
#include <stdbool.h>

#include "nsdump/err.h"

#define ND_WATCH_MAX 512

struct nd_watch {
	int fd;              /* inotify, non-blocking, O_CLOEXEC: readable when something changed */
	char root[PATH_MAX]; /* --root, "" for the host itself */
	unsigned runtimes;   /* enum nd_runtime mask */
	struct {
		int wd;
		int depth; /* levels of new subdirectories below this one that get watches */
		char path[256];
	} w[ND_WATCH_MAX];
	unsigned int n;
};

/* An inotify instance for the runtimes of mask runtimes (0: all) under root (NULL: the
 * host's own). */
int nd_watch_open(struct nd_watch *w, const char *root, unsigned runtimes, struct nd_err *err);

/* Watches every state directory that exists now (and the existing namespace directories of
 * containerd), and for one that does not, its nearest existing parent, whose change then
 * wakes the caller to arm again. Called after each wake-up, with the rights the runtimes'
 * state is read with (the caller's current ones). Directories that cannot be watched are
 * passed over: the runtime is then seen through the others, or not at all. */
void nd_watch_arm(struct nd_watch *w);

/* Reads every pending event (without waiting) and watches the new subdirectories of the
 * state directories, where runc and containerd write a new container's files. Returns true
 * when anything changed. */
bool nd_watch_drain(struct nd_watch *w);

void nd_watch_close(struct nd_watch *w);

#endif
