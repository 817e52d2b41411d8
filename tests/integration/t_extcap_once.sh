#!/bin/bash
# Extcap finds a container once. Every request nsdump sends to dockerd is seen with strace
# (sendto(2) of "GET PATH HTTP/1.1"): --extcap-interfaces lists the containers once and
# inspects none (an interface name needs no PID), and --capture of a Docker container lists
# once and inspects that one container only, then captures from it (its pcapng header reaches
# the FIFO; SIGTERM ends it with exit 0). Before, --capture listed twice and inspected every
# running container, then the one again: the container went back into argv text, was parsed
# and resolved a second time.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd strace pgrep
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
rt_docker_ready
web=$RT_PREFIX-once
other=$RT_PREFIX-other
rt_docker_sleepers "$web" "$other"

# Counts the Engine API requests in strace's log $1: "LISTS INSPECTS".
requests() {
	local lists inspects
	lists=$(grep -cE 'sendto\(.*"GET [^ ]*/containers/json\?all=1 HTTP' "$1")
	inspects=$(grep -cE 'sendto\(.*"GET [^ ]*/containers/[^/ ?]+/json HTTP' "$1")
	echo "$lists $inspects"
}

# LeakSanitizer cannot run under ptrace (an ASan build would fail at exit).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
trace=$ND_TMP/ifaces.strace
timeout -s KILL 20 strace -f -qq -s 200 -e trace=sendto -o "$trace" \
	"$NSDUMP" --extcap-interfaces --extcap-version=4.0 >"$ND_TMP/ifaces.out" 2>"$ND_TMP/ifaces.err" </dev/null
check_eq "--extcap-interfaces: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/ifaces.err")"
check_grep "--extcap-interfaces: lists the container" "$ND_TMP/ifaces.out" \
	"^interface \\{value=nsdump-docker-$web\\}"
check_eq "--extcap-interfaces: one list of Docker's containers, no inspect" "1 0" \
	"$(requests "$trace")" "$(grep -o '"GET [^ ]*' "$trace" | head -n 20 | tr '\n' ' ')"

fifo=$ND_TMP/fifo
mkfifo "$fifo"
out=$ND_TMP/capture.pcapng
cat "$fifo" >"$out" &
nd_track_pid "$!"
trace=$ND_TMP/capture.strace
strace -f -qq -s 200 -e trace=sendto -o "$trace" \
	"$NSDUMP" --capture --extcap-interface "nsdump-docker-$web" --fifo "$fifo" \
	>"$ND_TMP/capture.out" 2>"$ND_TMP/capture.err" </dev/null &
ST_PID=$!
nd_track_pid "$ST_PID"
# The capture is running once the FIFO holds the pcapng section header (28 bytes and more).
limit=$(($(nd_now_ms) + 10000))
while [ "$(stat -c %s "$out" 2>/dev/null || echo 0)" -lt 28 ] && ! nd_exited "$ST_PID" &&
	[ "$(nd_now_ms)" -lt "$limit" ]; do
	sleep 0.05
done
NSD_PID=$(pgrep -P "$ST_PID" | head -n 1)
if [ -n "$NSD_PID" ] && [ "$(stat -c %s "$out")" -ge 28 ]; then
	ok "--capture: the pcapng header reached the FIFO"
	kill -TERM "$NSD_PID"
	nd_wait_exit "$ST_PID" 10
	check_eq "--capture, SIGTERM: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/capture.err")"
	check_eq "--capture: one list of Docker's containers, one inspect (the container's)" \
		"1 1" "$(requests "$trace")" \
		"$(grep -o '"GET [^ ]*' "$trace" | head -n 20 | tr '\n' ' ')"
	check_grep "--capture: the inspect is the container's" "$trace" \
		"\"GET [^ ]*/containers/$(docker inspect -f '{{.Id}}' "$web")/json HTTP"
else
	not_ok "--capture: the pcapng header reached the FIFO" "$(nd_excerpt "$ND_TMP/capture.err")"
fi

nd_finish
