/* Wireshark's extcap protocol: arguments, interface names, sentences (see extcap.h). Pure:
 * nothing here reads the system. */
#include <string.h>

#include "nsdump/extcap.h"

enum opt_id {
	O_INTERFACES,
	O_VERSION,
	O_INTERFACE,
	O_DLTS,
	O_CONFIG,
	O_CAPTURE,
	O_FIFO,
	O_FILTER,
	O_MODE,
	O_TARGET_IF,
	O_FOLLOW,
	O_IGNORED, /* logging options Wireshark may add; nsdump logs to stderr anyway */
};

struct opt {
	const char *name;
	bool has_value;
	enum opt_id id;
};

static const struct opt opts[] = {
	{ "--extcap-interfaces", false, O_INTERFACES },
	{ "--extcap-version", true, O_VERSION },
	{ "--extcap-interface", true, O_INTERFACE },
	{ "--extcap-dlts", false, O_DLTS },
	{ "--extcap-config", false, O_CONFIG },
	{ "--capture", false, O_CAPTURE },
	{ "--fifo", true, O_FIFO },
	{ "--extcap-capture-filter", true, O_FILTER },
	{ "--mode", true, O_MODE },
	{ "--target-interface", true, O_TARGET_IF },
	{ "--follow", false, O_FOLLOW },
	{ "--extcap-log-level", true, O_IGNORED },
	{ "--extcap-log-file", true, O_IGNORED },
	{ "--debug", false, O_IGNORED },
	{ "--debug-file", true, O_IGNORED },
};

/* The kinds and their name prefixes after "nsdump-". */
static const struct {
	enum nd_extcap_kind kind;
	const char *word;
} kinds[] = {
	{ ND_EXTCAP_KIND_DOCKER, "docker-" },         { ND_EXTCAP_KIND_PODMAN, "podman-" },
	{ ND_EXTCAP_KIND_CONTAINERD, "containerd-" }, { ND_EXTCAP_KIND_POD, "pod-" },
	{ ND_EXTCAP_KIND_NETNS, "netns-" },
};

bool nd_extcap_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--extcap-", 9) == 0 || strcmp(argv[i], "--capture") == 0)
			return true;
	return false;
}

/* The option that word names: "--name" or "--name=value" (*value then points past '='). */
static const struct opt *find_opt(const char *word, const char **value)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		size_t n = strlen(opts[i].name);

		if (strncmp(word, opts[i].name, n) != 0)
			continue;
		if (word[n] == '\0') {
			*value = NULL;
			return &opts[i];
		}
		if (word[n] == '=') {
			*value = word + n + 1;
			return &opts[i];
		}
	}
	return NULL;
}

static int set_action(struct nd_extcap *x, enum nd_extcap_action a, const char *word,
		      struct nd_err *err)
{
	if (x->action != ND_EXTCAP_NONE && x->action != a)
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "extcap: %s cannot be combined with another extcap action", word);
	x->action = a;
	return 0;
}

static int take(struct nd_extcap *x, const struct opt *o, const char *word, const char *v,
		struct nd_err *err)
{
	switch (o->id) {
	case O_INTERFACES:
		return set_action(x, ND_EXTCAP_INTERFACES, word, err);
	case O_DLTS:
		return set_action(x, ND_EXTCAP_DLTS, word, err);
	case O_CONFIG:
		return set_action(x, ND_EXTCAP_CONFIG, word, err);
	case O_CAPTURE:
		return set_action(x, ND_EXTCAP_CAPTURE, word, err);
	case O_VERSION:
		x->version = v;
		return 0;
	case O_INTERFACE:
		if (v[0] == '\0')
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "extcap: empty --extcap-interface");
		x->iface = v;
		return 0;
	case O_FIFO:
		if (v[0] == '\0')
			return nd_err_set(err, ND_EXIT_USAGE, 0, "extcap: empty --fifo");
		x->fifo = v;
		return 0;
	case O_FILTER:
		/* Wireshark passes the capture filter field as it is: empty means none. */
		x->filter = v[strspn(v, " \t")] != '\0' ? v : NULL;
		return 0;
	case O_MODE:
		if (nd_plan_mode_parse(v, &x->mode) < 0)
			return nd_err_set(
				err, ND_EXIT_USAGE, 0,
				"extcap: invalid value '%s' for --mode: expected auto, veth "
				"or setns",
				v);
		return 0;
	case O_TARGET_IF:
		/* Wireshark may pass an empty string field: nsdump's default choice then. */
		if (strlen(v) >= 16)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "extcap: invalid value '%s' for --target-interface: an "
					  "interface name has at most 15 characters",
					  v);
		x->target_if = v[0] != '\0' ? v : NULL;
		return 0;
	case O_FOLLOW:
		/* A boolflag: Wireshark passes it, without a value, only when it is checked. */
		x->follow = true;
		return 0;
	case O_IGNORED:
		return 0;
	}
	return 0;
}

int nd_extcap_parse(int argc, char **argv, struct nd_extcap *x, struct nd_err *err)
{
	bool filter_given = false;

	memset(x, 0, sizeof(*x));
	x->mode = ND_MODE_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *word = argv[i], *v;
		const struct opt *o = find_opt(word, &v);

		if (o == NULL)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "extcap: unknown argument '%s' (see --help, 'Wireshark "
					  "extcap')",
					  word);
		if (o->has_value && v == NULL) {
			if (i + 1 >= argc)
				return nd_err_set(err, ND_EXIT_USAGE, 0, "extcap: %s needs a value",
						  word);
			v = argv[++i];
		} else if (!o->has_value && v != NULL) {
			return nd_err_set(err, ND_EXIT_USAGE, 0, "extcap: %s takes no value",
					  o->name);
		}
		if (v == NULL)
			v = ""; /* a flag: take() reads no value for it */
		if (o->id == O_FILTER)
			filter_given = true;
		if (take(x, o, word, v, err) < 0)
			return -1;
	}
	if (x->action == ND_EXTCAP_NONE && filter_given && x->iface != NULL)
		x->action = ND_EXTCAP_CHECK_FILTER;
	switch (x->action) {
	case ND_EXTCAP_NONE:
		return nd_err_set(err, ND_EXIT_USAGE, 0,
				  "extcap: no action: give --extcap-interfaces, --extcap-dlts, "
				  "--extcap-config or --capture");
	case ND_EXTCAP_DLTS:
	case ND_EXTCAP_CHECK_FILTER:
		if (x->iface == NULL)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "extcap: --extcap-dlts needs --extcap-interface");
		break;
	case ND_EXTCAP_CAPTURE:
		if (x->iface == NULL || x->fifo == NULL)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "extcap: --capture needs --extcap-interface and --fifo");
		break;
	case ND_EXTCAP_INTERFACES:
	case ND_EXTCAP_CONFIG:
		break;
	}
	return 0;
}

enum nd_extcap_kind nd_extcap_kind(const char *ifname, const char **rest, struct nd_err *err)
{
	size_t plen = strlen(ND_EXTCAP_PREFIX);

	if (strncmp(ifname, ND_EXTCAP_PREFIX, plen) == 0 && strlen(ifname) < ND_EXTCAP_IFNAME_MAX) {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			size_t klen = strlen(kinds[i].word);
			const char *r = ifname + plen + klen;

			if (strncmp(ifname + plen, kinds[i].word, klen) != 0 || r[0] == '\0')
				continue;
			/* A netns name stays a name under /run/netns, never a path. */
			if (kinds[i].kind == ND_EXTCAP_KIND_NETNS &&
			    (strchr(r, '/') != NULL || r[0] == '.'))
				break;
			*rest = r;
			return kinds[i].kind;
		}
	}
	nd_err_set(err, ND_EXIT_NOTFOUND, 0,
		   "extcap: no interface '%.300s': nsdump's are nsdump-docker-NAME, "
		   "nsdump-podman-NAME, nsdump-containerd-NS-NAME, nsdump-pod-NS-NAME and "
		   "nsdump-netns-NAME (tshark -D lists them)",
		   ifname);
	return ND_EXTCAP_KIND_NONE;
}

/* extcap sentences are "{key=value}" fields: a value must hold no brace and no line end, and
 * nothing that would not print. */
static bool fits_grammar(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '{' || *s == '}' || (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static enum nd_extcap_kind named(enum nd_extcap_kind k, int n1, size_t s1, int n2, size_t s2,
				 const char *name)
{
	if (n1 < 0 || (size_t)n1 >= s1 || n2 < 0 || (size_t)n2 >= s2 || !fits_grammar(name))
		return ND_EXTCAP_KIND_NONE;
	return k;
}

enum nd_extcap_kind nd_extcap_name(const struct nd_container *c, char *name, size_t name_size,
				   char *display, size_t display_size)
{
	const char *rt = nd_runtime_name(c->runtime);
	int n1, n2;

	if (!c->running)
		return ND_EXTCAP_KIND_NONE;
	if (c->pod_name[0] != '\0' && c->pod_ns[0] != '\0') {
		n1 = snprintf(name, name_size, ND_EXTCAP_PREFIX "pod-%s-%s", c->pod_ns,
			      c->pod_name);
		n2 = snprintf(display, display_size, "nsdump: Kubernetes pod %s/%s (%s)", c->pod_ns,
			      c->pod_name, rt);
		return named(ND_EXTCAP_KIND_POD, n1, name_size, n2, display_size, name);
	}
	switch (c->runtime) {
	case ND_RT_DOCKER:
	case ND_RT_PODMAN:
		n1 = snprintf(name, name_size, ND_EXTCAP_PREFIX "%s-%s", rt, c->name);
		n2 = snprintf(display, display_size, "nsdump: %s container %s (%.12s)",
			      c->runtime == ND_RT_DOCKER ? "Docker" : "Podman", c->name, c->id);
		return named(c->runtime == ND_RT_DOCKER ? ND_EXTCAP_KIND_DOCKER
							: ND_EXTCAP_KIND_PODMAN,
			     n1, name_size, n2, display_size, name);
	case ND_RT_CONTAINERD:
		n1 = snprintf(name, name_size, ND_EXTCAP_PREFIX "containerd-%s-%s", c->ns, c->name);
		n2 = snprintf(display, display_size, "nsdump: containerd container %s/%s (%.12s)",
			      c->ns, c->name, c->id);
		return named(ND_EXTCAP_KIND_CONTAINERD, n1, name_size, n2, display_size, name);
	case ND_RT_CRIO:
		break;
	}
	/* CRI-O runs containers only in pods: without pod labels there is nothing to name. */
	return ND_EXTCAP_KIND_NONE;
}

const struct nd_container *nd_extcap_match(const struct nd_container_list *l, const char *ifname)
{
	char name[ND_EXTCAP_IFNAME_MAX], display[512];

	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (nd_extcap_name(&l->v[i], name, sizeof(name), display, sizeof(display)) !=
			    ND_EXTCAP_KIND_NONE &&
		    strcmp(name, ifname) == 0)
			return &l->v[i];
	return NULL;
}

enum nd_extcap_kind nd_extcap_netns_name(const char *netns, char *name, size_t name_size,
					 char *display, size_t display_size)
{
	int n1, n2;

	if (netns[0] == '\0' || netns[0] == '.' || strchr(netns, '/') != NULL)
		return ND_EXTCAP_KIND_NONE;
	n1 = snprintf(name, name_size, ND_EXTCAP_PREFIX "netns-%s", netns);
	n2 = snprintf(display, display_size, "nsdump: network namespace %s (ip netns)", netns);
	return named(ND_EXTCAP_KIND_NETNS, n1, name_size, n2, display_size, name);
}

static int written(FILE *out, struct nd_err *err)
{
	if (ferror(out) || fflush(out) != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "extcap: cannot write to standard output");
	return 0;
}

int nd_extcap_print_version(FILE *out, struct nd_err *err)
{
	/* help: the document the Debian package installs (docs/extcap.md). */
	fprintf(out, "extcap {version=%s}{help=file:///usr/share/doc/nsdump/extcap.md}\n",
		ND_VERSION);
	return written(out, err);
}

/* True when name was printed already (a second container of the same pod). */
static bool printed_before(const struct nd_container_list *l, size_t upto, const char *name)
{
	char other[ND_EXTCAP_IFNAME_MAX], display[512];

	for (size_t j = 0; j < upto; j++)
		if (nd_extcap_name(&l->v[j], other, sizeof(other), display, sizeof(display)) !=
			    ND_EXTCAP_KIND_NONE &&
		    strcmp(other, name) == 0)
			return true;
	return false;
}

int nd_extcap_print_interfaces(FILE *out, const struct nd_container_list *l, char *const *netns,
			       size_t n, struct nd_err *err)
{
	char name[ND_EXTCAP_IFNAME_MAX], display[512];

	for (size_t i = 0; l != NULL && i < l->n; i++) {
		if (nd_extcap_name(&l->v[i], name, sizeof(name), display, sizeof(display)) ==
			    ND_EXTCAP_KIND_NONE ||
		    printed_before(l, i, name))
			continue;
		fprintf(out, "interface {value=%s}{display=%s}\n", name, display);
	}
	for (size_t i = 0; i < n; i++)
		if (nd_extcap_netns_name(netns[i], name, sizeof(name), display, sizeof(display)) !=
		    ND_EXTCAP_KIND_NONE)
			fprintf(out, "interface {value=%s}{display=%s}\n", name, display);
	return written(out, err);
}

int nd_extcap_print_dlts(FILE *out, struct nd_err *err)
{
	/* Ethernet: a container's eth0 (veth) in either mode. The file itself says its link type
	 * (Linux cooked with --target-interface any), which is what Wireshark decodes by. */
	fputs("dlt {number=1}{name=EN10MB}{display=Ethernet}\n", out);
	return written(out, err);
}

bool nd_extcap_can_follow(enum nd_extcap_kind k)
{
	return k != ND_EXTCAP_KIND_NONE && k != ND_EXTCAP_KIND_NETNS;
}

int nd_extcap_print_config(FILE *out, enum nd_extcap_kind k, struct nd_err *err)
{
	fputs("arg {number=0}{call=--mode}{display=Capture mode}{type=selector}"
	      "{tooltip=auto: on the host end of the veth pair when there is one, else inside the "
	      "namespace}\n"
	      "value {arg=0}{value=auto}{display=auto}{default=true}\n"
	      "value {arg=0}{value=veth}{display=veth (host end of the veth pair)}{default=false}\n"
	      "value {arg=0}{value=setns}{display=setns (inside the namespace)}{default=false}\n"
	      "arg {number=1}{call=--target-interface}{display=Interface in the target}"
	      "{type=string}{tooltip=default: eth0, else the only one that is not loopback; any: "
	      "all (setns mode)}\n",
	      out);
	/* A named network namespace has no start to wait for: nsdump's --follow refuses
	 * --netns, so its interfaces do not offer it. */
	if (nd_extcap_can_follow(k))
		fputs("arg {number=2}{call=--follow}{display=Follow restarts}{type=boolflag}"
		      "{default=false}{tooltip=when the container or pod stops, keep waiting, and "
		      "capture it again each time it starts anew (nsdump --follow)}\n",
		      out);
	return written(out, err);
}
