/* pcap and pcapng parsing; see include/nsdump/pcapread.h. Block layouts follow
 * draft-ietf-opsawg-pcapng and draft-ietf-opsawg-pcap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/bytes.h"
#include "nsdump/pcapfile.h"
#include "nsdump/pcapng.h"
#include "nsdump/pcapread.h"

static uint32_t bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint16_t get16(const struct nd_pcapread *r, const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const struct nd_pcapread *r, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? bswap32(v) : v;
}

static int corrupt(const struct nd_pcapread *r, struct nd_err *err, const char *what)
{
	return nd_err_set(err, ND_EXIT_FAIL, 0, "corrupt at offset %llu: %s",
			  (unsigned long long)r->offset, what);
}

uint64_t nd_pcapread_ts_ns(const struct nd_pcapread_if *f, uint64_t raw)
{
	unsigned int n = f->tsresol & 0x7fu;
	unsigned __int128 v;
	__int128 s;

	if (f->tsresol & 0x80u) {
		/* 2^-n seconds; the product needs 94 bits at most, the shift is below 128. */
		v = ((unsigned __int128)raw * 1000000000u) >> n;
	} else if (n <= 9) {
		v = raw;
		for (unsigned int i = n; i < 9; i++)
			v *= 10;
	} else {
		v = raw;
		for (unsigned int i = 9; i < n && v != 0; i++)
			v /= 10;
	}
	s = (__int128)v + (__int128)f->tsoffset * 1000000000;
	if (s < 0)
		return 0;
	if (s > (__int128)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)s;
}

/* How an option's value is laid out, to convert it from the other byte order. */
enum layout {
	L_BYTES, /* strings and byte arrays: nothing to convert */
	L_U32,
	L_U64,
	L_2U32,    /* a time stamp as two 32-bit halves, or a process and thread id */
	L_PEN,     /* custom options: a 32-bit enterprise number, then bytes */
	L_UNKNOWN, /* cannot be converted: dropped from a block of the other order */
};

static enum layout opt_layout(uint32_t btype, uint16_t code)
{
	if (code == 1)
		return L_BYTES; /* opt_comment */
	if (code == 2988 || code == 2989 || code == 19372 || code == 19373)
		return L_PEN;
	switch (btype) {
	case ND_PCAPNG_IDB:
		if (code == 8 || code == 14 || code == 16 || code == 17)
			return L_U64; /* speed, tsoffset, txspeed, rxspeed */
		if (code == 10)
			return L_U32; /* tzone */
		return code <= 18 ? L_BYTES : L_UNKNOWN;
	case ND_PCAPNG_EPB:
	case ND_PCAPNG_PB:
		if (code == 2 || code == 6)
			return L_U32; /* flags, queue */
		if (code == 4 || code == 5)
			return L_U64; /* dropcount, packetid */
		if (code == 8)
			return L_2U32; /* process and thread id */
		return code == 3 || code == 7 ? L_BYTES : L_UNKNOWN;
	case ND_PCAPNG_ISB:
		if (code == 2 || code == 3)
			return L_2U32;
		return code >= 4 && code <= 8 ? L_U64 : L_UNKNOWN;
	case ND_PCAPNG_NRB:
		return code >= 2 && code <= 4 ? L_BYTES : L_UNKNOWN;
	default:
		return L_UNKNOWN;
	}
}

/* Converts the options in p[0..len) in place to host order, dropping what cannot be
 * converted and everything from the end-of-options marker on; *outlen: the bytes kept. An
 * option that runs past the block is corruption. For an ND_PCAPNG_IDB, reads if_tsresol and
 * if_tsoffset into f. */
static int conv_opts(struct nd_pcapread *r, uint32_t btype, unsigned char *p, size_t len,
		     size_t *outlen, struct nd_pcapread_if *f, struct nd_err *err)
{
	size_t rd = 0, wr = 0;

	while (rd < len) {
		uint16_t code, olen;
		size_t span;
		enum layout lay;

		if (len - rd < 4)
			return corrupt(r, err, "an option header runs past the end of its block");
		code = get16(r, p + rd);
		olen = get16(r, p + rd + 2);
		if (code == 0)
			break;
		span = 4 + nd_pad4(olen);
		if (span > len - rd)
			return corrupt(r, err, "an option runs past the end of its block");
		lay = opt_layout(btype, code);
		if (f != NULL && code == ND_PCAPNG_OPT_IF_TSRESOL && olen == 1)
			f->tsresol = p[rd + 4];
		if (r->swap) {
			unsigned char *v = p + rd + 4;

			if ((lay == L_U32 && olen != 4) ||
			    ((lay == L_U64 || lay == L_2U32) && olen != 8) ||
			    (lay == L_PEN && olen < 4))
				lay = L_UNKNOWN;
			if (lay == L_U32 || lay == L_PEN || lay == L_2U32) {
				nd_put32(v, get32(r, v));
				if (lay == L_2U32)
					nd_put32(v + 4, get32(r, v + 4));
			} else if (lay == L_U64) {
				uint64_t x;

				memcpy(&x, v, 8);
				x = __builtin_bswap64(x);
				memcpy(v, &x, 8);
			}
			if (lay == L_UNKNOWN) {
				rd += span;
				continue;
			}
		}
		if (f != NULL && code == ND_PCAPNG_OPT_IF_TSOFFSET && olen == 8) {
			int64_t off;

			memcpy(&off, p + rd + 4, 8); /* already host order */
			f->tsoffset = off;
		}
		nd_put16(p + rd, code);
		nd_put16(p + rd + 2, olen);
		if (wr != rd)
			memmove(p + wr, p + rd, span);
		wr += span;
		rd += span;
	}
	*outlen = wr;
	return 0;
}

static int add_if(struct nd_pcapread *r, uint16_t linktype, uint32_t snaplen, uint8_t tsresol,
		  struct nd_err *err)
{
	if (r->nifs == ND_PCAPREAD_MAX_IFS)
		return corrupt(r, err, "more interfaces in one section than nsdump accepts (1024)");
	if (r->nifs == r->ifcap) {
		size_t cap = r->ifcap ? r->ifcap * 2 : 8;
		struct nd_pcapread_if *n = realloc(r->ifs, cap * sizeof(*n));

		if (n == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot hold the interfaces");
		r->ifs = n;
		r->ifcap = cap;
	}
	r->ifs[r->nifs] = (struct nd_pcapread_if){
		.linktype = linktype,
		.snaplen = snaplen,
		.tsresol = tsresol,
	};
	r->nifs++;
	return 0;
}

/* The pcap file header (24 bytes). */
static long pcap_header(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
			size_t *need, struct nd_err *err)
{
	uint32_t magic;

	if (avail < 24) {
		*need = 24;
		return 0;
	}
	memcpy(&magic, p, 4);
	r->swap = magic == bswap32(ND_PCAP_MAGIC_USEC) || magic == bswap32(ND_PCAP_MAGIC_NSEC) ||
		  magic == bswap32(ND_PCAP_MAGIC_MODIFIED);
	if (r->swap)
		magic = bswap32(magic);
	r->pcap_nsec = magic == ND_PCAP_MAGIC_NSEC;
	r->pcap_modified = magic == ND_PCAP_MAGIC_MODIFIED;
	if (get16(r, p + 4) != 2)
		return corrupt(r, err, "pcap file of a version other than 2");
	if (add_if(r, (uint16_t)get32(r, p + 20), get32(r, p + 16), r->pcap_nsec ? 9 : 6, err) < 0)
		return -1;
	r->fmt = ND_PCAPREAD_PCAP;
	*rec = (struct nd_prec){ .kind = ND_PREC_IF, .ifid = 0, .offset = r->offset };
	return 24;
}

static long pcap_record(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
			size_t *need, struct nd_err *err)
{
	size_t hl = r->pcap_modified ? 24 : 16;
	uint32_t sec, frac, caplen;
	struct nd_pcapread_if *f = &r->ifs[0];

	if (avail < hl) {
		*need = hl;
		return 0;
	}
	sec = get32(r, p);
	frac = get32(r, p + 4);
	caplen = get32(r, p + 8);
	if (caplen > ND_PCAPREAD_BLOCK_MAX)
		return corrupt(r, err, "a packet longer than 1 MiB");
	if (avail < hl + caplen) {
		*need = hl + caplen;
		return 0;
	}
	*rec = (struct nd_prec){
		.kind = ND_PREC_PACKET,
		.ifid = 0,
		.ts_raw = (uint64_t)sec * (r->pcap_nsec ? 1000000000u : 1000000u) + frac,
		.caplen = caplen,
		.len = get32(r, p + 12),
		.data = p + hl,
		.offset = r->offset,
	};
	rec->ts_ns = nd_pcapread_ts_ns(f, rec->ts_raw);
	f->last_ts = rec->ts_raw;
	return (long)(hl + caplen);
}

/* A section header block: its byte order, its length, its version. */
static long section(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
		    size_t *need, struct nd_err *err)
{
	uint32_t bom, total;

	if (avail < 12) {
		*need = 12;
		return 0;
	}
	memcpy(&bom, p + 8, 4);
	if (bom != ND_PCAPNG_BOM && bom != bswap32(ND_PCAPNG_BOM))
		return corrupt(r, err, "section header without the byte-order magic");
	r->swap = bom != ND_PCAPNG_BOM;
	total = get32(r, p + 4);
	if (total < 28 || (total & 3) != 0 || total > ND_PCAPREAD_BLOCK_MAX)
		return corrupt(r, err, "section header of an impossible length");
	if (avail < total) {
		*need = total;
		return 0;
	}
	if (get32(r, p + total - 4) != total)
		return corrupt(r, err, "section header's two lengths differ");
	if (get16(r, p + 12) != 1)
		return corrupt(r, err, "pcapng section of a major version other than 1");
	r->fmt = ND_PCAPREAD_PCAPNG;
	r->nifs = 0;
	*rec = (struct nd_prec){ .kind = ND_PREC_SECTION, .offset = r->offset };
	return (long)total;
}

/* A packet (EPB, or the obsolete PB) whose fixed part is `fixed` bytes (after type and length). */
static int packet(struct nd_pcapread *r, uint32_t type, unsigned char *p, uint32_t total,
		  struct nd_prec *rec, struct nd_err *err)
{
	uint32_t ifid = type == ND_PCAPNG_PB ? get16(r, p + 8) : get32(r, p + 8);
	uint32_t caplen = get32(r, p + 20);
	struct nd_pcapread_if *f;
	size_t body;

	if (ifid >= r->nifs)
		return corrupt(r, err, "a packet of an interface that was not described");
	if (caplen > total - 32 || nd_pad4(caplen) > (size_t)total - 32)
		return corrupt(r, err, "a packet longer than its block");
	f = &r->ifs[ifid];
	body = 28 + nd_pad4(caplen);
	rec->kind = ND_PREC_PACKET;
	rec->ifid = ifid;
	rec->ts_raw = ((uint64_t)get32(r, p + 12) << 32) | get32(r, p + 16);
	rec->caplen = caplen;
	rec->len = get32(r, p + 24);
	rec->data = p + 28;
	rec->ts_ns = nd_pcapread_ts_ns(f, rec->ts_raw);
	f->last_ts = rec->ts_raw;
	rec->opts = p + body;
	return conv_opts(r, type, p + body, total - 4 - body, &rec->optlen, NULL, err);
}

/* A name resolution block's records, up to and including the end record, converted. */
static int nrb_records(struct nd_pcapread *r, unsigned char *p, size_t len, size_t *used,
		       struct nd_err *err)
{
	size_t pos = 0;

	while (pos < len) {
		uint16_t t, l;

		if (len - pos < 4)
			return corrupt(r, err, "a name resolution record runs past its block");
		t = get16(r, p + pos);
		l = get16(r, p + pos + 2);
		if (4 + nd_pad4(l) > len - pos)
			return corrupt(r, err, "a name resolution record runs past its block");
		nd_put16(p + pos, t);
		nd_put16(p + pos + 2, l);
		pos += 4 + nd_pad4(l);
		if (t == 0)
			break;
	}
	*used = pos;
	return 0;
}

static long pcapng_block(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
			 size_t *need, struct nd_err *err)
{
	uint32_t type, total;
	size_t body = 0;
	int rc = 0;

	if (avail < 8) {
		*need = 8;
		return 0;
	}
	memcpy(&type, p, 4); /* the SHB type reads the same in both orders */
	if (type == ND_PCAPNG_SHB)
		return section(r, p, avail, rec, need, err);
	type = get32(r, p);
	total = get32(r, p + 4);
	if (total < 12 || (total & 3) != 0 || total > ND_PCAPREAD_BLOCK_MAX)
		return corrupt(r, err, "a block of an impossible length");
	if (avail < total) {
		*need = total;
		return 0;
	}
	if (get32(r, p + total - 4) != total)
		return corrupt(r, err, "a block's two lengths differ");
	*rec = (struct nd_prec){ .btype = type, .offset = r->offset };
	switch (type) {
	case ND_PCAPNG_IDB:
		if (total < 20)
			return corrupt(r, err, "an interface description block too short");
		if (add_if(r, get16(r, p + 8), get32(r, p + 12), 6, err) < 0)
			return -1;
		rec->kind = ND_PREC_IF;
		rec->ifid = (uint32_t)(r->nifs - 1);
		rec->opts = p + 16;
		rc = conv_opts(r, type, p + 16, total - 20, &rec->optlen, &r->ifs[rec->ifid], err);
		break;
	case ND_PCAPNG_EPB:
	case ND_PCAPNG_PB:
		if (total < 32)
			return corrupt(r, err, "a packet block too short");
		rc = packet(r, type, p, total, rec, err);
		break;
	case ND_PCAPNG_SPB: {
		uint32_t orig;
		size_t room = total - 16;

		if (total < 16)
			return corrupt(r, err, "a simple packet block too short");
		if (r->nifs == 0)
			return corrupt(r, err, "a simple packet block before any interface");
		orig = get32(r, p + 8);
		/* The captured length is not stored: the original length, cut to the snapshot
		 * length and to the block. */
		rec->caplen = orig;
		if (r->ifs[0].snaplen != 0 && rec->caplen > r->ifs[0].snaplen)
			rec->caplen = r->ifs[0].snaplen;
		if (rec->caplen > room)
			rec->caplen = (uint32_t)room;
		rec->kind = ND_PREC_PACKET;
		rec->ifid = 0;
		rec->len = orig;
		rec->data = p + 12;
		rec->ts_raw = r->ifs[0].last_ts;
		rec->ts_ns = nd_pcapread_ts_ns(&r->ifs[0], rec->ts_raw);
		break;
	}
	case ND_PCAPNG_ISB:
		if (total < 24)
			return corrupt(r, err, "an interface statistics block too short");
		rec->kind = ND_PREC_STATS;
		rec->ifid = get32(r, p + 8);
		if (rec->ifid >= r->nifs)
			return corrupt(r, err, "statistics of an interface that was not described");
		rec->ts_raw = ((uint64_t)get32(r, p + 12) << 32) | get32(r, p + 16);
		rec->opts = p + 20;
		rc = conv_opts(r, type, p + 20, total - 24, &rec->optlen, NULL, err);
		break;
	case ND_PCAPNG_NRB:
		rec->kind = ND_PREC_PASS;
		rc = nrb_records(r, p + 8, total - 12, &body, err);
		if (rc == 0) {
			rec->data = p + 8;
			rec->datalen = body;
			rec->opts = p + 8 + body;
			rc = conv_opts(r, type, p + 8 + body, total - 12 - body, &rec->optlen, NULL,
				       err);
		}
		break;
	case ND_PCAPNG_DSB: {
		uint32_t dlen;

		if (total < 20)
			return corrupt(r, err, "a decryption secrets block too short");
		dlen = get32(r, p + 12);
		if (dlen > total - 20 || nd_pad4(dlen) > (size_t)total - 20)
			return corrupt(r, err, "decryption secrets longer than their block");
		nd_put32(p + 8, get32(r, p + 8));
		nd_put32(p + 12, dlen);
		body = 8 + nd_pad4(dlen);
		rec->kind = ND_PREC_PASS;
		rec->data = p + 8;
		rec->datalen = body;
		rec->opts = p + 8 + body;
		rc = conv_opts(r, type, p + 8 + body, total - 12 - body, &rec->optlen, NULL, err);
		break;
	}
	default:
		rec->kind = ND_PREC_SKIP;
		break;
	}
	return rc < 0 ? -1 : (long)total;
}

long nd_pcapread_next(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
		      size_t *need, struct nd_err *err)
{
	long n;

	*need = 0;
	if (r->fmt == ND_PCAPREAD_START) {
		uint32_t magic;

		if (avail < 4) {
			*need = 4;
			return 0;
		}
		memcpy(&magic, p, 4);
		if (magic == ND_PCAPNG_SHB)
			n = section(r, p, avail, rec, need, err);
		else if (magic == ND_PCAP_MAGIC_USEC || magic == ND_PCAP_MAGIC_NSEC ||
			 magic == ND_PCAP_MAGIC_MODIFIED || magic == bswap32(ND_PCAP_MAGIC_USEC) ||
			 magic == bswap32(ND_PCAP_MAGIC_NSEC) ||
			 magic == bswap32(ND_PCAP_MAGIC_MODIFIED))
			n = pcap_header(r, p, avail, rec, need, err);
		else
			return corrupt(r, err, "not a pcap or pcapng file");
	} else if (r->fmt == ND_PCAPREAD_PCAP) {
		n = pcap_record(r, p, avail, rec, need, err);
	} else {
		n = pcapng_block(r, p, avail, rec, need, err);
	}
	if (n > 0)
		r->offset += (uint64_t)n;
	else if (n == 0 && *need <= avail)
		*need = avail + 1;
	return n;
}

void nd_pcapread_free(struct nd_pcapread *r)
{
	free(r->ifs);
	r->ifs = NULL;
	r->nifs = r->ifcap = 0;
}
