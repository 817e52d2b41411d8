#!/bin/bash
# Packets larger than the 128 KiB output buffer (issue 13, finding 2). BIG TCP (a GSO size
# of 400000, as Cilium sets 196608 on pod devices) makes TCP hand the device packets of up
# to 400000 bytes; libpcap gives them up to the snapshot length (256 KiB). Each must be
# written whole, in every output mode: a file, a pipe, -C rotation, --compress gzip,
# --format pcap, several interfaces merged in time order, and --merge. Before the fix the
# first such packet ended the capture ("record of N bytes larger than the output buffer",
# exit 1).
#
# IPv6 is turned on in this script's namespaces (lib.sh turns it off): BIG TCP needs it with
# this iproute2 (gso_ipv4_max_size came in 6.3). Traffic: ::1 inside namespace L, and
# 2001:2:0:76::1 -> ::2 (RFC 5180's benchmarking range, like 198.18.0.0/15) on the veth
# pair between namespaces A and B.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd tshark capinfos editcap tcpdump
TCPBULK=${TCPBULK:-$ND_ROOT/build/tools/tcpbulk}
if [ ! -x "$TCPBULK" ]; then
	not_ok "$ND_SCRIPT: tcpbulk binary" "TCPBULK=$TCPBULK is not an executable file (make build/tools/tcpbulk)"
	nd_finish
fi

GSO=400000
BYTES=20000000
PORT=5001
# A ring that holds the whole transfer, so that no packet is dropped even on a busy machine
# and every byte sent can be looked for in the file.
RING_KIB=65536

# ---- namespace L: loopback only, IPv6 on, BIG TCP on lo ----
NS_L="ndtL$ND_SUF"
if ! {
	nd_netns_new "$NS_L" &&
		ip netns exec "$NS_L" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.lo.disable_ipv6=0 >/dev/null &&
		ip -n "$NS_L" link set lo gso_max_size "$GSO" gro_max_size "$GSO"
} 2>"$ND_TMP/l.err"; then
	not_ok "set up namespace L with BIG TCP on lo" "$(nd_excerpt "$ND_TMP/l.err")"
	nd_finish
fi
for i in $(seq 1 1500); do # 30 s at most
	ip -n "$NS_L" -6 addr show dev lo | grep -q 'inet6 ::1/128' && break
	sleep 0.02
done
nd_target_start "$NS_L" || nd_finish
L_PID=$TARGET_PID

# ---- namespaces A and B: a veth pair, IPv6 on eth0 only, BIG TCP on both ends ----
nd_topo 1 76 || nd_finish
V6_A=2001:2:0:76::1
V6_B=2001:2:0:76::2
setup_v6() {
	local ns
	for ns in "$NS_A" "$NS_B"; do
		# No link-local address and no DAD: nothing on the wire but the test's traffic
		# (and one MLD report).
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=1 \
			net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.eth0.disable_ipv6=0 >/dev/null &&
			ip -n "$ns" link set eth0 gso_max_size "$GSO" gro_max_size "$GSO" || return 1
	done
	ip -n "$NS_A" addr add "$V6_A/64" dev eth0 nodad &&
		ip -n "$NS_B" addr add "$V6_B/64" dev eth0 nodad &&
		ip -n "$NS_A" -6 neigh replace "$V6_B" lladdr "$(nd_mac "$NS_B" eth0)" dev eth0 nud permanent &&
		ip -n "$NS_B" -6 neigh replace "$V6_A" lladdr "$(nd_mac "$NS_A" eth0)" dev eth0 nud permanent
}
if ! setup_v6 2>"$ND_TMP/v6.err"; then
	not_ok "set up IPv6 and BIG TCP on the veth pair" "$(nd_excerpt "$ND_TMP/v6.err")"
	nd_finish
fi
A_PID=$TARGET_PID

# transfer CLIENT_NS SERVER_NS ADDR: one bulk TCP transfer of $BYTES to ADDR port $PORT;
# "not ok" unless both ends counted every byte.
XFER=0
transfer() {
	local cns=$1 sns=$2 addr=$3 srv out log
	# A file of its own for each server: the redirection of a background job happens when
	# it starts, so a reused file could still show the previous server's "listening".
	XFER=$((XFER + 1))
	log=$ND_TMP/srv$XFER.out
	ip netns exec "$sns" "$TCPBULK" -l "$addr" "$PORT" >"$log" 2>&1 &
	srv=$!
	nd_track_pid "$srv"
	if ! nd_wait_file_grep "$log" '^listening$' "$ND_WAIT_S" "$srv"; then
		not_ok "tcpbulk server on $addr" "$(nd_excerpt "$log")"
		return 1
	fi
	out=$(ip netns exec "$cns" timeout 30 "$TCPBULK" "$addr" "$PORT" "$BYTES" 2>&1)
	nd_wait_exit "$srv" 30
	if [ "$out" != "sent $BYTES" ] || ! grep -qx "received $BYTES" "$log"; then
		not_ok "transfer of $BYTES bytes to $addr" "client: $out; server: $(nd_excerpt "$log")"
		return 1
	fi
	return 0
}

# packets_in FILE...: packets in the files (capinfos).
packets_in() {
	local f t=0 n
	for f in "$@"; do
		n=$(count_capinfos "$f")
		[[ "$n" =~ ^[0-9]+$ ]] || {
			echo "$n"
			return
		}
		t=$((t + n))
	done
	echo "$t"
}

# bytes_to_port FILE...: TCP payload bytes towards $PORT in the files, each byte of the
# sequence space counted once: the union of [seq, seq+len) per flow, relative to the flow's
# first segment. A retransmission re-sends bytes already counted, whatever tshark calls it (one
# within 3 ms of the original is an "out-of-order segment" to tshark, not a retransmission, and
# once counted it twice: 20398412 bytes of 20000000).
bytes_to_port() {
	local f
	for f in "$@"; do
		tshark -r "$f" -Y "tcp.dstport == $PORT && tcp.len > 0" -T fields -E separator=/t \
			-e ipv6.src -e ip.src -e tcp.srcport -e tcp.seq_raw -e tcp.len 2>/dev/null
	done | awk -F '\t' '{
		flow = $1 "|" $2 "|" $3
		if (!(flow in base)) base[flow] = $4
		off = ($4 - base[flow]) % 4294967296
		if (off < 0) off += 4294967296
		if (off >= 2147483648) off -= 4294967296
		printf "%s %.0f %.0f\n", flow, off, off + $5
	}' | sort -k1,1 -k2,2n | awk '
		$1 != flow { flow = $1; end = $2 }
		{
			if ($2 > end) end = $2
			if ($3 > end) { s += $3 - end; end = $3 }
		}
		END { printf "%.0f\n", s + 0 }'
}

# frames_twice FILE...: frames that are in the files more than once (same time, port, sequence
# and acknowledgement numbers and length); a retransmission is sent at another time.
frames_twice() {
	local f
	for f in "$@"; do
		tshark -r "$f" -Y tcp -T fields -e frame.time_epoch -e tcp.srcport -e tcp.seq_raw \
			-e tcp.ack_raw -e tcp.len 2>/dev/null
	done | sort | uniq -d | wc -l
}

# max_caplen FILE...: the largest captured length (tshark).
max_caplen() {
	local f
	for f in "$@"; do tshark -r "$f" -T fields -e frame.cap_len 2>/dev/null; done |
		sort -n | tail -1
}

# check_big TAG WANT_BYTES FILE...: the files hold every packet nsdump counted (stderr
# $ND_TMP/TAG.err), every byte sent, and packets larger than the output buffer.
check_big() {
	local tag=$1 want=$2 captured mc
	shift 2
	captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$ND_TMP/$tag.err")
	check_grep "$tag: no packet dropped by the kernel" "$ND_TMP/$tag.err" '^0 packets dropped by kernel$'
	check_eq "$tag: the files hold every packet nsdump counted" "${captured:-none}" "$(packets_in "$@")"
	check_eq "$tag: every byte of the transfer is in the files" "$want" "$(bytes_to_port "$@")"
	check_eq "$tag: no frame written twice" 0 "$(frames_twice "$@")"
	mc=$(max_caplen "$@")
	check "$tag: packets larger than the 128 KiB buffer are in the files (largest: ${mc:-none} bytes)" \
		"$([ "${mc:-0}" -gt 131072 ]; echo $?)"
}

# capture TAG CLIENT_NS SERVER_NS ADDR ARGS...: nsdump ARGS during one transfer, stopped with
# SIGINT afterwards; checks its exit status.
capture() {
	local tag=$1 cns=$2 sns=$3 addr=$4
	shift 4
	nd_start_ready "$tag" -B "$RING_KIB" "$@" || return 1
	transfer "$cns" "$sns" "$addr" || true
	nd_stop INT 10
	check_eq "$tag: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
}

# 1. lo, a file. tcpdump captures the same transfer into an input for --merge below.
ip netns exec "$NS_L" tcpdump -i lo -s 0 -B "$RING_KIB" -w "$ND_TMP/td-lo.pcap" >/dev/null 2>"$ND_TMP/td-lo.err" &
td=$!
nd_track_pid "$td"
nd_wait_file_grep "$ND_TMP/td-lo.err" 'listening on' "$ND_WAIT_S" "$td" || not_ok "tcpdump on lo" "$(nd_excerpt "$ND_TMP/td-lo.err")"
capture file "$NS_L" "$NS_L" ::1 --pid "$L_PID" -i lo -w "$ND_TMP/lo.pcapng"
check_big file "$BYTES" "$ND_TMP/lo.pcapng"
kill -INT "$td" 2>/dev/null
nd_wait_exit "$td" 10

# 2. lo, a pipe (64 KiB, smaller than one record) to a reader.
mkfifo "$ND_TMP/fifo"
cat "$ND_TMP/fifo" >"$ND_TMP/lo-pipe.pcapng" &
reader=$!
nd_track_pid "$reader"
ND_STDOUT=$ND_TMP/fifo capture pipe "$NS_L" "$NS_L" ::1 --pid "$L_PID" -i lo -w -
nd_wait_exit "$reader" 10
check_big pipe "$BYTES" "$ND_TMP/lo-pipe.pcapng"

# 3. lo, -C 1: files of at most 1,000,000 bytes, each complete.
mkdir -p "$ND_TMP/rot"
capture rotate "$NS_L" "$NS_L" ::1 --pid "$L_PID" -i lo -C 1 -w "$ND_TMP/rot/c.pcapng"
mapfile -t files < <(find "$ND_TMP/rot" -type f | sort -V)
check "rotate: more than 10 files (${#files[@]})" "$([ "${#files[@]}" -gt 10 ]; echo $?)"
check_big rotate "$BYTES" "${files[@]}"
bad=""
for f in "${files[@]}"; do
	[ "$(stat -c %s "$f")" -le 1000000 ] || bad="$bad $(basename "$f")($(stat -c %s "$f") bytes)"
done
check_eq "rotate: no file larger than -C 1 (1,000,000 bytes)" "" "$bad"

# 4. lo, --compress gzip.
capture gzip "$NS_L" "$NS_L" ::1 --pid "$L_PID" -i lo --compress gzip -w "$ND_TMP/lo.pcapng"
check "gzip: a whole gzip stream" "$(gzip -t "$ND_TMP/lo.pcapng.gz" 2>/dev/null; echo $?)"
check_big gzip "$BYTES" "$ND_TMP/lo.pcapng.gz"

# 5. The veth pair, two interfaces (eth0 and lo) merged in time order into one pcapng. tcpdump
# captures eth0 into the second input for --merge.
ip netns exec "$NS_A" tcpdump -i eth0 -s 0 -B "$RING_KIB" -w "$ND_TMP/td-veth.pcap" >/dev/null 2>"$ND_TMP/td-veth.err" &
td=$!
nd_track_pid "$td"
nd_wait_file_grep "$ND_TMP/td-veth.err" 'listening on' "$ND_WAIT_S" "$td" || not_ok "tcpdump on eth0" "$(nd_excerpt "$ND_TMP/td-veth.err")"
capture veth "$NS_A" "$NS_B" "$V6_B" --pid "$A_PID" -i eth0 -i lo -w "$ND_TMP/veth.pcapng"
check_big veth "$BYTES" "$ND_TMP/veth.pcapng"
kill -INT "$td" 2>/dev/null
nd_wait_exit "$td" 10

# 6. The veth pair, --format pcap.
capture pcap "$NS_A" "$NS_B" "$V6_B" --pid "$A_PID" -i eth0 --format pcap -w "$ND_TMP/veth.pcap"
check_big pcap "$BYTES" "$ND_TMP/veth.pcap"

# 7. --merge of tcpdump's two captures (one converted to pcapng), to a file and, as pcap, to a
# pipe. Their counts are whatever tcpdump kept; the merge must keep all of them.
if editcap -F pcapng "$ND_TMP/td-veth.pcap" "$ND_TMP/td-veth.pcapng" 2>"$ND_TMP/editcap.err"; then
	ins=("$ND_TMP/td-lo.pcap" "$ND_TMP/td-veth.pcapng")
	want_n=$(packets_in "${ins[@]}")
	want_b=$(bytes_to_port "${ins[@]}")
	mc=$(max_caplen "${ins[@]}")
	check "merge inputs: tcpdump kept packets larger than 128 KiB (largest: ${mc:-none})" \
		"$([ "${mc:-0}" -gt 131072 ]; echo $?)"
	nd_run merge --merge "${ins[@]}" -w "$ND_TMP/merged.pcapng"
	check_eq "--merge: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/merge.err")"
	check_eq "--merge: every packet of the inputs ($want_n)" "$want_n" "$(packets_in "$ND_TMP/merged.pcapng")"
	check_eq "--merge: every byte of the inputs" "$want_b" "$(bytes_to_port "$ND_TMP/merged.pcapng")"
	check_eq "--merge: the largest packet kept whole" "$mc" "$(max_caplen "$ND_TMP/merged.pcapng")"

	cat "$ND_TMP/fifo" >"$ND_TMP/merged-pipe.pcap" &
	reader=$!
	nd_track_pid "$reader"
	timeout -s KILL 30 "$NSDUMP" --merge "${ins[@]}" --format pcap -w - >"$ND_TMP/fifo" 2>"$ND_TMP/merge-pipe.err"
	rc=$?
	nd_wait_exit "$reader" 10
	check_eq "--merge --format pcap to a pipe: exit 0" 0 "$rc" "$(nd_excerpt "$ND_TMP/merge-pipe.err")"
	check_eq "--merge to a pipe: every packet" "$want_n" "$(packets_in "$ND_TMP/merged-pipe.pcap")"
	check_eq "--merge to a pipe: every byte" "$want_b" "$(bytes_to_port "$ND_TMP/merged-pipe.pcap")"
	check_eq "--merge to a pipe: the largest packet kept whole" "$mc" "$(max_caplen "$ND_TMP/merged-pipe.pcap")"
else
	not_ok "convert tcpdump's capture to pcapng" "$(nd_excerpt "$ND_TMP/editcap.err")"
fi

nd_finish
