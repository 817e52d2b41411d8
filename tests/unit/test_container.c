/* Matching containers by name, ID prefix and pod; runtime names; safe copying; how records
 * are shown (candidate lists, -v, --list table and JSON), CRI pods included. */
#include <stdlib.h>

#include "nsdump/container.h"
#include "unit.h"

#define SB_ID  "0e0e7fdfd564f17871e3df5c89f4a3036e6c680f5c84213e5dbbff4ac91bbbdf"
#define APP_ID "0f7862c76969dc2b75b6af4c5beb223a0df0540bef722207f26d3cadf8808cea"

/* The --list output of l (table or JSON) in a malloc'd string. */
static char *list_text(const struct nd_container_list *l, bool json)
{
	struct nd_err err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	if (nd_container_print_list(f, l, json, &err) < 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

/* A pod as containerd's CRI makes it: a sandbox named by nothing but its ID, and app. */
static void cri_pod_views(void)
{
	struct nd_container_list l = { 0 };
	struct nd_container *sb = nd_container_add(&l), *app = nd_container_add(&l);
	char buf[512], *text;

	sb->runtime = app->runtime = ND_RT_CONTAINERD;
	strcpy(sb->ns, "k8s.io");
	strcpy(app->ns, "k8s.io");
	strcpy(sb->id, SB_ID);
	strcpy(sb->name, SB_ID); /* what resolve_containerd.c does without a name */
	strcpy(app->id, APP_ID);
	strcpy(app->name, "app");
	strcpy(sb->pod_ns, "shop");
	strcpy(app->pod_ns, "shop");
	strcpy(sb->pod_name, "web");
	strcpy(app->pod_name, "web");
	sb->sandbox = true;
	sb->running = app->running = true;
	sb->pid = 4242;
	app->pid = 4250;
	sb->netns_ino = app->netns_ino = 4026532173ULL;
	strcpy(sb->host_peer, "veth914bc4f5");
	strcpy(app->host_peer, "veth914bc4f5");

	nd_container_describe(app, buf, sizeof(buf));
	CHECK_STR("describe: a pod's container names its pod", buf,
		  "containerd k8s.io app 0f7862c76969 (pod shop/web)");
	nd_container_describe(sb, buf, sizeof(buf));
	CHECK_STR("describe: a sandbox without a name is 'sandbox', its ID short", buf,
		  "containerd k8s.io sandbox 0e0e7fdfd564 (pod shop/web)");
	sb->stale = true;
	sb->running = false;
	nd_container_describe(sb, buf, sizeof(buf));
	CHECK_STR("describe: pod and state together", buf,
		  "containerd k8s.io sandbox 0e0e7fdfd564 (pod shop/web, stale)");
	sb->stale = false;
	sb->running = true;

	nd_container_found(sb, buf, sizeof(buf));
	CHECK_STR("-v: a sandbox, its ID once", buf,
		  "containerd k8s.io sandbox of pod shop/web (ID " SB_ID ")");
	nd_container_found(app, buf, sizeof(buf));
	CHECK_STR("-v: a pod's container", buf,
		  "containerd k8s.io app of pod shop/web (ID " APP_ID ")");

	text = list_text(&l, false);
	CHECK_STR(
		"--list: the sandbox as (sandbox), IDs short, the pod last", text,
		"RUNTIME    NAMESPACE  NAME                     ID                PID NETNS       "
		"HOST-PEER       POD\n"
		"containerd k8s.io     (sandbox)                0e0e7fdfd564     4242 4026532173  "
		"veth914bc4f5    shop/web\n"
		"containerd k8s.io     app                      0f7862c76969     4250 4026532173  "
		"veth914bc4f5    shop/web\n");
	free(text);
	text = list_text(&l, true);
	CHECK_STR("--list --json: full values, pod_namespace and pod_name added", text,
		  "[{\"runtime\":\"containerd\",\"namespace\":\"k8s.io\",\"name\":\"" SB_ID
		  "\",\"id\":\"" SB_ID "\",\"pid\":4242,\"netns\":4026532173,"
		  "\"host_peer\":\"veth914bc4f5\",\"pod\":\"shop/web\",\"sandbox\":true,"
		  "\"pod_namespace\":\"shop\",\"pod_name\":\"web\"},"
		  "{\"runtime\":\"containerd\",\"namespace\":\"k8s.io\",\"name\":\"app\",\"id\":"
		  "\"" APP_ID "\",\"pid\":4250,\"netns\":4026532173,\"host_peer\":"
		  "\"veth914bc4f5\",\"pod\":\"shop/web\",\"sandbox\":false,"
		  "\"pod_namespace\":\"shop\",\"pod_name\":\"web\"}]\n");
	free(text);
	nd_container_list_free(&l);
}

/* Names that are IDs without being generated ones, and records outside pods. */
static void plain_views(void)
{
	struct nd_container_list l = { 0 };
	struct nd_container *c = nd_container_add(&l), *d = nd_container_add(&l);
	char buf[512], *text;

	c->runtime = ND_RT_CONTAINERD;
	strcpy(c->ns, "default");
	strcpy(c->id, "c1");
	strcpy(c->name, "c1"); /* ctr run ... c1: chosen, so a name */
	c->running = true;
	c->pid = 77;
	d->runtime = ND_RT_DOCKER;
	strcpy(d->id, APP_ID);
	strcpy(d->name, "web1");
	d->running = true;
	d->pid = 78;

	nd_container_found(c, buf, sizeof(buf));
	CHECK_STR("-v: a container named by its ID only: once", buf,
		  "containerd default container c1");
	nd_container_found(d, buf, sizeof(buf));
	CHECK_STR("-v: a name and an ID", buf, "docker web1 (ID " APP_ID ")");
	text = list_text(&l, false);
	CHECK("--list: a chosen ID stays the name",
	      text != NULL && strstr(text, "\ncontainerd default    c1   ") != NULL);
	free(text);
	text = list_text(&l, true);
	CHECK("--list --json: no pod: pod_namespace and pod_name null",
	      text != NULL && strstr(text, "\"pod\":null,\"sandbox\":false,\"pod_namespace\":null,"
					   "\"pod_name\":null}") != NULL);
	free(text);
	/* A 64-hex name that is not the ID (a user may name a container so) is a name. */
	strcpy(d->name, SB_ID);
	nd_container_describe(d, buf, sizeof(buf));
	CHECK_STR("describe: a hex name that is not the ID is kept", buf,
		  "docker " SB_ID " 0f7862c76969");
	/* A CRI container without a name of its own, in a pod, not a sandbox. */
	strcpy(d->name, APP_ID);
	strcpy(d->pod_ns, "shop");
	strcpy(d->pod_name, "web");
	nd_container_describe(d, buf, sizeof(buf));
	CHECK_STR("describe: no name, not a sandbox: ID only", buf,
		  "docker 0f7862c76969 (pod shop/web)");
	nd_container_found(d, buf, sizeof(buf));
	CHECK_STR("-v: no name, in a pod", buf, "docker container " APP_ID " of pod shop/web");
	text = list_text(&l, false);
	CHECK("--list: no name, not a sandbox: '-'",
	      text != NULL && strstr(text, "\ndocker     -          -                        "
					   "0f7862c76969       78 ") != NULL);
	free(text);
	nd_container_list_free(&l);
}

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
		static const char long_id[] =
			"3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6e3f2a1b4c5d6e3f2a";
		const char *good[] = { long_id, "k8s.io", "web-1", "a_b.c-d", "default", "x" };
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
	cri_pod_views();
	plain_views();
	return UNIT_DONE();
}
