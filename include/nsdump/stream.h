/* --follow's relay (follow.c): the process capturing one start of the target writes pcapng
 * to a pipe, and the process that owns the output reads it here, record by record, for the
 * loop (loop.c) to write. The input is parsed as any capture file is (pcapread.c): it comes
 * from a process that has read packets, so it is treated as hostile too. */
#ifndef NSDUMP_STREAM_H
#define NSDUMP_STREAM_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"
#include "nsdump/pcapread.h"
#include "nsdump/writer.h"

enum nd_stream_kind {
	ND_STREAM_IF = 1, /* an interface: rec->wif */
	ND_STREAM_PACKET, /* a packet of interface rec->ifid */
	ND_STREAM_STATS,  /* the kernel's counts for interface rec->ifid (its start has ended) */
};

struct nd_stream_rec {
	enum nd_stream_kind kind;
	uint32_t ifid;        /* the stream's own interface number */
	struct nd_wif wif;    /* IF: linktype, snaplen, name, description */
	struct pcap_pkthdr h; /* PACKET: tv_usec holds nanoseconds, as the writer takes it */
	const unsigned char *data;
	int dir;                     /* PACKET: enum nd_pcapng_dir, from epb_flags */
	uint64_t recv, drop, ifdrop; /* STATS, as nd_writer_stats takes them */
};

struct nd_stream {
	int fd;
	struct nd_pcapread rd;
	unsigned char *buf;
	size_t cap, start, end;              /* unparsed bytes are buf[start..end) */
	bool eof;                            /* the writer closed the pipe */
	unsigned int map[ND_WRITER_MAX_IFS]; /* the stream's interface i is the writer's map[i] */
	unsigned int nmap;
};

/* Takes fd (non-blocking, O_CLOEXEC) as a new stream. */
int nd_stream_open(struct nd_stream *s, int fd, struct nd_err *err);

/* Reads what the pipe holds, up to the buffer's room. Returns 1 when bytes came, 0 when
 * there were none (EAGAIN) or the pipe ended (s->eof), -1 on a read error. */
int nd_stream_fill(struct nd_stream *s, struct nd_err *err);

/* The next whole record: 1 with *rec filled (pointers into the buffer, valid until the next
 * fill), 0 when none is whole yet, -1 for corrupt input. Blocks other than interfaces,
 * packets and statistics are passed over. */
int nd_stream_next(struct nd_stream *s, struct nd_stream_rec *rec, struct nd_err *err);

void nd_stream_close(struct nd_stream *s);

#endif
