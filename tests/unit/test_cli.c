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
	va_list ap;
	int argc;

	va_start(ap, e);
	argc = unit_argv(argv, 32, ap);
	va_end(ap);
	memset(e, 0, sizeof(*e));
	return nd_cli_parse(argc, argv, o, e);
}

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
	rc = parse(&o, &e, W("--pod"), W("web"), W("-n"), W("shop"), W("--follow"), (char *)NULL);
	{
		struct nd_session_cfg cfg;

		nd_cli_session_cfg(&o, &cfg);
		CHECK("--pod --follow: the session follows", rc == 0 && o.follow && cfg.follow);
	}
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
		{ "-q with -v",
		  { W("--pid"), W("1"), W("-q"), W("-v"), NULL },
		  "-q/--quiet and -v/--verbose" },
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
		  "-n/--namespace goes with --pod" },
		{ "--json without --list", { W("-t"), W("a"), W("--json"), NULL }, "--json" },
		{ "--list with a target", { W("--list"), W("-t"), W("a"), NULL }, "--list" },
		{ "--list with a filter", { W("--list"), W("udp"), NULL }, "--list" },
		{ "--follow with --pid",
		  { W("--pid"), W("1"), W("--follow"), NULL },
		  "with --pid there is nothing to follow" },
		{ "--follow with --netns",
		  { W("-t"), W("a"), W("--netns"), W("blue"), W("--follow"), NULL },
		  "with --netns there is nothing to follow" },
		{ "--follow with -D", { W("-t"), W("a"), W("--follow"), W("-D"), NULL }, "-D" },
		{ "--follow with --list", { W("--list"), W("--follow"), NULL }, "--follow" },
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

	/* --help and --version in every spelling getopt_long accepts, and whatever else the line
	 * holds (main() answers them before anything else). */
	{
		const char *help[] = {
			"-h", "--h", "--he", "--hel", "--help", "-qh", "-hq", "-vh"
		};
		const char *version[] = { "--vers", "--versi", "--versio", "--version" };
		char name[96];

		for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++) {
			rc = parse(&o, &e, W(help[i]), (char *)NULL);
			snprintf(name, sizeof(name), "%s is --help", help[i]);
			CHECK(name, rc == 0 && o.help && !o.version);
			rc = parse(&o, &e, W("--pid"), W("1"), W("--frobnicate"), W(help[i]),
				   (char *)NULL);
			snprintf(name, sizeof(name), "%s after a bad option is still --help",
				 help[i]);
			CHECK(name, rc == 0 && o.help);
		}
		for (size_t i = 0; i < sizeof(version) / sizeof(version[0]); i++) {
			rc = parse(&o, &e, W(version[i]), (char *)NULL);
			snprintf(name, sizeof(name), "%s is --version", version[i]);
			CHECK(name, rc == 0 && o.version && !o.help);
		}
		rc = parse(&o, &e, W("--ver"), (char *)NULL);
		CHECK("--ver is ambiguous (--verbose, --version): exit 2 naming both",
		      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "ambiguous") &&
			      strstr(e.msg, "--verbose") && strstr(e.msg, "--version"));
		rc = parse(&o, &e, W("--pid"), W("1"), W("--"), W("--help"), (char *)NULL);
		CHECK("--help after -- is a filter word",
		      rc == 0 && !o.help && strcmp(o.filter, "--help") == 0);
		nd_cli_free(&o);
	}

	/* Every abbreviation of every long option that getopt_long takes behaves exactly as the
	 * whole word (the same options, or the same error), and one shared with another name is
	 * refused as ambiguous. */
	{
		size_t names = 0, abbrevs = 0, same = 0, ambiguous = 0, refused = 0;
		const char *n;

		for (; (n = nd_cli_long_name(names)) != NULL; names++) {
			for (size_t len = 1; len <= strlen(n); len++) {
				char full[64], word[64];
				struct nd_opts a, b;
				struct nd_err ea, eb;
				int ra, rb, others = 0, exact = 0;
				const char *m;

				for (size_t k = 0; (m = nd_cli_long_name(k)) != NULL; k++) {
					others += k != names && strncmp(m, n, len) == 0;
					exact += k != names && strlen(m) == len &&
						 strncmp(m, n, len) == 0;
				}
				if (exact)
					continue; /* "--list" is --list, not a prefix of --list-i...
						   */
				snprintf(full, sizeof(full), "--%s", n);
				snprintf(word, sizeof(word), "--%.*s", (int)len, n);
				ra = parse(&a, &ea, W("--pid"), W("1"), W(full), W("1"),
					   (char *)NULL);
				rb = parse(&b, &eb, W("--pid"), W("1"), W(word), W("1"),
					   (char *)NULL);
				if (len < strlen(n) && others > 0) {
					ambiguous++;
					refused += rb < 0 && strstr(eb.msg, "ambiguous") != NULL;
				} else {
					abbrevs++;
					same += ra == rb &&
						(ra == 0 ? a.filter == NULL
								   ? b.filter == NULL
								   : b.filter != NULL &&
									     strcmp(a.filter,
										    b.filter) == 0
							 : strcmp(ea.msg, eb.msg) == 0);
					if (ra == 0 && rb == 0) {
						char *fa = a.filter, *fb = b.filter;

						a.filter = b.filter = NULL;
						same -= memcmp(&a, &b, sizeof(a)) != 0;
						a.filter = fa;
						b.filter = fb;
					}
				}
				nd_cli_free(&a);
				nd_cli_free(&b);
			}
		}
		printf("# %zu long options, %zu spellings, %zu ambiguous prefixes\n", names,
		       abbrevs, ambiguous);
		CHECK("every long option's accepted spellings behave as the whole word",
		      names >= 30 && abbrevs > names && same == abbrevs);
		CHECK("every prefix shared by two long options is refused as ambiguous",
		      ambiguous > 0 && refused == ambiguous);
	}

	/* What goes with what (the option tables). */
	{
		struct {
			const char *name;
			char *a[6];
			const char *msg;
		} tab[] = {
			{ "--list with -c",
			  { W("--list"), W("-c"), W("3"), NULL },
			  "--list shows the containers: -c/--count does not go with it" },
			{ "--list with -w",
			  { W("--list"), W("-w"), W("f"), NULL },
			  "--list shows the containers: -w/--write does not go with it" },
			{ "--merge with -i",
			  { W("--merge"), W("-i"), W("eth0"), W("f"), NULL },
			  "capture option such as -i/--interface" },
			{ "--merge with --pid",
			  { W("--merge"), W("--pid"), W("1"), W("f"), NULL },
			  "capture option such as --pid" },
			{ "--merge with --list",
			  { W("--merge"), W("--list"), W("f"), NULL },
			  "capture option such as --list" },
			{ "--merge -q -v",
			  { W("--merge"), W("-q"), W("-v"), W("f"), NULL },
			  "-q/--quiet and -v/--verbose cannot be used together" },
			{ "--list -q -v",
			  { W("--list"), W("-q"), W("-v"), NULL },
			  "-q/--quiet and -v/--verbose" },
			{ "-W without -C or -G",
			  { W("-t"), W("1"), W("-W"), W("3"), W("-w"), W("f") },
			  "-W goes with -C or -G" },
			{ "--root with --pid",
			  { W("--pid"), W("1"), W("--root"), W("/h"), NULL },
			  "--root goes with -t/--container, --pod or --list" },
			{ "--merge without inputs", { W("--merge"), NULL }, "needs input files" },
			{ "--merge --compress to stdout",
			  { W("--merge"), W("--compress"), W("gzip"), W("f"), NULL },
			  "--compress gzip writes files" },
			{ "-G to stdout",
			  { W("--pid"), W("1"), W("-G"), W("5"), NULL },
			  "-G and -C rotate files" },
			{ "-i any in veth mode",
			  { W("--pid"), W("1"), W("-i"), W("any"), W("--mode"), W("veth") },
			  "-i any needs --mode setns" },
		};

		for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
			char name[128];

			rc = parse(&o, &e, tab[i].a[0], tab[i].a[1], tab[i].a[2], tab[i].a[3],
				   tab[i].a[4], tab[i].a[5], (char *)NULL);
			snprintf(name, sizeof(name), "refused: %s (exit 2, '%s')", tab[i].name,
				 tab[i].msg);
			CHECK(name, rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, tab[i].msg));
			if (rc < 0 && strstr(e.msg, tab[i].msg) == NULL)
				printf("#   message was: %s\n", e.msg);
			nd_cli_free(&o);
		}
		rc = parse(&o, &e, W("--merge"), W("-w"), W("out"), W("-c"), W("5"), W("--format"),
			   W("pcap"), W("-U"), W("-q"), W("a"), W("b"), (char *)NULL);
		CHECK("--merge with -w -c --format -U -q and two inputs",
		      rc == 0 && o.merge && o.ninputs == 2 && o.count == 5 && o.format_pcap &&
			      o.packet_buffered && o.quiet);
		rc = parse(&o, &e, W("--list"), W("--root"), W("/h"), W("-v"), (char *)NULL);
		CHECK("--list --root -v", rc == 0 && o.list && o.verbose == 1);
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
