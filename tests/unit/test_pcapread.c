/* The capture-file parser behind --merge: big-endian pcapng converted to host order (options
 * included, unknown ones dropped), fed a byte at a time as a stream would be; swapped pcap;
 * time stamp resolutions; and corrupt input refused with its offset. */
#include <stdlib.h>

#include "nsdump/pcapread.h"
#include "unit.h"

/* A buffer written in big-endian order, whatever the host's. */
struct be {
	unsigned char b[4096];
	size_t n;
};

static void be8(struct be *o, uint8_t v)
{
	o->b[o->n++] = v;
}

static void be16(struct be *o, uint16_t v)
{
	be8(o, (uint8_t)(v >> 8));
	be8(o, (uint8_t)v);
}

static void be32(struct be *o, uint32_t v)
{
	be16(o, (uint16_t)(v >> 16));
	be16(o, (uint16_t)v);
}

static void be64(struct be *o, uint64_t v)
{
	be32(o, (uint32_t)(v >> 32));
	be32(o, (uint32_t)v);
}

static void bytes(struct be *o, const void *p, size_t n)
{
	memcpy(o->b + o->n, p, n);
	o->n += n;
	while (o->n % 4)
		o->b[o->n++] = 0;
}

/* Ends the block begun at start: its length in both places. */
static void end_block(struct be *o, size_t start)
{
	uint32_t total = (uint32_t)(o->n - start + 4);
	size_t save;

	be32(o, total);
	save = o->n;
	o->n = start + 4;
	be32(o, total);
	o->n = save;
}

static size_t build_be(struct be *o)
{
	size_t s;

	s = o->n; /* SHB */
	be32(o, 0x0A0D0D0A);
	be32(o, 0);
	be32(o, 0x1A2B3C4D);
	be16(o, 1);
	be16(o, 0);
	be64(o, UINT64_MAX);
	end_block(o, s);
	s = o->n; /* IDB: Ethernet, if_name, if_speed (u64), an unknown option, if_tsresol 6 */
	be32(o, 1);
	be32(o, 0);
	be16(o, 1);
	be16(o, 0);
	be32(o, 65535);
	be16(o, 2);
	be16(o, 3);
	bytes(o, "be0", 3);
	be16(o, 8);
	be16(o, 8);
	be64(o, 1000000000);
	be16(o, 99);
	be16(o, 4);
	be32(o, 0xdeadbeef);
	be16(o, 9);
	be16(o, 1);
	bytes(o, "\x06", 1);
	be16(o, 0);
	be16(o, 0);
	end_block(o, s);
	s = o->n; /* EPB: 5 bytes at 1700000000.5 s (microseconds), epb_flags = outbound */
	be32(o, 6);
	be32(o, 0);
	be32(o, 0);
	be32(o, (uint32_t)(1700000000500000ULL >> 32));
	be32(o, (uint32_t)1700000000500000ULL);
	be32(o, 5);
	be32(o, 60);
	bytes(o, "hello", 5);
	be16(o, 2);
	be16(o, 4);
	be32(o, 2);
	be16(o, 0);
	be16(o, 0);
	end_block(o, s);
	s = o->n; /* ISB: isb_ifrecv = 7 */
	be32(o, 5);
	be32(o, 0);
	be32(o, 0);
	be32(o, 0);
	be32(o, 1);
	be16(o, 4);
	be16(o, 8);
	be64(o, 7);
	end_block(o, s);
	return o->n;
}

static uint64_t opt_u64(const unsigned char *p, size_t n, uint16_t want)
{
	for (size_t i = 0; i + 4 <= n;) {
		uint16_t code, len;
		uint64_t v = 0;

		memcpy(&code, p + i, 2);
		memcpy(&len, p + i + 2, 2);
		if (code == want && len == 8) {
			memcpy(&v, p + i + 4, 8);
			return v;
		}
		i += 4 + ((len + 3u) & ~3u);
	}
	return 0;
}

static bool has_opt(const unsigned char *p, size_t n, uint16_t want)
{
	for (size_t i = 0; i + 4 <= n;) {
		uint16_t code, len;

		memcpy(&code, p + i, 2);
		memcpy(&len, p + i + 2, 2);
		if (code == want)
			return true;
		i += 4 + ((len + 3u) & ~3u);
	}
	return false;
}

static void test_big_endian_stream(void)
{
	struct be o = { .n = 0 };
	size_t n = build_be(&o), pos = 0, avail = 0, need;
	struct nd_pcapread r = { 0 };
	struct nd_prec rec;
	struct nd_err err = { 0 };
	enum nd_prec_kind kinds[8];
	int nk = 0, zero_returns = 0;
	bool if_ok = false, pkt_ok = false, stats_ok = false;

	/* One more byte each time, as a slow pipe would give them. */
	while (pos < n && nk < 8) {
		long got = nd_pcapread_next(&r, o.b + pos, avail, &rec, &need, &err);

		if (got < 0)
			break;
		if (got == 0) {
			zero_returns++;
			if (pos + avail < n)
				avail++;
			else
				break;
			continue;
		}
		kinds[nk++] = rec.kind;
		if (rec.kind == ND_PREC_IF)
			if_ok = r.ifs[rec.ifid].linktype == 1 && r.ifs[rec.ifid].snaplen == 65535 &&
				r.ifs[rec.ifid].tsresol == 6 &&
				opt_u64(rec.opts, rec.optlen, 8) == 1000000000 &&
				!has_opt(rec.opts, rec.optlen, 99) && rec.optlen == 8 + 12 + 8 &&
				memcmp(rec.opts + 4, "be0", 3) == 0;
		if (rec.kind == ND_PREC_PACKET) {
			uint32_t flags = 0;

			memcpy(&flags, rec.opts + 4, 4);
			pkt_ok = rec.caplen == 5 && rec.len == 60 &&
				 memcmp(rec.data, "hello", 5) == 0 &&
				 rec.ts_ns == 1700000000500000000ULL && rec.optlen == 8 &&
				 flags == 2;
		}
		if (rec.kind == ND_PREC_STATS)
			stats_ok = rec.ifid == 0 && rec.ts_raw == 1 &&
				   opt_u64(rec.opts, rec.optlen, 4) == 7;
		pos += (size_t)got;
		avail -= (size_t)got;
	}
	CHECK("big-endian stream: four records, whole, in order",
	      nk == 4 && kinds[0] == ND_PREC_SECTION && kinds[1] == ND_PREC_IF &&
		      kinds[2] == ND_PREC_PACKET && kinds[3] == ND_PREC_STATS && pos == n);
	CHECK("big-endian stream: asked for more bytes many times (streaming)", zero_returns > 100);
	CHECK("big-endian IDB: name, speed in host order, unknown option dropped, tsresol", if_ok);
	CHECK("big-endian EPB: data, lengths, time stamp in ns, flags in host order", pkt_ok);
	CHECK("big-endian ISB: interface, time stamp, counter", stats_ok);
	nd_pcapread_free(&r);
}

static void test_pcap_swapped(void)
{
	struct be o = { .n = 0 };
	struct nd_pcapread r = { 0 };
	struct nd_prec rec;
	struct nd_err err = { 0 };
	size_t need;
	long a, b;

	be32(&o, 0xa1b2c3d4); /* big-endian, microseconds */
	be16(&o, 2);
	be16(&o, 4);
	be32(&o, 0);
	be32(&o, 0);
	be32(&o, 262144);
	be32(&o, 113); /* Linux cooked */
	be32(&o, 1700000000);
	be32(&o, 250000);
	be32(&o, 3);
	be32(&o, 40);
	bytes(&o, "abc", 3);
	a = nd_pcapread_next(&r, o.b, o.n, &rec, &need, &err);
	CHECK("swapped pcap: header gives an interface",
	      a == 24 && rec.kind == ND_PREC_IF && r.ifs[0].linktype == 113 &&
		      r.ifs[0].snaplen == 262144 && r.ifs[0].tsresol == 6);
	b = nd_pcapread_next(&r, o.b + a, 18, &rec, &need, &err);
	CHECK("swapped pcap: a record cut short asks for more", b == 0 && need == 19);
	b = nd_pcapread_next(&r, o.b + a, 19, &rec, &need, &err);
	CHECK("swapped pcap: record in host order",
	      b == 19 && rec.kind == ND_PREC_PACKET && rec.caplen == 3 && rec.len == 40 &&
		      rec.ts_ns == 1700000000250000000ULL && memcmp(rec.data, "abc", 3) == 0);
	nd_pcapread_free(&r);
}

static void test_ts(void)
{
	struct nd_pcapread_if f = { .tsresol = 9 };

	CHECK("ts: nanoseconds as they are", nd_pcapread_ts_ns(&f, 12345) == 12345);
	f.tsresol = 3;
	CHECK("ts: milliseconds", nd_pcapread_ts_ns(&f, 1500) == 1500000000ULL);
	f.tsresol = 0x80 | 10;
	CHECK("ts: 2^-10 s", nd_pcapread_ts_ns(&f, 1024 * 3 + 512) == 3500000000ULL);
	f.tsresol = 12;
	CHECK("ts: picoseconds", nd_pcapread_ts_ns(&f, 7000) == 7);
	f.tsresol = 9;
	f.tsoffset = 10;
	CHECK("ts: if_tsoffset added", nd_pcapread_ts_ns(&f, 1) == 10000000001ULL);
	f.tsoffset = -10;
	CHECK("ts: before the epoch clamps to 0", nd_pcapread_ts_ns(&f, 1) == 0);
	f.tsoffset = 0;
	f.tsresol = 0;
	CHECK("ts: seconds past 2^64 ns saturate", nd_pcapread_ts_ns(&f, UINT64_MAX) == UINT64_MAX);
	f.tsresol = 0x80 | 127;
	CHECK("ts: 2^-127 s", nd_pcapread_ts_ns(&f, UINT64_MAX) == 0);
}

/* Parses buf to the first error; returns its message, or "" when none came. */
static const char *first_error(unsigned char *buf, size_t n, struct nd_err *err)
{
	struct nd_pcapread r = { 0 };
	struct nd_prec rec;
	size_t pos = 0, need;

	err->msg[0] = '\0';
	while (pos < n) {
		long got = nd_pcapread_next(&r, buf + pos, n - pos, &rec, &need, err);

		if (got <= 0)
			break;
		pos += (size_t)got;
	}
	nd_pcapread_free(&r);
	return err->msg;
}

static void test_corrupt(void)
{
	struct be o = { .n = 0 };
	struct nd_err err;
	size_t n = build_be(&o), idb = 28, epb;
	unsigned char c[4096];

	epb = idb + 60; /* the IDB is 60 bytes long */
	memcpy(c, o.b, n);
	memcpy(c, "GET / HTTP/1.1\r\n", 16);
	CHECK("corrupt: not a capture",
	      strstr(first_error(c, 16, &err), "offset 0: not a pcap") != NULL);
	memcpy(c, o.b, n);
	c[idb + 7] = 53; /* IDB length not a multiple of 4 */
	CHECK("corrupt: block length not a multiple of 4, with its offset",
	      strstr(first_error(c, n, &err), "at offset 28: a block of an impossible length") !=
		      NULL);
	memcpy(c, o.b, n);
	c[epb + 11] = 1; /* EPB of interface 1: none described */
	CHECK("corrupt: packet of an undescribed interface",
	      strstr(first_error(c, n, &err), "at offset 88: a packet of an interface") != NULL);
	memcpy(c, o.b, n);
	c[epb + 23] = 200; /* caplen past the block */
	CHECK("corrupt: captured length past the block",
	      strstr(first_error(c, n, &err), "a packet longer than its block") != NULL);
	memcpy(c, o.b, n);
	c[idb + 19] = 200; /* if_name's length past the block */
	CHECK("corrupt: option past the block",
	      strstr(first_error(c, n, &err), "an option runs past the end") != NULL);
	memcpy(c, o.b, n);
	c[8] = 0; /* byte-order magic */
	CHECK("corrupt: section header without byte-order magic",
	      strstr(first_error(c, n, &err), "without the byte-order magic") != NULL);
	memcpy(c, o.b, n);
	c[idb + 4] = 0x7f; /* 2 GiB block */
	CHECK("corrupt: block longer than the limit",
	      strstr(first_error(c, n, &err), "impossible length") != NULL);
	memcpy(c, o.b, n);
	c[n - 1] = 0; /* ISB's trailing length */
	CHECK("corrupt: the two lengths differ",
	      strstr(first_error(c, n, &err), "two lengths differ") != NULL);
	CHECK("whole file: no error", first_error(o.b, n, &err)[0] == '\0');
}

int main(void)
{
	test_big_endian_stream();
	test_pcap_swapped();
	test_ts();
	test_corrupt();
	return UNIT_DONE();
}
