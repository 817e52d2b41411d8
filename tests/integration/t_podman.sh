#!/bin/bash
# Podman: --container by name with its API socket down (state on disk: containers.json and
# runc's state.json) and up (podman system service, Docker-compatible API); exact counts of a
# ping between two of the test's own containers on podman's bridge.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_preconditions
need_cmd podman curl
rt_podman_ready || nd_skip_all "podman does not work here: $(podman info 2>&1 | tail -n 1)"
if ! rt_podman_image 2>"$ND_TMP/img.err"; then
	not_ok "build the busybox image offline for podman" "$(nd_excerpt "$ND_TMP/img.err")"
	nd_finish
fi
# The socket-down case needs no service: stop only ours (a service already running is used
# for both cases and said so).
web=$RT_PREFIX-pweb
cli=$RT_PREFIX-pcli
if ! { rt_podman_run "$web" "$RT_IMAGE" /bin/busybox httpd -f -p 8080 -h /www &&
	rt_podman_run "$cli" --cap-add NET_RAW "$RT_IMAGE" /bin/busybox sleep 300; }; then
	not_ok "podman run two containers" "$(nd_excerpt "$ND_TMP/podman-run.err")"
	nd_finish
fi
web_ip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$web")
web_pid=$(podman inspect -f '{{.State.Pid}}' "$web")

# capture_ping TAG N ARGS...: nsdump ARGS capturing icmp while cli pings web N times
# (rt_capture_ping), and -v names the container with its own PID.
capture_ping() {
	rt_capture_ping podman "$cli" "$web_ip" "$@" || return 1
	check_grep "$1: the container's own PID" "$ND_TMP/$1.err" "(in|of) container $web \\(podman [0-9a-f]{12}, PID $web_pid\\)"
}

if curl -sf --max-time 1 --unix-socket /run/podman/podman.sock http://localhost/_ping >/dev/null 2>&1; then
	skip "podman socket down" "a podman service not ours is listening on /run/podman/podman.sock"
else
	capture_ping podman-disk 4 -t "$web"
fi
if rt_podman_service; then
	capture_ping podman-api 3 -t "$web" --runtime podman
	grep -o 'in [0-9.]* ms' "$ND_TMP/podman-api.err" | sed 's/^/# resolution time (podman API): /'
	rt_podman_service_stop
else
	not_ok "podman system service starts" "$(nd_excerpt "$ND_TMP/podman-svc.log")"
fi

# Stopped: exit 3, not running.
podman stop -t 0 "$cli" >/dev/null 2>&1
nd_run stopped -t "$cli" -w "$ND_TMP/x.pcap"
check_eq "stopped podman container: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/stopped.err")"
check_grep "stopped podman container: not running" "$ND_TMP/stopped.err" "not running"

nd_finish
