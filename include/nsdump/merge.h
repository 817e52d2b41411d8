/* Merging several captures into one stream in time-stamp order.
 *
 * Each kernel ring hands packets over in blocks, up to one block timeout late, so a packet
 * of one interface can arrive after a later-stamped packet of another. Packets wait here
 * until they are older than a watermark (now minus a delay longer than the block timeout
 * plus scheduling slack) and then leave in time-stamp order; equal stamps keep their
 * arrival order. */
#ifndef NSDUMP_MERGE_H
#define NSDUMP_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"

struct nd_merge_pkt {
	uint64_t ts_ns;
	uint64_t seq; /* arrival order, to keep equal stamps in order */
	unsigned int ifid;
	uint32_t caplen;
	uint32_t len;
	unsigned char data[]; /* caplen bytes */
};

struct nd_merge {
	struct nd_merge_pkt **heap;
	size_t n;
	size_t cap;
	size_t bytes; /* packet bytes held */
	uint64_t next_seq;
};

/* Copies a packet in. ND_EXIT_FAIL on ENOMEM. */
int nd_merge_push(struct nd_merge *m, unsigned int ifid, uint64_t ts_ns, uint32_t caplen,
		  uint32_t len, const unsigned char *data, struct nd_err *err);

/* The oldest packet held, or NULL. */
const struct nd_merge_pkt *nd_merge_peek(const struct nd_merge *m);

/* Removes and frees the oldest packet. */
void nd_merge_pop(struct nd_merge *m);

void nd_merge_free(struct nd_merge *m);

#endif
