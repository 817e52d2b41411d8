#!/bin/bash
# --follow against real runtimes: nsdump started before its target runs (created but not
# started, or not existing at all) waits, then captures each start of the container from its
# first packet, one pcapng interface per start (NAME/eth0#1, #2, ...), an interface statistics
# block as each start ends, and ends only on a signal (exit 0, a valid file).
#
# The container's entrypoint sends, as its very first action, FL_N datagrams to a peer
# namespace of the test's, then exits 3: busybox's nc has no UDP and its sh no /dev/udp, so the
# image built here is busybox plus tests/tools/udpsend linked statically (exact counts). Each
# part counts the datagrams twice: on the peer's side (tcpdump in the peer namespace: what the
# container sent) and in nsdump's file (what nsdump caught), so a failure says which side lost
# them.
#   docker:   a network of the test's (own bridge and subnet) with the peer on its bridge;
#             (a) a created container started 3 times (docker start, docker wait);
#             (b) a container that does not exist yet, run with --restart on-failure:2.
#   ctr:      the test's own containerd (shared with the CRI part), a namespace of the test's,
#             the container in a netns of the test's joined by a veth to the peer; it does not
#             exist yet, and is run 3 times with `ctr run --rm` under the same name.
#   podman:   a network of the test's (its bridge made before CNI makes it, the peer on it),
#             a created container started 3 times.
#   cri:      a pod made through containerd's CRI (tests/cri/cri.py), which does not exist when
#             nsdump --pod starts: (a) its app container made anew and started 3 times in the
#             same pod: one interface POD/eth0#1 holds all three starts' datagrams; (b) the pod
#             removed and made again under the same name: a new interface POD/eth0#2.
# And without any runtime: --follow with --pid, --netns or -D is a usage error (exit 2), and
# --follow --duration waits for a container that never comes, with its CPU near zero, and ends.
#
# The containerd parts put the state in /run/containerd, where nsdump looks, unless another
# containerd uses it: then under a directory of the test's, and nsdump runs with --root (as
# t_cri.sh). FL_PARTS="docker ctr podman cri" (the default) chooses the parts; a part whose
# runtime is missing or does not start is skipped. Everything made is removed at exit, on
# every path: containers, pods, networks, bridges, namespaces, iptables rules, images, the
# test's containerd and its state. FL_KEEP=DIR keeps the test's files (stderr, captures).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd cc python3 jq nsenter iptables curl findmnt pgrep
PY=/usr/bin/python3 # Debian's: a python3 earlier on PATH may not see python3-grpcio
T0=$(nd_now_ms)
FL_PARTS=${FL_PARTS:-docker ctr podman cri}
FL_N=20       # datagrams per start
PORT=9917     # their destination port; nsdump's filter is "udp dst port $PORT"
FL_IMG=nsdump-follow:$ND_SUF
FL_NS=$RT_PREFIX # the containerd namespace of the ctr part
FL_DOCKER_NET=""
FL_PODMAN_NET=""
FL_PODMAN_BR=""
FL_IMAGES=()  # "docker", "podman": FL_IMG imported there, removed at exit
FL_LINKS=()   # host links made here, removed at exit

fl_part() { [[ " $FL_PARTS " == *" $1 "* ]]; }

# fl_have PART CMD...: the commands are there, else the part is skipped (not the script).
fl_have() {
	local part=$1 c
	shift
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			skip "$part" "command '$c' not installed"
			return 1
		fi
	done
}

# ---- CRI machinery (as t_cri.sh): a containerd of the test's own ------------------------------

CRI_PY=$ND_ROOT/tests/cri/cri.py
export CRI_DESC=$ND_TMP/runtime.desc
CRI_NS=shop
CRI_BR=ndfc$ND_SUF
CRI_NET=nsdump-follow-$ND_SUF
CRI_SUBNET=198.19.123
PAUSE_IMG=nsdump.test/fpause:$ND_SUF
APP_IMG=nsdump.test/fapp:$ND_SUF
CRI_SOCK=""
CD_STATE=""
CD_PID=""
CRI_PODS=() # sandbox IDs to stop and remove
CRI_IDS=()  # every sandbox and container ID made (CRI and ctr), for a forced cleanup
CRI_NETNS=()
CTR_IDS=()  # ctr containers of namespace $FL_NS
IPT_RULES=() # FORWARD rules added here
RUN_CD_BEFORE=""
ROOTARG=()
CG_BEFORE=$(ls -d /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/*/"$FL_NS" 2>/dev/null)
# containerd's runc shim keeps runc's state in /run/containerd/runc/NAMESPACE whatever the
# daemon's state directory: the namespace directories made there are removed at exit.
RUNC_K8S_BEFORE=$([ -d /run/containerd/runc/k8s.io ] && echo yes)

cri() { timeout 90 "$PY" "$CRI_PY" --socket "$CRI_SOCK" "$@"; }
fctr() { timeout 90 ctr -a "$CRI_SOCK" "$@"; }

# shellcheck disable=SC2317 # called by the EXIT trap
fl_cd_cleanup() {
	local p n id
	[ -n "$CD_PID" ] || return 0
	for id in "${CTR_IDS[@]}"; do
		fctr -n "$FL_NS" task kill -s KILL "$id" >/dev/null 2>&1
		for _ in $(seq 1 50); do
			fctr -n "$FL_NS" task delete "$id" >/dev/null 2>&1 && break
			fctr -n "$FL_NS" task ls -q 2>/dev/null | grep -qx "$id" || break
			sleep 0.1
		done
		fctr -n "$FL_NS" container delete "$id" >/dev/null 2>&1
	done
	for p in "${CRI_PODS[@]}"; do
		cri stopp "$p" >/dev/null 2>&1
		cri rmp "$p" >/dev/null 2>&1 || echo "# cleanup: could not remove pod sandbox $p"
	done
	if nd_is_ours "$CD_PID"; then
		kill -TERM "$CD_PID" 2>/dev/null
		nd_wait_exit "$CD_PID" 10 || echo "# cleanup: containerd $CD_PID killed after 10 s"
	fi
	for n in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $CRI_SOCK( |\$)"); do
		echo "# cleanup: ending shim $n of $CRI_SOCK"
		kill -KILL "$n" 2>/dev/null
	done
	rm -f "$CRI_SOCK" "$CRI_SOCK.ttrpc"
	for id in "${CRI_IDS[@]}"; do
		for n in k8s.io "$FL_NS"; do
			if [ -e "$CD_STATE/runc/$n/$id" ]; then
				echo "# cleanup: runc delete --force $id"
				runc --root "$CD_STATE/runc/$n" delete --force "$id" 2>/dev/null
			fi
		done
	done
	rt_cri_leftovers "${CRI_IDS[@]}" -- "${CRI_NETNS[@]}"
	for id in "${CRI_IDS[@]}"; do
		rmdir /sys/fs/cgroup/*/k8s.io/"$id" /sys/fs/cgroup/*/"$FL_NS"/"$id" 2>/dev/null
	done
	for n in /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/*/"$FL_NS"; do
		[ -d "$n" ] && ! grep -qxF "$n" <<<"$CG_BEFORE" && rmdir "$n" 2>/dev/null
	done
	rm -f /var/lib/cni/results/"$CRI_NET"-* 2>/dev/null
	if [ -n "$RUN_CD_BEFORE" ]; then
		for n in /run/containerd/*; do
			grep -qxF "$(basename "$n")" <<<"$RUN_CD_BEFORE" && continue
			find "$n" -depth -type d -empty -delete 2>/dev/null
		done
		# Our namespace's directories under the state (ours alone, by name).
		find /run/containerd -depth -type d -name "$FL_NS" -empty -delete 2>/dev/null
	fi
	rmdir "/run/containerd/runc/$FL_NS" 2>/dev/null
	[ -z "$RUNC_K8S_BEFORE" ] && rmdir /run/containerd/runc/k8s.io 2>/dev/null
	CD_PID=""
}

# shellcheck disable=SC2317 # called by the EXIT trap
fl_cleanup() {
	local n r
	# nsdump and the peers' tcpdumps first (lib.sh would end them later, after the runtimes).
	for n in "${ND_PIDS[@]}"; do
		nd_is_ours "$n" && kill -TERM "$n" 2>/dev/null
	done
	for n in "${RT_DOCKER_CTRS[@]}"; do docker rm -f "$n" >/dev/null 2>&1; done
	RT_DOCKER_CTRS=()
	[ -n "$FL_DOCKER_NET" ] && { docker network rm "$FL_DOCKER_NET" >/dev/null 2>&1 ||
		echo "# cleanup: could not remove docker network $FL_DOCKER_NET"; }
	for n in "${RT_PODMAN_CTRS[@]}"; do podman rm -f -t 0 "$n" >/dev/null 2>&1; done
	RT_PODMAN_CTRS=()
	[ -n "$FL_PODMAN_NET" ] && { podman network rm -f "$FL_PODMAN_NET" >/dev/null 2>&1 ||
		echo "# cleanup: could not remove podman network $FL_PODMAN_NET"; }
	[ -n "$FL_PODMAN_BR" ] && ip link del "$FL_PODMAN_BR" 2>/dev/null
	for n in "${FL_IMAGES[@]}"; do
		case "$n" in
		docker) docker rmi "$FL_IMG" >/dev/null 2>&1 ;;
		podman) podman rmi "localhost/$FL_IMG" >/dev/null 2>&1 ;;
		esac
	done
	fl_cd_cleanup
	for n in "${FL_LINKS[@]}"; do ip link del "$n" 2>/dev/null; done
	ip link del "$CRI_BR" 2>/dev/null
	for r in "${IPT_RULES[@]}"; do
		# shellcheck disable=SC2086 # the rule's words
		iptables -D FORWARD $r 2>/dev/null || echo "# cleanup: could not remove iptables rule FORWARD $r"
	done
}
# shellcheck disable=SC2317 # the EXIT trap
fl_exit() {
	# FL_KEEP=DIR keeps the test's files (nsdump's stderr and captures) for a post-mortem.
	[ -n "${FL_KEEP:-}" ] && rm -rf "$FL_KEEP" && cp -a "$ND_TMP" "$FL_KEEP"
	fl_cleanup
	rt_exit
}
trap fl_exit EXIT

# ---- helpers ----------------------------------------------------------------------------------

# fl_image_tar: a busybox root filesystem with a static udpsend as /bin/udpsend ($FL_TAR).
fl_image_tar() {
	local r=$ND_TMP/frootfs a
	mkdir -p "$r/bin" "$r/etc" || return 1
	cc -static -O2 -D_GNU_SOURCE -o "$r/bin/udpsend" "$ND_ROOT/tests/tools/udpsend.c" || return 1
	cp /bin/busybox "$r/bin/" || return 1
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
	done
	tar -C "$r" -cf "$ND_TMP/follow.tar" . || return 1
	FL_TAR=$ND_TMP/follow.tar
}

# The entrypoint: FL_N datagrams to DST first thing, then exit 3 (a failure, for restart
# policies). udpsend prints "sent N" once they are all handed to the kernel.
fl_cmd() { echo "/bin/udpsend -c $FL_N -p $PORT $1; exit 3"; }

# fl_peer NS BRIDGE HOSTLINK IP/PREFIX: a namespace of ours with eth0 (IP) whose other end
# HOSTLINK is a port of BRIDGE. The datagrams to PORT are dropped there in silence (no ICMP).
fl_peer() {
	{
		nd_netns_new "$1" &&
			ip link add "$3" type veth peer name eth0 netns "$1" &&
			FL_LINKS+=("$3") &&
			ip link set "$3" master "$2" &&
			ip link set "$3" up &&
			ip -n "$1" addr add "$4" dev eth0 &&
			ip -n "$1" link set eth0 up &&
			ip netns exec "$1" iptables -A INPUT -p udp --dport "$PORT" -j DROP
	} 2>"$ND_TMP/peer.err"
}

# fl_bridge_accept BRIDGE: with br_netfilter on (dockerd loads it) bridged IPv4 goes through
# iptables' FORWARD chain, whose policy dockerd sets to DROP: accept what stays on BRIDGE.
fl_bridge_accept() {
	[ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] || return 0
	# shellcheck disable=SC2086 # the rule's words
	iptables -I FORWARD -i $1 -o $1 -j ACCEPT && IPT_RULES+=("-i $1 -o $1 -j ACCEPT")
}

# fl_tcpdump_start TAG NS: tcpdump in the peer namespace NS, the datagrams to PORT written to
# $ND_TMP/TAG.peer.pcap; sets TD_PID once it listens.
fl_tcpdump_start() {
	ip netns exec "$2" tcpdump -n -i eth0 -U -w "$ND_TMP/$1.peer.pcap" udp dst port "$PORT" \
		2>"$ND_TMP/$1.peer.err" &
	TD_PID=$!
	nd_track_pid "$TD_PID"
	if ! nd_wait_file_grep "$ND_TMP/$1.peer.err" 'listening on' "$ND_WAIT_S" "$TD_PID"; then
		not_ok "$1: tcpdump in the peer namespace listens" "$(nd_excerpt "$ND_TMP/$1.peer.err")"
		return 1
	fi
}

# fl_tcpdump_check TAG N: the peer's tcpdump received exactly N datagrams (what the container
# sent, whatever nsdump did).
fl_tcpdump_check() {
	nd_poll "$ND_WAIT_S" "$2 datagrams at the peer" nd_cond_count "$2" "$ND_TMP/$1.peer.pcap"
	nd_is_ours "$TD_PID" && kill -INT "$TD_PID" 2>/dev/null
	nd_wait_exit "$TD_PID" 5
	check_count "$1: the peer received exactly $2 datagrams (tcpdump in its namespace)" \
		"$ND_TMP/$1.peer.pcap" "$2"
}

# fl_follow TAG ARGS...: nsdump -v --follow ARGS -w $ND_TMP/TAG.pcapng udp dst port PORT in the
# background; waits for its "waiting for" line. Returns 1 (after a "not ok") without it.
fl_follow() {
	local tag=$1
	shift
	nd_start "$tag" -v --follow "${ROOTARG[@]}" "$@" -w "$ND_TMP/$tag.pcapng" udp dst port "$PORT"
	if nd_wait_file_grep "$ND_TMP/$tag.err" 'waiting for' "$ND_WAIT_S" "$ND_PID"; then
		ok "$tag: nsdump says it is waiting for the target"
		return 0
	fi
	if nd_exited "$ND_PID"; then
		nd_wait_exit "$ND_PID" 1
		not_ok "$tag: nsdump waits for the target" "exited with $ND_RC: $(nd_excerpt "$ND_TMP/$tag.err")"
	else
		not_ok "$tag: nsdump waits for the target" "no 'waiting for' within $ND_WAIT_S s: $(nd_excerpt "$ND_TMP/$tag.err")"
	fi
	return 1
}

# fl_cpu_ticks PID: user + system clock ticks of PID and its descendants.
fl_cpu_ticks() {
	awk -v root="$1" '
		FNR == 1 { line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
			pid = FILENAME; gsub(/[^0-9]/, "", pid); ppid[pid] = f[2]; t[pid] = f[12] + f[13] }
		END { for (p in t) { q = p; for (i = 0; i < 64 && q != "" && q != root; i++) q = ppid[q]
			if (q == root) s += t[p] } print s + 0 }' /proc/[0-9]*/stat 2>/dev/null
}

# fl_pcapng FILE: one line per interface description block ("idb") and per statistics block
# ("isb IFID USRDELIV"); "truncated" when the last block is cut (a file still being written).
fl_pcapng() {
	[ -f "$1" ] || return 0
	"$PY" - "$1" <<-'EOF'
		import struct, sys
		d = open(sys.argv[1], "rb").read()
		o, bo = 0, "<"
		while o + 12 <= len(d):
		    if d[o:o + 4] == b"\x0a\x0d\x0d\x0a":
		        bo = "<" if d[o + 8:o + 12] == b"\x4d\x3c\x2b\x1a" else ">"
		    t, ln = struct.unpack_from(bo + "II", d, o)
		    if ln < 12 or o + ln > len(d):
		        print("truncated")
		        break
		    if t == 1:
		        print("idb")
		    elif t == 5:
		        ifid = struct.unpack_from(bo + "I", d, o + 8)[0]
		        deliv, p = "none", o + 20
		        while p + 4 <= o + ln - 4:
		            code, olen = struct.unpack_from(bo + "HH", d, p)
		            if code == 0:
		                break
		            if code == 8 and olen == 8:
		                deliv = str(struct.unpack_from(bo + "Q", d, p + 4)[0])
		            p += 4 + (olen + 3) // 4 * 4
		        print("isb %d %s" % (ifid, deliv))
		    o += ln
	EOF
}

# fl_isbs FILE: the statistics blocks, "IFID USRDELIV" joined by '|'.
fl_isbs() { fl_pcapng "$1" | awk '$1 == "isb" { print $2, $3 }' | sort -n | paste -sd'|'; }
# shellcheck disable=SC2317 # called through nd_poll
fl_cond_isbs() {
	local n
	n=$(fl_pcapng "$2" | grep -c '^isb ')
	ND_SEEN="$n statistics blocks"
	[ "$n" -ge "$1" ]
}

# fl_verify TAG IFBASE "COUNT..." DESC_RE...: after nsdump ended on a signal, its file holds
# exactly COUNTs packets on interfaces IFBASE#1, #2, ...; the description of interface K
# matches DESC_RE number K, and ends with "; start K, process started TIME" (UTC, within the
# last 10 minutes); stderr said "start K"; the file is
# valid and has one statistics block per interface whose isb_usrdeliv is its count.
fl_verify() {
	local tag=$1 base=$2 counts=$3 f=$ND_TMP/$1.pcapng e=$ND_TMP/$1.err k=0 total=0 c want=() isb=""
	local re desc
	shift 3
	for c in $counts; do
		k=$((k + 1))
		total=$((total + c))
		want+=("$c $base#$k")
		isb="$isb${isb:+|}$((k - 1)) $c"
	done
	check_count_all "$tag: exactly $total packets" "$f" "$total"
	check_eq "$tag: $counts packets on interfaces $base#1..#$k" "$(nd_want "${want[@]}")" "$(nd_per_if "$f")" \
		"stderr: $(nd_excerpt "$e")"
	tshark -r "$f" -T fields -E separator=/t -e frame.interface_name -e frame.interface_description \
		2>/dev/null | sort -u >"$f.desc"
	k=0
	for re in "$@"; do
		k=$((k + 1))
		desc=$(awk -F'\t' -v n="$base#$k" '$1 == n { print $2 }' "$f.desc")
		if [[ $desc =~ $re ]]; then
			ok "$tag: interface $base#$k: its description names the start's process"
		else
			not_ok "$tag: interface $base#$k: its description names the start's process" \
				"'$desc' does not match /$re/"
		fi
		if [[ $desc =~ \;\ start\ $k,\ process\ started\ ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\.[0-9]{2}Z$ ]] &&
			[ $(($(date +%s) - $(date -u -d "${BASH_REMATCH[1]}" +%s))) -lt 600 ]; then
			ok "$tag: interface $base#$k: its description ends with '; start $k, process started' and a time of this run"
		else
			not_ok "$tag: interface $base#$k: its description ends with '; start $k, process started' and a time of this run" "'...${desc: -70}'"
		fi
		check_grep "$tag: stderr reports start $k" "$e" "^nsdump: .*start $k([^0-9]|\$)"
	done
	check_nogrep "$tag: no start $((k + 1))" "$e" "^nsdump: .*start $((k + 1))([^0-9]|\$)"
	if capinfos -M "$f" >"$ND_TMP/$tag.capinfos" 2>&1; then
		ok "$tag: capinfos reads the file"
	else
		not_ok "$tag: capinfos reads the file" "$(nd_excerpt "$ND_TMP/$tag.capinfos")"
	fi
	check_eq "$tag: $k interface statistics blocks, one per start, isb_usrdeliv its count" "$isb" "$(fl_isbs "$f")"
	check_grep "$tag: stderr says 'waiting for'" "$e" 'waiting for'
	# A failure in the part (since the last fl_verify): nsdump's whole story, for the log.
	if [ "$ND_FAILED" -gt "${FL_PART_FAILED:-0}" ]; then
		echo "# $tag: nsdump's standard error:"
		head -n 60 "$e" | sed 's/^/#   /'
	fi
	FL_PART_FAILED=$ND_FAILED
}

# fl_stop TAG SIG: nsdump still runs after the target's last stop (it keeps waiting), then SIG
# ends it with status 0.
fl_stop() {
	if nd_exited "$ND_PID"; then
		nd_wait_exit "$ND_PID" 1
		not_ok "$1: nsdump keeps waiting after the target stopped" "it exited with $ND_RC: $(nd_excerpt "$ND_TMP/$1.err")"
		return
	fi
	ok "$1: nsdump keeps waiting after the target stopped"
	nd_stop "$2" 10
	check_eq "$1: SIG$2 exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$1.err")"
}

# fl_isbs_written TAG WANT: after the last start ended, nsdump has written WANT statistics
# blocks (one per ended start) without being stopped.
fl_isbs_written() {
	nd_poll 15 "$1: $2 statistics blocks in the file before nsdump is stopped" fl_cond_isbs "$2" "$ND_TMP/$1.pcapng" &&
		ok "$1: a statistics block is written as each start ends"
}

# ---- no runtime: usage errors, a target that never comes ------------------------------------------

nd_run use-pid --pid $$ --follow -w "$ND_TMP/x.pcapng"
check_eq "--follow --pid: usage error, exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/use-pid.err")"
check_grep "--follow --pid: the message names --follow" "$ND_TMP/use-pid.err" '^nsdump: .*--follow'
check_one_error_line "--follow --pid: one error line" "$ND_TMP/use-pid.err"
nd_run use-netns --netns "/proc/$$/ns/net" --follow -w "$ND_TMP/x.pcapng"
check_eq "--follow --netns: usage error, exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/use-netns.err")"
check_grep "--follow --netns: the message names --follow" "$ND_TMP/use-netns.err" '^nsdump: .*--follow'
nd_run use-D --container "$RT_PREFIX-x" --follow -D
check_eq "--follow -D: usage error, exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/use-D.err")"
check_grep "--follow -D: the message names --follow" "$ND_TMP/use-D.err" '^nsdump: .*--follow'
check_eq "usage errors: no output file" no "$([ -e "$ND_TMP/x.pcapng" ] && echo yes || echo no)"

# A container that never comes: nsdump waits with its CPU near zero, and --duration ends it.
nd_start never -v --follow --container "$RT_PREFIX-never" --duration 4 -w "$ND_TMP/never.pcapng"
t_start=$(nd_now_ms)
if nd_wait_file_grep "$ND_TMP/never.err" 'waiting for' "$ND_WAIT_S" "$ND_PID"; then
	ok "never: 'waiting for' a container that does not exist"
	sleep 0.5 # a measurement window: what nsdump does meanwhile
	c0=$(fl_cpu_ticks "$ND_PID")
	sleep 2
	c1=$(fl_cpu_ticks "$ND_PID")
	hz=$(getconf CLK_TCK)
	# 5 % of a CPU at most over 2 s: polling is allowed, spinning is not.
	if [ $((c1 - c0)) -le $((hz / 10)) ]; then
		ok "never: CPU near zero while waiting ($((c1 - c0)) ticks of $hz/s in 2 s)"
	else
		not_ok "never: CPU near zero while waiting" "$((c1 - c0)) ticks of $hz/s in 2 s"
	fi
	nd_wait_exit "$ND_PID" 30
	el=$(($(nd_now_ms) - t_start))
	check_eq "never: 'waiting for' said once in 4 s of waiting" 1 "$(grep -c 'waiting for' "$ND_TMP/never.err")" \
		"$(nd_excerpt "$ND_TMP/never.err")"
	check_eq "never: --duration 4 ends it, exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/never.err")"
	if [ "$el" -ge 3500 ] && [ "$el" -le 15000 ]; then
		ok "never: after about 4 s ($el ms)"
	else
		not_ok "never: after about 4 s" "$el ms"
	fi
else
	nd_wait_exit "$ND_PID" 5
	not_ok "never: 'waiting for' a container that does not exist" "rc $ND_RC: $(nd_excerpt "$ND_TMP/never.err")"
fi

if ! fl_image_tar 2>"$ND_TMP/img.err"; then
	not_ok "a busybox root filesystem with a static udpsend" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi

# shellcheck disable=SC2317 # called through nd_poll
fl_cond_docker_state() {
	ND_SEEN=$(docker inspect -f '{{.RestartCount}} {{.State.Status}}' "$1" 2>&1)
	[ "$ND_SEEN" = "$2" ]
}

# ---- docker -------------------------------------------------------------------------------------

fl_docker() {
	local net=$RT_PREFIX-net br=ndfd$ND_SUF peer=ndtPd$ND_SUF c=$RT_PREFIX-fd r=$RT_PREFIX-fr
	local id i pids st
	fl_have docker docker dockerd || return
	if ! rt_docker_up; then
		skip "docker" "dockerd does not start: $(nd_excerpt "$ND_TMP/dockerd.log")"
		return
	fi
	if ! docker import -c 'CMD ["/bin/sh"]' "$FL_TAR" "$FL_IMG" >/dev/null 2>"$ND_TMP/img.err"; then
		not_ok "docker: import the image" "$(nd_excerpt "$ND_TMP/img.err")"
		return
	fi
	FL_IMAGES+=(docker)
	if ! docker network create --driver bridge --subnet 198.19.121.0/24 --gateway 198.19.121.1 \
		-o "com.docker.network.bridge.name=$br" "$net" >/dev/null 2>"$ND_TMP/net.err"; then
		not_ok "docker: network create $net" "$(nd_excerpt "$ND_TMP/net.err")"
		return
	fi
	FL_DOCKER_NET=$net
	rt_restore_forwarding
	if ! { fl_peer "$peer" "$br" "ndfpd$ND_SUF" 198.19.121.250/24 && fl_bridge_accept "$br"; }; then
		not_ok "docker: a peer namespace on $br" "$(nd_excerpt "$ND_TMP/peer.err")"
		return
	fi

	# (a) created, not started; then docker start 3 times.
	RT_DOCKER_CTRS+=("$c")
	if ! docker create --pull=never --name "$c" --network "$net" "$FL_IMG" /bin/sh -c \
		"$(fl_cmd 198.19.121.250)" >/dev/null 2>"$ND_TMP/create.err"; then
		not_ok "docker: create $c" "$(nd_excerpt "$ND_TMP/create.err")"
		return
	fi
	id=$(docker inspect -f '{{.Id}}' "$c")
	fl_tcpdump_start docker "$peer" || return
	fl_follow docker --container "$c"
	pids=""
	for i in 1 2 3; do
		docker start "$c" >/dev/null 2>"$ND_TMP/start.err" ||
			not_ok "docker: start $c ($i)" "$(nd_excerpt "$ND_TMP/start.err")"
		st=$(timeout 60 docker wait "$c")
		[ "$st" = 3 ] || not_ok "docker: $c exits 3 ($i)" "docker wait: '$st'"
		rt_restore_forwarding
	done
	check_eq "docker: the container said 'sent $FL_N' at each start" "3" \
		"$(docker logs "$c" 2>&1 | grep -c "^sent $FL_N\$")" "$(docker logs "$c" 2>&1 | head -c 200)"
	fl_tcpdump_check docker $((3 * FL_N))
	if ! nd_exited "$ND_PID"; then
		nd_wait_count "$ND_TMP/docker.pcapng" $((3 * FL_N))
		fl_isbs_written docker 3
	fi
	fl_stop docker INT
	re="^runtime docker; container $c; id $id; PID [0-9]+; netns [0-9]+; mode veth; host peer "
	fl_verify docker "$c/eth0" "$FL_N $FL_N $FL_N" "$re" "$re" "$re"
	pids=$(grep -o 'PID [0-9]*' "$ND_TMP/docker.pcapng.desc" | sort -u | wc -l)
	check_eq "docker: three starts, three PIDs" 3 "$pids"

	# (b) not existing yet; docker run --restart on-failure:2 starts it 3 times by itself.
	fl_tcpdump_start docker-restart "$peer" || return
	fl_follow docker-restart --container "$r"
	RT_DOCKER_CTRS+=("$r")
	if ! docker run -d --pull=never --restart on-failure:2 --name "$r" --network "$net" "$FL_IMG" \
		/bin/sh -c "$(fl_cmd 198.19.121.250)" >/dev/null 2>"$ND_TMP/run.err"; then
		not_ok "docker: run $r" "$(nd_excerpt "$ND_TMP/run.err")"
		return
	fi
	id=$(docker inspect -f '{{.Id}}' "$r")
	nd_poll 60 "docker: $r restarted twice and exited" fl_cond_docker_state "$r" "2 exited"
	rt_restore_forwarding
	fl_tcpdump_check docker-restart $((3 * FL_N))
	if ! nd_exited "$ND_PID"; then
		nd_wait_count "$ND_TMP/docker-restart.pcapng" $((3 * FL_N))
		fl_isbs_written docker-restart 3
	fi
	fl_stop docker-restart TERM
	re="^runtime docker; container $r; id $id; PID [0-9]+; netns [0-9]+; mode veth; host peer "
	fl_verify docker-restart "$r/eth0" "$FL_N $FL_N $FL_N" "$re" "$re" "$re"
	fl_docker_privs "$net"
}

# fl_status PID: CapPrm CapEff CapBnd NoNewPrivs Seccomp of PID (in /proc's order), space-separated.
fl_status() {
	grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' "/proc/$1/status" 2>/dev/null |
		awk '{ print $2 }' | paste -sd' '
}

# shellcheck disable=SC2317 # called by nd_poll
fl_cond_no_eff() { [ "$(fl_status "$1" | awk '{ print $2 }')" = 0000000000000000 ]; }

# shellcheck disable=SC2317 # called by nd_poll
fl_cond_sandboxed() { [ "$(fl_status "$1" | awk '{ print $5 }')" = 2 ]; }

# (c) The processes of a follow while a start is captured (docs/security.md, "--follow: three
# kinds of process"): the waiting one has no effective capability; the writer and the start's
# capture hold none at all, with no-new-privileges, under the seccomp filter.
fl_docker_privs() {
	local net=$1 c=$RT_PREFIX-fp kids k n=0
	RT_DOCKER_CTRS+=("$c")
	if ! docker run -d --pull=never --name "$c" --network "$net" "$FL_IMG" /bin/sleep 120 \
		>/dev/null 2>"$ND_TMP/privs.err"; then
		not_ok "docker-privs: run $c" "$(nd_excerpt "$ND_TMP/privs.err")"
		return
	fi
	nd_start docker-privs -v --follow --container "$c" -w "$ND_TMP/docker-privs.pcapng"
	nd_wait_ready docker-privs || return
	kids=$(cat /proc/"$ND_PID"/task/*/children 2>/dev/null)
	check_eq "docker-privs: two processes under nsdump (the writer, the start's capture)" 2 \
		"$(wc -w <<<"$kids")"
	# Root's own rights are effective only while it reads the runtimes' state (a look after
	# a change in their directories, which Docker may be making now): polled, not read once.
	nd_poll 10 "docker-privs: the waiting process has no effective capability between looks" \
		fl_cond_no_eff "$ND_PID" && ok "docker-privs: the waiting process has no effective capability between looks"
	for k in $kids; do
		n=$((n + 1))
		nd_poll 10 "docker-privs: process $n ($k) under its seccomp filter" fl_cond_sandboxed "$k"
		check_eq "docker-privs: process $n under nsdump: no capability, no new privileges, seccomp" \
			"0000000000000000 0000000000000000 0000000000000000 1 2" "$(fl_status "$k")"
	done
	nd_stop INT 10
	check_eq "docker-privs: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/docker-privs.err")"
	docker rm -f "$c" >/dev/null 2>&1
}
# ---- containerd: the test's own daemon, for ctr and CRI --------------------------------------

# fl_cd_start: a containerd with its own config, root and socket, state in /run/containerd
# (where nsdump looks) unless another containerd uses that (then under $ND_TMP, and nsdump
# runs with --root), the CRI plugin set up for this machine (RUNTIMES.md, t_cri.sh).
fl_cd_start() {
	local dir=$ND_TMP/cd i
	[ -n "$CD_PID" ] && return 0
	CD_STATE=/run/containerd
	if [ "${ND_CRI_PRIVATE_STATE:-}" = 1 ] ||
		timeout 5 ctr -a /run/containerd/containerd.sock version >/dev/null 2>&1; then
		CD_STATE=$ND_TMP/host/run/containerd
		ROOTARG=(--root "$ND_TMP/host")
		echo "# /run/containerd is not ours: state under $ND_TMP/host, nsdump with --root"
	else
		RUN_CD_BEFORE=$(ls -A /run/containerd 2>/dev/null)
		[ -d /run/containerd ] || RUN_CD_BEFORE=.none
	fi
	CRI_SOCK=$ND_TMP/cd.sock
	rt_cri_config "$dir" "$CRI_SOCK" "$CD_STATE" "$CRI_NET" "$CRI_BR" "$CRI_SUBNET" "$PAUSE_IMG" yes ||
		return 1
	containerd --config "$dir/config.toml" >"$ND_TMP/cd.log" 2>&1 {RT_LOCK_FD}>&- {ND_GROUP_LOCK_FD}>&- &
	CD_PID=$!
	for i in $(seq 1 600); do
		fctr version >/dev/null 2>&1 && break
		if nd_exited "$CD_PID" || [ "$i" = 600 ]; then
			echo "containerd does not start: $(tail -n 3 "$ND_TMP/cd.log" | tr '\n' '|')" >&2
			return 1
		fi
		sleep 0.05
	done
	# The images: the app (the sender) for ctr and the CRI, the pause image for the CRI.
	"$PY" "$CRI_PY" oci-image --rootfs "$FL_TAR" --name "$PAUSE_IMG" --out "$ND_TMP/pause.tar" \
		-- /bin/busybox sleep 2147483647 &&
		"$PY" "$CRI_PY" oci-image --rootfs "$FL_TAR" --name "$APP_IMG" --out "$ND_TMP/app.tar" \
			-- /bin/sh &&
		fctr -n k8s.io images import "$ND_TMP/pause.tar" >/dev/null &&
		fctr -n k8s.io images import "$ND_TMP/app.tar" >/dev/null &&
		fctr -n "$FL_NS" images import "$ND_TMP/app.tar" >/dev/null
}

# ---- ctr ------------------------------------------------------------------------------------------

fl_ctr() {
	local c=$RT_PREFIX-fc i out ino re
	fl_have ctr containerd ctr runc || return
	if ! fl_cd_start 2>"$ND_TMP/cd.err"; then
		skip "ctr" "containerd of the test's: $(nd_excerpt "$ND_TMP/cd.err")"
		return
	fi
	# The container's netns (A) with a veth to the peer's (B); the datagrams go to B's silent
	# sink address (lib.sh's topology: static neighbours, dropped in B without an answer).
	nd_topo F 83 || return
	ino=$(stat -L -c %i "/run/netns/$NS_A")
	fl_tcpdump_start ctr "$NS_B" || return
	# It does not exist yet.
	fl_follow ctr --container "$c"
	CTR_IDS+=("$c")
	CRI_IDS+=("$c")
	for i in 1 2 3; do
		out=$(fctr -n "$FL_NS" run --rm --with-ns "network:/run/netns/$NS_A" \
			"$APP_IMG" "$c" /bin/sh -c "$(fl_cmd "$SINK_B")" 2>&1)
		[ "$out" = "sent $FL_N" ] || not_ok "ctr: run $i of $c says 'sent $FL_N'" "$out"
	done
	fl_tcpdump_check ctr $((3 * FL_N))
	if ! nd_exited "$ND_PID"; then
		nd_wait_count "$ND_TMP/ctr.pcapng" $((3 * FL_N))
		fl_isbs_written ctr 3
	fi
	fl_stop ctr TERM
	re="^runtime containerd; namespace $FL_NS; container $c; id $c; PID [0-9]+; netns $ino; mode "
	fl_verify ctr "$c/eth0" "$FL_N $FL_N $FL_N" "$re" "$re" "$re"
	check_eq "ctr: three starts, three PIDs" 3 "$(grep -o 'PID [0-9]*' "$ND_TMP/ctr.pcapng.desc" | sort -u | wc -l)"
}

# ---- podman ---------------------------------------------------------------------------------------

fl_podman() {
	local net=$RT_PREFIX-pnet peer=ndtPp$ND_SUF c=$RT_PREFIX-fp id i st re
	fl_have podman podman || return
	if ! rt_podman_ready; then
		skip "podman" "podman does not work here: $(podman info 2>&1 | tail -n 1)"
		return
	fi
	if ! podman import -c 'CMD ["/bin/sh"]' "$FL_TAR" "$FL_IMG" >/dev/null 2>"$ND_TMP/img.err"; then
		not_ok "podman: import the image" "$(nd_excerpt "$ND_TMP/img.err")"
		return
	fi
	FL_IMAGES+=(podman)
	if ! podman network create --subnet 198.19.122.0/24 --gateway 198.19.122.1 "$net" \
		>/dev/null 2>"$ND_TMP/net.err"; then
		not_ok "podman: network create $net" "$(nd_excerpt "$ND_TMP/net.err")"
		return
	fi
	FL_PODMAN_NET=$net
	FL_PODMAN_BR=$(podman network inspect -f '{{.NetworkInterface}}' "$net" 2>/dev/null)
	# CNI makes the bridge with the first container; the peer needs it before.
	if ! ip link show "$FL_PODMAN_BR" >/dev/null 2>&1; then
		ip link add "$FL_PODMAN_BR" type bridge && ip link set "$FL_PODMAN_BR" up
	fi
	if ! { fl_peer "$peer" "$FL_PODMAN_BR" "ndfpp$ND_SUF" 198.19.122.250/24 && fl_bridge_accept "$FL_PODMAN_BR"; }; then
		not_ok "podman: a peer namespace on $FL_PODMAN_BR" "$(nd_excerpt "$ND_TMP/peer.err")"
		return
	fi
	RT_PODMAN_CTRS+=("$c")
	if ! podman create --pull=never --name "$c" --network "$net" "$FL_IMG" /bin/sh -c \
		"$(fl_cmd 198.19.122.250)" >/dev/null 2>"$ND_TMP/create.err"; then
		not_ok "podman: create $c" "$(nd_excerpt "$ND_TMP/create.err")"
		return
	fi
	id=$(podman inspect -f '{{.Id}}' "$c")
	fl_tcpdump_start podman "$peer" || return
	fl_follow podman --container "$c"
	for i in 1 2 3; do
		podman start "$c" >/dev/null 2>"$ND_TMP/start.err" ||
			not_ok "podman: start $c ($i)" "$(nd_excerpt "$ND_TMP/start.err")"
		st=$(timeout 60 podman wait "$c" 2>&1)
		[ "$st" = 3 ] || not_ok "podman: $c exits 3 ($i)" "podman wait: '$st'"
		rt_restore_forwarding
	done
	check_eq "podman: the container said 'sent $FL_N' at each start" "3" \
		"$(podman logs "$c" 2>&1 | grep -c "^sent $FL_N\$")" "$(podman logs "$c" 2>&1 | head -c 200)"
	fl_tcpdump_check podman $((3 * FL_N))
	if ! nd_exited "$ND_PID"; then
		nd_wait_count "$ND_TMP/podman.pcapng" $((3 * FL_N))
		fl_isbs_written podman 3
	fi
	fl_stop podman INT
	re="^runtime podman; container $c; id $id; PID [0-9]+; netns [0-9]+; mode veth; host peer "
	fl_verify podman "$c/eth0" "$FL_N $FL_N $FL_N" "$re" "$re" "$re"
	check_eq "podman: three starts, three PIDs" 3 "$(grep -o 'PID [0-9]*' "$ND_TMP/podman.pcapng.desc" | sort -u | wc -l)"
}

# ---- a pod through containerd's CRI ---------------------------------------------------------------

# fl_pod NAME: RunPodSandbox; sets SB, SB_UID, SB_PID, SB_NETNS.
fl_pod() {
	local st
	SB_UID=$(cat /proc/sys/kernel/random/uuid)
	SB=$(cri runp --name "$1" --namespace "$CRI_NS" --uid "$SB_UID") || return 1
	CRI_PODS+=("$SB")
	CRI_IDS+=("$SB")
	st=$(cri podstatus "$SB") || return 1
	SB_PID=$(jq -r .pid <<<"$st")
	SB_NETNS=$(jq -r .netns <<<"$st")
	CRI_NETNS+=("$SB_NETNS")
	[ "$(jq -r .state <<<"$st")" = SANDBOX_READY ]
}

# fl_app POD ATTEMPT: the app container of the pod (made anew, as kubelet does at each
# restart), started; waits for it to exit. Sets CID.
fl_app() {
	local i
	CID=$(cri create "$SB" --container app --attempt "$2" --image "$APP_IMG" --pod-name "$1" \
		--pod-namespace "$CRI_NS" --pod-uid "$SB_UID" -- /bin/sh -c "$(fl_cmd "$CRI_SUBNET.250")") || return 1
	CRI_IDS+=("$CID")
	cri start "$CID" || return 1
	for i in $(seq 1 300); do
		[ "$(cri ctrstatus "$CID")" = CONTAINER_EXITED ] && return 0
		[ "$i" = 300 ] && echo "app container $CID did not exit within 30 s" >&2
		sleep 0.1
	done
	return 1
}

fl_cri() {
	local pod=fpod$ND_SUF peer=ndtPc$ND_SUF i sb1 sb2 re
	fl_have cri containerd ctr runc || return
	"$PY" -c 'import grpc, grpc_tools.protoc' 2>/dev/null || {
		skip "cri" "python3-grpcio and python3-grpc-tools are not installed (make deps)"
		return
	}
	for i in bridge host-local loopback; do
		[ -x "/usr/lib/cni/$i" ] || {
			skip "cri" "/usr/lib/cni/$i missing: containernetworking-plugins (make deps)"
			return
		}
	done
	if ! fl_cd_start 2>"$ND_TMP/cd.err"; then
		skip "cri" "containerd of the test's: $(nd_excerpt "$ND_TMP/cd.err")"
		return
	fi
	for i in $(seq 1 100); do
		cri image-present "$PAUSE_IMG" && cri image-present "$APP_IMG" && break
		if [ "$i" = 100 ]; then
			not_ok "cri: the CRI sees the images" "$PAUSE_IMG $APP_IMG"
			return
		fi
		sleep 0.1
	done
	# The CNI bridge plugin takes the bridge it finds: made here, with the peer on it.
	if ! { ip link add "$CRI_BR" type bridge && ip link set "$CRI_BR" up &&
		fl_peer "$peer" "$CRI_BR" "ndfpc$ND_SUF" "$CRI_SUBNET.250/24" && fl_bridge_accept "$CRI_BR"; }; then
		not_ok "cri: a peer namespace on $CRI_BR" "$(nd_excerpt "$ND_TMP/peer.err")"
		return
	fi
	fl_tcpdump_start cri "$peer" || return
	# The pod does not exist yet.
	fl_follow cri --pod "$pod" -n "$CRI_NS"
	if ! fl_pod "$pod" 2>"$ND_TMP/pod.err"; then
		not_ok "cri: RunPodSandbox $CRI_NS/$pod" "$(nd_excerpt "$ND_TMP/pod.err")"
		return
	fi
	sb1="$SB $SB_PID $(stat -L -c %i "$SB_NETNS")"
	# (a) the app container started 3 times in the same pod: the same netns, one interface.
	for i in 0 1 2; do
		fl_app "$pod" "$i" 2>"$ND_TMP/app.err" ||
			not_ok "cri: app container, attempt $i, sends and exits" "$(nd_excerpt "$ND_TMP/app.err")"
	done
	nd_poll "$ND_WAIT_S" "$((3 * FL_N)) datagrams at the peer" nd_cond_count $((3 * FL_N)) "$ND_TMP/cri.peer.pcap"
	nd_exited "$ND_PID" || nd_wait_count "$ND_TMP/cri.pcapng" $((3 * FL_N))
	check_eq "cri: the app's three starts on one interface $pod/eth0#1" "$((3 * FL_N)) $pod/eth0#1" \
		"$(nd_per_if "$ND_TMP/cri.pcapng")" "stderr: $(nd_excerpt "$ND_TMP/cri.err")"
	check_nogrep "cri: the app's starts are no new start of the pod" "$ND_TMP/cri.err" "^nsdump: .*start 2([^0-9]|\$)"
	# (b) the pod removed and made again under the same name: a new start, #2.
	if ! { cri stopp "${sb1%% *}" && cri rmp "${sb1%% *}"; } 2>"$ND_TMP/rmp.err"; then
		not_ok "cri: StopPodSandbox + RemovePodSandbox" "$(nd_excerpt "$ND_TMP/rmp.err")"
		return
	fi
	if ! nd_exited "$ND_PID"; then
		fl_isbs_written cri 1
	fi
	if ! fl_pod "$pod" 2>"$ND_TMP/pod.err"; then
		not_ok "cri: RunPodSandbox $CRI_NS/$pod again" "$(nd_excerpt "$ND_TMP/pod.err")"
		return
	fi
	sb2="$SB $SB_PID $(stat -L -c %i "$SB_NETNS")"
	fl_app "$pod" 0 2>"$ND_TMP/app.err" ||
		not_ok "cri: app container of the new pod sends and exits" "$(nd_excerpt "$ND_TMP/app.err")"
	fl_tcpdump_check cri $((4 * FL_N))
	nd_exited "$ND_PID" || nd_wait_count "$ND_TMP/cri.pcapng" $((4 * FL_N))
	fl_stop cri INT
	# The sandbox of each start: its ID, PID and netns.
	re="^runtime containerd; namespace k8s.io; container [^;]+; id %s; pod $CRI_NS/$pod; PID %s; netns %s; mode veth; host peer "
	# shellcheck disable=SC2059,SC2086 # the regex is the format; the words of sb1, sb2
	fl_verify cri "$pod/eth0" "$((3 * FL_N)) $FL_N" "$(printf "$re" $sb1)" "$(printf "$re" $sb2)"
}

# Podman before the containerd parts: with another containerd on /run/containerd, those run
# nsdump with --root (ROOTARG), which would hide podman's state from it.
fl_part docker && fl_docker
fl_part podman && fl_podman
fl_part ctr && fl_ctr
fl_part cri && fl_cri
echo "# t_follow.sh: $FL_PARTS done after $(($(nd_now_ms) - T0)) ms"
nd_finish
