/* Reordering the packets of several captures into one stream in time-stamp order (the loop's,
 * when it captures more than one interface; --merge of files is merge.c).
 *
 * Each kernel ring hands packets over in blocks, up to one block timeout late, so a packet
 * of one interface can arrive after a later-stamped packet of another. Packets wait here
 * until they are older than a watermark (now minus a delay longer than the block timeout
 * plus scheduling slack) and then leave in time-stamp order; equal stamps keep their
 * arrival order. */
#ifndef NSDUMP_REORDER_H
#define NSDUMP_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"

struct nd_reorder_pkt {
	uint64_t ts_ns;
	uint64_t seq; /* arrival order, to keep equal stamps in order */
	unsigned int ifid;
	uint32_t caplen;
	uint32_t len;
	unsigned char data[]; /* caplen bytes */
};

struct nd_reorder {
	struct nd_reorder_pkt **heap;
	size_t n;
	size_t cap;
	size_t bytes; /* packet bytes held */
	uint64_t next_seq;
};

/* Packet bytes held past which the oldest packet leaves before its time: a few seconds of a
 * busy link, so that memory stays bounded if the clock or a ring stalls. */
#define ND_REORDER_MAX_BYTES ((size_t)64 * 1024 * 1024)

/* True when more than ND_REORDER_MAX_BYTES are held. */
static inline bool nd_reorder_full(const struct nd_reorder *r)
{
	return r->bytes > ND_REORDER_MAX_BYTES;
}

/* Copies a packet in. ND_EXIT_FAIL on ENOMEM. */
int nd_reorder_push(struct nd_reorder *m, unsigned int ifid, uint64_t ts_ns, uint32_t caplen,
		    uint32_t len, const unsigned char *data, struct nd_err *err);

/* The oldest packet held, or NULL. */
const struct nd_reorder_pkt *nd_reorder_peek(const struct nd_reorder *m);

/* Removes and frees the oldest packet. */
void nd_reorder_pop(struct nd_reorder *m);

void nd_reorder_free(struct nd_reorder *m);

#endif
