/* Podman's containers.json. */
#include "nsdump/parse.h"
#include "unit.h"

static int parse(const char *s, struct nd_container_list *l)
{
	struct nd_err e = { 0 };

	nd_container_list_free(l);
	return nd_parse_podman_containers(s, strlen(s), l, &e);
}

int main(void)
{
	struct nd_container_list l = { 0 };

	CHECK("two containers", parse("[{\"id\":\"aa11\",\"names\":[\"web1\",\"alias\"],\"image\":"
				      "\"x\",\"layer\":\"y\","
				      "\"metadata\":\"{\\\"image-name\\\":\\\"x\\\"}\",\"created\":"
				      "\"2026-11-23T17:00:00Z\"},"
				      "{\"id\":\"bb22\",\"names\":[\"db\"]}]",
				      &l) == 0 &&
					l.n == 2);
	CHECK_STR("first name", l.v[0].name, "web1");
	CHECK("podman, not running until its state says so",
	      l.v[0].runtime == ND_RT_PODMAN && !l.v[0].running && l.v[0].pid == 0);
	CHECK("empty array", parse("[]", &l) == 0 && l.n == 0);
	CHECK("wrong shapes skipped",
	      parse("[{\"id\":\"a\"},{\"names\":[\"x\"]},{\"id\":\"a\",\"names\":[]},"
		    "{\"id\":\"a\",\"names\":[1]},{\"id\":\"../x\",\"names\":[\"n\"]},"
		    "{\"id\":\"a\",\"names\":[\"\"]},{\"id\":\"a\",\"names\":\"n\"},3]",
		    &l) == 0 &&
		      l.n == 0);
	CHECK("not an array refused", parse("{}", &l) < 0);
	CHECK("truncated refused", parse("[{\"id\":\"a\",\"names\":[\"w", &l) < 0);
	CHECK("not JSON refused", parse("\x01\x02", &l) < 0);
	nd_container_list_free(&l);
	return UNIT_DONE();
}
