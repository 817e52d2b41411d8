#!/bin/bash
# nsdump --merge: three live captures (nsdump --pid P -w - into FIFOs) merged as they stream,
# checked against mergecap of the same streams; pcap and standard input as inputs; pcap
# output; -c; a corrupt and a truncated input; no privilege held while merging.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd tshark capinfos mergecap editcap

nd_topo 1 91 || nd_finish
A1=$NS_A P1=$TARGET_PID S1=$SINK_B
nd_topo 2 92 || nd_finish
A2=$NS_A P2=$TARGET_PID S2=$SINK_B
nd_topo 3 93 || nd_finish
A3=$NS_A P3=$TARGET_PID S3=$SINK_B

# fields FILE: one line per packet, in file order, of what must survive a merge.
fields() {
	tshark -r "$1" -T fields -e frame.time_epoch -e frame.interface_name \
		-e frame.packet_flags_direction -e frame.len -e frame.cap_len -e ip.src -e ip.dst \
		-e udp.srcport -e data.data 2>/dev/null
}
ifcount() {
	capinfos "$1" 2>/dev/null | awk -F: '/Number of interfaces in file/ { gsub(/ /, "", $2); print $2 }'
}
strict_order() {
	capinfos -o "$1" 2>/dev/null | awk -F: '/Strict time order/ { gsub(/ /, "", $2); print $2 }'
}

# Three captures, each: nsdump -> FIFO raw<i> -> tee (a copy for mergecap) -> FIFO in<i>.
T=$ND_TMP
for i in 1 2 3; do mkfifo "$T/raw$i" "$T/in$i" || { not_ok "mkfifo" "$i"; nd_finish; }; done
mkfifo "$T/mout"
cat "$T/mout" >"$T/merged.pcapng" &
MCAT_PID=$!
nd_track_pid "$MCAT_PID"
CAP_PIDS=()
for i in 1 2 3; do
	tee "$T/copy$i.pcapng" <"$T/raw$i" >"$T/in$i" &
	nd_track_pid $!
done
for i in 1 2 3; do
	pid_var=P$i
	ND_STDOUT=$T/raw$i nd_start "cap$i" --pid "${!pid_var}" -v -w - udp
	CAP_PIDS+=("$ND_PID")
done
"$NSDUMP" --merge "$T/in1" "$T/in2" "$T/in3" -w "$T/mout" 2>"$T/merge.err" &
MERGE_PID=$!
nd_track_pid "$MERGE_PID"
for i in 1 2 3; do
	ND_PID=${CAP_PIDS[$((i - 1))]}
	nd_wait_ready "cap$i" || nd_finish
done

# Streaming: A1's packets can go once A2 has shown a later one, A2's once A1 and A3 have.
nd_send "$A1" 5 "$S1" && nd_send "$A2" 5 "$S2" && nd_send "$A3" 5 "$S3" && nd_send "$A1" 1 "$S1"
got=0
for _ in $(seq 1 1500); do # 30 s at most
	got=$(tshark -r "$T/merged.pcapng" 2>/dev/null | wc -l)
	[ "$got" -ge 10 ] && break
	sleep 0.02
done
if [ "$got" -ge 10 ] && [ "$got" -le 11 ] && ! nd_exited "$MERGE_PID"; then
	ok "streaming: A1's and A2's packets merged while every input is still open ($got)"
else
	not_ok "streaming: packets merged while the inputs are open" "got $got, want 10 or 11 before the end"
fi

# Then all three at once, interleaved in time.
ip netns exec "$A1" "$UDPSEND" -c 40 -r 400 "$S1" >"$T/s1" 2>&1 &
p1=$!
ip netns exec "$A2" "$UDPSEND" -c 30 -r 300 "$S2" >"$T/s2" 2>&1 &
p2=$!
ip netns exec "$A3" "$UDPSEND" -c 20 -r 200 "$S3" >"$T/s3" 2>&1
wait "$p1" "$p2"
check_eq "senders sent 40, 30, 20" "sent 40|sent 30|sent 20" "$(cat "$T/s1" "$T/s2" "$T/s3" | paste -sd'|')"
# Every capture has written all its packets (the tee copies see what goes to the merge).
nd_wait_count "$T/copy1.pcapng" 46
nd_wait_count "$T/copy2.pcapng" 35
nd_wait_count "$T/copy3.pcapng" 25
for i in 0 1 2; do
	ND_PID=${CAP_PIDS[$i]}
	nd_stop INT
	check_eq "capture $((i + 1)): exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/cap$((i + 1)).err")"
done
nd_wait_exit "$MERGE_PID" 10
check_eq "merge of three streams: exit 0 when they end" 0 "$ND_RC" "$(nd_excerpt "$T/merge.err")"
nd_wait_exit "$MCAT_PID" "$ND_WAIT_S" || not_ok "waited for the merged stream's reader to end" "not within $ND_WAIT_S s"
M=$T/merged.pcapng
check_count_all "merged: exactly 106 packets (tcpdump, tshark, capinfos)" "$M" 106
check_eq "merged: exact count per interface, names kept" \
	"$(nd_want "46 pid$P1/eth0" "35 pid$P2/eth0" "25 pid$P3/eth0")" "$(nd_per_if "$M")"
check_eq "merged: three interfaces" 3 "$(ifcount "$M")"
check_eq "merged: time stamps never go back" True "$(strict_order "$M")"
check_grep "merged: statistics line" "$T/merge.err" '^106 packets merged from 3 inputs, 3 interfaces$'
check_eq "merged: one statistics block per interface at the end" "ISB|ISB|ISB" \
	"$("$ND_ROOT/build/tools/ngdump" "$M" | tail -n 3 | cut -d' ' -f1 | paste -sd'|')"
if mergecap -w "$T/mc.pcapng" "$T/copy1.pcapng" "$T/copy2.pcapng" "$T/copy3.pcapng" 2>"$T/mc.err"; then
	fields "$M" >"$T/f.nsdump"
	fields "$T/mc.pcapng" >"$T/f.mergecap"
	if [ "$(wc -l <"$T/f.nsdump")" -eq 106 ] && cmp -s "$T/f.nsdump" "$T/f.mergecap"; then
		ok "merged: the same packets, in the same order, as mergecap (time, interface, direction, bytes)"
	else
		not_ok "merged: the same packets as mergecap" "$(diff "$T/f.nsdump" "$T/f.mergecap" | head -n 4 | tr '\n' '|')"
	fi
else
	not_ok "mergecap of the three streams" "$(nd_excerpt "$T/mc.err")"
fi
if mergecap -w "$T/again.pcapng" "$M" 2>"$T/again.err"; then
	check_eq "mergecap reads the merged file: 106 packets" 106 "$(count_capinfos "$T/again.pcapng")"
else
	not_ok "mergecap reads the merged file" "$(nd_excerpt "$T/again.err")"
fi

C1=$T/copy1.pcapng C2=$T/copy2.pcapng C3=$T/copy3.pcapng
# A pcap input (microseconds): its interface is named after the file.
editcap -F pcap "$C1" "$T/one.pcap" 2>/dev/null
nd_run pcapin --merge "$T/one.pcap" "$C2" -w "$T/pcapin.pcapng"
check_eq "pcap input: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/pcapin.err")"
check_eq "pcap input: 46 + 35 packets, the pcap one named after its file" \
	"$(nd_want "46 one.pcap" "35 pid$P2/eth0")" "$(nd_per_if "$T/pcapin.pcapng")"
check_eq "pcap input: time order across pcap and pcapng" True "$(strict_order "$T/pcapin.pcapng")"

# pcap output: one link type, nanoseconds.
nd_run pcapout --merge "$C1" "$C2" "$C3" --format pcap -w "$T/out.pcap"
check_eq "--format pcap: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/pcapout.err")"
check_count_all "--format pcap: all 106" "$T/out.pcap" 106
check_grep "--format pcap: a pcap file" <(capinfos -t "$T/out.pcap" 2>&1) 'File type:.*pcap'
check_eq "--format pcap: time order" True "$(strict_order "$T/out.pcap")"

# gzip output.
nd_run gz --merge "$C1" "$C2" --compress gzip -w "$T/out.pcapng.gz"
check_eq "--compress gzip: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/gz.err")"
check_eq "--compress gzip: a gzip file (magic 1f 8b)" "1f8b" "$(od -An -tx1 -N2 "$T/out.pcapng.gz" | tr -d ' ')"
check_eq "--compress gzip: all 81 (tshark/capinfos; tcpdump reads no gzip)" "81/81" \
	"$(count_tshark "$T/out.pcapng.gz")/$(count_capinfos "$T/out.pcapng.gz")"

# Standard input.
timeout -s KILL 10 "$NSDUMP" --merge - "$C2" -w "$T/stdin.pcapng" <"$C3" 2>"$T/stdin.err"
check_eq "standard input: exit 0" 0 "$?" "$(nd_excerpt "$T/stdin.err")"
check_eq "standard input: 25 + 35 packets, names kept" \
	"$(nd_want "25 pid$P3/eth0" "35 pid$P2/eth0")" "$(nd_per_if "$T/stdin.pcapng")"

# -c counts the merged output.
nd_run count --merge "$C1" "$C2" "$C3" -c 10 -w "$T/c10.pcapng"
check_eq "-c 10: exit 0" 0 "$ND_RC"
check_count "-c 10: exactly 10" "$T/c10.pcapng" 10

# A truncated input (a stream that died): a warning, the whole packets kept, the others too.
size=$(stat -c %s "$C1")
head -c $((size - 30)) "$C1" >"$T/cut.pcapng"
nd_run cut --merge "$T/cut.pcapng" "$C2" -w "$T/cut-out.pcapng"
check_eq "truncated input: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/cut.err")"
check_grep "truncated input: a warning naming the file and offset" "$T/cut.err" \
	"^nsdump: warning: $T/cut.pcapng ends inside a record at offset [0-9]+ \(cut short\?\): kept the [0-9]+ packets before it$"
# The cut falls in the statistics block or the last packet: 45 or 46 of A1, and all of A2.
n1=$(tshark -r "$T/cut-out.pcapng" -Y "frame.interface_name == \"pid$P1/eth0\"" 2>/dev/null | wc -l)
n2=$(tshark -r "$T/cut-out.pcapng" -Y "frame.interface_name == \"pid$P2/eth0\"" 2>/dev/null | wc -l)
kept=$(tshark -r "$T/cut.pcapng" 2>/dev/null | wc -l)
check_eq "truncated input: its whole packets ($kept) and all 35 of the other" "$kept/35" "$n1/$n2"

# A corrupt input: one line naming the file and the offset, status 1, the other input kept.
cp "$C1" "$T/bad.pcapng"
# The 3rd packet block's length field: offset found with ngdump's block lengths.
off=$("$ND_ROOT/build/tools/ngdump" "$C1" | awk '{ split($2, a, "="); if ($1 == "EPB" && ++n == 3) { print pos + 4; exit } pos += a[2] }')
printf '\x07\x00\x00\x00' | dd of="$T/bad.pcapng" bs=1 seek="$off" conv=notrunc status=none
nd_run bad --merge -q "$T/bad.pcapng" "$C2" -w "$T/bad-out.pcapng"
check_eq "corrupt input: exit 1" 1 "$ND_RC"
check_one_error_line "corrupt input: one error line" "$T/bad.err"
check_grep "corrupt input: names the file and offset $((off - 4))" "$T/bad.err" \
	"^nsdump: $T/bad.pcapng: corrupt at offset $((off - 4)): a block of an impossible length$"
check_eq "corrupt input: the 2 packets before it and all 35 of the other" \
	"$(nd_want "2 pid$P1/eth0" "35 pid$P2/eth0")" "$(nd_per_if "$T/bad-out.pcapng")"

# Not a capture, no such file.
echo "not a capture" >"$T/text"
nd_run text --merge -q "$T/text" -w "$T/text-out.pcapng"
check_eq "not a capture: exit 1" 1 "$ND_RC"
check_grep "not a capture: says so, at offset 0" "$T/text.err" "^nsdump: $T/text: corrupt at offset 0: not a pcap or pcapng file$"
nd_run missing --merge "$T/nonexistent" -w "$T/x.pcapng"
check_eq "missing input: exit 2" 2 "$ND_RC"
check_one_error_line "missing input: one line" "$T/missing.err"
cp "$C2" "$T/same.pcapng"
nd_run same --merge "$C1" "$T/same.pcapng" -w "$T/same.pcapng"
check_eq "an input as the output: exit 2" 2 "$ND_RC"
check_grep "an input as the output: refused, and the file left whole" "$T/same.err" 'is also the output'
check_eq "an input as the output: still 35 packets" 35 "$(count_capinfos "$T/same.pcapng")"
nd_run mixed --merge "$C1" --pid "$P1" -w "$T/x.pcapng"
check_eq "--merge with a target: exit 2" 2 "$ND_RC"

# No privilege while merging: wait on an input that has a writer but no data yet.
mkfifo "$T/idle"
sleep 30 >"$T/idle" &
SLEEP_PID=$!
nd_track_pid "$SLEEP_PID"
"$NSDUMP" --merge "$T/idle" -w "$T/idle-out.pcapng" 2>"$T/idle.err" &
ND_PID=$!
nd_track_pid "$ND_PID"
status=""
for _ in $(seq 1 1500); do # 30 s at most
	status=$(grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' "/proc/$ND_PID/status" 2>/dev/null | awk '{ print $2 }' | paste -sd' ')
	case "$status" in *" 1 2") break ;; esac
	sleep 0.02
done
check_eq "while merging: no capability (effective, permitted, bounding), no-new-privs, seccomp" \
	"0000000000000000 0000000000000000 0000000000000000 1 2" "$status"
nd_stop INT
check_eq "SIGINT while waiting: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/idle.err")"
check_grep "SIGINT while waiting: says it stopped" "$T/idle.err" '^nsdump: stopping: Interrupt$'
check_eq "SIGINT while waiting: a valid file with no packet" 0 "$(count_capinfos "$T/idle-out.pcapng")"
kill "$SLEEP_PID" 2>/dev/null

nd_finish
