/* libFuzzer target: Podman's containers.json. */
#include <stdint.h>

#include "nsdump/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_container_list l = { 0 };
	struct nd_err err;

	(void)nd_parse_podman_containers((const char *)data, size, &l, &err);
	nd_container_list_free(&l);
	return 0;
}
