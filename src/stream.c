/* --follow's relayed streams; see include/nsdump/stream.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsdump/pcapng.h"
#include "nsdump/stream.h"

/* Option codes read here (the pcapng spec's numbers). */
#define OPT_IF_DESCRIPTION 3
#define OPT_EPB_FLAGS      2
#define OPT_ISB_IFRECV     4
#define OPT_ISB_IFDROP     5
#define OPT_ISB_OSDROP     7

/* Room for the longest record pcapread accepts, and a pipe's worth more. */
#define STREAM_BUF (ND_PCAPREAD_BLOCK_MAX + 65536)

int nd_stream_open(struct nd_stream *s, int fd, struct nd_err *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = STREAM_BUF;
	s->buf = malloc(s->cap);
	if (s->buf == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot allocate a stream buffer");
	return 0;
}

int nd_stream_fill(struct nd_stream *s, struct nd_err *err)
{
	ssize_t n;

	if (s->start > 0 && (s->start == s->end || s->end == s->cap)) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (s->end == s->cap)
		return 0; /* a whole record is held: nd_stream_next takes it */
	do {
		n = read(s->fd, s->buf + s->end, s->cap - s->end);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot read a start's stream");
	if (n == 0) {
		s->eof = true;
		return 0;
	}
	s->end += (size_t)n;
	return 1;
}

/* The value of option code in opts[0..len) (host order, as pcapread leaves them), or NULL. */
static const unsigned char *find_opt(const unsigned char *opts, size_t len, uint16_t code,
				     uint16_t *olen)
{
	size_t off = 0;

	while (off + 4 <= len) {
		uint16_t c, l;

		memcpy(&c, opts + off, 2);
		memcpy(&l, opts + off + 2, 2);
		if (off + 4 + l > len)
			return NULL;
		if (c == code) {
			*olen = l;
			return opts + off + 4;
		}
		off += 4 + (((size_t)l + 3) & ~(size_t)3);
	}
	return NULL;
}

static uint64_t opt_u64(const struct nd_prec *p, uint16_t code)
{
	uint16_t l = 0;
	const unsigned char *v = find_opt(p->opts, p->optlen, code, &l);
	uint64_t x = 0;

	if (v != NULL && l == 8)
		memcpy(&x, v, 8);
	return x;
}

static void opt_text(const struct nd_prec *p, uint16_t code, char *out, size_t size)
{
	uint16_t l = 0;
	const unsigned char *v = find_opt(p->opts, p->optlen, code, &l);
	size_t n = v == NULL ? 0 : l < size - 1 ? l : size - 1;

	if (n > 0)
		memcpy(out, v, n);
	out[n] = '\0';
}

static void take_if(struct nd_stream *s, const struct nd_prec *p, struct nd_stream_rec *rec)
{
	const struct nd_pcapread_if *f = &s->rd.ifs[p->ifid];

	memset(&rec->wif, 0, sizeof(rec->wif));
	rec->wif.linktype = f->linktype;
	rec->wif.snaplen = (int)f->snaplen;
	opt_text(p, ND_PCAPNG_OPT_IF_NAME, rec->wif.name, sizeof(rec->wif.name));
	opt_text(p, OPT_IF_DESCRIPTION, rec->wif.description, sizeof(rec->wif.description));
}

static void take_packet(const struct nd_prec *p, struct nd_stream_rec *rec)
{
	uint16_t l = 0;
	const unsigned char *v = find_opt(p->opts, p->optlen, OPT_EPB_FLAGS, &l);
	uint32_t flags = 0;

	if (v != NULL && l == 4)
		memcpy(&flags, v, 4);
	rec->dir = (int)(flags & 3u);
	rec->h.ts.tv_sec = (time_t)(p->ts_ns / 1000000000u);
	rec->h.ts.tv_usec = (suseconds_t)(p->ts_ns % 1000000000u);
	rec->h.caplen = p->caplen;
	rec->h.len = p->len;
	rec->data = p->data;
}

/* The writer's statistics block says: isb_ifrecv, isb_ifdrop (every loss) and isb_osdrop
 * (the ring's share); nd_writer_stats takes the ring's and the interface's apart. */
static void take_stats(const struct nd_prec *p, struct nd_stream_rec *rec)
{
	uint64_t all = opt_u64(p, OPT_ISB_IFDROP);

	rec->recv = opt_u64(p, OPT_ISB_IFRECV);
	rec->drop = opt_u64(p, OPT_ISB_OSDROP);
	rec->ifdrop = all > rec->drop ? all - rec->drop : 0;
}

int nd_stream_next(struct nd_stream *s, struct nd_stream_rec *rec, struct nd_err *err)
{
	for (;;) {
		struct nd_prec p;
		size_t need = 0;
		long n = nd_pcapread_next(&s->rd, s->buf + s->start, s->end - s->start, &p, &need,
					  err);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		s->start += (size_t)n;
		rec->ifid = p.ifid;
		switch (p.kind) {
		case ND_PREC_IF:
			rec->kind = ND_STREAM_IF;
			take_if(s, &p, rec);
			return 1;
		case ND_PREC_PACKET:
			rec->kind = ND_STREAM_PACKET;
			take_packet(&p, rec);
			return 1;
		case ND_PREC_STATS:
			rec->kind = ND_STREAM_STATS;
			take_stats(&p, rec);
			return 1;
		case ND_PREC_SECTION:
		case ND_PREC_PASS:
		case ND_PREC_SKIP:
			break;
		}
	}
}

void nd_stream_close(struct nd_stream *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	nd_pcapread_free(&s->rd);
	free(s->buf);
	s->buf = NULL;
}
