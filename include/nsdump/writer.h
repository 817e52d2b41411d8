/* Capture files: pcapng (default) or pcap, one or more interfaces, over struct nd_out. */
#ifndef NSDUMP_WRITER_H
#define NSDUMP_WRITER_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "nsdump/err.h"
#include "nsdump/output.h"

enum nd_format {
	ND_FORMAT_PCAPNG = 0,
	ND_FORMAT_PCAP,
};

#define ND_WRITER_MAX_IFS 64

/* One captured interface: what the file says of it, and how to tell a packet's direction. */
struct nd_wif {
	int linktype;
	int snaplen;
	char name[288]; /* if_name, e.g. "web1/eth0": a name of up to 255, "/", an interface */
	char description[1024]; /* if_description */
	const char *filter;     /* if_filter, may be NULL */
	unsigned char mac[6];   /* the target interface's own address, for direction */
	bool has_mac;
	uint64_t written;   /* packets written for this interface, in the current file */
	uint64_t base_recv; /* kernel counts when the current file began */
	uint64_t base_drop;
	uint64_t base_ifdrop;
};

struct nd_writer {
	enum nd_format format;
	/* --follow's writer (follow.c): interfaces come with each start of the target
	 * (nd_writer_add), so a file may begin with none; pcap's header then waits for the
	 * first. */
	bool dynamic;
	bool pcap_started; /* dynamic pcap: the header is written */
	struct nd_out *out;
	struct nd_wif ifs[ND_WRITER_MAX_IFS];
	unsigned int nifs;
	uint64_t start_ns; /* when the current file began */
	char userappl[128];
};

/* Starts the file (or, after rotation, the next one, on w->out): a pcap header (one interface
 * only) or a pcapng section header and one interface description per interface. w->ifs and
 * w->nifs must be filled. The header is written at once, so a reader of a pipe can start. */
int nd_writer_start(struct nd_writer *w, const char *userappl, struct nd_err *err);

/* Dynamic writer: appends interface f (copied) and writes its description now (pcapng), or
 * for pcap the file header with the first interface; a later one must have the first one's
 * link type (ND_EXIT_USAGE otherwise, the file unchanged). When ND_WRITER_MAX_IFS are in
 * use, a new section begins in the same file (pcapng allows several) holding only the
 * interfaces live[] marks, renumbered in order: *renumbered is then set and live[] holds
 * each old interface's new number (UINT_MAX: left out). Returns f's number. */
int nd_writer_add(struct nd_writer *w, const struct nd_wif *f, unsigned int *live, bool *renumbered,
		  struct nd_err *err);

/* Dynamic writer: keeps only the interfaces live[] marks (live[i] == i; UINT_MAX: gone), in
 * order, and sets live[i] to each kept one's new number; the next nd_writer_start (a new
 * file, after rotation) describes those only. */
void nd_writer_compact(struct nd_writer *w, unsigned int *live);

/* nd_writer_packet, with the direction (enum nd_pcapng_dir) already known: a packet relayed
 * from another writer's file keeps the direction that writer gave it. */
int nd_writer_packet_dir(struct nd_writer *w, unsigned int ifid, const struct pcap_pkthdr *h,
			 const unsigned char *bytes, int dir, struct nd_err *err);

/* Appends one packet of interface ifid. On error err->errnum is EPIPE when a pipe's reader
 * has gone. */
int nd_writer_packet(struct nd_writer *w, unsigned int ifid, const struct pcap_pkthdr *h,
		     const unsigned char *bytes, struct nd_err *err);

/* pcapng: appends an Interface Statistics Block for ifid with the kernel's counts (given
 * cumulative; the block holds what happened since the current file began). No-op for pcap. */
int nd_writer_stats(struct nd_writer *w, unsigned int ifid, uint64_t recv, uint64_t drop,
		    uint64_t ifdrop, struct nd_err *err);

/* The record-length function nd_out needs for the format. */
nd_reclen_fn nd_writer_reclen(enum nd_format format);

/* The direction of a packet from the target's point of view, or 0 when unknown: from the
 * cooked header's packet type (-i any), else by comparing the Ethernet source address with
 * the target interface's own. */
int nd_writer_direction(const struct nd_wif *wif, const unsigned char *bytes, uint32_t caplen);

#endif
