/* Wireshark's extcap protocol (extcap(4)): Wireshark and tshark run nsdump from their extcap
 * folder to list capture interfaces (one per running container, pod and named network
 * namespace), to ask for their link types and options, and to capture into a FIFO.
 * This file is the pure part: the extcap arguments, the interface names and the sentences
 * printed; extcap_run.c reads the system and answers, main.c runs the capture. */
#ifndef NSDUMP_EXTCAP_H
#define NSDUMP_EXTCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "nsdump/container.h"
#include "nsdump/err.h"
#include "nsdump/plan.h"

/* Every interface name starts with this; the kind follows ("docker-", "pod-", ...). */
#define ND_EXTCAP_PREFIX "nsdump-"
/* Longest interface name accepted: "nsdump-pod-" + a namespace and a pod name. */
#define ND_EXTCAP_IFNAME_MAX (sizeof("nsdump-containerd-") + ND_CT_NS_MAX + ND_CT_NAME_MAX)

enum nd_extcap_action {
	ND_EXTCAP_NONE = 0,
	ND_EXTCAP_INTERFACES,   /* --extcap-interfaces */
	ND_EXTCAP_DLTS,         /* --extcap-dlts --extcap-interface IF */
	ND_EXTCAP_CONFIG,       /* --extcap-config [--extcap-interface IF] */
	ND_EXTCAP_CAPTURE,      /* --capture --extcap-interface IF --fifo PATH */
	ND_EXTCAP_CHECK_FILTER, /* --extcap-capture-filter F --extcap-interface IF alone:
				 * Wireshark asks whether F is valid (the filter field's colour) */
};

/* What the extcap arguments ask for. The strings point into argv. */
struct nd_extcap {
	enum nd_extcap_action action;
	const char *version;   /* --extcap-version=VER (Wireshark's), NULL if absent */
	const char *iface;     /* --extcap-interface IF, NULL if absent */
	const char *fifo;      /* --fifo PATH, NULL if absent */
	const char *filter;    /* --extcap-capture-filter F, NULL if absent or empty */
	enum nd_mode mode;     /* --mode auto|veth|setns (our config argument) */
	const char *target_if; /* --target-interface IF (our config argument), NULL: default */
	bool follow;           /* --follow (our config argument, a boolflag): follow restarts */
};

/* The kinds of interface, after the prefix. */
enum nd_extcap_kind {
	ND_EXTCAP_KIND_NONE = 0,
	ND_EXTCAP_KIND_DOCKER,     /* nsdump-docker-NAME */
	ND_EXTCAP_KIND_PODMAN,     /* nsdump-podman-NAME */
	ND_EXTCAP_KIND_CONTAINERD, /* nsdump-containerd-NS-NAME */
	ND_EXTCAP_KIND_POD,        /* nsdump-pod-NS-NAME */
	ND_EXTCAP_KIND_NETNS,      /* nsdump-netns-NAME (a name under /run/netns) */
};

/* True when argv holds an extcap argument (--capture or any --extcap-*), so that main()
 * parses it with nd_extcap_parse() instead of nd_cli_parse(). */
bool nd_extcap_requested(int argc, char **argv);

/* Parses the extcap arguments into x (which it initialises). Accepts "--opt VALUE" and
 * "--opt=VALUE", as Wireshark passes both. Ignores the logging options Wireshark may add
 * (--extcap-log-level, --extcap-log-file, --debug, --debug-file). Errors (ND_EXIT_USAGE): an
 * unknown argument, a missing value, no action or two actions, an action without the
 * arguments it needs. The interface name is checked by nd_extcap_kind() later. */
int nd_extcap_parse(int argc, char **argv, struct nd_extcap *x, struct nd_err *err);

/* The kind of interface name ifname, and where its part after "nsdump-KIND-" starts (*rest).
 * ND_EXTCAP_KIND_NONE, with err filled (ND_EXIT_NOTFOUND), for a name nsdump never lists:
 * another prefix, an empty or over-long rest, a netns name with '/' or a leading '.'. */
enum nd_extcap_kind nd_extcap_kind(const char *ifname, const char **rest, struct nd_err *err);

/* The interface name and display text of a running container; for a container of a
 * Kubernetes pod, the pod's (every container of a pod shares its network namespace).
 * Returns the kind, or ND_EXTCAP_KIND_NONE when c gets no interface: not running, CRI-O
 * outside a pod, a name that does not fit or holds a character extcap's grammar reserves. */
enum nd_extcap_kind nd_extcap_name(const struct nd_container *c, char *name, size_t name_size,
				   char *display, size_t display_size);

/* The running container of l whose interface is ifname (for a pod: one of its containers),
 * NULL if none. */
const struct nd_container *nd_extcap_match(const struct nd_container_list *l, const char *ifname);

/* The same for a name under /run/netns. */
enum nd_extcap_kind nd_extcap_netns_name(const char *netns, char *name, size_t name_size,
					 char *display, size_t display_size);

/* The sentences. Each returns -1 (err filled) when out cannot be written. */
int nd_extcap_print_version(FILE *out, struct nd_err *err);
/* One "interface" sentence per interface of the running containers of l (one per pod) and of
 * the netns names (count n), in that order, without duplicates. */
int nd_extcap_print_interfaces(FILE *out, const struct nd_container_list *l, char *const *netns,
			       size_t n, struct nd_err *err);
int nd_extcap_print_dlts(FILE *out, struct nd_err *err);
/* The options of an interface of kind k: the mode and the interface in the target for every
 * kind; "follow restarts" (--follow) only for a container or a pod, as nsdump's --follow
 * refuses --netns. ND_EXTCAP_KIND_NONE (no interface, or a name nsdump never lists): the
 * options every kind has. */
int nd_extcap_print_config(FILE *out, enum nd_extcap_kind k, struct nd_err *err);

/* True when an interface of kind k can be followed across restarts (--follow). */
bool nd_extcap_can_follow(enum nd_extcap_kind k);

/* Extcap mode, from main(): parses argv (nd_extcap_parse) and answers every action but
 * --capture itself, reading the runtimes and /run/netns with the invoker's rights and
 * dropping every privilege before printing. For --capture it finds the interface's target,
 * once (a container or pod into *found, which cfg's target spec points to), and fills cfg
 * for the one capture path of main(): privileges dropped before the FIFO is opened, with the
 * invoker's rights. The strings of cfg point into argv and *found. Returns 1 when cfg is
 * ready to capture, 0 when the action is answered, -1 on error. */
struct nd_privs;
struct nd_session_cfg;
int nd_extcap_run(int argc, char **argv, struct nd_privs *privs, struct nd_session_cfg *cfg,
		  struct nd_container *found, struct nd_err *err);

#endif
