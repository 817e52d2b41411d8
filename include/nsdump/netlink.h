/* Links of the current network namespace, over rtnetlink (libmnl). Netlink, not sysfs:
 * sysfs follows the mount namespace, so after setns it would still show the host's links. */
#ifndef NSDUMP_NETLINK_H
#define NSDUMP_NETLINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"

struct nd_link {
	int ifindex;
	unsigned int flags;   /* IFF_* */
	unsigned int mtu;     /* 0 if absent */
	char name[IF_NAMESIZE];
	char kind[16];        /* IFLA_INFO_KIND ("veth", "macvlan", ...), "" if none */
	int link;             /* IFLA_LINK: peer/lower ifindex, 0 if absent */
	int link_netnsid;     /* IFLA_LINK_NETNSID, -1 if absent (same namespace) */
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

/* Dumps the links of the calling thread's network namespace. */
int nd_nl_list_links(struct nd_link_list *out, struct nd_err *err);

void nd_link_list_free(struct nd_link_list *l);

/* Picks the interface to capture: `requested` if given (it must exist, or be "any"), else
 * eth0, else the only non-loopback interface. Otherwise ND_EXIT_USAGE, listing the names.
 * Writes the chosen name to out (IF_NAMESIZE bytes). */
int nd_iface_choose(const struct nd_link_list *links, const char *requested, char *out,
		    struct nd_err *err);

#endif
