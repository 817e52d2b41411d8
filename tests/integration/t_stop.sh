#!/bin/bash
# Every way of stopping leaves a complete file with every packet and exits 0:
# --duration, SIGTERM, SIGHUP, SIGINT right after the last packet, the target
# process exiting, the interface disappearing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
nd_topo 1 50 || nd_finish

# check_complete TAG FILE N: readable to the end by tcpdump/tshark/capinfos
# (a truncated last record makes them fail) with exactly N packets.
check_complete() {
	check_count_all "$1: complete file, exactly $3 packets" "$2" "$3"
}

# --duration 1: stops by itself after about 1 s.
f=$ND_TMP/duration.pcap
t0=$(nd_now_ms)
if nd_start_ready duration -v --pid "$TARGET_PID" --duration 1 -w "$f"; then
	nd_send "$NS_A" 20 "$SINK_B"
	nd_wait_exit "$ND_PID" 5
	dt=$(($(nd_now_ms) - t0))
	check_eq "--duration 1: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/duration.err")"
	if [ "$dt" -ge 950 ] && [ "$dt" -le 2500 ]; then
		ok "--duration 1: stopped after $dt ms"
	else
		not_ok "--duration 1: stops after 1-2.5 s" "$dt ms"
	fi
	check_complete "--duration 1" "$f" 20
	check_stats "--duration 1: statistics" "$ND_TMP/duration.err" 20
fi

# by_signal SIG N WHEN: N packets, then the signal: WHEN "now" is as soon as the sender's
# send returns (the kernel queues a transmitted packet to packet sockets inside the send, so
# the packets are in the capture's ring, not yet read: the stop must read them), "written"
# once the file holds them (the stop must leave the file whole).
by_signal() {
	local sig=$1 n=$2 when=$3 tag=$1-$2-$3 f=$ND_TMP/$1-$2-$3.pcap
	if ! nd_start_ready "$tag" -v --pid "$TARGET_PID" -w "$f"; then return; fi
	nd_send "$NS_A" "$n" "$SINK_B"
	[ "$when" = written ] && nd_wait_count "$f" "$n"
	nd_stop "$sig" 5
	check_eq "SIG$sig $when after $n packets: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_complete "SIG$sig $when after $n packets" "$f" "$n"
	check_stats "SIG$sig: statistics say $n" "$ND_TMP/$tag.err" "$n"
}

by_signal TERM 30 written
by_signal HUP 30 written
by_signal HUP 30 now
by_signal INT 40 now
by_signal INT 1000 now
by_signal TERM 1000 now

# The target process exits mid-capture: nsdump stops by itself.
f=$ND_TMP/target-gone.pcap
if nd_start_ready target-gone -v --pid "$TARGET_PID" -w "$f"; then
	nd_send "$NS_A" 25 "$SINK_B"
	# At once: the packets are queued to the capture when the send returns (see by_signal).
	nd_is_ours "$TARGET_PID" && kill -TERM "$TARGET_PID"
	nd_wait_exit "$TARGET_PID" 5
	nd_wait_exit "$ND_PID" 5
	check_eq "target process exited: nsdump exits 0 by itself within 5 s" 0 "$ND_RC" \
		"$(nd_excerpt "$ND_TMP/target-gone.err")"
	check_complete "target process exited" "$f" 25
	check_stats "target process exited: statistics" "$ND_TMP/target-gone.err" 25
fi

# The interface is deleted mid-capture (ip link del takes both veth ends).
nd_topo 2 51 || nd_finish
f=$ND_TMP/link-gone.pcap
if nd_start_ready link-gone -v --pid "$TARGET_PID" -w "$f"; then
	nd_send "$NS_A" 25 "$SINK_B"
	# At once: the packets are queued to the capture when the send returns (see by_signal).
	ip -n "$NS_A" link del eth0
	nd_wait_exit "$ND_PID" 5
	check_eq "interface deleted: nsdump exits 0 by itself within 5 s" 0 "$ND_RC" \
		"$(nd_excerpt "$ND_TMP/link-gone.err")"
	check_complete "interface deleted" "$f" 25
fi

nd_finish
