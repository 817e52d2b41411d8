/* libFuzzer target: option parsing. The input is split at NUL bytes into argv words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[64];
	int argc = 0;
	struct nd_opts opts;
	struct nd_err err;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)(uintptr_t) "nsdump";
	for (size_t i = 0; i < size && argc < 63; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	if (nd_cli_parse(argc, argv, &opts, &err) == 0)
		nd_cli_free(&opts);
	free(buf);
	return 0;
}
