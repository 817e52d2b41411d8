#!/bin/bash
# Packets captured just before the interface goes away are written: the link is deleted right
# after the last packet, with no pause (and then the target killed, or nsdump interrupted),
# and the file must hold every packet sent. The kernel hands a TPACKET_V3 block over only when
# it is full or when its block timer (20 ms) runs, so a capture that ends as soon as libpcap
# reports "The interface disappeared" loses the block still being filled. Whether it does
# depends on where that timer stands and on when nsdump looks, so every case runs several
# rounds (ROUNDS).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions

ROUNDS=${ROUNDS:-8}
N=25

# ip_start NS: an ip(8) already running in NS, reading commands from a pipe; ip_now NS CMD
# then runs CMD there within a millisecond or two, not after the tens of milliseconds a new ip
# takes to start (long enough for the block timer to have handed the packets over, which
# hides the loss).
declare -A IP_PID IP_FD
ip_start() {
	local fd
	rm -f "$ND_TMP/ip.$1"
	mkfifo "$ND_TMP/ip.$1" || return 1
	ip -n "$1" -batch "$ND_TMP/ip.$1" >"$ND_TMP/ip.$1.out" 2>&1 &
	IP_PID[$1]=$!
	nd_track_pid "$!"
	exec {fd}>"$ND_TMP/ip.$1"
	IP_FD[$1]=$fd
}
ip_now() {
	local fd=${IP_FD[$1]}
	echo "$2" >&"$fd"
	exec {fd}>&-
}
ip_done() {
	nd_wait_exit "${IP_PID[$1]}" 5
	check_eq "ip -n $1 $2: done" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/ip.$1.out")"
}

# send NS COUNT DST: udpsend run directly (nd_send's command substitution costs time here);
# its "sent COUNT" is checked afterwards by sent_ok.
send() {
	ip netns exec "$1" "$UDPSEND" -c "$2" "$3" >"$ND_TMP/sent.$1" 2>&1
}
sent_ok() {
	check_eq "$1: udpsend sent $3" "sent $3" "$(cat "$ND_TMP/sent.$2")"
}

# one_round TAG X HOW: a fresh pair of namespaces, a capture of eth0 of the target, N packets
# sent, and at once: "del" deletes the link; "kill" kills the target, then deletes the link
# (a container stopping: its exit, then its veth gone); "int" deletes the link, then sends
# nsdump SIGINT.
one_round() {
	local tag=$1 x=$2 how=$3 f
	nd_topo "$tag" "$x" || return 1
	f=$ND_TMP/$tag.pcap
	nd_start_ready "$tag" -v --pid "$TARGET_PID" -w "$f" || return 1
	ip_start "$NS_A" || return 1
	send "$NS_A" "$N" "$SINK_B"
	[ "$how" = kill ] && nd_is_ours "$TARGET_PID" && kill -KILL "$TARGET_PID"
	ip_now "$NS_A" "link del eth0"
	[ "$how" = int ] && kill -INT "$ND_PID"
	ip_done "$NS_A" "link del eth0"
	nd_wait_exit "$ND_PID" 5
	sent_ok "$how, round $tag" "$NS_A" "$N"
	check_eq "$how, round $tag: nsdump exits 0 by itself" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$how, round $tag: all $N packets sent before are in the file" "$f" "$N"
	check_grep "$how, round $tag: statistics count $N" "$ND_TMP/$tag.err" "^$N packets captured$"
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	return 0
}

for i in $(seq 1 "$ROUNDS"); do
	one_round "d$i" $((100 + i)) del
done
for i in $(seq 1 "$ROUNDS"); do
	one_round "k$i" $((120 + i)) kill
done
for i in $(seq 1 "$ROUNDS"); do
	one_round "i$i" $((140 + i)) int
done

# Two targets in one capture (pcapng, one interface each): packets from both, then both
# links deleted at once; each interface's packets all there.
for i in $(seq 1 "$ROUNDS"); do
	nd_topo "m$i" $((160 + i)) || break
	A1=$NS_A B1=$NS_B P1=$TARGET_PID S1=$SINK_B
	nd_topo "n$i" $((180 + i)) || break
	A2=$NS_A B2=$NS_B P2=$TARGET_PID S2=$SINK_B
	f=$ND_TMP/multi$i.pcapng
	nd_start_ready "multi$i" -v --pid "$P1" --pid "$P2" -w "$f" || continue
	if ! ip_start "$A1" || ! ip_start "$A2"; then break; fi
	send "$A2" 15 "$S2"
	send "$A1" 20 "$S1"
	ip_now "$A1" "link del eth0"
	ip_now "$A2" "link del eth0"
	ip_done "$A1" "link del eth0"
	ip_done "$A2" "link del eth0"
	nd_wait_exit "$ND_PID" 5
	sent_ok "two sources, round $i" "$A1" 20
	sent_ok "two sources, round $i" "$A2" 15
	check_eq "two sources, round $i: nsdump exits 0 by itself" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/multi$i.err")"
	check_eq "two sources, round $i: every packet, per interface" \
		"$(nd_want "20 pid$P1/eth0" "15 pid$P2/eth0")" "$(nd_per_if "$f")"
	check_grep "two sources, round $i: statistics count 35" "$ND_TMP/multi$i.err" '^35 packets captured$'
	for ns in "$A1" "$B1" "$A2" "$B2"; do ip netns del "$ns" 2>/dev/null; done
done

nd_finish
