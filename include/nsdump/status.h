/* The live status line: when standard error is a terminal and packets go to a file, one line
 * rewritten once a second with what dumpcap and tshark users expect to see while they wait:
 * packets written and dropped (per target when there are several), bytes written, the rate.
 * It is cleared before the final statistics. Never shown with -q, to a pipe or a file. */
#ifndef NSDUMP_STATUS_H
#define NSDUMP_STATUS_H

#include <stdbool.h>
#include <stddef.h>

/* How often the line is rewritten. */
#define ND_STATUS_PERIOD_MS 1000

/* The line names at most this many captures (more would not fit a terminal anyway). */
#define ND_STATUS_SOURCES_MAX 64

/* One capture's share of the line. */
struct nd_status_src {
	const char *name;           /* its interface as the file names it ("eth0@web1") */
	unsigned long long packets; /* written to the output */
	unsigned long long dropped; /* lost in the kernel (ring full, interface) */
};

struct nd_status {
	int fd;         /* standard error */
	unsigned width; /* the terminal's columns; 0: the line is off */
	bool shown;     /* a line is on the screen and must be cleared */
	long long last_ms;
	unsigned long long last_packets;
};

/* The terminal's width when fd is a terminal, else 0 (no line). Called before the sandbox,
 * which allows no terminal ioctl. */
unsigned nd_status_width(int fd);

/* width 0 turns the line off: every other call then does nothing. */
void nd_status_init(struct nd_status *s, int fd, unsigned width);

/* The line's text (no control characters) into buf, cut to width-1 columns so that a
 * carriage return always brings the cursor back to its start. rate: packets per second, or
 * negative before there is one. Returns its length. */
size_t nd_status_format(char *buf, size_t size, const struct nd_status_src *v, size_t n,
			unsigned long long bytes, double rate, unsigned width);

/* Rewrites the line when ND_STATUS_PERIOD_MS have passed since the last one (now_ms is a
 * monotonic clock). A failed write turns the line off: it is never a reason to stop. */
void nd_status_update(struct nd_status *s, long long now_ms, const struct nd_status_src *v,
		      size_t n, unsigned long long bytes);

/* Removes the line, if one is shown, so that what is printed next starts on a clean line. */
void nd_status_clear(struct nd_status *s);

#endif
