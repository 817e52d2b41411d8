/* pcap file and record headers; see include/nsdump/pcapfile.h. */
#include <string.h>

#include "nsdump/bytes.h"
#include "nsdump/pcapfile.h"

void nd_pcap_file_header(unsigned char out[ND_PCAP_FILE_HDR_LEN], uint32_t linktype,
			 uint32_t snaplen)
{
	nd_put32(out, ND_PCAP_MAGIC_NSEC);
	nd_put16(out + 4, 2); /* version 2.4 */
	nd_put16(out + 6, 4);
	nd_put32(out + 8, 0);  /* thiszone: always 0 */
	nd_put32(out + 12, 0); /* sigfigs: always 0 */
	nd_put32(out + 16, snaplen);
	nd_put32(out + 20, linktype);
}

void nd_pcap_record_header(unsigned char out[ND_PCAP_REC_HDR_LEN], uint32_t ts_sec,
			   uint32_t ts_nsec, uint32_t caplen, uint32_t len)
{
	nd_put32(out, ts_sec);
	nd_put32(out + 4, ts_nsec);
	nd_put32(out + 8, caplen);
	nd_put32(out + 12, len);
}

size_t nd_pcap_record_len(const unsigned char *p, size_t avail, bool *packet)
{
	uint32_t caplen;

	*packet = true;
	if (avail < ND_PCAP_REC_HDR_LEN)
		return 0;
	memcpy(&caplen, p + 8, sizeof(caplen));
	return ND_PCAP_REC_HDR_LEN + (size_t)caplen;
}

bool nd_pcap_link_add(struct nd_pcap_link *l, uint32_t linktype, uint32_t snaplen)
{
	if (l->n > 0 && linktype != l->linktype)
		return false;
	l->linktype = linktype;
	if (snaplen > l->snaplen)
		l->snaplen = snaplen;
	l->n++;
	return true;
}
