/* libFuzzer target: the capture-file parser behind --merge. Files given to --merge come from
 * elsewhere; whatever their bytes, every record must lie inside the bytes consumed for it,
 * every option inside its block, and the parser must ask for a bounded amount of data. The
 * input is fed in pieces (the first byte picks their size), as a pipe would give it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/pcapread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const unsigned char *p, size_t n, const unsigned char *lo, size_t got)
{
	if (n > 0 && (p < lo || p + n > lo + got))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_pcapread r = { 0 };
	unsigned char *buf;
	size_t step, pos = 0, avail = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	for (;;) {
		struct nd_prec rec;
		struct nd_err err;
		size_t need;
		long got = nd_pcapread_next(&r, buf + pos, avail, &rec, &need, &err);

		if (got < 0)
			break;
		if (got == 0) {
			if (need <= avail || need > ND_PCAPREAD_BLOCK_MAX + 64)
				abort();
			if (pos + avail == size)
				break;
			avail = pos + avail + step > size ? size - pos : avail + step;
			continue;
		}
		if ((size_t)got > avail)
			abort();
		if (rec.kind == ND_PREC_PACKET) {
			inside(rec.data, rec.caplen, buf + pos, (size_t)got);
			if (rec.ifid >= r.nifs)
				abort();
		}
		if (rec.kind == ND_PREC_IF || rec.kind == ND_PREC_STATS)
			if (rec.ifid >= r.nifs)
				abort();
		if (rec.kind == ND_PREC_PASS)
			inside(rec.data, rec.datalen, buf + pos, (size_t)got);
		inside(rec.opts, rec.optlen, buf + pos, (size_t)got);
		if (rec.optlen % 4 != 0)
			abort();
		pos += (size_t)got;
		avail -= (size_t)got;
	}
	nd_pcapread_free(&r);
	free(buf);
	return 0;
}
