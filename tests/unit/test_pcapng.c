/* pcapng encoding: a byte-exact golden file for fixed input, and field checks (hostile text
 * is cleaned before it gets here: test_text.c).
 * With GOLDEN_WRITE=1 in the environment the golden file is (re)written instead; check the
 * new one with tshark and capinfos before committing it. */
#include <stdlib.h>

#include "nsdump/pcapfile.h"
#include "nsdump/pcapng.h"
#include "unit.h"

#define GOLDEN "tests/unit/golden/blocks.pcapng"

static size_t build(unsigned char *out, size_t cap)
{
	struct nd_pcapng_shb shb = { .hardware = "x86_64",
				     .os = "Linux 6.1",
				     .userappl = "nsdump test" };
	struct nd_pcapng_idb idb = { .linktype = 1,
				     .snaplen = 262144,
				     .name = "web1/eth0",
				     .description = "runtime docker; id 0123abcd",
				     .tsresol = 9,
				     .filter = "udp port 53" };
	struct nd_pcapng_isb isb = { .ifid = 0,
				     .ts_ns = 1700000001000000000ULL,
				     .start_ns = 1700000000000000000ULL,
				     .ifrecv = 3,
				     .ifdrop = 1,
				     .osdrop = 1,
				     .usrdeliv = 2 };
	unsigned char pkt[61];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (unsigned char)i;
	n += nd_pcapng_shb(out + n, cap - n, &shb);
	n += nd_pcapng_idb(out + n, cap - n, &idb);
	for (int k = 0; k < 3; k++) {
		/* 61, 60, 59 bytes: every padding length; directions out, in, unknown. */
		uint32_t caplen = (uint32_t)(61 - k);
		enum nd_pcapng_dir dir = k == 0   ? ND_PCAPNG_DIR_OUT
					 : k == 1 ? ND_PCAPNG_DIR_IN
						  : ND_PCAPNG_DIR_UNKNOWN;

		/* Poison first: padding must come out as zeros whatever was there. */
		memset(out + n, 0xee, nd_pcapng_epb_len(caplen, dir));
		nd_pcapng_epb(out + n, 0, 1700000000123456789ULL + (uint64_t)k, pkt, caplen, 100,
			      dir);
		n += nd_pcapng_epb_len(caplen, dir);
	}
	n += nd_pcapng_isb(out + n, cap - n, &isb);
	return n;
}

int main(void)
{
	static unsigned char got[8192], want[8192];
	size_t n = build(got, sizeof(got)), wn;
	FILE *f;

	CHECK("blocks built", n > 0 && n % 4 == 0);
	if (getenv("GOLDEN_WRITE") != NULL) {
		f = fopen(GOLDEN, "wb");
		CHECK("golden file written",
		      f != NULL && fwrite(got, 1, n, f) == n && fclose(f) == 0);
		return UNIT_DONE();
	}
	f = fopen(GOLDEN, "rb");
	CHECK("golden file present (run from the top directory)", f != NULL);
	if (f == NULL)
		return UNIT_DONE();
	wn = fread(want, 1, sizeof(want), f);
	fclose(f);
	CHECK("writer output is byte-identical to the golden file",
	      wn == n && memcmp(got, want, n) == 0);

	/* Field checks that do not depend on the golden file. */
	{
		uint32_t w[7], total;
		unsigned char blk[128], pkt[61] = { 0 };
		size_t bl = nd_pcapng_epb_len(61, ND_PCAPNG_DIR_IN);
		bool packet = false;

		nd_pcapng_epb(blk, 3, 0x0000000100000002ULL, pkt, 61, 1514, ND_PCAPNG_DIR_IN);
		memcpy(w, blk, sizeof(w));
		CHECK("EPB type, interface, timestamp halves, lengths",
		      w[0] == ND_PCAPNG_EPB && w[2] == 3 && w[3] == 1 && w[4] == 2 && w[5] == 61 &&
			      w[6] == 1514);
		CHECK("EPB: header 28 + 61 bytes + 3 padding + flags option (8) + length (4)",
		      bl == 28 + 61 + 3 + 8 + 4);
		memcpy(&total, blk + bl - 4, 4);
		CHECK("EPB lengths agree", total == w[1] && total == bl);
		memcpy(&total, blk + 28 + 64 + 4, 4);
		CHECK("epb_flags value is the direction", total == ND_PCAPNG_DIR_IN);
		CHECK("block_len reads the length and knows an EPB",
		      nd_pcapng_block_len(blk, 28, &packet) == w[1] && packet);
		CHECK("block_len needs 12 bytes", nd_pcapng_block_len(blk, 11, &packet) == 0);
		CHECK("no direction: no options at all",
		      nd_pcapng_epb_len(64, ND_PCAPNG_DIR_UNKNOWN) == 28 + 64 + 4);
	}
	/* A packet larger than the output buffer is written as head + bytes + tail: the same
	 * bytes as the whole block, for every padding and with or without a direction. */
	{
		unsigned char whole[128], parts[128], pkt[9];
		bool same = true;

		for (size_t i = 0; i < sizeof(pkt); i++)
			pkt[i] = (unsigned char)(0xa0 + i);
		for (uint32_t caplen = 0; caplen <= 9; caplen++) {
			for (int d = 0; d <= 2; d++) {
				enum nd_pcapng_dir dir = (enum nd_pcapng_dir)d;
				size_t bl = nd_pcapng_epb_len(caplen, dir), tl;
				unsigned char tail[ND_PCAPNG_EPB_TAIL_MAX];

				memset(whole, 0xee, sizeof(whole));
				memset(parts, 0xee, sizeof(parts));
				nd_pcapng_epb(whole, 7, 0x1122334455667788ULL, pkt, caplen, 1500,
					      dir);
				tl = nd_pcapng_epb_parts(parts, tail, 7, 0x1122334455667788ULL,
							 caplen, 1500, dir);
				memcpy(parts + ND_PCAPNG_EPB_HEAD, pkt, caplen);
				memcpy(parts + ND_PCAPNG_EPB_HEAD + caplen, tail, tl);
				same &= ND_PCAPNG_EPB_HEAD + caplen + tl == bl &&
					memcmp(whole, parts, sizeof(whole)) == 0;
			}
		}
		CHECK("EPB in parts (head, bytes, tail) equals the whole block", same);
	}
	{
		/* --merge's large-packet path: a copied EPB in parts equals the whole block. */
		static const unsigned char opts[12] = { 2, 0, 4, 0, 1, 0, 0, 0, 0x80, 0, 0, 0 };
		unsigned char pkt[8], whole[64], parts[64], tail[32], head[ND_PCAPNG_EPB_HEAD];
		bool same = true;

		memset(pkt, 0x5a, sizeof(pkt));
		for (uint32_t caplen = 0; caplen <= 8; caplen++) {
			for (size_t ol = 0; ol <= 8; ol += 8) {
				size_t bl = nd_pcapng_epb_copy_len(caplen, ol), tl;

				memset(whole, 0xee, sizeof(whole));
				memset(parts, 0xee, sizeof(parts));
				nd_pcapng_epb_copy(whole, 3, 0x0102030405060708ULL, pkt, caplen, 99,
						   opts, ol);
				tl = nd_pcapng_epb_copy_parts(head, tail, sizeof(tail), 3,
							      0x0102030405060708ULL, caplen, 99,
							      opts, ol);
				memcpy(parts, head, sizeof(head));
				memcpy(parts + sizeof(head), pkt, caplen);
				memcpy(parts + sizeof(head) + caplen, tail, tl);
				same &= sizeof(head) + caplen + tl == bl &&
					memcmp(whole, parts, sizeof(whole)) == 0;
			}
		}
		CHECK("copied EPB in parts (head, bytes, tail) equals the whole block", same);
		CHECK("copied EPB parts: a tail that does not fit gives 0",
		      nd_pcapng_epb_copy_parts(head, tail, 8, 3, 0, 1, 1, opts, 8) == 0);
	}
	{
		unsigned char small[40];
		struct nd_pcapng_shb shb = { .hardware = "x86_64",
					     .os = "Linux",
					     .userappl = "nsdump" };

		CHECK("a block that does not fit gives 0",
		      nd_pcapng_shb(small, sizeof(small), &shb) == 0);
	}
	{
		static unsigned char big[65536];
		char longname[10000];
		struct nd_pcapng_idb idb = { .linktype = 1, .snaplen = 1, .name = longname };
		size_t bl;

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		bl = nd_pcapng_idb(big, sizeof(big), &idb);
		CHECK("an over-long name is cut to ND_PCAPNG_OPT_MAX",
		      bl > ND_PCAPNG_OPT_MAX && bl < ND_PCAPNG_OPT_MAX + 64);
	}

	/* What --merge copies from other files: any block, an option, an IDB with copied
	 * options, an EPB with its options. */
	{
		unsigned char blk[256], opt[16], opts[8] = { 1, 0, 3, 0, 'a', 'b', 'c', 0 };
		uint32_t body[3] = { 7, 1, 2 }, w[7], v;
		unsigned char pkt[5] = { 1, 2, 3, 4, 5 };
		struct nd_pcapng_idb idb = {
			.linktype = 1, .snaplen = 9, .opts = opts, .optlen = 8
		};
		size_t bl;

		bl = nd_pcapng_block(blk, sizeof(blk), ND_PCAPNG_ISB, body, sizeof(body), NULL, 0,
				     NULL, 0);
		memcpy(w, blk, 20);
		CHECK("block without options: type, lengths, body, no end marker",
		      bl == 8 + 12 + 4 && w[0] == ND_PCAPNG_ISB && w[1] == bl && w[2] == 7 &&
			      memcmp(blk + bl - 4, &w[1], 4) == 0);
		bl = nd_pcapng_block(blk, sizeof(blk), ND_PCAPNG_ISB, body, sizeof(body), opts, 8,
				     opts, 8);
		memcpy(&v, blk + 8 + 12 + 16, 4);
		CHECK("block with options: both copied, then the end marker",
		      bl == 8 + 12 + 16 + 4 + 4 && memcmp(blk + 20, opts, 8) == 0 &&
			      memcmp(blk + 28, opts, 8) == 0 && v == 0);
		CHECK("a block that does not fit gives 0 (block)",
		      nd_pcapng_block(blk, 20, ND_PCAPNG_ISB, body, 12, opts, 8, NULL, 0) == 0);
		bl = nd_pcapng_opt(opt, sizeof(opt), 2, "eth0x", 5);
		CHECK("option: code, length, value, zero padding",
		      bl == 12 && opt[0] == 2 && opt[2] == 5 && memcmp(opt + 4, "eth0x", 5) == 0 &&
			      opt[9] == 0 && opt[10] == 0 && opt[11] == 0);
		CHECK("an option that does not fit gives 0",
		      nd_pcapng_opt(opt, 8, 2, "eth0x", 5) == 0);
		bl = nd_pcapng_idb(blk, sizeof(blk), &idb);
		CHECK("IDB: copied options first, no if_tsresol when 0",
		      bl == 8 + 8 + 8 + 4 + 4 && memcmp(blk + 16, opts, 8) == 0);
		bl = nd_pcapng_epb_copy_len(5, 8);
		memset(blk, 0xee, bl);
		nd_pcapng_epb_copy(blk, 4, 0x0000000900000008ULL, pkt, 5, 60, opts, 8);
		memcpy(w, blk, sizeof(w));
		memcpy(&v, blk + bl - 4, 4);
		CHECK("EPB copy: fields, raw time stamp, zero padding, options, end marker, length",
		      bl == 28 + 8 + 8 + 4 + 4 && w[0] == ND_PCAPNG_EPB && w[1] == bl &&
			      w[2] == 4 && w[3] == 9 && w[4] == 8 && w[5] == 5 && w[6] == 60 &&
			      memcmp(blk + 28, pkt, 5) == 0 && blk[33] == 0 && blk[35] == 0 &&
			      memcmp(blk + 36, opts, 8) == 0 && blk[44] == 0 && blk[47] == 0 &&
			      v == bl);
		CHECK("EPB copy without options: no end marker",
		      nd_pcapng_epb_copy_len(5, 0) == 40);
	}
	/* The link of a pcap file: one link type, the largest snapshot length. */
	{
		struct nd_pcap_link l = { 0 };

		CHECK("pcap link: the first interface sets it", nd_pcap_link_add(&l, 1, 100));
		CHECK("pcap link: the same type is taken, the larger snaplen kept",
		      nd_pcap_link_add(&l, 1, 262144) && l.snaplen == 262144 && l.n == 2);
		CHECK("pcap link: another type is refused and changes nothing",
		      !nd_pcap_link_add(&l, 113, 10) && l.linktype == 1 && l.n == 2);
	}

	return UNIT_DONE();
}
