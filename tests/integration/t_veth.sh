#!/bin/bash
# Veth-peer mode, --mode auto/setns/veth, -D, and the cases veth mode must refuse.
#
# Topology, like Docker's: namespace C (the "container") and namespace D, each joined by a
# veth pair to a bridge in namespace H, which plays the host: nsdump runs in H (ip netns exec),
# so H is "nsdump's own namespace". Keeping the bridge out of the real host keeps the host's
# firewall (Docker's FORWARD policy, br_netfilter) out of the test, and the traffic in
# namespaces the test made. C and D send to sink addresses resolved statically to the
# other's MAC; the receiver drops them (forwarding is off in a new namespace), so the wire
# carries exactly the test's datagrams.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd tshark

BR=br0
HC="ndthc$ND_SUF"
HD="ndthd$ND_SUF"
NS_C="ndtC$ND_SUF"
NS_D="ndtD$ND_SUF"
NS_H="ndtH$ND_SUF"
DUMMY="ndtdm$ND_SUF"
NS_M="ndtM$ND_SUF"
REAL_NSDUMP=$NSDUMP
# nsdump run from H: ip netns exec enters H and execs nsdump in the same process, so $! is
# nsdump itself.
NSDUMP=$ND_TMP/nsdump-in-h
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS_H" "$REAL_NSDUMP" >"$NSDUMP"
chmod 755 "$NSDUMP"

IP_C=198.18.80.1
IP_D=198.18.80.2
SINK_D=198.18.80.3
SINK_C=198.18.80.4
if ! {
	nd_netns_new "$NS_C" && nd_netns_new "$NS_D" && nd_netns_new "$NS_H" &&
		ip -n "$NS_H" link add "$BR" type bridge mcast_snooping 0 && ip -n "$NS_H" link set "$BR" up &&
		ip -n "$NS_H" link add "$HC" type veth peer name eth0 netns "$NS_C" &&
		ip -n "$NS_H" link add "$HD" type veth peer name eth0 netns "$NS_D" &&
		ip -n "$NS_H" link set "$HC" master "$BR" && ip -n "$NS_H" link set "$HC" up &&
		ip -n "$NS_H" link set "$HD" master "$BR" && ip -n "$NS_H" link set "$HD" up &&
		ip -n "$NS_C" addr add "$IP_C/24" dev eth0 && ip -n "$NS_C" link set eth0 up &&
		ip -n "$NS_D" addr add "$IP_D/24" dev eth0 && ip -n "$NS_D" link set eth0 up &&
		mac_c=$(nd_mac "$NS_C" eth0) && mac_d=$(nd_mac "$NS_D" eth0) &&
		ip -n "$NS_C" neigh replace "$SINK_D" lladdr "$mac_d" dev eth0 nud permanent &&
		ip -n "$NS_D" neigh replace "$SINK_C" lladdr "$mac_c" dev eth0 nud permanent
} 2>"$ND_TMP/topo.err"; then
	not_ok "set up bridge topology" "$(nd_excerpt "$ND_TMP/topo.err")"
	nd_finish
fi
# The bridge forwards once both ports are in forwarding state (no STP: at once) and every
# end has its carrier (which takes a moment).
# shellcheck disable=SC2317 # called through nd_poll
bridge_ready() {
	local p
	for p in "$HC" "$HD"; do
		ip -n "$NS_H" -d -o link show dev "$p" 2>/dev/null | grep -q 'bridge_slave state forwarding' || return 1
		nd_cond_link_up "$NS_H" "$p" || return 1
	done
	nd_cond_link_up "$NS_C" eth0 && nd_cond_link_up "$NS_D" eth0
}
nd_poll "$ND_WAIT_S" "the bridge's ports forwarding, every end up" bridge_ready || nd_finish
nd_target_start "$NS_C" || nd_finish
C_PID=$TARGET_PID
hc_index=$(ip -n "$NS_H" -o link show dev "$HC" | awk -F': ' '{ print $1 }')

# ---- -D against ip -d link -------------------------------------------------
nd_run list --pid "$C_PID" -D
check_eq "-D: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/list.err")"
line=$(awk '$1 == "eth0"' "$ND_TMP/list.out")
ip_line=$(ip -n "$NS_C" -o -d link show dev eth0)
ip_index=$(echo "$ip_line" | awk -F': ' '{ print $1 }')
ip_mtu=$(echo "$ip_line" | grep -oE '(^| )mtu [0-9]+' | head -1 | awk '{ print $2 }')
ip_peer=$(echo "$ip_line" | grep -o 'eth0@if[0-9]*' | sed 's/.*@if//')
check_eq "-D: eth0's ifindex as ip shows it" "$ip_index" "$(echo "$line" | awk '{ print $2 }')"
check_eq "-D: eth0's kind is veth, as ip -d shows" "veth" "$(echo "$line" | awk '{ print $3 }')"
check "ip -d also says veth" "$(echo "$ip_line" | grep -qw veth; echo $?)"
check_eq "-D: eth0's state UP" "UP" "$(echo "$line" | awk '{ print $4 }')"
check_eq "-D: eth0's MTU as ip shows it" "$ip_mtu" "$(echo "$line" | awk '{ print $5 }')"
check_eq "-D: eth0's address" "$IP_C/24" "$(echo "$line" | awk '{ print $6 }')"
check_eq "-D: host peer is eth0@ifN's N, by name and index" "$HC (ifindex $ip_peer)" "$(echo "$line" | awk '{ print $7, $8, $9 }' | tr -d ')' | sed 's/$/)/')"
check_eq "-D: the peer index is the host link's" "$hc_index" "$ip_peer"
check_eq "-D: loopback listed with no peer" "lo loopback -" "$(awk '$1 == "lo" { print $1, $3, $NF }' "$ND_TMP/list.out")"
check_eq "-D: one line per interface plus a header" "$(($(ip -n "$NS_C" -o link | wc -l) + 1))" "$(wc -l <"$ND_TMP/list.out")"

# ---- the same traffic through both modes -------------------------------------
nd_start_ready veth --pid "$C_PID" -v --mode veth -w "$ND_TMP/veth.pcap"
veth_pid=$ND_PID
nd_start_ready setns --pid "$C_PID" -v --mode setns -w "$ND_TMP/setns.pcap"
setns_pid=$ND_PID
nd_start_ready auto --pid "$C_PID" -v -w "$ND_TMP/auto.pcap"
auto_pid=$ND_PID
nd_start_ready qout --pid "$C_PID" -v --mode veth -Q out -w "$ND_TMP/qout.pcap"
qout_pid=$ND_PID
nd_start_ready qin --pid "$C_PID" -v --mode veth -Q in -w "$ND_TMP/qin.pcap"
qin_pid=$ND_PID
nd_start_ready sqout --pid "$C_PID" -v --mode setns -Q out -w "$ND_TMP/sqout.pcap"
sqout_pid=$ND_PID
check_grep "veth mode captures on the host end" "$ND_TMP/veth.err" "listening on $HC \\(host end of eth0 of PID $C_PID"
check_grep "auto picks veth when the peer is in nsdump's namespace (-v says so)" "$ND_TMP/auto.err" 'mode veth'
check_grep "setns mode says so" "$ND_TMP/setns.err" 'mode setns'
nd_send "$NS_C" 30 -s 100 "$SINK_D" || true
nd_send "$NS_D" 20 -s 200 "$SINK_C" || true
for w in veth:50 setns:50 auto:50 qout:30 qin:20 sqout:30; do
	nd_wait_count "$ND_TMP/${w%:*}.pcap" "${w#*:}"
done
for p in "$veth_pid" "$setns_pid" "$auto_pid" "$qout_pid" "$qin_pid" "$sqout_pid"; do
	kill -INT "$p"
done
for p in "$veth_pid" "$setns_pid" "$auto_pid" "$qout_pid" "$qin_pid" "$sqout_pid"; do
	nd_wait_exit "$p" 5
	check_eq "capture $p exits 0" 0 "$ND_RC"
done
check_count "veth mode: 50 packets" "$ND_TMP/veth.pcap" 50
check_count "setns mode: 50 packets" "$ND_TMP/setns.pcap" 50
check_count "auto mode: 50 packets" "$ND_TMP/auto.pcap" 50
fields=(-T fields -e frame.len -e eth.src -e eth.dst -e ip.src -e ip.dst -e udp.srcport -e data.data)
tshark -r "$ND_TMP/veth.pcap" "${fields[@]}" >"$ND_TMP/veth.txt" 2>/dev/null
tshark -r "$ND_TMP/setns.pcap" "${fields[@]}" >"$ND_TMP/setns.txt" 2>/dev/null
check_eq "veth and setns: the same 50 packets, byte for byte (tshark)" "50 same" \
	"$(wc -l <"$ND_TMP/veth.txt") $(cmp -s "$ND_TMP/veth.txt" "$ND_TMP/setns.txt" && echo same || echo differ)"
check_count "veth -Q out: the 30 the container sent" "$ND_TMP/qout.pcap" 30 src host "$IP_C"
check_count "veth -Q out: nothing else" "$ND_TMP/qout.pcap" 30
check_count "veth -Q in: the 20 the container received" "$ND_TMP/qin.pcap" 20 dst host "$SINK_C"
check_count "veth -Q in: nothing else" "$ND_TMP/qin.pcap" 20
check_count "setns -Q out: the same 30 as veth -Q out" "$ND_TMP/sqout.pcap" 30 src host "$IP_C"

# ---- refusals ------------------------------------------------------------------
# A macvlan has no veth peer: veth mode refuses, auto falls back to setns. Its lower device
# is one end of a veth pair in H (this kernel has no dummy driver); the other end drops.
if ip -n "$NS_H" link add "$DUMMY" type veth peer name "${DUMMY}p" &&
	ip -n "$NS_H" link set "$DUMMY" up && ip -n "$NS_H" link set "${DUMMY}p" up &&
	nd_netns_new "$NS_M" &&
	ip -n "$NS_H" link add link "$DUMMY" name "mv$ND_SUF" type macvlan mode bridge &&
	ip -n "$NS_H" link set "mv$ND_SUF" netns "$NS_M" && ip -n "$NS_M" link set "mv$ND_SUF" name eth0 &&
	ip -n "$NS_M" addr add 198.18.81.1/24 dev eth0 && ip -n "$NS_M" link set eth0 up &&
	ip -n "$NS_M" neigh replace 198.18.81.3 lladdr 02:00:00:00:00:01 dev eth0 nud permanent; then
	nd_run mv-veth --netns "$NS_M" --mode veth -w "$ND_TMP/mv.pcap"
	check_eq "macvlan, --mode veth: exit 2" 2 "$ND_RC"
	check_grep "macvlan, --mode veth: names the kind and suggests setns" "$ND_TMP/mv-veth.err" 'eth0 of netns .* is a macvlan interface.*--mode setns'
	check_one_error_line "macvlan, --mode veth: one error line" "$ND_TMP/mv-veth.err"
	nd_start_ready mv-auto --netns "$NS_M" -v -w "$ND_TMP/mvauto.pcap"
	check_grep "macvlan, auto: falls back to setns" "$ND_TMP/mv-auto.err" 'mode setns'
	nd_send "$NS_M" 10 198.18.81.3 || true
	nd_wait_count "$ND_TMP/mvauto.pcap" 10
	nd_stop INT
	check_count "macvlan, auto: captures the 10 packets" "$ND_TMP/mvauto.pcap" 10
else
	not_ok "set up a macvlan namespace"
fi

# A veth whose peer is in a third namespace (not nsdump's): refused clearly.
nd_topo 1 82 || nd_finish
nd_run third --netns "$NS_A" --mode veth -w "$ND_TMP/third.pcap"
check_eq "peer in a third namespace, --mode veth: exit 2" 2 "$ND_RC"
check_grep "peer in a third namespace: says so" "$ND_TMP/third.err" 'not in nsdump.s network namespace'
nd_run third-any --netns "$NS_A" --mode veth -i any -w "$ND_TMP/third.pcap"
check_eq "-i any with --mode veth: exit 2" 2 "$ND_RC"

# A target in nsdump's own namespace: captured directly, with a warning.
NSDUMP=$REAL_NSDUMP nd_run host --pid $$ -i lo -c 1 --duration 0.3 -w "$ND_TMP/host.pcap"
check_eq "target in the host namespace: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/host.err")"
check_grep "target in the host namespace: warning" "$ND_TMP/host.err" "warning: PID $$ .* is in nsdump's own network namespace: capturing lo there directly"

# In veth mode nsdump does not keep the container's namespace alive: when the container
# goes, its veth goes, and the capture ends in order.
nd_start_ready gone --pid "$C_PID" -v --mode veth -w "$ND_TMP/gone.pcap"
gone_pid=$ND_PID
nd_send "$NS_C" 5 "$SINK_D" || true
nd_wait_count "$ND_TMP/gone.pcap" 5
kill "$C_PID"
ip netns del "$NS_C"
nd_wait_exit "$gone_pid" 5
check_eq "container gone in veth mode: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/gone.err")"
check_count "container gone in veth mode: the 5 packets are in the file" "$ND_TMP/gone.pcap" 5
check_grep "container gone in veth mode: stop reason" "$ND_TMP/gone.err" 'stopping: the (target process exited|interface went away)'

nd_finish
