#!/bin/bash
# make install in each INSTALL_MODE, into a DESTDIR: the file's owner, group, mode and
# capabilities are what docs/security.md says; the group is created when missing; the man
# page and the completion go to MANDIR and BASHCOMPDIR, and make uninstall removes them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd make getcap setcap groupadd groupdel stat
need_binaries
nd_group_setup
B=$(dirname "$NSDUMP")
B=${B#"$ND_ROOT"/}

# install_mode MODE: make install into $ND_TMP/MODE; sets F to the installed file.
install_mode() {
	make -s -C "$ND_ROOT" --no-print-directory install B="$B" INSTALL_MODE="$1" \
		DESTDIR="$ND_TMP/$1" PREFIX=/usr >"$ND_TMP/$1.log" 2>&1
	check_eq "INSTALL_MODE=$1: make install succeeds" 0 "$?" "$(nd_excerpt "$ND_TMP/$1.log")"
	F=$ND_TMP/$1/usr/sbin/nsdump
}

install_mode root
check_eq "root: 0755 root:root" "755 root:root" "$(stat -c '%a %U:%G' "$F")"
check_eq "root: no file capabilities" "" "$(getcap "$F")"
# The man page and the completion go to MANDIR and BASHCOMPDIR (under PREFIX by default);
# make uninstall removes the three files again.
man8=$ND_TMP/root/usr/share/man/man8/nsdump.8
comp=$ND_TMP/root/usr/share/bash-completion/completions/nsdump
check "root: the man page is installed (0644, docs/nsdump.8)" \
	"$([ "$(stat -c %a "$man8" 2>/dev/null)" = 644 ] && cmp -s "$man8" "$ND_ROOT/docs/nsdump.8"; echo $?)"
check "root: the bash completion is installed (0644)" \
	"$([ "$(stat -c %a "$comp" 2>/dev/null)" = 644 ] && cmp -s "$comp" "$ND_ROOT/packaging/bash-completion/nsdump"; echo $?)"
make -s -C "$ND_ROOT" --no-print-directory uninstall DESTDIR="$ND_TMP/root" PREFIX=/usr >"$ND_TMP/uninstall.log" 2>&1
check_eq "make uninstall succeeds" 0 "$?" "$(nd_excerpt "$ND_TMP/uninstall.log")"
check "make uninstall removes the binary, the man page and the completion" \
	"$([ ! -e "$F" ] && [ ! -e "$man8" ] && [ ! -e "$comp" ]; echo $?)"
make -s -C "$ND_ROOT" --no-print-directory install B="$B" DESTDIR="$ND_TMP/dirs" PREFIX=/opt/x \
	MANDIR=/m BASHCOMPDIR=/c >"$ND_TMP/dirs.log" 2>&1
check "MANDIR and BASHCOMPDIR are honoured" \
	"$([ -f "$ND_TMP/dirs/m/man8/nsdump.8" ] && [ -f "$ND_TMP/dirs/c/nsdump" ] && [ -x "$ND_TMP/dirs/opt/x/sbin/nsdump" ]; echo $?)"

# The group is created by make install when missing (only tried when this test made it).
if [ -n "$ND_GROUPDEL" ] && groupdel "$ND_GROUP"; then
	install_mode setuid
	check "setuid: make install created group $ND_GROUP" "$(getent group "$ND_GROUP" >/dev/null; echo $?)"
else
	skip "make install creates the group" "group $ND_GROUP existed before the test"
	install_mode setuid
fi
check_eq "setuid: 4750 root:$ND_GROUP" "4750 root:$ND_GROUP" "$(stat -c '%a %U:%G' "$F")"
check_eq "setuid: no file capabilities" "" "$(getcap "$F")"

install_mode caps
check_eq "caps: 0750 root:$ND_GROUP" "750 root:$ND_GROUP" "$(stat -c '%a %U:%G' "$F")"
check_grep "caps: the four capabilities, permitted only" <(getcap "$F") '^.* cap_net_raw,cap_sys_ptrace,cap_sys_admin,cap_setpcap=p$|cap_setpcap,cap_net_raw,cap_sys_ptrace,cap_sys_admin=p'

if make -s -C "$ND_ROOT" --no-print-directory install B="$B" INSTALL_MODE=bogus \
	DESTDIR="$ND_TMP/bogus" PREFIX=/usr >"$ND_TMP/bogus.log" 2>&1; then
	not_ok "an unknown INSTALL_MODE fails" "make install succeeded"
else
	check "an unknown INSTALL_MODE fails, installing nothing" "$([ ! -e "$ND_TMP/bogus/usr/sbin/nsdump" ]; echo $?)"
fi

nd_finish
