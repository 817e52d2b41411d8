/* pcapng block encoding; see include/nsdump/pcapng.h. */
#include <string.h>

#include "nsdump/pcapng.h"

#define OPT_ENDOFOPT       0
#define OPT_SHB_HARDWARE   2
#define OPT_SHB_OS         3
#define OPT_SHB_USERAPPL   4
#define OPT_IF_NAME        2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL     9
#define OPT_IF_FILTER      11
#define OPT_EPB_FLAGS      2
#define OPT_ISB_STARTTIME  2
#define OPT_ISB_ENDTIME    3
#define OPT_ISB_IFRECV     4
#define OPT_ISB_IFDROP     5
#define OPT_ISB_OSDROP     7
#define OPT_ISB_USRDELIV   8

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* A cursor over the caller's buffer; overflow sets bad and stops writing. */
struct cur {
	unsigned char *p;
	size_t cap;
	size_t len;
	int bad;
};

static void put(struct cur *c, const void *v, size_t n)
{
	if (c->bad || n > c->cap - c->len) {
		c->bad = 1;
		return;
	}
	memcpy(c->p + c->len, v, n);
	c->len += n;
}

static void put32(struct cur *c, uint32_t v)
{
	put(c, &v, 4);
}

static void put16(struct cur *c, uint16_t v)
{
	put(c, &v, 2);
}

static void put_zero(struct cur *c, size_t n)
{
	static const unsigned char z[4];

	put(c, z, n);
}

static void opt(struct cur *c, uint16_t code, const void *v, size_t n)
{
	put16(c, code);
	put16(c, (uint16_t)n);
	put(c, v, n);
	put_zero(c, pad4(n) - n);
}

/* Length of the longest prefix of s no longer than max that ends on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void opt_str(struct cur *c, uint16_t code, const char *s)
{
	if (s != NULL && s[0] != '\0')
		opt(c, code, s, utf8_cut(s, ND_PCAPNG_OPT_MAX));
}

static void opt64(struct cur *c, uint16_t code, uint64_t v)
{
	opt(c, code, &v, 8);
}

static void opt_ts(struct cur *c, uint16_t code, uint64_t ns)
{
	uint32_t hl[2] = { (uint32_t)(ns >> 32), (uint32_t)ns };

	opt(c, code, hl, 8);
}

/* Closes a block begun at start: end of options, trailing length, and the length field. */
static size_t finish(struct cur *c, size_t start, int with_opts)
{
	uint32_t total;

	if (with_opts) {
		put16(c, OPT_ENDOFOPT);
		put16(c, 0);
	}
	total = (uint32_t)(c->len - start + 4);
	put32(c, total);
	if (c->bad)
		return 0;
	memcpy(c->p + start + 4, &total, 4);
	return total;
}

size_t nd_pcapng_shb(unsigned char *out, size_t cap, const struct nd_pcapng_shb *shb)
{
	struct cur c = { .p = out, .cap = cap };
	uint64_t section_len = UINT64_MAX; /* -1: not given, the file is written as it goes */

	put32(&c, ND_PCAPNG_SHB);
	put32(&c, 0);
	put32(&c, 0x1A2B3C4Du);
	put16(&c, 1);
	put16(&c, 0);
	put(&c, &section_len, 8);
	opt_str(&c, OPT_SHB_HARDWARE, shb->hardware);
	opt_str(&c, OPT_SHB_OS, shb->os);
	opt_str(&c, OPT_SHB_USERAPPL, shb->userappl);
	return finish(&c, 0, 1);
}

size_t nd_pcapng_idb(unsigned char *out, size_t cap, const struct nd_pcapng_idb *idb)
{
	struct cur c = { .p = out, .cap = cap };
	uint8_t tsresol = 9; /* 10^-9: nanoseconds */

	put32(&c, ND_PCAPNG_IDB);
	put32(&c, 0);
	put16(&c, idb->linktype);
	put16(&c, 0);
	put32(&c, idb->snaplen);
	opt_str(&c, OPT_IF_NAME, idb->name);
	opt_str(&c, OPT_IF_DESCRIPTION, idb->description);
	opt(&c, OPT_IF_TSRESOL, &tsresol, 1);
	if (idb->filter != NULL && idb->filter[0] != '\0') {
		/* if_filter: a type byte (0: libpcap filter string), then the expression. */
		unsigned char f[1 + ND_PCAPNG_OPT_MAX];
		size_t n = utf8_cut(idb->filter, ND_PCAPNG_OPT_MAX - 1);

		f[0] = 0;
		memcpy(f + 1, idb->filter, n);
		opt(&c, OPT_IF_FILTER, f, n + 1);
	}
	return finish(&c, 0, 1);
}

size_t nd_pcapng_isb(unsigned char *out, size_t cap, const struct nd_pcapng_isb *isb)
{
	struct cur c = { .p = out, .cap = cap };

	put32(&c, ND_PCAPNG_ISB);
	put32(&c, 0);
	put32(&c, isb->ifid);
	put32(&c, (uint32_t)(isb->ts_ns >> 32));
	put32(&c, (uint32_t)isb->ts_ns);
	opt_ts(&c, OPT_ISB_STARTTIME, isb->start_ns);
	opt_ts(&c, OPT_ISB_ENDTIME, isb->ts_ns);
	opt64(&c, OPT_ISB_IFRECV, isb->ifrecv);
	opt64(&c, OPT_ISB_IFDROP, isb->ifdrop);
	opt64(&c, OPT_ISB_OSDROP, isb->osdrop);
	opt64(&c, OPT_ISB_USRDELIV, isb->usrdeliv);
	return finish(&c, 0, 1);
}

static inline void st16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void st32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

void nd_pcapng_epb(unsigned char *dst, uint32_t ifid, uint64_t ts_ns, const void *data,
		   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir)
{
	uint32_t total = (uint32_t)nd_pcapng_epb_len(caplen, dir);
	unsigned char *p = dst + ND_PCAPNG_EPB_HEAD;
	size_t pad = (((size_t)caplen + 3) & ~(size_t)3) - caplen;

	/* Field by field rather than through an array on the stack: small stores read back
	 * as one wide load stall the CPU (store forwarding), which showed in profiles. */
	st32(dst, ND_PCAPNG_EPB);
	st32(dst + 4, total);
	st32(dst + 8, ifid);
	st32(dst + 12, (uint32_t)(ts_ns >> 32));
	st32(dst + 16, (uint32_t)ts_ns);
	st32(dst + 20, caplen);
	st32(dst + 24, len);
	memcpy(p, data, caplen);
	p += caplen;
	memset(p, 0, 4); /* covers the padding, whatever its length */
	p += pad;
	if (dir != ND_PCAPNG_DIR_UNKNOWN) {
		st16(p, OPT_EPB_FLAGS);
		st16(p + 2, 4);
		st32(p + 4, (uint32_t)dir);
		p += 8;
	}
	st32(p, total);
}

/* The same fields as nd_pcapng_epb(), in two pieces; kept apart from it so that the code every
 * packet runs stays as it was measured (test_pcapng checks that both give the same bytes). */
size_t nd_pcapng_epb_parts(unsigned char *head, unsigned char *tail, uint32_t ifid, uint64_t ts_ns,
			   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir)
{
	uint32_t total = (uint32_t)nd_pcapng_epb_len(caplen, dir);
	size_t n = (((size_t)caplen + 3) & ~(size_t)3) - caplen;

	st32(head, ND_PCAPNG_EPB);
	st32(head + 4, total);
	st32(head + 8, ifid);
	st32(head + 12, (uint32_t)(ts_ns >> 32));
	st32(head + 16, (uint32_t)ts_ns);
	st32(head + 20, caplen);
	st32(head + 24, len);
	memset(tail, 0, n);
	if (dir != ND_PCAPNG_DIR_UNKNOWN) {
		st16(tail + n, OPT_EPB_FLAGS);
		st16(tail + n + 2, 4);
		st32(tail + n + 4, (uint32_t)dir);
		n += 8;
	}
	st32(tail + n, total);
	return n + 4;
}

size_t nd_pcapng_block_len(const unsigned char *p, size_t avail, bool *packet)
{
	uint32_t total, type;

	if (avail < 12)
		return 0;
	memcpy(&type, p, 4);
	memcpy(&total, p + 4, 4);
	*packet = type == ND_PCAPNG_EPB;
	if (total < 12 || (total & 3) != 0)
		return 0;
	return total;
}
