# shellcheck shell=bash disable=SC2153 # ND_GROUP_LOCK_FD, ND_GROUP_LOCKED: lib.sh sets both
# Starting and stopping real container runtimes for the integration tests.  Source after
# lib.sh.  A daemon already running is used and left alone; one started here is stopped by
# its PID (never by name) at exit, with the containers, images and links the test made.
#
#   rt_docker_up        dockerd answering on /var/run/docker.sock (starts one if needed)
#   rt_containerd_up    containerd on /run/containerd/containerd.sock
#   rt_podman_ready     podman usable (writes the ulimit fix of RUNTIMES.md if needed)
#   rt_podman_service   podman's API on /run/podman/podman.sock (stop: rt_podman_service_stop)
#   rt_image_tar        a busybox image tarball built offline ($RT_IMAGE_TAR)
# Every container made must be named with $RT_PREFIX so that cleanup finds it.

# One runtime test at a time on this machine, whichever checkout or bench runs it: they
# share dockerd, containerd and podman's bridge, and one run's cleanup stops the daemon it
# started under another's feet.  Daemons started here must not inherit the lock (">&-").
# The order is fixed (lib.sh): this lock first, then the group lock; a script that took the
# group lock already would deadlock against one that holds this and waits for that.
if [ -n "${ND_GROUP_LOCKED:-}" ]; then
	not_ok "$ND_SCRIPT: runtimes.sh sourced after nd_group_lock" \
		"source runtimes.sh before taking the group lock (lock order, see lib.sh)"
	nd_finish
fi
exec {RT_LOCK_FD}>>"${ND_RT_LOCK:-/tmp/nsdump-runtimes.lock}"
flock "$RT_LOCK_FD"

# shellcheck disable=SC2034 # used by the scripts that source this file
RT_PREFIX="ndt$ND_SUF"
RT_IMAGE=nsdump-test:latest
RT_STARTED_DOCKERD=""
RT_STARTED_CONTAINERD=""
RT_STARTED_PODMAN_SVC=""
RT_DOCKER_CTRS=()
RT_CTR_TASKS=()    # "namespace id"
RT_PODMAN_CTRS=()
RT_CTR_CMD=()
RT_IMAGES_MADE=()  # "docker", "podman", "ctr NS": images this test imported, removed at exit
RT_IMAGE_TAR=""
# dockerd and podman turn IPv4 forwarding on for the whole host; the tests want it as it
# was (off: containers then reach nothing beyond their bridge), so it is put back at once.
RT_IP_FORWARD=$(sysctl -n net.ipv4.ip_forward 2>/dev/null)
# podman's bridge, made by its first container: removed at the end if this test made it.
RT_HAD_PODMAN_BRIDGE=no
if ip link show cni-podman0 >/dev/null 2>&1; then RT_HAD_PODMAN_BRIDGE=yes; fi

# rt_host_peer PID: "N NAME" for the host end of the veth pair of PID's eth0, which shows
# inside as eth0@ifN, N being the host link's index (as a user would read it off `ip link`).
rt_host_peer() {
	local n
	n=$(nsenter -t "$1" -n ip -o link show dev eth0 | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
	echo "$n $(ip -o link show | awk -F': ' -v n="$n" '$1 == n { sub(/@.*/, "", $2); print $2 }')"
}

rt_restore_forwarding() {
	if [ -n "$RT_IP_FORWARD" ]; then sysctl -qw "net.ipv4.ip_forward=$RT_IP_FORWARD"; fi
}

# rt_wait_sock SOCKET PID TIMEOUT_S: poll until an HTTP GET /_ping answers on SOCKET.
rt_wait_ping() {
	local sock=$1 pid=$2 limit=$(($(nd_now_ms) + ${3%.*} * 1000))
	while ! curl -sf --max-time 1 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		[ "$(nd_now_ms)" -ge "$limit" ] && return 1
		sleep 0.1
	done
}

rt_docker_up() {
	command -v dockerd >/dev/null 2>&1 || return 1
	if curl -sf --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
		return 0
	fi
	dockerd >"$ND_TMP/dockerd.log" 2>&1 {RT_LOCK_FD}>&- {ND_GROUP_LOCK_FD}>&- &
	RT_STARTED_DOCKERD=$!
	rt_wait_ping /var/run/docker.sock "$RT_STARTED_DOCKERD" 30 || return 1
	rt_restore_forwarding
}

rt_containerd_up() {
	local _
	command -v containerd >/dev/null 2>&1 || return 1
	if ctr version >/dev/null 2>&1; then return 0; fi
	containerd >"$ND_TMP/containerd.log" 2>&1 {RT_LOCK_FD}>&- {ND_GROUP_LOCK_FD}>&- &
	RT_STARTED_CONTAINERD=$!
	for _ in $(seq 1 150); do
		ctr version >/dev/null 2>&1 && return 0
		kill -0 "$RT_STARTED_CONTAINERD" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

RT_PODMAN_CONF=/etc/containers/containers.conf
RT_PODMAN_CONF_WAS="" # what rt_podman_ready changed: "absent" or a copy of the file; put back at exit

rt_podman_ready() {
	command -v podman >/dev/null 2>&1 || return 1
	# RUNTIMES.md: without CAP_SYS_RESOURCE podman cannot raise its default rlimits. The file
	# is put back as it was at exit (rt_cleanup) when it is changed here.
	if ! grep -qs default_ulimits "$RT_PODMAN_CONF"; then
		if [ -z "$RT_PODMAN_CONF_WAS" ]; then
			if [ -e "$RT_PODMAN_CONF" ]; then
				cp -p "$RT_PODMAN_CONF" "$ND_TMP/containers.conf.orig" || return 1
				RT_PODMAN_CONF_WAS=$ND_TMP/containers.conf.orig
			else
				RT_PODMAN_CONF_WAS=absent
			fi
		fi
		mkdir -p /etc/containers
		printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=32768:32768"]\n' \
			"$(ulimit -Hn)" "$(ulimit -Hn)" >>"$RT_PODMAN_CONF"
	fi
	podman info >/dev/null 2>&1
}

# rt_podman_conf_restore: containers.conf as it was before rt_podman_ready changed it.
rt_podman_conf_restore() {
	case "$RT_PODMAN_CONF_WAS" in
	"") ;;
	absent) rm -f "$RT_PODMAN_CONF" ;;
	*) cp -p "$RT_PODMAN_CONF_WAS" "$RT_PODMAN_CONF" ||
		echo "# cleanup: could not restore $RT_PODMAN_CONF (copy in $RT_PODMAN_CONF_WAS)" ;;
	esac
	RT_PODMAN_CONF_WAS=""
}

rt_podman_service() {
	if curl -sf --max-time 1 --unix-socket /run/podman/podman.sock http://localhost/_ping >/dev/null 2>&1; then
		return 0
	fi
	mkdir -p /run/podman
	podman system service --time=0 unix:///run/podman/podman.sock >"$ND_TMP/podman-svc.log" 2>&1 {RT_LOCK_FD}>&- {ND_GROUP_LOCK_FD}>&- &
	RT_STARTED_PODMAN_SVC=$!
	rt_wait_ping /run/podman/podman.sock "$RT_STARTED_PODMAN_SVC" 20
}

rt_podman_service_stop() {
	if [ -n "$RT_STARTED_PODMAN_SVC" ]; then
		kill "$RT_STARTED_PODMAN_SVC" 2>/dev/null
		wait "$RT_STARTED_PODMAN_SVC" 2>/dev/null
		RT_STARTED_PODMAN_SVC=""
		rm -f /run/podman/podman.sock
	fi
}

# A root filesystem with busybox and an empty /www, as a tarball (no registry needed).
rt_image_tar() {
	local r=$ND_TMP/rootfs a
	[ -n "$RT_IMAGE_TAR" ] && return 0
	mkdir -p "$r/bin" "$r/www" "$r/etc" || return 1
	cp /bin/busybox "$r/bin/" || return 1
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
	done
	echo hello >"$r/www/index.html"
	tar -C "$r" -cf "$ND_TMP/bb.tar" . || return 1
	RT_IMAGE_TAR=$ND_TMP/bb.tar
}

rt_docker_image() {
	docker image inspect "$RT_IMAGE" >/dev/null 2>&1 && return 0
	rt_image_tar && docker import -c 'CMD ["/bin/sh"]' "$RT_IMAGE_TAR" "$RT_IMAGE" >/dev/null &&
		RT_IMAGES_MADE+=(docker)
}

rt_podman_image() {
	podman image exists "$RT_IMAGE" 2>/dev/null && return 0
	rt_image_tar && podman import -c 'CMD ["/bin/sh"]' "$RT_IMAGE_TAR" "$RT_IMAGE" >/dev/null 2>&1 &&
		RT_IMAGES_MADE+=(podman)
}

# rt_ctr_image NS: the image in containerd namespace NS, as docker.io/library/nsdump-test.
rt_ctr_image() {
	ctr -n "$1" image ls -q 2>/dev/null | grep -qx "docker.io/library/$RT_IMAGE" && return 0
	rt_image_tar || return 1
	# An OCI image needs a manifest: let docker or podman write one when they are here,
	# else build it by hand.
	if [ ! -s "$ND_TMP/img.tar" ]; then
		if docker image inspect "$RT_IMAGE" >/dev/null 2>&1; then
			docker save "$RT_IMAGE" -o "$ND_TMP/img.tar" || return 1
		elif podman image exists "$RT_IMAGE" 2>/dev/null; then
			podman save --format docker-archive "$RT_IMAGE" -o "$ND_TMP/img.tar" >/dev/null 2>&1 || return 1
		else
			return 1
		fi
	fi
	ctr -n "$1" image import "$ND_TMP/img.tar" >/dev/null && RT_IMAGES_MADE+=("ctr $1")
}

# rt_docker_ready: dockerd up and the busybox image there, or the script ends (skipped when
# dockerd does not start, failed when the image cannot be built offline).
rt_docker_ready() {
	need_cmd docker dockerd curl
	rt_docker_up || nd_skip_all "dockerd does not start: $(nd_excerpt "$ND_TMP/dockerd.log")"
	if ! rt_docker_image 2>"$ND_TMP/img.err"; then
		not_ok "build the busybox image offline" "$(nd_excerpt "$ND_TMP/img.err")"
		nd_finish
	fi
}

# rt_docker_sleepers NAME...: a busybox `sleep 300` container per NAME, or the script ends.
rt_docker_sleepers() {
	local n
	for n in "$@"; do
		if ! rt_docker_run "$n" "$RT_IMAGE" /bin/busybox sleep 300 2>"$ND_TMP/run.err"; then
			not_ok "docker run $n" "$(nd_excerpt "$ND_TMP/run.err")"
			nd_finish
		fi
	done
}

# rt_capture_ping ENGINE CLI DST TAG N ARGS...: nsdump ARGS capturing icmp while container
# CLI of ENGINE (docker, podman) pings DST N times: exactly 2N packets (requests and replies),
# N of them echo requests to DST.  Returns 1 when the capture did not start.
rt_capture_ping() {
	local engine=$1 cli=$2 dst=$3 tag=$4 n=$5 f=$ND_TMP/$4.pcap
	shift 5
	if ! nd_start_ready "$tag" -v "$@" -w "$f" icmp; then return 1; fi
	if ! "$engine" exec "$cli" /bin/busybox ping -c "$n" -i 0.1 -W 2 "$dst" >"$ND_TMP/$tag.ping" 2>&1; then
		not_ok "$tag: ping $dst from $cli" "$(nd_excerpt "$ND_TMP/$tag.ping")"
	fi
	nd_wait_count "$f" $((2 * n))
	nd_stop INT 5
	check_eq "$tag: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly $((2 * n)) ICMP packets" "$f" $((2 * n))
	check_count "$tag: $n echo requests to the container" "$f" "$n" 'icmp[icmptype] = icmp-echo' and dst host "$dst"
}

# rt_docker_run NAME ARGS...: docker run -d --name NAME ARGS (tracked for cleanup).
rt_docker_run() {
	local name=$1
	shift
	RT_DOCKER_CTRS+=("$name")
	# With forwarding off (see RT_IP_FORWARD) docker warns; the test's containers talk
	# over their bridge only.
	if ! docker run -d --name "$name" "$@" >/dev/null 2>"$ND_TMP/docker-run.err"; then
		cat "$ND_TMP/docker-run.err" >&2
		return 1
	fi
}

rt_podman_run() {
	local name=$1
	shift
	RT_PODMAN_CTRS+=("$name")
	podman run -d --name "$name" "$@" >/dev/null 2>"$ND_TMP/podman-run.err" || return 1
	rt_restore_forwarding
}

# rt_ctr_run NS ID ARGS...: ctr -n NS run -d ARGS IMAGE ID CMD (tracked for cleanup), CMD
# being RT_CTR_CMD (default: busybox httpd on port 8080).
rt_ctr_run() {
	local ns=$1 id=$2
	shift 2
	RT_CTR_TASKS+=("$ns $id")
	if [ "${#RT_CTR_CMD[@]}" -eq 0 ]; then
		RT_CTR_CMD=(/bin/busybox httpd -f -p 8080 -h /www)
	fi
	ctr -n "$ns" run -d "$@" "docker.io/library/$RT_IMAGE" "$id" "${RT_CTR_CMD[@]}" >/dev/null
}

# rt_cri_leftovers ID... -- NETNS...: after a failed removal, what is left of a CRI test's
# containers: their mounts (rootfs, a pod's /dev/shm) and its pods' network namespace files.
rt_cri_leftovers() {
	local id n
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		id=$1
		shift
		findmnt -rn -o TARGET | grep -F "/$id/" | sort -r | while read -r n; do
			umount -l "$n" 2>/dev/null
		done
	done
	[ "${1:-}" = -- ] && shift
	for n in "$@"; do
		if [ -e "$n" ]; then
			echo "# cleanup: removing netns file $n"
			umount "$n" 2>/dev/null
			rm -f "$n"
		fi
	done
}

# rt_cri_config DIR SOCK STATE NET BR SUBNET PAUSE_IMG [RANGE]: the configuration of a
# containerd of a test's own with its CRI plugin set up for this machine (RUNTIMES.md):
# DIR/config.toml (root DIR/root, state STATE, socket SOCK, opt under DIR) and in DIR/net.d one
# CNI bridge network NET on bridge BR over SUBNET.0/24 (RANGE "yes": addresses .10 to .200
# only), with no gateway and no masquerading, so that traffic stays between the pods.
# restrict_oom_score_adj: runc cannot raise oom_score_adj without CAP_SYS_RESOURCE, which root
# lacks here. opt: else containerd makes /opt/containerd on the host.
rt_cri_config() {
	local dir=$1 sock=$2 state=$3 net=$4 br=$5 subnet=$6 pause=$7 range=""
	[ "${8:-}" = yes ] && range=", \"rangeStart\": \"$subnet.10\", \"rangeEnd\": \"$subnet.200\""
	mkdir -p "$dir/net.d" || return 1
	cat >"$dir/net.d/10-nsdump.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "$net",
		  "plugins": [
		    { "type": "bridge", "bridge": "$br", "isGateway": false, "ipMasq": false,
		      "ipam": { "type": "host-local", "dataDir": "$ND_TMP/ipam",
		                "ranges": [ [ { "subnet": "$subnet.0/24"$range } ] ] } }
		  ]
		}
	EOF
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$state"
		disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
		[grpc]
		  address = "$sock"
		[ttrpc]
		  address = "$sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$pause"
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$dir/net.d"
		    max_conf_num = 1
	EOF
}

rt_cleanup() {
	local n t ns id
	for n in "${RT_DOCKER_CTRS[@]}"; do docker rm -f "$n" >/dev/null 2>&1; done
	for n in "${RT_PODMAN_CTRS[@]}"; do podman rm -f -t 0 "$n" >/dev/null 2>&1; done
	if [ "${#RT_PODMAN_CTRS[@]}" -gt 0 ] && [ "$RT_HAD_PODMAN_BRIDGE" = no ] &&
		[ -z "$(podman ps -q 2>/dev/null)" ]; then
		ip link del cni-podman0 2>/dev/null
	fi
	for t in "${RT_CTR_TASKS[@]}"; do
		ns=${t% *}
		id=${t#* }
		ctr -n "$ns" task kill -s KILL "$id" >/dev/null 2>&1
		for _ in $(seq 1 100); do # until the killed task is gone, 10 s at most
			ctr -n "$ns" task delete "$id" >/dev/null 2>&1 && break
			sleep 0.1
		done
		ctr -n "$ns" container delete "$id" >/dev/null 2>&1
	done
	for n in "${RT_IMAGES_MADE[@]}"; do
		case "$n" in
		docker) docker rmi "$RT_IMAGE" >/dev/null 2>&1 ;;
		podman) podman rmi "$RT_IMAGE" >/dev/null 2>&1 ;;
		ctr\ *) ctr -n "${n#ctr }" image rm "docker.io/library/$RT_IMAGE" >/dev/null 2>&1 ;;
		esac
	done
	rt_podman_service_stop
	rt_podman_conf_restore
	if [ -n "$RT_STARTED_CONTAINERD" ]; then
		kill "$RT_STARTED_CONTAINERD" 2>/dev/null
		wait "$RT_STARTED_CONTAINERD" 2>/dev/null
	fi
	if [ -n "$RT_STARTED_DOCKERD" ]; then
		kill "$RT_STARTED_DOCKERD" 2>/dev/null
		wait "$RT_STARTED_DOCKERD" 2>/dev/null
		ip link del docker0 2>/dev/null
	fi
	rt_restore_forwarding
}

# Runs rt_cleanup before lib.sh's own cleanup, on every exit path.
rt_exit() {
	rt_cleanup
	nd_cleanup
}
trap rt_exit EXIT
