/* The reorder heap: time-stamp order, stable for equal stamps, bytes accounted, no leaks. */
#include <stdlib.h>

#include "nsdump/reorder.h"
#include "unit.h"

int main(void)
{
	struct nd_reorder m = { 0 };
	struct nd_err e = { 0 };
	unsigned char d[64] = { 0 };
	uint64_t last = 0;
	int ordered = 1, rc = 0;
	unsigned int n = 0;

	srand(7);
	for (unsigned int i = 0; i < 5000; i++) {
		d[0] = (unsigned char)i;
		rc |= nd_reorder_push(&m, i % 3, (uint64_t)(rand() % 1000), (uint32_t)(i % 64), 100,
				      d, &e);
	}
	CHECK("5000 packets pushed", rc == 0 && m.n == 5000);
	while (nd_reorder_peek(&m) != NULL) {
		const struct nd_reorder_pkt *p = nd_reorder_peek(&m);

		if (p->ts_ns < last)
			ordered = 0;
		last = p->ts_ns;
		nd_reorder_pop(&m);
		n++;
	}
	CHECK("popped in non-decreasing time-stamp order", ordered && n == 5000);
	CHECK("bytes back to zero", m.bytes == 0);

	/* Equal stamps keep arrival order; interleaved sources come out merged. */
	for (unsigned int i = 0; i < 10; i++) {
		d[0] = (unsigned char)i;
		nd_reorder_push(&m, i % 2, 500, 1, 1, d, &e);
	}
	{
		int stable = 1;

		for (unsigned int i = 0; i < 10; i++) {
			const struct nd_reorder_pkt *p = nd_reorder_peek(&m);

			if (p == NULL || p->data[0] != i || p->ifid != i % 2)
				stable = 0;
			nd_reorder_pop(&m);
		}
		CHECK("equal stamps leave in arrival order", stable);
	}
	nd_reorder_push(&m, 0, 30, 4, 4, d, &e);
	nd_reorder_push(&m, 1, 10, 8, 8, d, &e);
	nd_reorder_push(&m, 0, 20, 2, 2, d, &e);
	CHECK("bytes held are counted", m.bytes == 14);
	CHECK("the oldest is at the top",
	      nd_reorder_peek(&m)->ts_ns == 10 && nd_reorder_peek(&m)->ifid == 1);
	nd_reorder_free(&m);
	CHECK("free empties", m.n == 0 && nd_reorder_peek(&m) == NULL);
	nd_reorder_pop(&m);
	CHECK("pop of nothing is harmless", m.n == 0);
	{
		/* The bound: full once more than ND_REORDER_MAX_BYTES are held, not before. */
		static unsigned char big[256 * 1024];
		size_t k = 0;

		while (!nd_reorder_full(&m) && k < 2 * ND_REORDER_MAX_BYTES / sizeof(big)) {
			nd_reorder_push(&m, 0, k, sizeof(big), sizeof(big), big, &e);
			k++;
		}
		CHECK("full just past ND_REORDER_MAX_BYTES",
		      nd_reorder_full(&m) && m.bytes > ND_REORDER_MAX_BYTES &&
			      m.bytes - sizeof(big) <= ND_REORDER_MAX_BYTES);
		nd_reorder_pop(&m);
		CHECK("no longer full after the oldest leaves", !nd_reorder_full(&m));
		nd_reorder_free(&m);
	}
	return UNIT_DONE();
}
