#!/bin/bash
# `make demo`: show nsdump capturing a process's traffic from the host.
#   scripts/demo.sh NSDUMP UDPSEND        (as root)
# Builds a throwaway pair of network namespaces joined by a veth pair
# (198.18.0.0/15, the benchmarking range: nothing leaves this machine), runs
# a process in one, sends it a little traffic, captures 10 packets, and
# removes everything again on every exit path.
set -u

if [ "$#" -ne 2 ]; then
	echo "usage: $0 NSDUMP UDPSEND" >&2
	exit 2
fi
NSDUMP=$1
UDPSEND=$2

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it creates network namespaces); try: sudo make demo" >&2
	exit 1
fi
for f in "$NSDUMP" "$UDPSEND"; do
	[ -x "$f" ] || {
		echo "demo: $f is not executable; run make first" >&2
		exit 1
	}
done
for c in ip tcpdump; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "demo: '$c' is missing; run make deps" >&2
		exit 1
	}
done

suf=$(printf '%x%02x' "$$" $((RANDOM % 256)))
NS_APP="ndtdemoA$suf"
NS_PEER="ndtdemoB$suf"
APP_PID=""
SENDER_PID=""
PING_PID=""
made_ns=()

# shellcheck disable=SC2317 # reached through the traps
cleanup() {
	trap - EXIT INT TERM HUP
	echo "demo: cleaning up"
	for pid in "$PING_PID" "$SENDER_PID" "$APP_PID"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	for ns in "${made_ns[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# show CMD...: print a command, then run it.
show() {
	printf '  $'
	printf ' %q' "$@"
	printf '\n'
	"$@"
}

fail() {
	echo "demo: $1" >&2
	exit 1
}

echo "demo: 1. two network namespaces, '$NS_APP' (the app) and '$NS_PEER' (a peer)"
for ns in "$NS_APP" "$NS_PEER"; do
	show ip netns add "$ns" || fail "cannot create namespace $ns"
	made_ns+=("$ns")
	# No IPv6, so no neighbour discovery or MLD chatter on the link.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || fail "sysctl in $ns"
	ip -n "$ns" link set lo up || fail "lo up in $ns"
done

echo "demo: 2. a veth pair between them, eth0 on both sides, 198.18.0.1 <-> 198.18.0.2"
show ip link add eth0 netns "$NS_APP" type veth peer name eth0 netns "$NS_PEER" ||
	fail "cannot create the veth pair"
show ip -n "$NS_APP" addr add 198.18.0.1/24 dev eth0 || fail "address"
show ip -n "$NS_PEER" addr add 198.18.0.2/24 dev eth0 || fail "address"
ip -n "$NS_APP" link set eth0 up || fail "link up"
ip -n "$NS_PEER" link set eth0 up || fail "link up"
# Static neighbour entries: no ARP either, only the demo's own packets.
mac_app=$(ip -n "$NS_APP" -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_peer=$(ip -n "$NS_PEER" -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$NS_APP" neigh replace 198.18.0.2 lladdr "$mac_peer" dev eth0 nud permanent || fail "neighbour"
ip -n "$NS_PEER" neigh replace 198.18.0.1 lladdr "$mac_app" dev eth0 nud permanent || fail "neighbour"

echo "demo: 3. an 'app' process living in $NS_APP"
echo "  \$ ip netns exec $NS_APP sleep 120 &"
ip netns exec "$NS_APP" sleep 120 &
APP_PID=$!
want=$(stat -L -c %i "/run/netns/$NS_APP")
for _ in $(seq 1 100); do
	[ "$(stat -L -c %i "/proc/$APP_PID/ns/net" 2>/dev/null)" = "$want" ] &&
		[ "$(cat "/proc/$APP_PID/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.05
done
[ "$(stat -L -c %i "/proc/$APP_PID/ns/net" 2>/dev/null)" = "$want" ] ||
	fail "the app process did not enter $NS_APP"
echo "demo:    its PID is $APP_PID; from the host, nsdump needs only that PID"

echo "demo: 4. traffic: the app sends a UDP datagram every 100 ms (the peer answers"
echo "demo:    with ICMP port unreachable: nothing listens there)"
echo "  \$ ip netns exec $NS_APP $UDPSEND -f -i 100 -p 9999 198.18.0.2 &"
ip netns exec "$NS_APP" "$UDPSEND" -f -i 100 -p 9999 198.18.0.2 >/dev/null &
SENDER_PID=$!
if command -v ping >/dev/null 2>&1; then
	echo "demo:    and the peer pings the app"
	echo "  \$ ip netns exec $NS_PEER ping -i 0.2 198.18.0.1 &"
	ip netns exec "$NS_PEER" ping -c 100 -i 0.2 198.18.0.1 >/dev/null 2>&1 &
	PING_PID=$!
fi

echo "demo: 5. capture 10 packets of the app's network namespace, shown by tcpdump:"
printf '  $ %q --pid %s -c 10 | tcpdump -n -r -\n' "$NSDUMP" "$APP_PID"
"$NSDUMP" --pid "$APP_PID" -c 10 | tcpdump -n -r - 2>/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	echo "demo: nsdump exited with status $rc" >&2
	exit "$rc"
fi
echo "demo: 6. the file nsdump writes (pcapng) names the target and each packet's direction:"
out=$(mktemp /tmp/nsdump-demo.XXXXXX)
printf '  $ %q --pid %s -c 4 -q -w %s\n' "$NSDUMP" "$APP_PID" "$out"
"$NSDUMP" --pid "$APP_PID" -c 4 -q -w "$out" || fail "nsdump -w failed"
echo "  \$ tshark -r $out -T fields -e frame.interface_name -e frame.packet_flags_direction -e _ws.col.Info"
tshark -r "$out" -T fields -e frame.interface_name -e frame.packet_flags_direction -e _ws.col.Info 2>/dev/null |
	sed 's/0x00000001/in /; s/0x00000002/out/; s/^/    /'
rm -f "$out"
echo "demo: done: nsdump stopped after 10 packets, then 4 (exit 0); statistics went to stderr"
exit 0
