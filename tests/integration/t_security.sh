#!/bin/bash
# Attempts to get around a setuid or file-capability install (docs/security.md): users outside
# the nsdump group are refused before anything happens, even where the file mode would let
# them run it; signals and the environment of the invoker do not carry over; the capture loop
# runs under a seccomp allow-list that kills the process on any other system call.
# (Members capturing, capabilities, files: t_privs.sh.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd setpriv useradd userdel groupadd groupdel setcap
TESTHOOKS=${NSDUMP}-testhooks
if [ ! -x "$TESTHOOKS" ]; then
	not_ok "$ND_SCRIPT: test-hook binary" "$TESTHOOKS is not an executable file; build it first"
	exit 1
fi
nd_topo 2 72 || nd_finish

nd_group_setup
MEMBER="ndtm$ND_SUF"
OUTSIDER="ndtx$ND_SUF"
nd_user_new "$MEMBER"
nd_user_new "$OUTSIDER"
m_uid=$(id -u "$MEMBER")
m_gid=$(id -g "$MEMBER")
x_uid=$(id -u "$OUTSIDER")
x_gid=$(id -g "$OUTSIDER")

bin_dir=$ND_TMP/bin
out_dir=$ND_TMP/out
mkdir -p "$bin_dir" "$out_dir"
chmod 755 "$ND_TMP" "$bin_dir"
chmod 1777 "$out_dir"
install -m 4755 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/suid-4755"
install -m 4750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/suid-4750"
install -m 0755 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/caps-0755"
install -m 0750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/caps-0750"
install -m 4750 -o root -g "$ND_GROUP" "$TESTHOOKS" "$bin_dir/hooks-suid"
setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$bin_dir/caps-0755"
setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$bin_dir/caps-0750"
# Sanitizer runtimes cannot stop the world for the leak check in a non-dumpable process.
export ASAN_OPTIONS=detect_leaks=0

as_outsider() { setpriv --reuid="$x_uid" --regid="$x_gid" --clear-groups -- "$@"; }
# The same through a shell: setpriv itself executes the program while it still has root's
# capabilities, so the file mode's execute bits are only checked for an exec by the user.
as_outsider_shell() {
	setpriv --reuid="$x_uid" --regid="$x_gid" --clear-groups -- /bin/bash -c 'exec "$@"' nsdump "$@"
}
as_member() { setpriv --reuid="$m_uid" --regid="$m_gid" --groups="$ND_GROUP_GID" -- "$@"; }

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# ---- outside the group: refused ----------------------------------------

for b in suid-4755 caps-0755; do
	f=$out_dir/outsider-$b.pcap
	timeout -s KILL 10 setpriv --reuid="$x_uid" --regid="$x_gid" --clear-groups -- \
		"$bin_dir/$b" --pid "$TARGET_PID" -c 1 -w "$f" >"$ND_TMP/$b.out" 2>"$ND_TMP/$b.err"
	check_eq "$b, user outside the group: exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/$b.err")"
	check_one_error_line "$b, outsider: one error line" "$ND_TMP/$b.err"
	check_grep "$b, outsider: the message names the group" "$ND_TMP/$b.err" "group '$ND_GROUP'"
	check "$b, outsider: nothing written" "$([ ! -e "$f" ] && [ ! -s "$ND_TMP/$b.out" ]; echo $?)"
done
# Even -D (which captures nothing) is refused: nothing is done with privileges for them.
as_outsider "$bin_dir/suid-4755" --pid "$TARGET_PID" -D >"$ND_TMP/d.out" 2>"$ND_TMP/d.err"
check_eq "suid-4755, outsider: -D refused with exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/d.err")"
check "suid-4755, outsider: -D printed nothing" "$([ ! -s "$ND_TMP/d.out" ]; echo $?)"
for b in suid-4750 caps-0750; do
	as_outsider_shell "$bin_dir/$b" --pid "$TARGET_PID" -c 1 -w "$out_dir/o-$b.pcap" >/dev/null 2>"$ND_TMP/$b.err"
	check_eq "$b, outsider: cannot even execute it (126)" 126 "$?" "$(nd_excerpt "$ND_TMP/$b.err")"
	check "$b, outsider: nothing written" "$([ ! -e "$out_dir/o-$b.pcap" ]; echo $?)"
done
# The group as the real (primary) group admits too.
setpriv --reuid="$x_uid" --regid="$ND_GROUP_GID" --clear-groups -- "$bin_dir/suid-4755" \
	--pid "$TARGET_PID" -D >"$ND_TMP/prim.out" 2>"$ND_TMP/prim.err"
check_eq "suid-4755, the group as real gid: admitted (-D exits 0)" 0 "$?" "$(nd_excerpt "$ND_TMP/prim.err")"

# ---- a member: a planted symlink in /tmp --------------------------------

victim=$ND_TMP/victim
echo keep >"$victim"
chmod 644 "$victim"
link=$out_dir/planted-$ND_SUF.pcap # $out_dir is sticky and world-writable, like /tmp
ln -s "$victim" "$link"
chown -h "$OUTSIDER" "$link"
as_member "$bin_dir/suid-4750" --pid "$TARGET_PID" -c 1 -w "$link" >/dev/null 2>"$ND_TMP/link.err"
check_eq "member: a symlink planted in a sticky dir, to a root-owned file: exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/link.err")"
check_eq "member: the root-owned file is untouched" keep "$(cat "$victim")"

# ---- signals: the invoker's dispositions and mask do not carry over ----

# SIGPIPE (13) ignored, SIGHUP/SIGINT/SIGTERM (1, 2, 15) blocked for the signalfd, nothing else.
(
	trap '' USR1 QUIT ALRM
	exec "$NSDUMP" --pid "$TARGET_PID" -v -w "$ND_TMP/sig.pcap"
) >"$ND_TMP/sig.out" 2>"$ND_TMP/sig.err" &
ND_PID=$!
nd_track_pid "$ND_PID"
if nd_wait_ready sig; then
	# Signals 32 and 33 are glibc's own (sigaction refuses them): only 1-31 are compared.
	sigign=$(status_field "$ND_PID" SigIgn)
	check_eq "signals ignored by the invoker are reset (SigIgn: SIGPIPE only)" 1000 "$(printf '%x' $((0x$sigign & 0x7fffffff)))"
	check_eq "signal mask: exactly SIGHUP, SIGINT, SIGTERM" 0000000000004003 "$(status_field "$ND_PID" SigBlk)"
	check_eq "root: seccomp filter on" 2 "$(status_field "$ND_PID" Seccomp)"
	nd_stop TERM
	check_eq "SIGTERM still stops it (exit 0)" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/sig.err")"
fi

# ---- the sandbox: a forbidden system call in the loop kills nsdump -----

# hook_run TAG HOOK RUNNER...: the test-hook binary, the hook set, packets sent: the
# forbidden call after the first packet kills it.
hook_run() {
	local tag=$1 hook=$2
	shift 2
	NSDUMP_TEST_HOOK=$hook "$@" --pid "$TARGET_PID" -v -w "$out_dir/$tag.pcap" \
		>"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	nd_wait_ready "$tag" || return 1
	nd_send "$NS_A" 3 "$SINK_B" || true
	nd_wait_exit "$ND_PID" 5
	check_eq "$tag: killed by SIGSYS (status 128+31)" 159 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_nogrep "$tag: the forbidden call never returned" "$ND_TMP/$tag.err" 'forbidden call returned'
}
hook_run hook-socket socket "$TESTHOOKS"
hook_run hook-socket-rot socket "$TESTHOOKS" -G 60
# A write to the capture's own packet socket would send a frame into the target's network
# (the kernel does not check CAP_NET_RAW again): write(2) is allowed on the output only.
hook_run hook-write write-capture "$TESTHOOKS"
hook_run hook-write-rot write-capture "$TESTHOOKS" -C 1
# Opening for reading is refused (EACCES, see src/sandbox.c: libpcap's statistics try it)
# without and with rotation (which may only create files); the capture goes on.
for rot in "" "-G 60"; do
	tag=hook-open${rot:+-rot}
	# shellcheck disable=SC2086 # $rot: none or two words
	NSDUMP_TEST_HOOK=open-read "$TESTHOOKS" --pid "$TARGET_PID" $rot -v -w "$out_dir/$tag.pcap" \
		>"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if nd_wait_ready "$tag"; then
		nd_send "$NS_A" 3 "$SINK_B" || true
		nd_wait_file_grep "$ND_TMP/$tag.err" 'forbidden call returned' 3 "$ND_PID"
		check_grep "$tag: open for reading in the loop fails" "$ND_TMP/$tag.err" 'forbidden call returned -1$'
		nd_stop INT
		check_eq "$tag: the capture goes on, SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
		check_count "$tag: 3 packets" "$out_dir/$tag.pcap" 3
	fi
done
# The filter is the same when a group member runs the setuid install.
hook_run hook-suid socket setpriv --reuid="$m_uid" --regid="$m_gid" --groups="$ND_GROUP_GID" -- "$bin_dir/hooks-suid"
# Without a hook, the test binary captures normally (the hooks alone do not kill it).
"$TESTHOOKS" --pid "$TARGET_PID" -v -c 3 -w "$out_dir/hook-none.pcap" >/dev/null 2>"$ND_TMP/hook-none.err" &
ND_PID=$!
nd_track_pid "$ND_PID"
if nd_wait_ready hook-none; then
	nd_send "$NS_A" 3 "$SINK_B" || true
	nd_wait_exit "$ND_PID" 5
	check_eq "no hook: exits 0 after -c 3" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/hook-none.err")"
	check_count "no hook: exactly 3 packets" "$out_dir/hook-none.pcap" 3
fi

nd_finish
