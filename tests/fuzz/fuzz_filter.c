/* libFuzzer target: -F filter files. */
#include <stdint.h>
#include <stdlib.h>

#include "nsdump/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_err err;
	char *out = NULL;

	if (nd_filter_from_text((const char *)data, size, &out, &err) == 0)
		free(out);
	return 0;
}
