/* rtnetlink link dump and interface choice; see include/nsdump/netlink.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/netlink.h"

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
	struct nd_link k = { .link_netnsid = -1 };
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

int nd_nl_parse_links(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      struct nd_link_list *out, struct nd_err *err)
{
	struct parse_ctx ctx = { .out = out, .err = err, .failed = 0 };
	int rc;

	errno = 0;
	rc = mnl_cb_run(buf, len, seq, portid, link_msg_cb, &ctx);
	if (rc == MNL_CB_ERROR) {
		if (!ctx.failed)
			nd_err_set(err, ND_EXIT_FAIL, errno, "bad netlink reply");
		return -1;
	}
	return rc == MNL_CB_STOP ? 0 : 1;
}

void nd_link_list_free(struct nd_link_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int nd_nl_list_links(struct nd_link_list *out, struct nd_err *err)
{
	/* MNL_SOCKET_BUFFER_SIZE is at most 8 KiB; a dump message can be larger on hosts with
	 * many VFs, and the kernel truncates what does not fit, so use 32 KiB. */
	char buf[32768];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *rt;
	struct timespec now;
	unsigned int seq, portid;
	int rc = 1;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot open a netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nd_err_set(err, ND_EXIT_FAIL, errno, "cannot bind the netlink socket");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0) {
		nd_err_set(err, ND_EXIT_FAIL, errno, "clock_gettime");
		goto out;
	}
	seq = (unsigned int)now.tv_nsec ^ (unsigned int)getpid();

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		nd_err_set(err, ND_EXIT_FAIL, errno, "cannot send the link dump request");
		goto out;
	}
	while (rc > 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read the link dump");
			goto out;
		}
		rc = nd_nl_parse_links(buf, (size_t)n, seq, portid, out, err);
	}
out:
	if (mnl_socket_close(nl) < 0 && rc == 0)
		rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot close the netlink socket");
	return rc < 0 || rc == 1 ? -1 : 0;
}

static void names(const struct nd_link_list *links, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < links->n && used + 1 < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", links->v[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int nd_iface_choose(const struct nd_link_list *links, const char *requested, char *out,
		    struct nd_err *err)
{
	char list[512];
	const struct nd_link *only = NULL;
	size_t others = 0;

	names(links, list, sizeof(list));
	if (requested != NULL) {
		if (strcmp(requested, "any") == 0) {
			strcpy(out, "any");
			return 0;
		}
		for (size_t i = 0; i < links->n; i++) {
			if (strcmp(links->v[i].name, requested) == 0) {
				strcpy(out, links->v[i].name);
				return 0;
			}
		}
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "no interface '%s' in the target's network namespace (it has: %s)",
				  requested, list);
	}
	for (size_t i = 0; i < links->n; i++) {
		if (strcmp(links->v[i].name, "eth0") == 0) {
			strcpy(out, "eth0");
			return 0;
		}
		if (!(links->v[i].flags & IFF_LOOPBACK)) {
			only = &links->v[i];
			others++;
		}
	}
	if (others == 1) {
		strcpy(out, only->name);
		return 0;
	}
	if (others == 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "the target has no interface but loopback (%s): use -i lo to capture "
				  "it", list);
	return nd_err_set(err, ND_EXIT_USAGE, 0,
			  "the target has no eth0 and several interfaces (%s): choose one with -i, "
			  "or use -i any", list);
}
