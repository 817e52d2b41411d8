/* The live status line; see include/nsdump/status.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "nsdump/status.h"

/* Returns to the line's start and clears what the last line left to the right. */
#define CR_CLEAR "\r\033[K"

unsigned nd_status_width(int fd)
{
	struct winsize ws;

	if (!isatty(fd))
		return 0;
	/* A terminal that does not say its size (a serial line) gets the classic 80. */
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;
	return ws.ws_col;
}

void nd_status_init(struct nd_status *s, int fd, unsigned width)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	/* Less than this holds no useful line; a terminal that narrow gets none. */
	s->width = width >= 20 ? width : 0;
	s->last_ms = -1;
}

/* 1234 -> "1234 B", 1234567 -> "1.2 MB": decimal units, as capinfos and du -h --si. */
static void human_bytes(char *out, size_t size, unsigned long long b)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB" };
	double v = (double)b;
	size_t u = 0;

	if (b < 1000) {
		snprintf(out, size, "%llu B", b);
		return;
	}
	v /= 1000.0;
	while (v >= 999.95 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000.0;
		u++;
	}
	snprintf(out, size, "%.1f %s", v, unit[u]);
}

/* Appends to buf at *len, never past size-1; a piece that does not fit is cut. */
static void add(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	*len += (size_t)w < size - *len ? (size_t)w : size - *len - 1;
}

size_t nd_status_format(char *buf, size_t size, const struct nd_status_src *v, size_t n,
			unsigned long long bytes, double rate, unsigned width)
{
	unsigned long long packets = 0, dropped = 0;
	char hb[32];
	size_t len = 0, cut;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		packets += v[i].packets;
		dropped += v[i].dropped;
	}
	human_bytes(hb, sizeof(hb), bytes);
	add(buf, size, &len, "%llu packet%s, %llu dropped, %s", packets, packets == 1 ? "" : "s",
	    dropped, hb);
	if (rate >= 0)
		add(buf, size, &len, ", %.0f pkt/s", rate);
	/* Several targets: each one's share after the totals, so that the totals survive a
	 * narrow terminal's cut. */
	for (size_t i = 0; n > 1 && i < n; i++)
		add(buf, size, &len, "%s%s %llu (%llu dropped)", i == 0 ? " | " : ", ", v[i].name,
		    v[i].packets, v[i].dropped);
	/* Names are cleaned ASCII or UTF-8: count columns as characters, not bytes. */
	cut = 0;
	for (size_t i = 0, cols = 0; i < len; i++) {
		if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			if (width > 0 && cols + 1 >= width)
				break;
			cols++;
		}
		cut = i + 1;
	}
	buf[cut] = '\0';
	return cut;
}

static bool write_whole(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

void nd_status_update(struct nd_status *s, long long now_ms, const struct nd_status_src *v,
		      size_t n, unsigned long long bytes)
{
	unsigned long long packets = 0;
	char line[1024];
	double rate = -1;
	size_t len;

	if (s->width == 0)
		return;
	if (s->last_ms >= 0 && now_ms - s->last_ms < ND_STATUS_PERIOD_MS)
		return;
	for (size_t i = 0; i < n; i++)
		packets += v[i].packets;
	if (s->last_ms >= 0 && now_ms > s->last_ms)
		rate = (double)(packets - s->last_packets) * 1000.0 / (double)(now_ms - s->last_ms);
	s->last_ms = now_ms;
	s->last_packets = packets;
	memcpy(line, CR_CLEAR, sizeof(CR_CLEAR) - 1);
	len = sizeof(CR_CLEAR) - 1;
	len += nd_status_format(line + len, sizeof(line) - len, v, n, bytes, rate, s->width);
	if (!write_whole(s->fd, line, len)) {
		s->width = 0;
		return;
	}
	s->shown = true;
}

void nd_status_clear(struct nd_status *s)
{
	if (!s->shown)
		return;
	s->shown = false;
	(void)write_whole(s->fd, CR_CLEAR, sizeof(CR_CLEAR) - 1);
}
