/* Error messages: errno text, context, hints, and no overflow on long input. */
#include <errno.h>

#include "nsdump/err.h"
#include "unit.h"

int main(void)
{
	struct nd_err e = { 0 };
	char longs[3000];

	CHECK("set returns -1", nd_err_set(&e, ND_EXIT_NOTFOUND, ENOENT, "no %s", "thing") == -1);
	CHECK_STR("message with errno text", e.msg, "no thing: No such file or directory");
	CHECK("exit and errno kept", e.exit == ND_EXIT_NOTFOUND && e.errnum == ENOENT);
	nd_err_prefix(&e, "PID %d", 5);
	CHECK_STR("prefix", e.msg, "PID 5: no thing: No such file or directory");
	nd_err_hint(&e, "try %s", "this");
	CHECK_STR("hint", e.msg, "PID 5: no thing: No such file or directory (try this)");
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	nd_err_set(&e, ND_EXIT_FAIL, 0, "%s", longs);
	nd_err_prefix(&e, "%s", longs);
	nd_err_hint(&e, "%s", longs);
	CHECK("long messages are cut, not overflowed", strlen(e.msg) == sizeof(e.msg) - 1);
	return UNIT_DONE();
}
