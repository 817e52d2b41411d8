/* nsdump --merge: several capture files or streams (pcapng or pcap) into one pcapng (or pcap)
 * in time-stamp order, as the data arrives.
 *
 * Each input keeps one packet at hand (its "head"); the oldest head is written once every
 * other open input has a head too or has ended, so a packet waits only for inputs that have
 * not shown anything later yet, and memory stays at one block per input. Interfaces keep
 * their own description blocks (options copied, ids renumbered, time stamps in their own
 * resolution); statistics blocks (the last one of each interface) go at the end. */
#ifndef NSDUMP_MERGE_H
#define NSDUMP_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsdump/err.h"
#include "nsdump/output.h"
#include "nsdump/pcapread.h"

#define ND_MERGE_MAX_INPUTS 256
#define ND_MERGE_MAX_IFS    65536

struct nd_merge_in {
	char name[256];   /* for messages: the path, or "standard input" */
	char ifname[256]; /* if_name given to a pcap input's interface */
	int fd;
	bool own_fd;
	struct nd_pcapread rd;
	unsigned char *buf;
	size_t cap, start, end; /* unparsed bytes are buf[start..end) */
	bool eof;               /* nothing more will come (end, truncation or corruption) */
	bool has_head;
	struct nd_prec head; /* points into buf while has_head */
	unsigned long long packets;
	bool truncated; /* ended inside a record: a warning in problem */
	bool corrupt;   /* stopped at corrupt data: an error in problem */
	char problem[1024];
};

struct nd_merge_oif {
	uint16_t linktype;
	uint32_t snaplen;
	unsigned char *isb; /* the last statistics block seen, output order, or NULL */
	size_t isblen;
};

struct nd_merge {
	struct nd_merge_in *in;
	unsigned int nin;
	/* set by the caller before nd_merge_run */
	bool pcap;            /* --format pcap: one link type for all */
	unsigned long count;  /* -c: stop after COUNT packets; 0 for all */
	bool packet_buffered; /* -U */
	int sigfd;            /* SIGINT/SIGTERM/SIGHUP stop the merge; -1 for none */
	const char *userappl; /* shb_userappl */
	/* results */
	unsigned long long written;
	unsigned long long skipped; /* blocks of kinds not copied */
	int signo;                  /* the signal that stopped it, or 0 */
	bool reader_gone;           /* the output pipe's reader left */
	/* private */
	struct nd_merge_oif *oifs;
	size_t noifs, oifcap;
	bool pcap_started;
	unsigned char *scratch;
	struct nd_out *out;
};

/* Opens every input ("-": standard input, at most once), in order, with the caller's
 * current rights: a FIFO blocks here until its writer opens it. ND_EXIT_USAGE for a missing
 * file, a terminal, or an input that is the output file (NULL or "-": standard output),
 * which opening the output would truncate; ND_EXIT_PERM when access is denied. */
int nd_merge_open(struct nd_merge *m, char *const *paths, unsigned int n, const char *output,
		  struct nd_err *err);

/* Merges everything into out until every input has ended, -c is reached, a signal arrives
 * on m->sigfd, or the reader of out leaves (m->reader_gone). Inputs that are corrupt or cut
 * short end on their own (their problem says where) while the others go on. Returns -1 with
 * err on a write error or inputs that pcap cannot hold together. */
int nd_merge_run(struct nd_merge *m, struct nd_out *out, struct nd_err *err);

void nd_merge_close(struct nd_merge *m);

#endif
