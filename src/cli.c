/* Option table, validation and usage text. Nothing here touches the system: the values are
 * checked for form only, and main.c acts on them in the order the privilege model wants. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/cli.h"
#include "nsdump/container.h"

enum {
	OPT_PID = CHAR_MAX + 1,
	OPT_NETNS,
	OPT_DURATION,
	OPT_IMMEDIATE,
	OPT_VERSION,
	OPT_MODE,
	OPT_FORMAT,
	OPT_COMPRESS,
	OPT_RUNTIME,
	OPT_POD,
	OPT_ROOT,
	OPT_LIST,
	OPT_JSON,
	OPT_MERGE,
	OPT_WAIT_STDIN,
};

static const struct option long_options[] = {
	{ "pid", required_argument, NULL, OPT_PID },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "container", required_argument, NULL, 't' },
	{ "runtime", required_argument, NULL, OPT_RUNTIME },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "namespace", required_argument, NULL, 'n' },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "wait-stdin", no_argument, NULL, OPT_WAIT_STDIN },
	{ "interface", required_argument, NULL, 'i' },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "snapshot-length", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "direction", required_argument, NULL, 'Q' },
	{ "packet-buffered", no_argument, NULL, 'U' },
	{ "filter-file", required_argument, NULL, 'F' },
	{ "immediate-mode", no_argument, NULL, OPT_IMMEDIATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void nd_cli_usage(FILE *out)
{
	fputs("Usage: nsdump TARGET [-i IFACE] [-w FILE|-] [options] [FILTER...]\n"
	      "       nsdump TARGET -D\n"
	      "       nsdump --list [--json] [--runtime RT] [--root DIR]\n"
	      "       nsdump --merge FILE... [-w FILE|-] [-c COUNT] [--format FORMAT]\n"
	      "Capture the traffic of a container, pod, process or named network namespace from\n"
	      "the host, without running anything inside it. Output is pcapng or pcap, to FILE\n"
	      "or standard output.\n"
	      "\n"
	      "Targets (at least one; repeat and mix them to capture several at once, merged\n"
	      "in time order into one file, one pcapng interface each):\n"
	      "  -t, --container NAME|ID   a container of Docker, Podman, containerd (any\n"
	      "                            namespace) or CRI-O, by name or unique ID prefix\n"
	      "                            (at least 4 hex digits)\n"
	      "      --pod NAME            a Kubernetes pod on this node (its sandbox's network)\n"
	      "  -n, --namespace NS        the pod's Kubernetes namespace (default: default)\n"
	      "      --pid PID             the network namespace of process PID\n"
	      "      --netns NAME|PATH     a name under /run/netns (ip netns) or an nsfs path\n"
	      "                            such as /proc/PID/ns/net or Docker's SandboxKey\n"
	      "\n"
	      "Containers:\n"
	      "      --list                list the running containers of every runtime found:\n"
	      "                            runtime, namespace, name, ID, PID, netns inode, pod\n"
	      "      --json                with --list: print JSON\n"
	      "      --runtime RT[,RT...]  search only docker, podman, containerd and/or crio\n"
	      "      --root DIR            the host's filesystem is mounted at DIR (kubectl debug\n"
	      "                            node/...): find sockets and state under it (root only)\n"
	      "  DOCKER_HOST=unix:///PATH  Docker's socket (ignored when nsdump runs setuid or\n"
	      "                            with file capabilities)\n"
	      "\n"
	      "Merging (no privileges used):\n"
	      "      --merge FILE...       merge pcapng and pcap files or streams ('-': standard\n"
	      "                            input; FIFOs merged as data arrives) into one pcapng\n"
	      "                            in time order, each interface kept with its name\n"
	      "\n"
	      "Capture:\n"
	      "  -i, --interface IFACE     interface inside the target (default: eth0, else the\n"
	      "                            only non-loopback interface); 'any': all of them in\n"
	      "                            one (cooked) stream; 'all': each non-loopback one as\n"
	      "                            its own interface; repeat -i for several\n"
	      "      --mode MODE           auto (default): veth when the interface has a veth "
	      "peer\n"
	      "                            in nsdump's namespace, else setns; setns: enter the\n"
	      "                            target's namespace (any interface, loopback, macvlan);\n"
	      "                            veth: capture on the host end of the veth pair, "
	      "without\n"
	      "                            entering (sees what leaves the container's stack)\n"
	      "  -D, --list-interfaces     list the target's interfaces (kind, state, addresses,\n"
	      "                            host peer) and exit\n"
	      "  -c, --count COUNT         stop after COUNT packets\n"
	      "      --duration SECONDS    stop after SECONDS (decimals allowed)\n"
	      "  -s, --snapshot-length N   bytes kept per packet (default and 0: 262144)\n"
	      "  -B, --buffer-size KiB     kernel capture ring size (default 4096 KiB, at most\n"
	      "                            2097151 KiB)\n"
	      "  -p, --no-promiscuous-mode do not put the interface into promiscuous mode\n"
	      "  -Q, --direction DIR       in, out or inout (default): packets the target "
	      "receives,\n"
	      "                            sends, or both; in veth mode too, from the target's\n"
	      "                            point of view (what it sends is 'out')\n"
	      "  -F, --filter-file FILE    read the filter expression from FILE\n"
	      "      --immediate-mode      hand each packet over at once (costs much more CPU;\n"
	      "                            live output is already prompt without it)\n"
	      "  FILTER...                 a pcap-filter(7) expression, as for tcpdump\n"
	      "\n"
	      "Output:\n"
	      "  -w, --write FILE|-        write to FILE; '-' or no -w: standard output, which\n"
	      "                            must not be a terminal\n"
	      "      --format FORMAT       pcapng (default: names the target in each interface,\n"
	      "                            marks each packet's direction, ends with the kernel's\n"
	      "                            drop counts) or pcap\n"
	      "  -G SECONDS                start a new file every SECONDS; -w may hold "
	      "strftime(3)\n"
	      "                            conversions, and %n the target's name\n"
	      "  -C SIZE                   start a new file before one grows past SIZE millions "
	      "of\n"
	      "                            bytes (or SIZEk, SIZEm, SIZEg); files get 1, 2, ...\n"
	      "  -W COUNT                  with -C: keep a ring of COUNT files (numbered 0..);\n"
	      "                            with -G alone: stop after COUNT files\n"
	      "                            (each file is complete: headers, and statistics at "
	      "end)\n"
	      "      --compress gzip       compress each file as it is written (names get .gz;\n"
	      "                            -C counts the bytes before compression)\n"
	      "  -U, --packet-buffered     write each packet out as soon as it is captured\n"
	      "      --wait-stdin          capture at once, but write nothing until standard\n"
	      "                            input gives a byte or ends (kubectl debug -i: the\n"
	      "                            stream is attached only after the process started)\n"
	      "  -q, --quiet               print nothing but errors on standard error\n"
	      "  -v, --verbose             say what is being captured, and how\n"
	      "      --version             print the version and exit\n"
	      "  -h, --help                print this help and exit\n"
	      "\n"
	      "Wireshark extcap (nsdump linked into Wireshark's extcap folder; see\n"
	      "docs/extcap.md): each running container, pod and ip netns name is an interface\n"
	      "nsdump-docker-NAME, nsdump-podman-NAME, nsdump-containerd-NS-NAME,\n"
	      "nsdump-pod-NS-NAME or nsdump-netns-NAME:\n"
	      "      --extcap-interfaces   list them (--extcap-version=VER: Wireshark's version)\n"
	      "      --extcap-interface=IF the interface the other extcap options are about\n"
	      "      --extcap-dlts         print IF's link type\n"
	      "      --extcap-config       print the options (--mode, --target-interface)\n"
	      "      --capture --fifo=PATH capture IF into the FIFO PATH (pcapng)\n"
	      "      --extcap-capture-filter=FILTER  the capture filter (pcap-filter(7))\n"
	      "\n"
	      "When the output is a pipe, packets reach the reader within about 20 ms.\n"
	      "Stops on -c, --duration, SIGINT, SIGTERM, SIGHUP, a closed pipe, or when the\n"
	      "target process exits or the interface disappears; every packet captured until\n"
	      "then is written, and statistics are printed on standard error.\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success (also a stop by signal, count, duration, or a target that went away)\n"
	      "  1  failure during capture (write error, disk full: the file stays valid;\n"
	      "     --merge: a corrupt input)\n"
	      "  2  usage error, bad filter, bad interface, or a terminal on standard output\n"
	      "  3  target not found, stopped, or ambiguous (the candidates are listed)\n"
	      "  4  not permitted\n",
	      out);
}

/* Parses a whole decimal number in [min, max]. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	/* A year is a generous upper bound and keeps later arithmetic in range. */
	if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 366.0 * 86400)
		return -1;
	*out = v;
	return 0;
}

/* -C as tcpdump reads it: a plain number counts millions of bytes; a k, m or g suffix
 * counts KiB, MiB, GiB. */
static int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long unit = 1000000, v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		unit = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		unit = 1024ULL * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		unit = 1024ULL * 1024 * 1024, end++;
	if (*end != '\0' || v > (1ULL << 50) / unit)
		return -1;
	*out = v * unit;
	return 0;
}

char *nd_cli_join(char *const *words, int n)
{
	size_t len = 0;
	char *s, *p;

	if (n <= 0)
		return NULL;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(words[i]);

		memcpy(p, words[i], l);
		p += l;
		*p++ = (i + 1 < n) ? ' ' : '\0';
	}
	return s;
}

/* "docker,containerd" into a mask of enum nd_runtime. */
static int parse_runtimes(const char *s, unsigned *mask)
{
	char buf[128];
	char *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		enum nd_runtime rt = nd_runtime_parse(tok);

		if (rt == 0)
			return -1;
		*mask |= (unsigned)rt;
	}
	return *mask != 0 ? 0 : -1;
}

/* Records a target. */
static int add_target(struct nd_opts *o, enum nd_target_kind kind, pid_t pid, const char *name,
		      struct nd_err *err)
{
	if (o->ntargets == ND_MAX_TARGETS)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d targets", ND_MAX_TARGETS);
	o->targets[o->ntargets++] =
		(struct nd_target_spec){ .kind = kind, .pid = pid, .name = name };
	return 0;
}

static bool has_kind(const struct nd_opts *o, enum nd_target_kind k1, enum nd_target_kind k2)
{
	for (unsigned int i = 0; i < o->ntargets; i++)
		if (o->targets[i].kind == k1 || o->targets[i].kind == k2)
			return true;
	return false;
}

int nd_cli_mode(const char *word, enum nd_mode *mode)
{
	static const enum nd_mode all[] = { ND_MODE_AUTO, ND_MODE_SETNS, ND_MODE_VETH };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(word, nd_cli_mode_name(all[i])) == 0) {
			*mode = all[i];
			return 0;
		}
	}
	return -1;
}

const char *nd_cli_mode_name(enum nd_mode mode)
{
	switch (mode) {
	case ND_MODE_SETNS:
		return "setns";
	case ND_MODE_VETH:
		return "veth";
	case ND_MODE_AUTO:
		break;
	}
	return "auto";
}

static int bad_value(struct nd_err *err, const char *opt, const char *val, const char *want)
{
	return nd_err_set(err, ND_EXIT_USAGE, 0, "invalid value '%s' for %s: expected %s", val, opt,
			  want);
}

/* --merge reads files: the remaining arguments are its inputs, and the capture's options
 * have nothing to act on. */
static int merge_opts(int argc, char **argv, struct nd_opts *o, struct nd_err *err)
{
	if (o->ntargets || o->nifaces || o->pod_ns || o->runtimes || o->root || o->list ||
	    o->json || o->filter_file || o->buffer_kib || !o->promisc ||
	    o->direction != ND_DIR_INOUT || o->immediate || o->duration > 0 ||
	    o->mode != ND_MODE_AUTO || o->list_ifaces || o->rotate_seconds || o->rotate_bytes ||
	    o->rotate_files || o->snaplen != ND_SNAPLEN_MAX || o->wait_stdin)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--merge reads capture files: it takes no target, filter or "
				  "capture option (only -w, -c, --format, --compress, -U, -q, -v)");
	if (o->quiet && o->verbose > 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-q and -v cannot be used together");
	if (o->gzip && (o->output == NULL || strcmp(o->output, "-") == 0))
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--compress gzip writes files: give a file name with -w");
	if (optind >= argc)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--merge needs input files (pcapng or pcap; '-' for standard "
				  "input)");
	o->inputs = argv + optind;
	o->ninputs = (unsigned int)(argc - optind);
	return 0;
}

int nd_cli_parse(int argc, char **argv, struct nd_opts *opts, struct nd_err *err)
{
	unsigned long v;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->promisc = true;
	opts->direction = ND_DIR_INOUT;
	opts->snaplen = ND_SNAPLEN_MAX;

	/* getopt keeps state across calls; tests parse many argv vectors in one process. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:w:c:s:B:pQ:UF:qvhDG:C:W:t:n:", long_options,
				NULL)) != -1) {
		switch (c) {
		case OPT_PID:
			if (parse_ulong(optarg, 1, INT_MAX, &v) < 0)
				return bad_value(err, "--pid", optarg, "a process ID");
			if (add_target(opts, ND_TARGET_PID, (pid_t)v, NULL, err) < 0)
				return -1;
			break;
		case OPT_NETNS:
			if (optarg[0] == '\0')
				return bad_value(err, "--netns", optarg,
						 "a name under /run/netns or a path");
			if (add_target(opts, ND_TARGET_NETNS, 0, optarg, err) < 0)
				return -1;
			break;
		case 't':
			if (optarg[0] == '\0' || strlen(optarg) >= ND_CT_NAME_MAX)
				return bad_value(err, "--container", optarg,
						 "a container name or ID prefix");
			if (add_target(opts, ND_TARGET_CONTAINER, 0, optarg, err) < 0)
				return -1;
			break;
		case OPT_POD:
			if (optarg[0] == '\0' || strlen(optarg) >= ND_CT_NAME_MAX)
				return bad_value(err, "--pod", optarg, "a pod name");
			if (add_target(opts, ND_TARGET_POD, 0, optarg, err) < 0)
				return -1;
			break;
		case 'n':
			if (optarg[0] == '\0' || strlen(optarg) >= ND_CT_NS_MAX)
				return bad_value(err, "-n", optarg, "a Kubernetes namespace");
			opts->pod_ns = optarg;
			break;
		case OPT_RUNTIME:
			if (parse_runtimes(optarg, &opts->runtimes) < 0)
				return bad_value(
					err, "--runtime", optarg,
					"docker, podman, containerd or crio (comma-separated)");
			break;
		case OPT_ROOT:
			if (optarg[0] != '/')
				return bad_value(err, "--root", optarg,
						 "an absolute directory path");
			opts->root = optarg;
			break;
		case OPT_LIST:
			opts->list = true;
			break;
		case OPT_JSON:
			opts->json = true;
			break;
		case OPT_MERGE:
			opts->merge = true;
			break;
		case OPT_WAIT_STDIN:
			opts->wait_stdin = true;
			break;
		case 'i':
			if (optarg[0] == '\0' || strlen(optarg) >= 16)
				return bad_value(err, "-i", optarg,
						 "an interface name of 1 to 15 characters");
			if (opts->nifaces == ND_MAX_IFACES)
				return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d -i",
						  ND_MAX_IFACES);
			opts->ifaces[opts->nifaces++] = optarg;
			break;
		case 'w':
			if (optarg[0] == '\0')
				return bad_value(err, "-w", optarg, "a file name or '-'");
			opts->output = optarg;
			break;
		case 'c':
			if (parse_ulong(optarg, 1, ULONG_MAX, &v) < 0)
				return bad_value(err, "-c", optarg, "a positive number of packets");
			opts->count = v;
			break;
		case 's':
			if (parse_ulong(optarg, 0, ND_SNAPLEN_MAX, &v) < 0)
				return bad_value(err, "-s", optarg,
						 "a number of bytes, 0 to 262144");
			opts->snaplen = v == 0 ? ND_SNAPLEN_MAX : (int)v;
			break;
		case 'B':
			/* Just under 2 GiB: libpcap takes the size in bytes as an int, and ignores
			 * a value that is not positive without a word. */
			if (parse_ulong(optarg, 1, ND_BUFFER_KIB_MAX, &v) < 0)
				return bad_value(err, "-B", optarg, "a size in KiB, 1 to 2097151");
			opts->buffer_kib = (int)v;
			break;
		case 'p':
			opts->promisc = false;
			break;
		case 'Q':
			if (strcmp(optarg, "in") == 0)
				opts->direction = ND_DIR_IN;
			else if (strcmp(optarg, "out") == 0)
				opts->direction = ND_DIR_OUT;
			else if (strcmp(optarg, "inout") == 0)
				opts->direction = ND_DIR_INOUT;
			else
				return bad_value(err, "-Q", optarg, "in, out or inout");
			break;
		case 'U':
			opts->packet_buffered = true;
			break;
		case 'F':
			opts->filter_file = optarg;
			break;
		case OPT_MODE:
			if (nd_cli_mode(optarg, &opts->mode) < 0)
				return bad_value(err, "--mode", optarg, "auto, setns or veth");
			break;
		case 'D':
			opts->list_ifaces = true;
			break;
		case 'G':
			if (parse_ulong(optarg, 1, 366UL * 86400, &v) < 0)
				return bad_value(err, "-G", optarg, "a positive number of seconds");
			opts->rotate_seconds = (unsigned int)v;
			break;
		case 'C':
			if (parse_size(optarg, &opts->rotate_bytes) < 0)
				return bad_value(
					err, "-C", optarg,
					"a size in millions of bytes, or with a k, m or g suffix");
			break;
		case 'W':
			if (parse_ulong(optarg, 1, 1000000, &v) < 0)
				return bad_value(err, "-W", optarg,
						 "a number of files, 1 to 1000000");
			opts->rotate_files = (unsigned int)v;
			break;
		case OPT_COMPRESS:
			if (strcmp(optarg, "gzip") != 0)
				return bad_value(err, "--compress", optarg, "gzip");
			opts->gzip = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "pcapng") == 0)
				opts->format_pcap = false;
			else if (strcmp(optarg, "pcap") == 0)
				opts->format_pcap = true;
			else
				return bad_value(err, "--format", optarg, "pcapng or pcap");
			break;
		case OPT_IMMEDIATE:
			opts->immediate = true;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &opts->duration) < 0)
				return bad_value(err, "--duration", optarg,
						 "a positive number of seconds");
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'v':
			opts->verbose++;
			break;
		case 'h':
			opts->help = true;
			break;
		case OPT_VERSION:
			opts->version = true;
			break;
		case ':':
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "option %s needs a value (see --help)", argv[optind - 1]);
		default:
			if (optopt != 0 && optopt < CHAR_MAX)
				return nd_err_set(err, ND_EXIT_USAGE, 0,
						  "unknown option '-%c' (see --help)", optopt);
			return nd_err_set(err, ND_EXIT_USAGE, 0, "unknown option '%s' (see --help)",
					  argv[optind - 1]);
		}
	}
	if (opts->help || opts->version)
		return 0;
	if (opts->merge)
		return merge_opts(argc, argv, opts, err);
	if (opts->json && !opts->list)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "--json goes with --list");
	if (opts->pod_ns != NULL && !has_kind(opts, ND_TARGET_POD, ND_TARGET_POD))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-n/--namespace goes with --pod");
	if (opts->pod_ns == NULL)
		opts->pod_ns = "default";
	if ((opts->runtimes != 0 || opts->root != NULL) && !opts->list &&
	    !has_kind(opts, ND_TARGET_CONTAINER, ND_TARGET_POD))
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--runtime and --root go with --container, --pod or --list");
	if (opts->list) {
		if (opts->ntargets != 0 || optind < argc)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "--list takes no target and no filter");
		return 0;
	}
	if (opts->ntargets == 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "no target: give --container NAME|ID, --pod NAME, --pid PID or "
				  "--netns NAME|PATH (see --help; --list shows the containers)");
	if (opts->quiet && opts->verbose > 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-q and -v cannot be used together");
	if ((opts->rotate_seconds || opts->rotate_bytes) &&
	    (opts->output == NULL || strcmp(opts->output, "-") == 0))
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"-G and -C rotate files: give a file name with -w, not standard output");
	if (opts->gzip && (opts->output == NULL || strcmp(opts->output, "-") == 0))
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--compress gzip writes files: give a file name with -w");
	if (opts->rotate_files && !opts->rotate_seconds && !opts->rotate_bytes)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-W needs -C or -G");
	for (unsigned int i = 0; i < opts->nifaces; i++)
		if (opts->mode == ND_MODE_VETH && strcmp(opts->ifaces[i], "any") == 0)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"-i any needs --mode setns: 'any' is not one interface with "
				"one peer");
	if (opts->list_ifaces && opts->ntargets > 1)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-D lists the interfaces of one target");
	if (optind < argc) {
		if (opts->filter_file != NULL)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "a filter was given both with -F and on the command line "
					  "('%s'): use one",
					  argv[optind]);
		opts->filter = nd_cli_join(argv + optind, argc - optind);
		if (opts->filter == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot assemble the filter");
	}
	return 0;
}

void nd_cli_free(struct nd_opts *opts)
{
	free(opts->filter);
	opts->filter = NULL;
}
