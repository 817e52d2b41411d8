/* nsdump --merge; see include/nsdump/merge.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsdump/merge.h"
#include "nsdump/pcapfile.h"
#include "nsdump/pcapng.h"
#include "nsdump/text.h"

#define READ_CHUNK ((size_t)64 * 1024)
/* Room for any block this file builds: a block copied from an input plus the options added
 * for a pcap input's interface. */
#define SCRATCH_SIZE (ND_PCAPREAD_BLOCK_MAX + 1024)
/* Statistics blocks are kept until the end; a larger one is left out. */
#define ISB_KEEP_MAX 4096

int nd_merge_open(struct nd_merge *m, char *const *paths, unsigned int n, const char *output,
		  struct nd_err *err)
{
	bool stdin_used = false, have_out = false;
	struct stat ost;

	if (n == 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "--merge needs at least one input file");
	if (n > ND_MERGE_MAX_INPUTS)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d inputs to --merge",
				  ND_MERGE_MAX_INPUTS);
	m->in = calloc(n, sizeof(*m->in));
	m->scratch = malloc(SCRATCH_SIZE);
	if (m->in == NULL || m->scratch == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot set up the merge");
	for (unsigned int i = 0; i < n; i++)
		m->in[i].fd = -1;
	m->nin = n;
	if (output != NULL && strcmp(output, "-") != 0 && stat(output, &ost) == 0)
		have_out = true;
	for (unsigned int i = 0; i < n; i++) {
		struct nd_merge_in *in = &m->in[i];
		const char *base;
		struct stat st;

		if (strcmp(paths[i], "-") == 0) {
			if (stdin_used)
				return nd_err_set(err, ND_EXIT_USAGE, 0,
						  "standard input ('-') named twice in --merge");
			stdin_used = true;
			snprintf(in->name, sizeof(in->name), "standard input");
			snprintf(in->ifname, sizeof(in->ifname), "stdin");
			if (isatty(STDIN_FILENO))
				return nd_err_set(err, ND_EXIT_USAGE, 0,
						  "standard input is a terminal, not a capture: "
						  "pipe or redirect a file into it");
			in->fd = STDIN_FILENO;
		} else {
			snprintf(in->name, sizeof(in->name), "%s", paths[i]);
			base = strrchr(paths[i], '/');
			nd_text_clean(in->ifname, sizeof(in->ifname),
				      base != NULL && base[1] != '\0' ? base + 1 : paths[i]);
			/* Blocking: a FIFO waits here for its writer, so that a stream that has not
			 * started yet is not taken for an empty one. */
			in->fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
			if (in->fd < 0) {
				int e = errno;

				return nd_err_set(err,
						  e == EACCES || e == EPERM ? ND_EXIT_PERM
									    : ND_EXIT_USAGE,
						  e, "cannot open input %s", paths[i]);
			}
			in->own_fd = true;
		}
		if (fstat(in->fd, &st) < 0)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine %s", in->name);
		if (S_ISDIR(st.st_mode))
			return nd_err_set(err, ND_EXIT_USAGE, 0, "input %s is a directory",
					  in->name);
		if (have_out && S_ISREG(st.st_mode) && st.st_dev == ost.st_dev &&
		    st.st_ino == ost.st_ino)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "input %s is also the output: writing would destroy it "
					  "(choose another -w)",
					  in->name);
		in->cap = READ_CHUNK;
		in->buf = malloc(in->cap);
		if (in->buf == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot set up the merge");
	}
	return 0;
}

void nd_merge_close(struct nd_merge *m)
{
	for (unsigned int i = 0; m->in != NULL && i < m->nin; i++) {
		struct nd_merge_in *in = &m->in[i];

		if (in->own_fd && in->fd >= 0)
			(void)close(in->fd);
		in->fd = -1;
		free(in->buf);
		in->buf = NULL;
		nd_pcapread_free(&in->rd);
	}
	free(m->in);
	m->in = NULL;
	for (size_t i = 0; m->oifs != NULL && i < m->noifs; i++)
		free(m->oifs[i].isb);
	free(m->oifs);
	m->oifs = NULL;
	free(m->scratch);
	m->scratch = NULL;
}

/* The pcap header, written before the first packet: every interface known by then (all
 * open inputs have shown one) must share the link type. */
static int pcap_start(struct nd_merge *m, struct nd_err *err)
{
	unsigned char hdr[ND_PCAP_FILE_HDR_LEN];
	struct nd_pcap_link link = { 0 };

	if (m->noifs == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0,
				  "no input held an interface: nothing to "
				  "write a pcap header for");
	for (size_t i = 0; i < m->noifs; i++)
		if (!nd_pcap_link_add(&link, m->oifs[i].linktype, m->oifs[i].snaplen))
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"pcap holds one link type, and the inputs have %u and %u: "
				"use --format pcapng",
				m->oifs[0].linktype, m->oifs[i].linktype);
	nd_pcap_file_header(hdr, link.linktype, link.snaplen);
	m->pcap_started = true;
	return nd_out_header(m->out, hdr, sizeof(hdr), err);
}

/* A new interface of input in: numbered in the output, and described there at once. */
static int add_if(struct nd_merge *m, struct nd_merge_in *in, const struct nd_prec *rec,
		  struct nd_err *err)
{
	struct nd_pcapread_if *f = &in->rd.ifs[rec->ifid];
	struct nd_pcapng_idb idb = { .linktype = f->linktype,
				     .snaplen = f->snaplen,
				     .opts = rec->opts,
				     .optlen = rec->optlen };
	size_t n;

	if (m->noifs == ND_MERGE_MAX_IFS)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "more than %d interfaces in all inputs",
				  ND_MERGE_MAX_IFS);
	if (m->noifs == m->oifcap) {
		size_t cap = m->oifcap ? m->oifcap * 2 : 16;
		struct nd_merge_oif *o = realloc(m->oifs, cap * sizeof(*o));

		if (o == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot hold the interfaces");
		m->oifs = o;
		m->oifcap = cap;
	}
	f->out_id = (uint32_t)m->noifs;
	m->oifs[m->noifs++] =
		(struct nd_merge_oif){ .linktype = f->linktype, .snaplen = f->snaplen };
	if (m->pcap) {
		if (m->pcap_started && f->linktype != m->oifs[0].linktype)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"%s: an interface of link type %u, where the output so far "
				"is %u: pcap holds one link type (use --format pcapng)",
				in->name, f->linktype, m->oifs[0].linktype);
		return 0;
	}
	if (in->rd.fmt == ND_PCAPREAD_PCAP) {
		/* pcap has no interface names: the file's name stands in for one. Its time
		 * stamps are copied as they are, in their own resolution (6 is the default). */
		idb.name = in->ifname;
		if (f->tsresol != 6)
			idb.tsresol = f->tsresol;
	}
	n = nd_pcapng_idb(m->scratch, SCRATCH_SIZE, &idb);
	if (n == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "%s: interface description too large",
				  in->name);
	return nd_out_block(m->out, m->scratch, n, err);
}

/* Keeps the last statistics block of each interface, renumbered, for the end. */
static int keep_stats(struct nd_merge *m, const struct nd_merge_in *in, const struct nd_prec *rec,
		      struct nd_err *err)
{
	uint32_t w[3];
	struct nd_merge_oif *o = &m->oifs[in->rd.ifs[rec->ifid].out_id];
	unsigned char *copy;
	size_t n;

	if (m->pcap || rec->optlen + 32 > ISB_KEEP_MAX) {
		m->skipped++;
		return 0;
	}
	w[0] = in->rd.ifs[rec->ifid].out_id;
	w[1] = (uint32_t)(rec->ts_raw >> 32);
	w[2] = (uint32_t)rec->ts_raw;
	n = nd_pcapng_block(m->scratch, SCRATCH_SIZE, ND_PCAPNG_ISB, w, sizeof(w), rec->opts,
			    rec->optlen, NULL, 0);
	if (n == 0) {
		m->skipped++;
		return 0;
	}
	copy = malloc(n);
	if (copy == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot keep a statistics block");
	memcpy(copy, m->scratch, n);
	free(o->isb);
	o->isb = copy;
	o->isblen = n;
	return 0;
}

/* Writes the head packet of in. */
/* A packet whose block is larger than the output buffer (BIG TCP captures): written from
 * where the reader holds it, between a header and a tail built in the scratch buffer. */
static int big_epb(struct nd_merge *m, uint32_t ifid, const struct nd_prec *h, struct nd_err *err)
{
	unsigned char head[ND_PCAPNG_EPB_HEAD];
	size_t tl = nd_pcapng_epb_copy_parts(head, m->scratch, SCRATCH_SIZE, ifid, h->ts_raw,
					     h->caplen, h->len, h->opts, h->optlen);

	if (tl == 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "packet options of %zu bytes too long",
				  h->optlen);
	return nd_out_record(m->out, head, sizeof(head), h->data, h->caplen, m->scratch, tl, err);
}

static int write_packet(struct nd_merge *m, struct nd_merge_in *in, struct nd_err *err)
{
	struct nd_prec *h = &in->head;
	const struct nd_pcapread_if *f = &in->rd.ifs[h->ifid];
	int rc;

	if (m->pcap) {
		unsigned char rec[ND_PCAP_REC_HDR_LEN];

		if (!m->pcap_started && pcap_start(m, err) < 0)
			return -1;
		nd_pcap_record_header(rec, (uint32_t)(h->ts_ns / 1000000000u),
				      (uint32_t)(h->ts_ns % 1000000000u), h->caplen, h->len);
		rc = nd_out_record(m->out, rec, sizeof(rec), h->data, h->caplen, NULL, 0, err);
	} else if (nd_pcapng_epb_copy_len(h->caplen, h->optlen) > m->out->cap) {
		rc = big_epb(m, f->out_id, h, err);
	} else {
		size_t n = nd_pcapng_epb_copy_len(h->caplen, h->optlen);
		unsigned char *p = nd_out_reserve(m->out, n, err);

		if (p == NULL)
			return -1;
		/* The options were converted to host order in place (pcapread.c); the time
		 * stamp stays in its interface's units, which its copied IDB keeps. */
		nd_pcapng_epb_copy(p, f->out_id, h->ts_raw, h->data, h->caplen, h->len, h->opts,
				   h->optlen);
		nd_out_commit(m->out, n);
		rc = 0;
	}
	if (rc < 0)
		return -1;
	in->has_head = false;
	in->packets++;
	m->written++;
	if (m->packet_buffered)
		return nd_out_flush(m->out, err);
	return 0;
}

/* Waits for input (or a signal) and reads what there is. 1: bytes read; 0: end of input;
 * -2: a signal (m->signo); -1: a write error while flushing (err). A read error ends the
 * input with a problem. */
static int read_more(struct nd_merge *m, struct nd_merge_in *in, struct nd_err *err)
{
	struct pollfd pfd[2] = { { .fd = in->fd, .events = POLLIN },
				 { .fd = m->sigfd, .events = POLLIN } };
	ssize_t n;
	int rc;

	/* What is merged so far goes out before waiting, so a live reader sees it. */
	if (!m->out->regular && m->out->len > 0 && poll(pfd, 1, 0) == 0 &&
	    nd_out_flush(m->out, err) < 0)
		return -1;
	do {
		rc = poll(pfd, m->sigfd >= 0 ? 2 : 1, -1);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "poll");
	if (m->sigfd >= 0 && (pfd[1].revents & POLLIN)) {
		struct signalfd_siginfo si;

		if (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			m->signo = (int)si.ssi_signo;
		else
			m->signo = -1;
		return -2;
	}
	if (in->start > 0 && in->start == in->end)
		in->start = in->end = 0;
	do {
		n = read(in->fd, in->buf + in->end, in->cap - in->end);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(in->problem, sizeof(in->problem), "cannot read %s: %s", in->name,
			 strerror(errno));
		in->corrupt = true;
		return 0;
	}
	in->end += (size_t)n;
	return n > 0;
}

/* Room in in's buffer for a record of need bytes from in->start. */
static int make_room(struct nd_merge_in *in, size_t need, struct nd_err *err)
{
	if (in->start > 0 && (in->start + need > in->cap || in->start == in->end)) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (need > in->cap) {
		size_t cap = need + READ_CHUNK;
		unsigned char *b = realloc(in->buf, cap);

		if (b == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot buffer %s", in->name);
		in->buf = b;
		in->cap = cap;
	}
	if (in->end == in->cap && in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	return 0;
}

static void end_input(struct nd_merge_in *in)
{
	in->eof = true;
	if (in->own_fd && in->fd >= 0)
		(void)close(in->fd);
	in->fd = -1;
}

/* Reads input in until it has a packet at hand or ends, handling the other records on the
 * way. Returns 0, -2 for a signal, -1 for a write error. */
static int fill(struct nd_merge *m, struct nd_merge_in *in, struct nd_err *err)
{
	while (!in->has_head && !in->eof) {
		struct nd_prec rec;
		struct nd_err perr = { 0 };
		size_t need;
		long n = nd_pcapread_next(&in->rd, in->buf + in->start, in->end - in->start, &rec,
					  &need, &perr);
		int rc;

		if (n < 0) {
			/* Cut, not overflowed: the name and the parser's message share the line. */
			snprintf(in->problem, sizeof(in->problem), "%.200s: %.800s", in->name,
				 perr.msg);
			in->corrupt = true;
			end_input(in);
			break;
		}
		if (n == 0) {
			if (make_room(in, need, err) < 0)
				return -1;
			rc = read_more(m, in, err);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				if (!in->corrupt && in->end > in->start) {
					in->truncated = true;
					snprintf(in->problem, sizeof(in->problem),
						 "%s ends inside a record at offset %llu (cut "
						 "short?): "
						 "kept the %llu packets before it",
						 in->name, (unsigned long long)in->rd.offset,
						 in->packets);
				} else if (!in->corrupt && in->rd.fmt == ND_PCAPREAD_START) {
					in->truncated = true;
					snprintf(in->problem, sizeof(in->problem),
						 "%s is empty: no capture header", in->name);
				}
				end_input(in);
			}
			continue;
		}
		in->start += (size_t)n;
		switch (rec.kind) {
		case ND_PREC_PACKET:
			in->head = rec;
			in->has_head = true;
			break;
		case ND_PREC_IF:
			if (add_if(m, in, &rec, err) < 0)
				return -1;
			break;
		case ND_PREC_STATS:
			if (keep_stats(m, in, &rec, err) < 0)
				return -1;
			break;
		case ND_PREC_PASS:
			if (!m->pcap) {
				size_t bl = nd_pcapng_block(m->scratch, SCRATCH_SIZE, rec.btype,
							    rec.data, rec.datalen, rec.opts,
							    rec.optlen, NULL, 0);

				if (bl == 0)
					m->skipped++;
				else if (nd_out_block(m->out, m->scratch, bl, err) < 0)
					return -1;
			} else {
				m->skipped++;
			}
			break;
		case ND_PREC_SKIP:
			m->skipped++;
			break;
		case ND_PREC_SECTION:
			break;
		}
	}
	return 0;
}

static int finish(struct nd_merge *m, struct nd_err *err)
{
	if (m->pcap) {
		/* No packet at all: still a valid (empty) file, when there was an interface. */
		if (!m->pcap_started && m->noifs > 0)
			return pcap_start(m, err);
		return 0;
	}
	for (size_t i = 0; i < m->noifs; i++)
		if (m->oifs[i].isb != NULL &&
		    nd_out_block(m->out, m->oifs[i].isb, m->oifs[i].isblen, err) < 0)
			return -1;
	return 0;
}

/* The input whose head is the oldest; equal stamps go in input order. */
static struct nd_merge_in *oldest(struct nd_merge *m)
{
	struct nd_merge_in *best = NULL;

	for (unsigned int i = 0; i < m->nin; i++)
		if (m->in[i].has_head && (best == NULL || m->in[i].head.ts_ns < best->head.ts_ns))
			best = &m->in[i];
	return best;
}

static int merge_loop(struct nd_merge *m, struct nd_err *err)
{
	for (;;) {
		struct nd_merge_in *best;

		for (unsigned int i = 0; i < m->nin; i++) {
			int rc = fill(m, &m->in[i], err);

			if (rc == -2) {
				/* Stopped by a signal: the packets already at hand are whole; they
				 * go out (in order among themselves) rather than being lost. */
				while ((best = oldest(m)) != NULL &&
				       (m->count == 0 || m->written < m->count))
					if (write_packet(m, best, err) < 0)
						return -1;
				return finish(m, err);
			}
			if (rc < 0)
				return -1;
		}
		best = oldest(m);
		if (best == NULL)
			return finish(m, err);
		if (write_packet(m, best, err) < 0)
			return -1;
		if (m->count != 0 && m->written >= m->count)
			return finish(m, err);
	}
}

int nd_merge_run(struct nd_merge *m, struct nd_out *out, struct nd_err *err)
{
	int rc;

	m->out = out;
	if (!m->pcap) {
		struct nd_pcapng_shb shb = { .userappl = m->userappl };
		size_t n = nd_pcapng_shb(m->scratch, SCRATCH_SIZE, &shb);

		/* Written at once, so that a reader of a pipe can start. */
		if (n == 0)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "section header too large");
		if (nd_out_header(out, m->scratch, n, err) < 0)
			goto failed;
	}
	rc = merge_loop(m, err);
	if (rc == 0)
		return 0;
failed:
	if (err->errnum == EPIPE) {
		m->reader_gone = true;
		return 0;
	}
	return -1;
}
