/* Extcap mode (see extcap.h): the answers that read the system, and the translation of a
 * --capture request into a capture session's configuration. */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/extcap.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"
#include "nsdump/session.h"

#define NETNS_DIR "/run/netns"
#define NETNS_MAX 1024

/* Every container of every runtime found, with the invoker's rights (as --list), by the
 * cheaper scan: an interface name needs no PID. A runtime that cannot be read is left out, as
 * --list leaves it. */
static int scan_containers(struct nd_privs *privs, struct nd_container_list *l, struct nd_err *err)
{
	struct nd_resolver_cfg cfg = { 0 };
	struct nd_resolver *res;
	int rc;

	if (nd_resolver_new(&res, &cfg, privs, err) < 0)
		return -1;
	rc = nd_privs_invoker_begin(privs, err);
	if (rc == 0)
		rc = nd_resolve_scan(res, l, err);
	nd_resolver_free(res);
	if (nd_privs_invoker_end(privs, err) < 0)
		return -1;
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The names under /run/netns, sorted (ip netns add's names), with the invoker's rights. No
 * directory: none. */
static int list_netns(struct nd_privs *privs, char ***out, size_t *nout, struct nd_err *err)
{
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int e = 0;

	if (nd_privs_invoker_begin(privs, err) < 0)
		return -1;
	d = opendir(NETNS_DIR); /* glibc opens it O_CLOEXEC */
	e = d == NULL ? errno : 0;
	if (nd_privs_invoker_end(privs, err) < 0) {
		if (d != NULL)
			(void)closedir(d);
		return -1;
	}
	if (d == NULL) {
		*out = NULL;
		*nout = 0;
		return e == ENOENT ? 0
				   : nd_err_set(err, ND_EXIT_FAIL, e, "cannot read %s", NETNS_DIR);
	}
	v = calloc(NETNS_MAX, sizeof(*v));
	if (v == NULL) {
		(void)closedir(d);
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot list %s", NETNS_DIR);
	}
	while (n < NETNS_MAX && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v[n] = strdup(de->d_name);
		if (v[n] == NULL) {
			e = ENOMEM;
			break;
		}
		n++;
	}
	if (e == 0 && errno != 0)
		e = errno;
	(void)closedir(d);
	if (e != 0) {
		free_names(v, n);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot list %s", NETNS_DIR);
	}
	qsort(v, n, sizeof(*v), cmp_names);
	*out = v;
	*nout = n;
	return 0;
}

/* --extcap-interfaces. Best effort, as Wireshark wants it: a runtime or /run/netns that cannot
 * be read leaves its interfaces out (and says so on stderr) rather than hiding all of them. */
static int answer_interfaces(struct nd_privs *privs, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	char **netns = NULL;
	size_t n = 0;
	struct nd_err e = { 0 };
	int rc;

	if (scan_containers(privs, &l, &e) < 0) {
		fprintf(stderr, "nsdump: extcap: containers left out: %s\n", e.msg);
		nd_container_list_free(&l);
	}
	if (list_netns(privs, &netns, &n, &e) < 0)
		fprintf(stderr, "nsdump: extcap: network namespaces left out: %s\n", e.msg);
	rc = nd_privs_drop(privs, err);
	if (rc == 0)
		rc = nd_extcap_print_version(stdout, err);
	if (rc == 0)
		rc = nd_extcap_print_interfaces(stdout, &l, netns, n, err);
	free_names(netns, n);
	nd_container_list_free(&l);
	return rc;
}

/* Wireshark's filter check: nothing on stdout means valid, else the first line says why. The
 * expression is compiled for the link type nsdump offers, as the capture will compile it. */
static int answer_filter(const struct nd_extcap *x, struct nd_err *err)
{
	struct bpf_program prog;
	pcap_t *p;

	if (x->filter == NULL)
		return 0;
	p = pcap_open_dead(DLT_EN10MB, ND_SNAPLEN_MAX);
	if (p == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "extcap: cannot check the filter");
	if (pcap_compile(p, &prog, x->filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		printf("%s\n", pcap_geterr(p));
	else
		pcap_freecode(&prog);
	pcap_close(p);
	if (ferror(stdout) || fflush(stdout) != 0)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "extcap: cannot write to standard output");
	return 0;
}

/* The running container (or the pod) that interface iface names, among l, into *found. */
static int take_container(struct nd_resolver *res, const struct nd_container_list *l,
			  const char *iface, struct nd_container *found, struct nd_err *err)
{
	const struct nd_container *c = nd_extcap_match(l, iface);

	if (c == NULL)
		return nd_err_set(err, ND_EXIT_NOTFOUND, 0,
				  "extcap: no running container or pod is interface '%.300s' "
				  "(tshark -D lists them)",
				  iface);
	/* A pod is captured through its sandbox, as --pod finds it. */
	if (c->pod_name[0] != '\0')
		return nd_resolve_pod_in(res, l, c->pod_ns, c->pod_name, found, err);
	return nd_resolve_take(res, c, found, err);
}

/* Finds the container or pod interface iface names, once: one scan of the runtimes, with the
 * invoker's rights, and the PID of that one record only. */
static int find_container(struct nd_privs *privs, const char *iface, struct nd_container *found,
			  struct nd_err *err)
{
	struct nd_resolver_cfg cfg = { 0 };
	struct nd_container_list l = { 0 };
	struct nd_resolver *res;
	int rc;

	if (nd_resolver_new(&res, &cfg, privs, err) < 0)
		return -1;
	rc = nd_privs_invoker_begin(privs, err);
	if (rc == 0 && nd_resolve_scan(res, &l, err) < 0)
		rc = nd_err_prefix(err, "extcap: cannot look for %s", iface);
	if (rc == 0)
		rc = take_container(res, &l, iface, found, err);
	if (nd_privs_invoker_end(privs, err) < 0)
		rc = -1;
	nd_resolver_free(res);
	nd_container_list_free(&l);
	return rc;
}

/* The capture of interface x->iface: its target (found in *found for a container or pod), the
 * FIFO as the output, quiet (Wireshark shows what an extcap prints on stderr as an error), the
 * mode, the interface inside the target and the filter. */
static int capture_cfg(struct nd_privs *privs, const struct nd_extcap *x,
		       struct nd_session_cfg *cfg, struct nd_container *found, struct nd_err *err)
{
	struct nd_target_spec *spec = &cfg->targets[0];
	const char *rest = NULL;
	enum nd_extcap_kind k = nd_extcap_kind(x->iface, &rest, err);

	if (k == ND_EXTCAP_KIND_NONE)
		return -1;
	/* The interface options dialog offers --follow for containers and pods only; a command
	 * line that gives it for a namespace is refused as nsdump's own --follow --netns is. */
	if (x->follow && !nd_extcap_can_follow(k))
		return nd_err_set(
			err, ND_EXIT_USAGE, 0,
			"extcap: --follow waits for a container or pod to start and "
			"follows its restarts: with a network namespace (%.300s) there is "
			"nothing to follow",
			x->iface);
	nd_session_cfg_init(cfg);
	cfg->ntargets = 1;
	if (k == ND_EXTCAP_KIND_NETNS) {
		*spec = (struct nd_target_spec){ .kind = ND_TARGET_NETNS, .name = rest };
	} else {
		if (find_container(privs, x->iface, found, err) < 0)
			return -1;
		if (found->pod_name[0] != '\0')
			*spec = (struct nd_target_spec){ .kind = ND_TARGET_POD,
							 .name = found->pod_name,
							 .pod_ns = found->pod_ns,
							 .found = found };
		else
			*spec = (struct nd_target_spec){ .kind = ND_TARGET_CONTAINER,
							 .name = found->id,
							 .found = found };
	}
	if (x->target_if != NULL) {
		if (x->mode == ND_MODE_VETH && strcmp(x->target_if, "any") == 0)
			return nd_err_set(err, ND_EXIT_USAGE, 0,
					  "-i any needs --mode setns: 'any' is not one interface "
					  "with one peer");
		cfg->ifaces[cfg->nifaces++] = x->target_if;
	}
	cfg->output = x->fifo;
	cfg->quiet = true;
	cfg->mode = x->mode;
	cfg->filter = x->filter;
	cfg->follow = x->follow;
	return 0;
}

int nd_extcap_run(int argc, char **argv, struct nd_privs *privs, struct nd_session_cfg *cfg,
		  struct nd_container *found, struct nd_err *err)
{
	struct nd_extcap x;
	const char *rest;
	int rc = 0;

	if (nd_extcap_parse(argc, argv, &x, err) < 0)
		return -1;
	switch (x.action) {
	case ND_EXTCAP_INTERFACES:
		rc = answer_interfaces(privs, err);
		break;
	case ND_EXTCAP_DLTS:
		if (nd_extcap_kind(x.iface, &rest, err) == ND_EXTCAP_KIND_NONE ||
		    nd_privs_drop(privs, err) < 0)
			return -1;
		rc = nd_extcap_print_dlts(stdout, err);
		break;
	case ND_EXTCAP_CONFIG: {
		/* Which options depends on the kind only, read off the name: nothing is looked
		 * up. A name nsdump never lists gets the options every kind has, as before. */
		struct nd_err ignored = { 0 };
		enum nd_extcap_kind k = x.iface != NULL ? nd_extcap_kind(x.iface, &rest, &ignored)
							: ND_EXTCAP_KIND_NONE;

		if (nd_privs_drop(privs, err) < 0)
			return -1;
		rc = nd_extcap_print_config(stdout, k, err);
		break;
	}
	case ND_EXTCAP_CHECK_FILTER:
		if (nd_privs_drop(privs, err) < 0)
			return -1;
		rc = answer_filter(&x, err);
		break;
	case ND_EXTCAP_CAPTURE:
		if (capture_cfg(privs, &x, cfg, found, err) < 0)
			return -1;
		return 1;
	case ND_EXTCAP_NONE:
		break;
	}
	return rc < 0 ? -1 : 0;
}
