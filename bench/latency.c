/*
 * latency: read a pcap stream on standard input and measure how long each
 * packet took from its sender to here, for nsdump's benchmark.
 *
 *   latency [-p PORT] [-1] -o REPORT
 *
 * The sender is udpsend -t, which puts a CLOCK_REALTIME struct timespec in
 * the first 16 payload bytes of every UDP datagram (one stamp per sendmmsg
 * batch).  Each read() from the pipe is stamped once with CLOCK_REALTIME; a
 * packet's latency is that stamp minus the one in its payload, so it covers
 * the kernel, the capturer's buffering and the pipe.  The reader does nothing
 * else per packet, so it keeps up with any capturer (a few ns per packet).
 *
 * -1 stops after the first packet (start-up measurement: its arrival time
 * and its capture time stamp are reported).
 *
 * REPORT gets one line of key=value pairs:
 *   packets=<records read> matched=<UDP to PORT with a stamp>
 *   lat_med_ms= lat_p99_ms= lat_max_ms= (of the matched ones; "-" if none)
 *   first_arrival=<CLOCK_REALTIME s.ns> first_ts=<capture stamp s.ns>
 *   truncated=<1 if the stream ended inside a record>
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (8u << 20)
#define FILE_HDR 24
#define REC_HDR 16
#define DLT_EN10MB 1
#define DLT_LINUX_SLL 113
#define DLT_LINUX_SLL2 276

struct stream {
	int swapped;
	int nsec;
	uint32_t linktype;
};

static uint32_t rd32(const unsigned char *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Offset of the network-layer header and its EtherType for the link type, or -1. */
static long l3_offset(const struct stream *s, const unsigned char *pkt, uint32_t caplen,
		      uint16_t *ethertype)
{
	switch (s->linktype) {
	case DLT_EN10MB:
		if (caplen < 14)
			return -1;
		*ethertype = be16(pkt + 12);
		return 14;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return -1;
		*ethertype = be16(pkt + 14);
		return 16;
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		*ethertype = be16(pkt);
		return 20;
	default:
		return -1;
	}
}

/* The sender's stamp in a UDP datagram to port, in ns since the epoch; 0 if none. */
static int64_t sent_stamp(const struct stream *s, const unsigned char *pkt, uint32_t caplen,
			  unsigned int port)
{
	uint16_t et = 0;
	long off = l3_offset(s, pkt, caplen, &et);
	const unsigned char *ip, *udp;
	unsigned int ihl;
	int64_t sec, nsec;

	if (off < 0 || et != 0x0800 || caplen < (uint32_t)off + 20)
		return 0;
	ip = pkt + off;
	ihl = (ip[0] & 0x0fu) * 4u;
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || caplen < (uint32_t)off + ihl + 8 + 16)
		return 0;
	udp = ip + ihl;
	if (be16(udp + 2) != port)
		return 0;
	/* struct timespec on the sender's (this) machine: 64-bit tv_sec, long tv_nsec. */
	memcpy(&sec, udp + 8, sizeof(sec));
	memcpy(&nsec, udp + 16, sizeof(nsec));
	if (nsec < 0 || nsec >= 1000000000)
		return 0;
	return sec * 1000000000 + nsec;
}

static int read_more(unsigned char *buf, size_t *len, size_t cap, struct timespec *when)
{
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf + *len, cap - *len);

		if (n > 0) {
			(void)clock_gettime(CLOCK_REALTIME, when);
			*len += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR) {
			perror("latency: read");
			return -1;
		}
	}
}

static double pct_ms(const uint32_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i] / 1000.0;
}

int main(int argc, char **argv)
{
	const char *report = NULL;
	unsigned int port = 9999;
	int first_only = 0, opt, rc, truncated = 0;
	unsigned char *buf;
	size_t len = 0, pos = 0;
	struct stream s = { 0 };
	struct timespec when = { 0, 0 }, first_arrival = { 0, 0 };
	uint32_t *lat = NULL, first_sec = 0, first_frac = 0;
	size_t nlat = 0, caplat = 0;
	unsigned long long packets = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "p:1o:")) != -1) {
		switch (opt) {
		case 'p':
			port = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case '1':
			first_only = 1;
			break;
		case 'o':
			report = optarg;
			break;
		default:
			fputs("usage: latency [-p PORT] [-1] -o REPORT < pcap\n", stderr);
			return 2;
		}
	}
	if (report == NULL) {
		fputs("usage: latency [-p PORT] [-1] -o REPORT < pcap\n", stderr);
		return 2;
	}
	buf = malloc(BUF_SIZE);
	if (buf == NULL) {
		fputs("latency: out of memory\n", stderr);
		return 1;
	}

	while (len < FILE_HDR) {
		rc = read_more(buf, &len, BUF_SIZE, &when);
		if (rc <= 0) {
			fputs("latency: no pcap file header on standard input\n", stderr);
			return 1;
		}
	}
	switch (rd32(buf, 0)) {
	case 0xa1b2c3d4u:
		break;
	case 0xa1b23c4du:
		s.nsec = 1;
		break;
	case 0xd4c3b2a1u:
		s.swapped = 1;
		break;
	case 0x4d3cb2a1u:
		s.swapped = 1;
		s.nsec = 1;
		break;
	default:
		fputs("latency: standard input is not a pcap stream\n", stderr);
		return 1;
	}
	s.linktype = rd32(buf + 20, s.swapped) & 0x0fffffffu;
	pos = FILE_HDR;

	for (;;) {
		/* Every whole record in the buffer arrived at `when`. */
		while (len - pos >= REC_HDR) {
			uint32_t caplen = rd32(buf + pos + 8, s.swapped);
			int64_t sent, now, d;

			if (caplen > BUF_SIZE - REC_HDR) {
				fputs("latency: corrupt record length\n", stderr);
				return 1;
			}
			if (len - pos < REC_HDR + (size_t)caplen)
				break;
			if (packets == 0) {
				first_arrival = when;
				first_sec = rd32(buf + pos, s.swapped);
				first_frac = rd32(buf + pos + 4, s.swapped);
			}
			packets++;
			sent = sent_stamp(&s, buf + pos + REC_HDR, caplen, port);
			if (sent != 0) {
				now = (int64_t)when.tv_sec * 1000000000 + when.tv_nsec;
				d = (now - sent) / 1000; /* microseconds */
				if (d < 0)
					d = 0;
				if (d > UINT32_MAX)
					d = UINT32_MAX;
				if (nlat == caplat) {
					uint32_t *n;

					caplat = caplat ? caplat * 2 : 1u << 16;
					n = realloc(lat, caplat * sizeof(*lat));
					if (n == NULL) {
						fputs("latency: out of memory\n", stderr);
						return 1;
					}
					lat = n;
				}
				lat[nlat++] = (uint32_t)d;
			}
			pos += REC_HDR + caplen;
			if (first_only)
				goto done;
		}
		if (pos > 0) {
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
		}
		rc = read_more(buf, &len, BUF_SIZE, &when);
		if (rc < 0)
			return 1;
		if (rc == 0) {
			truncated = len > 0;
			break;
		}
	}
done:
	f = fopen(report, "w");
	if (f == NULL) {
		fprintf(stderr, "latency: cannot create %s: %s\n", report, strerror(errno));
		return 1;
	}
	fprintf(f, "packets=%llu matched=%zu", packets, nlat);
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(*lat), cmp_u32);
		fprintf(f, " lat_med_ms=%.3f lat_p99_ms=%.3f lat_max_ms=%.3f", pct_ms(lat, nlat, 0.5),
			pct_ms(lat, nlat, 0.99), (double)lat[nlat - 1] / 1000.0);
	} else {
		fputs(" lat_med_ms=- lat_p99_ms=- lat_max_ms=-", f);
	}
	fprintf(f, " first_arrival=%lld.%09ld first_ts=%u.%09u truncated=%d\n",
		(long long)first_arrival.tv_sec, first_arrival.tv_nsec, first_sec,
		s.nsec ? first_frac : first_frac * 1000u, truncated);
	free(lat);
	free(buf);
	if (fclose(f) != 0) {
		perror("latency: report");
		return 1;
	}
	return 0;
}
