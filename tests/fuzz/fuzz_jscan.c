/* libFuzzer target: the json-c-free fast paths of the state parsers (jsonscan.h) against
 * json-c. Any input: the same result, the same fields; and a name json-c finds in a document
 * is never one nd_jscan_may_contain says cannot be there. A difference aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/jsonscan.h"
#include "nsdump/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct nd_container *a, const struct nd_container *b)
{
	if (strcmp(a->id, b->id) != 0 || strcmp(a->name, b->name) != 0 ||
	    strcmp(a->pod_ns, b->pod_ns) != 0 || strcmp(a->pod_name, b->pod_name) != 0 ||
	    a->running != b->running || a->pid != b->pid || a->start != b->start ||
	    a->sandbox != b->sandbox)
		abort();
}

/* Every name found must pass the pre-filter, whole and in part. */
static void findable(const char *buf, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return;
	if (!nd_jscan_may_contain(buf, len, name) || !nd_jscan_may_contain(buf, len, name + n / 2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct nd_container a = { 0 }, b = { 0 };
	struct nd_runc_extra xa = { { 0 }, 0 }, xb = { { 0 }, 0 };
	struct nd_err err;
	int ra, rb;

	ra = nd_parse_runc_state(buf, size, &a, &xa, &err);
	rb = nd_parse_runc_state_json(buf, size, &b, &xb, &err);
	if (ra != rb || (ra == 0 && (strcmp(xa.manager, xb.manager) != 0 || xa.crio != xb.crio)))
		abort();
	if (ra == 0) {
		same(&a, &b);
		findable(buf, size, b.name);
		findable(buf, size, b.pod_name);
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = nd_parse_docker_config(buf, size, &a, &err);
	rb = nd_parse_docker_config_json(buf, size, &b, &err);
	if (ra != rb)
		abort();
	if (ra == 0) {
		same(&a, &b);
		findable(buf, size, b.name);
	}
	return 0;
}
