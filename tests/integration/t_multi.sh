#!/bin/bash
# Several targets and interfaces in one capture: one pcapng interface each, merged in time
# order; -i all; pcap refused for mixed link types; -c over the merged stream; a target that
# goes away while the others go on.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd tshark capinfos

nd_topo 1 75 || nd_finish
A1=$NS_A A1_PID=$TARGET_PID A1_SINK=$SINK_B
nd_topo 2 76 || nd_finish
A2=$NS_A A2_PID=$TARGET_PID A2_SINK=$SINK_B
nd_topo 3 77 || nd_finish
A3=$NS_A A3_SINK=$SINK_B A3_PEER=$NS_B
# A3 gets a second interface, eth1, so that -i all has two to take.
if ! { ip link add eth1 netns "$A3" type veth peer name eth1 netns "$A3_PEER" &&
	ip -n "$A3" addr add 198.18.78.1/24 dev eth1 && ip -n "$A3_PEER" addr add 198.18.78.2/24 dev eth1 &&
	ip -n "$A3" link set eth1 up && ip -n "$A3_PEER" link set eth1 up &&
	ip -n "$A3" neigh replace 198.18.78.3 lladdr "$(nd_mac "$A3_PEER" eth1)" dev eth1 nud permanent; } \
	2>"$ND_TMP/eth1.err"; then
	not_ok "a second interface in $A3" "$(nd_excerpt "$ND_TMP/eth1.err")"
	nd_finish
fi

f=$ND_TMP/three.pcapng
nd_start_ready three --pid "$A1_PID" --pid "$A2_PID" --netns "$A3" -v -w "$f" udp || nd_finish
# Interleaved in time: all three send at once, paced.
ip netns exec "$A1" "$UDPSEND" -c 40 -r 400 "$A1_SINK" >"$ND_TMP/s1" 2>&1 &
p1=$!
ip netns exec "$A2" "$UDPSEND" -c 30 -r 300 "$A2_SINK" >"$ND_TMP/s2" 2>&1 &
p2=$!
ip netns exec "$A3" "$UDPSEND" -c 20 -r 200 "$A3_SINK" >"$ND_TMP/s3" 2>&1
wait "$p1" "$p2"
nd_wait_count "$f" 90
nd_stop INT
check_eq "three targets: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/three.err")"
check_eq "three targets: the senders sent 40, 30, 20" "sent 40|sent 30|sent 20" "$(cat "$ND_TMP/s1" "$ND_TMP/s2" "$ND_TMP/s3" | paste -sd'|')"
check_eq "three targets: exact count per interface" \
	"$(nd_want "40 pid$A1_PID/eth0" "30 pid$A2_PID/eth0" "20 $A3/eth0")" "$(nd_per_if "$f")"
check_eq "three targets: three interfaces in the file" 3 \
	"$(capinfos "$f" 2>/dev/null | awk -F: '/Number of interfaces in file/ { gsub(/ /, "", $2); print $2 }')"
check_eq "three targets: time stamps never go back across the merged stream" True \
	"$(capinfos -o "$f" 2>/dev/null | awk -F: '/Strict time order/ { gsub(/ /, "", $2); print $2 }')"
check_grep "three targets: statistics count all 90" "$ND_TMP/three.err" '^90 packets captured$'

# -i all: every interface but loopback; -i repeated.
f=$ND_TMP/all.pcapng
nd_start_ready all --netns "$A3" -i all -v -w "$f" udp || nd_finish
nd_send "$A3" 7 "$A3_SINK" || true
nd_send "$A3" 5 198.18.78.3 || true
nd_wait_count "$f" 12
nd_stop INT
check_eq "-i all: eth0 and eth1, each exact" "$(nd_want "7 $A3/eth0" "5 $A3/eth1")" "$(nd_per_if "$f")"
f=$ND_TMP/two-i.pcapng
nd_start_ready twoi --netns "$A3" -i eth1 -i eth0 -v -w "$f" udp || nd_finish
nd_send "$A3" 3 "$A3_SINK" || true
nd_send "$A3" 4 198.18.78.3 || true
nd_wait_count "$f" 7
nd_stop INT
check_eq "-i twice: both interfaces" "$(nd_want "3 $A3/eth0" "4 $A3/eth1")" "$(nd_per_if "$f")"

# pcap: one link type per file.
nd_run mixed --netns "$A3" -i eth0 -i any --format pcap -w "$ND_TMP/mixed.pcap"
check_eq "pcap with Ethernet and cooked interfaces: exit 2" 2 "$ND_RC"
check_grep "pcap with mixed link types: says why and what to use" "$ND_TMP/mixed.err" 'pcap holds one link type.*--format pcapng'
nd_start_ready same --pid "$A1_PID" --pid "$A2_PID" -v --format pcap -w "$ND_TMP/same.pcap" udp || nd_finish
nd_send "$A1" 6 "$A1_SINK" || true
nd_send "$A2" 4 "$A2_SINK" || true
nd_wait_count "$ND_TMP/same.pcap" 10
nd_stop INT
check_count "pcap with two Ethernet interfaces: all 10 in one file" "$ND_TMP/same.pcap" 10

# -c counts the merged stream.
nd_start_ready count --pid "$A1_PID" --pid "$A2_PID" -v -c 25 -w "$ND_TMP/count.pcapng" udp || nd_finish
ip netns exec "$A1" "$UDPSEND" -c 40 -r 1000 "$A1_SINK" >/dev/null 2>&1 &
p1=$!
ip netns exec "$A2" "$UDPSEND" -c 40 -r 1000 "$A2_SINK" >/dev/null 2>&1
wait "$p1"
nd_wait_exit "$ND_PID" 5
check_eq "-c 25 over two targets: exit 0 by itself" 0 "$ND_RC"
check_count "-c 25 over two targets: exactly 25" "$ND_TMP/count.pcapng" 25

# One target goes away; the other is still captured until the end.
nd_start_ready gone --pid "$A1_PID" --pid "$A2_PID" -v -w "$ND_TMP/gone.pcapng" udp || nd_finish
nd_send "$A1" 5 "$A1_SINK" || true
kill "$A1_PID"
nd_wait_exit "$A1_PID" "$ND_WAIT_S"
nd_send "$A2" 6 "$A2_SINK" || true
# A2's packets, sent once A1 had ended, reach the file while nsdump still runs.
nd_wait_count "$ND_TMP/gone.pcapng" 11
if nd_exited "$ND_PID"; then not_ok "one target gone: nsdump goes on" "it exited"; else ok "one target gone: nsdump goes on"; fi
nd_stop INT
check_eq "one target gone: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/gone.err")"
check_eq "one target gone: packets of both, before and after" \
	"$(nd_want "5 pid$A1_PID/eth0" "6 pid$A2_PID/eth0")" "$(nd_per_if "$ND_TMP/gone.pcapng")"

# Every target gone: the capture ends by itself.
nd_start_ready last --pid "$A2_PID" --netns "$A3" -v -w "$ND_TMP/last.pcapng" udp || nd_finish
kill "$A2_PID"
ip -n "$A3" link del eth0
ip -n "$A3" link del eth1
nd_wait_exit "$ND_PID" 5
check_eq "all targets gone: exit 0 by itself" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/last.err")"

nd_finish
