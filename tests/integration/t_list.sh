#!/bin/bash
# Across runtimes: --list and --list --json show the test's Docker, containerd and Podman
# containers with the right PID and netns inode; one name held by two runtimes, and an ID
# prefix shared by two, exit 3 listing both; --runtime picks one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd docker dockerd ctr containerd curl
rt_docker_up || nd_skip_all "dockerd does not start: $(nd_excerpt "$ND_TMP/dockerd.log")"
rt_containerd_up || nd_skip_all "containerd does not start: $(nd_excerpt "$ND_TMP/containerd.log")"
if ! { rt_docker_image && rt_ctr_image default; } 2>"$ND_TMP/img.err"; then
	not_ok "build and import the busybox image" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi
nd_topo L 83 || nd_finish

same=$RT_PREFIX-same
if ! { rt_docker_run "$same" "$RT_IMAGE" /bin/busybox httpd -f -p 8080 -h /www &&
	rt_ctr_run default "$same" --with-ns "network:/run/netns/$NS_A"; } 2>"$ND_TMP/run.err"; then
	not_ok "run $same in docker and containerd" "$(nd_excerpt "$ND_TMP/run.err")"
	nd_finish
fi
did=$(docker inspect -f '{{.Id}}' "$same")
dpid=$(docker inspect -f '{{.State.Pid}}' "$same")
# A containerd ID sharing the Docker ID's first 8 hex digits.
twin=${did:0:8}-$RT_PREFIX
RT_CTR_CMD=(/bin/busybox sleep 300)
rt_ctr_run default "$twin" --with-ns "network:/run/netns/$NS_A" 2>>"$ND_TMP/run.err" ||
	not_ok "ctr run $twin" "$(nd_excerpt "$ND_TMP/run.err")"
cpid=$(ctr -n default task ls 2>/dev/null | awk -v id="$same" '$1 == id { print $2 }')
ppid=""
pname=$RT_PREFIX-p
if rt_podman_ready && rt_podman_image && rt_podman_run "$pname" "$RT_IMAGE" /bin/busybox sleep 300; then
	ppid=$(podman inspect -f '{{.State.Pid}}' "$pname")
else
	skip "podman in --list" "podman cannot run a container here: $(nd_excerpt "$ND_TMP/podman-run.err")"
fi

nd_run same -t "$same" -w "$ND_TMP/x.pcap"
check_eq "one name in two runtimes: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/same.err")"
check_grep "one name in two runtimes: lists the Docker one" "$ND_TMP/same.err" "docker $same ${did:0:12}"
check_grep "one name in two runtimes: lists the containerd one" "$ND_TMP/same.err" "containerd default $same ${same:0:12}"
check_one_error_line "one name in two runtimes: one error line" "$ND_TMP/same.err"
nd_run prefix -t "${did:0:6}" -w "$ND_TMP/x.pcap"
check_eq "ID prefix in two runtimes: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/prefix.err")"
check_grep "ID prefix in two runtimes: ambiguous, both listed" "$ND_TMP/prefix.err" \
	"ambiguous, 2 candidates: docker $same ${did:0:12}; containerd default $twin ${twin:0:12}\$"
nd_run pick-docker -t "$same" --runtime docker --duration 0.3 -v -w "$ND_TMP/d.pcap"
check_eq "--runtime docker picks Docker's: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/pick-docker.err")"
check_grep "--runtime docker picks Docker's: its PID" "$ND_TMP/pick-docker.err" "PID $dpid\\)"
nd_run pick-ctr -t "$same" --runtime containerd,crio --duration 0.3 -v -w "$ND_TMP/c.pcap"
check_eq "--runtime containerd picks containerd's: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/pick-ctr.err")"
check_grep "--runtime containerd picks containerd's: its PID" "$ND_TMP/pick-ctr.err" "PID $cpid\\)"

# --list: one line each, PID and netns inode as /proc says.
nd_run list --list
check_eq "--list: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/list.err")"
check_grep "--list: header" "$ND_TMP/list.out" "^RUNTIME +NAMESPACE +NAME +ID +PID +NETNS +HOST-PEER +POD$"
list_has() { # DESC RUNTIME NS NAME ID PID HOST-PEER-REGEX
	local ino
	ino=$(stat -L -c %i "/proc/$6/ns/net")
	check_grep "--list: $1 (PID $6, netns $ino, host peer $7)" "$ND_TMP/list.out" \
		"^$2 +$3 +$4 +${5:0:12} +$6 +$ino +$7 +-$"
}
# The Docker container's eth0 is "eth0@ifN" inside: N is the index of its host end.
read -r peer_index peer_name < <(rt_host_peer "$dpid")
check "docker $same: its eth0@ifN names a host link ($peer_index: $peer_name)" "$([ -n "$peer_name" ]; echo $?)"
list_has "docker $same" docker - "$same" "$did" "$dpid" "$peer_name"
# The containerd one lives in a test namespace whose veth peer is in another test
# namespace, not the host's: no host peer.
list_has "containerd $same" containerd default "$same" "$same" "$cpid" -
if [ -n "$ppid" ]; then
	pid_full=$(podman inspect -f '{{.Id}}' "$pname")
	list_has "podman $pname" podman - "$pname" "$pid_full" "$ppid" "veth[0-9a-f]+"
fi
nd_run json --list --json
check_eq "--list --json: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/json.err")"
ino=$(stat -L -c %i "/proc/$dpid/ns/net")
check_grep "--list --json: docker $same with PID and netns" "$ND_TMP/json.out" \
	"\\{\"runtime\":\"docker\",\"namespace\":null,\"name\":\"$same\",\"id\":\"$did\",\"pid\":$dpid,\"netns\":$ino,"
ino=$(stat -L -c %i "/proc/$cpid/ns/net")
check_grep "--list --json: containerd $same with PID and netns" "$ND_TMP/json.out" \
	"\\{\"runtime\":\"containerd\",\"namespace\":\"default\",\"name\":\"$same\",\"id\":\"$same\",\"pid\":$cpid,\"netns\":$ino,"
check_eq "--list --json: one line" 1 "$(grep -c '' "$ND_TMP/json.out")"
nd_run list-rt --list --runtime containerd
check_nogrep "--list --runtime containerd: no Docker line" "$ND_TMP/list-rt.out" "^docker "

nd_finish
