/* The live status line (include/nsdump/status.h): its text, its width, when it is written. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/status.h"
#include "unit.h"

/* What the line wrote to the pipe since the last call, NUL-terminated. */
static const char *drain(int fd)
{
	static char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	struct nd_status_src one = { .name = "eth0", .packets = 1, .dropped = 0 };
	struct nd_status_src two[2] = { { "eth0@web1", 1200, 3 }, { "eth0@db", 34, 0 } };
	struct nd_status st;
	char buf[256];
	int p[2];

	nd_status_format(buf, sizeof(buf), &one, 1, 999, -1, 200);
	CHECK_STR("one target, no rate yet; singular", buf, "1 packet, 0 dropped, 999 B");
	one.packets = 12345;
	nd_status_format(buf, sizeof(buf), &one, 1, 1234567, 850.4, 200);
	CHECK_STR("bytes in decimal units, rate rounded", buf,
		  "12345 packets, 0 dropped, 1.2 MB, 850 pkt/s");
	nd_status_format(buf, sizeof(buf), &one, 1, 999999, 0, 200);
	CHECK_STR("999999 bytes round up to the next unit, not to 1000.0 kB", buf,
		  "12345 packets, 0 dropped, 1.0 MB, 0 pkt/s");
	nd_status_format(buf, sizeof(buf), two, 2, 2500000000ULL, 10, 200);
	CHECK_STR("several targets: totals, then each one's share", buf,
		  "1234 packets, 3 dropped, 2.5 GB, 10 pkt/s | eth0@web1 1200 (3 dropped), "
		  "eth0@db 34 (0 dropped)");
	CHECK("cut to width-1 columns",
	      nd_status_format(buf, sizeof(buf), two, 2, 0, 10, 30) == 29 && strlen(buf) == 29);
	CHECK_STR("the totals come first, so they survive the cut", buf,
		  "1234 packets, 3 dropped, 0 B,");
	{
		struct nd_status_src u = { .name = "caf\xc3\xa9", .packets = 1 };
		struct nd_status_src uu[2] = { u, u };
		size_t n = nd_status_format(buf, sizeof(buf), uu, 2, 0, -1, 200);

		CHECK("UTF-8 names kept whole",
		      n == strlen(buf) && strstr(buf, "caf\xc3\xa9 1") != NULL);
	}
	CHECK("a buffer too small is cut, not overrun",
	      nd_status_format(buf, 8, two, 2, 0, 10, 200) == 7 && strlen(buf) == 7);

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	nd_status_init(&st, p[1], 0);
	nd_status_update(&st, 0, &one, 1, 10);
	nd_status_clear(&st);
	CHECK_STR("width 0 (not a terminal): nothing written", drain(p[0]), "");
	nd_status_init(&st, p[1], 19);
	nd_status_update(&st, 0, &one, 1, 10);
	CHECK_STR("a terminal narrower than 20 columns: nothing written", drain(p[0]), "");

	nd_status_init(&st, p[1], 80);
	nd_status_clear(&st);
	CHECK_STR("nothing shown: nothing to clear", drain(p[0]), "");
	one.packets = 100;
	nd_status_update(&st, 5000, &one, 1, 10);
	CHECK_STR("first line: carriage return, clear to end of line, the text, no rate",
		  drain(p[0]), "\r\033[K100 packets, 0 dropped, 10 B");
	one.packets = 600;
	nd_status_update(&st, 5999, &one, 1, 20);
	CHECK_STR("not again within a second", drain(p[0]), "");
	nd_status_update(&st, 6000, &one, 1, 20);
	CHECK_STR("a second later: rewritten, with the rate over that second", drain(p[0]),
		  "\r\033[K600 packets, 0 dropped, 20 B, 500 pkt/s");
	nd_status_clear(&st);
	CHECK_STR("cleared before what follows", drain(p[0]), "\r\033[K");
	nd_status_clear(&st);
	CHECK_STR("cleared once", drain(p[0]), "");

	/* nsdump ignores SIGPIPE (nd_loop_block_signals): a closed stderr gives EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	nd_status_update(&st, 9000, &one, 1, 20);
	nd_status_update(&st, 99000, &one, 1, 20);
	CHECK("a failed write turns the line off", st.width == 0 && !st.shown);
	close(p[1]);
	return UNIT_DONE();
}
