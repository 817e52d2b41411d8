/*
 * latency: read a capture stream (pcap or pcapng) on standard input and
 * measure how long each packet took from its sender to here, for nsdump's
 * benchmark.
 *
 *   latency [-p PORT] [-1] -o REPORT
 *
 * The sender is udpsend -t, which puts a CLOCK_REALTIME struct timespec in
 * the first 16 payload bytes of every UDP datagram (one stamp per sendmmsg
 * batch).  Each read() from the pipe is stamped once with CLOCK_REALTIME; a
 * packet's latency is that stamp minus the one in its payload, so it covers
 * the kernel, the capturer's buffering and the pipe.  The reader does little
 * per packet (a few ns), so it keeps up with any capturer.
 *
 * -1 stops after the first packet (start-up measurement: its arrival time
 * and its capture time stamp are reported).
 *
 * REPORT gets one line of key=value pairs:
 *   format=pcap|pcapng packets=<packets read> matched=<UDP to PORT with a stamp>
 *   lat_med_ms= lat_p99_ms= lat_max_ms= (of the matched ones; "-" if none)
 *   first_arrival=<CLOCK_REALTIME s.ns> first_ts=<capture stamp s.ns, "-" if none>
 *   truncated=<1 if the stream ended inside a record or block>
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE       (8u << 20)
#define PCAP_HDR       24
#define PCAP_REC       16
#define NG_SHB         0x0A0D0D0Au
#define NG_IDB         0x00000001u
#define NG_SPB         0x00000003u
#define NG_EPB         0x00000006u
#define NG_BOM         0x1A2B3C4Du
#define MAX_IFACES     256
#define DLT_EN10MB     1
#define DLT_LINUX_SLL  113
#define DLT_LINUX_SLL2 276

struct iface {
	uint32_t linktype;
	uint64_t units; /* time stamp units per second */
};

struct reader {
	int swapped;
	unsigned int port;
	/* pcap */
	int nsec;
	uint32_t linktype;
	/* pcapng: the interfaces of the current section */
	struct iface ifs[MAX_IFACES];
	unsigned int nifs;
	/* results */
	unsigned long long packets;
	uint32_t *lat; /* microseconds */
	size_t nlat, caplat;
	struct timespec first_arrival;
	int have_first_ts;
	uint64_t first_sec, first_nsec;
};

static uint32_t rd32(const unsigned char *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const unsigned char *p, int swapped)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap16(v) : v;
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

/* Offset of the network-layer header for the link type, or -1; sets the EtherType. */
static long l3_offset(uint32_t linktype, const unsigned char *pkt, uint32_t caplen,
		      uint16_t *ethertype)
{
	switch (linktype) {
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
static int64_t sent_stamp(uint32_t linktype, const unsigned char *pkt, uint32_t caplen,
			  unsigned int port)
{
	uint16_t et = 0;
	long off = l3_offset(linktype, pkt, caplen, &et);
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

/* One packet, seen at `when`; has_ts says whether sec/nsec hold its capture stamp. */
static int packet(struct reader *r, const struct timespec *when, uint32_t linktype,
		  const unsigned char *pkt, uint32_t caplen, int has_ts, uint64_t sec,
		  uint64_t nsec)
{
	int64_t sent = sent_stamp(linktype, pkt, caplen, r->port), d;

	if (r->packets++ == 0) {
		r->first_arrival = *when;
		r->have_first_ts = has_ts;
		r->first_sec = sec;
		r->first_nsec = nsec;
	}
	if (sent == 0)
		return 0;
	d = ((int64_t)when->tv_sec * 1000000000 + when->tv_nsec - sent) / 1000;
	if (d < 0)
		d = 0;
	if (d > UINT32_MAX)
		d = UINT32_MAX;
	if (r->nlat == r->caplat) {
		size_t ncap = r->caplat ? r->caplat * 2 : (size_t)1 << 16;
		uint32_t *n = realloc(r->lat, ncap * sizeof(*n));

		if (n == NULL) {
			fputs("latency: out of memory\n", stderr);
			return -1;
		}
		r->lat = n;
		r->caplat = ncap;
	}
	r->lat[r->nlat++] = (uint32_t)d;
	return 0;
}

/* pcap: the file header was checked; consumes whole records.  Returns bytes used, -1 on
 * error. */
static long pcap_records(struct reader *r, const unsigned char *b, size_t len,
			 const struct timespec *when, int first_only)
{
	size_t pos = 0;

	while (len - pos >= PCAP_REC) {
		uint32_t caplen = rd32(b + pos + 8, r->swapped);
		uint64_t sec = rd32(b + pos, r->swapped), frac = rd32(b + pos + 4, r->swapped);

		if (caplen > BUF_SIZE / 2) {
			fputs("latency: corrupt pcap record length\n", stderr);
			return -1;
		}
		if (len - pos < PCAP_REC + (size_t)caplen)
			break;
		if (packet(r, when, r->linktype, b + pos + PCAP_REC, caplen, 1, sec,
			   r->nsec ? frac : frac * 1000) < 0)
			return -1;
		pos += PCAP_REC + caplen;
		if (first_only)
			break;
	}
	return (long)pos;
}

/* if_tsresol of an IDB's options: units per second (default 10^6). */
static uint64_t idb_units(const unsigned char *opt, size_t len, int swapped)
{
	size_t pos = 0;

	while (len - pos >= 4) {
		uint16_t code = rd16(opt + pos, swapped), olen = rd16(opt + pos + 2, swapped);

		if (code == 0 || len - pos - 4 < olen)
			break;
		if (code == 9 && olen >= 1) {
			unsigned int v = opt[pos + 4], e = v & 0x7f;
			uint64_t u = 1;

			if (v & 0x80)
				return e < 64 ? (uint64_t)1 << e : 0;
			while (e-- > 0 && u <= UINT64_MAX / 10)
				u *= 10;
			return u;
		}
		pos += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return 1000000;
}

/* pcapng: consumes whole blocks.  Returns bytes used, -1 on error. */
static long pcapng_blocks(struct reader *r, const unsigned char *b, size_t len,
			  const struct timespec *when, int first_only)
{
	size_t pos = 0;

	while (len - pos >= 12) {
		uint32_t type = rd32(b + pos, r->swapped), blen;
		const unsigned char *body = b + pos + 8;

		if (type == NG_SHB) {
			uint32_t bom = rd32(b + pos + 8, 0);

			if (bom == NG_BOM)
				r->swapped = 0;
			else if (bom == __builtin_bswap32(NG_BOM))
				r->swapped = 1;
			else {
				fputs("latency: bad pcapng byte-order magic\n", stderr);
				return -1;
			}
			r->nifs = 0;
		}
		blen = rd32(b + pos + 4, r->swapped);
		if (blen < 12 || (blen & 3) != 0 || blen > BUF_SIZE / 2) {
			fputs("latency: corrupt pcapng block length\n", stderr);
			return -1;
		}
		if (len - pos < blen)
			break;
		if (type == NG_IDB && blen >= 20) {
			if (r->nifs < MAX_IFACES) {
				r->ifs[r->nifs].linktype = rd16(body, r->swapped);
				r->ifs[r->nifs].units = idb_units(body + 8, blen - 20, r->swapped);
			}
			r->nifs++;
		} else if (type == NG_EPB && blen >= 32) {
			uint32_t ifid = rd32(body, r->swapped),
				 caplen = rd32(body + 12, r->swapped);
			uint64_t ts = ((uint64_t)rd32(body + 4, r->swapped) << 32) |
				      rd32(body + 8, r->swapped);
			const struct iface *ifc =
				ifid < r->nifs && ifid < MAX_IFACES ? &r->ifs[ifid] : NULL;
			uint64_t units = ifc && ifc->units ? ifc->units : 1000000;

			if (caplen > blen - 32) {
				fputs("latency: corrupt enhanced packet block\n", stderr);
				return -1;
			}
			if (packet(r, when, ifc ? ifc->linktype : DLT_EN10MB, body + 20, caplen, 1,
				   ts / units,
				   (uint64_t)((unsigned __int128)(ts % units) * 1000000000u /
					      units)) < 0)
				return -1;
			if (first_only)
				return (long)(pos + blen);
		} else if (type == NG_SPB && blen >= 16) {
			uint32_t caplen = blen - 16;
			uint32_t olen = rd32(body, r->swapped);

			if (olen < caplen)
				caplen = olen;
			if (packet(r, when, r->nifs ? r->ifs[0].linktype : DLT_EN10MB, body + 4,
				   caplen, 0, 0, 0) < 0)
				return -1;
			if (first_only)
				return (long)(pos + blen);
		}
		pos += blen;
	}
	return (long)pos;
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

static void usage(void)
{
	fputs("usage: latency [-p PORT] [-1] -o REPORT < pcap-or-pcapng\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static struct reader r;
	const char *report = NULL;
	int first_only = 0, opt, rc, ng = 0, truncated = 0;
	unsigned char *buf;
	size_t len = 0, pos = 0;
	struct timespec when = { 0, 0 };
	long used;
	FILE *f;

	r.port = 9999;
	while ((opt = getopt(argc, argv, "p:1o:")) != -1) {
		switch (opt) {
		case 'p':
			r.port = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case '1':
			first_only = 1;
			break;
		case 'o':
			report = optarg;
			break;
		default:
			usage();
		}
	}
	if (report == NULL)
		usage();
	buf = malloc(BUF_SIZE);
	if (buf == NULL) {
		fputs("latency: out of memory\n", stderr);
		return 1;
	}

	while (len < PCAP_HDR) {
		rc = read_more(buf, &len, BUF_SIZE, &when);
		if (rc <= 0) {
			fputs("latency: no capture header on standard input\n", stderr);
			return 1;
		}
	}
	switch (rd32(buf, 0)) {
	case NG_SHB:
		ng = 1;
		break;
	case 0xa1b2c3d4u:
		break;
	case 0xa1b23c4du:
		r.nsec = 1;
		break;
	case 0xd4c3b2a1u:
		r.swapped = 1;
		break;
	case 0x4d3cb2a1u:
		r.swapped = 1;
		r.nsec = 1;
		break;
	default:
		fputs("latency: standard input is neither pcap nor pcapng\n", stderr);
		return 1;
	}
	if (!ng) {
		r.linktype = rd32(buf + 20, r.swapped) & 0x0fffffffu;
		pos = PCAP_HDR;
	}

	for (;;) {
		/* Everything whole in the buffer arrived at `when`. */
		used = ng ? pcapng_blocks(&r, buf + pos, len - pos, &when, first_only)
			  : pcap_records(&r, buf + pos, len - pos, &when, first_only);
		if (used < 0)
			return 1;
		pos += (size_t)used;
		if (first_only && r.packets > 0)
			break;
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

	f = fopen(report, "w");
	if (f == NULL) {
		fprintf(stderr, "latency: cannot create %s: %s\n", report, strerror(errno));
		return 1;
	}
	fprintf(f, "format=%s packets=%llu matched=%zu", ng ? "pcapng" : "pcap", r.packets, r.nlat);
	if (r.nlat > 0) {
		qsort(r.lat, r.nlat, sizeof(*r.lat), cmp_u32);
		fprintf(f, " lat_med_ms=%.3f lat_p99_ms=%.3f lat_max_ms=%.3f",
			pct_ms(r.lat, r.nlat, 0.5), pct_ms(r.lat, r.nlat, 0.99),
			(double)r.lat[r.nlat - 1] / 1000.0);
	} else {
		fputs(" lat_med_ms=- lat_p99_ms=- lat_max_ms=-", f);
	}
	fprintf(f, " first_arrival=%lld.%09ld", (long long)r.first_arrival.tv_sec,
		r.first_arrival.tv_nsec);
	if (r.have_first_ts)
		fprintf(f, " first_ts=%llu.%09llu", (unsigned long long)r.first_sec,
			(unsigned long long)r.first_nsec);
	else
		fputs(" first_ts=-", f);
	fprintf(f, " truncated=%d\n", truncated);
	free(r.lat);
	free(buf);
	if (fclose(f) != 0) {
		perror("latency: report");
		return 1;
	}
	return 0;
}
