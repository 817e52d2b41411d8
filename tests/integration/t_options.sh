#!/bin/bash
# Options: -s snaplen, -Q direction, -i any, -U, -q, -B, -p, --immediate-mode.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
nd_topo 1 80 || nd_finish

# -s 100: 1514-byte frames cut to 100, 64-byte frames whole.
f=$ND_TMP/snap.pcap
if nd_start_ready snap -v --pid "$TARGET_PID" -s 100 -w "$f"; then
	nd_send "$NS_A" 10 -s 1472 "$SINK_B"
	nd_send "$NS_A" 10 -s 22 "$SINK_B"
	nd_wait_count "$f" 20
	nd_stop INT 5
	check_eq "-s 100: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/snap.err")"
	lens=$(tshark -r "$f" -T fields -e frame.cap_len -e frame.len 2>/dev/null |
		sort | uniq -c | awk '{ printf "%s*%s/%s ", $1, $2, $3 }')
	check_eq "-s 100: caplen/len per frame (tshark)" "10*100/1514 10*64/64 " "$lens"
fi

# -Q: 15 datagrams A -> B and 25 B -> A.
direction() {
	local q=$1 want=$2 f=$ND_TMP/q-$1.pcap
	if ! nd_start_ready "q-$q" -v --pid "$TARGET_PID" -Q "$q" -w "$f"; then return; fi
	nd_send "$NS_A" 15 "$SINK_B"
	nd_send "$NS_B" 25 "$SINK_A"
	nd_wait_count "$f" "$want"
	nd_stop INT 5
	check_eq "-Q $q: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/q-$q.err")"
	check_count_all "-Q $q: exactly $want packets" "$f" "$want"
	case "$q" in
	in) check_count "-Q in: all from B" "$f" "$want" src host "$IP_B" ;;
	out) check_count "-Q out: all from A" "$f" "$want" src host "$IP_A" ;;
	esac
}
direction in 25
direction out 15
direction inout 40

# -i any: Linux cooked capture, exact count (lo is quiet).
f=$ND_TMP/any.pcap
if nd_start_ready any -v --pid "$TARGET_PID" -i any -w "$f"; then
	nd_send "$NS_A" 20 "$SINK_B"
	nd_wait_count "$f" 20
	nd_stop INT 5
	check_eq "-i any: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/any.err")"
	check_count_all "-i any: exactly 20 packets" "$f" 20
	check_grep "-i any: link type Linux cooked (capinfos)" <(capinfos -E "$f" 2>&1) 'Linux cooked'
	check_grep "-i any: frames are sll/sll2 (tshark)" <(tshark -r "$f" -T fields -e frame.protocols 2>/dev/null) '^sll'
fi

# -U: whole packets in the file while the capture still runs.
f=$ND_TMP/u.pcap
if nd_start_ready u -v --pid "$TARGET_PID" -U -w "$f"; then
	nd_send "$NS_A" 10 "$SINK_B"
	limit=$(($(nd_now_ms) + 2000))
	while [ "$(count_tcpdump "$f")" != 10 ] && [ "$(nd_now_ms)" -lt "$limit" ]; do sleep 0.05; done
	n=$(count_tcpdump "$f")
	if nd_exited "$ND_PID"; then
		not_ok "-U: file readable while running" "nsdump exited: $(nd_excerpt "$ND_TMP/u.err")"
	else
		check_eq "-U: exactly 10 packets readable while running" 10 "$n"
	fi
	nd_stop INT 5
	check_eq "-U: exits 0" 0 "$ND_RC"
	check_count "-U: exactly 10 packets at the end" "$f" 10
fi

# simple TAG DESC ARGS...: 30 packets, SIGINT, exactly 30.
simple() {
	local tag=$1 desc=$2 f=$ND_TMP/$1.pcap
	shift 2
	if ! nd_start_ready "$tag" -v --pid "$TARGET_PID" "$@" -w "$f"; then return; fi
	nd_send "$NS_A" 30 "$SINK_B"
	nd_wait_count "$f" 30
	nd_stop INT 5
	check_eq "$desc: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count "$desc: exactly 30 packets" "$f" 30
}

simple big-buffer "-B 8192" -B 8192
simple promisc "-p" -p
simple immediate "--immediate-mode" --immediate-mode

# -q (which may exclude -v, so readiness is seen from /proc): exact count,
# nothing at all on stderr.
f=$ND_TMP/quiet.pcap
nd_start quiet -q --pid "$TARGET_PID" -w "$f"
if nd_wait_socket quiet; then
	nd_send "$NS_A" 30 "$SINK_B"
	nd_wait_count "$f" 30
	nd_stop INT 5
	check_eq "-q: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/quiet.err")"
	check_count "-q: exactly 30 packets" "$f" 30
	check_nogrep "-q: no statistics lines" "$ND_TMP/quiet.err" 'packets? (captured|received by filter|dropped by kernel)'
	check_eq "-q: stderr empty" 0 "$(wc -c <"$ND_TMP/quiet.err")"
fi

nd_finish
