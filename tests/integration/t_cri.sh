#!/bin/bash
# Kubernetes pods made the way kubelet makes them: through containerd's CRI plugin
# (RunPodSandbox, CreateContainer, StartContainer, StopPodSandbox, RemovePodSandbox) with
# tests/cri/cri.py, a pause sandbox, and a CNI bridge from containernetworking-plugins. Two
# pods (web, cli) with an `app` container each talk only to each other on a bridge with no
# address, no masquerade and no route out. nsdump, which asks no daemon but reads containerd's
# state, is checked against them: --list (table and JSON), --pod in auto, setns and veth mode
# with exact counts, -D with the host peer, --container app (ambiguous, naming the pods) and by
# ID prefix, -v, a stopped and a missing pod, --root against a containerd whose state is under
# that directory, and the extcap interface nsdump-pod-NS-NAME through tshark.
#
# The test runs a containerd of its own (own config, socket and root; its images are built
# here from busybox and nothing is pulled). Its state goes where nsdump looks, /run/containerd,
# unless another containerd uses that (its default socket answers): then the state goes under
# a directory of the test's and every nsdump here runs with --root (RUNTIMES.md: the machine's
# daemons are shared and never disturbed). ND_CRI_PRIVATE_STATE=1 forces that second way.
# Everything is removed at exit, on every path: pods, daemons, bridge, iptables rule, netns
# files, CNI cache files, the images (they live in the test's own containerd root).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd containerd ctr runc nsenter unshare iptables jq findmnt tshark pgrep
PY=/usr/bin/python3 # Debian's: a python3 earlier on PATH may not see python3-grpcio
CRI_PY=$ND_ROOT/tests/cri/cri.py
"$PY" -c 'import grpc, grpc_tools.protoc' 2>/dev/null ||
	nd_skip_all "python3-grpcio and python3-grpc-tools are not installed (make deps)"
for p in bridge host-local loopback; do
	[ -x "/usr/lib/cni/$p" ] || nd_skip_all "/usr/lib/cni/$p missing: containernetworking-plugins (make deps)"
done
T0=$(nd_now_ms)

export CRI_DESC=$ND_TMP/runtime.desc # compiled runtime.proto, made by the first cri.py
NS=shop
POD_A=web$ND_SUF # captured
POD_B=cli$ND_SUF # sends
POD_C=gone$ND_SUF
BR=ndcri$ND_SUF
NET=nsdump-cri-$ND_SUF
SUBNET=198.19.17 # only this test uses 198.19.17.0/24
PAUSE_IMG=nsdump.test/pause:$ND_SUF
APP_IMG=nsdump.test/app:$ND_SUF
PORT=9999

CRI_DAEMONS=()   # "PID SOCKET STATE" of the containerds started here
CRI_PODS=()      # "SOCKET SANDBOX_ID" to stop and remove
CRI_IDS=()       # "STATE ID" of every sandbox and container made, for a forced cleanup
CRI_NETNS=()     # the pods' netns files
IPT_RULE=""      # the FORWARD rule added here
RUN_CD_BEFORE="" # entries of /run/containerd before the test
CG_BEFORE=$(ls -d /sys/fs/cgroup/*/k8s.io 2>/dev/null)

cri() { timeout 90 "$PY" "$CRI_PY" --socket "$CRI_SOCK" "$@"; }

# shellcheck disable=SC2317 # called by the EXIT trap
cri_cleanup() {
	local d p pid sock state id n
	# Pods first: containerd's shims and containers outlive the daemon.
	for p in "${CRI_PODS[@]}"; do
		sock=${p% *}
		id=${p#* }
		CRI_SOCK=$sock cri stopp "$id" >/dev/null 2>&1
		CRI_SOCK=$sock cri rmp "$id" >/dev/null 2>&1 ||
			echo "# cleanup: could not remove pod sandbox $id: see its containerd's log"
	done
	for d in "${CRI_DAEMONS[@]}"; do
		read -r pid sock state <<<"$d"
		if nd_is_ours "$pid"; then
			kill -TERM "$pid" 2>/dev/null
			nd_wait_exit "$pid" 10 || echo "# cleanup: containerd $pid killed after 10 s"
		fi
		# What a failed RemovePodSandbox left: the shims of this daemon (their command line
		# names its socket, a path of ours) and their containers.
		for n in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $sock( |\$)"); do
			echo "# cleanup: ending shim $n of $sock"
			kill -KILL "$n" 2>/dev/null
		done
		rm -f "$sock" "$sock.ttrpc"
	done
	for p in "${CRI_IDS[@]}"; do
		state=${p% *}
		id=${p#* }
		if [ -e "$state/runc/k8s.io/$id" ]; then
			echo "# cleanup: runc delete --force $id"
			runc --root "$state/runc/k8s.io" delete --force "$id" 2>/dev/null
		fi
	done
	# Nothing of ours may stay mounted (rootfs, the pod's /dev/shm).
	rt_cri_leftovers "${CRI_IDS[@]#* }" -- "${CRI_NETNS[@]}"
	ip link del "$BR" 2>/dev/null
	if [ -n "$IPT_RULE" ]; then
		# shellcheck disable=SC2086 # the rule's words
		iptables -D FORWARD $IPT_RULE 2>/dev/null ||
			echo "# cleanup: could not remove iptables rule FORWARD $IPT_RULE"
	fi
	# runc removes a container's cgroup, not the parent containerd names after the namespace
	# (/k8s.io/ID): remove those that were not there before, when empty.
	for p in "${CRI_IDS[@]}"; do
		rmdir /sys/fs/cgroup/*/k8s.io/"${p#* }" 2>/dev/null
	done
	for n in /sys/fs/cgroup/*/k8s.io; do
		[ -d "$n" ] && ! grep -qxF "$n" <<<"$CG_BEFORE" && rmdir "$n" 2>/dev/null
	done
	# libcni's result cache (host-local's own state is in $ND_TMP, its dataDir).
	rm -f /var/lib/cni/results/"$NET"-* 2>/dev/null
	# Directories containerd made under /run/containerd that were not there before, if empty.
	if [ -n "$RUN_CD_BEFORE" ]; then
		for n in /run/containerd/*; do
			grep -qxF "$(basename "$n")" <<<"$RUN_CD_BEFORE" && continue
			find "$n" -depth -type d -empty -delete 2>/dev/null
		done
	fi
}
# shellcheck disable=SC2317 # the EXIT trap
cri_exit() {
	cri_cleanup
	rt_exit
}
trap cri_exit EXIT

# ---- a containerd of our own ---------------------------------------------------------------

# cd_start TAG STATE: a containerd with its own config, root ($ND_TMP/TAG) and socket, state
# in STATE, the CRI plugin set up for this machine (RUNTIMES.md); sets CRI_SOCK once its CRI
# answers.
cd_start() {
	local tag=$1 state=$2 dir=$ND_TMP/$1 pid i
	CRI_SOCK=$ND_TMP/$tag.sock
	CD_STATE=$state
	rt_cri_config "$dir" "$CRI_SOCK" "$state" "$NET" "$BR" "$SUBNET" "$PAUSE_IMG" || return 1
	containerd --config "$dir/config.toml" >"$ND_TMP/$tag.log" 2>&1 {RT_LOCK_FD}>&- {ND_GROUP_LOCK_FD}>&- &
	pid=$!
	CRI_DAEMONS+=("$pid $CRI_SOCK $state")
	for i in $(seq 1 600); do # up to 30 s: a loaded machine
		ctr -a "$CRI_SOCK" version >/dev/null 2>&1 && break
		if nd_exited "$pid" || [ "$i" = 600 ]; then
			not_ok "$tag: containerd starts" "$(tail -n 3 "$ND_TMP/$tag.log" | tr '\n' '|')"
			return 1
		fi
		sleep 0.05
	done
	if ! cri version >"$ND_TMP/$tag.version" 2>&1; then
		not_ok "$tag: containerd's CRI answers" "$(nd_excerpt "$ND_TMP/$tag.version")"
		return 1
	fi
}

# cd_images: the pause and app images, from busybox, imported into k8s.io; waits until the
# CRI sees them (it learns of them through containerd's events).
cd_images() {
	local img i
	if [ ! -s "$ND_TMP/pause.tar" ]; then
		rt_image_tar &&
			"$PY" "$CRI_PY" oci-image --rootfs "$RT_IMAGE_TAR" --name "$PAUSE_IMG" \
				--out "$ND_TMP/pause.tar" -- /bin/busybox sleep 2147483647 &&
			"$PY" "$CRI_PY" oci-image --rootfs "$RT_IMAGE_TAR" --name "$APP_IMG" \
				--out "$ND_TMP/app.tar" -- /bin/busybox sleep 2147483647 || return 1
	fi
	for img in pause app; do
		ctr -a "$CRI_SOCK" -n k8s.io images import "$ND_TMP/$img.tar" >/dev/null || return 1
	done
	for img in "$PAUSE_IMG" "$APP_IMG"; do
		for i in $(seq 1 100); do
			cri image-present "$img" && break
			[ "$i" = 100 ] && echo "the CRI does not see $img" >&2 && return 1
			sleep 0.1
		done
	done
}

# pod_run NAME [CONTAINER]: RunPodSandbox (and CreateContainer + StartContainer of CONTAINER,
# the app image sleeping); sets SB (sandbox ID), CID (container ID), SB_PID, SB_NETNS, SB_IP.
pod_run() {
	local name=$1 ctr=${2:-} uid st
	uid=$(cat /proc/sys/kernel/random/uuid)
	SB=$(cri runp --name "$name" --namespace "$NS" --uid "$uid") || return 1
	CRI_PODS+=("$CRI_SOCK $SB")
	CRI_IDS+=("$CD_STATE $SB")
	CID=""
	if [ -n "$ctr" ]; then
		CID=$(cri create "$SB" --container "$ctr" --image "$APP_IMG" --pod-name "$name" \
			--pod-namespace "$NS" --pod-uid "$uid" -- /bin/busybox sleep 2147483647) || return 1
		CRI_IDS+=("$CD_STATE $CID")
		cri start "$CID" || return 1
		[ "$(cri ctrstatus "$CID")" = CONTAINER_RUNNING ] || return 1
	fi
	st=$(cri podstatus "$SB") || return 1
	SB_PID=$(jq -r .pid <<<"$st")
	SB_NETNS=$(jq -r .netns <<<"$st")
	SB_IP=$(jq -r .ip <<<"$st")
	CRI_NETNS+=("$SB_NETNS")
	[ "$(jq -r .state <<<"$st")" = SANDBOX_READY ] && [ "$SB_PID" -gt 0 ] && [ -n "$SB_IP" ]
}

# Where the state goes: /run/containerd, unless a containerd there is someone else's.
STATE=/run/containerd
ROOT_DIR=""
if [ "${ND_CRI_PRIVATE_STATE:-}" = 1 ] ||
	timeout 5 ctr -a /run/containerd/containerd.sock version >/dev/null 2>&1; then
	ROOT_DIR=$ND_TMP/host
	STATE=$ROOT_DIR/run/containerd
	echo "# /run/containerd is $([ "${ND_CRI_PRIVATE_STATE:-}" = 1 ] && echo "not used (ND_CRI_PRIVATE_STATE=1)" ||
		echo "another containerd's"): state under $ROOT_DIR, nsdump with --root"
else
	RUN_CD_BEFORE=$(ls -A /run/containerd 2>/dev/null)
	[ -d /run/containerd ] || RUN_CD_BEFORE=.none
fi
ROOTARG=()
[ -n "$ROOT_DIR" ] && ROOTARG=(--root "$ROOT_DIR")

# dockerd's br_netfilter hands bridged IPv4 to iptables, where its FORWARD policy DROP
# silently drops pod-to-pod traffic (ARP passes): accept what stays on our bridge.
if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ]; then
	IPT_RULE="-i $BR -o $BR -j ACCEPT"
	# shellcheck disable=SC2086 # the rule's words
	iptables -I FORWARD $IPT_RULE || nd_skip_all "cannot add iptables rule FORWARD $IPT_RULE"
fi

cd_start cd "$STATE" || nd_finish
CD_SOCK=$CRI_SOCK
CD1_STATE=$STATE
if ! cd_images 2>"$ND_TMP/img.err"; then
	not_ok "import the pause and app images into k8s.io" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi
T_SETUP=$(($(nd_now_ms) - T0))

if ! pod_run "$POD_A" app 2>"$ND_TMP/pod.err"; then
	not_ok "CRI pod $NS/$POD_A with container app" "$(nd_excerpt "$ND_TMP/pod.err")"
	nd_finish
fi
A_SB=$SB A_CID=$CID A_PID=$SB_PID A_NETNS=$SB_NETNS A_IP=$SB_IP
if ! pod_run "$POD_B" app 2>"$ND_TMP/pod.err"; then
	not_ok "CRI pod $NS/$POD_B with container app" "$(nd_excerpt "$ND_TMP/pod.err")"
	nd_finish
fi
B_SB=$SB B_CID=$CID B_PID=$SB_PID B_NETNS=$SB_NETNS B_IP=$SB_IP
T_PODS=$(($(nd_now_ms) - T0))
ok "two CRI pods: $NS/$POD_A ($A_IP, sandbox PID $A_PID), $NS/$POD_B ($B_IP)"

# What CRI made is what nsdump relies on (RUNTIMES.md): a bind-mounted netns file, the pod's
# identity in the annotations, the app container in the sandbox's netns.
check_eq "the sandbox's netns is a cni- file under /var/run/netns, the sandbox's own" \
	"cni-yes" "$(case "$A_NETNS" in /var/run/netns/cni-*) echo -n cni- ;; esac)$(
		[ "$(stat -L -c %i "$A_NETNS")" = "$(stat -L -c %i "/proc/$A_PID/ns/net")" ] && echo yes)"
cfg=$STATE/io.containerd.runtime.v2.task/k8s.io/$A_SB/config.json
check_eq "sandbox annotations: pod name, namespace, type" "$POD_A $NS sandbox" \
	"$(jq -r '.annotations | [."io.kubernetes.cri.sandbox-name", ."io.kubernetes.cri.sandbox-namespace", ."io.kubernetes.cri.container-type"] | join(" ")' "$cfg")"
app_pid=$(cat "$STATE/io.containerd.runtime.v2.task/k8s.io/$A_CID/init.pid")
check_eq "the app container shares the sandbox's netns" "$(stat -L -c %i "$A_NETNS")" \
	"$(stat -L -c %i "/proc/$app_pid/ns/net")"

# Only these two pods' traffic: static neighbours (no ARP queueing under a burst), and the
# bridge has no address, so nothing reaches the host or beyond.
mac_a=$(nsenter --net="$A_NETNS" ip -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_b=$(nsenter --net="$B_NETNS" ip -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
nsenter --net="$B_NETNS" ip neigh replace "$A_IP" lladdr "$mac_a" dev eth0 nud permanent
nsenter --net="$A_NETNS" ip neigh replace "$B_IP" lladdr "$mac_b" dev eth0 nud permanent
check_eq "the bridge has no IPv4 address" "" "$(ip -4 -o addr show dev "$BR" 2>&1)"

# send N: N datagrams from pod B to pod A, port $PORT ("not ok" unless all were sent).
send() {
	local out
	out=$(nsenter --net="$B_NETNS" "$UDPSEND" -c "$1" -i 5 -p "$PORT" "$A_IP" 2>&1)
	[ "$out" = "sent $1" ] || not_ok "udpsend -c $1 to $A_IP" "$out"
}

# capture TAG N ARGS...: nsdump -v ARGS while pod B sends N datagrams to pod A: exactly N.
capture() {
	local tag=$1 n=$2 f=$ND_TMP/$1.pcapng
	shift 2
	nd_start_ready "$tag" -v "${ROOTARG[@]}" "$@" -w "$f" udp dst port "$PORT" || return 1
	send "$n"
	nd_wait_count "$f" "$n"
	nd_stop INT 5
	check_eq "$tag: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly $n packets" "$f" "$n"
}

# ---- --list -------------------------------------------------------------------------------

A_INO=$(stat -L -c %i "/proc/$A_PID/ns/net")
B_INO=$(stat -L -c %i "/proc/$B_PID/ns/net")
read -r _ A_PEER <<<"$(rt_host_peer "$A_PID")"
nd_run list --list "${ROOTARG[@]}"
check_eq "--list: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/list.err")"
check_grep "--list: pod A's sandbox: pod shown, ID short, PID, netns, host peer, NS/NAME" \
	"$ND_TMP/list.out" "^containerd +k8s.io +\(sandbox\) +${A_SB:0:12} +$A_PID +$A_INO +$A_PEER +$NS/$POD_A\$"
check_grep "--list: pod B's sandbox" "$ND_TMP/list.out" \
	"^containerd +k8s.io +\(sandbox\) +${B_SB:0:12} +$B_PID +$B_INO +[^ ]+ +$NS/$POD_B\$"
check_grep "--list: pod A's app container, in pod A's netns" "$ND_TMP/list.out" \
	"^containerd +k8s.io +app +${A_CID:0:12} +$app_pid +$A_INO +$A_PEER +$NS/$POD_A\$"
check_nogrep "--list: no 64-hex ID anywhere" "$ND_TMP/list.out" "[0-9a-f]{64}"

nd_run json --list --json "${ROOTARG[@]}"
check_eq "--list --json: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/json.err")"
check_eq "--list --json: pod A's sandbox, full values kept, pod_name/pod_namespace added" \
	"containerd k8s.io $A_SB $A_SB $A_PID $A_INO $A_PEER $NS/$POD_A true $POD_A $NS" \
	"$(jq -r --arg id "$A_SB" '.[] | select(.id == $id) | [.runtime, .namespace, .name, .id, .pid, .netns, .host_peer, .pod, .sandbox, .pod_name, .pod_namespace] | map(tostring) | join(" ")' "$ND_TMP/json.out")"
check_eq "--list --json: the two app containers, in their pods" \
	"$(printf '%s\n' "app $NS/$POD_A false $A_INO" "app $NS/$POD_B false $B_INO" | sort | paste -sd'|')" \
	"$(jq -r --arg a "$A_CID" --arg b "$B_CID" '.[] | select(.id == $a or .id == $b) | [.name, .pod, .sandbox, .netns] | map(tostring) | join(" ")' "$ND_TMP/json.out" | sort | paste -sd'|')"

# ---- --pod in every mode, -D -------------------------------------------------------------

capture pod-auto 20 --pod "$POD_A" -n "$NS"
check_grep "pod-auto: the host end of pod A's veth" "$ND_TMP/pod-auto.err" \
	"^nsdump: listening on $A_PEER \\(host end of eth0 of pod $POD_A \\(containerd k8s.io ${A_SB:0:12}, PID $A_PID\\)\\)"
check_grep "pod-auto: mode veth" "$ND_TMP/pod-auto.err" "mode veth,"
check_grep "-v: found the sandbox, its ID once, with its pod" "$ND_TMP/pod-auto.err" \
	"^nsdump: found containerd k8s.io sandbox of pod $NS/$POD_A \\(ID $A_SB\\) in [0-9.]+ ms\$"
check_eq "-v: no line holds the ID twice" 0 "$(grep -c "$A_SB.*$A_SB" "$ND_TMP/pod-auto.err")"
capture pod-setns 13 --pod "$POD_A" -n "$NS" --mode setns
check_grep "pod-setns: eth0 inside the pod" "$ND_TMP/pod-setns.err" \
	"^nsdump: listening on eth0 in pod $POD_A .*PID $A_PID\\)"
check_grep "pod-setns: mode setns" "$ND_TMP/pod-setns.err" "mode setns,"
capture pod-veth 7 --pod "$POD_A" -n "$NS" --mode veth
check_grep "pod-veth: mode veth" "$ND_TMP/pod-veth.err" "mode veth,"
check_eq "pod-veth: every packet is pod B's, to pod A" "7" \
	"$(count_tcpdump "$ND_TMP/pod-veth.pcapng" src host "$B_IP" and dst host "$A_IP")"

nd_run ifaces --pod "$POD_A" -n "$NS" -D "${ROOTARG[@]}"
check_eq "-D: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/ifaces.err")"
check_grep "-D: eth0 with its address and host peer" "$ND_TMP/ifaces.out" \
	"^eth0 .*$A_IP/24.*$A_PEER"

# ---- containers of pods --------------------------------------------------------------------

nd_run amb -t app -w "$ND_TMP/x.pcap" "${ROOTARG[@]}"
check_eq "--container app: two pods have one: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/amb.err")"
check_one_error_line "--container app: one error line" "$ND_TMP/amb.err"
check_grep "--container app: each candidate with its pod" "$ND_TMP/amb.err" \
	"containerd k8s.io app ${A_CID:0:12} \\(pod $NS/$POD_A\\)"
check_grep "--container app: ... both" "$ND_TMP/amb.err" \
	"containerd k8s.io app ${B_CID:0:12} \\(pod $NS/$POD_B\\)"
check_grep "--container app: suggests --pod NAME -n NS or an ID prefix" "$ND_TMP/amb.err" \
	"\\(a pod's containers share its network namespace: use --pod NAME -n NS, or an ID prefix\\)\$"
check_eq "--container app: no output file" no "$([ -e "$ND_TMP/x.pcap" ] && echo yes || echo no)"
capture ctr-prefix 9 -t "${A_CID:0:12}"
check_grep "ctr-prefix: the app container of pod A" "$ND_TMP/ctr-prefix.err" \
	"^nsdump: found containerd k8s.io app of pod $NS/$POD_A \\(ID $A_CID\\) in "

# ---- extcap, through tshark -----------------------------------------------------------------

xdg=$ND_TMP/xdg
mkdir -p "$xdg/wireshark/extcap" "$ND_TMP/home"
ln -s "$NSDUMP" "$xdg/wireshark/extcap/nsdump"
# TS: tshark with the extcap link. extcap mode has no --root: with the state under $ROOT_DIR,
# tshark runs in a mount namespace of its own where that state is bind-mounted on
# /run/containerd (seen by nothing else). env, unshare and sh exec: $! is tshark's PID.
TS=(env XDG_CONFIG_HOME="$xdg" HOME="$ND_TMP/home")
if [ -n "$ROOT_DIR" ]; then
	# shellcheck disable=SC2016 # expanded by that sh
	TS+=(unshare -m --propagation private sh -c 'mount --bind "$0" /run/containerd && exec tshark "$@"' "$STATE")
else
	TS+=(tshark)
fi
IF_A=nsdump-pod-$NS-$POD_A
"${TS[@]}" -D >"$ND_TMP/D.out" 2>"$ND_TMP/D.err"
check_grep "tshark -D: the pod, by namespace and name" "$ND_TMP/D.out" \
	"^[0-9]+\\. $IF_A \\(nsdump: Kubernetes pod $NS/$POD_A \\(containerd\\)\\)$"
check_eq "tshark -D: the pod once, its app container not on its own" "1 0" \
	"$(grep -c "\\. $IF_A " "$ND_TMP/D.out") $(grep -c "nsdump-containerd-k8s.io-app " "$ND_TMP/D.out")"
f=$ND_TMP/extcap.pcapng
"${TS[@]}" -i "$IF_A" -f "udp dst port $PORT" -c 5 -w "$f" >"$ND_TMP/ts.out" 2>"$ND_TMP/ts.err" &
TS_PID=$!
nd_track_pid "$TS_PID"
# Ready when tshark's nsdump has a running packet socket in the host's namespace (veth mode).
NSD_PID=""
for _ in $(seq 1 600); do # 30 s at most
	NSD_PID=$(pgrep -P "$TS_PID" -f -- "--capture" | head -n 1)
	[ -n "$NSD_PID" ] && break
	sleep 0.05
done
if [ -n "$NSD_PID" ] && ND_PID=$NSD_PID TARGET_PID=$$ nd_wait_socket extcap; then
	send 8
	nd_wait_exit "$TS_PID" 10
	check_eq "tshark -i $IF_A -c 5: exit 0" 0 "$ND_RC" "$(grep -v 'Running as' "$ND_TMP/ts.err" | head -c 300)"
	check_count_all "tshark -i $IF_A -c 5: exactly 5 packets" "$f" 5
	check_eq "tshark: the pcapng interface names the pod" "$POD_A/eth0" \
		"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | sort -u)"
else
	not_ok "tshark -i $IF_A started a capturing nsdump" "$(nd_excerpt "$ND_TMP/ts.err")"
fi

# ---- --root DIR ------------------------------------------------------------------------------

if [ -z "$ROOT_DIR" ]; then
	# A second containerd whose state lives under $ND_TMP/host, with one pod on the same
	# bridge: found with --root, and not without.
	ROOT_DIR=$ND_TMP/host
	if cd_start cd2 "$ROOT_DIR/run/containerd" && cd_images 2>"$ND_TMP/img2.err" &&
		pod_run "$POD_C" 2>"$ND_TMP/pod.err"; then
		nsenter --net="$B_NETNS" ip neigh replace "$SB_IP" lladdr "$(nsenter --net="$SB_NETNS" \
			ip -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" \
			dev eth0 nud permanent
		nd_run root-no --pod "$POD_C" -n "$NS" -D
		check_eq "--root: pod C's state is under DIR only: not found without it (exit 3)" 3 \
			"$ND_RC" "$(nd_excerpt "$ND_TMP/root-no.err")"
		nd_start_ready root -v --root "$ROOT_DIR" --pod "$POD_C" -n "$NS" -w "$ND_TMP/root.pcapng" \
			udp dst port "$PORT" &&
			{
				out=$(nsenter --net="$B_NETNS" "$UDPSEND" -c 11 -i 5 -p "$PORT" "$SB_IP" 2>&1)
				[ "$out" = "sent 11" ] || not_ok "udpsend to pod C" "$out"
				nd_wait_count "$ND_TMP/root.pcapng" 11
				nd_stop INT 5
				check_eq "--root: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/root.err")"
				check_count_all "--root: exactly 11 packets of pod C" "$ND_TMP/root.pcapng" 11
				check_grep "--root: the sandbox of pod C" "$ND_TMP/root.err" \
					"found containerd k8s.io sandbox of pod $NS/$POD_C \\(ID $SB\\)"
			}
		nd_run root-list --list --root "$ROOT_DIR"
		check_grep "--root --list: pod C's sandbox" "$ND_TMP/root-list.out" \
			"^containerd +k8s.io +\(sandbox\) +${SB:0:12} +$SB_PID .* $NS/$POD_C\$"
		check_nogrep "--root --list: not the host's pods" "$ND_TMP/root-list.out" "$NS/$POD_A\$"
	else
		not_ok "a second containerd with a pod, state under $ROOT_DIR" \
			"$(nd_excerpt "$ND_TMP/img2.err") $(nd_excerpt "$ND_TMP/pod.err")"
	fi
	CRI_SOCK=$CD_SOCK
	CD_STATE=$CD1_STATE
else
	# All of the above ran with --root already; without it, nothing of ours is found.
	nd_run root-no --pod "$POD_A" -n "$NS" -D
	check_eq "--root: pod A's state is under DIR only: not found without it (exit 3)" 3 \
		"$ND_RC" "$(nd_excerpt "$ND_TMP/root-no.err")"
fi

# ---- a missing pod, a stopped pod -------------------------------------------------------------

nd_run missing --pod "nosuch$ND_SUF" -n "$NS" -w "$ND_TMP/x.pcap" "${ROOTARG[@]}"
check_eq "missing pod: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/missing.err")"
check_grep "missing pod: says which" "$ND_TMP/missing.err" \
	"^nsdump: no running pod $NS/nosuch$ND_SUF \\(searched docker, podman, containerd, crio\\)"
nd_run wrong-ns --pod "$POD_A" -w "$ND_TMP/x.pcap" "${ROOTARG[@]}"
check_eq "pod in namespace default (no -n): exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/wrong-ns.err")"
check_grep "pod in namespace default: says which" "$ND_TMP/wrong-ns.err" "no running pod default/$POD_A "

if cri stopp "$B_SB" 2>"$ND_TMP/stopp.err"; then
	check_eq "StopPodSandbox: pod B not ready" SANDBOX_NOTREADY "$(cri podstatus "$B_SB" | jq -r .state)"
	nd_run stopped --pod "$POD_B" -n "$NS" -w "$ND_TMP/x.pcap" "${ROOTARG[@]}"
	check_eq "stopped pod: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/stopped.err")"
	check_one_error_line "stopped pod: one error line" "$ND_TMP/stopped.err"
	check_grep "stopped pod: no running pod" "$ND_TMP/stopped.err" "^nsdump: no running pod $NS/$POD_B "
	nd_run stopped-ctr -t "${B_CID:0:12}" -w "$ND_TMP/x.pcap" "${ROOTARG[@]}"
	check_eq "the stopped pod's container: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/stopped-ctr.err")"
	nd_run list3 --list "${ROOTARG[@]}"
	check_nogrep "--list: the stopped pod is gone" "$ND_TMP/list3.out" "$NS/$POD_B\$"
	check_grep "--list: pod A still there" "$ND_TMP/list3.out" "$NS/$POD_A\$"
	if cri rmp "$B_SB" 2>"$ND_TMP/rmp.err"; then
		check_eq "RemovePodSandbox: its netns file is gone" gone \
			"$([ -e "$B_NETNS" ] && echo there || echo gone)"
	else
		not_ok "RemovePodSandbox $B_SB" "$(nd_excerpt "$ND_TMP/rmp.err")"
	fi
else
	not_ok "StopPodSandbox $B_SB" "$(nd_excerpt "$ND_TMP/stopp.err")"
fi
[ -e "$ND_TMP/x.pcap" ] && not_ok "errors: no output file" "x.pcap exists"

echo "# t_cri.sh: containerd and images ready after $T_SETUP ms, pods after $T_PODS ms, done after $(($(nd_now_ms) - T0)) ms"
nd_finish
