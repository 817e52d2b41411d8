/* Capture file writing in either format; see include/nsdump/writer.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "nsdump/pcapfile.h"
#include "nsdump/pcapng.h"
#include "nsdump/text.h"
#include "nsdump/writer.h"

#define SLL_PKTTYPE_OUTGOING 4 /* PACKET_OUTGOING in the cooked header */

nd_reclen_fn nd_writer_reclen(enum nd_format format)
{
	return format == ND_FORMAT_PCAP ? nd_pcap_record_len : nd_pcapng_block_len;
}

int nd_writer_direction(const struct nd_wif *wif, const unsigned char *bytes, uint32_t caplen)
{
	int out;

	if (wif->linktype == DLT_LINUX_SLL && caplen >= 2) {
		/* -i any: the kernel says it, from this interface's view; never inverted. */
		return ((bytes[0] << 8) | bytes[1]) == SLL_PKTTYPE_OUTGOING ? ND_PCAPNG_DIR_OUT
									    : ND_PCAPNG_DIR_IN;
	}
	if (wif->linktype != DLT_EN10MB || !wif->has_mac || caplen < 12)
		return ND_PCAPNG_DIR_UNKNOWN;
	/* The target's interface sent it if the frame comes from that interface's address.
	 * wif->mac is always the target's (in veth mode the peer's, not the host end's), so
	 * the answer is the target's point of view in both modes. */
	out = memcmp(bytes + 6, wif->mac, 6) == 0;
	return out ? ND_PCAPNG_DIR_OUT : ND_PCAPNG_DIR_IN;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Names and descriptions come from the target (its container's name, its interfaces'): only
 * printable text goes into the file. */
static void clean_names(struct nd_wif *f)
{
	char clean[sizeof(f->description)];

	nd_text_clean(clean, sizeof(f->name), f->name);
	memcpy(f->name, clean, sizeof(f->name));
	nd_text_clean(clean, sizeof(clean), f->description);
	memcpy(f->description, clean, sizeof(clean));
}

static int start_pcap(struct nd_writer *w, struct nd_err *err)
{
	unsigned char hdr[ND_PCAP_FILE_HDR_LEN];
	struct nd_pcap_link link = { 0 };

	for (unsigned int i = 0; i < w->nifs; i++)
		if (!nd_pcap_link_add(&link, (uint32_t)w->ifs[i].linktype,
				      (uint32_t)w->ifs[i].snaplen))
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"pcap holds one link type, and %s is %s where %s is %s: use "
				"--format pcapng",
				w->ifs[i].name, pcap_datalink_val_to_name(w->ifs[i].linktype),
				w->ifs[0].name, pcap_datalink_val_to_name(w->ifs[0].linktype));
	nd_pcap_file_header(hdr, link.linktype, link.snaplen);
	return nd_out_header(w->out, hdr, sizeof(hdr), err);
}

/* The interface description block of ifs[i]: a header (the file's start; out of a
 * pipe's reader's sight until written whole) or a record (a start that comes later). */
static int write_idb(struct nd_writer *w, unsigned int i, bool header, struct nd_err *err)
{
	/* Every option is cut at ND_PCAPNG_OPT_MAX: 64 KiB holds any IDB. */
	static unsigned char block[65536];
	const struct nd_wif *f = &w->ifs[i];
	struct nd_pcapng_idb idb = {
		.linktype = (uint16_t)f->linktype,
		.snaplen = (uint32_t)f->snaplen,
		.name = f->name,
		.description = f->description,
		.tsresol = 9, /* 10^-9: nanoseconds */
		.filter = f->filter,
	};
	size_t n = nd_pcapng_idb(block, sizeof(block), &idb);

	if (n == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "interface description too large");
	return header ? nd_out_header(w->out, block, n, err) : nd_out_block(w->out, block, n, err);
}

static int start_pcapng(struct nd_writer *w, const char *userappl, struct nd_err *err)
{
	/* Every option is cut at ND_PCAPNG_OPT_MAX: 64 KiB holds any SHB or IDB. */
	static unsigned char block[65536];
	struct utsname u;
	char os[300], hw[300];
	struct nd_pcapng_shb shb = { .userappl = userappl };
	size_t n;

	if (uname(&u) == 0) {
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
		snprintf(hw, sizeof(hw), "%s", u.machine);
		shb.os = os;
		shb.hardware = hw;
	}
	n = nd_pcapng_shb(block, sizeof(block), &shb);
	if (n == 0 || nd_out_header(w->out, block, n, err) < 0)
		return n == 0 ? nd_err_set(err, ND_EXIT_FAIL, 0, "section header too large") : -1;
	for (unsigned int i = 0; i < w->nifs; i++)
		if (write_idb(w, i, true, err) < 0)
			return -1;
	return 0;
}

int nd_writer_start(struct nd_writer *w, const char *userappl, struct nd_err *err)
{
	w->start_ns = now_ns();
	if (userappl != w->userappl)
		snprintf(w->userappl, sizeof(w->userappl), "%s", userappl);
	for (unsigned int i = 0; i < w->nifs && i < ND_WRITER_MAX_IFS; i++)
		w->ifs[i].written = 0;
	if (w->dynamic && w->nifs == 0) {
		w->pcap_started = false;
		return w->format == ND_FORMAT_PCAP ? 0 : start_pcapng(w, w->userappl, err);
	}
	if (w->nifs == 0 || w->nifs > ND_WRITER_MAX_IFS)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "between 1 and %d interfaces, not %u",
				  ND_WRITER_MAX_IFS, w->nifs);
	for (unsigned int i = 0; i < w->nifs; i++)
		clean_names(&w->ifs[i]);
	if (w->format == ND_FORMAT_PCAP) {
		w->pcap_started = true;
		return start_pcap(w, err);
	}
	return start_pcapng(w, w->userappl, err);
}

/* A new section holding only the interfaces live[] marks (see nd_writer_add). */
void nd_writer_compact(struct nd_writer *w, unsigned int *live)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < w->nifs; i++) {
		if (live[i] == UINT_MAX)
			continue;
		if (n != i)
			w->ifs[n] = w->ifs[i];
		live[i] = n++;
	}
	w->nifs = n;
}

static int new_section(struct nd_writer *w, unsigned int *live, struct nd_err *err)
{
	nd_writer_compact(w, live);
	return nd_writer_start(w, w->userappl, err);
}

int nd_writer_add(struct nd_writer *w, const struct nd_wif *f, unsigned int *live, bool *renumbered,
		  struct nd_err *err)
{
	struct nd_wif *slot;

	*renumbered = false;
	if (w->format == ND_FORMAT_PCAP) {
		if (w->pcap_started && f->linktype != w->ifs[0].linktype)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "pcap holds one link type: %s is %s where %s was %s "
					  "(use --format pcapng)",
					  f->name, pcap_datalink_val_to_name(f->linktype),
					  w->ifs[0].name,
					  pcap_datalink_val_to_name(w->ifs[0].linktype));
		/* One interface in the file: every start's packets are its. */
		if (w->pcap_started)
			return 0;
		w->ifs[0] = *f;
		w->nifs = 1;
		w->pcap_started = true;
		return start_pcap(w, err) < 0 ? -1 : 0;
	}
	if (w->nifs == ND_WRITER_MAX_IFS) {
		if (new_section(w, live, err) < 0)
			return -1;
		*renumbered = true;
		if (w->nifs == ND_WRITER_MAX_IFS)
			return nd_err_set(err, ND_EXIT_FAIL, 0,
					  "more than %d interfaces in use at once",
					  ND_WRITER_MAX_IFS);
	}
	slot = &w->ifs[w->nifs];
	*slot = *f;
	slot->written = 0;
	slot->base_recv = slot->base_drop = slot->base_ifdrop = 0;
	clean_names(slot);
	if (write_idb(w, w->nifs, false, err) < 0)
		return -1;
	return (int)w->nifs++;
}

/* A packet whose block is larger than the output buffer (BIG TCP: up to the snapshot
 * length): written from where libpcap left it, between a header and a tail. Out of line, so
 * that the path of every other packet stays as it was. */
static __attribute__((noinline)) int big_epb(struct nd_writer *w, unsigned int ifid,
					     const struct pcap_pkthdr *h,
					     const unsigned char *bytes, enum nd_pcapng_dir dir,
					     struct nd_err *err)
{
	unsigned char head[ND_PCAPNG_EPB_HEAD], tail[ND_PCAPNG_EPB_TAIL_MAX];
	size_t tl = nd_pcapng_epb_parts(
		head, tail, ifid, (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec,
		h->caplen, h->len, dir);

	return nd_out_record(w->out, head, sizeof(head), bytes, h->caplen, tail, tl, err);
}

int nd_writer_packet(struct nd_writer *w, unsigned int ifid, const struct pcap_pkthdr *h,
		     const unsigned char *bytes, struct nd_err *err)
{
	return nd_writer_packet_dir(w, ifid, h, bytes,
				    w->format == ND_FORMAT_PCAP
					    ? ND_PCAPNG_DIR_UNKNOWN
					    : nd_writer_direction(&w->ifs[ifid], bytes, h->caplen),
				    err);
}

int nd_writer_packet_dir(struct nd_writer *w, unsigned int ifid, const struct pcap_pkthdr *h,
			 const unsigned char *bytes, int direction, struct nd_err *err)
{
	struct nd_wif *f = &w->ifs[ifid];
	int rc;

	if (w->format == ND_FORMAT_PCAP) {
		unsigned char rec[ND_PCAP_REC_HDR_LEN];

		/* With nanosecond precision requested, libpcap's tv_usec holds nanoseconds. */
		nd_pcap_record_header(rec, (uint32_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec,
				      h->caplen, h->len);
		rc = nd_out_record(w->out, rec, sizeof(rec), bytes, h->caplen, NULL, 0, err);
	} else {
		enum nd_pcapng_dir dir = (enum nd_pcapng_dir)direction;
		size_t n = nd_pcapng_epb_len(h->caplen, dir);
		unsigned char *p;

		if (n > w->out->cap) {
			rc = big_epb(w, ifid, h, bytes, dir, err);
		} else {
			p = nd_out_reserve(w->out, n, err);
			if (p == NULL)
				return -1;
			nd_pcapng_epb(p, ifid,
				      (uint64_t)h->ts.tv_sec * 1000000000u +
					      (uint64_t)h->ts.tv_usec,
				      bytes, h->caplen, h->len, dir);
			nd_out_commit(w->out, n);
			rc = 0;
		}
	}
	if (rc == 0)
		f->written++;
	return rc;
}

int nd_writer_stats(struct nd_writer *w, unsigned int ifid, uint64_t recv, uint64_t drop,
		    uint64_t ifdrop, struct nd_err *err)
{
	struct nd_wif *f = &w->ifs[ifid];
	unsigned char block[128];
	struct nd_pcapng_isb isb = {
		.ifid = ifid,
		.ts_ns = now_ns(),
		.start_ns = w->start_ns,
		.ifrecv = recv - f->base_recv,
		/* isb_ifdrop: every packet lost before nsdump saw it (ring full or interface);
		 * isb_osdrop: the ring's share. */
		.ifdrop = (drop - f->base_drop) + (ifdrop - f->base_ifdrop),
		.osdrop = drop - f->base_drop,
		.usrdeliv = f->written,
	};
	size_t n;

	f->base_recv = recv;
	f->base_drop = drop;
	f->base_ifdrop = ifdrop;
	if (w->format != ND_FORMAT_PCAPNG)
		return 0;
	n = nd_pcapng_isb(block, sizeof(block), &isb);
	if (n == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "statistics block too large");
	/* A record, not a header: it is cut away whole if the disk fills under it. */
	return nd_out_block(w->out, block, n, err);
}
