/* Links of the current network namespace, over rtnetlink (libmnl). Netlink, not sysfs:
 * sysfs follows the mount namespace, so after setns it would still show the host's links. */
#ifndef NSDUMP_NETLINK_H
#define NSDUMP_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"

struct mnl_socket;
struct sockaddr_nl;

struct nd_link {
	int ifindex;
	unsigned int flags; /* IFF_* */
	unsigned int mtu;   /* 0 if absent */
	char name[IF_NAMESIZE];
	char kind[16];         /* IFLA_INFO_KIND ("veth", "macvlan", ...), "" if none */
	int link;              /* IFLA_LINK: peer/lower ifindex, 0 if absent */
	int link_netnsid;      /* IFLA_LINK_NETNSID, -1 if absent (same namespace) */
	int operstate;         /* IFLA_OPERSTATE (IF_OPER_*), -1 if absent */
	unsigned char addr[6]; /* IFLA_ADDRESS when it is an Ethernet address */
	bool has_addr;
};

struct nd_addr {
	int ifindex;
	int family; /* AF_INET, AF_INET6 */
	unsigned int prefixlen;
	char text[64]; /* "198.18.0.1/24", "fe80::1/64" */
};

struct nd_addr_list {
	struct nd_addr *v;
	size_t n;
	size_t cap;
};

/* An rtnetlink socket, bound, in the network namespace it was opened in (a socket stays in
 * that namespace whatever its owner does later). */
struct nd_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
};

struct nd_link_list {
	struct nd_link *v;
	size_t n;
	size_t cap;
};

/* Parses a buffer of RTM_NEWLINK messages as a dump returns them (several may share one
 * buffer), appending one nd_link each. Every attribute is validated before use. Returns
 * 1 while the dump goes on, 0 at NLMSG_DONE, -1 with err on malformed input or NLMSG_ERROR. */
int nd_nl_parse_links(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      struct nd_link_list *out, struct nd_err *err);

/* Parses RTM_NEWADDR messages of a dump; returns as nd_nl_parse_links() does. */
int nd_nl_parse_addrs(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      struct nd_addr_list *out, struct nd_err *err);

/* Parses the reply to RTM_GETNSID: *nsid is the id, or -1 when none is assigned. */
int nd_nl_parse_nsid(const void *buf, size_t len, unsigned int seq, unsigned int portid, int *nsid,
		     struct nd_err *err);

/* Whether a datagram read from an rtnetlink socket (sender from, its length fromlen as
 * recvmsg(2) gave it) answers our request seq from port portid: 1 when it comes from the
 * kernel (port id 0, no multicast group) and every message in it carries seq and portid;
 * 0 when it does not come from the kernel (a forgery: a process in the namespace with
 * CAP_NET_ADMIN can send to our port; the caller ignores it); -1 with err when the kernel's
 * datagram is malformed or answers another request. Pure: no I/O. */
int nd_nl_reply_check(const struct sockaddr_nl *from, size_t fromlen, const void *buf, size_t len,
		      unsigned int seq, unsigned int portid, struct nd_err *err);

/* Opens an rtnetlink socket in the calling thread's current network namespace. */
int nd_nl_open(struct nd_nl *nl, struct nd_err *err);
void nd_nl_close(struct nd_nl *nl);

/* Dumps the links (or addresses) of the socket's namespace. */
int nd_nl_dump_links(struct nd_nl *nl, struct nd_link_list *out, struct nd_err *err);
int nd_nl_dump_addrs(struct nd_nl *nl, struct nd_addr_list *out, struct nd_err *err);

/* The id under which the socket's namespace knows the namespace behind netns_fd
 * (RTM_GETNSID with NETNSA_FD); -1 in *nsid when it has none. */
int nd_nl_get_nsid(struct nd_nl *nl, int netns_fd, int *nsid, struct nd_err *err);

void nd_link_list_free(struct nd_link_list *l);
void nd_addr_list_free(struct nd_addr_list *l);

/* The link with that name, or NULL. */
const struct nd_link *nd_link_by_name(const struct nd_link_list *l, const char *name);

/* A short word for the kind of link: IFLA_INFO_KIND, or "loopback", or "device". */
const char *nd_link_kind(const struct nd_link *k);

#endif
