/* Who may use a privileged install, and what an elevated nsdump trusts from the environment:
 * the pure parts of src/authz.c and the mode predicates of src/privs.c. (Real setuid and
 * file-capability runs: tests/integration/t_security.sh and t_privs.sh.) */
#include <stdlib.h>

#include "nsdump/authz.h"
#include "nsdump/privs.h"
#include "unit.h"

int main(void)
{
	const gid_t groups[] = { 10, 20, 30 };
	struct nd_privs p = { .mode = ND_PRIVS_SETUID, .ruid = 1000, .rgid = 1000 };
	struct nd_err e = { 0 };

	CHECK("member through the real gid", nd_authz_in_group(1000, 1000, NULL, 0));
	CHECK("member through a supplementary group", nd_authz_in_group(20, 1000, groups, 3));
	CHECK("not a member", !nd_authz_in_group(40, 1000, groups, 3));
	CHECK("no groups, other gid: not a member", !nd_authz_in_group(40, 1000, NULL, 0));

	if (setenv("DOCKER_HOST", "unix:///tmp/evil.sock", 1) != 0)
		return 1;
	CHECK("setuid: elevated", nd_privs_elevated(&p));
	CHECK("setuid: DOCKER_HOST ignored", nd_privs_getenv(&p, "DOCKER_HOST") == NULL);
	CHECK("setuid, user 1000: not root", !nd_privs_invoker_is_root(&p));
	p.mode = ND_PRIVS_FILECAPS;
	CHECK("file caps: elevated", nd_privs_elevated(&p));
	CHECK("file caps: DOCKER_HOST ignored", nd_privs_getenv(&p, "DOCKER_HOST") == NULL);
	p.mode = ND_PRIVS_ROOT;
	p.ruid = 0;
	CHECK("root: not elevated", !nd_privs_elevated(&p));
	CHECK("root: invoker is root", nd_privs_invoker_is_root(&p));
	CHECK_STR("root: DOCKER_HOST honoured", nd_privs_getenv(&p, "DOCKER_HOST"),
		  "unix:///tmp/evil.sock");
	p.mode = ND_PRIVS_NONE;
	p.ruid = 1000;
	CHECK("unprivileged: not elevated", !nd_privs_elevated(&p));
	CHECK_STR("unprivileged: DOCKER_HOST honoured", nd_privs_getenv(&p, "DOCKER_HOST"),
		  "unix:///tmp/evil.sock");

	/* Not elevated: no check and the environment kept. */
	CHECK("unprivileged: authorized without a group",
	      nd_authz_check(&p, "no-such-group-x", &e) == 0);
	CHECK("unprivileged: environment kept",
	      nd_authz_clean_env(&p, &e) == 0 && getenv("DOCKER_HOST") != NULL);
	/* Elevated, not a member of a group that does not exist: refused with 4. */
	p.mode = ND_PRIVS_SETUID;
	CHECK("setuid, group missing: refused",
	      nd_authz_check(&p, "no-such-group-x", &e) < 0 && e.exit == ND_EXIT_PERM);
	CHECK("setuid, invoker root: admitted",
	      (p.ruid = 0, nd_authz_check(&p, "no-such-group-x", &e) == 0));
	CHECK("setuid: environment emptied", nd_authz_clean_env(&p, &e) == 0 &&
						     getenv("DOCKER_HOST") == NULL &&
						     getenv("PATH") == NULL);
	return UNIT_DONE();
}
