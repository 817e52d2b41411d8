/* Matching containers by name, ID prefix and pod; runtime names; safe copying. */
#include "nsdump/container.h"
#include "unit.h"

static struct nd_container *add(struct nd_container_list *l, enum nd_runtime rt, const char *ns,
				const char *name, const char *id, bool running)
{
	struct nd_container *c = nd_container_add(l);

	c->runtime = rt;
	strcpy(c->ns, ns);
	strcpy(c->name, name);
	strcpy(c->id, id);
	c->running = running;
	return c;
}

int main(void)
{
	struct nd_container_list l = { 0 };
	struct nd_container *p;
	size_t idx[4];
	unsigned mask = 0;
	char buf[128];

	add(&l, ND_RT_DOCKER, "", "web1", "abcdef0123456789", true);
	add(&l, ND_RT_CONTAINERD, "default", "web1", "web1", true);
	add(&l, ND_RT_PODMAN, "", "db", "abcd99", false);
	add(&l, ND_RT_CONTAINERD, "k8s.io", "dead", "beef0001", true);
	p = add(&l, ND_RT_CONTAINERD, "k8s.io", "sb1", "5a5a5a5a", true);
	strcpy(p->pod_ns, "shop");
	strcpy(p->pod_name, "web");
	p->sandbox = true;
	p = add(&l, ND_RT_CONTAINERD, "k8s.io", "app", "6b6b6b6b", true);
	strcpy(p->pod_ns, "shop");
	strcpy(p->pod_name, "web");

	CHECK("same name in two runtimes: 2 matches", nd_container_match(&l, "web1", idx, 4) == 2);
	CHECK("unique name", nd_container_match(&l, "db", idx, 4) == 1 && idx[0] == 2);
	CHECK("ambiguous ID prefix", nd_container_match(&l, "abcd", idx, 4) == 2);
	CHECK("unique ID prefix", nd_container_match(&l, "abcde", idx, 4) == 1 && idx[0] == 0);
	CHECK("full ID", nd_container_match(&l, "abcdef0123456789", idx, 4) == 1);
	CHECK("3 hex digits are no prefix", nd_container_match(&l, "abc", idx, 4) == 0);
	CHECK("upper-case is no prefix", nd_container_match(&l, "ABCD", idx, 4) == 0);
	CHECK("unknown", nd_container_match(&l, "nosuch", idx, 4) == 0);
	CHECK("more matches than room: counted, not written",
	      nd_container_match(&l, "web1", idx, 1) == 2);
	CHECK("pod: its running sandbox only",
	      nd_container_match_pod(&l, "shop", "web", idx, 4) == 1 && idx[0] == 4);
	CHECK("pod in another namespace: none",
	      nd_container_match_pod(&l, "default", "web", idx, 4) == 0);
	l.v[4].running = false;
	CHECK("pod without a running sandbox: its containers",
	      nd_container_match_pod(&l, "shop", "web", idx, 4) == 1 && idx[0] == 5);

	nd_container_describe(&l.v[1], buf, sizeof(buf));
	CHECK_STR("describe with namespace", buf, "containerd default web1 web1");
	nd_container_describe(&l.v[2], buf, sizeof(buf));
	CHECK_STR("describe not running", buf, "podman db abcd99 (not running)");

	CHECK("runtime names",
	      nd_runtime_parse("crio") == ND_RT_CRIO && nd_runtime_parse("cri-o") == ND_RT_CRIO &&
		      nd_runtime_parse("docker") == ND_RT_DOCKER && nd_runtime_parse("rkt") == 0);
	mask = ND_RT_DOCKER | ND_RT_CRIO;
	nd_runtime_mask_names(mask, buf, sizeof(buf));
	CHECK_STR("mask names", buf, "docker, crio");

	CHECK("set: control character refused", nd_container_set(buf, sizeof(buf), "a\nb", 3) < 0);
	CHECK("set: UTF-8 (here a bidi override) refused", nd_container_set(buf, sizeof(buf),
									    "a\xe2\x80\xae"
									    "b",
									    5) < 0);
	CHECK("set: 8-bit CSI refused", nd_container_set(buf, sizeof(buf),
							 "a\x9b"
							 "2J",
							 4) < 0);
	CHECK("set: too long refused", nd_container_set(buf, 4, "abcd", 4) < 0);
	CHECK("set: fits", nd_container_set(buf, 5, "abcd", 4) == 0 && strcmp(buf, "abcd") == 0);
	nd_container_list_free(&l);
	/* One ID validator for every runtime's IDs, namespaces and directory entries. */
	{
		const char *good[] = { "3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6"
				       "e3f2a",
				       "k8s.io",
				       "web-1",
				       "a_b.c-d",
				       "default",
				       "x" };
		const char *bad[] = { "",
				      ".",
				      "..",
				      "../etc",
				      "a/b",
				      "a..b",
				      ".hidden",
				      "trail.",
				      "-lead",
				      "a--b",
				      "sp ace",
				      "nl\n",
				      "012345678901234567890123456789012345678901234567890123456789"
				      "0"
				      "1234567890123" };
		bool all_good = true, all_bad = true;

		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
			all_good &= nd_container_id_ok(good[i]);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (nd_container_id_ok(bad[i]))
				printf("#   accepted: '%s'\n", bad[i]);
			all_bad &= !nd_container_id_ok(bad[i]);
		}
		CHECK("ID validator: hex IDs, containerd names and namespaces pass", all_good);
		CHECK("ID validator: '..', '/', empty, edges, doubled separators, too long: "
		      "refused",
		      all_bad);
	}
	return UNIT_DONE();
}
