/* /proc/PID/stat parsing, including hostile command names. */
#include <unistd.h>

#include "nsdump/proc.h"
#include "unit.h"

static int parse(const char *s, struct nd_proc_stat *st)
{
	struct nd_err e = { 0 };

	return nd_proc_parse_stat(s, strlen(s), st, &e);
}

int main(void)
{
	struct nd_proc_stat st;
	const char *tail = " 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456789 1000 10\n";
	char buf[512];
	struct nd_err e = { 0 };

	snprintf(buf, sizeof(buf), "4242 (sleep) S%s", tail);
	CHECK("plain line parses", parse(buf, &st) == 0);
	CHECK("pid, state, start time",
	      st.pid == 4242 && st.state == 'S' && st.starttime == 123456789ULL);
	CHECK_STR("command name", st.comm, "sleep");

	snprintf(buf, sizeof(buf), "7 (a) (b) c) R%s", tail);
	CHECK("name with ') (' parses from the last ')'",
	      parse(buf, &st) == 0 && st.state == 'R' && st.starttime == 123456789ULL);
	CHECK_STR("name with parentheses kept", st.comm, "a) (b) c");

	snprintf(buf, sizeof(buf), "8 (x y z 1 2 3) Z%s", tail);
	CHECK("name with spaces and digits", parse(buf, &st) == 0 && st.state == 'Z');

	snprintf(buf, sizeof(buf), "9 (0123456789abcdefXYZ) S%s", tail);
	CHECK("long name is cut to 15 bytes", parse(buf, &st) == 0 && strlen(st.comm) == 15);

	CHECK("empty input refused", parse("", &st) < 0);
	CHECK("no parentheses refused", parse("12 sleep S 1 2 3", &st) < 0);
	CHECK("truncated before start time refused",
	      parse("12 (sleep) S 1 1 1 0 -1 4194560", &st) < 0);
	CHECK("non-numeric PID refused",
	      parse("1a (x) S 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1", &st) < 0);
	CHECK("PID 0 refused",
	      parse("0 (x) S 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1", &st) < 0);
	CHECK("non-numeric start time refused",
	      parse("5 (x) S 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 5x 1 1", &st) < 0);
	CHECK("two-letter state refused",
	      parse("5 (x) SS 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1", &st) < 0);
	CHECK("start time overflow refused",
	      parse("5 (x) S 1 1 1 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999 1 1",
		    &st) < 0);
	{
		/* Not NUL-terminated: the parser must stay within len. */
		char raw[] = { '5', ' ', '(', 'x', ')' };

		CHECK("unterminated short buffer refused",
		      nd_proc_parse_stat(raw, sizeof(raw), &st, &e) < 0);
	}

	CHECK("own /proc/self/stat reads",
	      nd_proc_read_stat(getpid(), &st, &e) == 0 && st.pid == getpid() && st.starttime > 0);
	CHECK("missing PID gives not-found",
	      nd_proc_read_stat(999999999, &st, &e) < 0 && e.exit == ND_EXIT_NOTFOUND);
	return UNIT_DONE();
}
