/* Extcap mode (see extcap.h): the answers that read the system, and the translation of a
 * --capture request into nsdump's own options. */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/cli.h"
#include "nsdump/extcap.h"
#include "nsdump/privs.h"
#include "nsdump/resolve.h"

#define NETNS_DIR "/run/netns"
#define NETNS_MAX 1024

/* The command line a --capture request stands for. nd_cli_parse() keeps pointers into it in
 * opts, so it lives as long as the process, which runs one capture. */
static struct {
	char name[ND_CT_NAME_MAX + ND_CT_NS_MAX];
	char pod_ns[ND_CT_NS_MAX];
	char filter[65536 + 1];
	char *argv[24];
} cmd;

/* Every running container of every runtime found, with the invoker's rights (as --list). A
 * runtime that cannot be read is left out, as --list leaves it. */
static int list_containers(struct nd_privs *privs, struct nd_opts *opts,
			   struct nd_container_list *l, struct nd_err *err)
{
	struct nd_resolver_cfg cfg = { .runtimes = opts->runtimes, .root = opts->root };
	struct nd_resolver *res;
	int rc;

	opts->pod_ns = "default";
	if (nd_resolver_new(&res, &cfg, privs, err) < 0)
		return -1;
	rc = nd_privs_invoker_begin(privs, err);
	if (rc == 0)
		rc = nd_resolve_list(res, l, err);
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
static int answer_interfaces(struct nd_privs *privs, struct nd_opts *opts, struct nd_err *err)
{
	struct nd_container_list l = { 0 };
	char **netns = NULL;
	size_t n = 0;
	struct nd_err e = { 0 };
	int rc;

	if (list_containers(privs, opts, &l, &e) < 0) {
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

/* Sets cmd.argv to the nsdump command line for capturing interface x->iface: its target, the
 * FIFO as -w, -q (Wireshark shows what an extcap prints on stderr as an error), the mode,
 * the interface inside the target, and the filter after "--". */
static int build_command(struct nd_privs *privs, struct nd_opts *opts, const struct nd_extcap *x,
			 struct nd_err *err)
{
	const char *rest = NULL;
	enum nd_extcap_kind k = nd_extcap_kind(x->iface, &rest, err);
	int argc = 0;

	if (k == ND_EXTCAP_KIND_NONE)
		return -1;
	cmd.argv[argc++] = (char *)(uintptr_t) "nsdump";
	if (k == ND_EXTCAP_KIND_NETNS) {
		snprintf(cmd.name, sizeof(cmd.name), "%s", rest);
		cmd.argv[argc++] = (char *)(uintptr_t) "--netns";
		cmd.argv[argc++] = cmd.name;
	} else {
		struct nd_container_list l = { 0 };
		const struct nd_container *c;

		if (list_containers(privs, opts, &l, err) < 0) {
			nd_container_list_free(&l);
			return nd_err_prefix(err, "extcap: cannot look for %s", x->iface);
		}
		c = nd_extcap_match(&l, x->iface);
		if (c == NULL) {
			nd_container_list_free(&l);
			return nd_err_set(
				err, ND_EXIT_NOTFOUND, 0,
				"extcap: no running container or pod is interface '%.300s' "
				"(tshark -D lists them)",
				x->iface);
		}
		if (c->pod_name[0] != '\0') {
			snprintf(cmd.name, sizeof(cmd.name), "%s", c->pod_name);
			snprintf(cmd.pod_ns, sizeof(cmd.pod_ns), "%s", c->pod_ns);
			cmd.argv[argc++] = (char *)(uintptr_t) "--pod";
			cmd.argv[argc++] = cmd.name;
			cmd.argv[argc++] = (char *)(uintptr_t) "-n";
			cmd.argv[argc++] = cmd.pod_ns;
		} else {
			/* By full ID in its own runtime: the name may be taken in another. */
			snprintf(cmd.name, sizeof(cmd.name), "%s", c->id);
			cmd.argv[argc++] = (char *)(uintptr_t) "--container";
			cmd.argv[argc++] = cmd.name;
			cmd.argv[argc++] = (char *)(uintptr_t) "--runtime";
			cmd.argv[argc++] = (char *)(uintptr_t)nd_runtime_name(c->runtime);
		}
		nd_container_list_free(&l);
	}
	cmd.argv[argc++] = (char *)(uintptr_t) "-w";
	cmd.argv[argc++] = (char *)(uintptr_t)x->fifo;
	cmd.argv[argc++] = (char *)(uintptr_t) "-q";
	cmd.argv[argc++] = (char *)(uintptr_t) "--mode";
	cmd.argv[argc++] = (char *)(uintptr_t)nd_plan_mode_name(x->mode);
	if (x->target_if != NULL) {
		cmd.argv[argc++] = (char *)(uintptr_t) "-i";
		cmd.argv[argc++] = (char *)(uintptr_t)x->target_if;
	}
	if (x->filter != NULL) {
		if (strlen(x->filter) >= sizeof(cmd.filter))
			return nd_err_set(err, ND_EXIT_USAGE, 0, "extcap: capture filter too long");
		snprintf(cmd.filter, sizeof(cmd.filter), "%s", x->filter);
		cmd.argv[argc++] = (char *)(uintptr_t) "--";
		cmd.argv[argc++] = cmd.filter;
	}
	cmd.argv[argc] = NULL;
	return nd_cli_parse(argc, cmd.argv, opts, err);
}

int nd_extcap_run(int argc, char **argv, struct nd_privs *privs, struct nd_opts *opts,
		  struct nd_err *err)
{
	struct nd_extcap x;
	const char *rest;
	int rc = 0;

	memset(opts, 0, sizeof(*opts));
	if (nd_extcap_parse(argc, argv, &x, err) < 0)
		return -1;
	switch (x.action) {
	case ND_EXTCAP_INTERFACES:
		rc = answer_interfaces(privs, opts, err);
		break;
	case ND_EXTCAP_DLTS:
		if (nd_extcap_kind(x.iface, &rest, err) == ND_EXTCAP_KIND_NONE ||
		    nd_privs_drop(privs, err) < 0)
			return -1;
		rc = nd_extcap_print_dlts(stdout, err);
		break;
	case ND_EXTCAP_CONFIG:
		if (nd_privs_drop(privs, err) < 0)
			return -1;
		rc = nd_extcap_print_config(stdout, err);
		break;
	case ND_EXTCAP_CHECK_FILTER:
		if (nd_privs_drop(privs, err) < 0)
			return -1;
		rc = answer_filter(&x, err);
		break;
	case ND_EXTCAP_CAPTURE:
		if (build_command(privs, opts, &x, err) < 0)
			return -1;
		return 1;
	case ND_EXTCAP_NONE:
		break;
	}
	return rc < 0 ? -1 : 0;
}
