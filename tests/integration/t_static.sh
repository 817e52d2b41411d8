#!/bin/bash
# `make static` and the FROM-scratch image (packaging/container/Containerfile): the binary has
# no shared library (ldd), captures an exact count from a namespace on the host, refuses the
# setuid/caps use it does not support; the image is built by the real Docker engine offline
# and, run with the flags of docs/container.md, captures an exact count from another
# (busybox, offline) container, both with --privileged and with the minimal set.
#
# `make static` needs Debian's libmnl.a (scripts/static-libmnl.sh fetches it). Where it cannot be
# had, the static checks are skipped (saying why) and the image checks still run, on a
# stand-in image: FROM scratch with the dynamic nsdump and exactly the libraries ldd names,
# which tests the same container flags and the same scratch environment.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd make ldd file
# Sourced first: runtimes.sh takes the runtimes lock, which comes before the group lock
# taken below (lib.sh), as in every other test; the other order deadlocks against them.
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_topo 1 78 || nd_finish

STATIC=$ND_ROOT/build-static/nsdump
# Built once per checkout (make is incremental); the log says what failed.
make -s -C "$ND_ROOT" --no-print-directory static >"$ND_TMP/static.log" 2>&1
static_rc=$?
if [ "$static_rc" -ne 0 ] && grep -q '^static-libmnl: ' "$ND_TMP/static.log"; then
	skip "make static" "libmnl.a cannot be built here: $(grep '^static-libmnl: [^ ]' "$ND_TMP/static.log" | tail -n 1)"
	STATIC=""
else
	check_eq "make static: succeeds" 0 "$static_rc" "$(nd_excerpt "$ND_TMP/static.log")"
fi

if [ -n "$STATIC" ] && [ -x "$STATIC" ]; then
	ldd "$STATIC" >"$ND_TMP/ldd.out" 2>&1
	check_grep "static: ldd finds no shared library" "$ND_TMP/ldd.out" \
		'(not a dynamic executable|statically linked)'
	check_grep "static: file(1) says static" <(file -L "$STATIC") 'static(-pie)? linked'
	f=$ND_TMP/static.pcapng
	NSDUMP=$STATIC nd_start_ready host -v --pid "$TARGET_PID" -c 7 -w "$f" &&
		nd_send "$NS_A" 9 -i 10 "$SINK_B" && nd_wait_exit "$ND_PID" 5
	check_eq "static: -c 7 exits 0" 0 "${ND_RC:-none}" "$(nd_excerpt "$ND_TMP/host.err")"
	check_count_all "static: exactly 7 packets from the namespace" "$f" 7

	# Under setuid or file capabilities the group check would need glibc's NSS modules,
	# which a static binary loads at run time: refused instead (src/authz.c).
	nd_group_lock
	nd_group_setup
	user=ndts$ND_SUF
	nd_user_new "$user"
	mkdir -p "$ND_TMP/sbin"
	chmod 755 "$ND_TMP" "$ND_TMP/sbin"
	install -m 0750 -o root -g "$ND_GROUP" "$STATIC" "$ND_TMP/sbin/nsdump"
	setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$ND_TMP/sbin/nsdump"
	setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --groups="$ND_GROUP_GID" -- \
		"$ND_TMP/sbin/nsdump" --pid "$TARGET_PID" -c 1 -w /dev/null >/dev/null 2>"$ND_TMP/caps.err"
	check_eq "static with file capabilities, group member: exit 4" 4 "$?" "$(nd_excerpt "$ND_TMP/caps.err")"
	check_grep "static with file capabilities: says it is for root only" "$ND_TMP/caps.err" \
		'^nsdump: not permitted: this static nsdump is for root only'
fi

# ---- the image ------------------------------------------------------------------------------

rt_docker_ready

ctx=$ND_TMP/ctx
mkdir -p "$ctx"
img=nsdump-scratch-test:$ND_SUF
if [ -n "$STATIC" ]; then
	cp "$STATIC" "$ctx/nsdump"
	containerfile=$ND_ROOT/packaging/container/Containerfile
else
	# The stand-in: the dynamic binary and the libraries the loader would map, at their paths.
	cp "$NSDUMP" "$ctx/nsdump"
	ldd "$NSDUMP" | grep -o '/[^ ]*' | sort -u >"$ND_TMP/libs"
	while read -r lib; do
		mkdir -p "$ctx$(dirname "$lib")" && cp -L "$lib" "$ctx$lib"
	done <"$ND_TMP/libs"
	sed 's|^COPY nsdump /nsdump$|COPY . /|' "$ND_ROOT/packaging/container/Containerfile" >"$ND_TMP/Containerfile"
	containerfile=$ND_TMP/Containerfile
	echo "# image checks on the stand-in (dynamic nsdump + $(grep -c '' "$ND_TMP/libs") libraries, FROM scratch)"
fi
check_grep "Containerfile: FROM scratch" "$containerfile" '^FROM scratch$'
# The classic builder: FROM scratch is no image to look up, so nothing contacts a registry.
DOCKER_BUILDKIT=0 docker build -q -f "$containerfile" -t "$img" "$ctx" >"$ND_TMP/build.out" 2>&1
check_eq "docker build (offline, FROM scratch): exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/build.out")"
docker image inspect "$img" >/dev/null 2>&1 || nd_finish
check_eq "image: one layer holding nsdump" 1 \
	"$(docker image inspect -f '{{len .RootFS.Layers}}' "$img" 2>/dev/null)"
# The image goes at exit, after the containers that use it (then runtimes.sh's cleanup).
# shellcheck disable=SC2317 # called by the EXIT trap
static_exit() {
	local n
	for n in "${RT_DOCKER_CTRS[@]}"; do docker rm -f "$n" >/dev/null 2>&1; done
	docker rmi "$img" >/dev/null 2>&1
	rt_exit
}
trap static_exit EXIT

web=$RT_PREFIX-sweb
cli=$RT_PREFIX-scli
rt_docker_sleepers "$web" "$cli"
web_ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$web")

# image_capture TAG N DOCKER_FLAGS...: the image captures web's ICMP with -c 2N while cli pings
# web N times: exactly 2N packets, on standard output (no TTY: binary data).
image_capture() {
	local tag=$1 n=$2 f=$ND_TMP/$1.pcapng name=$RT_PREFIX-$1 i
	shift 2
	RT_DOCKER_CTRS+=("$name")
	docker run --pull=never --rm -i --name "$name" "$@" "$img" -t "$web" -c $((2 * n)) -v -w - icmp \
		>"$f" 2>"$ND_TMP/$tag.err" </dev/null &
	local pid=$!
	nd_track_pid "$pid"
	ND_PID=$pid
	if ! nd_wait_file_grep "$ND_TMP/$tag.err" 'listening on' 20 "$pid"; then
		nd_wait_exit "$pid" 5
		not_ok "$tag: nsdump in the image starts capturing" "exit ${ND_RC:-?}: $(nd_excerpt "$ND_TMP/$tag.err")"
		return 1
	fi
	for i in $(seq 1 "$n"); do
		docker exec "$cli" /bin/busybox ping -c 1 -W 2 "$web_ip" >"$ND_TMP/$tag.ping" 2>&1 ||
			not_ok "$tag: ping $i" "$(nd_excerpt "$ND_TMP/$tag.ping")"
	done
	nd_wait_exit "$pid" 20
	check_eq "$tag: exit 0 after -c $((2 * n))" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly $((2 * n)) ICMP packets from another container" "$f" $((2 * n))
	check_count "$tag: $n echo requests to $web" "$f" "$n" 'icmp[icmptype] = icmp-echo' and dst host "$web_ip"
	return 0
}

# The issue's flags, with the host network for veth mode, where this machine lets Docker
# grant every capability (inside some sandboxes runc cannot: "unable to apply caps").
RT_DOCKER_CTRS+=("$RT_PREFIX-probe")
if docker run --pull=never --rm --name "$RT_PREFIX-probe" --privileged "$img" --version \
	>/dev/null 2>"$ND_TMP/probe.err"; then
	image_capture priv 3 --pid=host --network=host --privileged -v /run:/run &&
		check_grep "priv: veth mode on the host end" "$ND_TMP/priv.err" 'mode veth'
else
	skip "image with --privileged" "this machine's Docker cannot run privileged containers: $(nd_excerpt "$ND_TMP/probe.err")"
fi
# The minimal set (docs/container.md): the three capabilities nsdump raises, Docker's socket.
minimal=(--cap-drop=ALL --cap-add=SYS_ADMIN --cap-add=SYS_PTRACE --cap-add=NET_RAW
	-v /run/docker.sock:/run/docker.sock)
image_capture minimal 2 --pid=host --network=host "${minimal[@]}" &&
	check_grep "minimal: veth mode on the host end" "$ND_TMP/minimal.err" 'mode veth'
# Without the host's network: setns mode, into the target's namespace.
image_capture minimal-setns 2 --pid=host "${minimal[@]}" &&
	check_grep "minimal-setns: setns mode" "$ND_TMP/minimal-setns.err" 'mode setns'
# Without the host's PIDs the container cannot be reached: a clear error, exit 3 or 4.
docker run --pull=never --rm -i --name "$RT_PREFIX-nopid" --network=host "${minimal[@]}" "$img" \
	-t "$web" -c 1 -w - >/dev/null 2>"$ND_TMP/nopid.err" </dev/null
rc=$?
RT_DOCKER_CTRS+=("$RT_PREFIX-nopid")
case "$rc" in 3 | 4) ok "without --pid=host: exit $rc" ;; *) not_ok "without --pid=host: exit 3 or 4" "exit $rc: $(nd_excerpt "$ND_TMP/nopid.err")" ;; esac
check_one_error_line "without --pid=host: one error line" "$ND_TMP/nopid.err"
nd_finish
