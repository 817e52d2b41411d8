/* libFuzzer target: rtnetlink replies (link, address and namespace-id dumps), and the check
 * of who sent them. */
#include <linux/netlink.h>
#include <stdint.h>
#include <sys/socket.h>

#include "nsdump/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_link_list links = { 0 };
	struct nd_addr_list addrs = { 0 };
	struct nd_err err;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int nsid;

	/* Walks every message header inside size, whatever the lengths say. */
	(void)nd_nl_reply_check(&kernel, sizeof(kernel), data, size, 0, 0, &err);
	/* Sequence 0 and port 0 match what the corpus was made with; mnl_cb_run checks them. */
	(void)nd_nl_parse_links(data, size, 0, 0, &links, &err);
	(void)nd_nl_parse_addrs(data, size, 0, 0, &addrs, &err);
	(void)nd_nl_parse_nsid(data, size, 0, 0, &nsid, &err);
	nd_link_list_free(&links);
	nd_addr_list_free(&addrs);
	return 0;
}
