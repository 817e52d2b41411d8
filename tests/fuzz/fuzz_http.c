/* libFuzzer target: the HTTP reply parser, as a reply arriving whole or cut short. */
#include <stdint.h>
#include <stdlib.h>

#include "nsdump/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_http_reply r = { 0 };
	struct nd_err err;

	for (int eof = 0; eof <= 1; eof++) {
		if (nd_http_parse((const char *)data, size, eof, 1 << 16, &r, &err) == 0)
			nd_http_reply_free(&r);
	}
	return 0;
}
