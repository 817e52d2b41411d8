#!/bin/bash
# The two ways of installing nsdump for non-root users: setuid-root and file capabilities,
# both restricted to the nsdump group (4750 / 0750 root:nsdump). A member of the group captures
# through them; the capture loop runs with no capability left, the user's own ids, the seccomp
# filter on, core dumps off; the file belongs to the user; the user cannot write where they
# could not. (Users outside the group: t_security.sh.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd setpriv useradd userdel groupadd groupdel setcap
nd_topo 1 71 || nd_finish

nd_group_setup
USER_NAME="ndtp$ND_SUF"
nd_user_new "$USER_NAME"
uid=$(id -u "$USER_NAME")
gid=$(id -g "$USER_NAME")
# Another user, whose private directory the first must not be able to write into.
OTHER_NAME="ndto$ND_SUF"
nd_user_new "$OTHER_NAME"

bin_dir=$ND_TMP/bin
out_dir=$ND_TMP/out
mkdir -p "$bin_dir" "$out_dir"
chmod 755 "$ND_TMP" "$bin_dir"
chown "$USER_NAME" "$out_dir"
chmod 700 "$out_dir"
other_dir=$ND_TMP/other
mkdir -p "$other_dir"
chown "$OTHER_NAME" "$other_dir"
chmod 755 "$other_dir"
install -m 4750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/nsdump-suid"
install -m 0750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/nsdump-caps"
install -m 0750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/nsdump-rawonly"
setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$bin_dir/nsdump-caps"
setcap cap_net_raw+p "$bin_dir/nsdump-rawonly"
# Sanitizer runtimes cannot stop the world for the leak check in a non-dumpable process.
export ASAN_OPTIONS=detect_leaks=0

# as_user BIN ARGS...: exec (no fork, so $! is nsdump) as the user, a member of the group.
as_user() {
	setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- "$@"
}

# status_field PID FIELD: a field of /proc/PID/status, whitespace squeezed.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

for mode in suid caps; do
	bin=$bin_dir/nsdump-$mode
	f=$out_dir/$mode.pcap
	# Not through the function: $! must be nsdump itself, not a subshell.
	setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- "$bin" --pid "$TARGET_PID" -v -w "$f" \
		>"$ND_TMP/$mode.out" 2>"$ND_TMP/$mode.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if ! nd_wait_ready "$mode"; then
		continue
	fi
	check_eq "$mode: capture loop holds no effective capability" 0000000000000000 "$(status_field "$ND_PID" CapEff)"
	check_eq "$mode: no permitted capability" 0000000000000000 "$(status_field "$ND_PID" CapPrm)"
	check_eq "$mode: empty bounding set" 0000000000000000 "$(status_field "$ND_PID" CapBnd)"
	check_eq "$mode: real, effective, saved uids are the user's" "$uid $uid $uid $uid" "$(status_field "$ND_PID" Uid | tr -s '\t ' ' ')"
	check_eq "$mode: gids are the user's" "$gid $gid $gid $gid" "$(status_field "$ND_PID" Gid | tr -s '\t ' ' ')"
	check_eq "$mode: no-new-privileges set" 1 "$(status_field "$ND_PID" NoNewPrivs)"
	check_eq "$mode: seccomp filter on" 2 "$(status_field "$ND_PID" Seccomp)"
	# A non-dumpable process's /proc/PID files belong to root (proc(5), PR_SET_DUMPABLE): no
	# core file, and the user cannot ptrace it or read its memory.
	check_eq "$mode: not dumpable (/proc/PID/status owned by root)" 0 "$(stat -c %u "/proc/$ND_PID/status")"
	check_grep "$mode: -v names the privilege mode" "$ND_TMP/$mode.err" 'privileges (setuid-root|file capabilities)'
	nd_send "$NS_A" 30 "$SINK_B" || true
	nd_wait_count "$f" 30
	nd_stop INT
	check_eq "$mode: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$mode.err")"
	check_count "$mode: exactly 30 packets" "$f" 30
	check_eq "$mode: file owned by the user, mode 600" "$USER_NAME:$USER_NAME 600" "$(stat -c '%U:%G %a' "$f")"

	as_user "$bin" --pid "$TARGET_PID" -c 1 -w "/etc/nsdump-test-$ND_SUF" >"$ND_TMP/$mode.etc.out" 2>"$ND_TMP/$mode.etc.err"
	check_eq "$mode: -w in /etc refused with exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/$mode.etc.err")"
	if [ -e "/etc/nsdump-test-$ND_SUF" ]; then
		rm -f "/etc/nsdump-test-$ND_SUF"
		not_ok "$mode: nothing created in /etc" "the file was created"
	else
		ok "$mode: nothing created in /etc"
	fi
	check_one_error_line "$mode: one error line for /etc" "$ND_TMP/$mode.etc.err"

	as_user "$bin" --pid "$TARGET_PID" -c 1 -w "$other_dir/$mode.pcap" >/dev/null 2>"$ND_TMP/$mode.other.err"
	check_eq "$mode: -w in another user's directory refused with exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/$mode.other.err")"
	check "$mode: nothing created in another user's directory" "$([ ! -e "$other_dir/$mode.pcap" ]; echo $?)"

	# A root-owned file reached through a symlink the user planted: not writable.
	victim=$ND_TMP/victim-$mode
	echo keep >"$victim"
	chmod 644 "$victim"
	ln -sf "$victim" "$out_dir/link-$mode.pcap"
	chown -h "$USER_NAME" "$out_dir/link-$mode.pcap"
	as_user "$bin" --pid "$TARGET_PID" -c 1 -w "$out_dir/link-$mode.pcap" >/dev/null 2>"$ND_TMP/$mode.link.err"
	check_eq "$mode: symlink to a root-owned file refused with exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/$mode.link.err")"
	check_eq "$mode: the root-owned file is untouched" keep "$(cat "$victim")"
done

# Too few capabilities: refused with exit 4 and a hint, never a capture.
as_user "$bin_dir/nsdump-rawonly" --pid "$TARGET_PID" -c 1 -w "$out_dir/raw.pcap" >/dev/null 2>"$ND_TMP/raw.err"
check_eq "only cap_net_raw: exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/raw.err")"
check_grep "only cap_net_raw: the message says how to fix it" "$ND_TMP/raw.err" 'Privileges'
check "only cap_net_raw: no file written" "$([ ! -e "$out_dir/raw.pcap" ]; echo $?)"

nd_finish
