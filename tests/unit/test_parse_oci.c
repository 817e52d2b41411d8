/* runc state.json and OCI config.json: CRI annotations, malformed and hostile input. */
#include "nsdump/parse.h"
#include "unit.h"

static int state(const char *s, struct nd_container *c, struct nd_runc_extra *x)
{
	struct nd_err e = { 0 };

	memset(c, 0, sizeof(*c));
	if (x != NULL)
		memset(x, 0, sizeof(*x));
	return nd_parse_runc_state(s, strlen(s), c, x, &e);
}

static int config(const char *s, struct nd_container *c)
{
	struct nd_err e = { 0 };

	memset(c, 0, sizeof(*c));
	return nd_parse_oci_config(s, strlen(s), c, &e);
}

int main(void)
{
	struct nd_container c;
	struct nd_runc_extra x;

	CHECK("state: CRI sandbox",
	      state("{\"id\":\"abc123\",\"init_process_pid\":4242,\"init_process_start\":123456,"
		    "\"created\":\"2026-11-23T17:00:00Z\",\"config\":{\"labels\":[\"bundle=/run/"
		    "x\","
		    "\"io.kubernetes.cri.container-type=sandbox\",\"io.kubernetes.cri.sandbox-name="
		    "web\","
		    "\"io.kubernetes.cri.sandbox-namespace=shop\",\"noequals\",7]}}",
		    &c, &x) == 0);
	CHECK("state: PID and start", c.pid == 4242 && c.start == 123456ULL);
	CHECK_STR("state: id", c.id, "abc123");
	CHECK("state: sandbox", c.sandbox);
	CHECK_STR("state: pod name", c.pod_name, "web");
	CHECK_STR("state: pod namespace", c.pod_ns, "shop");
	CHECK("state: no manager", x.manager[0] == '\0' && !x.crio);
	CHECK("state: libpod manager and CRI-O labels",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2,\"config\":{"
		    "\"labels\":"
		    "[\"io.container.manager=libpod\",\"io.kubernetes.cri-o.ContainerType="
		    "container\","
		    "\"io.kubernetes.container.name=app\",\"io.kubernetes.pod.name=p\"]}}",
		    &c, &x) == 0 &&
		      strcmp(x.manager, "libpod") == 0 && x.crio && strcmp(c.name, "app") == 0 &&
		      strcmp(c.pod_name, "p") == 0 && !c.sandbox);
	CHECK("state: value containing '=' kept whole",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2,\"config\":{"
		    "\"labels\":"
		    "[\"nerdctl/name=a=b\"]}}",
		    &c, NULL) == 0 &&
		      strcmp(c.name, "a=b") == 0);
	CHECK("state: label with escape sequence ignored",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2,\"config\":{"
		    "\"labels\":"
		    "[\"nerdctl/name=\\u001b]0;x\"]}}",
		    &c, NULL) == 0 &&
		      c.name[0] == '\0');
	CHECK("state: no labels is fine",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2}", &c, NULL) ==
		      0);
	CHECK("state: missing pid refused",
	      state("{\"id\":\"a\",\"init_process_start\":2}", &c, NULL) < 0);
	CHECK("state: negative pid refused",
	      state("{\"id\":\"a\",\"init_process_pid\":-5,\"init_process_start\":2}", &c, NULL) <
		      0);
	CHECK("state: pid beyond int refused",
	      state("{\"id\":\"a\",\"init_process_pid\":4294967297,\"init_process_start\":2}", &c,
		    NULL) < 0);
	CHECK("state: start as string refused",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":\"2\"}", &c,
		    NULL) < 0);
	CHECK("state: empty id refused",
	      state("{\"id\":\"\",\"init_process_pid\":1,\"init_process_start\":2}", &c, NULL) < 0);
	CHECK("state: overlong id refused",
	      state("{\"id\":"
		    "\"0123456789012345678901234567890123456789012345678901234567890123456789012345"
		    "\","
		    "\"init_process_pid\":1,\"init_process_start\":2}",
		    &c, NULL) < 0);
	CHECK("state: truncated refused",
	      state("{\"id\":\"a\",\"init_process_pid\":1,", &c, NULL) < 0);
	CHECK("state: an array refused", state("[1,2]", &c, NULL) < 0);
	CHECK("state: labels not an array ignored",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2,\"config\":{"
		    "\"labels\":"
		    "{\"nerdctl/name\":\"x\"}}}",
		    &c, NULL) == 0 &&
		      c.name[0] == '\0');
	CHECK("state: duplicate keys: the last one wins, still bounded",
	      state("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_pid\":2,\"init_process_"
		    "start\":2}",
		    &c, NULL) == 0 &&
		      c.pid == 2);

	CHECK("config: CRI container annotations",
	      config("{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.cri.container-"
		     "type\":"
		     "\"container\",\"io.kubernetes.cri.container-name\":\"app\","
		     "\"io.kubernetes.cri.sandbox-name\":\"web\",\"io.kubernetes.cri.sandbox-"
		     "namespace\":"
		     "\"shop\"}}",
		     &c) == 0 &&
		      strcmp(c.name, "app") == 0 && strcmp(c.pod_name, "web") == 0 && !c.sandbox);
	CHECK("config: nerdctl name",
	      config("{\"annotations\":{\"nerdctl/name\":\"n1\"}}", &c) == 0 &&
		      strcmp(c.name, "n1") == 0);
	CHECK("config: annotation values of the wrong type ignored",
	      config("{\"annotations\":{\"nerdctl/"
		     "name\":5,\"io.kubernetes.cri.sandbox-name\":null}}",
		     &c) == 0 &&
		      c.name[0] == '\0' && c.pod_name[0] == '\0');
	CHECK("config: no annotations is fine", config("{}", &c) == 0);
	CHECK("config: not an object refused", config("\"x\"", &c) < 0);
	CHECK("config: truncated refused", config("{\"annotations\":{\"a\":", &c) < 0);
	CHECK("config: trailing comma refused (strict)", config("{\"annotations\":{},}", &c) < 0);
	return UNIT_DONE();
}
