/* Error messages: errno text, context, hints, no overflow on long input, and nothing a
 * terminal would act on (names come from containers). */
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

	/* An interface or process name a container chose, in any part of a message. */
	nd_err_set(&e, ND_EXIT_USAGE, 0, "no interface '%s' (it has: %s)", "\033[2J",
		   "lo, \033[1;31mRED");
	CHECK_STR("set: escape sequences become '?'", e.msg,
		  "no interface '?[2J' (it has: lo, ?[1;31mRED)");
	nd_err_prefix(&e, "PID 42 (%s)", "\033]0;owned\a");
	nd_err_hint(&e, "a bell\a, a C1 CSI \xc2\x9b, a newline\n");
	CHECK_STR("prefix and hint: escapes, bell, C1 controls and newlines become '?'", e.msg,
		  "PID 42 (?]0;owned?): no interface '?[2J' (it has: lo, ?[1;31mRED) (a bell?, a "
		  "C1 CSI ?, a newline?)");
	nd_err_set(&e, ND_EXIT_USAGE, 0, "container %s", "caf\xc3\xa9");
	CHECK_STR("printable UTF-8 is kept", e.msg, "container caf\xc3\xa9");
	return UNIT_DONE();
}
