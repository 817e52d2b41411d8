/* What libpcap is allowed to open: names it takes for its other capture sources are refused,
 * and an activated capture must be a packet socket bound to the interface listed. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsdump/capture.h"
#include "unit.h"

int main(void)
{
	static const char *const pseudo[] = { "usbmon0",           "usbmon12",    "bluetooth0",
					      "bluetooth-monitor", "nflog",       "nfqueue",
					      "dbus-system",       "dbus-session" };
	static const char *const real[] = { "eth0", "lo",   "any",  "veth3f2a1b0", "nf",
					    "usb0", "dbus", "nflo", "bluetoot",    "wlan0" };
	struct nd_err e = { 0 };
	bool all = true;
	int fd;

	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		all &= nd_capture_pseudo_device(pseudo[i]) != NULL;
	CHECK("libpcap's source names are known (usbmonN, bluetoothN, nflog, nfqueue, dbus-...)",
	      all);
	all = true;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		all &= nd_capture_pseudo_device(real[i]) == NULL;
	CHECK("ordinary interface names are not", all);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK("a socket of another family is no capture: exit 2",
	      fd >= 0 && nd_capture_check_socket(fd, "nflog", 0, &e) < 0 &&
		      e.exit == ND_EXIT_USAGE && strstr(e.msg, "'nflog'") != NULL &&
		      strstr(e.msg, "no packet socket") != NULL);
	close(fd);
	{
		int p[2];

		CHECK("a pipe (what a character device stands for) is no capture: exit 2",
		      pipe(p) == 0 && nd_capture_check_socket(p[0], "usbmon0", 0, &e) < 0 &&
			      e.exit == ND_EXIT_USAGE);
		close(p[0]);
		close(p[1]);
	}

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		printf("skip - packet sockets: needs CAP_NET_RAW\n");
		return UNIT_DONE();
	}
	CHECK("a packet socket not bound to an interface is 'any' (ifindex 0)",
	      fd >= 0 && nd_capture_check_socket(fd, "any", 0, &e) == 0);
	CHECK("... and not an interface",
	      nd_capture_check_socket(fd, "eth0", 2, &e) < 0 && e.exit == ND_EXIT_NOTFOUND);
	{
		/* lo is ifindex 1 in every network namespace. */
		struct sockaddr_ll sll = { .sll_family = AF_PACKET,
					   .sll_protocol = htons(ETH_P_ALL),
					   .sll_ifindex = 1 };

		CHECK("bind to lo", bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
		CHECK("bound to the ifindex listed: accepted",
		      nd_capture_check_socket(fd, "lo", 1, &e) == 0);
		CHECK("bound to another ifindex than listed: exit 3, saying both",
		      nd_capture_check_socket(fd, "eth0", 7, &e) < 0 &&
			      e.exit == ND_EXIT_NOTFOUND &&
			      strstr(e.msg, "the capture is on ifindex 1, not on 7") != NULL);
	}
	close(fd);
	return UNIT_DONE();
}
