/* The decisions of a capture (plan.h): pure functions, unit-tested without a namespace. */
#include <string.h>

#include "nsdump/plan.h"

int nd_plan_mode_parse(const char *word, enum nd_mode *mode)
{
	static const enum nd_mode all[] = { ND_MODE_AUTO, ND_MODE_SETNS, ND_MODE_VETH };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(word, nd_plan_mode_name(all[i])) == 0) {
			*mode = all[i];
			return 0;
		}
	}
	return -1;
}

const char *nd_plan_mode_name(enum nd_mode mode)
{
	switch (mode) {
	case ND_MODE_SETNS:
		return "setns";
	case ND_MODE_VETH:
		return "veth";
	case ND_MODE_AUTO:
		break;
	}
	return "auto";
}
