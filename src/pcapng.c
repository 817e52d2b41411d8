/* pcapng block encoding; see include/nsdump/pcapng.h. */
#include <string.h>

#include "nsdump/bytes.h"
#include "nsdump/pcapng.h"

#define OPT_ENDOFOPT       0
#define OPT_SHB_HARDWARE   2
#define OPT_SHB_OS         3
#define OPT_SHB_USERAPPL   4
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_FILTER      11
#define OPT_EPB_FLAGS      2
#define OPT_ISB_STARTTIME  2
#define OPT_ISB_ENDTIME    3
#define OPT_ISB_IFRECV     4
#define OPT_ISB_IFDROP     5
#define OPT_ISB_OSDROP     7
#define OPT_ISB_USRDELIV   8

/* A cursor over the caller's buffer; overflow sets bad and stops writing. */
struct cur {
	unsigned char *p;
	size_t cap;
	size_t len;
	int bad;
	int nopts; /* options put: only then does the block get an end-of-options marker */
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

static void cur_put32(struct cur *c, uint32_t v)
{
	put(c, &v, 4);
}

static void cur_put16(struct cur *c, uint16_t v)
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
	cur_put16(c, code);
	cur_put16(c, (uint16_t)n);
	put(c, v, n);
	put_zero(c, nd_pad4(n) - n);
	c->nopts++;
}

/* Options already encoded (a multiple of 4 bytes, no end marker), copied as they are. */
static void opts_raw(struct cur *c, const void *v, size_t n)
{
	if (n == 0)
		return;
	put(c, v, n);
	c->nopts++;
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

/* Closes a block begun at start: end of options (when there are any), trailing length, and
 * the length field. */
static size_t finish(struct cur *c, size_t start)
{
	uint32_t total;

	if (c->nopts > 0) {
		cur_put16(c, OPT_ENDOFOPT);
		cur_put16(c, 0);
	}
	total = (uint32_t)(c->len - start + 4);
	cur_put32(c, total);
	if (c->bad)
		return 0;
	memcpy(c->p + start + 4, &total, 4);
	return total;
}

size_t nd_pcapng_shb(unsigned char *out, size_t cap, const struct nd_pcapng_shb *shb)
{
	struct cur c = { .p = out, .cap = cap };
	uint64_t section_len = UINT64_MAX; /* -1: not given, the file is written as it goes */

	cur_put32(&c, ND_PCAPNG_SHB);
	cur_put32(&c, 0);
	cur_put32(&c, ND_PCAPNG_BOM);
	cur_put16(&c, 1);
	cur_put16(&c, 0);
	put(&c, &section_len, 8);
	opt_str(&c, OPT_SHB_HARDWARE, shb->hardware);
	opt_str(&c, OPT_SHB_OS, shb->os);
	opt_str(&c, OPT_SHB_USERAPPL, shb->userappl);
	return finish(&c, 0);
}

size_t nd_pcapng_idb(unsigned char *out, size_t cap, const struct nd_pcapng_idb *idb)
{
	struct cur c = { .p = out, .cap = cap };

	cur_put32(&c, ND_PCAPNG_IDB);
	cur_put32(&c, 0);
	cur_put16(&c, idb->linktype);
	cur_put16(&c, 0);
	cur_put32(&c, idb->snaplen);
	opts_raw(&c, idb->opts, idb->optlen);
	opt_str(&c, ND_PCAPNG_OPT_IF_NAME, idb->name);
	opt_str(&c, OPT_IF_DESCRIPTION, idb->description);
	if (idb->tsresol != 0)
		opt(&c, ND_PCAPNG_OPT_IF_TSRESOL, &idb->tsresol, 1);
	if (idb->filter != NULL && idb->filter[0] != '\0') {
		/* if_filter: a type byte (0: libpcap filter string), then the expression. */
		unsigned char f[1 + ND_PCAPNG_OPT_MAX];
		size_t n = utf8_cut(idb->filter, ND_PCAPNG_OPT_MAX - 1);

		f[0] = 0;
		memcpy(f + 1, idb->filter, n);
		opt(&c, OPT_IF_FILTER, f, n + 1);
	}
	return finish(&c, 0);
}

size_t nd_pcapng_isb(unsigned char *out, size_t cap, const struct nd_pcapng_isb *isb)
{
	struct cur c = { .p = out, .cap = cap };

	cur_put32(&c, ND_PCAPNG_ISB);
	cur_put32(&c, 0);
	cur_put32(&c, isb->ifid);
	cur_put32(&c, (uint32_t)(isb->ts_ns >> 32));
	cur_put32(&c, (uint32_t)isb->ts_ns);
	opt_ts(&c, OPT_ISB_STARTTIME, isb->start_ns);
	opt_ts(&c, OPT_ISB_ENDTIME, isb->ts_ns);
	opt64(&c, OPT_ISB_IFRECV, isb->ifrecv);
	opt64(&c, OPT_ISB_IFDROP, isb->ifdrop);
	opt64(&c, OPT_ISB_OSDROP, isb->osdrop);
	opt64(&c, OPT_ISB_USRDELIV, isb->usrdeliv);
	return finish(&c, 0);
}

/* An EPB's fixed header (ND_PCAPNG_EPB_HEAD bytes). */
static inline void epb_fields(unsigned char *dst, uint32_t total, uint32_t ifid, uint64_t ts,
			      uint32_t caplen, uint32_t len)
{
	/* Field by field rather than through an array on the stack: small stores read back
	 * as one wide load stall the CPU (store forwarding), which showed in profiles. */
	nd_put32(dst, ND_PCAPNG_EPB);
	nd_put32(dst + 4, total);
	nd_put32(dst + 8, ifid);
	nd_put32(dst + 12, (uint32_t)(ts >> 32));
	nd_put32(dst + 16, (uint32_t)ts);
	nd_put32(dst + 20, caplen);
	nd_put32(dst + 24, len);
}

/* An EPB's header and packet bytes with their padding; returns where the options go. */
static unsigned char *epb_head(unsigned char *dst, uint32_t total, uint32_t ifid, uint64_t ts,
			       const void *data, uint32_t caplen, uint32_t len)
{
	unsigned char *p = dst + ND_PCAPNG_EPB_HEAD;

	epb_fields(dst, total, ifid, ts, caplen, len);
	memcpy(p, data, caplen);
	p += caplen;
	memset(p, 0, 4); /* covers the padding, whatever its length */
	return p + (nd_pad4(caplen) - caplen);
}

void nd_pcapng_epb(unsigned char *dst, uint32_t ifid, uint64_t ts_ns, const void *data,
		   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir)
{
	uint32_t total = (uint32_t)nd_pcapng_epb_len(caplen, dir);
	unsigned char *p = epb_head(dst, total, ifid, ts_ns, data, caplen, len);

	if (dir != ND_PCAPNG_DIR_UNKNOWN) {
		nd_put16(p, OPT_EPB_FLAGS);
		nd_put16(p + 2, 4);
		nd_put32(p + 4, (uint32_t)dir);
		p += 8;
	}
	nd_put32(p, total);
}

void nd_pcapng_epb_copy(unsigned char *dst, uint32_t ifid, uint64_t ts_raw, const void *data,
			uint32_t caplen, uint32_t len, const void *opts, size_t optlen)
{
	uint32_t total = (uint32_t)nd_pcapng_epb_copy_len(caplen, optlen);
	unsigned char *p = epb_head(dst, total, ifid, ts_raw, data, caplen, len);

	if (optlen > 0) {
		memcpy(p, opts, optlen);
		p += optlen;
		nd_put32(p, 0); /* opt_endofopt */
		p += 4;
	}
	nd_put32(p, total);
}

size_t nd_pcapng_block(unsigned char *out, size_t cap, uint32_t type, const void *body, size_t blen,
		       const void *opts, size_t olen, const void *extra, size_t elen)
{
	struct cur c = { .p = out, .cap = cap };

	cur_put32(&c, type);
	cur_put32(&c, 0);
	put(&c, body, blen);
	opts_raw(&c, opts, olen);
	opts_raw(&c, extra, elen);
	return finish(&c, 0);
}

size_t nd_pcapng_opt(unsigned char *out, size_t cap, uint16_t code, const void *v, size_t len)
{
	struct cur c = { .p = out, .cap = cap };

	if (len > UINT16_MAX)
		return 0;
	opt(&c, code, v, len);
	return c.bad ? 0 : c.len;
}

/* The same fields as nd_pcapng_epb(), in two pieces; kept apart from it so that the code every
 * packet runs stays as it was measured (test_pcapng checks that both give the same bytes). */
size_t nd_pcapng_epb_parts(unsigned char *head, unsigned char *tail, uint32_t ifid, uint64_t ts_ns,
			   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir)
{
	uint32_t total = (uint32_t)nd_pcapng_epb_len(caplen, dir);
	size_t n = nd_pad4(caplen) - caplen;

	epb_fields(head, total, ifid, ts_ns, caplen, len);
	memset(tail, 0, n);
	if (dir != ND_PCAPNG_DIR_UNKNOWN) {
		nd_put16(tail + n, OPT_EPB_FLAGS);
		nd_put16(tail + n + 2, 4);
		nd_put32(tail + n + 4, (uint32_t)dir);
		n += 8;
	}
	nd_put32(tail + n, total);
	return n + 4;
}

size_t nd_pcapng_epb_copy_parts(unsigned char *head, unsigned char *tail, size_t tailcap,
				uint32_t ifid, uint64_t ts_raw, uint32_t caplen, uint32_t len,
				const void *opts, size_t optlen)
{
	size_t total = nd_pcapng_epb_copy_len(caplen, optlen);
	size_t n = total - ND_PCAPNG_EPB_HEAD - caplen;
	unsigned char *p = tail + (nd_pad4(caplen) - caplen);

	if (n > tailcap)
		return 0;
	epb_fields(head, (uint32_t)total, ifid, ts_raw, caplen, len);
	memset(tail, 0, 4 < n ? 4 : n);
	if (optlen > 0) {
		memcpy(p, opts, optlen);
		p += optlen;
		nd_put32(p, 0); /* opt_endofopt */
		p += 4;
	}
	nd_put32(p, (uint32_t)total);
	return n;
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
