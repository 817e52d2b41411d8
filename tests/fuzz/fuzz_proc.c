/* libFuzzer target: /proc/PID/stat lines. */
#include <stdint.h>

#include "nsdump/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_proc_stat st;
	struct nd_err err;

	(void)nd_proc_parse_stat((const char *)data, size, &st, &err);
	return 0;
}
