/* libFuzzer target: extcap argument parsing and interface names. The input is split at NUL
 * bytes into argv words; the interface named (if any) is then classified and matched against
 * a small container list, as nd_extcap_run() does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/extcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_container v[2] = { { .runtime = ND_RT_DOCKER, .running = true },
				     { .runtime = ND_RT_CONTAINERD, .running = true } };
	struct nd_container_list l = { .v = v, .n = 2, .cap = 2 };
	char *buf = malloc(size + 1);
	char *argv[64];
	int argc = 0;
	struct nd_extcap x;
	struct nd_err err;
	const char *rest;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	snprintf(v[0].name, sizeof(v[0].name), "web1");
	snprintf(v[1].ns, sizeof(v[1].ns), "k8s.io");
	snprintf(v[1].name, sizeof(v[1].name), "db");
	snprintf(v[1].pod_ns, sizeof(v[1].pod_ns), "shop");
	snprintf(v[1].pod_name, sizeof(v[1].pod_name), "db-0");
	argv[argc++] = (char *)(uintptr_t) "nsdump";
	for (size_t i = 0; i < size && argc < 63; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	(void)nd_extcap_requested(argc, argv);
	if (nd_extcap_parse(argc, argv, &x, &err) == 0 && x.iface != NULL &&
	    nd_extcap_kind(x.iface, &rest, &err) != ND_EXTCAP_KIND_NONE)
		(void)nd_extcap_match(&l, x.iface);
	free(buf);
	return 0;
}
