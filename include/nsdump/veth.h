/* Veth-peer mode: find, in nsdump's own network namespace, the host end of a target
 * interface's veth pair, so the capture can run there without entering the target. */
#ifndef NSDUMP_VETH_H
#define NSDUMP_VETH_H

#include <stdbool.h>
#include <stdio.h>

#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/netlink.h"
#include "nsdump/privs.h"
#include "nsdump/target.h"

/* What nsdump knows of a target's interfaces and of the host's. */
struct nd_ifview {
	struct nd_link_list links; /* the target's */
	struct nd_addr_list addrs; /* the target's, when asked for */
	struct nd_link_list host;  /* nsdump's own namespace's */
	int nsid;                  /* the target namespace's id as the host knows it, or -1 */
};

/* Fills v: the target's links (and addresses if want_addrs) through a netlink socket opened
 * inside the target, and the host's links and the target's namespace id through one opened
 * in nsdump's own namespace. The host's link dump comes first: listing a veth whose peer
 * is in another namespace makes the kernel assign that namespace an id. */
int nd_veth_discover(struct nd_target *t, struct nd_privs *privs, bool want_addrs,
		     struct nd_ifview *v, struct nd_err *err);

void nd_ifview_free(struct nd_ifview *v);

/* The host link whose veth peer is the target's interface with index ifindex, or NULL.
 * Pure: a match is a host link with IFLA_LINK_NETNSID == nsid and IFLA_LINK == ifindex. */
const struct nd_link *nd_veth_match(const struct nd_link_list *host, int nsid, int ifindex);

/* The host end of target_if, or NULL with err (ND_EXIT_USAGE) saying why there is none:
 * not a veth (naming the kind), or a peer in another namespace than nsdump's. */
const struct nd_link *nd_veth_peer(const struct nd_ifview *v, const struct nd_link *target_if,
				   const char *label, struct nd_err *err);

/* The host ends of the veth pairs whose other end is in the namespace behind netns_fd,
 * comma-separated into out ("" if none), given host, a netlink socket in nsdump's own
 * namespace, and hl, its link dump (made first: it has the kernel assign namespace ids). */
int nd_veth_host_peers(struct nd_nl *host, const struct nd_link_list *hl, int netns_fd, char *out,
		       size_t outlen, struct nd_err *err);

/* --list's HOST-PEER column: for each running container of l, the host ends of its veth
 * pairs (nd_veth_host_peers into c->host_peer). Opens /proc/PID/ns/net with CAP_SYS_PTRACE
 * raised for that call only. Best effort: a container that cannot be looked at keeps its
 * value. */
void nd_veth_list_peers(struct nd_privs *privs, struct nd_container_list *l);

/* -D: one line per target interface: name, index, kind, state, MTU, addresses, host peer. */
void nd_ifview_print(FILE *out, const struct nd_ifview *v);

#endif
