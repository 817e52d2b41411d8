/* A libpcap capture on one interface of the current network namespace. */
#ifndef NSDUMP_CAPTURE_H
#define NSDUMP_CAPTURE_H

#include <limits.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdbool.h>

#include "nsdump/err.h"
#include "nsdump/privs.h"

/* TPACKET_V3 hands a block of packets over when it is full, or when the block timeout has
 * passed since its first packet. A busy link fills whole blocks either way, so the cost per
 * packet stays that of batching; the timeout only decides how long a quiet link's packets
 * wait, and so how often nsdump wakes up. (libpcap's immediate mode instead falls back to
 * TPACKET_V2, one wakeup per packet.)
 *
 * Live output (a pipe, a FIFO, Wireshark): 1 ms, so that a reader sees each packet within
 * 2 to 3.5 ms at the 99th percentile (bench/'s paced cases, docs/performance.md; it was 20 ms
 * with a 20 ms timeout). The kernel retires blocks on a
 * high-resolution timer, and an empty block is never handed over, so a quiet link costs no
 * wakeups at all; a link at 10 kpkt/s costs about one per millisecond.
 *
 * A file: 100 ms. Nobody reads a file within milliseconds (it is flushed once a second
 * anyway), and fewer, fuller blocks cost fewer wakeups; a stop reads the rings one timeout
 * longer, so it loses nothing either way. */
#define ND_BLOCK_LIVE_MS 1
#define ND_BLOCK_FILE_MS 100

/* Default kernel ring: twice libpcap's 2 MiB, so that a burst at veth line rate waiting for
 * a slow disk is absorbed rather than dropped.
 * To files (and rotated files) the session gets ND_FILE_BUFFER_KIB in all, shared among its
 * targets and never less than ND_DEFAULT_BUFFER_KIB each (plan.c, nd_plan_buffer_kib): at
 * 1514-byte frames flat out (about 900 MB/s here) 4 MiB hold 4.5 ms, 12 MiB 13.5 ms, and a
 * write(2) into the page cache waits 4-13 ms whenever the kernel throttles dirty pages. In
 * the same bench runs 12 MiB lost packets in 1 round of 12, 8 MiB in 4; 16 MiB would take
 * nsdump's peak RSS to 2.4 times tcpdump's, over the bound of issue 5 (12 MiB: 1.85 times;
 * docs/performance.md, "Part 4"). A pipe's reader is woken each millisecond; it keeps the
 * smaller ring, which also starts sooner (the kernel zeroes the whole ring first: 1.4 ms
 * for 4 MiB here). */
#define ND_DEFAULT_BUFFER_KIB 4096
#define ND_FILE_BUFFER_KIB    12288

#define ND_SNAPLEN_MAX 262144 /* tcpdump's default and maximum */
/* -B: libpcap takes the ring's size in bytes as an int (pcap_set_buffer_size). */
#define ND_BUFFER_KIB_MAX (INT_MAX / 1024)

/* -Q: the packets kept, as the interface captured sees them. */
enum nd_direction {
	ND_DIR_INOUT = 0,
	ND_DIR_IN,
	ND_DIR_OUT,
};

/* How every capture of a session is opened. */
struct nd_capture_cfg {
	int snaplen;    /* 1..ND_SNAPLEN_MAX */
	int buffer_kib; /* the kernel ring; 0 for ND_DEFAULT_BUFFER_KIB */
	bool promisc;   /* ignored for "any" */
	bool immediate; /* libpcap's immediate mode (TPACKET_V2, one wakeup per packet) */
	int block_ms;   /* the block timeout: ND_BLOCK_LIVE_MS or ND_BLOCK_FILE_MS; 0 for the latter
			 */
};

struct nd_capture {
	pcap_t *p;
	int fd;       /* pollable; POLLIN when a block is ready */
	int linktype; /* DLT_* */
	int snaplen;
	int block_ms; /* the block timeout it was opened with */
	char ifname[IF_NAMESIZE];
	char warning[PCAP_ERRBUF_SIZE]; /* pcap_activate's warning, "" if none */
	/* Set once the sandbox is on: libpcap's interface drop count (promiscuous captures) comes
	 * from /sys/class/net/IF/statistics, which the sandbox does not let it open, and which in
	 * setns mode is the host's interface of that name anyway. ifdropped is then reported 0. */
	bool no_sysfs;
};

struct nd_capture_stats {
	unsigned long long received; /* by the filter */
	unsigned long long dropped;  /* by the kernel: ring full */
	unsigned long long ifdropped;
};

/* Opens and activates a non-blocking capture on ifname ("any" allowed) with cfg's snaplen,
 * buffer size, promiscuity and immediate mode, keeping only packets of direction dir as
 * this interface sees them. Raises CAP_NET_RAW for the activation only. ifindex is the
 * interface's index as netlink listed it (0 for "any"): the activated capture must be a
 * packet socket bound to it (nd_capture_check_socket). A name libpcap takes for one of its
 * other capture sources is refused before anything is opened (nd_capture_pseudo_device).
 * Errors: ND_EXIT_USAGE (no such interface, down, such a name, not a packet socket),
 * ND_EXIT_NOTFOUND (bound to another ifindex: the interface was replaced), ND_EXIT_PERM. */
int nd_capture_open(struct nd_capture *c, const char *ifname, int ifindex,
		    const struct nd_capture_cfg *cfg, enum nd_direction dir, struct nd_privs *privs,
		    struct nd_err *err);

/* What libpcap would open instead of a network interface for ifname (a short description),
 * or NULL: names beginning usbmon, bluetooth, nflog, nfqueue or dbus-. */
const char *nd_capture_pseudo_device(const char *ifname);

/* Checks that fd is a packet socket (SO_DOMAIN AF_PACKET) bound to ifindex (getsockname's
 * sll_ifindex; 0 for "any"). ND_EXIT_USAGE when it is no packet socket, ND_EXIT_NOTFOUND when
 * it is bound elsewhere; ifname names the interface in the message. */
int nd_capture_check_socket(int fd, const char *ifname, int ifindex, struct nd_err *err);

/* Compiles and attaches filter (NULL or "" for none). A bad expression: ND_EXIT_USAGE with
 * libpcap's message. */
int nd_capture_set_filter(struct nd_capture *c, const char *filter, struct nd_err *err);

int nd_capture_stats(struct nd_capture *c, struct nd_capture_stats *st, struct nd_err *err);

void nd_capture_close(struct nd_capture *c);

#endif
