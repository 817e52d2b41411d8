/* libFuzzer target: every Docker parser (container list, inspect, config.v2.json, error). */
#include <stdint.h>

#include "nsdump/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct nd_container_list l = { 0 };
	struct nd_container c = { 0 };
	struct nd_err err;
	char msg[128];

	(void)nd_parse_docker_list(buf, size, ND_RT_DOCKER, &l, &err);
	nd_container_list_free(&l);
	(void)nd_parse_docker_inspect(buf, size, &c, &err);
	(void)nd_parse_docker_config(buf, size, &c, &err);
	nd_parse_docker_error(buf, size, msg, sizeof(msg));
	return 0;
}
