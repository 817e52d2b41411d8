/* The decisions of a capture, as pure functions over plain data: how each interface of a
 * target is captured (setns, veth, host), which interfaces -i names, what the pcapng file
 * says of each, whether a target's namespace stays open, how the output is named. No I/O:
 * session.c gathers the facts (links, peers) and acts on the answers. */
#ifndef NSDUMP_PLAN_H
#define NSDUMP_PLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "nsdump/capture.h"
#include "nsdump/err.h"
#include "nsdump/netlink.h"
#include "nsdump/target.h"

/* --mode */
enum nd_mode {
	ND_MODE_AUTO = 0, /* veth when the interface has a peer in nsdump's namespace, else setns */
	ND_MODE_SETNS,    /* enter the target's namespace and capture there */
	ND_MODE_VETH,     /* capture on the host end of the interface's veth pair */
};

/* How one interface of a target is captured. */
enum nd_way {
	ND_WAY_NONE = 0, /* not at all: --mode veth, and the interface has no peer */
	ND_WAY_HOST,     /* the target is in nsdump's own namespace: directly */
	ND_WAY_SETNS,    /* inside the target's namespace (the socket stays there) */
	ND_WAY_VETH,     /* on the host end of the interface's veth pair */
};

/* --mode's words: "auto", "setns", "veth". nd_plan_mode_parse returns -1 for any other word. */
int nd_plan_mode_parse(const char *word, enum nd_mode *mode);
const char *nd_plan_mode_name(enum nd_mode mode);

/* Whether to look for the host end of an interface's veth pair: not for a target in nsdump's
 * own namespace, not with --mode setns, not for "any" (has_tif false: no interface of the
 * target by that name). */
bool nd_plan_wants_peer(enum nd_mode mode, bool is_host, bool has_tif);

/* The way an interface is captured, given whether its peer was found (nd_plan_wants_peer
 * said to look). ND_WAY_NONE: --mode veth without a peer; the peer search says why. */
enum nd_way nd_plan_way(enum nd_mode mode, bool is_host, bool has_tif, bool has_peer);

/* The mode as messages and pcapng descriptions name it: "setns", "veth", "host (...)". */
const char *nd_plan_way_name(enum nd_way way);

/* -Q's direction as the captured interface sees it: the host end of a veth pair receives
 * what the container sends, so in and out swap there; the container's point of view stays. */
enum nd_direction nd_plan_direction(enum nd_way way, enum nd_direction dir);

/* The ifindex the capture socket must be bound to: tif's, or 0 for libpcap's unbound "any"
 * (even where an interface of the target is named so) and for a name not in the target. */
int nd_plan_ifindex(const char *ifname, const struct nd_link *tif);

/* Picks one interface: `requested` if given (it must exist, or be "any"), else eth0, else the
 * only non-loopback interface. Otherwise ND_EXIT_USAGE, listing the names. Writes the chosen
 * name to out (IF_NAMESIZE bytes). */
int nd_plan_iface_choose(const struct nd_link_list *links, const char *requested, char *out,
			 struct nd_err *err);

/* The interfaces of a target (links, for messages: label) that the -i words want (nwant of
 * them; none: the default choice), in order, into out (at most max names, *nout of them):
 * "all" stands for every interface but loopback. Errors, ND_EXIT_USAGE, naming label: an
 * interface that is not there, no default choice, "all" with nothing but loopback, more than
 * max ("at most max_total interfaces in one capture"). */
int nd_plan_ifaces(const struct nd_link_list *links, const char *const *want, unsigned int nwant,
		   const char *label, char (*out)[IF_NAMESIZE], unsigned int max,
		   unsigned int max_total, unsigned int *nout, struct nd_err *err);

/* Whether a target's namespace stays open once its interfaces are captured (ways: how each
 * was, n of them): only when one of them is captured inside it. Held open, the namespace
 * would keep a veth captured from the host alive after the container is gone, and the
 * capture would never see it go. */
bool nd_plan_keep_netns(const enum nd_way *ways, size_t n);

/* The name and description that identify an interface of a target in a pcapng file: name like
 * "web1/eth0" (the pod's, the container's, "pidN", or the netns argument, then ifname),
 * description with everything that says which container this was, the namespace's inode, the
 * way, and the host peer (peer: NULL or ifindex 0 when none). Truncated to fit. */
void nd_plan_describe(const struct nd_target *t, const struct nd_target_spec *spec,
		      const char *ifname, enum nd_way way, const struct nd_link *peer, char *name,
		      size_t name_size, char *desc, size_t desc_size);

/* The captures' block timeout (capture.h): ND_BLOCK_LIVE_MS when the output is read as it is
 * written (nd_out_live: a pipe, a FIFO) and not rotated, else ND_BLOCK_FILE_MS. */
int nd_plan_block_ms(bool live_output, bool rotated);

/* The kernel ring of each capture (capture.h), in KiB: requested (-B) when not 0; else for a
 * live output (as for nd_plan_block_ms) ND_DEFAULT_BUFFER_KIB, for files ND_FILE_BUFFER_KIB
 * shared among ntargets, at least ND_DEFAULT_BUFFER_KIB each. */
int nd_plan_buffer_kib(int requested, bool live_output, bool rotated, unsigned int ntargets);

/* Whether output names a file (else standard output: NULL or "-"). */
bool nd_plan_to_file(const char *output);

/* The target part of the first interface's pcapng name ("web1" of "web1/eth0"): what -w's %n
 * stands for in rotated file names. */
void nd_plan_rotate_target(const char *if_name, char *out, size_t out_size);

#endif
