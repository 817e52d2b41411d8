#!/bin/bash
# Basic capture: exact counts with -c, with SIGINT, via --pid and both --netns
# forms; the file is pcapng (or nanosecond pcap with --format pcap) owned by root;
# tcpdump-style statistics.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
nd_topo 1 10 || nd_finish

out=$ND_TMP/c100.pcap

# -c 100 while 150 packets go out: exactly 100 written, exit 0 by itself.
if nd_start_ready c100 -v --pid "$TARGET_PID" -c 100 -w "$out"; then
	nd_send "$NS_A" 150 "$SINK_B"
	nd_wait_exit "$ND_PID" 5
	check_eq "-c 100: exits 0 by itself" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/c100.err")"
	check_count_all "-c 100: exactly 100 packets" "$out" 100
	check_count "-c 100: all are the test's UDP datagrams" "$out" 100 udp dst port 9999 and src host "$IP_A"
	check_stats "-c 100: statistics lines" "$ND_TMP/c100.err" 100
	check_eq "-c 100: pcapng by default (section header block type)" 0a0d0d0a "$(od -An -tx1 -N4 "$out" | tr -d ' ')"
	check_eq "-c 100: file owned by root" root "$(stat -c %U "$out" 2>&1)"
fi

# --format pcap: the classic format, nanosecond variant.
if nd_start_ready fpcap -v --pid "$TARGET_PID" -c 10 --format pcap -w "$ND_TMP/f.pcap"; then
	nd_send "$NS_A" 10 "$SINK_B"
	nd_wait_exit "$ND_PID" 5
	check_eq "--format pcap: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/fpcap.err")"
	magic=$(od -An -tx1 -N4 "$ND_TMP/f.pcap" | tr -d ' ')
	case "$magic" in
	4d3cb2a1 | a1b23c4d) ok "--format pcap: nanosecond pcap magic" ;;
	*) not_ok "--format pcap: nanosecond pcap magic" "magic bytes $magic" ;;
	esac
	check_count_all "--format pcap: exactly 10 packets" "$ND_TMP/f.pcap" 10
fi

# No -c: exactly 50 sent, then SIGINT: exactly 50, stats say 50.
# $1 = tag, rest = target selection.
capture_50() {
	local tag=$1 f=$ND_TMP/$1.pcap
	shift
	if ! nd_start_ready "$tag" -v "$@" -w "$f"; then return; fi
	nd_send "$NS_A" 50 -P 40001 "$SINK_B"
	nd_wait_count "$f" 50
	nd_stop INT 5
	check_eq "$tag: SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly 50 packets" "$f" 50
	check_count "$tag: all 50 from the target's socket" "$f" 50 udp src port 40001 and src host "$IP_A"
	check_stats "$tag: statistics say 50 captured" "$ND_TMP/$tag.err" 50
}

capture_50 sigint-pid --pid "$TARGET_PID"
capture_50 netns-name --netns "$NS_A"
capture_50 netns-path --netns "/proc/$TARGET_PID/ns/net"
capture_50 netns-run --netns "/run/netns/$NS_A"

# Packets also arrive in order and with the sequence the sender wrote.
f=$ND_TMP/sigint-pid.pcap
if [ -s "$f" ]; then
	first=$(tcpdump -r "$f" -n -c 1 2>/dev/null | awk '{ print $3 }')
	check_eq "--pid: first packet is from the target address" "$IP_A.40001" "$first"
fi

nd_finish
