#!/bin/bash
# Docker: --container by name and by ID prefix with exact packet counts, through the Engine
# API and through Docker's state on disk (socket absent); a stopped container and an unknown
# name exit 3; the resolution is timed (-v).  Traffic: ping between two of the test's own
# containers on Docker's default bridge.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd docker dockerd curl
rt_docker_up || nd_skip_all "dockerd does not start: $(nd_excerpt "$ND_TMP/dockerd.log")"
if ! rt_docker_image 2>"$ND_TMP/img.err"; then
	not_ok "build the busybox image offline" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi

web=$RT_PREFIX-web1
cli=$RT_PREFIX-cli
stopped=$RT_PREFIX-stopped
if ! { rt_docker_run "$web" "$RT_IMAGE" /bin/busybox httpd -f -p 8080 -h /www &&
	rt_docker_run "$cli" "$RT_IMAGE" /bin/busybox sleep 300; } 2>"$ND_TMP/run.err"; then
	not_ok "docker run two containers" "$(nd_excerpt "$ND_TMP/run.err")"
	nd_finish
fi
RT_DOCKER_CTRS+=("$stopped")
docker create --name "$stopped" "$RT_IMAGE" /bin/busybox sleep 1 >/dev/null 2>&1
web_ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$web")
web_id=$(docker inspect -f '{{.Id}}' "$web")
web_pid=$(docker inspect -f '{{.State.Pid}}' "$web")

# capture_ping TAG N ARGS...: nsdump ARGS capturing icmp while cli pings web N times:
# exactly 2N packets (requests and replies).
capture_ping() { rt_capture_ping docker "$cli" "$web_ip" "$@"; }

capture_ping docker-name 5 --container "$web"
check_grep "docker-name: label names the container and PID" "$ND_TMP/docker-name.err" \
	"(in|of) container $web \\(docker ${web_id:0:12}, PID $web_pid\\)"
check_grep "docker-name: -v reports the resolution time" "$ND_TMP/docker-name.err" \
	"found docker $web \\(ID $web_id\\) in [0-9.]+ ms"
grep -o 'in [0-9.]* ms' "$ND_TMP/docker-name.err" | sed 's/^/# resolution time (Engine API): /'

# Veth mode on a real Docker container: the host end of its eth0, which is eth0@ifN inside.
capture_ping docker-veth 4 --container "$web" --mode veth
read -r peer_index peer_name < <(rt_host_peer "$web_pid")
check_grep "docker-veth: captured on the host end that eth0@if$peer_index names ($peer_name)" \
	"$ND_TMP/docker-veth.err" "listening on $peer_name \\(host end of eth0 of container $web "
check_grep "docker-veth: -v says veth mode" "$ND_TMP/docker-veth.err" 'mode veth'
capture_ping docker-setns 3 --container "$web" --mode setns
check_grep "docker-setns: -v says setns mode" "$ND_TMP/docker-setns.err" 'mode setns'

# Two real containers in one capture: the pinger and the pinged, one interface each, the
# requests and replies of both merged in time order.
f=$ND_TMP/both.pcapng
if nd_start_ready both -v -t "$web" -t "$cli" -w "$f" icmp; then
	docker exec "$cli" /bin/busybox ping -c 6 -i 0.1 -W 2 "$web_ip" >"$ND_TMP/both.ping" 2>&1 ||
		not_ok "both: ping $web_ip from $cli" "$(nd_excerpt "$ND_TMP/both.ping")"
	nd_wait_count "$f" 24
	nd_stop INT 5
	check_eq "both containers: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/both.err")"
	check_eq "both containers: 12 packets on each interface, named after the containers" \
		"$(printf '12 %s/eth0\n12 %s/eth0\n' "$web" "$cli" | LC_ALL=C sort -k2 | paste -sd'|')" \
		"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | LC_ALL=C sort | uniq -c |
			awk '{ print $1, $2 }' | paste -sd'|')"
	check_eq "both containers: time stamps never go back" True \
		"$(capinfos -o "$f" 2>/dev/null | awk -F: '/Strict time order/ { gsub(/ /, "", $2); print $2 }')"
	tshark -r "$f" -T fields -e frame.interface_description 2>/dev/null | sort -u >"$f.desc"
	check_grep "both containers: each description has runtime, name, full ID, PID, netns, mode" "$f.desc" \
		"^runtime docker; container $web; id $web_id; PID $web_pid; netns [0-9]+; mode veth; host peer veth"
fi

# The time to resolve, over 15 runs (-v prints it; nsdump starts, finds, captures 10 ms).
times=()
for _ in $(seq 1 15); do
	"$NSDUMP" -v -t "$web" --duration 0.01 -w "$ND_TMP/t.pcap" 2>&1 |
		sed -n 's/.* in \([0-9.]*\) ms$/\1/p' >>"$ND_TMP/times"
done
mapfile -t times < <(sort -n "$ND_TMP/times")
if [ "${#times[@]}" -eq 15 ]; then
	echo "# resolution of --container over the Engine API, 15 runs: min ${times[0]} ms, median ${times[7]} ms, max ${times[14]} ms"
	ok "resolution timed 15 times"
else
	not_ok "resolution timed 15 times" "got ${#times[@]} figures"
fi

capture_ping docker-id-prefix 3 -t "${web_id:0:8}"
capture_ping docker-full-id 2 -t "$web_id" --runtime docker

# Socket absent: Docker's state on disk (config.v2.json, runc state.json) is used.  Only
# nsdump sees the DOCKER_HOST naming no socket (docker exec must still work).
printf '#!/bin/sh\nDOCKER_HOST=unix://%s/no.sock exec %s "$@"\n' "$ND_TMP" "$NSDUMP" >"$ND_TMP/nsdump-nosock"
chmod 755 "$ND_TMP/nsdump-nosock"
real_nsdump=$NSDUMP
NSDUMP=$ND_TMP/nsdump-nosock
capture_ping docker-disk 4 -t "$web" --runtime docker
NSDUMP=$real_nsdump
check_grep "docker-disk: same PID from the state on disk" "$ND_TMP/docker-disk.err" "PID $web_pid\\)"

# A pod run through Docker (dockershim's labels): --pod takes its sandbox.
pod=pod$ND_SUF
if rt_docker_run "$RT_PREFIX-pod" --label "io.kubernetes.pod.name=$pod" \
	--label io.kubernetes.pod.namespace=shop --label io.kubernetes.docker.type=podsandbox \
	"$RT_IMAGE" /bin/busybox sleep 300; then
	pod_pid=$(docker inspect -f '{{.State.Pid}}' "$RT_PREFIX-pod")
	nd_run docker-pod -v --pod "$pod" -n shop --duration 0.3 -w "$ND_TMP/pod.pcap"
	check_eq "docker pod: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/docker-pod.err")"
	check_grep "docker pod: the sandbox's PID" "$ND_TMP/docker-pod.err" "(in|of) pod $pod \(docker [0-9a-f]{12}, PID $pod_pid\)"
else
	not_ok "docker run a pod sandbox" "$(nd_excerpt "$ND_TMP/docker-run.err")"
fi

# Errors: exit 3, one line.
nd_run stopped -t "$stopped" -w "$ND_TMP/x.pcap"
check_eq "stopped container: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/stopped.err")"
check_grep "stopped container: says not running" "$ND_TMP/stopped.err" "$stopped.*not running"
check_one_error_line "stopped container: one error line" "$ND_TMP/stopped.err"
nd_run unknown -t "$RT_PREFIX-nosuch" -w "$ND_TMP/x.pcap"
check_eq "unknown container: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/unknown.err")"
check_grep "unknown container: names the runtimes searched" "$ND_TMP/unknown.err" \
	"no container '$RT_PREFIX-nosuch' \\(searched docker, podman, containerd, crio\\)"
check_one_error_line "unknown container: one error line" "$ND_TMP/unknown.err"
if [ -e "$ND_TMP/x.pcap" ]; then not_ok "errors: no output file" "x.pcap exists"; fi
DOCKER_HOST=tcp://127.0.0.1:2375 nd_run badhost -t "$web" -w "$ND_TMP/x.pcap"
check_eq "DOCKER_HOST=tcp://...: usage error, exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/badhost.err")"

nd_finish
