/* The classic pcap file format (nanosecond variant), written in host byte order as
 * libpcap does; readers tell the order from the magic number. */
#ifndef NSDUMP_PCAPFILE_H
#define NSDUMP_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The magic numbers, as written in host order: microsecond stamps, nanosecond stamps (what
 * nsdump writes), and Kuznetzov's "modified" format with longer record headers (read only). */
#define ND_PCAP_MAGIC_USEC     0xa1b2c3d4u
#define ND_PCAP_MAGIC_NSEC     0xa1b23c4du
#define ND_PCAP_MAGIC_MODIFIED 0xa1b2cd34u

#define ND_PCAP_FILE_HDR_LEN 24
#define ND_PCAP_REC_HDR_LEN  16

/* Writes the 24-byte file header. */
void nd_pcap_file_header(unsigned char out[ND_PCAP_FILE_HDR_LEN], uint32_t linktype,
			 uint32_t snaplen);

/* Writes the 16-byte record header for a packet. */
void nd_pcap_record_header(unsigned char out[ND_PCAP_REC_HDR_LEN], uint32_t ts_sec,
			   uint32_t ts_nsec, uint32_t caplen, uint32_t len);

/* The one link type of a pcap file, and the largest snapshot length of its interfaces: pcap
 * has one header for the whole file, so several interfaces share it only when their link
 * types agree. Start from { 0 }. */
struct nd_pcap_link {
	uint32_t linktype;
	uint32_t snaplen;
	size_t n; /* interfaces added */
};

/* Adds an interface; false (l unchanged) when its link type is not the file's. */
bool nd_pcap_link_add(struct nd_pcap_link *l, uint32_t linktype, uint32_t snaplen);

/* Length of the record starting at p (header plus data), or 0 if avail bytes do not hold
 * a record header. Used to cut a file back to whole records after a failed write. */
size_t nd_pcap_record_len(const unsigned char *p, size_t avail, bool *packet);

#endif
