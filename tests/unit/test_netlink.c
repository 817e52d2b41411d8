/* rtnetlink link-dump parsing over canned messages, and the choice of interface. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>

#include <linux/net_namespace.h>
#include <sys/socket.h>

#include "nsdump/netlink.h"
#include "nsdump/plan.h"
#include "nsdump/veth.h"
#include "unit.h"

#define SEQ  77
#define PORT 0

/* Appends one RTM_NEWLINK message to buf at *off. */
static void put_link(char *buf, size_t *off, int ifindex, unsigned flags, const char *name,
		     const char *kind, int link, int netnsid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = SEQ;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	if (kind) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	if (link)
		mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)link);
	if (netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, (uint32_t)netnsid);
	*off += nlh->nlmsg_len;
}

static void put_done(char *buf, size_t *off)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = SEQ;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*off += nlh->nlmsg_len;
}

static int choose(const struct nd_link_list *l, const char *req, char *out, struct nd_err *e)
{
	memset(e, 0, sizeof(*e));
	return nd_plan_iface_choose(l, req, out, e);
}

int main(void)
{
	static char buf[8192];
	size_t off = 0;
	struct nd_link_list l = { 0 };
	struct nd_err e = { 0 };
	char out[IF_NAMESIZE];
	int rc;

	put_link(buf, &off, 1, IFF_LOOPBACK | IFF_UP, "lo", NULL, 0, -1);
	put_link(buf, &off, 5, IFF_UP, "eth0", "veth", 9, 0);
	rc = nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e);
	CHECK("two links parsed, dump goes on", rc == 1 && l.n == 2);
	CHECK_STR("loopback name", l.v[0].name, "lo");
	CHECK("loopback has no peer",
	      l.v[0].link == 0 && l.v[0].link_netnsid == -1 && l.v[0].kind[0] == 0);
	CHECK("veth: index, kind, peer index, peer netnsid, mtu",
	      l.v[1].ifindex == 5 && strcmp(l.v[1].kind, "veth") == 0 && l.v[1].link == 9 &&
		      l.v[1].link_netnsid == 0 && l.v[1].mtu == 1500);
	off = 0;
	put_done(buf, &off);
	CHECK("NLMSG_DONE ends the dump", nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e) == 0);

	CHECK("default picks eth0", choose(&l, NULL, out, &e) == 0 && strcmp(out, "eth0") == 0);
	CHECK("-i lo picks lo", choose(&l, "lo", out, &e) == 0 && strcmp(out, "lo") == 0);
	CHECK("-i any is allowed", choose(&l, "any", out, &e) == 0 && strcmp(out, "any") == 0);
	CHECK("-i nosuch: exit 2 listing the interfaces", choose(&l, "nosuch", out, &e) < 0 &&
								  e.exit == ND_EXIT_USAGE &&
								  strstr(e.msg, "lo, eth0"));
	nd_link_list_free(&l);

	off = 0;
	put_link(buf, &off, 1, IFF_LOOPBACK, "lo", NULL, 0, -1);
	put_link(buf, &off, 3, IFF_UP, "net1", "macvlan", 2, -1);
	CHECK("parse", nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e) == 1);
	CHECK("no eth0: the only non-loopback one",
	      choose(&l, NULL, out, &e) == 0 && strcmp(out, "net1") == 0);
	nd_link_list_free(&l);

	off = 0;
	put_link(buf, &off, 1, IFF_LOOPBACK, "lo", NULL, 0, -1);
	put_link(buf, &off, 3, IFF_UP, "net1", NULL, 0, -1);
	put_link(buf, &off, 4, IFF_UP, "net2", NULL, 0, -1);
	CHECK("parse", nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e) == 1);
	CHECK("two candidates: exit 2 listing both", choose(&l, NULL, out, &e) < 0 &&
							     e.exit == ND_EXIT_USAGE &&
							     strstr(e.msg, "net1, net2"));
	nd_link_list_free(&l);

	off = 0;
	put_link(buf, &off, 1, IFF_LOOPBACK, "lo", NULL, 0, -1);
	CHECK("parse", nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e) == 1);
	CHECK("only loopback: exit 2 suggesting -i lo",
	      choose(&l, NULL, out, &e) < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "-i lo"));
	nd_link_list_free(&l);

	/* Hostile input. */
	off = 0;
	put_link(buf, &off, 2, IFF_UP, "eth0", "veth", 3, 1);
	CHECK("truncated message refused",
	      nd_nl_parse_links(buf, off - 4, SEQ, PORT, &l, &e) != 1 || l.n == 0);
	nd_link_list_free(&l);
	{
		/* IFLA_MTU with a 2-byte payload: must be rejected, not read past. */
		struct nlmsghdr *nlh;
		struct ifinfomsg *ifm;
		uint16_t small = 5;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_seq = SEQ;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_index = 2;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
		mnl_attr_put(nlh, IFLA_MTU, sizeof(small), &small);
		CHECK("attribute of the wrong size refused",
		      nd_nl_parse_links(buf, nlh->nlmsg_len, SEQ, PORT, &l, &e) < 0 && l.n == 0);
		nd_link_list_free(&l);
	}
	{
		/* A name without its terminating NUL must not be read past its payload. */
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifinfomsg *ifm;

		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_seq = SEQ;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_index = 2;
		mnl_attr_put(nlh, IFLA_IFNAME, 4, "abcd");
		rc = nd_nl_parse_links(buf, nlh->nlmsg_len, SEQ, PORT, &l, &e);
		CHECK("unterminated name is cut at its payload",
		      rc == 1 && l.n == 1 && strcmp(l.v[0].name, "abcd") == 0);
		nd_link_list_free(&l);
	}
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct nlmsgerr *ne;

		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_seq = SEQ;
		ne = mnl_nlmsg_put_extra_header(nlh, sizeof(*ne));
		ne->error = -EPERM;
		CHECK("NLMSG_ERROR is an error",
		      nd_nl_parse_links(buf, nlh->nlmsg_len, SEQ, PORT, &l, &e) < 0);
	}
	off = 0;
	put_link(buf, &off, 2, IFF_UP, "eth0", NULL, 0, -1);
	CHECK("wrong sequence number refused",
	      nd_nl_parse_links(buf, off, SEQ + 1, PORT, &l, &e) < 0);
	nd_link_list_free(&l);

	/* Veth matching: by the peer's namespace id and index, nothing else. */
	off = 0;
	put_link(buf, &off, 1, IFF_LOOPBACK, "lo", NULL, 0, -1);
	put_link(buf, &off, 7, IFF_UP, "vethaaa", "veth", 2, 3);
	put_link(buf, &off, 8, IFF_UP, "vethbbb", "veth", 2, 4);
	put_link(buf, &off, 9, IFF_UP, "vethccc", "veth", 5, 4);
	CHECK("host links parse", nd_nl_parse_links(buf, off, SEQ, PORT, &l, &e) == 1 && l.n == 4);
	{
		const struct nd_link *m = nd_veth_match(&l, 4, 2);

		CHECK("match picks the link with that netnsid and peer index",
		      m != NULL && strcmp(m->name, "vethbbb") == 0);
		CHECK("no match for an unknown namespace id", nd_veth_match(&l, 6, 2) == NULL);
		CHECK("no match for namespace id -1 (none assigned)",
		      nd_veth_match(&l, -1, 2) == NULL);
		CHECK("no match for an unknown peer index", nd_veth_match(&l, 3, 5) == NULL);
	}
	{
		struct nd_ifview v = { .nsid = 4 };
		struct nd_link tif = { .ifindex = 2, .link_netnsid = 0 };
		const struct nd_link *p;

		v.host = l;
		strcpy(tif.name, "eth0");
		strcpy(tif.kind, "veth");
		p = nd_veth_peer(&v, &tif, "PID 1", &e);
		CHECK("peer of a veth found", p != NULL && p->ifindex == 8);
		strcpy(tif.kind, "macvlan");
		p = nd_veth_peer(&v, &tif, "PID 1", &e);
		CHECK("macvlan: no peer, exit 2 naming the kind and --mode setns",
		      p == NULL && e.exit == ND_EXIT_USAGE && strstr(e.msg, "macvlan") &&
			      strstr(e.msg, "--mode setns"));
		strcpy(tif.kind, "veth");
		tif.ifindex = 77;
		p = nd_veth_peer(&v, &tif, "PID 1", &e);
		CHECK("veth with its peer elsewhere: exit 2 saying so",
		      p == NULL && e.exit == ND_EXIT_USAGE && strstr(e.msg, "third namespace"));
	}
	nd_link_list_free(&l);

	/* RTM_GETNSID replies. */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		int nsid = 99;

		nlh->nlmsg_type = RTM_NEWNSID;
		nlh->nlmsg_seq = SEQ;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
		mnl_attr_put_u32(nlh, NETNSA_NSID, 5);
		CHECK("nsid reply parsed",
		      nd_nl_parse_nsid(buf, nlh->nlmsg_len, SEQ, PORT, &nsid, &e) == 0 &&
			      nsid == 5);
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWNSID;
		nlh->nlmsg_seq = SEQ;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
		mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)NETNSA_NSID_NOT_ASSIGNED);
		CHECK("no id assigned gives -1",
		      nd_nl_parse_nsid(buf, nlh->nlmsg_len, SEQ, PORT, &nsid, &e) == 0 &&
			      nsid == -1);
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWNSID;
		nlh->nlmsg_seq = SEQ;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
		CHECK("reply without NETNSA_NSID refused",
		      nd_nl_parse_nsid(buf, nlh->nlmsg_len, SEQ, PORT, &nsid, &e) < 0);
	}

	/* Address dumps. */
	{
		struct nd_addr_list al = { 0 };
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifaddrmsg *ifa;
		uint8_t v4[4] = { 198, 18, 0, 1 }, v6[16] = { 0xfe, 0x80, [15] = 1 };

		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_seq = SEQ;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = 24;
		ifa->ifa_index = 2;
		mnl_attr_put(nlh, IFA_LOCAL, 4, v4);
		off = nlh->nlmsg_len;
		nlh = mnl_nlmsg_put_header(buf + off);
		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_seq = SEQ;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET6;
		ifa->ifa_prefixlen = 64;
		ifa->ifa_index = 2;
		mnl_attr_put(nlh, IFA_ADDRESS, 16, v6);
		off += nlh->nlmsg_len;
		rc = nd_nl_parse_addrs(buf, off, SEQ, PORT, &al, &e);
		CHECK("two addresses parsed", rc == 1 && al.n == 2);
		CHECK_STR("IPv4 address text", al.n > 0 ? al.v[0].text : NULL, "198.18.0.1/24");
		CHECK_STR("IPv6 address text", al.n > 1 ? al.v[1].text : NULL, "fe80::1/64");
		nd_addr_list_free(&al);
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_seq = SEQ;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		mnl_attr_put(nlh, IFA_LOCAL, 3, v4);
		CHECK("IPv4 address of 3 bytes refused",
		      nd_nl_parse_addrs(buf, nlh->nlmsg_len, SEQ, PORT, &al, &e) < 0 && al.n == 0);
		nd_addr_list_free(&al);
	}

	/* The live dump of this process's own namespace has at least loopback. */
	{
		struct nd_nl nl = { 0 };

		rc = nd_nl_open(&nl, &e);
		if (rc == 0)
			rc = nd_nl_dump_links(&nl, &l, &e);
		nd_nl_close(&nl);
		CHECK("live dump works and lists lo",
		      rc == 0 && l.n >= 1 && strcmp(l.v[0].name, "lo") == 0);
		nd_link_list_free(&l);
	}

	/* A datagram that ends inside the last message's alignment padding: libmnl walks
	 * attributes up to the aligned end, and read past the datagram (found by fuzz_netlink;
	 * ASan: heap-buffer-overflow in inet_ntop). The kernel always sends the padding. */
	{
		static const unsigned char cut[59] = {
			0x3b, 0, 0,    0,    0x14, 0,    0x02, 0,    0,   0, 0, 0, 0,
			0,    0, 0,    0x02, 0x18, 0x80, 0,    0x02, 0,   0, 0,    /* ifaddrmsg:
										      AF_INET, ifindex
										      2 */
			0x08, 0, 0x01, 0,    198,  18,   98,   1,                  /* IFA_ADDRESS */
			0x08, 0, 0x02, 0,    198,  18,   98,   1,                  /* IFA_LOCAL */
			0x09, 0, 0x03, 0,    'e',  't',  'h',  '0',  'x', 0, 0, 0, /* IFA_LABEL */
			0x08, 0, 0x02, 0,    0,    0,    0, /* IFA_LOCAL, its last byte past the end
							     */
		};
		struct nd_addr_list al = { 0 };
		char *heap = malloc(sizeof(cut));

		CHECK("copy", heap != NULL);
		if (heap == NULL)
			return UNIT_DONE();
		memcpy(heap, cut, sizeof(cut));
		CHECK("a message whose aligned end is past the datagram: refused",
		      nd_nl_parse_addrs(heap, sizeof(cut), 0, 0, &al, &e) < 0 && al.n == 0 &&
			      strstr(e.msg, "netlink message length") != NULL);
		nd_addr_list_free(&al);
		free(heap);
	}

	/* Who may answer: the kernel (port id 0), with our sequence number and port id in every
	 * message. A process in the target with CAP_NET_ADMIN can unicast to our port. */
	{
		struct sockaddr_nl kernel = { .nl_family = AF_NETLINK, .nl_pid = 0 };
		struct sockaddr_nl forger = { .nl_family = AF_NETLINK, .nl_pid = 31337 };
		struct sockaddr_nl group = { .nl_family = AF_NETLINK, .nl_groups = 1 };
		static char r[4096];
		size_t rl = 0;
		const unsigned int port = 4242;

		put_link(r, &rl, 2, IFF_UP, "eth0", "veth", 9, 0);
		put_done(r, &rl);
		/* put_link and put_done write SEQ and port 0, as a forgery that libmnl lets
		 * through would. */
		CHECK("kernel, our sequence, port 0 in the messages: refused (not ours)",
		      nd_nl_reply_check(&kernel, sizeof(kernel), r, rl, SEQ, port, &e) < 0 &&
			      strstr(e.msg, "another request") != NULL);
		for (size_t o = 0; o < rl;
		     o += NLMSG_ALIGN(((struct nlmsghdr *)(void *)(r + o))->nlmsg_len))
			((struct nlmsghdr *)(void *)(r + o))->nlmsg_pid = port;
		CHECK("kernel, our sequence and port in every message: accepted",
		      nd_nl_reply_check(&kernel, sizeof(kernel), r, rl, SEQ, port, &e) == 1);
		CHECK("the same from a process's port: ignored",
		      nd_nl_reply_check(&forger, sizeof(forger), r, rl, SEQ, port, &e) == 0);
		CHECK("the same to a multicast group: ignored",
		      nd_nl_reply_check(&group, sizeof(group), r, rl, SEQ, port, &e) == 0);
		CHECK("a sender address of the wrong size: ignored",
		      nd_nl_reply_check(&kernel, 4, r, rl, SEQ, port, &e) == 0);
		CHECK("kernel, another sequence number: refused",
		      nd_nl_reply_check(&kernel, sizeof(kernel), r, rl, SEQ + 1, port, &e) < 0);
		((struct nlmsghdr *)(void *)(r + rl - NLMSG_LENGTH(sizeof(int))))->nlmsg_seq = 0;
		CHECK("kernel, one message (NLMSG_DONE) with sequence 0: refused",
		      nd_nl_reply_check(&kernel, sizeof(kernel), r, rl, SEQ, port, &e) < 0);
		((struct nlmsghdr *)(void *)(r + rl - NLMSG_LENGTH(sizeof(int))))->nlmsg_seq = SEQ;
		CHECK("kernel, a message length past the datagram: refused",
		      nd_nl_reply_check(&kernel, sizeof(kernel), r, rl - 4, SEQ, port, &e) < 0);
	}
	return UNIT_DONE();
}
