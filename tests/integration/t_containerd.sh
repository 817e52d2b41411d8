#!/bin/bash
# containerd without a daemon being asked: containers run with ctr in namespace "default"
# and, with CRI annotations, in "k8s.io"; each in a network namespace of the test's with a
# veth.  Capture by name (= ID for ctr), by --pod NAME -n NS (the sandbox), and a process
# killed behind containerd's back is seen as stale: not running, not captured, not listed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd ctr containerd docker dockerd curl
rt_containerd_up || nd_skip_all "containerd does not start: $(nd_excerpt "$ND_TMP/containerd.log")"
# docker writes the image archive that ctr imports (no registry here).
if ! { rt_docker_up && rt_docker_image && rt_ctr_image default && rt_ctr_image k8s.io; } 2>"$ND_TMP/img.err"; then
	not_ok "import the busybox image into containerd" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi

# capture TAG N SENDER_NS DST ARGS...: nsdump ARGS while N datagrams go from SENDER_NS to
# DST (a silent sink address on the container's link): exactly N.
capture() {
	local tag=$1 n=$2 from=$3 dst=$4 f=$ND_TMP/$1.pcap
	shift 4
	if ! nd_start_ready "$tag" -v "$@" -w "$f" udp port 9999; then return 1; fi
	nd_send "$from" "$n" "$dst"
	nd_wait_count "$f" "$n"
	nd_stop INT 5
	check_eq "$tag: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly $n packets" "$f" "$n"
}

# A plain ctr container in namespace default, in a netns of ours.
nd_topo C 81 || nd_finish
c1=$RT_PREFIX-c1
c1_ns=$NS_A c1_peer=$NS_B c1_sink=$SINK_A
if ! rt_ctr_run default "$c1" --with-ns "network:/run/netns/$c1_ns" 2>"$ND_TMP/ctr.err"; then
	not_ok "ctr run $c1" "$(nd_excerpt "$ND_TMP/ctr.err")"
	nd_finish
fi
c1_pid=$(ctr -n default task ls 2>/dev/null | awk -v id="$c1" '$1 == id { print $2 }')
capture ctr-name 20 "$c1_peer" "$c1_sink" -t "$c1"
check_grep "ctr-name: label names containerd, namespace and PID" "$ND_TMP/ctr-name.err" \
	"in container $c1 \\(containerd default $c1, PID $c1_pid\\)"
capture ctr-runtime 7 "$c1_peer" "$c1_sink" --container "$c1" --runtime containerd

# nerdctl passes its labels on as OCI annotations: nerdctl/name names the container.
RT_CTR_CMD=(/bin/busybox sleep 300)
nerd=$RT_PREFIX-n1
if rt_ctr_run default "$nerd" --with-ns "network:/run/netns/$c1_ns" \
	--annotation "nerdctl/name=nerdy$ND_SUF" 2>"$ND_TMP/ctr.err"; then
	nd_run nerdctl -v -t "nerdy$ND_SUF" --duration 0.3 -w "$ND_TMP/nerd.pcap"
	check_eq "nerdctl name: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/nerdctl.err")"
	check_grep "nerdctl name: the container" "$ND_TMP/nerdctl.err" "in container nerdy$ND_SUF \(containerd default ${nerd:0:12}"
else
	not_ok "ctr run $nerd" "$(nd_excerpt "$ND_TMP/ctr.err")"
fi
RT_CTR_CMD=()

# A CRI-style pod in namespace k8s.io: a sandbox and an app container sharing a netns.
nd_topo K 82 || nd_finish
pod=web$ND_SUF
sb=$RT_PREFIX-sb
app=$RT_PREFIX-app
cri=(--annotation "io.kubernetes.cri.sandbox-name=$pod" --annotation io.kubernetes.cri.sandbox-namespace=shop)
if ! { rt_ctr_run k8s.io "$sb" --with-ns "network:/run/netns/$NS_A" "${cri[@]}" \
	--annotation io.kubernetes.cri.container-type=sandbox &&
	RT_CTR_CMD=(/bin/busybox sleep 300) &&
	rt_ctr_run k8s.io "$app" --with-ns "network:/run/netns/$NS_A" "${cri[@]}" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation "io.kubernetes.cri.container-name=app$ND_SUF"; } 2>"$ND_TMP/ctr.err"; then
	not_ok "ctr run a CRI pod in k8s.io" "$(nd_excerpt "$ND_TMP/ctr.err")"
	nd_finish
fi
sb_pid=$(ctr -n k8s.io task ls 2>/dev/null | awk -v id="$sb" '$1 == id { print $2 }')
capture pod 15 "$NS_B" "$SINK_A" --pod "$pod" -n shop
check_grep "pod: the sandbox's process" "$ND_TMP/pod.err" "in pod $pod \\(containerd k8s.io $sb, PID $sb_pid\\)"
capture cri-name 5 "$NS_B" "$SINK_A" -t "app$ND_SUF"
nd_run pod-wrong-ns --pod "$pod" -w "$ND_TMP/x.pcap"
check_eq "pod in namespace default: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/pod-wrong-ns.err")"
check_grep "pod in namespace default: says which pod" "$ND_TMP/pod-wrong-ns.err" "no running pod default/$pod"

# --list shows them with the right PID and netns inode.
nd_run list --list
for id in "$c1" "$sb"; do
	pid=$(ctr -n default task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }')
	[ -n "$pid" ] || pid=$(ctr -n k8s.io task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }')
	ino=$(stat -L -c %i "/proc/$pid/ns/net")
	check_grep "--list: $id with PID $pid and netns $ino" "$ND_TMP/list.out" \
		"^containerd +[a-z0-9.]+ +[^ ]+ +${id:0:12} +$pid +$ino "
done
check_grep "--list: the sandbox shows its pod" "$ND_TMP/list.out" " +shop/$pod\$"

# Stale state: the init process killed behind containerd's back (its state.json and task
# directory stay until the task is deleted).
kill -KILL "$c1_pid"
nd_poll "$ND_WAIT_S" "the killed init process $c1_pid gone" nd_cond_gone "$c1_pid"
nd_run stale -t "$c1" -w "$ND_TMP/x.pcap"
check_eq "killed behind containerd's back: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/stale.err")"
check_grep "killed behind containerd's back: not running" "$ND_TMP/stale.err" "not running"
nd_run list2 --list
check_nogrep "killed behind containerd's back: not listed" "$ND_TMP/list2.out" " ${c1:0:12} "
[ -e "$ND_TMP/x.pcap" ] && not_ok "errors: no output file" "x.pcap exists"

nd_finish
