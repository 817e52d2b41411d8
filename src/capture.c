/* libpcap set-up: create, configure, activate, filter. See include/nsdump/capture.h. */
#include <errno.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>

#include "nsdump/capture.h"
#include "nsdump/testhooks.h"

static int pcap_failed(struct nd_capture *c, const char *what, struct nd_err *err)
{
	return nd_err_set(err, ND_EXIT_FAIL, 0, "%s on %s: %s", what, c->ifname, pcap_geterr(c->p));
}

const char *nd_capture_pseudo_device(const char *ifname)
{
	static const struct {
		const char *prefix;
		const char *what;
	} sources[] = {
		{ "usbmon", "its USB monitor (usbmonN: the host's USB traffic)" },
		{ "bluetooth", "a Bluetooth adapter or monitor (bluetoothN, bluetooth-monitor)" },
		{ "nflog", "its netfilter log source (NFLOG)" },
		{ "nfqueue", "its netfilter queue source (NFQUEUE)" },
		{ "dbus-", "a D-Bus bus (dbus-system, dbus-session)" },
	};

	/* Prefixes, wider than the names libpcap 1.10 takes (usbmonN, bluetoothN,
	 * bluetooth-monitor, nflog, nfqueue, dbus-system, dbus-session): another libpcap may take
	 * more forms, and a real interface so named is rare. */
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strncmp(ifname, sources[i].prefix, strlen(sources[i].prefix)) == 0)
			return sources[i].what;
	return NULL;
}

int nd_capture_check_socket(int fd, const char *ifname, int ifindex, struct nd_err *err)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);
	int domain = -1;
	socklen_t dlen = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 || domain != AF_PACKET)
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"refusing interface '%s': libpcap opened another kind of capture "
			"source for this name, not a network interface (no packet socket)",
			ifname);
	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &len) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine the capture on %s",
				  ifname);
	if (sll.sll_family != AF_PACKET || sll.sll_ifindex != ifindex)
		return nd_err_set(
			err, ND_EXIT_NOTFOUND, 0,
			"refusing interface '%s': the capture is on ifindex %d, not on %d, "
			"the interface listed under that name (it was renamed or replaced "
			"meanwhile: try again)",
			ifname, sll.sll_ifindex, ifindex);
	return 0;
}

int nd_capture_open(struct nd_capture *c, const char *ifname, int ifindex,
		    const struct nd_capture_cfg *cfg, enum nd_direction dir, struct nd_privs *privs,
		    struct nd_err *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_direction_t pdir = PCAP_D_INOUT;
	int rc, bufkib = cfg->buffer_kib ? cfg->buffer_kib : ND_DEFAULT_BUFFER_KIB;
	long long bufbytes = (long long)bufkib * 1024;
	const char *pseudo = nd_capture_pseudo_device(ifname);
	int block_ms = cfg->block_ms > 0 ? cfg->block_ms : ND_BLOCK_FILE_MS;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	/* cli.c keeps -B within ND_BUFFER_KIB_MAX; the check stays, as libpcap would ignore a
	 * size that overflowed its int without a word. */
	if (bufkib < 1 || bufbytes > INT_MAX)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "a capture ring of %d KiB is out of range "
				  "(1 to %d KiB)",
				  bufkib, ND_BUFFER_KIB_MAX);
	/* pcap_create() tries libpcap's other capture sources before the interfaces: a name the
	 * target chose must not send it there (nsdump is privileged, the source the host's). */
	if (pseudo != NULL)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "refusing interface '%s': libpcap takes this name for %s, not a "
				  "network interface (rename the interface to capture it)",
				  ifname, pseudo);
	c->p = pcap_create(ifname, errbuf);
	if (c->p == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot create a capture on %s: %s", ifname,
				  errbuf);
	if (pcap_set_snaplen(c->p, cfg->snaplen) != 0 ||
	    pcap_set_promisc(c->p, cfg->promisc && strcmp(ifname, "any") != 0) != 0 ||
	    pcap_set_timeout(c->p, block_ms) != 0 ||
	    pcap_set_buffer_size(c->p, (int)bufbytes) != 0 ||
	    pcap_set_immediate_mode(c->p, cfg->immediate) != 0)
		return pcap_failed(c, "cannot configure the capture", err);
	/* Nanosecond stamps cost nothing on Linux (the kernel keeps them) and keep the order of
	 * packets that arrive within one microsecond. */
	if (pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO) != 0)
		return pcap_failed(c, "cannot ask for nanosecond time stamps", err);

	nd_testhooks_activate(ifname);
	if (nd_privs_raise(privs, CAP_NET_RAW, err) < 0)
		return -1;
	rc = pcap_activate(c->p);
	if (nd_privs_lower(privs, err) < 0)
		return -1;
	if (rc < 0) {
		const char *msg = pcap_geterr(c->p);

		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "no interface %s in the target: %s", ifname, msg);
		case PCAP_ERROR_PERM_DENIED:
			nd_err_set(err, ND_EXIT_PERM, 0, "cannot capture on %s: %s", ifname, msg);
			return nd_err_hint(err, "capturing needs CAP_NET_RAW: see 'Privileges' in "
						"the README");
		case PCAP_ERROR_IFACE_NOT_UP:
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"interface %s is down in the target (bring it up, or pick "
				"another with -i)",
				ifname);
		default:
			return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot capture on %s: %s", ifname,
					  msg[0] ? msg : pcap_statustostr(rc));
		}
	}
	if (rc > 0)
		snprintf(c->warning, sizeof(c->warning), "%s: %s", ifname,
			 rc == PCAP_WARNING ? pcap_geterr(c->p) : pcap_statustostr(rc));

	switch (dir) {
	case ND_DIR_IN:
		pdir = PCAP_D_IN;
		break;
	case ND_DIR_OUT:
		pdir = PCAP_D_OUT;
		break;
	case ND_DIR_INOUT:
		break;
	}
	if (pdir != PCAP_D_INOUT && pcap_setdirection(c->p, pdir) != 0)
		return pcap_failed(c, "cannot select the direction", err);
	/* After activation: set before it, libpcap would also give the ring no block timeout. */
	if (pcap_setnonblock(c->p, 1, errbuf) != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot make the capture non-blocking: %s",
				  errbuf);
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "the capture on %s cannot be polled",
				  ifname);
	/* Whatever the name: the capture must be a packet socket on the very interface netlink
	 * listed (not one that took the name since, nor a source libpcap has that nsdump does
	 * not know of), before a packet is read. */
	if (nd_capture_check_socket(c->fd, ifname, ifindex, err) < 0)
		return -1;
	c->linktype = pcap_datalink(c->p);
	c->snaplen = pcap_snapshot(c->p);
	c->block_ms = block_ms;
	return 0;
}

int nd_capture_set_filter(struct nd_capture *c, const char *filter, struct nd_err *err)
{
	struct bpf_program prog;
	int rc;

	if (filter == NULL || filter[0] == '\0')
		return 0;
	/* The netmask only matters for "ip broadcast"; inside a container it is rarely known. */
	if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "bad filter '%s': %s", filter,
				  pcap_geterr(c->p));
	rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc != 0)
		return pcap_failed(c, "cannot attach the filter", err);
	return 0;
}

int nd_capture_stats(struct nd_capture *c, struct nd_capture_stats *st, struct nd_err *err)
{
	struct pcap_stat ps;

	if (pcap_stats(c->p, &ps) != 0)
		return pcap_failed(c, "cannot read capture statistics", err);
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->ifdropped = c->no_sysfs ? 0 : ps.ps_ifdrop;
	return 0;
}

void nd_capture_close(struct nd_capture *c)
{
	if (c->p != NULL)
		pcap_close(c->p);
	c->p = NULL;
	c->fd = -1;
}
