/* libFuzzer target: runc state.json and OCI config.json. */
#include <stdint.h>

#include "nsdump/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_container c = { 0 };
	struct nd_runc_extra x = { { 0 }, 0 };
	struct nd_err err;

	(void)nd_parse_runc_state((const char *)data, size, &c, &x, &err);
	(void)nd_parse_oci_config((const char *)data, size, &c, &err);
	return 0;
}
