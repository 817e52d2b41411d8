/* libFuzzer target: rtnetlink replies (link, address and namespace-id dumps). */
#include <stdint.h>

#include "nsdump/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_link_list links = { 0 };
	struct nd_addr_list addrs = { 0 };
	struct nd_err err;
	int nsid;
	/* Sequence 0 and port 0 match what the corpus was made with; mnl_cb_run checks them. */
	(void)nd_nl_parse_links(data, size, 0, 0, &links, &err);
	(void)nd_nl_parse_addrs(data, size, 0, 0, &addrs, &err);
	(void)nd_nl_parse_nsid(data, size, 0, 0, &nsid, &err);
	nd_link_list_free(&links);
	nd_addr_list_free(&addrs);
	return 0;
}
