/* --follow's wake-ups; see include/nsdump/watch.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "nsdump/container.h"
#include "nsdump/watch.h"

#define MASK (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR)

/* The directories, and how deep below each a new container's files are written:
 * runc's root holds <id>/state.json (containerd's, <namespace>/<id>/state.json); the task
 * directories <namespace>/<id>/init.pid; the engines' lists change in place. */
static const struct {
	unsigned runtimes;
	const char *path;
	int depth;    /* levels of new subdirectories to watch */
	int existing; /* levels of subdirectories that exist now to watch (namespaces) */
} dirs[] = {
	{ ND_RT_DOCKER, "/run/docker/runtime-runc/moby", 1, 0 },
	{ ND_RT_DOCKER, "/run/containerd/runc/moby", 1, 0 },
	{ ND_RT_DOCKER, "/var/lib/docker/containers", 0, 0 },
	{ ND_RT_CONTAINERD, "/run/containerd/runc", 2, 1 },
	{ ND_RT_CONTAINERD, "/run/containerd/io.containerd.runtime.v2.task", 2, 1 },
	{ ND_RT_PODMAN | ND_RT_CRIO, "/run/runc", 1, 0 },
	{ ND_RT_PODMAN, "/var/lib/containers/storage/overlay-containers", 0, 0 },
};

int nd_watch_open(struct nd_watch *w, const char *root, unsigned runtimes, struct nd_err *err)
{
	memset(w, 0, sizeof(*w));
	w->runtimes = runtimes != 0 ? runtimes : ND_RT_ALL;
	if (root != NULL && snprintf(w->root, sizeof(w->root), "%s", root) >= (int)sizeof(w->root))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "--root is too long");
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno,
				  "cannot watch the runtimes' state "
				  "(inotify)");
	return 0;
}

/* Watches path (depth: see struct nd_watch); -1 when it cannot be watched. */
static int add(struct nd_watch *w, const char *path, int depth)
{
	unsigned int i = 0;
	int wd;

	if (strlen(path) >= sizeof(w->w[0].path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	wd = inotify_add_watch(w->fd, path, MASK);
	if (wd < 0)
		return -1;
	while (i < w->n && w->w[i].wd != wd)
		i++;
	if (i == w->n) {
		if (w->n == ND_WATCH_MAX) {
			(void)inotify_rm_watch(w->fd, wd);
			return -1;
		}
		w->n++;
		w->w[i].depth = depth;
	} else if (depth > w->w[i].depth) {
		/* Watched for two reasons (a parent standing in for a state directory that is
		 * not there yet, and a state directory itself): the deeper watch holds. */
		w->w[i].depth = depth;
	}
	w->w[i].wd = wd;
	memcpy(w->w[i].path, path, strlen(path) + 1);
	return 0;
}

/* Watches the subdirectories of path that exist, levels deep. */
static void add_existing(struct nd_watch *w, const char *path, int levels, int depth)
{
	struct dirent *de;
	DIR *d;

	if (levels <= 0 || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];

		if (!nd_container_id_ok(de->d_name) ||
		    snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (add(w, sub, depth - 1) == 0)
			add_existing(w, sub, levels - 1, depth - 1);
	}
	(void)closedir(d);
}

void nd_watch_arm(struct nd_watch *w)
{
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[PATH_MAX];
		char *slash;

		if (!(dirs[i].runtimes & w->runtimes) ||
		    snprintf(path, sizeof(path), "%s%s", w->root, dirs[i].path) >=
			    (int)sizeof(path))
			continue;
		if (add(w, path, dirs[i].depth) == 0) {
			add_existing(w, path, dirs[i].existing, dirs[i].depth);
			continue;
		}
		/* Not there yet (the runtime has not run a container): its creation wakes us,
		 * from the nearest parent that exists. */
		while ((errno == ENOENT || errno == ENOTDIR) &&
		       (slash = strrchr(path, '/')) != NULL && slash > path + strlen(w->root)) {
			*slash = '\0';
			if (add(w, path, 0) == 0)
				break;
		}
	}
}

/* A directory created in watch wd's: watched too when a new container's files are written
 * below it. */
static void new_dir(struct nd_watch *w, int wd, const char *name)
{
	char sub[PATH_MAX];

	for (unsigned int i = 0; i < w->n; i++) {
		if (w->w[i].wd != wd || w->w[i].depth <= 0 || !nd_container_id_ok(name))
			continue;
		/* What was made in it before its watch was there (mkdir -p of a namespace
		 * and a container at once) is watched too; the caller looks again anyway. */
		if (snprintf(sub, sizeof(sub), "%s/%s", w->w[i].path, name) < (int)sizeof(sub) &&
		    add(w, sub, w->w[i].depth - 1) == 0)
			add_existing(w, sub, w->w[i].depth - 1, w->w[i].depth - 1);
		return;
	}
}

/* The kernel dropped watch wd (its directory was removed). */
static void forget(struct nd_watch *w, int wd)
{
	for (unsigned int i = 0; i < w->n; i++) {
		if (w->w[i].wd == wd) {
			w->w[i] = w->w[--w->n];
			return;
		}
	}
}

bool nd_watch_drain(struct nd_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			p += sizeof(*ev) + ev->len;
			any = true;
			if (ev->mask & IN_IGNORED)
				forget(w, ev->wd);
			else if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
				 ev->len > 0)
				new_dir(w, ev->wd, ev->name);
		}
	}
	return any;
}

void nd_watch_close(struct nd_watch *w)
{
	if (w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
	w->n = 0;
}
