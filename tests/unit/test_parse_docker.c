/* Engine API replies and config.v2.json: real shapes, then malformed, truncated, hostile. */
#include "nsdump/parse.h"
#include "unit.h"

#define ID1 "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"
#define ID2 "9e1fdca500aa00bb00cc00dd00ee00ff0011223344556677889900aabbccddee"

static int list(const char *s, struct nd_container_list *l)
{
	struct nd_err e = { 0 };

	return nd_parse_docker_list(s, strlen(s), ND_RT_DOCKER, l, &e);
}

static int inspect(const char *s, struct nd_container *c)
{
	struct nd_err e = { 0 };

	memset(c, 0, sizeof(*c));
	return nd_parse_docker_inspect(s, strlen(s), c, &e);
}

int main(void)
{
	struct nd_container_list l = { 0 };
	struct nd_container c;
	struct nd_err e = { 0 };
	char msg[64];

	CHECK("list: two containers",
	      list("[{\"Id\":\"" ID1 "\",\"Names\":[\"/web1\"],\"State\":\"running\","
		   "\"Labels\":{\"io.kubernetes.pod.name\":\"web\",\"io.kubernetes.pod.namespace\":"
		   "\"shop\","
		   "\"io.kubernetes.docker.type\":\"podsandbox\"}},"
		   "{\"Id\":\"" ID2 "\",\"Names\":[\"/a/link\",\"/db\"],\"State\":\"exited\"}]",
		   &l) == 0 &&
		      l.n == 2);
	CHECK_STR("list: name without the slash", l.v[0].name, "web1");
	CHECK("list: running, API record, no PID yet", l.v[0].running && l.v[0].pid == 0);
	CHECK_STR("list: pod labels", l.v[0].pod_name, "web");
	CHECK("list: podsandbox label makes a sandbox", l.v[0].sandbox);
	CHECK_STR("list: a link name is skipped for the plain one", l.v[1].name, "db");
	CHECK("list: exited is not running", !l.v[1].running);
	nd_container_list_free(&l);

	/* Between the starts of a restart policy, Docker says running and restarting, with no
	 * PID: that is no running container (issue 15: --follow ended on it with status 1). */
	CHECK("inspect: restarting, Pid 0: parsed, not running",
	      inspect("{\"Id\":\"" ID1 "\",\"Name\":\"/web1\",\"State\":{\"Status\":"
		      "\"restarting\",\"Running\":true,\"Restarting\":true,\"Pid\":0}}",
		      &c) == 0 &&
		      !c.running && c.pid == 0);
	CHECK("inspect: running with Pid 0 and not restarting is still refused",
	      inspect("{\"Id\":\"" ID1 "\",\"Name\":\"/web1\",\"State\":{\"Running\":true,"
		      "\"Restarting\":false,\"Pid\":0}}",
		      &c) < 0);
	CHECK("list: not an array refused", list("{\"Id\":\"x\"}", &l) < 0);
	CHECK("list: truncated refused", list("[{\"Id\":\"" ID1 "\",\"Names\":[\"/w", &l) < 0);
	CHECK("list: garbage after the document refused", list("[] x", &l) < 0);
	CHECK("list: empty input refused", list("", &l) < 0);
	CHECK("list: entries of the wrong types skipped",
	      list("[1,\"s\",null,{\"Id\":5,\"Names\":[\"/a\"]},{\"Id\":\"" ID1
		   "\",\"Names\":\"/a\"},"
		   "{\"Id\":\"" ID1 "\",\"Names\":[7]},{\"Id\":\"../../etc\",\"Names\":[\"/x\"]}]",
		   &l) == 0 &&
		      l.n == 0);
	CHECK("list: name with a control character skipped",
	      list("[{\"Id\":\"" ID1 "\",\"Names\":[\"/we\\u001b[2Jb\"],\"State\":\"running\"}]",
		   &l) == 0 &&
		      l.n == 0);
	CHECK("list: name with a NUL skipped",
	      list("[{\"Id\":\"" ID1 "\",\"Names\":[\"/we\\u0000b\"],\"State\":\"running\"}]",
		   &l) == 0 &&
		      l.n == 0);
	{
		char deep[200];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 99);
		deep[199] = '\0';
		CHECK("list: nesting beyond the depth limit refused", list(deep, &l) < 0);
	}
	{
		/* Not NUL-terminated: the parser must stop at len. */
		const char raw[] = { '[', ']', '[' };

		CHECK("list: stays within len",
		      nd_parse_docker_list(raw, 2, ND_RT_DOCKER, &l, &e) == 0 && l.n == 0);
	}
	nd_container_list_free(&l);

	CHECK("inspect: running container",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/web1\",\"State\":{\"Running\":true,\"Pid\":4242,"
		      "\"StartedAt\":\"2026-11-23T17:00:00Z\"},\"NetworkSettings\":{\"SandboxKey\":"
		      "\"/var/run/docker/netns/abc\"},\"Config\":{\"Labels\":{}}}",
		      &c) == 0 &&
		      c.running && c.pid == 4242);
	CHECK_STR("inspect: name", c.name, "web1");
	CHECK("inspect: stopped container has no PID",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":false,\"Pid\":0}}",
		      &c) == 0 &&
		      !c.running && c.pid == 0);
	CHECK("inspect: running with PID 0 refused",
	      inspect("{\"Id\":\"" ID1 "\",\"Name\":\"/w\",\"State\":{\"Running\":true,\"Pid\":0}}",
		      &c) < 0);
	CHECK("inspect: negative PID refused",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":true,\"Pid\":-1}}",
		      &c) < 0);
	CHECK("inspect: huge PID refused",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":true,\"Pid\":99999999999}}",
		      &c) < 0);
	CHECK("inspect: PID as a string refused",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":true,\"Pid\":\"42\"}}",
		      &c) < 0);
	CHECK("inspect: PID as a float refused",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":true,\"Pid\":42.5}}",
		      &c) < 0);
	CHECK("inspect: Running as a string refused",
	      inspect("{\"Id\":\"" ID1
		      "\",\"Name\":\"/w\",\"State\":{\"Running\":\"true\",\"Pid\":42}}",
		      &c) < 0);
	CHECK("inspect: no State refused", inspect("{\"Id\":\"" ID1 "\",\"Name\":\"/w\"}", &c) < 0);
	CHECK("inspect: Name without slash refused",
	      inspect("{\"Id\":\"" ID1 "\",\"Name\":\"w\",\"State\":{\"Running\":false}}", &c) < 0);
	CHECK("inspect: an array refused", inspect("[]", &c) < 0);
	CHECK("inspect: truncated refused",
	      inspect("{\"Id\":\"" ID1 "\",\"Name\":\"/w\",\"State\":{", &c) < 0);
	CHECK("inspect: single quotes refused (strict JSON)",
	      inspect("{'Id':'" ID1 "','Name':'/w','State':{'Running':false}}", &c) < 0);

	{
		const char *s = "{\"ID\":\"" ID1
				"\",\"Name\":\"/web1\",\"State\":{\"Running\":true,\"Pid\":77}}";

		memset(&c, 0, sizeof(c));
		CHECK("config.v2.json: ID, name, PID",
		      nd_parse_docker_config(s, strlen(s), &c, &e) == 0 && c.pid == 77 &&
			      strcmp(c.name, "web1") == 0);
	}

	nd_parse_docker_error("{\"message\":\"No such container: x\"}", 34, msg, sizeof(msg));
	CHECK_STR("error: message", msg, "No such container: x");
	nd_parse_docker_error("{\"message\":\"a\\nb\\u001bc\"}", 25, msg, sizeof(msg));
	CHECK_STR("error: control characters replaced", msg, "a?b?c");
	nd_parse_docker_error("<html>", 6, msg, sizeof(msg));
	CHECK_STR("error: not JSON gives nothing", msg, "");
	nd_parse_docker_error(
		"{\"message\":"
		"\"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
		84, msg, sizeof(msg));
	CHECK("error: long message cut to the buffer", strlen(msg) == sizeof(msg) - 1);

	CHECK("API version 1.41", nd_parse_api_minor("1.41") == 41);
	CHECK("API version 1.4x refused", nd_parse_api_minor("1.4x") < 0);
	CHECK("API version 2.0 refused", nd_parse_api_minor("2.0") < 0);
	CHECK("API version 1. refused", nd_parse_api_minor("1.") < 0);
	CHECK("API version overflow refused", nd_parse_api_minor("1.99999999999") < 0);
	return UNIT_DONE();
}
