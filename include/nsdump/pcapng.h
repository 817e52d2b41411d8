/* pcapng block encoding (draft-ietf-opsawg-pcapng), in host byte order; readers tell the
 * order from the Section Header Block's byte-order magic. Pure functions over caller
 * buffers: each returns the block's length, or 0 if it does not fit in cap. */
#ifndef NSDUMP_PCAPNG_H
#define NSDUMP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Block types, as the writer and the reader (pcapread.c) know them. */
#define ND_PCAPNG_SHB 0x0A0D0D0Au
#define ND_PCAPNG_IDB 0x00000001u
#define ND_PCAPNG_PB  0x00000002u /* the obsolete Packet Block (read only) */
#define ND_PCAPNG_SPB 0x00000003u /* Simple Packet Block (read only) */
#define ND_PCAPNG_NRB 0x00000004u /* Name Resolution Block */
#define ND_PCAPNG_ISB 0x00000005u
#define ND_PCAPNG_EPB 0x00000006u
#define ND_PCAPNG_DSB 0x0000000Au /* Decryption Secrets Block */
/* The SHB's byte-order magic. */
#define ND_PCAPNG_BOM 0x1A2B3C4Du

/* Option codes used outside pcapng.c. */
#define ND_PCAPNG_OPT_IF_NAME     2
#define ND_PCAPNG_OPT_IF_TSRESOL  9
#define ND_PCAPNG_OPT_IF_TSOFFSET 14

/* An Enhanced Packet Block's fixed header, before the packet bytes. */
#define ND_PCAPNG_EPB_HEAD 28

/* Longest text kept in one option; longer values are cut (on a UTF-8 boundary). */
#define ND_PCAPNG_OPT_MAX 4096

/* epb_flags direction bits. */
enum nd_pcapng_dir {
	ND_PCAPNG_DIR_UNKNOWN = 0,
	ND_PCAPNG_DIR_IN = 1,
	ND_PCAPNG_DIR_OUT = 2,
};

struct nd_pcapng_shb {
	const char *hardware; /* shb_hardware, NULL to leave out */
	const char *os;       /* shb_os */
	const char *userappl; /* shb_userappl */
};

struct nd_pcapng_idb {
	uint16_t linktype;
	uint32_t snaplen;
	const void *opts;        /* options already encoded (another file's), first; or NULL */
	size_t optlen;           /* their length, a multiple of 4, without an end marker */
	const char *name;        /* if_name, NULL or "" to leave out */
	const char *description; /* if_description, likewise */
	uint8_t tsresol;         /* if_tsresol (9: nanoseconds), or 0 to leave it out */
	const char *filter;      /* if_filter (libpcap expression), NULL or "" for none */
};

struct nd_pcapng_isb {
	uint32_t ifid;
	uint64_t ts_ns;    /* when the statistics were taken */
	uint64_t start_ns; /* isb_starttime */
	uint64_t ifrecv;   /* isb_ifrecv: packets the filter received */
	uint64_t ifdrop;   /* isb_ifdrop: dropped by the interface/driver */
	uint64_t osdrop;   /* isb_osdrop: dropped by the kernel (ring full) */
	uint64_t usrdeliv; /* isb_usrdeliv: written to the file */
};

size_t nd_pcapng_shb(unsigned char *out, size_t cap, const struct nd_pcapng_shb *shb);
size_t nd_pcapng_idb(unsigned char *out, size_t cap, const struct nd_pcapng_idb *idb);
size_t nd_pcapng_isb(unsigned char *out, size_t cap, const struct nd_pcapng_isb *isb);

/* Length of the Enhanced Packet Block nd_pcapng_epb() writes for caplen bytes: the header,
 * the bytes padded to 4, epb_flags (8) when dir is known, the total length (4). There is no
 * opt_endofopt: the spec lets a writer leave it out (the block's length ends the options,
 * and readers must check that anyway), and with 64-byte frames its 4 bytes are 4% of the
 * file and of the write(2) cost. */
static inline size_t nd_pcapng_epb_len(uint32_t caplen, enum nd_pcapng_dir dir)
{
	return ND_PCAPNG_EPB_HEAD + (((size_t)caplen + 3) & ~(size_t)3) +
	       (dir != ND_PCAPNG_DIR_UNKNOWN ? 8 : 0) + 4;
}

/* Writes the whole block, packet bytes included, to dst, which holds nd_pcapng_epb_len()
 * bytes. This runs for every packet, straight into the output buffer (no staging copy). */
void nd_pcapng_epb(unsigned char *dst, uint32_t ifid, uint64_t ts_ns, const void *data,
		   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir);

/* An EPB copied from another file (--merge): its time stamp in the interface's own units,
 * its options as they were (already encoded, a multiple of 4 bytes, no end marker).
 * nd_pcapng_epb_copy_len() bytes at dst. */
static inline size_t nd_pcapng_epb_copy_len(uint32_t caplen, size_t optlen)
{
	return ND_PCAPNG_EPB_HEAD + (((size_t)caplen + 3) & ~(size_t)3) +
	       (optlen > 0 ? optlen + 4 : 0) + 4;
}
void nd_pcapng_epb_copy(unsigned char *dst, uint32_t ifid, uint64_t ts_raw, const void *data,
			uint32_t caplen, uint32_t len, const void *opts, size_t optlen);

/* Any block: type, the body (blen bytes, a multiple of 4), options already encoded (opts,
 * then extra; multiples of 4, no end marker), the end marker when there are options, and
 * the lengths. Returns its length, or 0 if it does not fit in cap. */
size_t nd_pcapng_block(unsigned char *out, size_t cap, uint32_t type, const void *body, size_t blen,
		       const void *opts, size_t olen, const void *extra, size_t elen);

/* One option (code, length, value, zero padding) at out; its length, or 0 if it does not fit
 * in cap or len is over 65535. */
size_t nd_pcapng_opt(unsigned char *out, size_t cap, uint16_t code, const void *v, size_t len);

/* The longest part of an Enhanced Packet Block after the packet bytes: padding (up to 3),
 * epb_flags (8), the total length (4). */
#define ND_PCAPNG_EPB_TAIL_MAX 16

/* The block nd_pcapng_epb() writes, but without the packet bytes, for a packet that is
 * written from where it is (one larger than the output buffer): its header to head
 * (ND_PCAPNG_EPB_HEAD bytes) and what follows the bytes to tail (ND_PCAPNG_EPB_TAIL_MAX
 * bytes of room). Returns the length of the tail. */
size_t nd_pcapng_epb_parts(unsigned char *head, unsigned char *tail, uint32_t ifid, uint64_t ts_ns,
			   uint32_t caplen, uint32_t len, enum nd_pcapng_dir dir);

/* The block nd_pcapng_epb_copy() writes, without the packet bytes (a packet larger than the
 * output buffer): its header to head (ND_PCAPNG_EPB_HEAD bytes), what follows the bytes to
 * tail. Returns the tail's length, or 0 if it does not fit in tailcap. */
size_t nd_pcapng_epb_copy_parts(unsigned char *head, unsigned char *tail, size_t tailcap,
				uint32_t ifid, uint64_t ts_raw, uint32_t caplen, uint32_t len,
				const void *opts, size_t optlen);

/* Length of the block at p (its total-length field), or 0 when avail cannot hold its
 * header or the field is not a valid block length; *packet: whether it is an EPB. */
size_t nd_pcapng_block_len(const unsigned char *p, size_t avail, bool *packet);

#endif
