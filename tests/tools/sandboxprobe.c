/*
 * sandboxprobe: what nsdump's capture-loop sandbox (src/sandbox.c) lets a write reach. For
 * t_sandbox.sh only; run it inside a network namespace the test made.
 *
 *   sandboxprobe IFACE WHAT [OUTFILE]
 *
 * Opens an AF_PACKET socket bound to IFACE, as a capture holds one, and OUTFILE for writing
 * (standard output when absent), enters nsdump's sandbox as the capture loop without rotation
 * does (the output being OUTFILE), then writes to WHAT:
 *   socket   one 60-byte Ethernet frame (broadcast, ethertype 0x88b5) to the packet socket,
 *            which is what a memory bug in the loop would try
 *   stdout, stderr, output   one line "sandboxprobe: WHAT"
 *   marker   one frame with ethertype 0x88b6 to the packet socket, WITHOUT entering the
 *            sandbox: the test's sign that a frame sent now reaches the peer
 * and reports "write to WHAT returned N" on stderr. Exit 0 when the write succeeded, 1 when
 * it failed; a write the sandbox forbids kills the process with SIGSYS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsdump/err.h"
#include "nsdump/sandbox.h"

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	unsigned char frame[60];
	const char *what;
	struct nd_err err = { 0 };
	struct nd_sandbox sb;
	int sock, out = STDOUT_FILENO, fd;
	ssize_t n;

	if (argc < 3 || argc > 4) {
		fputs("usage: sandboxprobe IFACE socket|stdout|stderr|output|marker [OUTFILE]\n",
		      stderr);
		return 2;
	}
	what = argv[2];
	sock = packet_socket(argv[1]);
	if (sock < 0) {
		perror("sandboxprobe: packet socket");
		return 2;
	}
	if (argc == 4) {
		out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0) {
			perror("sandboxprobe: output");
			return 2;
		}
	}
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6); /* broadcast */
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = 0x88;
	frame[13] = strcmp(what, "marker") == 0 ? 0xb6 : 0xb5;
	memcpy(frame + 14, "nsdump sandbox probe", 20);
	sb = (struct nd_sandbox){ .out_fd = out, .dir_fd = -1 };
	if (strcmp(what, "marker") != 0 && nd_sandbox_enter(&sb, &err) < 0) {
		fprintf(stderr, "sandboxprobe: %s\n", err.msg);
		return 2;
	}
	if (strcmp(what, "socket") == 0 || strcmp(what, "marker") == 0) {
		fd = sock;
		n = write(fd, frame, sizeof(frame));
	} else {
		char line[64];
		int len = snprintf(line, sizeof(line), "sandboxprobe: %s\n", what);

		fd = strcmp(what, "stdout") == 0   ? STDOUT_FILENO
		     : strcmp(what, "stderr") == 0 ? STDERR_FILENO
						   : out;
		n = write(fd, line, (size_t)len);
	}
	fprintf(stderr, "write to %s returned %zd%s%s\n", what, n, n < 0 ? ": " : "",
		n < 0 ? strerror(errno) : "");
	return n > 0 ? 0 : 1;
}
