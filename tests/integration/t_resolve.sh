#!/bin/bash
# Resolution without a runtime's help: --root DIR reads a host's state mounted at DIR (here a
# tree the test writes, naming a process of its own); a PID that this /proc does not show is
# said so; --root is for root only; an invoker who may not use docker.sock gets exit 4, not
# the container (nsdump opens the socket with the invoker's rights).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd runuser useradd userdel
nd_topo R 84 || nd_finish

# A containerd k8s.io pod sandbox as it looks on disk, its init being our target process.
host=$ND_TMP/host
task=$host/run/containerd/io.containerd.runtime.v2.task/k8s.io
mkdir -p "$task/sbx$ND_SUF" "$task/ghost$ND_SUF"
echo "$TARGET_PID" >"$task/sbx$ND_SUF/init.pid"
printf '{"ociVersion":"1.0.2","annotations":{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-name":"fake%s","io.kubernetes.cri.sandbox-namespace":"shop"}}' \
	"$ND_SUF" >"$task/sbx$ND_SUF/config.json"
echo 2147483646 >"$task/ghost$ND_SUF/init.pid"
echo '{}' >"$task/ghost$ND_SUF/config.json"

f=$ND_TMP/root.pcap
if nd_start_ready root-pod -v --pod "fake$ND_SUF" -n shop --root "$host" -w "$f"; then
	nd_send "$NS_B" 12 "$SINK_A"
	nd_wait_count "$f" 12
	nd_stop INT 5
	check_eq "--root: pod from the state under DIR, exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/root-pod.err")"
	check_count_all "--root: exactly 12 packets" "$f" 12
	check_grep "--root: the sandbox's PID" "$ND_TMP/root-pod.err" "PID $TARGET_PID\\)"
fi
# CRI-O: runc state in DIR/run/runc with CRI-O's annotations among its labels; the start
# time recorded must be the process's, else the state is stale.
start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$TARGET_PID/stat")
crio_state() { # ID START POD
	mkdir -p "$host/run/runc/$1"
	printf '{"id":"%s","init_process_pid":%s,"init_process_start":%s,"config":{"labels":["bundle=/x","io.kubernetes.pod.name=%s","io.kubernetes.pod.namespace=shop","io.kubernetes.cri-o.ContainerType=sandbox"]}}' \
		"$1" "$TARGET_PID" "$2" "$3" >"$host/run/runc/$1/state.json"
}
crio_state "crio$ND_SUF" "$start" "crio$ND_SUF"
crio_state "old$ND_SUF" $((start + 1)) "old$ND_SUF"
nd_run crio-pod -v --pod "crio$ND_SUF" -n shop --root "$host" --runtime crio --duration 0.3 -w "$ND_TMP/crio.pcap"
check_eq "--root, CRI-O pod: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/crio-pod.err")"
check_grep "--root, CRI-O pod: its sandbox" "$ND_TMP/crio-pod.err" "in pod crio$ND_SUF \(crio crio$ND_SUF, PID $TARGET_PID\)"
nd_run crio-stale --pod "old$ND_SUF" -n shop --root "$host" --runtime crio -w "$ND_TMP/x.pcap"
check_eq "PID whose start time differs from the state's: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/crio-stale.err")"
check_grep "PID whose start time differs: no running pod" "$ND_TMP/crio-stale.err" "no running pod shop/old$ND_SUF"
nd_run crio-stale2 -t "old$ND_SUF" --root "$host" -w "$ND_TMP/x.pcap"
check_grep "PID whose start time differs: stale" "$ND_TMP/crio-stale2.err" "old$ND_SUF.*not running: its state is stale"

nd_run ghost -t "ghost$ND_SUF" --root "$host" -w "$ND_TMP/x.pcap"
check_eq "--root, PID not in this /proc: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/ghost.err")"
check_grep "--root, PID not in this /proc: says so" "$ND_TMP/ghost.err" "not visible in this /proc"
nd_run list --list --root "$host"
check_grep "--root --list: the sandbox, with its pod" "$ND_TMP/list.out" \
	"^containerd +k8s.io +sbx$ND_SUF +.* $TARGET_PID .* shop/fake$ND_SUF\$"
check_nogrep "--root --list: not the ghost" "$ND_TMP/list.out" "ghost$ND_SUF"
check_grep "--root --list: says a PID is not visible" "$ND_TMP/list.err" \
	"1 container under $host names a PID not visible in this /proc"

# As an ordinary user, a member of the group allowed to use a setuid install (so that what
# stops them below is the docker socket's permission, not nsdump's group check).
nd_group_setup
USER_NAME="ndtu$ND_SUF"
if ! useradd --system --no-create-home --shell /usr/sbin/nologin -G "$ND_GROUP" "$USER_NAME" 2>"$ND_TMP/useradd.err"; then
	nd_skip_all "cannot create user $USER_NAME: $(nd_excerpt "$ND_TMP/useradd.err")"
fi
ND_USERDEL=$USER_NAME
mkdir -p "$ND_TMP/bin"
chmod 755 "$ND_TMP" "$ND_TMP/bin"
cp "$NSDUMP" "$ND_TMP/bin/nsdump"
chmod 755 "$ND_TMP/bin/nsdump"
as_user() { # TAG ARGS...
	local tag=$1
	shift
	timeout -s KILL 10 runuser -u "$USER_NAME" -- "$ND_TMP/bin/nsdump" "$@" </dev/null \
		>"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err"
	ND_RC=$?
}
as_user user-root --list --root /
check_eq "--root as an ordinary user: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/user-root.err")"
check_grep "--root as an ordinary user: says it is for root" "$ND_TMP/user-root.err" "--root is only for root"

if rt_docker_up && rt_docker_image && rt_docker_run "$RT_PREFIX-u" "$RT_IMAGE" /bin/busybox sleep 300; then
	as_user user-docker -t "$RT_PREFIX-u" --runtime docker
	check_eq "docker.sock not the user's: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/user-docker.err")"
	check_grep "docker.sock not the user's: says why" "$ND_TMP/user-docker.err" \
		"docker.sock: Permission denied"
	# Installed setuid-root, nsdump still reaches docker.sock with the user's rights only,
	# and ignores a DOCKER_HOST the user points at a socket of their choosing.
	cp "$NSDUMP" "$ND_TMP/bin/nsdump-suid"
	chmod 4755 "$ND_TMP/bin/nsdump-suid"
	timeout -s KILL 10 runuser -u "$USER_NAME" -- env DOCKER_HOST=unix:///var/run/docker.sock \
		"$ND_TMP/bin/nsdump-suid" -t "$RT_PREFIX-u" --runtime docker -w /dev/null \
		</dev/null >"$ND_TMP/suid.out" 2>"$ND_TMP/suid.err"
	check_eq "setuid nsdump, docker.sock not the user's: exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/suid.err")"
	check_grep "setuid nsdump: docker.sock refused with the user's rights" "$ND_TMP/suid.err" \
		"docker.sock: Permission denied"
	timeout -s KILL 10 runuser -u "$USER_NAME" -- env DOCKER_HOST=tcp://127.0.0.1:1 \
		"$ND_TMP/bin/nsdump-suid" -t "$RT_PREFIX-u" --runtime docker -w /dev/null \
		</dev/null >"$ND_TMP/suid2.out" 2>"$ND_TMP/suid2.err"
	check_eq "setuid nsdump: DOCKER_HOST ignored (no usage error for tcp://)" 4 "$?" \
		"$(nd_excerpt "$ND_TMP/suid2.err")"
else
	not_ok "docker run for the permission test" "$(nd_excerpt "$ND_TMP/dockerd.log")"
fi

nd_finish
