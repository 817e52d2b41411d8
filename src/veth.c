/* Veth-peer discovery and the -D listing; see include/nsdump/veth.h. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/text.h"
#include "nsdump/veth.h"

int nd_veth_discover(struct nd_target *t, struct nd_privs *privs, bool want_addrs,
		     struct nd_ifview *v, struct nd_err *err)
{
	struct nd_nl inner = { 0 }, host = { 0 };
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->nsid = -1;
	if (nd_target_netlink(t, privs, &inner, err) < 0)
		return -1;
	if (nd_nl_dump_links(&inner, &v->links, err) < 0 ||
	    (want_addrs && nd_nl_dump_addrs(&inner, &v->addrs, err) < 0))
		goto out;
	if (nd_nl_open(&host, err) < 0)
		goto out;
	if (nd_nl_dump_links(&host, &v->host, err) < 0 ||
	    nd_nl_get_nsid(&host, t->netns_fd, &v->nsid, err) < 0)
		goto out;
	rc = 0;
out:
	nd_nl_close(&inner);
	nd_nl_close(&host);
	if (rc < 0)
		nd_err_prefix(err, "cannot list the interfaces of %s", t->label);
	return rc;
}

void nd_ifview_free(struct nd_ifview *v)
{
	nd_link_list_free(&v->links);
	nd_addr_list_free(&v->addrs);
	nd_link_list_free(&v->host);
}

const struct nd_link *nd_veth_match(const struct nd_link_list *host, int nsid, int ifindex)
{
	if (nsid < 0)
		return NULL;
	for (size_t i = 0; i < host->n; i++)
		if (host->v[i].link_netnsid == nsid && host->v[i].link == ifindex)
			return &host->v[i];
	return NULL;
}

const struct nd_link *nd_veth_peer(const struct nd_ifview *v, const struct nd_link *target_if,
				   const char *label, struct nd_err *err)
{
	const struct nd_link *peer;

	if (strcmp(target_if->kind, "veth") != 0) {
		nd_err_set(err, ND_EXIT_USAGE, 0,
			   "%s of %s is a %s interface, which has no veth peer to capture from",
			   target_if->name, label, nd_link_kind(target_if));
		nd_err_hint(err, "capture inside the namespace with --mode setns");
		return NULL;
	}
	peer = nd_veth_match(&v->host, v->nsid, target_if->ifindex);
	if (peer == NULL) {
		nd_err_set(err, ND_EXIT_USAGE, 0,
			   "the veth peer of %s of %s is not in nsdump's network namespace (it is "
			   "in a third namespace)",
			   target_if->name, label);
		nd_err_hint(err, "capture inside the namespace with --mode setns");
		return NULL;
	}
	return peer;
}

int nd_veth_host_peers(struct nd_nl *host, const struct nd_link_list *hl, int netns_fd, char *out,
		       size_t outlen, struct nd_err *err)
{
	size_t used = 0;
	int nsid;

	out[0] = '\0';
	if (nd_nl_get_nsid(host, netns_fd, &nsid, err) < 0)
		return -1;
	for (size_t i = 0; nsid >= 0 && i < hl->n; i++) {
		int n;

		if (hl->v[i].link_netnsid != nsid || used + 1 >= outlen)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", hl->v[i].name);
		if (n > 0)
			used += (size_t)n;
	}
	return 0;
}

static const char *state_name(const struct nd_link *k)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					     "TESTING", "DORMANT",    "UP" };

	if (k->operstate >= 0 && (size_t)k->operstate < sizeof(names) / sizeof(names[0]))
		return names[k->operstate];
	return (k->flags & IFF_UP) ? "UP" : "DOWN";
}

void nd_ifview_print(FILE *out, const struct nd_ifview *v)
{
	fprintf(out, "%-15s %7s %-9s %-14s %6s  %-22s %s\n", "NAME", "IFINDEX", "KIND", "STATE",
		"MTU", "ADDRESSES", "HOST-PEER");
	for (size_t i = 0; i < v->links.n; i++) {
		const struct nd_link *k = &v->links.v[i];
		const struct nd_link *peer = nd_veth_match(&v->host, v->nsid, k->ifindex);
		char addrs[512] = "", peername[IF_NAMESIZE + 24] = "-";
		size_t used = 0;

		for (size_t j = 0; j < v->addrs.n; j++) {
			int n;

			if (v->addrs.v[j].ifindex != k->ifindex || used + 1 >= sizeof(addrs))
				continue;
			n = snprintf(addrs + used, sizeof(addrs) - used, "%s%s", used ? "," : "",
				     v->addrs.v[j].text);
			if (n > 0)
				used += (size_t)n;
		}
		if (peer != NULL)
			snprintf(peername, sizeof(peername), "%s (ifindex %d)", peer->name,
				 peer->ifindex);
		/* The names are the container's choice: printed through the cleaner. */
		nd_text_print(out, "%-15s %7d %-9s %-14s %6u  %-22s %s", k->name, k->ifindex,
			      nd_link_kind(k), state_name(k), k->mtu, used ? addrs : "-", peername);
	}
}

/* The host ends for one container c, with host and hl as nd_veth_host_peers takes them.
 * Returns -1 when privileges could not be raised or lowered: the caller stops there. */
static int container_peers(struct nd_privs *privs, struct nd_nl *host,
			   const struct nd_link_list *hl, struct nd_container *c)
{
	struct nd_err e;
	char path[64];
	int fd;

	if (!c->running || c->pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
	if (nd_privs_raise(privs, CAP_SYS_PTRACE, &e) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (nd_privs_lower(privs, &e) < 0) {
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	if (fd < 0)
		return 0;
	(void)nd_veth_host_peers(host, hl, fd, c->host_peer, sizeof(c->host_peer), &e);
	(void)close(fd);
	return 0;
}

void nd_veth_list_peers(struct nd_privs *privs, struct nd_container_list *l)
{
	struct nd_link_list hl = { 0 };
	struct nd_nl host = { 0 };
	struct nd_err e;

	if (nd_nl_open(&host, &e) < 0)
		return;
	if (nd_nl_dump_links(&host, &hl, &e) == 0)
		for (size_t i = 0; i < l->n; i++)
			if (container_peers(privs, &host, &hl, &l->v[i]) < 0)
				break;
	nd_link_list_free(&hl);
	nd_nl_close(&host);
}
