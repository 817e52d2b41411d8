#!/bin/bash
# The Debian package, end to end: `make deb` builds it, lintian finds no error, its Depends
# cover every library the binary loads; `apt-get install ./build/deb/nsdump_*.deb` installs
# the program, man page, completion, extcap link and docs. Answered yes (debconf preseed),
# the binary is 0750 root:nsdump with the four capabilities and a member of the group
# captures an exact count while a non-member cannot run it; the setuid fallback when setcap
# fails; dpkg-reconfigure to no makes it 0755 root:root and refuses the member (status 4),
# and back. remove keeps the configuration, purge removes the statoverride, the group (only
# when the package made it) and /var/lib/nsdump. An existing /usr/local install is left
# as it was. The whole script holds the group lock: it creates and removes group nsdump
# and installs into /usr and /usr/local.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd make dpkg-buildpackage dpkg-deb objdump lintian apt-get dpkg-statoverride dpkg-reconfigure \
	debconf-set-selections getcap setcap setpriv useradd groupadd groupdel ldd man sha256sum
need_binaries
# The package is built from the sources, not from $NSDUMP: one run is enough, the release
# build's (make check runs the integration tests with build/ and with build-asan/).
if [ "$NSDUMP" != "$ND_ROOT/build/nsdump" ]; then
	nd_skip_all "the package is built from the sources, not from $NSDUMP; tested in build/'s run"
fi
nd_group_lock
if dpkg-query -W -f='${Status}' nsdump 2>/dev/null | grep -q 'installed\|config-files'; then
	nd_skip_all "package nsdump is already on this machine; the test would replace it"
fi

PROG=/usr/sbin/nsdump
STATE=/var/lib/nsdump
CAPS=$(sed -n 's/^INSTALL_CAPS *:= *//p' "$ND_ROOT/Makefile")
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)

# ---- cleanup: the package, the /usr/local install and the group this test made ----
MADE_LOCAL=""
MADE_GROUP=""
# The /usr/local directories make install would create: removed again (when empty) if so.
LOCAL_DIRS=(/usr/local/share/man/man8 /usr/local/share/man
	/usr/local/share/bash-completion/completions /usr/local/share/bash-completion)
NEW_DIRS=()
for d in "${LOCAL_DIRS[@]}"; do [ -d "$d" ] || NEW_DIRS+=("$d"); done
# shellcheck disable=SC2317 # called by the EXIT trap
deb_cleanup() {
	if dpkg-query -W -f='${Status}' nsdump 2>/dev/null | grep -q 'installed\|config-files'; then
		"${APT[@]}" purge nsdump >/dev/null 2>&1
	fi
	if [ -n "$MADE_LOCAL" ]; then
		make -s -C "$ND_ROOT" --no-print-directory uninstall PREFIX=/usr/local >/dev/null 2>&1
		for d in "${NEW_DIRS[@]}"; do rmdir "$d" 2>/dev/null; done
	fi
	if [ -n "$MADE_GROUP" ]; then groupdel "$MADE_GROUP" 2>/dev/null; fi
	nd_cleanup
}
trap deb_cleanup EXIT

# ---- build, lintian, Depends --------------------------------------------
make -s -C "$ND_ROOT" --no-print-directory deb >"$ND_TMP/mkdeb.log" 2>&1
check_eq "make deb succeeds" 0 "$?" "$(tail -n 5 "$ND_TMP/mkdeb.log" | tr '\n' '|')"
deb=$(ls "$ND_ROOT"/build/deb/nsdump_*_"$(dpkg-architecture -qDEB_HOST_ARCH)".deb 2>/dev/null)
if [ ! -f "$deb" ]; then
	not_ok "make deb made build/deb/nsdump_*.deb" "$(find "$ND_ROOT/build/deb" 2>&1 | tr '\n' ' ')"
	nd_finish
fi
check_eq "the package's version is VERSION's" "$(cat "$ND_ROOT/VERSION")" "$(dpkg-deb -f "$deb" Version)"

changes=${deb%.deb}.changes
lintian --fail-on error "$changes" >"$ND_TMP/lintian.out" 2>&1
check_eq "lintian: exit 0 on the .changes (package, dbgsym, buildinfo)" 0 "$?" "$(nd_excerpt "$ND_TMP/lintian.out")"
check_nogrep "lintian: no error tag" "$ND_TMP/lintian.out" '^E: '
# Kept warnings must be listed in packaging/debian/README.md (it says there are none).
check_nogrep "lintian: no warning tag (none is listed as kept)" "$ND_TMP/lintian.out" '^W: '

depends=$(dpkg-deb -f "$deb" Depends)
for p in adduser debconf libc6 libpcap0.8 libmnl0 libcap2 libseccomp2 libjson-c5 zlib1g; do
	check_grep "Depends names $p" <(tr ',' '\n' <<<"$depends" | sed 's/^ *//') "^$p( |$)"
done
# Every library the packaged binary needs (its DT_NEEDED entries, resolved by ldd; not
# their own dependencies, which their packages pull in) belongs to a package in Depends.
dpkg-deb -x "$deb" "$ND_TMP/x"
needed=$(objdump -p "$ND_TMP/x$PROG" | awk '$1 == "NEEDED" { print $2 }')
check "objdump lists the libraries nsdump needs" "$([ "$(wc -w <<<"$needed")" -ge 7 ]; echo $?)" "$needed"
# The package links libpcap.so (PCAP_LINK=shared in debian/rules: libpcap's security updates
# reach it), where a source build links libpcap.a.
check_grep "the packaged nsdump links libpcap.so" <(tr ' ' '\n' <<<"$needed") '^libpcap\.so\.'
# ... and the source build links libpcap.a when it is installed (libpcap-dev ships it): the
# seven objects Debian's libpcap.so pulls in (libdbus, libsystemd, ...) cost 2-3 ms a start.
if [[ $(cc -print-file-name=libpcap.a) == /* ]]; then
	src_needed=$(objdump -p "$NSDUMP" | awk '$1 == "NEEDED" { print $2 }')
	check_eq "the source build needs neither libpcap.so nor libdbus" "" \
		"$(grep -E '^lib(pcap|dbus-1)\.so' <<<"$src_needed")" "$src_needed"
fi
ldd "$ND_TMP/x$PROG" >"$ND_TMP/ldd.out" 2>&1
check_eq "ldd resolves every library" "" "$(grep 'not found' "$ND_TMP/ldd.out")"
missing=""
for name in $needed; do
	lib=$(awk -v n="$name" '$1 == n && $2 == "=>" { print $3 }' "$ND_TMP/ldd.out")
	pkg=""
	for path in "$lib" "$(readlink -f "$lib")" "${lib#/usr}" "/usr$lib"; do
		pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1) && [ -n "$pkg" ] && break
	done
	tr ',|' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qx -- "$pkg" ||
		missing="$missing $name($lib: ${pkg:-no package})"
done
check_eq "every library nsdump needs is from a package in Depends" "" "$missing" "Depends: $depends"

# ---- an existing /usr/local install (make install) ------------------------
local_files=(/usr/local/sbin/nsdump /usr/local/share/man/man8/nsdump.8
	/usr/local/share/bash-completion/completions/nsdump)
if [ ! -e /usr/local/sbin/nsdump ]; then
	if make -s -C "$ND_ROOT" --no-print-directory install PREFIX=/usr/local >"$ND_TMP/local.log" 2>&1; then
		MADE_LOCAL=yes
	else
		not_ok "make install PREFIX=/usr/local (to check that the package leaves it)" "$(nd_excerpt "$ND_TMP/local.log")"
	fi
fi
local_sums() {
	local f
	for f in "${local_files[@]}"; do
		if [ -e "$f" ]; then
			echo "$(sha256sum <"$f" | cut -d' ' -f1) $(stat -c '%a %U:%G' "$f") $f"
		fi
	done
}
local_before=$(local_sums)

# ---- round 1: group nsdump absent, answer yes -----------------------------
# Group nsdump's gid, or nothing.  Tests of checkouts whose lib.sh predates nd_group_lock
# create and remove the group without the lock; a gid that changes under this test says so,
# and the checks that depend on it are skipped, loudly, rather than blamed on the package.
group_gid() { getent group nsdump | cut -d: -f3; }
OTHERS="another process created or removed group nsdump meanwhile (a test not holding /tmp/nsdump-group.lock)"
gid_before1=$(group_gid)

echo "nsdump nsdump/allow-non-root boolean true" | debconf-set-selections
"${APT[@]}" install "$deb" >"$ND_TMP/install.log" 2>&1
check_eq "apt-get install ./nsdump_*.deb (answer yes): exit 0" 0 "$?" "$(tail -n 5 "$ND_TMP/install.log" | tr '\n' '|')"
check_grep "the postinst notes that /usr/local/sbin/nsdump comes first in PATH" "$ND_TMP/install.log" \
	'nsdump: note: /usr/local/sbin/nsdump'
dpkg -L nsdump >"$ND_TMP/files" 2>&1
for f in "$PROG" /usr/share/man/man8/nsdump.8.gz /usr/share/bash-completion/completions/nsdump \
	"/usr/lib/$MULTIARCH/wireshark/extcap/nsdump" /usr/share/doc/nsdump/README.md.gz \
	/usr/share/doc/nsdump/copyright; do
	check_grep "the package holds $f" "$ND_TMP/files" "^$f\$"
done
for d in "$ND_ROOT"/docs/*.md; do
	check_grep "the package holds docs/$(basename "$d")" "$ND_TMP/files" \
		"^/usr/share/doc/nsdump/$(basename "$d")(\\.gz)?\$"
done
check_eq "the extcap link leads to $PROG" "$PROG" "$(readlink -f "/usr/lib/$MULTIARCH/wireshark/extcap/nsdump")"
check "the installed completion is packaging/bash-completion/nsdump" \
	"$(cmp -s /usr/share/bash-completion/completions/nsdump "$ND_ROOT/packaging/bash-completion/nsdump"; echo $?)"
man -l /usr/share/man/man8/nsdump.8.gz >"$ND_TMP/man.out" 2>"$ND_TMP/man.err"
check_eq "the installed man page renders: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/man.err")"
check_grep "the installed man page is nsdump(8)" "$ND_TMP/man.out" '^NSDUMP\(8\)'
check_eq "man -l prints no warning" "" "$(cat "$ND_TMP/man.err")"
"$PROG" --version >"$ND_TMP/version.out" 2>&1
check_grep "the installed nsdump runs (--version)" "$ND_TMP/version.out" "^nsdump $(cat "$ND_ROOT/VERSION") "

gid_pkg=$(group_gid)
check "group nsdump exists" "$([ -n "$gid_pkg" ]; echo $?)"
if [ -z "$gid_before1" ]; then
	check_eq "the postinst recorded that it created the group" nsdump "$(cat "$STATE/group-created" 2>/dev/null)"
elif [ "$gid_pkg" != "$gid_before1" ]; then
	skip "the postinst did not claim a group that was there before" "$OTHERS (gid $gid_before1 -> $gid_pkg)"
else
	check "the postinst did not claim a group that was there before" "$([ ! -e "$STATE/group-created" ]; echo $?)"
fi
pkg_made_group=""
if [ -e "$STATE/group-created" ]; then pkg_made_group=yes; fi
check_eq "yes: 0750 root:nsdump" "750 root:nsdump" "$(stat -c '%a %U:%G' "$PROG")"
check_eq "yes: the four capabilities of INSTALL_CAPS, permitted only" \
	"$(tr ',' '\n' <<<"${CAPS%+p}" | sort | tr '\n' ' ')=p" \
	"$(getcap "$PROG" | sed 's/^[^ ]* //; s/=.*//' | tr ',' '\n' | sort | tr '\n' ' ')=$(getcap "$PROG" | sed 's/.*=//')"
check_eq "yes: dpkg-statoverride root nsdump 750" "root nsdump 750 $PROG" "$(dpkg-statoverride --list "$PROG")"
check "yes: the postinst recorded its statoverride" "$([ -e "$STATE/statoverride" ]; echo $?)"

# A member and a non-member of the group, and a namespace to capture.
nd_topo D 91 || nd_finish
MEMBER="ndtm$ND_SUF"
OTHER="ndtn$ND_SUF"
nd_user_new "$MEMBER"
nd_user_new "$OTHER"
usermod -aG nsdump "$MEMBER"
out_dir=$ND_TMP/out
mkdir -p "$out_dir"
chmod 755 "$ND_TMP"
chmod 1777 "$out_dir"
export ASAN_OPTIONS=detect_leaks=0

# as_user USER CMD...: CMD as USER with the kernel group list useradd/usermod gave it.  The
# program is executed by a shell already running as USER: setpriv's own execve still has
# root's capabilities, so the file mode's execute bits would not be checked (t_security.sh).
as_user() {
	local user=$1
	shift
	setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" \
		--groups="$(id -G "$user" | tr ' ' ',')" -- /bin/bash -c 'exec "$@"' nsdump "$@"
}

# capture_as USER TAG N: USER runs the installed nsdump against the test's namespace while
# N datagrams cross it; sets ND_RC.
capture_as() {
	local user=$1 tag=$2 n=$3
	rm -f "$out_dir/$tag.pcapng"
	# Not through as_user: $! must be nsdump itself (setpriv and bash exec), not a subshell.
	setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" \
		--groups="$(id -G "$user" | tr ' ' ',')" -- /bin/bash -c 'exec "$@"' nsdump \
		"$PROG" --pid "$TARGET_PID" -v -w "$out_dir/$tag.pcapng" >"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if nd_wait_file_grep "$ND_TMP/$tag.err" 'listening on' "$ND_WAIT_S" "$ND_PID"; then
		nd_send "$NS_B" "$n" "$SINK_A" || true
		nd_wait_count "$out_dir/$tag.pcapng" "$n"
		nd_stop INT
	else
		nd_wait_exit "$ND_PID" 5
	fi
}

capture_as "$MEMBER" member-yes 17
check_eq "yes: a member of nsdump captures: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/member-yes.err")"
check_count_all "yes: the member's file holds exactly 17 packets" "$out_dir/member-yes.pcapng" 17
check_eq "yes: the member owns the file" "$MEMBER" "$(stat -c %U "$out_dir/member-yes.pcapng" 2>/dev/null)"
check_grep "yes: -v says file capabilities" "$ND_TMP/member-yes.err" 'file capabilities'

# A non-member: the file mode keeps them from executing it (bash: 126, Permission denied);
# started by setpriv's own execve (see as_user), nsdump's group check refuses them (4).
as_user "$OTHER" "$PROG" --pid "$TARGET_PID" -c 1 -w "$out_dir/other-yes.pcapng" \
	>"$ND_TMP/other-yes.out" 2>"$ND_TMP/other-yes.err" </dev/null
check_eq "yes: a non-member cannot execute it (0750 root:nsdump): 126" 126 "$?" "$(nd_excerpt "$ND_TMP/other-yes.err")"
check_grep "yes: the non-member is told 'Permission denied'" "$ND_TMP/other-yes.err" 'Permission denied'
timeout -s KILL 10 setpriv --reuid="$(id -u "$OTHER")" --regid="$(id -g "$OTHER")" --clear-groups -- \
	"$PROG" --pid "$TARGET_PID" -c 1 -w "$out_dir/other-yes.pcapng" \
	>"$ND_TMP/other-yes2.out" 2>"$ND_TMP/other-yes2.err" </dev/null
check_eq "yes: run anyway, nsdump refuses the non-member with status 4" 4 "$?" "$(nd_excerpt "$ND_TMP/other-yes2.err")"
check_one_error_line "yes: the non-member gets one error line" "$ND_TMP/other-yes2.err"
check_grep "yes: the message names group nsdump" "$ND_TMP/other-yes2.err" "group 'nsdump'"
check "yes: the non-member made no file" "$([ ! -e "$out_dir/other-yes.pcapng" ]; echo $?)"

# setcap failing (no xattrs, say): the postinst falls back to setuid root, 4750.
mkdir -p "$ND_TMP/fakebin"
printf '#!/bin/sh\necho "setcap: stand-in failure" >&2\nexit 1\n' >"$ND_TMP/fakebin/setcap"
chmod 755 "$ND_TMP/fakebin/setcap"
PATH="$ND_TMP/fakebin:$PATH" dpkg-reconfigure nsdump >"$ND_TMP/fallback.log" 2>&1
check_eq "setcap failing: dpkg-reconfigure exits 0" 0 "$?" "$(nd_excerpt "$ND_TMP/fallback.log")"
check_grep "setcap failing: the postinst says it falls back to setuid" "$ND_TMP/fallback.log" 'setuid root \(4750'
check_eq "setcap failing: 4750 root:nsdump" "4750 root:nsdump" "$(stat -c '%a %U:%G' "$PROG")"
check_eq "setcap failing: no file capabilities" "" "$(getcap "$PROG")"
check_eq "setcap failing: dpkg-statoverride root nsdump 4750" "root nsdump 4750 $PROG" "$(dpkg-statoverride --list "$PROG")"
capture_as "$MEMBER" member-suid 9
check_eq "setuid: the member captures: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/member-suid.err")"
check_count_all "setuid: exactly 9 packets" "$out_dir/member-suid.pcapng" 9

# dpkg-reconfigure to no: root only.
echo "nsdump nsdump/allow-non-root boolean false" | debconf-set-selections
dpkg-reconfigure nsdump >"$ND_TMP/reconf-no.log" 2>&1
check_eq "reconfigure to no: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/reconf-no.log")"
check_eq "no: 0755 root:root" "755 root:root" "$(stat -c '%a %U:%G' "$PROG")"
check_eq "no: no file capabilities" "" "$(getcap "$PROG")"
check_eq "no: no statoverride" "" "$(dpkg-statoverride --list "$PROG")"
check "no: the statoverride record is gone" "$([ ! -e "$STATE/statoverride" ]; echo $?)"
as_user "$MEMBER" timeout -s KILL 10 "$PROG" --pid "$TARGET_PID" -c 1 -w "$out_dir/member-no.pcapng" \
	>"$ND_TMP/member-no.out" 2>"$ND_TMP/member-no.err" </dev/null
check_eq "no: the member is refused with status 4" 4 "$?" "$(nd_excerpt "$ND_TMP/member-no.err")"
check_one_error_line "no: one error line" "$ND_TMP/member-no.err"
check "no: the member made no capture file" "$([ ! -s "$out_dir/member-no.pcapng" ]; echo $?)"

# And back to yes.
echo "nsdump nsdump/allow-non-root boolean true" | debconf-set-selections
dpkg-reconfigure nsdump >"$ND_TMP/reconf-yes.log" 2>&1
check_eq "reconfigure to yes: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/reconf-yes.log")"
check_eq "yes again: 0750 root:nsdump" "750 root:nsdump" "$(stat -c '%a %U:%G' "$PROG")"
check_grep "yes again: file capabilities" <(getcap "$PROG") 'cap_net_raw'

# remove keeps the configuration (group, statoverride, record); purge removes them.
"${APT[@]}" remove nsdump >"$ND_TMP/remove.log" 2>&1
check_eq "apt-get remove: exit 0" 0 "$?" "$(tail -n 5 "$ND_TMP/remove.log" | tr '\n' '|')"
check "remove: $PROG is gone" "$([ ! -e "$PROG" ]; echo $?)"
check "remove: the extcap link is gone" "$([ ! -L "/usr/lib/$MULTIARCH/wireshark/extcap/nsdump" ]; echo $?)"
check_eq "remove: the statoverride stays until purge" "root nsdump 750 $PROG" "$(dpkg-statoverride --list "$PROG")"
"${APT[@]}" purge nsdump >"$ND_TMP/purge.log" 2>&1
check_eq "apt-get purge: exit 0" 0 "$?" "$(tail -n 5 "$ND_TMP/purge.log" | tr '\n' '|')"
check_eq "purge: no statoverride" "" "$(dpkg-statoverride --list "$PROG")"
check "purge: $STATE is gone" "$([ ! -e "$STATE" ]; echo $?)"
check_eq "purge: the package is gone from dpkg's database" "" \
	"$(dpkg-query -W -f='${Status}' nsdump 2>/dev/null | grep -v 'not-installed')"
gid_after=$(group_gid)
if [ -n "$pkg_made_group" ]; then
	if [ -n "$gid_after" ] && [ "$gid_after" != "$gid_pkg" ]; then
		skip "purge: group nsdump, which the package created, is gone" "$OTHERS (gid $gid_pkg -> $gid_after)"
	else
		check_eq "purge: group nsdump, which the package created, is gone" "" "$gid_after"
	fi
elif [ -z "$gid_after" ]; then
	skip "purge: group nsdump, there before, stays" "$OTHERS (gid $gid_pkg -> none)"
else
	check_eq "purge: group nsdump, there before, stays (same gid)" "$gid_pkg" "$gid_after"
fi

# ---- round 2: group nsdump made beforehand, answer no ----------------------
if [ -z "$(group_gid)" ]; then
	groupadd --system nsdump && MADE_GROUP=nsdump
fi
gid_before=$(group_gid)
echo "nsdump nsdump/allow-non-root boolean false" | debconf-set-selections
"${APT[@]}" install "$deb" >"$ND_TMP/install2.log" 2>&1
check_eq "group there before, answer no: apt-get install exits 0" 0 "$?" "$(tail -n 5 "$ND_TMP/install2.log" | tr '\n' '|')"
check_eq "answer no: 0755 root:root" "755 root:root" "$(stat -c '%a %U:%G' "$PROG")"
check_eq "answer no: no statoverride" "" "$(dpkg-statoverride --list "$PROG")"
if [ "$(group_gid)" != "$gid_before" ]; then
	skip "the postinst did not record a group it did not make" "$OTHERS (gid $gid_before -> $(group_gid))"
else
	check "the postinst did not record a group it did not make" "$([ ! -e "$STATE/group-created" ]; echo $?)"
fi
"${APT[@]}" purge nsdump >"$ND_TMP/purge2.log" 2>&1
check_eq "apt-get purge: exit 0" 0 "$?" "$(tail -n 5 "$ND_TMP/purge2.log" | tr '\n' '|')"
check_eq "purge: group nsdump, made before the package, stays (same gid)" "$gid_before" "$(group_gid)"
check "purge: $STATE is gone" "$([ ! -e "$STATE" ]; echo $?)"

check_eq "the /usr/local install is as it was" "$local_before" "$(local_sums)"
check_eq "the /usr/local install was there throughout (3 files)" 3 "$(grep -c . <<<"$local_before")"
nd_finish
