/* Option parsing: every option's values, its limits and its combinations. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "nsdump/cli.h"
#include "nsdump/container.h"
#include "unit.h"

/* Parses a NULL-terminated list of words after "nsdump". */
static int parse(struct nd_opts *o, struct nd_err *e, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)(uintptr_t) "nsdump";
	va_start(ap, e);
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	memset(e, 0, sizeof(*e));
	return nd_cli_parse(argc, argv, o, e);
}

#define W(s) ((char *)(uintptr_t)(s))

int main(void)
{
	struct nd_opts o;
	struct nd_err e;
	int rc;

	rc = parse(&o, &e, W("--pid"), W("42"), (char *)NULL);
	CHECK("--pid 42 parses", rc == 0 && o.ntargets == 1 && o.targets[0].kind == ND_TARGET_PID &&
					 o.targets[0].pid == 42);
	CHECK("defaults: promiscuous, inout, snaplen 262144, no count, stdout",
	      o.promisc && o.direction == ND_DIR_INOUT && o.snaplen == 262144 && o.count == 0 &&
		      o.output == NULL && o.nifaces == 0 && o.filter == NULL && o.duration == 0);
	nd_cli_free(&o);

	rc = parse(&o, &e, W("--netns"), W("blue"), W("-i"), W("eth1"), W("-w"), W("x.pcap"),
		   W("-c"), W("100"), W("-s"), W("0"), W("-B"), W("8192"), W("-p"), W("-Q"),
		   W("in"), W("-U"), W("--immediate-mode"), W("-v"), W("-v"), W("--duration"),
		   W("2.5"), W("udp"), W("and"), W("port"), W("53"), (char *)NULL);
	CHECK("all options parse", rc == 0);
	CHECK_STR("--netns value", o.targets[0].name, "blue");
	CHECK_STR("-i value", o.nifaces == 1 ? o.ifaces[0] : NULL, "eth1");
	CHECK_STR("-w value", o.output, "x.pcap");
	CHECK("-c 100", o.count == 100);
	CHECK("-s 0 means 262144", o.snaplen == ND_SNAPLEN_MAX);
	CHECK("-B 8192", o.buffer_kib == 8192);
	CHECK("-p", !o.promisc);
	CHECK("-Q in", o.direction == ND_DIR_IN);
	CHECK("-U and --immediate-mode", o.packet_buffered && o.immediate);
	CHECK("-v -v", o.verbose == 2);
	CHECK("--duration 2.5", o.duration > 2.49 && o.duration < 2.51);
	CHECK_STR("filter words joined with spaces", o.filter, "udp and port 53");
	nd_cli_free(&o);

	rc = parse(&o, &e, W("--pid"), W("1"), W("-B"), W("2097151"), (char *)NULL);
	CHECK("-B 2097151: the largest ring whose size in bytes libpcap takes (an int)",
	      rc == 0 && o.buffer_kib == 2097151);
	nd_cli_free(&o);

	rc = parse(&o, &e, W("--pid"), W("1"), W("-Q"), W("out"), W("-s"), W("100"), (char *)NULL);
	CHECK("-Q out, -s 100", rc == 0 && o.direction == ND_DIR_OUT && o.snaplen == 100);
	nd_cli_free(&o);

	rc = parse(&o, &e, W("--pid"), W("1"), W("--"), W("-c"), W("5"), (char *)NULL);
	CHECK_STR("words after -- are filter words", rc == 0 ? o.filter : NULL, "-c 5");
	nd_cli_free(&o);

	rc = parse(&o, &e, W("-t"), W("web1"), W("--runtime"), W("docker,crio"), (char *)NULL);
	CHECK("-t NAME --runtime docker,crio", rc == 0 &&
						       o.targets[0].kind == ND_TARGET_CONTAINER &&
						       strcmp(o.targets[0].name, "web1") == 0 &&
						       o.runtimes == (ND_RT_DOCKER | ND_RT_CRIO));
	nd_cli_free(&o);
	rc = parse(&o, &e, W("--pod"), W("web"), (char *)NULL);
	CHECK("--pod NAME: namespace default",
	      rc == 0 && o.targets[0].kind == ND_TARGET_POD && strcmp(o.pod_ns, "default") == 0);
	nd_cli_free(&o);
	rc = parse(&o, &e, W("--pod"), W("web"), W("-n"), W("shop"), W("--root"), W("/host"),
		   (char *)NULL);
	CHECK("--pod NAME -n NS --root DIR",
	      rc == 0 && strcmp(o.pod_ns, "shop") == 0 && strcmp(o.root, "/host") == 0);
	nd_cli_free(&o);
	rc = parse(&o, &e, W("--list"), W("--json"), W("--runtime"), W("containerd"), (char *)NULL);
	CHECK("--list --json needs no target", rc == 0 && o.list && o.json && o.ntargets == 0);
	nd_cli_free(&o);

	rc = parse(&o, &e, W("--pid"), W("7"), W("--netns"), W("blue"), W("-t"), W("web1"),
		   W("--pod"), W("p"), W("-n"), W("shop"), W("-i"), W("eth0"), W("-i"), W("all"),
		   (char *)NULL);
	CHECK("several targets, in order",
	      rc == 0 && o.ntargets == 4 && o.targets[0].kind == ND_TARGET_PID &&
		      o.targets[0].pid == 7 && o.targets[1].kind == ND_TARGET_NETNS &&
		      strcmp(o.targets[1].name, "blue") == 0 &&
		      o.targets[2].kind == ND_TARGET_CONTAINER &&
		      o.targets[3].kind == ND_TARGET_POD);
	CHECK("-i twice, in order", o.nifaces == 2 && strcmp(o.ifaces[1], "all") == 0 &&
					    strcmp(o.ifaces[0], "eth0") == 0);
	nd_cli_free(&o);
	{
		char *many[2 * ND_MAX_TARGETS + 4];
		int n = 0;

		many[n++] = W("nsdump");
		for (int i = 0; i <= ND_MAX_TARGETS; i++) {
			many[n++] = W("--pid");
			many[n++] = W("9");
		}
		many[n] = NULL;
		rc = nd_cli_parse(n, many, &o, &e);
		CHECK("more than ND_MAX_TARGETS targets: exit 2",
		      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "at most"));
		nd_cli_free(&o);
	}

	rc = parse(&o, &e, W("--help"), (char *)NULL);
	CHECK("--help needs no target", rc == 0 && o.help);
	rc = parse(&o, &e, W("--version"), (char *)NULL);
	CHECK("--version needs no target", rc == 0 && o.version);

	/* Usage errors: exit 2 and a message naming the option. */
	struct {
		const char *name;
		char *a[6];
		const char *msg;
	} bad[] = {
		{ "no target", { NULL }, "no target" },
		{ "-D with two targets",
		  { W("--pid"), W("1"), W("--pid"), W("2"), W("-D"), NULL },
		  "-D lists" },
		{ "--pid abc", { W("--pid"), W("abc"), NULL }, "--pid" },
		{ "--pid 0", { W("--pid"), W("0"), NULL }, "--pid" },
		{ "--pid -5", { W("--pid"), W("-5"), NULL }, "--pid" },
		{ "--pid 99999999999", { W("--pid"), W("99999999999"), NULL }, "--pid" },
		{ "--netns empty", { W("--netns"), W(""), NULL }, "--netns" },
		{ "-c 0", { W("--pid"), W("1"), W("-c"), W("0"), NULL }, "-c" },
		{ "-c 1x", { W("--pid"), W("1"), W("-c"), W("1x"), NULL }, "-c" },
		{ "-s 262145", { W("--pid"), W("1"), W("-s"), W("262145"), NULL }, "-s" },
		{ "-B 0", { W("--pid"), W("1"), W("-B"), W("0"), NULL }, "-B" },
		{ "-B 2097152: 2 GiB in bytes is past libpcap's int",
		  { W("--pid"), W("1"), W("-B"), W("2097152"), NULL },
		  "invalid value '2097152' for -B: expected a size in KiB, 1 to 2097151" },
		{ "-B 4194304",
		  { W("--pid"), W("1"), W("-B"), W("4194304"), NULL },
		  "1 to 2097151" },
		{ "-Q sideways", { W("--pid"), W("1"), W("-Q"), W("sideways"), NULL }, "-Q" },
		{ "--duration 0",
		  { W("--pid"), W("1"), W("--duration"), W("0"), NULL },
		  "--duration" },
		{ "--duration nan",
		  { W("--pid"), W("1"), W("--duration"), W("nan"), NULL },
		  "--duration" },
		{ "--duration -1",
		  { W("--pid"), W("1"), W("--duration"), W("-1"), NULL },
		  "--duration" },
		{ "-i too long",
		  { W("--pid"), W("1"), W("-i"), W("abcdefghijklmnop"), NULL },
		  "-i" },
		{ "-w empty", { W("--pid"), W("1"), W("-w"), W(""), NULL }, "-w" },
		{ "unknown short option",
		  { W("--pid"), W("1"), W("-Z"), NULL },
		  "unknown option '-Z'" },
		{ "unknown long option",
		  { W("--pid"), W("1"), W("--frobnicate"), NULL },
		  "unknown option '--frobnicate'" },
		{ "missing value", { W("--pid"), W("1"), W("-c"), NULL }, "needs a value" },
		{ "-q with -v", { W("--pid"), W("1"), W("-q"), W("-v"), NULL }, "-q and -v" },
		{ "-F and filter words",
		  { W("--pid"), W("1"), W("-F"), W("f"), W("udp"), NULL },
		  "both with -F" },
		{ "--container empty", { W("--container"), W(""), NULL }, "--container" },
		{ "--runtime rkt",
		  { W("-t"), W("a"), W("--runtime"), W("rkt"), NULL },
		  "--runtime" },
		{ "--runtime empty list",
		  { W("-t"), W("a"), W("--runtime"), W(","), NULL },
		  "--runtime" },
		{ "--runtime with --pid",
		  { W("--pid"), W("1"), W("--runtime"), W("docker"), NULL },
		  "--runtime" },
		{ "--root relative", { W("-t"), W("a"), W("--root"), W("host"), NULL }, "--root" },
		{ "-n without --pod",
		  { W("-t"), W("a"), W("-n"), W("shop"), NULL },
		  "-n/--namespace" },
		{ "--json without --list", { W("-t"), W("a"), W("--json"), NULL }, "--json" },
		{ "--list with a target", { W("--list"), W("-t"), W("a"), NULL }, "--list" },
		{ "--list with a filter", { W("--list"), W("udp"), NULL }, "--list" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[128];

		rc = parse(&o, &e, bad[i].a[0], bad[i].a[1], bad[i].a[2], bad[i].a[3], bad[i].a[4],
			   bad[i].a[5]);
		snprintf(name, sizeof(name), "usage error: %s (exit 2, message names it)",
			 bad[i].name);
		CHECK(name, rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, bad[i].msg) != NULL);
		if (rc < 0 && strstr(e.msg, bad[i].msg) == NULL)
			printf("#   message was: %s\n", e.msg);
		nd_cli_free(&o);
	}

	{
		char *words[] = { W("a"), W("bb"), W("ccc") };
		char *j = nd_cli_join(words, 3);

		CHECK_STR("join three words", j, "a bb ccc");
		free(j);
		CHECK("join of nothing is NULL", nd_cli_join(words, 0) == NULL);
	}
	return UNIT_DONE();
}
