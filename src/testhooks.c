/* Test-only triggers; see include/nsdump/testhooks.h. Empty unless built with -DND_TEST_HOOKS. */
#include "nsdump/testhooks.h"

#ifdef ND_TEST_HOOKS
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsdump/output.h"

static enum {
	HOOK_NONE,
	HOOK_SOCKET,
	HOOK_OPEN_READ,
	HOOK_WRITE_CAPTURE,
	HOOK_CREATE_OUTSIDE,
	HOOK_REMOVE_OUTSIDE,
	HOOK_NETLINK_PAUSE,
	HOOK_ACTIVATE_PAUSE,
} hook;
static char hook_arg[4096];

void nd_testhooks_init(void)
{
	const char *v = getenv("NSDUMP_TEST_HOOK");

	if (v == NULL)
		return;
	if (strcmp(v, "socket") == 0)
		hook = HOOK_SOCKET;
	else if (strcmp(v, "open-read") == 0)
		hook = HOOK_OPEN_READ;
	else if (strcmp(v, "write-capture") == 0)
		hook = HOOK_WRITE_CAPTURE;
	else if (strcmp(v, "create-outside") == 0)
		hook = HOOK_CREATE_OUTSIDE;
	else if (strcmp(v, "remove-outside") == 0)
		hook = HOOK_REMOVE_OUTSIDE;
	else if (strcmp(v, "netlink-pause") == 0)
		hook = HOOK_NETLINK_PAUSE;
	else if (strcmp(v, "activate-pause") == 0)
		hook = HOOK_ACTIVATE_PAUSE;
	v = getenv("NSDUMP_TEST_HOOK_ARG");
	if (v != NULL)
		snprintf(hook_arg, sizeof(hook_arg), "%s", v);
}

/* Waits for one byte on stdin (or its end): the test's go-ahead. */
static void wait_stdin(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR)
		;
}

void nd_testhooks_activate(const char *ifname)
{
	if (hook != HOOK_ACTIVATE_PAUSE)
		return;
	fprintf(stderr, "nsdump: test hook: activating %s\n", ifname);
	fflush(stderr);
	wait_stdin();
}

void nd_testhooks_netlink(unsigned int portid, unsigned int next_seq)
{
	if (hook != HOOK_NETLINK_PAUSE)
		return;
	fprintf(stderr, "nsdump: test hook: netlink port %u seq %u\n", portid, next_seq);
	fflush(stderr);
	wait_stdin(); /* the test forges its replies meanwhile */
}

void nd_testhooks_packet(unsigned long long captured, int capture_fd, int dir_fd)
{
	int fd = -1;

	if (captured != 1 || hook == HOOK_NONE || hook == HOOK_NETLINK_PAUSE ||
	    hook == HOOK_ACTIVATE_PAUSE)
		return;
	if (hook == HOOK_REMOVE_OUTSIDE) {
		fprintf(stderr, "nsdump: test hook: the forbidden call returned %d\n",
			unlinkat(dir_fd, hook_arg, 0));
		return;
	}
	if (hook == HOOK_WRITE_CAPTURE) {
		unsigned char frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
					    0,    0,    0,    0,    1,    0x88, 0xb5 };

		fprintf(stderr, "nsdump: test hook: the forbidden call returned %zd\n",
			write(capture_fd, frame, sizeof(frame)));
		return;
	}
	if (hook == HOOK_SOCKET)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	else if (hook == HOOK_CREATE_OUTSIDE)
		fd = openat(dir_fd, hook_arg, ND_OUT_CREATE_FLAGS, 0600);
	else
		fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	/* Reached only when the sandbox let the call through: say so, the test fails on it. */
	fprintf(stderr, "nsdump: test hook: the forbidden call returned %d\n", fd);
	if (fd >= 0)
		(void)close(fd);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int nd_testhooks_empty;
#endif
