/* Command-line parsing: argv in, struct nd_opts out. Pure: no I/O but the usage text. */
#ifndef NSDUMP_CLI_H
#define NSDUMP_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "nsdump/capture.h"
#include "nsdump/err.h"
#include "nsdump/plan.h"
#include "nsdump/session.h"
#include "nsdump/target.h"

struct nd_opts {
	/* Every target, in command-line order. */
	struct nd_target_spec targets[ND_MAX_TARGETS];
	unsigned int ntargets;
	/* Every -i, in order ("all": every non-loopback interface); none: eth0, else the only
	 * non-loopback interface. */
	const char *ifaces[ND_MAX_IFACES];
	unsigned int nifaces;
	const char *pod_ns;      /* -n NS; "default" when not given */
	unsigned runtimes;       /* --runtime: enum nd_runtime mask; 0 for every runtime */
	const char *root;        /* --root DIR, NULL if not given */
	bool list;               /* --list: show the containers, capture nothing */
	bool json;               /* --json, with --list */
	const char *output;      /* NULL or "-": standard output */
	char *filter;            /* FILTER words joined by spaces, owned; NULL if none */
	const char *filter_file; /* -F FILE; read later with the invoker's rights */
	unsigned long count;     /* -c; 0 for no limit */
	int snaplen;             /* -s; 0 on the command line means ND_SNAPLEN_MAX */
	int buffer_kib;          /* -B; 0 for nsdump's default */
	bool promisc;            /* false with -p */
	enum nd_direction direction;
	bool packet_buffered;            /* -U */
	bool immediate;                  /* --immediate-mode */
	bool quiet;                      /* -q */
	int verbose;                     /* number of -v */
	double duration;                 /* --duration SECONDS; 0 for none */
	enum nd_mode mode;               /* --mode */
	bool format_pcap;                /* --format pcap (default pcapng) */
	unsigned int rotate_seconds;     /* -G */
	unsigned long long rotate_bytes; /* -C, in bytes */
	unsigned int rotate_files;       /* -W */
	bool gzip;                       /* --compress gzip */
	bool list_ifaces;                /* -D: list the target's interfaces and exit */
	bool merge;      /* --merge: inputs are files to merge, nothing is captured */
	bool wait_stdin; /* --wait-stdin: output starts once stdin gives a byte or ends */
	char **inputs;   /* --merge's files, pointing into argv */
	unsigned int ninputs;
	bool follow; /* --follow: wait for the target's starts, capture each (follow.h) */
	bool help;
	bool version;
};

/* Parses argv into opts (which it initialises). On error returns -1 with err->exit ==
 * ND_EXIT_USAGE. With --help or --version anywhere (in any spelling getopt_long accepts:
 * "--hel", "-qh"), returns 0 with opts->help or opts->version set and nothing else checked.
 * On success the caller owns opts->filter: release with nd_cli_free(). */
int nd_cli_parse(int argc, char **argv, struct nd_opts *opts, struct nd_err *err);
void nd_cli_free(struct nd_opts *opts);

/* The session's configuration for opts (a capture or -D): the one place where options become
 * the library's settings. The strings stay opts' (and argv's); -F's file is read later, with
 * the invoker's rights, into cfg->filter. */
void nd_cli_session_cfg(const struct nd_opts *opts, struct nd_session_cfg *cfg);

/* The long option names (without "--"), i = 0, 1, ...; NULL past the last. For tests: every
 * abbreviation of one that getopt_long accepts must mean the same option. */
const char *nd_cli_long_name(size_t i);

/* Joins words with single spaces into a new string; NULL when n == 0. Sets errno on ENOMEM. */
char *nd_cli_join(char *const *words, int n);

void nd_cli_usage(FILE *out);

#endif
