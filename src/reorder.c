/* A binary min-heap of packets keyed by (time stamp, arrival); see include/nsdump/reorder.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/reorder.h"

static int before(const struct nd_reorder_pkt *a, const struct nd_reorder_pkt *b)
{
	return a->ts_ns < b->ts_ns || (a->ts_ns == b->ts_ns && a->seq < b->seq);
}

int nd_reorder_push(struct nd_reorder *m, unsigned int ifid, uint64_t ts_ns, uint32_t caplen,
		    uint32_t len, const unsigned char *data, struct nd_err *err)
{
	struct nd_reorder_pkt *p;
	size_t i;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct nd_reorder_pkt **h = realloc(m->heap, cap * sizeof(struct nd_reorder_pkt *));

		if (h == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM,
					  "cannot hold packets for merging");
		m->heap = h;
		m->cap = cap;
	}
	p = malloc(sizeof(*p) + caplen);
	if (p == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot hold packets for merging");
	p->ts_ns = ts_ns;
	p->seq = m->next_seq++;
	p->ifid = ifid;
	p->caplen = caplen;
	p->len = len;
	memcpy(p->data, data, caplen);
	/* Sift up. */
	i = m->n++;
	while (i > 0 && before(p, m->heap[(i - 1) / 2])) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = p;
	m->bytes += caplen;
	return 0;
}

const struct nd_reorder_pkt *nd_reorder_peek(const struct nd_reorder *m)
{
	return m->n ? m->heap[0] : NULL;
}

void nd_reorder_pop(struct nd_reorder *m)
{
	struct nd_reorder_pkt *last;
	size_t i = 0;

	if (m->n == 0)
		return;
	m->bytes -= m->heap[0]->caplen;
	free(m->heap[0]);
	last = m->heap[--m->n];
	/* Sift the last element down from the root. */
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= m->n)
			break;
		if (c + 1 < m->n && before(m->heap[c + 1], m->heap[c]))
			c++;
		if (!before(m->heap[c], last))
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->n)
		m->heap[i] = last;
}

void nd_reorder_free(struct nd_reorder *m)
{
	while (m->n)
		nd_reorder_pop(m);
	free(m->heap);
	m->heap = NULL;
	m->cap = 0;
}
