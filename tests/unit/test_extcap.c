/* Extcap mode: the arguments as Wireshark passes them, the interface names of every kind of
 * target, and the sentences printed. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "nsdump/extcap.h"
#include "unit.h"

/* Parses a NULL-terminated list of words after "nsdump". */
static int parse(struct nd_extcap *x, struct nd_err *e, ...)
{
	char *argv[32];
	va_list ap;
	int argc;

	va_start(ap, e);
	argc = unit_argv(argv, 32, ap);
	va_end(ap);
	memset(e, 0, sizeof(*e));
	return nd_extcap_parse(argc, argv, x, e);
}

/* What f printed, as one string (static buffer). */
static const char *printed(int (*f)(FILE *, struct nd_err *))
{
	static char buf[4096];
	struct nd_err e;
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	if (m == NULL || f(m, &e) < 0)
		return "(error)";
	fclose(m);
	return buf;
}

/* The config sentences for an interface of kind k (static buffer). */
static const char *config_of(enum nd_extcap_kind k)
{
	static char buf[4096];
	struct nd_err e;
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	if (m == NULL || nd_extcap_print_config(m, k, &e) < 0)
		return "(error)";
	fclose(m);
	return buf;
}

static struct nd_container ct(enum nd_runtime rt, const char *ns, const char *name,
			      const char *pod_ns, const char *pod)
{
	struct nd_container c = { .runtime = rt, .running = true };

	snprintf(c.ns, sizeof(c.ns), "%s", ns);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.id, sizeof(c.id), "3f2a1b4c5d6e7f8091a2b3c4d5e6f708");
	snprintf(c.pod_ns, sizeof(c.pod_ns), "%s", pod_ns);
	snprintf(c.pod_name, sizeof(c.pod_name), "%s", pod);
	return c;
}

int main(void)
{
	struct nd_extcap x;
	struct nd_err e;
	char name[ND_EXTCAP_IFNAME_MAX], display[512];
	const char *rest = NULL;
	int rc;
	char *words[] = { W("nsdump"), W("--capture"), NULL };
	char *plain[] = { W("nsdump"), W("--pid"), W("1"), W("--mode"), W("veth"), NULL };

	CHECK("--capture asks for extcap mode", nd_extcap_requested(2, words));
	CHECK("nsdump's own options do not", !nd_extcap_requested(5, plain));

	/* What tshark 4.0 passes, in both spellings. */
	rc = parse(&x, &e, W("--extcap-interfaces"), W("--extcap-version=4.0"), (char *)NULL);
	CHECK("--extcap-interfaces --extcap-version=4.0",
	      rc == 0 && x.action == ND_EXTCAP_INTERFACES);
	CHECK_STR("version kept", x.version, "4.0");
	rc = parse(&x, &e, W("--extcap-config"), W("--extcap-interface"), W("nsdump-netns-blue"),
		   (char *)NULL);
	CHECK("--extcap-config --extcap-interface IF", rc == 0 && x.action == ND_EXTCAP_CONFIG);
	CHECK_STR("interface kept", x.iface, "nsdump-netns-blue");
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface"), W("nsdump-docker-web1"),
		   W("--extcap-capture-filter"), W("udp port 5"), W("--fifo"),
		   W("/tmp/wireshark_extcap_x"), (char *)NULL);
	CHECK("--capture with filter and fifo", rc == 0 && x.action == ND_EXTCAP_CAPTURE &&
							x.mode == ND_MODE_AUTO &&
							x.target_if == NULL);
	CHECK_STR("capture filter kept whole", x.filter, "udp port 5");
	CHECK_STR("fifo kept", x.fifo, "/tmp/wireshark_extcap_x");
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface=nsdump-netns-a"),
		   W("--fifo=/tmp/f"), W("--mode=setns"), W("--target-interface=lo"),
		   W("--extcap-capture-filter="), W("--extcap-log-level"), W("debug"), W("--debug"),
		   (char *)NULL);
	CHECK("--opt=value forms, config arguments, logging options ignored",
	      rc == 0 && x.mode == ND_MODE_SETNS && x.filter == NULL);
	CHECK_STR("--target-interface kept", x.target_if, "lo");
	CHECK("no --follow: not followed", !x.follow);
	/* "follow restarts" is a boolflag: Wireshark passes --follow, alone, when checked. */
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface"), W("nsdump-docker-web1"),
		   W("--fifo"), W("/tmp/f"), W("--follow"), W("--mode"), W("veth"), (char *)NULL);
	CHECK("--capture --follow",
	      rc == 0 && x.action == ND_EXTCAP_CAPTURE && x.follow && x.mode == ND_MODE_VETH);
	rc = parse(&x, &e, W("--follow"), W("--capture"), W("--extcap-interface=nsdump-pod-a-b"),
		   W("--fifo=/tmp/f"), (char *)NULL);
	CHECK("--follow first, --opt=value forms", rc == 0 && x.follow);
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface=nsdump-docker-web1"),
		   W("--fifo=/tmp/f"), W("--follow=true"), (char *)NULL);
	CHECK("--follow=true refused: a boolflag takes no value",
	      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "--follow takes no value"));
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface=nsdump-docker-web1"),
		   W("--fifo=/tmp/f"), W("--followx"), (char *)NULL);
	CHECK("--followx is no --follow", rc < 0 && strstr(e.msg, "unknown argument '--followx'"));
	rc = parse(&x, &e, W("--extcap-dlts"), W("--extcap-interface"), W("nsdump-netns-a"),
		   (char *)NULL);
	CHECK("--extcap-dlts", rc == 0 && x.action == ND_EXTCAP_DLTS);
	rc = parse(&x, &e, W("--extcap-interface"), W("nsdump-netns-a"),
		   W("--extcap-capture-filter"), W("tcp"), (char *)NULL);
	CHECK("a filter and an interface alone: Wireshark's filter check",
	      rc == 0 && x.action == ND_EXTCAP_CHECK_FILTER);

	/* Refusals: usage errors with a message. */
	rc = parse(&x, &e, W("--extcap-interfaces"), W("--capture"), (char *)NULL);
	CHECK("two actions refused",
	      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "another extcap action"));
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface"), W("nsdump-netns-a"),
		   (char *)NULL);
	CHECK("--capture without --fifo refused",
	      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "--fifo"));
	rc = parse(&x, &e, W("--extcap-dlts"), (char *)NULL);
	CHECK("--extcap-dlts without interface refused", rc < 0 && e.exit == ND_EXIT_USAGE);
	rc = parse(&x, &e, W("--capture"), W("--fifo"), (char *)NULL);
	CHECK("missing value refused",
	      rc < 0 && e.exit == ND_EXIT_USAGE && strstr(e.msg, "needs a value"));
	rc = parse(&x, &e, W("--extcap-interfaces=yes"), (char *)NULL);
	CHECK("value on a flag refused", rc < 0 && strstr(e.msg, "takes no value"));
	rc = parse(&x, &e, W("--extcap-interfaces"), W("-w"), W("x"), (char *)NULL);
	CHECK_STR("nsdump's own option in extcap mode refused", e.msg,
		  "extcap: unknown argument '-w' (see --help, 'Wireshark extcap')");
	CHECK("... as a usage error", rc < 0 && e.exit == ND_EXIT_USAGE);
	rc = parse(&x, &e, W("--extcap-version=4.0"), (char *)NULL);
	CHECK("no action refused", rc < 0 && strstr(e.msg, "no action"));
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface=a"), W("--fifo=f"),
		   W("--mode=fast"), (char *)NULL);
	CHECK("bad --mode refused", rc < 0 && strstr(e.msg, "auto, veth or setns"));
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface=a"), W("--fifo=f"),
		   W("--target-interface=0123456789abcdef"), (char *)NULL);
	CHECK("over-long --target-interface refused", rc < 0 && e.exit == ND_EXIT_USAGE);
	rc = parse(&x, &e, W("--capture"), W("--extcap-interface="), W("--fifo=f"), (char *)NULL);
	CHECK("empty interface refused", rc < 0 && e.exit == ND_EXIT_USAGE);

	/* Interface names back to their kind. */
	CHECK("docker kind",
	      nd_extcap_kind("nsdump-docker-web1", &rest, &e) == ND_EXTCAP_KIND_DOCKER &&
		      strcmp(rest, "web1") == 0);
	CHECK("podman kind",
	      nd_extcap_kind("nsdump-podman-db", &rest, &e) == ND_EXTCAP_KIND_PODMAN);
	CHECK("containerd kind", nd_extcap_kind("nsdump-containerd-k8s.io-x", &rest, &e) ==
						 ND_EXTCAP_KIND_CONTAINERD &&
					 strcmp(rest, "k8s.io-x") == 0);
	CHECK("pod kind",
	      nd_extcap_kind("nsdump-pod-shop-web-7d9f", &rest, &e) == ND_EXTCAP_KIND_POD);
	CHECK("netns kind",
	      nd_extcap_kind("nsdump-netns-blue", &rest, &e) == ND_EXTCAP_KIND_NETNS &&
		      strcmp(rest, "blue") == 0);
	CHECK("netns path refused: exit 3", nd_extcap_kind("nsdump-netns-../../proc/1/ns/net",
							   &rest, &e) == ND_EXTCAP_KIND_NONE &&
						    e.exit == ND_EXIT_NOTFOUND);
	CHECK("netns '..' refused",
	      nd_extcap_kind("nsdump-netns-..", &rest, &e) == ND_EXTCAP_KIND_NONE);
	CHECK("empty rest refused",
	      nd_extcap_kind("nsdump-docker-", &rest, &e) == ND_EXTCAP_KIND_NONE);
	CHECK("other prefix refused", nd_extcap_kind("eth0", &rest, &e) == ND_EXTCAP_KIND_NONE &&
					      strstr(e.msg, "no interface 'eth0'") != NULL);
	CHECK("unknown kind refused",
	      nd_extcap_kind("nsdump-lxc-a", &rest, &e) == ND_EXTCAP_KIND_NONE);

	/* Names of containers, pods and namespaces. */
	{
		struct nd_container d = ct(ND_RT_DOCKER, "", "web1", "", "");
		struct nd_container p = ct(ND_RT_PODMAN, "", "db", "", "");
		struct nd_container c = ct(ND_RT_CONTAINERD, "default", "redis", "", "");
		struct nd_container k = ct(ND_RT_CONTAINERD, "k8s.io", "3f2a", "shop", "web-7d9f");
		struct nd_container o = ct(ND_RT_CRIO, "", "x", "", "");
		struct nd_container b = ct(ND_RT_DOCKER, "", "we{b}", "", "");
		struct nd_container s = ct(ND_RT_DOCKER, "", "stopped", "", "");

		s.running = false;
		CHECK("docker name", nd_extcap_name(&d, name, sizeof(name), display,
						    sizeof(display)) == ND_EXTCAP_KIND_DOCKER);
		CHECK_STR("docker interface", name, "nsdump-docker-web1");
		CHECK_STR("docker display", display,
			  "nsdump: Docker container web1 (3f2a1b4c5d6e)");
		CHECK("podman name", nd_extcap_name(&p, name, sizeof(name), display,
						    sizeof(display)) == ND_EXTCAP_KIND_PODMAN);
		CHECK_STR("podman interface", name, "nsdump-podman-db");
		CHECK("containerd name",
		      nd_extcap_name(&c, name, sizeof(name), display, sizeof(display)) ==
			      ND_EXTCAP_KIND_CONTAINERD);
		CHECK_STR("containerd interface", name, "nsdump-containerd-default-redis");
		CHECK("pod name", nd_extcap_name(&k, name, sizeof(name), display,
						 sizeof(display)) == ND_EXTCAP_KIND_POD);
		CHECK_STR("pod interface", name, "nsdump-pod-shop-web-7d9f");
		CHECK_STR("pod display", display,
			  "nsdump: Kubernetes pod shop/web-7d9f (containerd)");
		CHECK("CRI-O outside a pod: none",
		      nd_extcap_name(&o, name, sizeof(name), display, sizeof(display)) ==
			      ND_EXTCAP_KIND_NONE);
		CHECK("a brace in the name: none",
		      nd_extcap_name(&b, name, sizeof(name), display, sizeof(display)) ==
			      ND_EXTCAP_KIND_NONE);
		CHECK("not running: none", nd_extcap_name(&s, name, sizeof(name), display,
							  sizeof(display)) == ND_EXTCAP_KIND_NONE);
		CHECK("name too small for the buffer: none",
		      nd_extcap_name(&d, name, 10, display, sizeof(display)) ==
			      ND_EXTCAP_KIND_NONE);

		{
			struct nd_container v[] = { d, k, k, s, o };
			struct nd_container_list l = { .v = v, .n = 5, .cap = 5 };
			char *ns[] = { W("blue"), W(".hidden"), W("a}b") };
			char buf[2048];
			struct nd_err pe;
			FILE *m = fmemopen(buf, sizeof(buf), "w");

			CHECK("match docker", nd_extcap_match(&l, "nsdump-docker-web1") == &v[0]);
			CHECK("match pod: its first container",
			      nd_extcap_match(&l, "nsdump-pod-shop-web-7d9f") == &v[1]);
			CHECK("no match for a stopped container",
			      nd_extcap_match(&l, "nsdump-docker-stopped") == NULL);
			CHECK("no match for a prefix",
			      nd_extcap_match(&l, "nsdump-docker-web") == NULL);
			rc = m != NULL ? nd_extcap_print_interfaces(m, &l, ns, 3, &pe) : -1;
			if (m != NULL)
				fclose(m);
			CHECK_STR("interfaces: one per container and pod, then the namespaces",
				  rc == 0 ? buf : "(error)",
				  "interface {value=nsdump-docker-web1}{display=nsdump: Docker "
				  "container web1 (3f2a1b4c5d6e)}\n"
				  "interface {value=nsdump-pod-shop-web-7d9f}{display=nsdump: "
				  "Kubernetes pod shop/web-7d9f (containerd)}\n"
				  "interface {value=nsdump-netns-blue}{display=nsdump: network "
				  "namespace blue (ip netns)}\n");
		}
	}
	CHECK_STR("dlts", printed(nd_extcap_print_dlts),
		  "dlt {number=1}{name=EN10MB}{display=Ethernet}\n");
	CHECK("config: the mode selector, auto by default",
	      strstr(config_of(ND_EXTCAP_KIND_NETNS),
		     "arg {number=0}{call=--mode}{display=Capture mode}{type=selector}") != NULL &&
		      strstr(config_of(ND_EXTCAP_KIND_NETNS),
			     "value {arg=0}{value=auto}{display=auto}{default=true}\n") != NULL);
	{
		static const enum nd_extcap_kind followed[] = { ND_EXTCAP_KIND_DOCKER,
								ND_EXTCAP_KIND_PODMAN,
								ND_EXTCAP_KIND_CONTAINERD,
								ND_EXTCAP_KIND_POD };
		const char *follow_arg = "arg {number=2}{call=--follow}{display=Follow restarts}"
					 "{type=boolflag}{default=false}{tooltip=";
		bool all = true;

		for (size_t i = 0; i < sizeof(followed) / sizeof(followed[0]); i++) {
			const char *c = config_of(followed[i]);
			const char *f = strstr(c, follow_arg);

			/* The last line, after the two arguments every kind has. */
			all = all && f != NULL && strstr(c, "{call=--target-interface}") < f &&
			      strchr(f, '\n') == c + strlen(c) - 1 &&
			      nd_extcap_can_follow(followed[i]);
		}
		CHECK("config: containers and pods offer the boolflag --follow (arg 2)", all);
	}
	CHECK("config: a netns does not offer --follow",
	      strstr(config_of(ND_EXTCAP_KIND_NETNS), "--follow") == NULL &&
		      !nd_extcap_can_follow(ND_EXTCAP_KIND_NETNS));
	CHECK("config: no interface (or an unknown name): the common options only",
	      strstr(config_of(ND_EXTCAP_KIND_NONE), "--follow") == NULL &&
		      strstr(config_of(ND_EXTCAP_KIND_NONE), "{call=--target-interface}") != NULL &&
		      !nd_extcap_can_follow(ND_EXTCAP_KIND_NONE));
	{
		bool wf = true;

		for (int k = ND_EXTCAP_KIND_NONE; k <= ND_EXTCAP_KIND_NETNS; k++) {
			const char *l = config_of((enum nd_extcap_kind)k), *end;

			for (; wf && *l != '\0'; l = end + 1) {
				end = strchr(l, '\n');
				wf = end != NULL &&
				     (strncmp(l, "arg {", 5) == 0 || strncmp(l, "value {", 7) == 0);
				if (end == NULL)
					break;
			}
		}
		CHECK("config: every line an arg or value sentence, for every kind", wf);
	}
	CHECK("version sentence",
	      strncmp(printed(nd_extcap_print_version),
		      "extcap {version=" ND_VERSION "}{help=", 16 + strlen(ND_VERSION) + 7) == 0);
	return UNIT_DONE();
}
