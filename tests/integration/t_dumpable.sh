#!/bin/bash
# A setuid (or file-capability) nsdump stays non-dumpable whatever fs.suid_dumpable says. The
# kernel resets the flag to fs.suid_dumpable when the ids change (setresuid at start): with 1
# the invoker could ptrace the process or take its packet socket with pidfd_getfd, with 2 make
# it dump a root-owned core (its memory holds other people's packets). Both values are tried,
# and restored at exit.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd setpriv useradd userdel groupadd groupdel setcap
PTPROBE=${PTPROBE:-$ND_ROOT/build/tools/ptprobe}
if [ ! -x "$PTPROBE" ]; then
	not_ok "$ND_SCRIPT: ptprobe" "$PTPROBE is not an executable file (make build/tools/ptprobe)"
	exit 1
fi
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
if [ "$scope" != 0 ]; then
	# Yama would refuse the probe anyway (it is no ancestor of nsdump): the test proves nothing.
	nd_skip_all "kernel.yama.ptrace_scope is $scope: only ancestors may ptrace"
fi
nd_topo 1 76 || nd_finish

# The group lock keeps the other setuid tests (t_privs.sh, t_security.sh...) of every checkout
# from running while fs.suid_dumpable and the core pattern are changed.
nd_group_setup
USER_NAME="ndtd$ND_SUF"
nd_user_new "$USER_NAME"
uid=$(id -u "$USER_NAME")
gid=$(id -g "$USER_NAME")
bin_dir=$ND_TMP/bin
out_dir=$ND_TMP/out
mkdir -p "$bin_dir" "$out_dir" "$ND_TMP/cores"
chmod 755 "$ND_TMP" "$bin_dir"
chown "$USER_NAME" "$out_dir"
install -m 4750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/nsdump-suid"
install -m 0750 -o root -g "$ND_GROUP" "$NSDUMP" "$bin_dir/nsdump-caps"
setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$bin_dir/nsdump-caps"
export ASAN_OPTIONS=detect_leaks=0

as_user() { setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- "$@"; }

# A core dump runs this helper (as root), which leaves a file named after the dumping PID: no
# core is written anywhere, and the test sees whether the kernel would have written one.
nd_sysctl_set kernel.core_pattern "|/usr/bin/touch $ND_TMP/cores/core.%p" || nd_finish

# cored PID: true when the kernel dumped PID's core (waits up to 2 s for the helper).
cored() {
	local limit=$(($(nd_now_ms) + 2000))
	while [ ! -e "$ND_TMP/cores/core.$1" ]; do
		[ "$(nd_now_ms)" -ge "$limit" ] && return 1
		sleep 0.02
	done
	return 0
}

# packet_fd PID: the number of one of PID's descriptors that is a packet socket in the target.
packet_fd() {
	local f ino
	for f in /proc/"$1"/fd/*; do
		ino=$(readlink "$f" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
		[ -n "$ino" ] || continue
		if awk -v i="$ino" 'NR > 1 && $9 == i { found = 1 } END { exit !found }' "/proc/$TARGET_PID/net/packet"; then
			basename "$f"
			return 0
		fi
	done
	return 1
}

for v in 1 2; do
	nd_sysctl_set fs.suid_dumpable "$v" || nd_finish
	# The control: the same user's own process does dump a core when killed with SIGQUIT (a
	# background job starts with SIGQUIT ignored; nsdump resets that itself).
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env --default-signal=QUIT sleep 60 &
	ctl=$!
	nd_track_pid "$ctl"
	limit=$(($(nd_now_ms) + ND_WAIT_S * 1000))
	while [ "$(stat -c %u "/proc/$ctl" 2>/dev/null)" != "$uid" ] && [ "$(nd_now_ms)" -lt "$limit" ]; do
		sleep 0.02
	done
	as_user kill -QUIT "$ctl"
	nd_wait_exit "$ctl" 5
	if cored "$ctl"; then
		ok "suid_dumpable=$v: control: the user's own process dumps a core on SIGQUIT"
	else
		not_ok "suid_dumpable=$v: control: the user's own process dumps a core on SIGQUIT" "no core.$ctl"
		continue
	fi
	for mode in suid caps; do
		tag=$mode-$v
		setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- "$bin_dir/nsdump-$mode" \
			--pid "$TARGET_PID" -v -w "$out_dir/$tag.pcap" >"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" &
		ND_PID=$!
		nd_track_pid "$ND_PID"
		nd_wait_ready "$tag" || continue
		check_eq "$tag: /proc/PID/status owned by root (not dumpable)" 0 "$(stat -c %u "/proc/$ND_PID/status")"
		as_user "$PTPROBE" attach "$ND_PID" >"$ND_TMP/$tag.pt" 2>&1
		check_eq "$tag: the invoker cannot ptrace it" "ptrace: Operation not permitted" "$(cat "$ND_TMP/$tag.pt")"
		if fd=$(packet_fd "$ND_PID"); then
			as_user "$PTPROBE" getfd "$ND_PID" "$fd" >"$ND_TMP/$tag.fd" 2>&1
			check_eq "$tag: the invoker cannot take its packet socket (pidfd_getfd of descriptor $fd)" \
				"pidfd_getfd: Operation not permitted" "$(cat "$ND_TMP/$tag.fd")"
		else
			not_ok "$tag: nsdump holds a packet socket in the target" "$(find "/proc/$ND_PID/fd" -type l -printf '%f %l|' 2>&1)"
		fi
		as_user kill -QUIT "$ND_PID"
		nd_wait_exit "$ND_PID" 5
		check_eq "$tag: SIGQUIT from the invoker ends it (128+3)" 131 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
		check "$tag: and no core is dumped" "$(! cored "$ND_PID"; echo $?)"
	done
done

nd_finish
