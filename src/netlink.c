/* rtnetlink link dump and interface choice; see include/nsdump/netlink.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/netlink.h"

/* mnl_cb_run trusts each nlmsg_len as far as to cast it to int: a length over INT_MAX passes
 * its check and sends it out of the buffer. And libmnl walks a message's attributes up to its
 * aligned end (mnl_nlmsg_get_payload_tail), so a last message whose length is not a multiple
 * of 4 would let an attribute reach past the datagram. Walk the messages first, as the kernel
 * lays them out (each padded to its aligned length, all inside len: nlmsg_put reserves the
 * padding of every message, the last one included), and refuse anything else. */
static int check_stream(const void *buf, size_t len, struct nd_err *err)
{
	const unsigned char *p = buf;
	size_t off = 0;

	if (len > (size_t)INT_MAX)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "netlink reply too large");
	while (off < len) {
		struct nlmsghdr h;

		if (len - off < sizeof(h))
			return nd_err_set(err, ND_EXIT_FAIL, 0, "truncated netlink message");
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || MNL_ALIGN((size_t)h.nlmsg_len) > len - off)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "bad netlink message length");
		off += MNL_ALIGN((size_t)h.nlmsg_len);
	}
	return 0;
}

int nd_nl_reply_check(const struct sockaddr_nl *from, size_t fromlen, const void *buf, size_t len,
		      unsigned int seq, unsigned int portid, struct nd_err *err)
{
	const unsigned char *p = buf;
	size_t off = 0;

	/* The kernel sends from port id 0, and no process can bind that id (0 asks for one to
	 * be chosen); a process in the namespace with CAP_NET_ADMIN can unicast to our port
	 * from its own. Multicast (nl_groups) is not an answer either: none was asked for. */
	if (fromlen != sizeof(*from) || from->nl_family != AF_NETLINK || from->nl_pid != 0 ||
	    from->nl_groups != 0)
		return 0;
	if (check_stream(buf, len, err) < 0)
		return -1;
	/* mnl_cb_run compares nlmsg_seq and nlmsg_pid only when both sides are non-zero: a
	 * message with 0 in them would pass. The kernel copies both from the request into
	 * every message of its answer, NLMSG_DONE and NLMSG_ERROR included. */
	while (off < len) {
		struct nlmsghdr h;

		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_seq != seq || h.nlmsg_pid != portid)
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "netlink message for another request (sequence %u, port "
					  "%u; expected %u, %u)",
					  h.nlmsg_seq, h.nlmsg_pid, seq, portid);
		off += MNL_ALIGN((size_t)h.nlmsg_len); /* check_stream: inside len */
	}
	return 1;
}

struct parse_ctx {
	struct nd_link_list *out;
	struct nd_err *err;
	int failed;
};

static int append(struct nd_link_list *l, const struct nd_link *k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct nd_link *v;

		/* A namespace with millions of links is not a real target; cap the growth. */
		if (cap > (1u << 20))
			return -1;
		v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *k;
	return 0;
}

static void copy_str_attr(const struct nlattr *a, char *dst, size_t dstlen)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_str(a);

	/* The payload may lack its NUL (mnl_attr_validate(MNL_TYPE_STRING) only checks the
	 * length is non-zero), so copy no further than the payload. */
	n = strnlen(s, n);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int linkinfo_cb(const struct nlattr *a, void *data)
{
	struct nd_link *k = data;

	if (mnl_attr_type_valid(a, IFLA_INFO_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND) {
		if (mnl_attr_validate(a, MNL_TYPE_STRING) < 0)
			return MNL_CB_ERROR;
		copy_str_attr(a, k->kind, sizeof(k->kind));
	}
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct nd_link *k = data;

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK; /* newer kernel attribute: ignore */
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_STRING) < 0)
			return MNL_CB_ERROR;
		copy_str_attr(a, k->name, sizeof(k->name));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		k->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		k->link = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		k->link_netnsid = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		if (mnl_attr_get_payload_len(a) == sizeof(k->addr)) {
			memcpy(k->addr, mnl_attr_get_payload(a), sizeof(k->addr));
			k->has_addr = true;
		}
		break;
	case IFLA_OPERSTATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		k->operstate = mnl_attr_get_u8(a);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, linkinfo_cb, k) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *ctx = data;
	struct nd_link k = { .link_netnsid = -1, .operstate = -1 };
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm)) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, 0, "truncated link message");
		return MNL_CB_ERROR;
	}
	ifm = mnl_nlmsg_get_payload(nlh);
	k.ifindex = ifm->ifi_index;
	k.flags = ifm->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, &k) < 0) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, 0, "malformed attribute in link message");
		return MNL_CB_ERROR;
	}
	if (k.name[0] == '\0' || k.ifindex <= 0)
		return MNL_CB_OK; /* not something one can capture on */
	if (append(ctx->out, &k) < 0) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, ENOMEM, "cannot store link list");
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Runs cb over the messages of a dump buffer, after checking their lengths: 1 while the
 * dump goes on, 0 at NLMSG_DONE, -1 with err (the callback's own message when *failed). */
static int run_dump(const void *buf, size_t len, unsigned int seq, unsigned int portid, mnl_cb_t cb,
		    void *ctx, const int *failed, struct nd_err *err)
{
	int rc;

	if (check_stream(buf, len, err) < 0)
		return -1;
	errno = 0;
	rc = mnl_cb_run(buf, len, seq, portid, cb, ctx);
	if (rc == MNL_CB_ERROR) {
		if (!*failed)
			nd_err_set(err, ND_EXIT_FAIL, errno, "bad netlink reply");
		return -1;
	}
	return rc == MNL_CB_STOP ? 0 : 1;
}

int nd_nl_parse_links(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      struct nd_link_list *out, struct nd_err *err)
{
	struct parse_ctx ctx = { .out = out, .err = err, .failed = 0 };

	return run_dump(buf, len, seq, portid, link_msg_cb, &ctx, &ctx.failed, err);
}

void nd_link_list_free(struct nd_link_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void nd_addr_list_free(struct nd_addr_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

const struct nd_link *nd_link_by_name(const struct nd_link_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

const char *nd_link_kind(const struct nd_link *k)
{
	if (k->kind[0] != '\0')
		return k->kind;
	return (k->flags & IFF_LOOPBACK) ? "loopback" : "device";
}

/* ---- addresses ---- */

struct addr_ctx {
	struct nd_addr_list *out;
	struct nd_err *err;
	int failed;
};

struct addr_attrs {
	const struct nlattr *local;
	const struct nlattr *address;
};

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_attrs *aa = data;

	if (mnl_attr_type_valid(a, IFA_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(a) == IFA_LOCAL)
		aa->local = a;
	else if (mnl_attr_get_type(a) == IFA_ADDRESS)
		aa->address = a;
	return MNL_CB_OK;
}

static int addr_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_ctx *ctx = data;
	struct addr_attrs aa = { 0 };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	struct nd_addr ad = { 0 };
	size_t want;
	char text[INET6_ADDRSTRLEN];

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa)) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, 0, "truncated address message");
		return MNL_CB_ERROR;
	}
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &aa) < 0) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, 0, "malformed attribute in address message");
		return MNL_CB_ERROR;
	}
	/* IFA_LOCAL is the interface's own address on point-to-point links; IFA_ADDRESS the
	 * peer's there, and the own one everywhere else. */
	a = aa.local ? aa.local : aa.address;
	if (a == NULL)
		return MNL_CB_OK;
	want = ifa->ifa_family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(a) != want ||
	    inet_ntop(ifa->ifa_family, mnl_attr_get_payload(a), text, sizeof(text)) == NULL) {
		ctx->failed = 1;
		nd_err_set(ctx->err, ND_EXIT_FAIL, 0, "bad address attribute");
		return MNL_CB_ERROR;
	}
	ad.ifindex = (int)ifa->ifa_index;
	ad.family = ifa->ifa_family;
	ad.prefixlen = ifa->ifa_prefixlen;
	snprintf(ad.text, sizeof(ad.text), "%s/%u", text, ad.prefixlen);
	if (ctx->out->n == ctx->out->cap) {
		size_t cap = ctx->out->cap ? ctx->out->cap * 2 : 16;
		struct nd_addr *v =
			cap > (1u << 20) ? NULL : realloc(ctx->out->v, cap * sizeof(*v));

		if (v == NULL) {
			ctx->failed = 1;
			nd_err_set(ctx->err, ND_EXIT_FAIL, ENOMEM, "cannot store address list");
			return MNL_CB_ERROR;
		}
		ctx->out->v = v;
		ctx->out->cap = cap;
	}
	ctx->out->v[ctx->out->n++] = ad;
	return MNL_CB_OK;
}

int nd_nl_parse_addrs(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      struct nd_addr_list *out, struct nd_err *err)
{
	struct addr_ctx ctx = { .out = out, .err = err, .failed = 0 };

	return run_dump(buf, len, seq, portid, addr_msg_cb, &ctx, &ctx.failed, err);
}

/* ---- namespace ids ---- */

static int nsid_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **nsid = data;

	if (mnl_attr_type_valid(a, NETNSA_MAX) >= 0 && mnl_attr_get_type(a) == NETNSA_NSID)
		*nsid = a;
	return MNL_CB_OK;
}

struct nsid_ctx {
	int nsid;
	int seen;
};

static int nsid_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nsid_ctx *ctx = data;
	const struct nlattr *a = NULL;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr_cb, &a) < 0)
		return MNL_CB_ERROR;
	if (a == NULL || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	ctx->nsid = (int)mnl_attr_get_u32(a);
	ctx->seen = 1;
	return MNL_CB_STOP;
}

int nd_nl_parse_nsid(const void *buf, size_t len, unsigned int seq, unsigned int portid, int *nsid,
		     struct nd_err *err)
{
	struct nsid_ctx ctx = { .nsid = -1, .seen = 0 };

	if (check_stream(buf, len, err) < 0)
		return -1;
	errno = 0;
	if (mnl_cb_run(buf, len, seq, portid, nsid_msg_cb, &ctx) == MNL_CB_ERROR)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "bad reply to RTM_GETNSID");
	if (!ctx.seen)
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "no namespace id in the reply to RTM_GETNSID");
	*nsid = ctx.nsid < 0 ? -1 : ctx.nsid;
	return 0;
}

/* ---- transport ---- */

int nd_nl_open(struct nd_nl *nl, struct nd_err *err)
{
	struct timespec now;

	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot open a netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		nd_nl_close(nl);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot bind the netlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Any start value will do; this one differs between runs, unlike time(NULL) seconds. */
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	nl->seq = (unsigned int)now.tv_nsec ^ (unsigned int)getpid();
	return 0;
}

void nd_nl_close(struct nd_nl *nl)
{
	if (nl->sock != NULL)
		(void)mnl_socket_close(nl->sock); /* nothing to lose on a read-only socket */
	nl->sock = NULL;
}

typedef int (*parse_fn)(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			void *out, struct nd_err *err);

static int parse_links_v(const void *b, size_t l, unsigned int s, unsigned int p, void *o,
			 struct nd_err *e)
{
	return nd_nl_parse_links(b, l, s, p, o, e);
}

static int parse_addrs_v(const void *b, size_t l, unsigned int s, unsigned int p, void *o,
			 struct nd_err *e)
{
	return nd_nl_parse_addrs(b, l, s, p, o, e);
}

static int parse_nsid_v(const void *b, size_t l, unsigned int s, unsigned int p, void *o,
			struct nd_err *e)
{
	return nd_nl_parse_nsid(b, l, s, p, o, e);
}

/* Datagrams that are not from the kernel are dropped; after this many in one exchange, give
 * up rather than read a flood for ever. */
#define FORGED_MAX 1000

/* Sends the request in buf and feeds every reply buffer to parse until it returns <= 0.
 * recvmsg(2) rather than mnl_socket_recvfrom(): the sender's address, which only the former
 * returns, is what tells the kernel's answers from a forgery (nd_nl_reply_check). */
static int transact(struct nd_nl *nl, char *buf, size_t buflen, parse_fn parse, void *out,
		    const char *what, struct nd_err *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(void *)buf;
	unsigned int seq = nlh->nlmsg_seq, forged = 0;
	int rc = 1;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot send the %s request", what);
	while (rc > 0) {
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = buf, .iov_len = buflen };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t n = recvmsg(mnl_socket_get_fd(nl->sock), &mh, 0);
		int ok;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read the %s reply",
					  what);
		ok = nd_nl_reply_check(&from, mh.msg_namelen, buf, (size_t)n, seq, nl->portid, err);
		if (ok == 0) {
			if (++forged > FORGED_MAX)
				return nd_err_set(err, ND_EXIT_FAIL, 0,
						  "more than %d netlink messages not from the "
						  "kernel while reading the %s reply",
						  FORGED_MAX, what);
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "the %s reply was truncated", what);
		if (ok < 0)
			return nd_err_prefix(err, "bad %s reply", what);
		rc = parse(buf, (size_t)n, seq, nl->portid, out, err);
	}
	return rc;
}

static int dump(struct nd_nl *nl, uint16_t type, parse_fn parse, void *out, const char *what,
		struct nd_err *err)
{
	/* MNL_SOCKET_BUFFER_SIZE is at most 8 KiB; a dump message can be larger on hosts with
	 * many VFs, and the kernel truncates what does not fit, so use 32 KiB. */
	char buf[32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	return transact(nl, buf, sizeof(buf), parse, out, what, err);
}

int nd_nl_dump_links(struct nd_nl *nl, struct nd_link_list *out, struct nd_err *err)
{
	return dump(nl, RTM_GETLINK, parse_links_v, out, "link dump", err);
}

int nd_nl_dump_addrs(struct nd_nl *nl, struct nd_addr_list *out, struct nd_err *err)
{
	return dump(nl, RTM_GETADDR, parse_addrs_v, out, "address dump", err);
}

int nd_nl_get_nsid(struct nd_nl *nl, int netns_fd, int *nsid, struct nd_err *err)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++nl->seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)netns_fd);
	return transact(nl, buf, sizeof(buf), parse_nsid_v, nsid, "namespace id", err);
}
