/* Reading capture files: pcapng (any number of sections and interfaces, either byte order)
 * and pcap (either byte order, microseconds or nanoseconds, and the "modified" variant).
 *
 * A pure, incremental parser over the caller's bytes: it never reads a file itself, so a
 * stream can be fed as it arrives and the fuzz target can feed it from memory. The input is
 * hostile: every length is checked against the block and ND_PCAPREAD_BLOCK_MAX before use.
 * Blocks of the other byte order are converted in place to host order (their options too;
 * options whose layout is unknown cannot be converted and are dropped). */
#ifndef NSDUMP_PCAPREAD_H
#define NSDUMP_PCAPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"

/* Longest block (or pcap record) accepted: four times libpcap's largest snapshot length, so
 * a reader's memory stays bounded whatever a file claims. */
#define ND_PCAPREAD_BLOCK_MAX ((size_t)1024 * 1024)
/* Interfaces in one section. */
#define ND_PCAPREAD_MAX_IFS 1024

enum nd_pcapread_fmt {
	ND_PCAPREAD_START = 0, /* nothing parsed yet */
	ND_PCAPREAD_PCAP,
	ND_PCAPREAD_PCAPNG,
};

/* One interface of the current section (pcap: the file's only one). */
struct nd_pcapread_if {
	uint32_t out_id; /* the caller's number for it (the parser never reads it) */
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t tsresol;  /* if_tsresol: bit 7 clear 10^-n, set 2^-n seconds */
	int64_t tsoffset; /* if_tsoffset, seconds */
	uint64_t last_ts; /* the last packet's raw time stamp (for simple packet blocks) */
};

enum nd_prec_kind {
	ND_PREC_SECTION = 1, /* a new section begins: the previous one's interfaces are gone */
	ND_PREC_IF,          /* a new interface: r->ifs[ifid] */
	ND_PREC_PACKET,      /* a packet of r->ifs[ifid] */
	ND_PREC_STATS,       /* an interface statistics block of r->ifs[ifid] */
	ND_PREC_PASS,        /* a block to copy as it is (name resolution, decryption secrets) */
	ND_PREC_SKIP,        /* a block of another kind, left out */
};

/* What one call found. Pointers point into the caller's buffer, which now holds host order. */
struct nd_prec {
	enum nd_prec_kind kind;
	uint32_t btype;            /* pcapng block type (PASS, SKIP) */
	uint32_t ifid;             /* index into the reader's ifs */
	uint64_t ts_raw;           /* in the interface's units (PACKET, STATS) */
	uint64_t ts_ns;            /* nanoseconds since the epoch, for ordering (PACKET) */
	uint32_t caplen, len;      /* PACKET */
	const unsigned char *data; /* PACKET: caplen bytes; PASS: the block body before options */
	size_t datalen;            /* PASS: bytes of the body before options (a multiple of 4) */
	const unsigned char *opts; /* options without the end-of-options marker, host order */
	size_t optlen;             /* a multiple of 4 */
	uint64_t offset;           /* where the record began in the input */
};

struct nd_pcapread {
	enum nd_pcapread_fmt fmt;
	bool swap;          /* the current section (or pcap file) is of the other order */
	bool pcap_nsec;     /* pcap: nanosecond time stamps */
	bool pcap_modified; /* pcap: 24-byte record headers (Kuznetzov's format) */
	struct nd_pcapread_if *ifs;
	size_t nifs, ifcap;
	uint64_t offset; /* bytes consumed so far */
};

/* Parses the next record from p (avail bytes, the input's next bytes; modified in place when
 * a block is converted). Returns the bytes consumed (> 0) with *rec filled, 0 when avail does
 * not hold a whole record yet, or -1 with err ("at offset N: what") for corrupt input or
 * ENOMEM. *need is set to the bytes the record needs when 0 is returned (at least avail+1). */
long nd_pcapread_next(struct nd_pcapread *r, unsigned char *p, size_t avail, struct nd_prec *rec,
		      size_t *need, struct nd_err *err);

/* Nanoseconds since the epoch for a raw time stamp of interface f (saturating). */
uint64_t nd_pcapread_ts_ns(const struct nd_pcapread_if *f, uint64_t raw);

void nd_pcapread_free(struct nd_pcapread *r);

#endif
