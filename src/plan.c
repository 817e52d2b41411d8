/* The decisions of a capture (plan.h): pure functions, unit-tested without a namespace. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nsdump/plan.h"

int nd_plan_mode_parse(const char *word, enum nd_mode *mode)
{
	static const enum nd_mode all[] = { ND_MODE_AUTO, ND_MODE_SETNS, ND_MODE_VETH };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(word, nd_plan_mode_name(all[i])) == 0) {
			*mode = all[i];
			return 0;
		}
	}
	return -1;
}

const char *nd_plan_mode_name(enum nd_mode mode)
{
	switch (mode) {
	case ND_MODE_SETNS:
		return "setns";
	case ND_MODE_VETH:
		return "veth";
	case ND_MODE_AUTO:
		break;
	}
	return "auto";
}

bool nd_plan_wants_peer(enum nd_mode mode, bool is_host, bool has_tif)
{
	return !is_host && mode != ND_MODE_SETNS && has_tif;
}

enum nd_way nd_plan_way(enum nd_mode mode, bool is_host, bool has_tif, bool has_peer)
{
	if (is_host)
		return ND_WAY_HOST;
	if (has_peer && nd_plan_wants_peer(mode, is_host, has_tif))
		return ND_WAY_VETH;
	/* --mode veth insists; "any" (no such interface) was refused with veth by the parser. */
	if (mode == ND_MODE_VETH && has_tif)
		return ND_WAY_NONE;
	return ND_WAY_SETNS;
}

const char *nd_plan_way_name(enum nd_way way)
{
	switch (way) {
	case ND_WAY_HOST:
		return "host (the target is in nsdump's own network namespace)";
	case ND_WAY_SETNS:
		return "setns";
	case ND_WAY_VETH:
		return "veth";
	case ND_WAY_NONE:
		break;
	}
	return "none";
}

enum nd_direction nd_plan_direction(enum nd_way way, enum nd_direction dir)
{
	if (way != ND_WAY_VETH)
		return dir;
	return dir == ND_DIR_IN ? ND_DIR_OUT : dir == ND_DIR_OUT ? ND_DIR_IN : dir;
}

int nd_plan_ifindex(const char *ifname, const struct nd_link *tif)
{
	return tif != NULL && strcmp(ifname, "any") != 0 ? tif->ifindex : 0;
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

int nd_plan_iface_choose(const struct nd_link_list *links, const char *requested, char *out,
			 struct nd_err *err)
{
	char list[512];
	const struct nd_link *only = NULL;
	size_t others = 0;

	names(links, list, sizeof(list));
	if (requested != NULL) {
		if (strcmp(requested, "any") == 0) {
			snprintf(out, IF_NAMESIZE, "%s", "any");
			return 0;
		}
		for (size_t i = 0; i < links->n; i++) {
			if (strcmp(links->v[i].name, requested) == 0) {
				snprintf(out, IF_NAMESIZE, "%s", links->v[i].name);
				return 0;
			}
		}
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"no interface '%s' in the target's network namespace (it has: %s)",
			requested, list);
	}
	for (size_t i = 0; i < links->n; i++) {
		if (strcmp(links->v[i].name, "eth0") == 0) {
			snprintf(out, IF_NAMESIZE, "%s", "eth0");
			return 0;
		}
		if (!(links->v[i].flags & IFF_LOOPBACK)) {
			only = &links->v[i];
			others++;
		}
	}
	if (others == 1) {
		snprintf(out, IF_NAMESIZE, "%s", only->name);
		return 0;
	}
	if (others == 0)
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"the target has no interface but loopback (%s): use -i lo to capture "
			"it",
			list);
	return nd_err_set(err, ND_EXIT_USAGE, 0,
			  "the target has no eth0 and several interfaces (%s): choose one with -i, "
			  "or use -i any",
			  list);
}

static int add_iface(char (*out)[IF_NAMESIZE], unsigned int max, unsigned int max_total,
		     unsigned int *n, const char *name, struct nd_err *err)
{
	if (*n == max)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %u interfaces in one capture",
				  max_total);
	snprintf(out[(*n)++], IF_NAMESIZE, "%s", name);
	return 0;
}

int nd_plan_ifaces(const struct nd_link_list *links, const char *const *want, unsigned int nwant,
		   const char *label, char (*out)[IF_NAMESIZE], unsigned int max,
		   unsigned int max_total, unsigned int *nout, struct nd_err *err)
{
	unsigned int n = 0;
	char ifname[IF_NAMESIZE];

	for (unsigned int k = 0; k < (nwant ? nwant : 1); k++) {
		const char *w = nwant ? want[k] : NULL;

		if (w != NULL && strcmp(w, "all") == 0) {
			unsigned int before = n;

			for (size_t j = 0; j < links->n; j++)
				if (!(links->v[j].flags & IFF_LOOPBACK) &&
				    add_iface(out, max, max_total, &n, links->v[j].name, err) < 0)
					return -1;
			if (n == before)
				return nd_err_set(err, ND_EXIT_USAGE, 0,
						  "%s has no interface but loopback", label);
			continue;
		}
		if (nd_plan_iface_choose(links, w, ifname, err) < 0)
			return nd_err_prefix(err, "%s", label);
		if (add_iface(out, max, max_total, &n, ifname, err) < 0)
			return -1;
	}
	*nout = n;
	return 0;
}

bool nd_plan_keep_netns(const enum nd_way *ways, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ways[i] != ND_WAY_VETH)
			return true;
	return false;
}

/* Appends to buf (size cap, *used of it taken) what fmt says, as far as it fits. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t cap, size_t *used,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	*used += n > 0 ? (size_t)n : 0;
}

void nd_plan_describe(const struct nd_target *t, const struct nd_target_spec *spec,
		      const char *ifname, enum nd_way way, const struct nd_link *peer, char *name,
		      size_t name_size, char *desc, size_t desc_size)
{
	const struct nd_container *c = &t->container;
	size_t used = 0;

	if (t->is_container && spec->kind == ND_TARGET_POD)
		snprintf(name, name_size, "%s/%s", spec->name, ifname);
	else if (t->is_container)
		snprintf(name, name_size, "%s/%s", c->name, ifname);
	else if (t->kind == ND_TARGET_PID)
		snprintf(name, name_size, "pid%d/%s", (int)t->pid, ifname);
	else
		snprintf(name, name_size, "%s/%s", spec->name, ifname);

	desc[0] = '\0';
	if (t->is_container) {
		append(desc, desc_size, &used, "runtime %s%s%s; container %s; id %s; ",
		       nd_runtime_name(c->runtime), c->ns[0] ? "; namespace " : "", c->ns, c->name,
		       c->id);
		if (c->pod_name[0] != '\0')
			append(desc, desc_size, &used, "pod %s/%s; ", c->pod_ns, c->pod_name);
		append(desc, desc_size, &used, "PID %d", (int)t->pid);
	} else {
		append(desc, desc_size, &used, "%s", t->label);
	}
	append(desc, desc_size, &used, "; netns %llu; mode %s", t->netns_ino,
	       nd_plan_way_name(way));
	if (peer != NULL && peer->ifindex != 0)
		append(desc, desc_size, &used, "; host peer %s (ifindex %d)", peer->name,
		       peer->ifindex);
}

int nd_plan_block_ms(bool live_output, bool rotated)
{
	return live_output && !rotated ? ND_BLOCK_LIVE_MS : ND_BLOCK_FILE_MS;
}

int nd_plan_buffer_kib(int requested, bool live_output, bool rotated, unsigned int ntargets)
{
	unsigned int share;

	if (requested != 0)
		return requested;
	if (live_output && !rotated)
		return ND_DEFAULT_BUFFER_KIB;
	share = ND_FILE_BUFFER_KIB / (ntargets ? ntargets : 1);
	return share > ND_DEFAULT_BUFFER_KIB ? (int)share : ND_DEFAULT_BUFFER_KIB;
}

bool nd_plan_to_file(const char *output)
{
	return output != NULL && strcmp(output, "-") != 0;
}

void nd_plan_rotate_target(const char *if_name, char *out, size_t out_size)
{
	snprintf(out, out_size, "%.*s", (int)strcspn(if_name, "/"), if_name);
}
