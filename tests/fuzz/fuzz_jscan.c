/* libFuzzer target: the state files' pre-filter (jsonscan.h) against json-c. Whatever name or
 * pod name json-c's parsers find in a document, nd_jscan_may_contain must never say it cannot
 * be there, whole or in part: a container would then be missed by --container. A miss aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/jsonscan.h"
#include "nsdump/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	struct nd_container c = { 0 };
	struct nd_runc_extra x = { { 0 }, 0 };
	struct nd_err err;

	if (nd_parse_runc_state(buf, size, &c, &x, &err) == 0) {
		findable(buf, size, c.name);
		findable(buf, size, c.pod_name);
	}
	memset(&c, 0, sizeof(c));
	if (nd_parse_docker_config(buf, size, &c, &err) == 0)
		findable(buf, size, c.name);
	memset(&c, 0, sizeof(c));
	if (nd_parse_oci_config(buf, size, &c, &err) == 0) {
		findable(buf, size, c.name);
		findable(buf, size, c.pod_name);
	}
	return 0;
}
