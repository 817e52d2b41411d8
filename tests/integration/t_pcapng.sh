#!/bin/bash
# pcapng output: the target's identity in the interface block, direction flags, the
# kernel's counts in a statistics block, and files every Wireshark tool reads cleanly.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd tshark capinfos editcap mergecap
NGDUMP=${NGDUMP:-$ND_ROOT/build/tools/ngdump}
[ -x "$NGDUMP" ] || nd_skip_all "no $NGDUMP (make build/tools/ngdump)"
nd_topo 1 73 || nd_finish

f=$ND_TMP/dir.pcapng
nd_start_ready dir --pid "$TARGET_PID" -v -w "$f" udp || nd_finish
nd_send "$NS_A" 30 "$SINK_B" || true
nd_send "$NS_B" 20 -s 100 "$SINK_A" || true
nd_wait_count "$f" 50
nd_stop INT
check_eq "exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/dir.err")"
check_count_all "50 packets read back by tcpdump, tshark and capinfos" "$f" 50

# Wireshark's tools read it without a word on stderr.
for tool in "tshark -r $f" "capinfos $f" "tcpdump -r $f" "editcap $f $ND_TMP/copy.pcapng" "mergecap -w $ND_TMP/merged.pcapng $f $f"; do
	# shellcheck disable=SC2086 # the tool's words are meant to split
	$tool >/dev/null 2>"$ND_TMP/tool.err"
	rc=$?
	grep -v -e 'Running as user "root"' -e '^reading from file' "$ND_TMP/tool.err" >"$ND_TMP/tool.warn"
	check_eq "${tool%% *}: reads it, exit 0, no warning" "0 0" "$rc $(wc -l <"$ND_TMP/tool.warn")" "$(nd_excerpt "$ND_TMP/tool.warn")"
done
check_count "editcap's copy holds the 50" "$ND_TMP/copy.pcapng" 50
check_count "mergecap of the file twice holds 100" "$ND_TMP/merged.pcapng" 100

# Interface name and description.
check_eq "tshark: every packet names the interface pid<PID>/eth0" "50 pid$TARGET_PID/eth0" \
	"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | sort | uniq -c | awk '{ print $1, $2 }')"
inode=$(stat -L -c %i "/proc/$TARGET_PID/ns/net")
desc=$(tshark -r "$f" -T fields -e frame.interface_description -c 1 2>/dev/null)
check_eq "description: target, netns inode, mode" "PID $TARGET_PID (sleep); netns $inode; mode setns" "$desc"

# Direction, from the target's point of view: 30 sent (2 = outbound), 20 received (1 = inbound).
check_eq "direction flags: 30 outbound, 20 inbound" "20 0x00000001|30 0x00000002" \
	"$(tshark -r "$f" -T fields -e frame.packet_flags_direction 2>/dev/null | sort | uniq -c | awk '{ print $1, $2 }' | paste -sd'|')"
check_eq "the outbound ones are the target's" 30 "$(count_tshark "$f" -Y "frame.packet_flags_direction == 2 && ip.src == $IP_A")"

# Blocks as written.
"$NGDUMP" "$f" >"$ND_TMP/blocks" 2>&1
check_eq "ngdump reads every block (lengths consistent)" 0 "$?" "$(nd_excerpt "$ND_TMP/blocks")"
check_eq "block sequence: SHB, IDB, 50 EPB, ISB" "SHB IDB EPBx50 ISB" \
	"$(awk '{ print $1 }' "$ND_TMP/blocks" | uniq -c | awk '{ printf "%s%s ", $2, ($1 > 1 ? "x" $1 : "") }' | sed 's/ $//')"
check_grep "IDB: nanosecond resolution and the filter" "$ND_TMP/blocks" '^IDB .* tsresol=9 filter="udp"$'
check_grep "SHB: names the application" "$ND_TMP/blocks" '^SHB .*opt4="nsdump [0-9]'
check_grep "ISB: 50 received by the filter, 0 dropped, 50 delivered" "$ND_TMP/blocks" '^ISB len=[0-9]+ if=0 opt4=50 opt5=0 opt7=0 opt8=50$'

# The same through a pipe: tshark reads pcapng from stdin.
nd_start_ready pipe --pid "$TARGET_PID" -v -c 10 -w - udp
nd_send "$NS_A" 10 "$SINK_B" || true
nd_wait_exit "$ND_PID" 5
check_eq "pcapng on stdout: 10 packets by tshark -r -" 10 "$(tshark -r - <"$ND_TMP/pipe.out" 2>/dev/null | wc -l)"

# A drop count lands in the file: a tiny ring and a burst of large packets.
nd_start_ready drop --pid "$TARGET_PID" -v -B 64 -w "$ND_TMP/drop.pcapng" udp
nd_send "$NS_A" 20000 -s 1400 "$SINK_B" || true
# Nothing to wait for: the counts compared are the ones nsdump has when it stops.
nd_stop INT
drops=$(sed -n 's/^\([0-9]*\) packets\? dropped by kernel$/\1/p' "$ND_TMP/drop.err")
"$NGDUMP" "$ND_TMP/drop.pcapng" >"$ND_TMP/drop.blocks" 2>&1
isb_drop=$(sed -n 's/^ISB .* opt5=\([0-9]*\) .*/\1/p' "$ND_TMP/drop.blocks")
isb_deliv=$(sed -n 's/^ISB .* opt8=\([0-9]*\)$/\1/p' "$ND_TMP/drop.blocks")
if [ -n "$drops" ] && [ "$drops" -gt 0 ]; then
	check_eq "ISB drop count equals the kernel's drops on stderr ($drops)" "$drops" "$isb_drop"
else
	skip "ISB drop count" "the kernel dropped nothing with a 64 KiB ring (stderr: $(nd_excerpt "$ND_TMP/drop.err"))"
fi
check_eq "ISB delivered count equals the packets in the file" "$(count_tcpdump "$ND_TMP/drop.pcapng")" "$isb_deliv"

nd_finish
