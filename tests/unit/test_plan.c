/* The decisions of a capture (plan.c), without a namespace: links, targets and peers are
 * plain data here. */
#include <string.h>

#include "nsdump/plan.h"
#include "unit.h"

static struct nd_link mklink(int ifindex, const char *name, const char *kind, unsigned int flags)
{
	struct nd_link k = { .ifindex = ifindex, .flags = flags, .link_netnsid = -1 };

	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.kind, sizeof(k.kind), "%s", kind);
	return k;
}

static void test_mode(void)
{
	enum nd_mode m = ND_MODE_VETH;

	CHECK("mode auto parses", nd_plan_mode_parse("auto", &m) == 0 && m == ND_MODE_AUTO);
	CHECK("mode setns parses", nd_plan_mode_parse("setns", &m) == 0 && m == ND_MODE_SETNS);
	CHECK("mode veth parses", nd_plan_mode_parse("veth", &m) == 0 && m == ND_MODE_VETH);
	CHECK("mode VETH (case) refused, mode kept",
	      nd_plan_mode_parse("VETH", &m) < 0 && m == ND_MODE_VETH);
	CHECK("mode '' refused", nd_plan_mode_parse("", &m) < 0);
	CHECK_STR("mode name auto", nd_plan_mode_name(ND_MODE_AUTO), "auto");
	CHECK_STR("mode name setns", nd_plan_mode_name(ND_MODE_SETNS), "setns");
	CHECK_STR("mode name veth", nd_plan_mode_name(ND_MODE_VETH), "veth");
}

static void test_way(void)
{
	CHECK("auto looks for a peer", nd_plan_wants_peer(ND_MODE_AUTO, false, true));
	CHECK("veth looks for a peer", nd_plan_wants_peer(ND_MODE_VETH, false, true));
	CHECK("setns does not look for a peer", !nd_plan_wants_peer(ND_MODE_SETNS, false, true));
	CHECK("host target: no peer search", !nd_plan_wants_peer(ND_MODE_VETH, true, true));
	CHECK("'any' (no such link): no peer search",
	      !nd_plan_wants_peer(ND_MODE_AUTO, false, false));

	CHECK("auto with a peer: veth",
	      nd_plan_way(ND_MODE_AUTO, false, true, true) == ND_WAY_VETH);
	CHECK("auto without a peer: setns",
	      nd_plan_way(ND_MODE_AUTO, false, true, false) == ND_WAY_SETNS);
	CHECK("veth with a peer: veth",
	      nd_plan_way(ND_MODE_VETH, false, true, true) == ND_WAY_VETH);
	CHECK("veth without a peer: none (an error)",
	      nd_plan_way(ND_MODE_VETH, false, true, false) == ND_WAY_NONE);
	CHECK("setns: setns even with a peer",
	      nd_plan_way(ND_MODE_SETNS, false, true, true) == ND_WAY_SETNS);
	CHECK("auto on 'any': setns",
	      nd_plan_way(ND_MODE_AUTO, false, false, false) == ND_WAY_SETNS);
	CHECK("host target: host, whatever the mode",
	      nd_plan_way(ND_MODE_VETH, true, true, false) == ND_WAY_HOST &&
		      nd_plan_way(ND_MODE_SETNS, true, true, false) == ND_WAY_HOST);
	CHECK_STR("way name veth", nd_plan_way_name(ND_WAY_VETH), "veth");
	CHECK_STR("way name setns", nd_plan_way_name(ND_WAY_SETNS), "setns");
	CHECK_STR("way name host", nd_plan_way_name(ND_WAY_HOST),
		  "host (the target is in nsdump's own network namespace)");
}

static void test_direction(void)
{
	CHECK("veth: in becomes out", nd_plan_direction(ND_WAY_VETH, ND_DIR_IN) == ND_DIR_OUT);
	CHECK("veth: out becomes in", nd_plan_direction(ND_WAY_VETH, ND_DIR_OUT) == ND_DIR_IN);
	CHECK("veth: inout stays", nd_plan_direction(ND_WAY_VETH, ND_DIR_INOUT) == ND_DIR_INOUT);
	CHECK("setns: in stays", nd_plan_direction(ND_WAY_SETNS, ND_DIR_IN) == ND_DIR_IN);
	CHECK("host: out stays", nd_plan_direction(ND_WAY_HOST, ND_DIR_OUT) == ND_DIR_OUT);
}

static void test_ifindex(void)
{
	struct nd_link eth0 = mklink(5, "eth0", "veth", IFF_UP), any = mklink(9, "any", "", 0);

	CHECK("an interface's own index", nd_plan_ifindex("eth0", &eth0) == 5);
	CHECK("'any' is unbound even if a link is named so", nd_plan_ifindex("any", &any) == 0);
	CHECK("no link: unbound", nd_plan_ifindex("any", NULL) == 0);
}

static int ifaces(const struct nd_link_list *l, const char *const *want, unsigned int n,
		  unsigned int max, char (*out)[IF_NAMESIZE], unsigned int *nout, struct nd_err *e)
{
	memset(e, 0, sizeof(*e));
	*nout = 99;
	return nd_plan_ifaces(l, want, n, "netns blue", out, max, 64, nout, e);
}

static void test_ifaces(void)
{
	struct nd_link v[] = { mklink(1, "lo", "", IFF_LOOPBACK | IFF_UP),
			       mklink(5, "eth0", "veth", IFF_UP),
			       mklink(6, "net1", "macvlan", IFF_UP) };
	struct nd_link_list l = { .v = v, .n = 3, .cap = 3 };
	struct nd_link_list only_lo = { .v = v, .n = 1, .cap = 1 };
	struct nd_link_list no_eth0 = { .v = v + 1, .n = 2, .cap = 2 };
	const char *all[] = { "all" }, *two[] = { "net1", "lo" }, *bad[] = { "eth0", "nosuch" };
	const char *any[] = { "any" };
	char out[8][IF_NAMESIZE];
	unsigned int n;
	struct nd_err e;

	no_eth0.v[0] = mklink(7, "ens3", "veth", IFF_UP); /* v[1] renamed: no eth0 below */
	CHECK("default without eth0 and two candidates: exit 2",
	      ifaces(&no_eth0, NULL, 0, 8, out, &n, &e) < 0 && e.exit == ND_EXIT_USAGE &&
		      strstr(e.msg, "netns blue: the target has no eth0") == e.msg && n == 99);
	v[1] = mklink(5, "eth0", "veth", IFF_UP);
	CHECK("default: eth0",
	      ifaces(&l, NULL, 0, 8, out, &n, &e) == 0 && n == 1 && strcmp(out[0], "eth0") == 0);
	CHECK("all: every interface but loopback, in order",
	      ifaces(&l, all, 1, 8, out, &n, &e) == 0 && n == 2 && strcmp(out[0], "eth0") == 0 &&
		      strcmp(out[1], "net1") == 0);
	CHECK("explicit, in the order given", ifaces(&l, two, 2, 8, out, &n, &e) == 0 && n == 2 &&
						      strcmp(out[0], "net1") == 0 &&
						      strcmp(out[1], "lo") == 0);
	CHECK("any passes as it is",
	      ifaces(&l, any, 1, 8, out, &n, &e) == 0 && n == 1 && strcmp(out[0], "any") == 0);
	CHECK("no such interface: exit 2, naming the target and listing the names",
	      ifaces(&l, bad, 2, 8, out, &n, &e) < 0 && e.exit == ND_EXIT_USAGE &&
		      strstr(e.msg, "netns blue: no interface 'nosuch'") == e.msg &&
		      strstr(e.msg, "lo, eth0, net1") != NULL && n == 99);
	CHECK("all with only loopback: exit 2",
	      ifaces(&only_lo, all, 1, 8, out, &n, &e) < 0 && e.exit == ND_EXIT_USAGE &&
		      strcmp(e.msg, "netns blue has no interface but loopback") == 0);
	CHECK("default with only loopback: exit 2 suggesting -i lo",
	      ifaces(&only_lo, NULL, 0, 8, out, &n, &e) < 0 && strstr(e.msg, "-i lo") != NULL);
	CHECK("more than the room left: exit 2",
	      ifaces(&l, all, 1, 1, out, &n, &e) < 0 && e.exit == ND_EXIT_USAGE &&
		      strcmp(e.msg, "at most 64 interfaces in one capture") == 0);
	CHECK("exactly the room left is fine", ifaces(&l, all, 1, 2, out, &n, &e) == 0 && n == 2);
}

static void test_keep_netns(void)
{
	enum nd_way veth2[] = { ND_WAY_VETH, ND_WAY_VETH };
	enum nd_way mixed[] = { ND_WAY_VETH, ND_WAY_SETNS };
	enum nd_way host[] = { ND_WAY_HOST };

	CHECK("only veth captures: the namespace is let go", !nd_plan_keep_netns(veth2, 2));
	CHECK("one setns capture: the namespace stays open", nd_plan_keep_netns(mixed, 2));
	CHECK("host capture: stays", nd_plan_keep_netns(host, 1));
	CHECK("nothing captured: let go", !nd_plan_keep_netns(veth2, 0));
}

static void test_describe(void)
{
	struct nd_target t = { .kind = ND_TARGET_PID, .pid = 42, .netns_ino = 4026532000ULL };
	struct nd_target_spec spec = { .kind = ND_TARGET_PID, .pid = 42 };
	struct nd_link peer = mklink(17, "veth1a2b", "veth", IFF_UP), none = { 0 };
	char name[288], desc[1024], small[40];

	snprintf(t.label, sizeof(t.label), "PID 42 (nginx)");
	nd_plan_describe(&t, &spec, "eth0", ND_WAY_SETNS, &none, name, sizeof(name), desc,
			 sizeof(desc));
	CHECK_STR("pid: name", name, "pid42/eth0");
	CHECK_STR("pid: description", desc, "PID 42 (nginx); netns 4026532000; mode setns");

	nd_plan_describe(&t, &spec, "eth0", ND_WAY_VETH, &peer, name, sizeof(name), desc,
			 sizeof(desc));
	CHECK_STR("veth: the host peer", desc,
		  "PID 42 (nginx); netns 4026532000; mode veth; host peer veth1a2b (ifindex 17)");

	spec = (struct nd_target_spec){ .kind = ND_TARGET_NETNS, .name = "blue" };
	t.kind = ND_TARGET_NETNS;
	snprintf(t.label, sizeof(t.label), "netns blue");
	nd_plan_describe(&t, &spec, "any", ND_WAY_SETNS, NULL, name, sizeof(name), desc,
			 sizeof(desc));
	CHECK_STR("netns: name", name, "blue/any");

	t.is_container = true;
	t.pid = 7;
	t.container.runtime = ND_RT_DOCKER;
	snprintf(t.container.name, sizeof(t.container.name), "web1");
	snprintf(t.container.id, sizeof(t.container.id), "3f2a");
	spec = (struct nd_target_spec){ .kind = ND_TARGET_CONTAINER, .name = "web" };
	nd_plan_describe(&t, &spec, "eth0", ND_WAY_SETNS, NULL, name, sizeof(name), desc,
			 sizeof(desc));
	CHECK_STR("container: its own name, not the query", name, "web1/eth0");
	CHECK_STR("container: description", desc,
		  "runtime docker; container web1; id 3f2a; PID 7; netns 4026532000; mode setns");

	t.container.runtime = ND_RT_CONTAINERD;
	snprintf(t.container.ns, sizeof(t.container.ns), "k8s.io");
	snprintf(t.container.pod_ns, sizeof(t.container.pod_ns), "default");
	snprintf(t.container.pod_name, sizeof(t.container.pod_name), "web-0");
	spec = (struct nd_target_spec){ .kind = ND_TARGET_POD, .name = "web-0" };
	nd_plan_describe(&t, &spec, "eth0", ND_WAY_SETNS, NULL, name, sizeof(name), desc,
			 sizeof(desc));
	CHECK_STR("pod: the pod's name", name, "web-0/eth0");
	CHECK_STR("pod: description", desc,
		  "runtime containerd; namespace k8s.io; container web1; id 3f2a; pod "
		  "default/web-0; PID 7; netns 4026532000; mode setns");
	nd_plan_describe(&t, &spec, "eth0", ND_WAY_SETNS, NULL, name, sizeof(name), small,
			 sizeof(small));
	CHECK("a short buffer is truncated, terminated",
	      strlen(small) == sizeof(small) - 1 && strncmp(small, desc, sizeof(small) - 1) == 0);
}

static void test_output(void)
{
	char t[64];

	CHECK("no -w: standard output", !nd_plan_to_file(NULL));
	CHECK("-w -: standard output", !nd_plan_to_file("-"));
	CHECK("-w FILE: a file", nd_plan_to_file("out.pcapng"));
	CHECK("-w ./-: a file", nd_plan_to_file("./-"));
	CHECK("a pipe or FIFO: the short block timeout",
	      nd_plan_block_ms(true, false) == ND_BLOCK_LIVE_MS);
	CHECK("a file: the long block timeout", nd_plan_block_ms(false, false) == ND_BLOCK_FILE_MS);
	CHECK("rotated files: the long block timeout",
	      nd_plan_block_ms(false, true) == ND_BLOCK_FILE_MS);
	CHECK("-B: as asked, whatever the output",
	      nd_plan_buffer_kib(2048, false, false, 1) == 2048);
	CHECK("a pipe: the default ring",
	      nd_plan_buffer_kib(0, true, false, 1) == ND_DEFAULT_BUFFER_KIB);
	CHECK("a file, one target: the file ring",
	      nd_plan_buffer_kib(0, false, false, 1) == ND_FILE_BUFFER_KIB);
	CHECK("rotated files from a pipe's -w: the file ring",
	      nd_plan_buffer_kib(0, true, true, 1) == ND_FILE_BUFFER_KIB);
	CHECK("a file, two targets: half each",
	      nd_plan_buffer_kib(0, false, false, 2) == ND_FILE_BUFFER_KIB / 2);
	CHECK("a file, ten targets: never below the default",
	      nd_plan_buffer_kib(0, false, false, 10) == ND_DEFAULT_BUFFER_KIB);
	CHECK("no targets counted: as one",
	      nd_plan_buffer_kib(0, false, false, 0) == ND_FILE_BUFFER_KIB);
	nd_plan_rotate_target("web1/eth0", t, sizeof(t));
	CHECK_STR("%n: the target part", t, "web1");
	nd_plan_rotate_target("noslash", t, sizeof(t));
	CHECK_STR("%n without a slash: all of it", t, "noslash");
}

int main(void)
{
	test_mode();
	test_way();
	test_direction();
	test_ifindex();
	test_ifaces();
	test_keep_netns();
	test_describe();
	test_output();
	return UNIT_DONE();
}
