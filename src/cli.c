/* The option table, validation and usage text. Nothing here touches the system: the values are
 * checked for form only, and main.c acts on them in the order the privilege model wants.
 *
 * One table (optdefs[] below) says everything about an option: its long and short names (getopt's
 * tables are built from it, so every spelling getopt_long accepts, abbreviations included, is
 * the same option), how its value is taken, and which of the three jobs it belongs to. What
 * goes with what is said by the tables after it, as util-linux says it with
 * err_exclusive_options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
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
	OPT_FOLLOW,
};

/* The jobs: capture (with -D, which lists a target's interfaces), --list, --merge. */
enum job {
	J_CAPTURE = 1 << 0,
	J_LIST = 1 << 1,
	J_MERGE = 1 << 2,
	J_ANY = J_CAPTURE | J_LIST | J_MERGE,
};

typedef int (*take_fn)(struct nd_opts *o, const char *arg, struct nd_err *err);

struct optdef {
	int id;            /* what getopt_long returns: the short letter, or OPT_* */
	const char *lname; /* long name without "--", NULL if none */
	int has_arg;
	unsigned jobs; /* enum job: where it may be given */
	take_fn take;  /* takes the value; NULL for a flag */
	size_t flag;   /* for a flag: offsetof its bool in struct nd_opts */
};

static int bad_value(struct nd_err *err, const char *opt, const char *val, const char *want)
{
	return nd_err_set(err, ND_EXIT_USAGE, 0, "invalid value '%s' for %s: expected %s", val, opt,
			  want);
}
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
	      "      --pod NAME            a Kubernetes pod on this node: its sandbox's network\n"
	      "                            namespace, which all the pod's containers share (no\n"
	      "                            need to pick one of them: each sees the same traffic)\n"
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
	      "      --follow              with --container or --pod: wait for the target to\n"
	      "                            start if it does not run, capture it from its first\n"
	      "                            packet, and again each time it starts anew (a new\n"
	      "                            pcapng interface per start); ends only on -c,\n"
	      "                            --duration or a signal\n"
	      "  -c, --count COUNT         stop after COUNT packets\n"
	      "      --duration SECONDS    stop after SECONDS (decimals allowed)\n"
	      "  -s, --snapshot-length N   bytes kept per packet (default and 0: 262144)\n"
	      "  -B, --buffer-size KiB     kernel capture ring size (default 4096 KiB to a pipe,\n"
	      "                            12288 KiB to a file; at most 2097151 KiB)\n"
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

/* ---- taking each option's value ---- */

static int add_target(struct nd_opts *o, enum nd_target_kind kind, pid_t pid, const char *name,
		      struct nd_err *err)
{
	if (o->ntargets == ND_MAX_TARGETS)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d targets", ND_MAX_TARGETS);
	o->targets[o->ntargets++] =
		(struct nd_target_spec){ .kind = kind, .pid = pid, .name = name };
	return 0;
}

static int take_pid(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	unsigned long v;

	if (parse_ulong(arg, 1, INT_MAX, &v) < 0)
		return bad_value(err, "--pid", arg, "a process ID");
	return add_target(o, ND_TARGET_PID, (pid_t)v, NULL, err);
}

static int take_netns(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0')
		return bad_value(err, "--netns", arg, "a name under /run/netns or a path");
	return add_target(o, ND_TARGET_NETNS, 0, arg, err);
}

static int take_container(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0' || strlen(arg) >= ND_CT_NAME_MAX)
		return bad_value(err, "--container", arg, "a container name or ID prefix");
	return add_target(o, ND_TARGET_CONTAINER, 0, arg, err);
}

static int take_pod(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0' || strlen(arg) >= ND_CT_NAME_MAX)
		return bad_value(err, "--pod", arg, "a pod name");
	return add_target(o, ND_TARGET_POD, 0, arg, err);
}

static int take_pod_ns(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0' || strlen(arg) >= ND_CT_NS_MAX)
		return bad_value(err, "-n", arg, "a Kubernetes namespace");
	o->pod_ns = arg;
	return 0;
}

static int take_runtime(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (parse_runtimes(arg, &o->runtimes) < 0)
		return bad_value(err, "--runtime", arg,
				 "docker, podman, containerd or crio (comma-separated)");
	return 0;
}

static int take_root(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] != '/')
		return bad_value(err, "--root", arg, "an absolute directory path");
	o->root = arg;
	return 0;
}

static int take_iface(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0' || strlen(arg) >= 16)
		return bad_value(err, "-i", arg, "an interface name of 1 to 15 characters");
	if (o->nifaces == ND_MAX_IFACES)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "at most %d -i", ND_MAX_IFACES);
	o->ifaces[o->nifaces++] = arg;
	return 0;
}

static int take_write(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (arg[0] == '\0')
		return bad_value(err, "-w", arg, "a file name or '-'");
	o->output = arg;
	return 0;
}

static int take_count(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (parse_ulong(arg, 1, ULONG_MAX, &o->count) < 0)
		return bad_value(err, "-c", arg, "a positive number of packets");
	return 0;
}

static int take_snaplen(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	unsigned long v;

	if (parse_ulong(arg, 0, ND_SNAPLEN_MAX, &v) < 0)
		return bad_value(err, "-s", arg, "a number of bytes, 0 to 262144");
	o->snaplen = v == 0 ? ND_SNAPLEN_MAX : (int)v;
	return 0;
}

static int take_buffer(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	unsigned long v;

	/* Just under 2 GiB: libpcap takes the size in bytes as an int, and ignores a value that
	 * is not positive without a word. */
	if (parse_ulong(arg, 1, ND_BUFFER_KIB_MAX, &v) < 0)
		return bad_value(err, "-B", arg, "a size in KiB, 1 to 2097151");
	o->buffer_kib = (int)v;
	return 0;
}

static int take_no_promisc(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	(void)arg;
	(void)err;
	o->promisc = false;
	return 0;
}

static int take_direction(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (strcmp(arg, "in") == 0)
		o->direction = ND_DIR_IN;
	else if (strcmp(arg, "out") == 0)
		o->direction = ND_DIR_OUT;
	else if (strcmp(arg, "inout") == 0)
		o->direction = ND_DIR_INOUT;
	else
		return bad_value(err, "-Q", arg, "in, out or inout");
	return 0;
}

static int take_filter_file(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	(void)err;
	o->filter_file = arg;
	return 0;
}

static int take_mode(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (nd_plan_mode_parse(arg, &o->mode) < 0)
		return bad_value(err, "--mode", arg, "auto, setns or veth");
	return 0;
}

static int take_rotate_seconds(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	unsigned long v;

	if (parse_ulong(arg, 1, 366UL * 86400, &v) < 0)
		return bad_value(err, "-G", arg, "a positive number of seconds");
	o->rotate_seconds = (unsigned int)v;
	return 0;
}

static int take_rotate_size(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (parse_size(arg, &o->rotate_bytes) < 0)
		return bad_value(err, "-C", arg,
				 "a size in millions of bytes, or with a k, m or g suffix");
	return 0;
}

static int take_rotate_files(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	unsigned long v;

	if (parse_ulong(arg, 1, 1000000, &v) < 0)
		return bad_value(err, "-W", arg, "a number of files, 1 to 1000000");
	o->rotate_files = (unsigned int)v;
	return 0;
}

static int take_compress(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (strcmp(arg, "gzip") != 0)
		return bad_value(err, "--compress", arg, "gzip");
	o->gzip = true;
	return 0;
}

static int take_format(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (strcmp(arg, "pcapng") == 0)
		o->format_pcap = false;
	else if (strcmp(arg, "pcap") == 0)
		o->format_pcap = true;
	else
		return bad_value(err, "--format", arg, "pcapng or pcap");
	return 0;
}

static int take_duration(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	if (parse_seconds(arg, &o->duration) < 0)
		return bad_value(err, "--duration", arg, "a positive number of seconds");
	return 0;
}

static int take_verbose(struct nd_opts *o, const char *arg, struct nd_err *err)
{
	(void)arg;
	(void)err;
	o->verbose++;
	return 0;
}

#define FLAG(field) NULL, offsetof(struct nd_opts, field)
#define VALUE(fn)   fn, 0

/* Every option, in --help's order. */
static const struct optdef optdefs[] = {
	{ 't', "container", required_argument, J_CAPTURE, VALUE(take_container) },
	{ OPT_POD, "pod", required_argument, J_CAPTURE, VALUE(take_pod) },
	{ 'n', "namespace", required_argument, J_CAPTURE, VALUE(take_pod_ns) },
	{ OPT_PID, "pid", required_argument, J_CAPTURE, VALUE(take_pid) },
	{ OPT_NETNS, "netns", required_argument, J_CAPTURE, VALUE(take_netns) },
	{ OPT_LIST, "list", no_argument, J_LIST, FLAG(list) },
	{ OPT_JSON, "json", no_argument, J_LIST, FLAG(json) },
	{ OPT_RUNTIME, "runtime", required_argument, J_CAPTURE | J_LIST, VALUE(take_runtime) },
	{ OPT_ROOT, "root", required_argument, J_CAPTURE | J_LIST, VALUE(take_root) },
	{ OPT_MERGE, "merge", no_argument, J_MERGE, FLAG(merge) },
	{ 'i', "interface", required_argument, J_CAPTURE, VALUE(take_iface) },
	{ OPT_MODE, "mode", required_argument, J_CAPTURE, VALUE(take_mode) },
	{ 'D', "list-interfaces", no_argument, J_CAPTURE, FLAG(list_ifaces) },
	{ 'c', "count", required_argument, J_CAPTURE | J_MERGE, VALUE(take_count) },
	{ OPT_DURATION, "duration", required_argument, J_CAPTURE, VALUE(take_duration) },
	{ 's', "snapshot-length", required_argument, J_CAPTURE, VALUE(take_snaplen) },
	{ 'B', "buffer-size", required_argument, J_CAPTURE, VALUE(take_buffer) },
	{ 'p', "no-promiscuous-mode", no_argument, J_CAPTURE, VALUE(take_no_promisc) },
	{ 'Q', "direction", required_argument, J_CAPTURE, VALUE(take_direction) },
	{ 'F', "filter-file", required_argument, J_CAPTURE, VALUE(take_filter_file) },
	{ OPT_IMMEDIATE, "immediate-mode", no_argument, J_CAPTURE, FLAG(immediate) },
	{ 'w', "write", required_argument, J_CAPTURE | J_MERGE, VALUE(take_write) },
	{ OPT_FORMAT, "format", required_argument, J_CAPTURE | J_MERGE, VALUE(take_format) },
	{ 'G', NULL, required_argument, J_CAPTURE, VALUE(take_rotate_seconds) },
	{ 'C', NULL, required_argument, J_CAPTURE, VALUE(take_rotate_size) },
	{ 'W', NULL, required_argument, J_CAPTURE, VALUE(take_rotate_files) },
	{ OPT_COMPRESS, "compress", required_argument, J_CAPTURE | J_MERGE, VALUE(take_compress) },
	{ 'U', "packet-buffered", no_argument, J_CAPTURE | J_MERGE, FLAG(packet_buffered) },
	{ OPT_WAIT_STDIN, "wait-stdin", no_argument, J_CAPTURE, FLAG(wait_stdin) },
	{ OPT_FOLLOW, "follow", no_argument, J_CAPTURE, FLAG(follow) },
	{ 'q', "quiet", no_argument, J_ANY, FLAG(quiet) },
	{ 'v', "verbose", no_argument, J_ANY, VALUE(take_verbose) },
	{ OPT_VERSION, "version", no_argument, J_ANY, FLAG(version) },
	{ 'h', "help", no_argument, J_ANY, FLAG(help) },
};
#define NOPTS (sizeof(optdefs) / sizeof(optdefs[0]))

/* What goes with what. At most one option of each row of exclusive[]; the option in the first
 * column of needs[] only with one of the others (a capture's options: --list and --merge have
 * their own, by the jobs column above). 0 ends a row. */
static const int exclusive[][3] = {
	{ 'q', 'v', 0 },
};
static const int needs[][4] = {
	{ 'n', OPT_POD, 0 },
	{ OPT_RUNTIME, 't', OPT_POD, 0 },
	{ OPT_ROOT, 't', OPT_POD, 0 },
	{ 'W', 'C', 'G', 0 },
};

/* ---- the tables at work ---- */

static size_t index_of(int id)
{
	size_t i = 0;

	while (i < NOPTS && optdefs[i].id != id)
		i++;
	return i;
}

/* The name messages use: "-c/--count", "-G", "--pid". */
static const char *name_of(int id, char *buf, size_t size)
{
	const struct optdef *d = &optdefs[index_of(id)];

	if (id <= CHAR_MAX && d->lname != NULL)
		snprintf(buf, size, "-%c/--%s", id, d->lname);
	else if (id <= CHAR_MAX)
		snprintf(buf, size, "-%c", id);
	else
		snprintf(buf, size, "--%s", d->lname);
	return buf;
}

/* getopt_long's tables, from optdefs[]: long options, and the short ones ("i:w:...", with ':'
 * first so that a missing value is told apart from an unknown option). */
static void getopt_tables(struct option *lo, char *so)
{
	size_t n = 0, k = 0;

	so[k++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		if (optdefs[i].lname != NULL)
			lo[n++] = (struct option){ optdefs[i].lname, optdefs[i].has_arg, NULL,
						   optdefs[i].id };
		if (optdefs[i].id <= CHAR_MAX) {
			so[k++] = (char)optdefs[i].id;
			if (optdefs[i].has_arg == required_argument)
				so[k++] = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[k] = '\0';
}

/* An argument getopt_long did not take: an unknown option, or an abbreviation of several. */
static int unknown_option(const char *word, struct nd_err *err)
{
	char names[256] = "";
	size_t len, used = 0, matches = 0;

	if (optopt != 0 && optopt <= CHAR_MAX)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "unknown option '-%c' (see --help)",
				  optopt);
	if (strncmp(word, "--", 2) == 0) {
		len = strcspn(word + 2, "=");
		for (size_t i = 0; i < NOPTS; i++) {
			if (optdefs[i].lname == NULL ||
			    strncmp(optdefs[i].lname, word + 2, len) != 0)
				continue;
			matches++;
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s--%s",
						 used ? ", " : "", optdefs[i].lname);
			if (used >= sizeof(names))
				break;
		}
		if (matches > 1)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "option '%.*s' is ambiguous: %s (see --help)",
					  (int)(len + 2), word, names);
	}
	return nd_err_set(err, ND_EXIT_USAGE, 0, "unknown option '%s' (see --help)", word);
}

/* Takes one option getopt_long returned (c), marking it seen. */
static int take(int c, char *const *argv, struct nd_opts *o, uint64_t *seen, struct nd_err *err)
{
	size_t i = index_of(c);

	if (c == ':')
		return nd_err_set(err, ND_EXIT_USAGE, 0, "option %s needs a value (see --help)",
				  argv[optind - 1]);
	if (i == NOPTS)
		return unknown_option(argv[optind - 1], err);
	*seen |= 1ULL << i;
	if (optdefs[i].take != NULL)
		return optdefs[i].take(o, optarg, err);
	*(bool *)(void *)((char *)o + optdefs[i].flag) = true;
	return 0;
}

static bool was_seen(uint64_t seen, int id)
{
	size_t i = index_of(id);

	return i < NOPTS && (seen & (1ULL << i)) != 0;
}

/* "-C or -G", "--container, --pod or --list": the options of a row from column `from`. */
static void row_names(const int *row, bool or_list, char *buf, size_t size)
{
	size_t used = 0, n = 0;
	char one[32];

	while (row[n] != 0)
		n++;
	buf[0] = '\0';
	for (size_t k = 0; k < n && used < size; k++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 k == 0                   ? ""
					 : k + 1 == n && !or_list ? " or "
								  : ", ",
					 name_of(row[k], one, sizeof(one)));
	if (or_list && used < size)
		snprintf(buf + used, size - used, " or --list");
}

/* The options a job takes besides the one that names it, for messages. */
static void job_options(enum job job, char *buf, size_t size)
{
	size_t used = 0;
	char one[32];

	buf[0] = '\0';
	for (size_t k = 0; k < NOPTS && used < size; k++) {
		int id = optdefs[k].id;

		if ((optdefs[k].jobs & job) && id != OPT_MERGE && id != OPT_LIST && id != 'h' &&
		    id != OPT_VERSION)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
						 name_of(id, one, sizeof(one)));
	}
}

/* Every option given belongs to the job asked for; the exclusive and needs rows hold. */
static int check_tables(const struct nd_opts *o, enum job job, uint64_t seen, struct nd_err *err)
{
	char a[32], b[32], list[320];

	for (size_t i = 0; i < NOPTS; i++) {
		if (!(seen & (1ULL << i)) || (optdefs[i].jobs & job))
			continue;
		name_of(optdefs[i].id, a, sizeof(a));
		if (job == J_CAPTURE)
			return nd_err_set(err, ND_EXIT_USAGE, 0, "%s goes with %s", a,
					  optdefs[i].jobs & J_LIST ? "--list" : "--merge");
		job_options(job, list, sizeof(list));
		if (job == J_MERGE)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"--merge reads capture files: it takes no target, filter or "
				"capture option such as %s (only %s)",
				a, list);
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--list shows the containers: %s does not go with it (only %s)",
				  a, list);
	}
	for (size_t r = 0; r < sizeof(exclusive) / sizeof(exclusive[0]); r++) {
		int first = 0;

		for (size_t k = 0; exclusive[r][k] != 0; k++) {
			if (!was_seen(seen, exclusive[r][k]))
				continue;
			if (first != 0)
				return nd_err_set(err, ND_EXIT_USAGE, 0,
						  "%s and %s cannot be used together",
						  name_of(first, a, sizeof(a)),
						  name_of(exclusive[r][k], b, sizeof(b)));
			first = exclusive[r][k];
		}
	}
	if (job != J_CAPTURE)
		return 0;
	for (size_t r = 0; r < sizeof(needs) / sizeof(needs[0]); r++) {
		bool any = false;

		if (!was_seen(seen, needs[r][0]))
			continue;
		for (size_t k = 1; needs[r][k] != 0; k++)
			any |= was_seen(seen, needs[r][k]);
		if (!any) {
			row_names(needs[r] + 1, optdefs[index_of(needs[r][0])].jobs & J_LIST, list,
				  sizeof(list));
			return nd_err_set(err, ND_EXIT_USAGE, 0, "%s goes with %s",
					  name_of(needs[r][0], a, sizeof(a)), list);
		}
	}
	(void)o;
	return 0;
}

static bool to_stdout(const struct nd_opts *o)
{
	return o->output == NULL || strcmp(o->output, "-") == 0;
}

/* What the tables cannot say: values that exclude each other, and the words after the
 * options (a filter; --merge's inputs). */
static int check_values(int argc, char **argv, struct nd_opts *o, enum job job, struct nd_err *err)
{
	if (o->gzip && to_stdout(o))
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "--compress gzip writes files: give a file name with -w");
	if (job == J_MERGE) {
		if (optind >= argc)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"--merge needs input files (pcapng or pcap; '-' for standard "
				"input)");
		o->inputs = argv + optind;
		o->ninputs = (unsigned int)(argc - optind);
		return 0;
	}
	if (o->pod_ns == NULL)
		o->pod_ns = "default";
	if (job == J_LIST)
		return optind < argc ? nd_err_set(err, ND_EXIT_USAGE, 0,
						  "--list takes no target and no filter ('%s')",
						  argv[optind])
				     : 0;
	if (o->ntargets == 0)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "no target: give --container NAME|ID, --pod NAME, --pid PID or "
				  "--netns NAME|PATH (see --help; --list shows the containers)");
	if ((o->rotate_seconds || o->rotate_bytes) && to_stdout(o))
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"-G and -C rotate files: give a file name with -w, not standard output");
	for (unsigned int i = 0; i < o->nifaces; i++)
		if (o->mode == ND_MODE_VETH && strcmp(o->ifaces[i], "any") == 0)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"-i any needs --mode setns: 'any' is not one interface with "
				"one peer");
	for (unsigned int i = 0; o->follow && i < o->ntargets; i++)
		if (o->targets[i].kind == ND_TARGET_PID || o->targets[i].kind == ND_TARGET_NETNS)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "--follow waits for a container or pod to start and "
					  "follows its restarts: with %s there is nothing to "
					  "follow (use --container or --pod)",
					  o->targets[i].kind == ND_TARGET_PID ? "--pid"
									      : "--netns");
	if (o->follow && o->list_ifaces)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "-D lists the interfaces of a running target: it does not go "
				  "with --follow");
	if (o->list_ifaces && o->ntargets > 1)
		return nd_err_set(err, ND_EXIT_USAGE, 0, "-D lists the interfaces of one target");
	if (optind < argc && o->filter_file != NULL)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "a filter was given both with -F and on the command line "
				  "('%s'): use one",
				  argv[optind]);
	return 0;
}

const char *nd_cli_long_name(size_t i)
{
	for (size_t k = 0, n = 0; k < NOPTS; k++)
		if (optdefs[k].lname != NULL && n++ == i)
			return optdefs[k].lname;
	return NULL;
}

int nd_cli_parse(int argc, char **argv, struct nd_opts *o, struct nd_err *err)
{
	struct option lo[NOPTS + 1];
	char so[2 * NOPTS + 2];
	struct nd_err first;
	bool failed = false;
	uint64_t seen = 0;
	enum job job;
	int c;

	_Static_assert(NOPTS <= 64, "the seen set is a 64-bit mask");
	getopt_tables(lo, so);
	memset(o, 0, sizeof(*o));
	o->promisc = true;
	o->direction = ND_DIR_INOUT;
	o->snaplen = ND_SNAPLEN_MAX;
	/* getopt keeps state across calls; tests parse many argv vectors in one process. */
	optind = 0;
	opterr = 0;
	/* Every word is read even after a bad one: --help and --version answer whatever else
	 * the line holds (as the first error would otherwise hide them). */
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		struct nd_err e;

		if (take(c, argv, o, &seen, &e) < 0 && !failed) {
			first = e;
			failed = true;
		}
	}
	if (o->help || o->version)
		return 0;
	if (failed) {
		*err = first;
		return -1;
	}
	job = o->merge ? J_MERGE : o->list ? J_LIST : J_CAPTURE;
	if (check_tables(o, job, seen, err) < 0 || check_values(argc, argv, o, job, err) < 0)
		return -1;
	if (job == J_CAPTURE && optind < argc) {
		o->filter = nd_cli_join(argv + optind, argc - optind);
		if (o->filter == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot assemble the filter");
	}
	return 0;
}

void nd_cli_session_cfg(const struct nd_opts *o, struct nd_session_cfg *cfg)
{
	nd_session_cfg_init(cfg);
	for (unsigned int i = 0; i < o->ntargets; i++) {
		cfg->targets[i] = o->targets[i];
		cfg->targets[i].pod_ns = o->pod_ns;
	}
	cfg->ntargets = o->ntargets;
	memcpy(cfg->ifaces, o->ifaces, sizeof(cfg->ifaces));
	cfg->nifaces = o->nifaces;
	cfg->resolver = (struct nd_resolver_cfg){ .runtimes = o->runtimes, .root = o->root };
	cfg->capture = (struct nd_capture_cfg){ .snaplen = o->snaplen,
						.buffer_kib = o->buffer_kib,
						.promisc = o->promisc,
						.immediate = o->immediate };
	cfg->direction = o->direction;
	cfg->mode = o->mode;
	cfg->filter = o->filter;
	cfg->list_ifaces = o->list_ifaces;
	cfg->output = o->output;
	cfg->format = o->format_pcap ? ND_FORMAT_PCAP : ND_FORMAT_PCAPNG;
	cfg->rotate_seconds = o->rotate_seconds;
	cfg->rotate_bytes = o->rotate_bytes;
	cfg->rotate_files = o->rotate_files;
	cfg->gzip = o->gzip;
	cfg->count = o->count;
	cfg->duration = o->duration;
	cfg->packet_buffered = o->packet_buffered;
	cfg->quiet = o->quiet;
	cfg->verbose = o->verbose;
	cfg->follow = o->follow;
}

void nd_cli_free(struct nd_opts *o)
{
	free(o->filter);
	o->filter = NULL;
}
