/* -F filter files. */
#include <stdlib.h>

#include "nsdump/filter.h"
#include "unit.h"

static char *from(const char *s, size_t len, int *rc, struct nd_err *e)
{
	char *out = NULL;

	*rc = nd_filter_from_text(s, len, &out, e);
	return out;
}

int main(void)
{
	struct nd_err e = { 0 };
	char *f;
	int rc;

	f = from("udp\n  and port 53\n", 18, &rc, &e);
	CHECK_STR("lines joined, outer space trimmed", rc == 0 ? f : NULL, "udp   and port 53");
	free(f);
	{
		const char *t = "# only udp\nudp\n\t# indented comment\n";

		f = from(t, strlen(t), &rc, &e);
	}
	CHECK_STR("comment lines dropped", rc == 0 ? f : NULL, "udp");
	free(f);
	f = from("", 0, &rc, &e);
	CHECK_STR("empty file is an empty filter", rc == 0 ? f : NULL, "");
	free(f);
	f = from("udp\0tcp", 7, &rc, &e);
	CHECK("NUL byte refused with exit 2", rc < 0 && e.exit == ND_EXIT_USAGE && f == NULL);
	{
		char *big = malloc(ND_FILTER_MAX + 2);

		memset(big, 'a', ND_FILTER_MAX + 1);
		f = from(big, ND_FILTER_MAX + 1, &rc, &e);
		CHECK("oversized filter refused", rc < 0 && e.exit == ND_EXIT_USAGE);
		free(big);
	}
	rc = nd_filter_read_file("/nonexistent/filter", &f, &e);
	CHECK("missing file: exit 2 naming it",
	      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "/nonexistent/filter") != NULL);
	return UNIT_DONE();
}
